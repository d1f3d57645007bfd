"""The study's report: pass@1 of every suite at every stage (base, SFT, RL) as a table and plots.

`write_report` writes `report.md` with a markdown table, a grouped bar chart of pass@1 per
suite and stage (`pass_at_1.png`) and, when a training history is given, the RL curves
(`rl_curves.png`, `rl_panels`: what a researcher reads of a PPO run). Plots use matplotlib's
file-only Agg backend, so no display is needed.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Mapping, Sequence

import numpy as np

from codecorr_jax.eval import stats
from codecorr_jax.tasks.registry import HELD_OUT_SUITES, SUITE_MEANINGS
from codecorr_jax.fileio import write_text_atomic

Results = Mapping[str, Mapping[str, float]]  # suite -> {"pass@1": ..., "n_tasks": ...}


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def suites_of(stages: Mapping[str, Results]) -> list[str]:
    """The suites any stage scored, in the order they were first met."""
    return list(dict.fromkeys(s for results in stages.values() for s in results))


def stage_table(stages: Mapping[str, Results]) -> str:
    """Markdown: one row per suite, one pass@1 column per stage (in the mapping's order)."""
    names = list(stages)
    suites = suites_of(stages)
    header = "| suite | tasks | " + " | ".join(f"{n} pass@1" for n in names) + " |"
    lines = [header, "|---|---|" + "---|" * len(names)]
    for suite in suites:
        n_tasks = next((r[suite]["n_tasks"] for r in stages.values() if suite in r), 0)
        cells = [_fmt(stages[n].get(suite, {}).get("pass@1")) for n in names]
        lines.append(f"| {suite} | {n_tasks} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def constants_section(stages: Mapping[str, Results]) -> str:
    """Markdown, a sentence then a table: greedy pass@1 of each composite suite by the number
    of constant step arguments its tasks have (what mostly decides a composite's pass after
    SFT), one column per stage; "" when no suite's tasks record constants."""
    names = list(stages)
    groups: dict[tuple[str, int], dict[str, list[bool]]] = {}
    for name, results in stages.items():
        for suite, metrics in results.items():
            for row in metrics.get("tasks", ()) if isinstance(metrics, Mapping) else ():
                if row.get("constants") is None or row.get("passed_greedy") is None:
                    continue
                groups.setdefault((suite, row["constants"]), {}).setdefault(name, []).append(
                    bool(row["passed_greedy"]))
    if not groups:
        return ""
    lines = ["| suite | constants | tasks | " + " | ".join(f"{n} pass@1" for n in names) + " |",
             "|---|---|---|" + "---|" * len(names)]
    order = suites_of(stages)
    for suite, count in sorted(groups, key=lambda group: (order.index(group[0]), group[1])):
        by_stage = groups[(suite, count)]
        tasks = max(len(v) for v in by_stage.values())
        cells = [_fmt(float(np.mean(by_stage[n]))) if n in by_stage else "n/a" for n in names]
        lines.append(f"| {suite} | {count} | {tasks} | " + " | ".join(cells) + " |")
    return ("Composites by their number of constant step arguments (`k = 3`):\n\n"
            + "\n".join(lines))


def suite_legend(suites: Sequence[str]) -> str:
    """Markdown: what each suite measures and which are target domains (`SUITE_MEANINGS`)."""
    return "\n".join(f"- `{s}`: {SUITE_MEANINGS[s]}" for s in suites if s in SUITE_MEANINGS)


def _greedy(metrics: object) -> np.ndarray | None:
    rows = metrics.get("tasks", ()) if isinstance(metrics, Mapping) else ()
    passes = [float(bool(r["passed_greedy"])) for r in rows if r.get("passed_greedy") is not None]
    return np.array([passes]) if passes else None


def gap_section(stages: Mapping[str, Results], train: str = "composite_train") -> str:
    """Markdown, a sentence then a table: per stage, pass@1 on the composites trained on minus
    on each held-out suite (over-fitting), with a bootstrap 95% CI over tasks; "" when no stage
    scored the train suite. (Over seeds: `python -m codecorr_jax.eval.seed_runs`.)"""
    lines = ["| stage | held-out suite | train - held-out | 95% CI (tasks) |", "|---|---|---|---|"]
    for name, results in stages.items():
        trained = _greedy(results.get(train))
        if trained is None:
            continue
        for suite in HELD_OUT_SUITES:
            held = _greedy(results.get(suite))
            if held is not None:
                gap = stats.gap_bootstrap(trained, held)
                lines.append(f"| {name} | {suite} | {gap.mean:+.3f} | "
                             f"[{gap.low:+.3f}, {gap.high:+.3f}] |")
    if len(lines) == 2:
        return ""
    return ("The train / held-out gap (pass@1 on the composites trained on minus on held-out "
            "ones):\n\n" + "\n".join(lines))


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


CURVE = "sampled_pass_at_k_curve"  # suites.evaluate's pass@k for k = 1 .. num_samples


def curve_ks(n: int) -> list[int]:
    """The k a pass@k table shows of a curve to n: the powers of two, and n."""
    return sorted({2 ** i for i in range(n.bit_length()) if 2 ** i <= n} | {n})


def pass_at_k_curve_table(stages: Mapping[str, Results]) -> str:
    """Markdown: per stage and suite with sampled completions, unbiased pass@k for k = 1, 2,
    4, ... n; "" when no suite was sampled."""
    rows = [(name, suite, metrics[CURVE]) for name, results in stages.items()
            for suite, metrics in results.items()
            if isinstance(metrics, Mapping) and metrics.get(CURVE)]
    if not rows:
        return ""
    ks = curve_ks(max(len(curve) for _, _, curve in rows))
    lines = ["| stage | suite | " + " | ".join(f"pass@{k}" for k in ks) + " |",
             "|---|---|" + "---|" * len(ks)]
    for name, suite, curve in rows:
        lines.append(f"| {name} | {suite} | " + " | ".join(
            _fmt(curve[k - 1]) if k <= len(curve) else "" for k in ks) + " |")
    return "\n".join(lines)


def plot_pass_at_k(stages: Mapping[str, Results], path: str) -> str | None:
    """pass@k against k (log scale), one line per suite, a line style per stage; None when no
    suite was sampled."""
    rows = [(i, name, suite, metrics[CURVE]) for i, (name, results) in enumerate(stages.items())
            for suite, metrics in results.items()
            if isinstance(metrics, Mapping) and metrics.get(CURVE)]
    if not rows:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.6, 3.6))
    colours = {suite: f"C{j}" for j, suite in enumerate(dict.fromkeys(r[2] for r in rows))}
    for i, name, suite, curve in rows:
        ax.plot(range(1, len(curve) + 1), curve, ("-", "--", ":", "-.")[i % 4],
                color=colours[suite], marker="o", markersize=2,
                label=f"{name}: {suite.replace('composite_', '')}")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("k (samples)")
    ax.set_ylabel("pass@k (unbiased)")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


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
    suites = suites_of(stages)
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


