"""The figures of the comparison report (``experiments.report.compare``), each rendered to PNG bytes.

Figures are built with ``matplotlib.figure.Figure`` rather than ``pyplot``: no global figure state
to leak and no GUI backend needed (saving uses Agg).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any, cast

import matplotlib
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

DPI = 120


def season_labels(seasons: Sequence[str]) -> list[str]:
    """Axis labels of a season sequence: the names, prefixed by their position if a name repeats."""
    if len(set(seasons)) == len(seasons):
        return list(seasons)
    return [f"{k}. {name}" for k, name in enumerate(seasons, start=1)]


def _png(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def heatmap_png(matrix: np.ndarray, seasons: Sequence[str], title: str) -> bytes:
    """Annotated heatmap of a normalized return matrix (rows: untrained, then after each season).

    :param matrix: shape ``(N + 1, N)``
    :param seasons: the ``N`` season names, in training order
    :param title: figure title
    :return: PNG bytes
    """
    labels = season_labels(seasons)
    n = len(seasons)
    # 0 (random) and 1 (scripted gardener) always on the scale, so colours compare across methods.
    # NaN: the policy could not act on that season yet (no progressive column for it).
    vmin, vmax = min(0.0, float(np.nanmin(matrix))), max(1.0, float(np.nanmax(matrix)))
    fig = Figure(figsize=(1.2 * n + 2.5, 0.6 * (n + 1) + 1.6))
    ax = fig.add_subplot()
    image = ax.imshow(matrix, cmap="viridis", vmin=vmin, vmax=vmax, aspect="auto")
    fig.colorbar(image, ax=ax, label="normalized return")
    ax.set_xticks(range(n), labels, rotation=30, ha="right")
    ax.set_yticks(range(n + 1), ["untrained"] + [f"after {label}" for label in labels])
    ax.set_xlabel("evaluated on")
    ax.set_ylabel("policy")
    for (row, col), value in np.ndenumerate(matrix):
        # Light text on the dark end of viridis, dark text on the light end.
        color = "white" if not np.isfinite(value) or (value - vmin) / (vmax - vmin) < 0.6 else "black"
        text = f"{value:.2f}" if np.isfinite(value) else "–"
        ax.text(col, row, text, ha="center", va="center", color="black" if text == "–" else color, fontsize=9)
    ax.set_title(title)
    return _png(fig)


def confusion_png(counts: Mapping[str, np.ndarray], seasons: Sequence[str]) -> bytes:
    """One annotated confusion matrix per method: the season of a day against the season the recognizer named.

    :param counts: method -> ``(N, N)`` day counts (row: the season played, column: the season named)
    :param seasons: the ``N`` season names
    :return: PNG bytes
    """
    labels = season_labels(seasons)
    n = len(seasons)
    fig = Figure(figsize=((1.0 * n + 1.5) * len(counts), 1.0 * n + 1.5))
    for k, (method, count) in enumerate(counts.items()):
        ax = fig.add_subplot(1, len(counts), k + 1)
        share = count / np.maximum(count.sum(axis=1, keepdims=True), 1)
        ax.imshow(share, cmap="Greens", vmin=0.0, vmax=1.0)
        ax.set_xticks(range(n), labels, rotation=30, ha="right")
        ax.set_yticks(range(n), labels)
        ax.set_xlabel("season named")
        ax.set_ylabel("season played" if k == 0 else "")
        for (row, col), value in np.ndenumerate(count):
            ax.text(col, row, str(int(value)), ha="center", va="center", color="white" if share[row, col] > 0.6 else "black")
        ax.set_title(method)
    return _png(fig)


def final_returns_png(finals: Mapping[str, np.ndarray], seasons: Sequence[str]) -> bytes:
    """Grouped bars of the final normalized return per season, one bar per method, min–max over seeds.

    :param finals: method -> final rows of its seeds, shape ``(seeds, N)``
    :param seasons: the ``N`` season names, in training order
    :return: PNG bytes
    """
    n, methods = len(seasons), list(finals)
    width = 0.8 / len(methods)
    fig = Figure(figsize=(max(6.0, 1.4 * n + 2.0), 4.0))
    ax = fig.add_subplot()
    x = np.arange(n)
    for m, method in enumerate(methods):
        rows = np.asarray(finals[method], dtype=float)
        mean = rows.mean(axis=0)
        errors = np.vstack([mean - rows.min(axis=0), rows.max(axis=0) - mean])
        label = f"{method} ({len(rows)} seed{'s' if len(rows) > 1 else ''})"
        ax.bar(x - 0.4 + width * (m + 0.5), mean, width, yerr=errors, capsize=3, label=label)
    ax.axhline(1.0, color="black", linestyle="--", linewidth=1, label="scripted gardener")
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.set_xticks(x, season_labels(seasons))
    ax.set_ylabel("final normalized return")
    ax.set_title("Return on every season after the whole sequence (bars: min–max over seeds)")
    # Outside the axes: inside, it hides bars or the gardener's line.
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _png(fig)


def _mean_curve(runs: Sequence[Sequence[dict[str, Any]]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per evaluated season: ``(steps, mean normalized return over seeds)`` of a method's runs."""
    grouped: dict[tuple[str, int, int], list[float]] = defaultdict(list)
    for points in runs:
        for p in points:
            grouped[(p["eval_season"], p["step"], p["season_index"])].append(p["normalized"])
    lines: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
    for (season, step, index), values in grouped.items():
        lines[season].append((step, index, float(np.mean(values))))
    result = {}
    for season, line in lines.items():
        line.sort()
        result[season] = (np.array([s for s, _, _ in line]), np.array([v for _, _, v in line]))
    return result


