"""The class's charts: the score histogram and the share of the class that passed each check."""

from pathlib import Path


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def histogram(reports: list[dict], path: Path) -> None:
    plt = pyplot()
    possible = reports[0]["score"]["possible"]
    figure, axes = plt.subplots(figsize=(6, 3.5))
    axes.hist([r["score"]["earned"] for r in reports], bins=range(0, possible + 1, 10), edgecolor="black")
    axes.set_xlim(0, possible)
    axes.set_xlabel(f"score (of {possible}; the last bar includes {possible})")
    axes.set_ylabel("students")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_title(f"Scores of {len(reports)} submission(s)")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def checks_chart(checks: list[dict], path: Path) -> None:
    """A bar per check: the share of the class that passed it."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(8, 1 + 0.22 * len(checks)))
    labels = [f"{c['exercise']}: {c['check']}" for c in checks]
    axes.barh(range(len(checks)), [100 * (c["pass_rate"] or 0) for c in checks], color="tab:blue")
    axes.set_yticks(range(len(checks)), labels, fontsize=7)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("students who passed the check (%)")
    axes.set_title(f"Checks passed by the class ({len(checks)} checks)")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
