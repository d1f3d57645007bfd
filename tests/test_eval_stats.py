"""Statistics over seeds: t intervals and the paired task bootstrap, against hand-computed and
independent references; the seed table read from run directories."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from codecorr_jax.eval import seed_runs, stats
from codecorr_jax.eval.stages import STAGES


def test_t_interval_by_hand():
    # mean 0.3, sample std 0.1; t(0.975, 2 dof) = 4.302653 -> half width 0.248414
    got = stats.t_interval([0.2, 0.3, 0.4])
    assert got.mean == pytest.approx(0.3) and got.std == pytest.approx(0.1)
    assert got.low == pytest.approx(0.3 - 0.248414, abs=1e-6)
    assert got.high == pytest.approx(0.3 + 0.248414, abs=1e-6)
    assert got.excludes_zero()
    single = stats.t_interval([0.5])
    assert single.n == 1 and not single.excludes_zero()
    with pytest.raises(ValueError):
        stats.t_interval([])


def test_paired_bootstrap_against_a_numpy_loop_and_the_normal_approximation():
    rng = np.random.default_rng(3)
    before = (rng.random((3, 200)) < 0.3).astype(float)
    after = np.maximum(before, rng.random((3, 200)) < 0.15)  # RL adds passes, loses none
    got = stats.paired_task_bootstrap(after, before, resamples=4000, seed=7)
    per_task = (after - before).mean(axis=0)
    loop_rng = np.random.default_rng(7)
    draws = loop_rng.integers(0, 200, size=(4000, 200))
    means = [np.mean([per_task[j] for j in row]) for row in draws]
    assert got.mean == pytest.approx((after - before).mean())
    assert got.low == pytest.approx(np.quantile(means, 0.025))
    assert got.high == pytest.approx(np.quantile(means, 0.975))
    half = 1.96 * per_task.std(ddof=1) / np.sqrt(200)
    assert got.low == pytest.approx(got.mean - half, abs=0.01)
    assert got.high == pytest.approx(got.mean + half, abs=0.01)
    assert got.excludes_zero() and got.n == 600
    assert got.per_seed == pytest.approx([np.mean(after[s] - before[s]) for s in range(3)])
    assert got.std == pytest.approx(np.std(got.per_seed, ddof=1))
    same = stats.paired_task_bootstrap(before, before)
    assert (same.mean, same.low, same.high) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="equal"):
        stats.paired_task_bootstrap(after[:, :5], before)


def _write(workdir, relpath, passes):
    path = os.path.join(workdir, relpath)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tasks = [{"task_id": f"composite_A/{i:06d}", "passed_greedy": bool(p)}
             for i, p in enumerate(passes)]
    with open(path, "w") as f:
        json.dump({"step": 1, "results": {"composite_target": {
            "pass@1": float(np.mean(passes)), "n_tasks": len(passes), "tasks": tasks}}}, f)


def test_seed_table_reads_runs_and_pairs_tasks(tmp_path):
    sft = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]]
    rl = [[1, 1, 0, 0], [1, 1, 0, 0], [1, 0, 0, 0]]
    dirs = []
    for seed in range(3):
        workdir = str(tmp_path / f"seed{seed}")
        _write(workdir, "base_eval/eval_abc/eval/latest.json", [0, 0, 0, 0])
        _write(workdir, "sft/eval/latest.json", sft[seed])
        _write(workdir, "sft_then_rl/eval/latest.json", rl[seed])
        dirs.append(workdir)
    scores = seed_runs.load_scores(dirs)
    assert list(scores) == ["base", "SFT", "SFT then RL"]
    np.testing.assert_array_equal(scores["SFT then RL"]["composite_target"], rl)
    text = seed_runs.report(dirs)
    # SFT pass@1 per seed 0.25, 0.25, 0: mean 0.167; RL - SFT per seed 0.25, 0.25, 0.25
    assert "| composite_target | 4 | SFT | 0.167 |" in text
    assert "| composite_target | SFT then RL - SFT | +0.250 |" in text
    assert "+0.250, +0.250, +0.250 |" in text
    _write(dirs[2], "sft/eval/latest.json", [0, 0, 0])  # another task set: refused
    with pytest.raises(ValueError, match="share datasets"):
        seed_runs.load_scores(dirs)


def test_the_base_evaluation_of_a_run_is_the_one_over_its_own_suites(tmp_path):
    """A workdir shared by runs with other evaluation settings caches several base scores; the
    one over the suites the run evaluated its own models on is its own, and ambiguity raises."""
    def write(path, results):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"step": 0, "results": results}, f)

    suite = {"pass@1": 0.0, "tasks": [{"task_id": "t/0", "passed_greedy": False}]}
    workdir = str(tmp_path)
    write(os.path.join(workdir, "sft", "eval", "latest.json"), {"atom": suite, "train": suite})
    mine = {"atom": suite, "train": suite}
    write(os.path.join(workdir, "base_eval", "eval_a", "eval", "latest.json"), mine)
    write(os.path.join(workdir, "base_eval", "eval_b", "eval", "latest.json"),
          {"atom": suite, "humaneval": suite})
    assert seed_runs.stage_results(workdir, STAGES["base"].results) == mine
    write(os.path.join(workdir, "base_eval", "eval_c", "eval", "latest.json"), mine)
    with pytest.raises(ValueError, match="2 of them cover this run's suites"):
        seed_runs.stage_results(workdir, STAGES["base"].results)


def test_gap_bootstrap_against_a_numpy_loop():
    """The train / held-out gap: two suites' tasks resampled apart, as a loop would."""
    rng = np.random.default_rng(4)
    train = (rng.random((3, 50)) < 0.8).astype(float)
    held = (rng.random((3, 40)) < 0.5).astype(float)
    got = stats.gap_bootstrap(train, held, resamples=3000, seed=9)
    a, b = train.mean(axis=0), held.mean(axis=0)
    loop_rng = np.random.default_rng(9)
    draws_a = loop_rng.integers(0, 50, size=(3000, 50))
    draws_b = loop_rng.integers(0, 40, size=(3000, 40))
    means = [np.mean([a[j] for j in ra]) - np.mean([b[j] for j in rb])
             for ra, rb in zip(draws_a, draws_b)]
    assert got.mean == pytest.approx(train.mean() - held.mean())
    assert got.low == pytest.approx(np.quantile(means, 0.025))
    assert got.high == pytest.approx(np.quantile(means, 0.975))
    assert got.per_seed == pytest.approx([train[s].mean() - held[s].mean() for s in range(3)])
    with pytest.raises(ValueError, match="same seeds"):
        stats.gap_bootstrap(train[:2], held)