def _season_starts(runs: Sequence[Sequence[dict[str, Any]]]) -> dict[int, int]:
    """Cumulative step at which each season (1-based index) started training."""
    starts: dict[int, int] = {}
    for points in runs:
        for p in points:
            start = p["step"] - p["season_step"]
            starts[p["season_index"]] = min(start, starts.get(p["season_index"], start))
    return starts


def learning_curves_png(curves: Mapping[str, Sequence[Sequence[dict[str, Any]]]], seasons: Sequence[str]) -> bytes:
    """Learning curves, one panel per method: normalized return on every season against cumulative steps.

    Season boundaries are dashed vertical lines with the trained season written above each segment.

    :param curves: method -> the curve points of each of its runs (as from ``run_folder.read_curves``)
    :param seasons: the season names, in training order
    :return: PNG bytes
    """
    # One colour per season name, the same in every panel.
    cycle = cast(Sequence[Any], cast(ListedColormap, matplotlib.colormaps["tab10"]).colors)
    colors = {name: cycle[i % len(cycle)] for i, name in enumerate(dict.fromkeys(seasons))}
    labels = season_labels(seasons)
    fig = Figure(figsize=(9.0, 3.2 * len(curves)), layout="constrained")
    axes = fig.subplots(len(curves), 1, squeeze=False)[:, 0]
    for ax, (method, runs) in zip(axes, curves.items(), strict=True):
        for season, (steps, values) in _mean_curve(runs).items():
            ax.plot(steps, values, color=colors.get(season), label=season, linewidth=1.3)
        starts = _season_starts(runs)
        end = max((p["step"] for points in runs for p in points), default=0)
        ax.set_xlim(0, max(end, 1))
        for index, start in sorted(starts.items()):
            if index > 1:
                ax.axvline(start, color="grey", linestyle="--", linewidth=0.8)
            stop = starts.get(index + 1, end)
            label = labels[index - 1] if 0 < index <= len(labels) else str(index)
            # x in data coordinates, y in axes coordinates: the name sits just above the panel.
            ax.text((start + stop) / 2, 1.01, label, transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8)
        ax.axhline(1.0, color="black", linestyle=":", linewidth=0.8)
        ax.set_title(f"{method} ({len(runs)} seed{'s' if len(runs) > 1 else ''})", pad=14)
        ax.set_ylabel("normalized return")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="evaluated on", title_fontsize=7)
    axes[-1].set_xlabel("environment steps (cumulative)")
    return _png(fig)
