"""The study's report: pass@1 of every suite at every stage (base, SFT, RL) as a table and plots.

`write_report` writes `report.md` with a markdown table, a grouped bar chart of pass@1 per
suite and stage (`pass_at_1.png`) and, when a training history is given, the RL curves
(`rl_curves.png`: reward and pass rate per iteration). Plots use matplotlib's file-only Agg
backend, so no display is needed.
"""

from __future__ import annotations

import os
from typing import Mapping, Sequence

from codecorr_jax.fileio import write_text_atomic

Results = Mapping[str, Mapping[str, float]]  # suite -> {"pass@1": ..., "n_tasks": ...}


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def stage_table(stages: Mapping[str, Results]) -> str:
    """Markdown: one row per suite, one pass@1 column per stage (in the mapping's order)."""
    names = list(stages)
    suites = list(dict.fromkeys(s for results in stages.values() for s in results))
    header = "| suite | tasks | " + " | ".join(f"{n} pass@1" for n in names) + " |"
    lines = [header, "|---|---|" + "---|" * len(names)]
    for suite in suites:
        n_tasks = next((r[suite]["n_tasks"] for r in stages.values() if suite in r), 0)
        cells = [_fmt(stages[n].get(suite, {}).get("pass@1")) for n in names]
        lines.append(f"| {suite} | {n_tasks} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def compile_rate(metrics: Mapping[str, object]) -> float | None:
    """The fraction of a suite's samples that compiled (every verdict but a syntax error)."""
    verdicts = metrics.get("sampled_verdicts")
    if not isinstance(verdicts, Mapping) or not sum(verdicts.values()):
        return None
    return 1.0 - verdicts.get("syntax_error", 0) / sum(verdicts.values())


def pass_at_k_table(results: Results) -> str:
    """Markdown: one row per suite with greedy pass@1, sampled pass@k (the unbiased estimator)
    for every k measured, and the fraction of samples that compile."""
    ks = sorted({int(key.split("@")[1]) for metrics in results.values() for key in metrics
                 if key.startswith("sampled_pass@")})
    header = ("| suite | tasks | greedy pass@1 | " + "".join(f"pass@{k} | " for k in ks)
              + "samples compiling |")
    lines = [header, "|---|---|---|" + "---|" * len(ks) + "---|"]
    for suite, metrics in results.items():
        cells = [_fmt(metrics.get("pass@1"))] + [_fmt(metrics.get(f"sampled_pass@{k}"))
                                                 for k in ks]
        lines.append(f"| {suite} | {metrics.get('n_tasks', 0)} | " + " | ".join(cells)
                     + f" | {_fmt(compile_rate(metrics))} |")
    return "\n".join(lines)


def pyplot():
    """matplotlib.pyplot on the file-only backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_stages(stages: Mapping[str, Results], path: str) -> str:
    """Grouped bars of pass@1: suites on the x axis, one bar per stage."""
    plt = pyplot()
    names = list(stages)
    suites = list(dict.fromkeys(s for results in stages.values() for s in results))
    width = 0.8 / max(len(names), 1)
    fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(suites), 3.6))
    for i, name in enumerate(names):
        xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(suites))]
        ys = [stages[name].get(s, {}).get("pass@1", 0.0) or 0.0 for s in suites]
        bars = ax.bar(xs, ys, width, label=name)
        ax.bar_label(bars, labels=[f"{y:.2f}" for y in ys], fontsize=7)
    ax.set_xticks(range(len(suites)), [s.replace("_", "\n") for s in suites], fontsize=8)
    ax.set_ylabel("pass@1 (greedy)")
    top = max([stages[n].get(s, {}).get("pass@1", 0.0) or 0.0 for n in names for s in suites]
              + [0.05])
    ax.set_ylim(0, min(1.0, top * 1.25))
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_history(history: Sequence[Mapping[str, float]], keys: Sequence[str], path: str) -> str:
    """One panel per metric key against the iteration (1-based)."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(keys), figsize=(3.4 * len(keys), 3.0), squeeze=False)
    for ax, key in zip(axes[0], keys):
        ys = [h[key] for h in history if key in h]
        ax.plot(range(1, len(ys) + 1), ys, marker="o", markersize=3)
        ax.set_title(key, fontsize=9)
        ax.set_xlabel("iteration", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_report(out_dir: str, title: str, stages: Mapping[str, Results],
                 history: Sequence[Mapping[str, float]] = (),
                 history_keys: Sequence[str] = ("rl/reward", "rl/pass_rate", "rl/kl"),
                 notes: Sequence[str] = ()) -> str:
    """report.md (+ its plots) in `out_dir`; returns the report's path."""
    os.makedirs(out_dir, exist_ok=True)
    parts = [f"# {title}", "", stage_table(stages), ""]
    plot_stages(stages, os.path.join(out_dir, "pass_at_1.png"))
    parts += ["![pass@1 per suite and stage](pass_at_1.png)", ""]
    if history:
        keys = [k for k in history_keys if any(k in h for h in history)]
        plot_history(history, keys, os.path.join(out_dir, "rl_curves.png"))
        parts += ["![RL curves](rl_curves.png)", ""]
    parts += [f"- {note}" for note in notes]
    path = os.path.join(out_dir, "report.md")
    write_text_atomic(path, "\n".join(parts).rstrip() + "\n")
    return path
