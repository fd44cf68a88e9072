"""The lecture notes' demonstrations, run on the reference solutions (hjorth-jensen-week3-lecture.txt);
XOR learned with Adam is a self-check of exercise 8 (exercises/test_optimizers.py)."""

from solutions import activations


def test_vanishing_gradients_in_a_deep_sigmoid_network_not_in_a_relu_one(tmp_path):
    """§Which activation function should I use?: over 10 layers, the sigmoid network's first layer
    gets about 1e-5 of its last layer's gradient; the ReLU network's gets a comparable one."""
    path = tmp_path / "vanishing.png"
    norms = activations.plot_vanishing_gradients(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    sigmoid, relu = (norms[name][0] / norms[name][-1] for name in ("sigmoid", "relu"))
    assert sigmoid < 1e-4 and relu > 0.2, (sigmoid, relu)
    assert all(a < b for a, b in zip(norms["sigmoid"], norms["sigmoid"][1:]))  # shrinking layer by layer back

