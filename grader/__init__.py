"""The instructor's side of the kit: skeleton generation, isolated grading, reports."""
