"""Data sets used by the kit. `data/mnist.npz` itself is never committed: see README.md."""
