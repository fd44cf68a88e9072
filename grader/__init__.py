"""The instructor's side of the kit: skeleton generation, isolated grading, reports."""

import solutions  # noqa: F401  (loads TensorFlow with its start-up noise silenced)
