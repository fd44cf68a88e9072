"""Trusted-only tools: the thesis' evaluation chapter rerun, the mutation score, and in-process
runs of the suites (never for student code)."""
