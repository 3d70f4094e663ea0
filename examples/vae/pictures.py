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
    tiles = np.pad(
        images[: rows * columns].reshape(rows, columns, side, side),
        ((0, 0), (0, 0), (1, 1), (1, 1)),
    )
    return np.concatenate([np.concatenate(list(row), axis=1) for row in tiles], axis=0)


def digits_panel(test, model, latent, side, seed, columns=16) -> np.ndarray:
    """Rows: test digits, their reconstructions (one posterior draw), decoded prior draws."""
    originals = test[:columns]
    recons = model.reconstruct(test)[:columns]  # the evaluation's batch: JAX compiles it once
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
    """One figure: test -ELBO per epoch of every method (mean over seeds, band: min to max),
    one panel per latent setting, three panels a row; then each method's digits panel (first
    seed), two a row."""
    plt = pyplot()
    settings = list(dict.fromkeys(r["setting"] for r in results))
    curve_rows, panel_rows = -(-len(settings) // 3), -(-len(results) // 2)
    fig = plt.figure(figsize=(15, 3.6 * curve_rows + 1.3 * panel_rows))
    outer = fig.add_gridspec(2, 1, height_ratios=[3.6 * curve_rows, 1.3 * panel_rows])
    curves = outer[0].subgridspec(curve_rows, 3, hspace=0.45)
    for i, setting in enumerate(settings):
        ax = fig.add_subplot(curves[i // 3, i % 3])
        for r in (r for r in results if r["setting"] == setting):
            ys = -np.array([h["test_elbo"] for h in r["histories"]])
            epochs = np.arange(1, ys.shape[1] + 1)
            ax.plot(epochs, ys.mean(0), label=r["estimator"])
            ax.fill_between(epochs, ys.min(0), ys.max(0), alpha=0.2)
        ax.set_title(setting, fontsize=10)
        ax.set_xlabel("epoch")
        ax.set_ylabel("test -ELBO (nats)")
        ax.legend(fontsize=7)
    panels = outer[1].subgridspec(panel_rows, 2, hspace=0.15, wspace=0.25)
    for i, r in enumerate(results):
        ax = fig.add_subplot(panels[i // 2, i % 2])
        ax.imshow(r["panel"], cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(
            f"{r['setting']}, {r['estimator']}: test digits, reconstructions, prior draws",
            fontsize=8,
        )
        ax.axis("off")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
    return str(path)
