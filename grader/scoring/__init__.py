"""Scoring: the judges (students get a copy), the student proxy, the hidden suites' pytest plugin,
verdicts (whose fault a failure is), the rubric, typed reports and the grading run."""