def test_the_seed_report_gives_each_stages_train_held_out_gap(tmp_path):
    dirs = []
    for seed in range(3):
        workdir = str(tmp_path / f"seed{seed}")
        path = os.path.join(workdir, "sft/eval/latest.json")
        os.makedirs(os.path.dirname(path))
        suites = {"composite_train": [1, 1, 1, seed % 2], "composite_in_domain": [1, 0, 0, 0]}
        with open(path, "w") as f:
            json.dump({"step": 1, "results": {suite: {
                "pass@1": float(np.mean(p)), "n_tasks": len(p),
                "tasks": [{"task_id": f"{suite}/{i}", "passed_greedy": bool(v)}
                          for i, v in enumerate(p)]} for suite, p in suites.items()}}, f)
        dirs.append(workdir)
    text = seed_runs.report(dirs)
    # per seed: 0.75 - 0.25 = +0.5, 1.0 - 0.25 = +0.75, +0.5
    assert "| SFT: composite_train - composite_in_domain | +0.583 |" in text
    assert "+0.500, +0.750, +0.500 |" in text


def test_per_task_passes_are_written_for_later_pairing(tmp_path):
    dirs = []
    for seed, passes in enumerate(([1, 0, 1], [0, 0, 1])):
        workdir = str(tmp_path / f"seed{seed}")
        _write(workdir, "rl/eval/latest.json", passes)
        dirs.append(workdir)
    out = tmp_path / "tasks.json"
    seed_runs.main([*dirs, "--per-task", str(out)])
    record = json.load(open(out))
    assert record == {"RL": {"composite_target": {
        "tasks": ["composite_A/000000", "composite_A/000001", "composite_A/000002"],
        "passes": [[1, 0, 1], [0, 0, 1]]}}}


def test_moving_average_is_the_mean_of_each_window():
    from codecorr_jax.eval.report import moving_average

    values = [0.0, 1.0, 0.0, 0.5, 1.0, 0.25]
    expected = [np.mean(values[max(0, i - 2):i + 1]) for i in range(len(values))]
    np.testing.assert_allclose(moving_average(values, 3), expected)
    np.testing.assert_allclose(moving_average(values, 1), values)


