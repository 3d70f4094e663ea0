"""Pictures of trained VAEs: digits above their reconstructions, decoded prior draws, and
training curves (test ELBO per epoch)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def grid(images: np.ndarray, side: int, columns: int) -> np.ndarray:
    """(n, side * side) images -> one array of `columns` per row, a blank frame per digit."""
    rows = len(images) // columns
    tiles = np.pad(images[: rows * columns].reshape(rows, columns, side, side),
                   ((0, 0), (0, 0), (1, 1), (1, 1)))
    return np.concatenate([np.concatenate(list(row), axis=1) for row in tiles], axis=0)


def digits_panel(test, model, latent, side, seed, columns=16) -> np.ndarray:
    """Rows: test digits, their reconstructions (one posterior draw), decoded prior draws."""
    originals = test[:columns]
    recons = model.reconstruct(originals)
    samples = model.decode(latent.prior_draw(columns, seed))
    return grid(np.concatenate([originals, recons, samples]), side, columns)


def save_run(panel: np.ndarray, title: str, path: Path) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(10, 2.4))
    ax.imshow(panel, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    ax.set_title(f"{title}\nrows: test digits, reconstructions, decoded prior draws", fontsize=7)
    ax.axis("off")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(fig)
    return str(path)


def save_table_figure(results: list[dict], path: Path) -> str:
    """One figure: test -ELBO per epoch of every method (one panel per latent setting), then
    each method's digits panel (first seed)."""
    plt = pyplot()
    settings = list(dict.fromkeys(r["setting"] for r in results))
    fig = plt.figure(figsize=(14, 3.2 * len(settings) + 0.9 * len(results)))
    outer = fig.add_gridspec(2, 1, height_ratios=[3.2 * len(settings), 0.9 * len(results)])
    curves = outer[0].subgridspec(1, len(settings))
    for i, setting in enumerate(settings):
        ax = fig.add_subplot(curves[0, i])
        for r in (r for r in results if r["setting"] == setting):
            ys = -np.array([h["test_elbo"] for h in r["histories"]])
            epochs = np.arange(1, ys.shape[1] + 1)
            ax.plot(epochs, ys.mean(0), label=r["estimator"])
            ax.fill_between(epochs, ys.min(0), ys.max(0), alpha=0.2)
        ax.set_title(setting, fontsize=9)
        ax.set_xlabel("epoch")
        ax.set_ylabel("test -ELBO (nats)")
        ax.legend(fontsize=7)
    panels = outer[1].subgridspec(len(results), 1)
    for i, r in enumerate(results):
        ax = fig.add_subplot(panels[i, 0])
        ax.imshow(r["panel"], cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        ax.set_ylabel(f"{r['setting']}\n{r['estimator']}", rotation=0, ha="right", fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80, bbox_inches="tight")
    plt.close(fig)
    return str(path)
