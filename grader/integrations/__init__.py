"""The platforms courses grade on: nbgrader and Gradescope."""
