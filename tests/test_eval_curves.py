"""Learning curves over seeds (eval/curves.py): the same tasks at every point, by hand."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from codecorr_jax.eval import curves, stats


def _write(workdir, relpath, passes, suite="composite_target", first=0):
    """An evaluation file scoring tasks first, first + 1, ... of `suite` with `passes`."""
    path = os.path.join(workdir, relpath)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tasks = [{"task_id": f"composite_A/{first + i:06d}", "passed_greedy": bool(p)}
             for i, p in enumerate(passes)]
    with open(path, "w") as f:
        json.dump({"step": 0, "results": {suite: {"pass@1": float(np.mean(passes)),
                                                  "n_tasks": len(passes), "tasks": tasks}}}, f)


# seed -> step -> passes on tasks 0..3; the final evaluation (step 30) also scores tasks 4, 5,
# which the periodic subset (steps 10, 20) does not
PASSES = {
    0: {0: [0, 0, 0, 0], 10: [1, 0, 0, 0], 20: [1, 1, 0, 0], 30: [1, 0, 0, 0, 1, 1]},
    1: {0: [1, 0, 0, 0], 10: [1, 1, 0, 0], 20: [1, 1, 1, 0], 30: [1, 1, 0, 0, 0, 1]},
    2: {0: [0, 0, 0, 0], 10: [0, 0, 0, 0], 20: [1, 1, 0, 0], 30: [0, 1, 0, 0, 1, 1]},
}


@pytest.fixture
def workdirs(tmp_path):
    dirs = []
    for seed, steps in PASSES.items():
        workdir = str(tmp_path / f"seed{seed}")
        _write(workdir, "sft/eval/latest.json", steps[0] + [0, 0])  # SFT's final: 6 tasks
        for step in (10, 20, 30):
            _write(workdir, f"sft_then_rl/eval/step_{step:08d}.json", steps[step])
        _write(workdir, "sft_then_rl/eval/latest.json", steps[30])
        dirs.append(workdir)
    return dirs


def test_points_start_from_the_model_the_stage_started_from(workdirs):
    points = curves.stage_points(workdirs[1], "sft_then_rl")
    assert sorted(points) == [0, 10, 20, 30]
    assert points[0]["composite_target"]["composite_A/000000"] == 1.0  # the SFT model's pass
    assert len(points[30]["composite_target"]) == 6
    with pytest.raises(ValueError, match="'pretrain' has no curve"):
        curves.stage_points(workdirs[0], "pretrain")


def test_every_point_scores_the_same_tasks_and_the_peak_is_found(workdirs):
    curve = curves.load_curve(workdirs, "sft_then_rl")
    target = curve["composite_target"]
    assert target.tasks == tuple(f"composite_A/{i:06d}" for i in range(4))
    for step in (0, 10, 20, 30):
        np.testing.assert_array_equal(target.points[step],
                                      [PASSES[s][step][:4] for s in range(3)])
    # means over seeds and tasks: 1/12, 3/12, 7/12, 4/12 -> the peak at step 20
    assert curves.peak_step(target.points) == 20
    table = curves.curve_table(curve)
    by_hand = stats.t_interval([2 / 4, 3 / 4, 2 / 4])  # step 20, per seed
    assert (f"| 20 | **{by_hand.mean:.3f} [{by_hand.low:.3f}, {by_hand.high:.3f}]** |"
            in table)
    changes = curves.change_table(curve)
    # peak - step 0: (7 - 1) / 12 = +0.500; last - step 0: (4 - 1) / 12 = +0.250
    assert "| composite_target | 20 | +0.500 [" in changes
    assert "] | +0.250 [" in changes and "] | -0.250 [" in changes


def test_written_curve_keeps_every_seeds_passes_per_task(workdirs, tmp_path):
    out = str(tmp_path / "curve")
    path = curves.write_curve(workdirs, "sft_then_rl", out)
    assert os.path.exists(os.path.join(out, "curve.png"))
    text = open(path).read()
    assert "step 0 is the SFT model" in text and "`composite_target`: target domain" in text
    record = json.load(open(os.path.join(out, "curve.json")))
    target = record["suites"]["composite_target"]
    assert target["tasks"] == [f"composite_A/{i:06d}" for i in range(4)]
    assert target["passes"]["20"] == [PASSES[s][20] for s in range(3)]
    # a seed that stopped early: only the steps every seed reached are compared
    os.remove(os.path.join(workdirs[2], "sft_then_rl", "eval", "step_00000030.json"))
    assert sorted(curves.load_curve(workdirs, "sft_then_rl")["composite_target"].points) == [
        0, 10, 20]