@dataclasses.dataclass(frozen=True)
class Panel:
    """One plot of the RL curves: its title and the history keys drawn in it (the first one
    also as a moving average when `smooth`)."""

    title: str
    keys: tuple[str, ...]
    smooth: bool = False


def moving_average(values: Sequence[float], window: int) -> np.ndarray:
    """The mean of each value and the up to `window - 1` before it (shorter at the start)."""
    x = np.asarray(values, dtype=float)
    sums = np.cumsum(np.concatenate([[0.0], x]))
    ends = np.arange(1, len(x) + 1)
    starts = np.maximum(ends - window, 0)
    return (sums[ends] - sums[starts]) / (ends - starts)


def _series(history: Sequence[Mapping[str, float]], key: str) -> list[float]:
    return [float(h[key]) for h in history if key in h]


def rl_panels(history: Sequence[Mapping[str, float]]) -> list[Panel]:
    """What a PPO run's curves show: the reward (its moving average over it; the pass rate
    beside it only where it differs, as it does under a graded reward), the share of groups
    whose rewards differ (the only ones that teach), the response length, the policy's
    entropy, the KL to the reference (or, when no reference is kept and that KL is 0, the
    approximate KL of each update), and held-out pass@1 where periodic evaluation logged it."""
    has = lambda key: bool(_series(history, key))  # noqa: E731
    panels = []
    if has("rl/reward"):
        rates, rewards = _series(history, "rl/pass_rate"), _series(history, "rl/reward")
        differs = bool(rates) and (len(rates) != len(rewards)
                                   or not np.allclose(rates, rewards, atol=1e-6))
        panels.append(Panel("reward" + (" and pass rate" if differs else " (= pass rate)"
                                        if has("rl/pass_rate") else ""),
                            ("rl/reward", "rl/pass_rate") if differs else ("rl/reward",),
                            smooth=True))
    for key, title in (("rl/informative_groups", "informative groups (share)"),
                       ("rl/response_length", "response length (tokens)"),
                       ("rl/entropy", "entropy (nats / token)")):
        if has(key):
            panels.append(Panel(title, (key,)))
    if any(_series(history, "rl/kl")):
        panels.append(Panel("KL to the reference", ("rl/kl",)))
    elif has("rl/approx_kl"):
        panels.append(Panel("approx. KL per update", ("rl/approx_kl",)))
    held_out = tuple(sorted({k for h in history for k in h
                             if k.startswith("eval/") and k.endswith("/pass@1")}))
    if held_out:
        panels.append(Panel("pass@1 during RL", held_out))
    return panels


