"""What runs in the untrusted process: the zygote that forks workers and the worker's side of the
wire. Imports only the wire, confinement, the public judges and libraries."""