def test_rl_curves_show_what_a_binary_reward_run_has_to_say(tmp_path):
    """A binary reward is its pass rate (one line, said so); with no reference kept the KL to
    it is 0, so the update's approximate KL is drawn instead; periodic pass@1 gets a panel."""
    from codecorr_jax.eval.report import rl_panels, write_report

    history = [{"step": i, "rl/reward": r, "rl/pass_rate": r, "rl/kl": 0.0,
                "rl/approx_kl": 0.01 * i, "rl/informative_groups": 0.5,
                "rl/response_length": 40.0 + i, "rl/entropy": 0.1}
               for i, r in enumerate([0.2, 0.4, 0.3], start=1)]
    panels = rl_panels(history)
    assert [p.keys for p in panels] == [("rl/reward",), ("rl/informative_groups",),
                                        ("rl/response_length",), ("rl/entropy",),
                                        ("rl/approx_kl",)]
    assert panels[0].title == "reward (= pass rate)" and panels[0].smooth
    graded = [dict(h, **{"rl/reward": h["rl/reward"] / 2, "rl/kl": 0.1}) for h in history]
    graded[1]["eval/composite_target/pass@1"] = 0.25
    panels = rl_panels(graded)
    assert panels[0].keys == ("rl/reward", "rl/pass_rate")
    assert ("rl/kl",) in [p.keys for p in panels]
    assert panels[-1].keys == ("eval/composite_target/pass@1",)
    write_report(str(tmp_path), "t", {"base": {"atom": {"pass@1": 0.1, "n_tasks": 2}}}, graded)
    assert (tmp_path / "rl_curves.png").stat().st_size > 0


def test_constants_are_counted_from_a_composites_entry_point():
    from codecorr_jax.synth.render import constants_in

    solution = ("def composed_0123456789(n: int) -> str:\n    step1 = flip(n)\n"
                "    step2 = low_bits(step1, 11)\n    return fraction(step2, -1)\n\n\n"
                "def low_bits(n, width):\n    return pad(n, 3)\n")
    record = {"entry_point": "composed_0123456789", "solution": solution}
    assert constants_in(record) == 2  # 11 and -1; the helper's own literal is not a step's
    assert constants_in(dict(record, solution=solution.replace("step1, 11", "step1, n"))) == 1
    assert constants_in({"entry_point": "digit_sum", "solution": "def digit_sum(n):\n"
                         "    return f(n, 3)\n"}) is None  # an atom has no steps
    assert constants_in({"entry_point": "composed_0123456789", "solution": "def ("}) is None


def test_the_constants_table_groups_greedy_passes_by_stage():
    from codecorr_jax.eval.report import constants_section

    def rows(passes):  # (constants, passed) per task
        return {"tasks": [{"constants": c, "passed_greedy": p} for c, p in passes]}

    stages = {"SFT": {"composite_target": rows([(0, True), (0, True), (1, False), (1, True)]),
                      "atom": rows([(None, True)])},
              "SFT then RL": {"composite_target": rows([(0, True), (0, False), (1, True),
                                                        (1, True)])}}
    text = constants_section(stages)
    assert "| composite_target | 0 | 2 | 1.000 | 0.500 |" in text
    assert "| composite_target | 1 | 2 | 0.500 | 1.000 |" in text
    assert "atom" not in text
    assert constants_section({"SFT": {"atom": rows([(None, True)])}}) == ""


def test_the_report_says_which_suites_are_target_domains(tmp_path):
    from codecorr_jax.eval.report import suites_of, write_report
    from codecorr_jax.tasks.registry import SUITE_MEANINGS
    from codecorr_jax.tasks.registry import SUITE_NAMES as SUITES

    assert set(SUITE_MEANINGS) == set(SUITES)  # every suite has its line
    stages = {"SFT": {"composite_in_domain": {"pass@1": 0.5, "n_tasks": 2},
                      "composite_unseen_atom": {"pass@1": 0.0, "n_tasks": 2}},
              "RL": {"composite_target": {"pass@1": 0.5, "n_tasks": 2},
                     "composite_in_domain": {"pass@1": 0.5, "n_tasks": 2}}}
    assert suites_of(stages) == ["composite_in_domain", "composite_unseen_atom",
                                 "composite_target"]
    text = open(write_report(str(tmp_path), "t", stages)).read()
    legend = [line for line in text.splitlines() if line.startswith("- `")]
    assert [line.split("`")[1] for line in legend] == suites_of(stages)
    targets = [line.split("`")[1] for line in legend if "target domain" in line]
    assert targets == ["composite_unseen_atom", "composite_target"]


