"""The charts of `nn-kit reproduce --out`: readable at a glance however many experiments a figure
has (a colour of its own per experiment or protocol, labels that never overlap) and marked when they
come from a quick run."""

from pathlib import Path

import numpy as np

from grader.gradebook.charts import pyplot

PROTOCOLS = {"single split": ("tab:blue", "-"), "thesis protocol": ("tab:orange", "-"),
             "fresh model per fold": ("tab:blue", "--")}
QUICK = "\nquick run: it shows the code runs, not comparable with the thesis"


def colours(labels: list[str]) -> dict[str, str]:
    """A distinct colour per experiment (tab10's ten; the thesis' figures have at most six experiments)."""
    palette = ("blue", "orange", "green", "red", "purple", "brown", "pink", "gray", "olive", "cyan")
    return {label: f"tab:{palette[i % len(palette)]}" for i, label in enumerate(dict.fromkeys(labels))}


def _save(figure, path: Path, plt) -> None:
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def accuracy(path: Path, title: str, rows: list[dict], thesis: dict[str, float], quick: bool) -> None:
    """Horizontal bars, one group per experiment and one bar per protocol, the thesis' accuracy a
    black diamond: a label per line, so that none overlaps another."""
    plt = pyplot()
    labels = list(dict.fromkeys(row["label"] for row in rows))
    protocols = list(dict.fromkeys(row["protocol"] for row in rows))
    height = 0.8 / len(protocols)
    figure, axes = plt.subplots(figsize=(7, 1.2 + 0.5 * len(labels) * len(protocols)))
    for row in rows:
        y = labels.index(row["label"]) + (protocols.index(row["protocol"]) - (len(protocols) - 1) / 2) * height
        colour, _ = PROTOCOLS[row["protocol"]]
        axes.barh(y, row["accuracy"], height, color=colour, hatch="//" if row["protocol"] == "fresh model per fold" else "",
                  edgecolor="white", label=row["protocol"])
        axes.text(row["accuracy"] + 1, y, f"{row['accuracy']:.1f}", va="center", fontsize=7)
    axes.scatter([thesis[label] for label in labels], range(len(labels)), marker="D", color="black", zorder=3,
                 label="thesis")
    handles, names = axes.get_legend_handles_labels()
    unique = dict(zip(names, handles))
    axes.legend(unique.values(), unique.keys(), fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1 - 0.3 / len(rows)),
                ncol=3)
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 105)
    axes.set_xlabel("accuracy (%)")
    axes.set_title(title + (QUICK if quick else ""), fontsize=9)
    _save(figure, path, plt)


def errors(path: Path, title: str, rows: list[dict], quick: bool) -> None:
    """The test error after every epoch, two ways side by side (the thesis' code's, on the test
    images, and the test fold's): a colour per experiment, a line style per protocol, two legends."""
    plt = pyplot()
    from matplotlib.lines import Line2D

    labels = list(dict.fromkeys(row["label"] for row in rows))
    colour = colours(labels)
    figure, panels = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for axes, (way, name) in zip(panels, (("test images", "on the test images (the thesis' code)"),
                                          ("test fold", "on the fold's own test images"))):
        for row in rows:
            axes.plot(row["epoch_errors"][way], color=colour[row["label"]], linestyle=PROTOCOLS[row["protocol"]][1])
        axes.set_xlabel("epoch")
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.set_title(name, fontsize=9)
    panels[0].set_ylabel("test error (MSE)")
    panels[0].legend([Line2D([], [], color=colour[label]) for label in labels], labels, fontsize=7, title="experiment",
                     title_fontsize=7)
    protocols = list(dict.fromkeys(row["protocol"] for row in rows))
    panels[1].legend([Line2D([], [], color="black", linestyle=PROTOCOLS[p][1]) for p in protocols], protocols,
                     fontsize=7, title="protocol", title_fontsize=7)
    figure.suptitle(title + (QUICK if quick else ""), fontsize=10)
    _save(figure, path, plt)


def digits(path: Path, title: str, series: list[tuple[str, list[int], list[int]]], quick: bool) -> None:
    """The share of each digit's images predicted right, one bar per series (name, correct, images):
    a share, so that a quick run's few images and the thesis' 70,000 read on one axis."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(8, 4.6))
    width = 0.8 / len(series)
    palette = ["black", "tab:orange", "tab:blue", "tab:green", "tab:red"]
    for i, (name, correct, images) in enumerate(series):
        share = 100 * np.asarray(correct) / np.maximum(np.asarray(images), 1)
        axes.bar(np.arange(10) + (i - (len(series) - 1) / 2) * width, share, width, label=name,
                 color=palette[i % len(palette)])
    axes.set_xticks(np.arange(10), [str(d) for d in range(10)])
    axes.set_ylim(0, 100)
    axes.set_xlabel("digit")
    axes.set_ylabel("images of the digit predicted right (%)")
    axes.set_title(title + (QUICK if quick else ""), fontsize=9)
    axes.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)  # below: never on a bar
    _save(figure, path, plt)
