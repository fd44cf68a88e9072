"""The class's gradebook and everything made from reports: each student's files (feedback,
Gradescope results), the class's exports, charts, and what the console shows."""