def test_the_report_gives_each_stages_train_held_out_gap(tmp_path):
    from codecorr_jax.eval.report import gap_section, write_report

    def suite(passes):
        return {"pass@1": float(np.mean(passes)), "n_tasks": len(passes), "tasks": [
            {"task_id": f"t/{i}", "passed_greedy": bool(p)} for i, p in enumerate(passes)]}

    stages = {"base": {"composite_in_domain": suite([0, 0])},  # no train suite: no row
              "SFT": {"composite_train": suite([1, 1, 1, 0]),
                      "composite_in_domain": suite([1, 0, 0, 0]),
                      "composite_unseen_atom": suite([0, 0])}}
    text = gap_section(stages)
    rows = [line for line in text.splitlines() if line.startswith("| SFT |")]
    assert rows[0].startswith("| SFT | composite_in_domain | +0.500 | [")  # 0.75 - 0.25
    assert rows[1].startswith("| SFT | composite_unseen_atom | +0.750 | [+0.")
    assert len(rows) == 2 and "| base |" not in text
    assert gap_section({"base": stages["base"]}) == ""
    assert "train / held-out gap" in open(write_report(str(tmp_path), "t", stages)).read()


def test_pass_at_k_curves_against_the_closed_form(tmp_path):
    """The curve a sampled suite records is the unbiased estimator at every k (by hand: a task
    with c of n samples passing has pass@k = 1 - C(n - c, k) / C(n, k)); the report tables it at
    k = 1, 2, 4, ..., n and plots it."""
    from math import comb

    from codecorr_jax.eval.report import curve_ks, pass_at_k_curve_table, write_report
    from codecorr_jax.eval.suites import Task, evaluate
    from codecorr_jax.execution import Executor, ExecutorConfig

    class Completer:  # task i: i of its 5 samples right
        def complete(self, prompts, *, num_samples, temperature, max_new_tokens, seed):
            return [["    return x\n"] * int(p[-2]) + ["    return -x\n"] * (num_samples - int(p[-2]))
                    for p in prompts]

    tasks = [Task(f"t/{i}", f"def f(x):\n#{i}\n", "f",
                      tests=({"args": [3], "expected": 3}, {"args": [0], "expected": 0}))
             for i in range(4)]
    with Executor(ExecutorConfig()) as executor:
        results = evaluate(Completer(), {"toy": tasks}, executor, greedy=False, num_samples=5,
                           temperature=1.0, ks=(1,), max_new_tokens=8, seed=0)
    curve = results["toy"]["sampled_pass_at_k_curve"]
    by_hand = [np.mean([1 - comb(5 - c, k) / comb(5, k) for c in range(4)]) for k in range(1, 6)]
    np.testing.assert_allclose(curve, by_hand)
    assert curve_ks(16) == [1, 2, 4, 8, 16] and curve_ks(5) == [1, 2, 4, 5]
    table = pass_at_k_curve_table({"SFT": results})
    assert f"| SFT | toy | {by_hand[0]:.3f} | {by_hand[1]:.3f} | {by_hand[3]:.3f} | " \
           f"{by_hand[4]:.3f} |" in table
    text = open(write_report(str(tmp_path), "t", {"SFT": results})).read()
    assert "![pass@k](pass_at_k.png)" in text and (tmp_path / "pass_at_k.png").exists()
    assert pass_at_k_curve_table({"SFT": {"toy": {"pass@1": 0.5}}}) == ""


def test_the_rl_report_counts_rewards_a_constant_earned():
    from codecorr_jax.eval.report import reward_integrity

    history = [{"rl/rewarded_constant_output": 0.0, "rl/nonfinite_rewards": 0.0},
               {"rl/rewarded_constant_output": 3.0, "rl/nonfinite_rewards": 0.0},
               {"rl/rewarded_constant_output": 1.0, "rl/nonfinite_rewards": 2.0}]
    assert reward_integrity(history) == (
        "Reward integrity: 4 rewarded samples returned one value for every test input over 3 "
        "iterations (at most 3 in one iteration); 2 non-finite rewards.")
    held = [dict(h, **{"rl/rewarded_failing_heldback": v}) for h, v in zip(history, (2, 0, 5))]
    assert reward_integrity(held) == (
        "Reward integrity: 4 rewarded samples returned one value for every test input over 3 "
        "iterations (at most 3 in one iteration); 7 rewarded samples failed their task's "
        "held-back tests over 3 iterations (at most 5 in one iteration); 2 non-finite rewards.")
    assert reward_integrity([{"rl/reward": 0.5}]) == ""