def reward_integrity(history: Sequence[Mapping[str, float]]) -> str:
    """One line on rewards that say more about the tests than the policy: samples rewarded
    while returning one value for every test input (a constant that games weak tests) or
    while failing their task's held-back tests, and non-finite rewards, over the run; "" when
    the run logged none of them."""
    constant = _series(history, "rl/rewarded_constant_output")
    heldback = _series(history, "rl/rewarded_failing_heldback")
    nonfinite = _series(history, "rl/nonfinite_rewards")
    if not constant and not heldback and not nonfinite:
        return ""
    parts = []
    for series, what in ((constant, "returned one value for every test input"),
                         (heldback, "failed their task's held-back tests")):
        if series:
            worst = max(series)
            parts.append(f"{int(sum(series))} rewarded samples {what} over {len(series)} "
                         f"iterations (at most {int(worst)} in one iteration)")
    if nonfinite:
        parts.append(f"{int(sum(nonfinite))} non-finite rewards")
    return "Reward integrity: " + "; ".join(parts) + "."


def plot_history(history: Sequence[Mapping[str, float]], panels: Sequence[Panel],
                 path: str) -> str:
    """One plot per panel against the iteration (1-based); a smoothed panel draws its first
    key's points faintly under their moving average over a tenth of the run."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 3.0), squeeze=False)
    for ax, panel in zip(axes[0], panels):
        for i, key in enumerate(panel.keys):
            steps = [h.get("step", n + 1) for n, h in enumerate(history) if key in h]
            ys = _series(history, key)
            label = key.split("/", 1)[1]
            if panel.smooth and i == 0:
                window = max(1, len(ys) // 10)
                ax.plot(steps, ys, "o", markersize=2, alpha=0.3, color="C0")
                ax.plot(steps, moving_average(ys, window), color="C0",
                        label=f"{label} (mean of {window})")
            else:
                ax.plot(steps, ys, marker="o", markersize=3, label=label, color=f"C{i}")
        if len(panel.keys) > 1 or panel.smooth:
            ax.legend(fontsize=7)
        ax.set_title(panel.title, fontsize=9)
        ax.set_xlabel("iteration", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_report(out_dir: str, title: str, stages: Mapping[str, Results],
                 history: Sequence[Mapping[str, float]] = (),
                 notes: Sequence[str] = ()) -> str:
    """report.md (+ its plots) in `out_dir`; returns the report's path."""
    os.makedirs(out_dir, exist_ok=True)
    parts = [f"# {title}", "", stage_table(stages), "", suite_legend(suites_of(stages)), ""]
    for section in (gap_section(stages), constants_section(stages)):
        if section:
            parts += [section, ""]
    plot_stages(stages, os.path.join(out_dir, "pass_at_1.png"))
    parts += ["![pass@1 per suite and stage](pass_at_1.png)", ""]
    curves = pass_at_k_curve_table(stages)
    if curves and plot_pass_at_k(stages, os.path.join(out_dir, "pass_at_k.png")):
        parts += ["Sampled pass@k (unbiased, `eval.num_samples` samples a task at "
                  "`eval.temperature`):", "", curves, "", "![pass@k](pass_at_k.png)", ""]
    panels = rl_panels(history)
    if panels:
        plot_history(history, panels, os.path.join(out_dir, "rl_curves.png"))
        parts += ["![RL curves](rl_curves.png)", ""]
    integrity = reward_integrity(history)
    if integrity:
        parts += [integrity, ""]
    parts += [f"- {note}" for note in notes]
    path = os.path.join(out_dir, "report.md")
    write_text_atomic(path, "\n".join(parts).rstrip() + "\n")
    return path
