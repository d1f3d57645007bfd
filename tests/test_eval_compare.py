"""Two runs compared task by task (eval/compare.py), against hand counts."""

from __future__ import annotations

import json
import os

import pytest

from codecorr_jax.eval import compare


def _results(passes: dict[str, list[int]], first: int = 0) -> dict:
    return {suite: {"pass@1": sum(p) / len(p), "tasks": [
        {"task_id": f"{suite}/{first + i}", "passed_greedy": bool(v)} for i, v in enumerate(p)]}
        for suite, p in passes.items()}


def test_paired_difference_and_flips_by_hand(tmp_path, capsys):
    a = _results({"composite_target": [1, 0, 0, 1, 0, 0], "atom": [1, 1]})
    b = _results({"composite_target": [1, 1, 1, 0, 0], "humaneval": [1]})  # 5 tasks only
    [target] = compare.compare(a, b)  # atom and humaneval are scored by one run only
    assert (target.suite, target.tasks) == ("composite_target", 5)  # the shared tasks
    assert (target.pass_a, target.pass_b) == (pytest.approx(2 / 5), pytest.approx(3 / 5))
    assert target.difference.mean == pytest.approx(1 / 5)
    assert target.difference.low <= 0.2 <= target.difference.high
    assert target.gained == ("composite_target/1", "composite_target/2")
    assert target.lost == ("composite_target/3",)
    text = compare.table([target], show=1)
    assert "| composite_target | 5 | 0.400 | 0.600 | +0.200 [" in text
    assert "| 2 | 1 |" in text and "gained composite_target/1 ...; lost composite_target/3" in text
    # a stage directory (its eval/latest.json) or an evaluation file
    run_a, run_b = tmp_path / "sft", tmp_path / "step.json"
    os.makedirs(run_a / "eval")
    (run_a / "eval" / "latest.json").write_text(json.dumps({"step": 9, "results": a}))
    run_b.write_text(json.dumps({"step": 3, "results": b}))
    compare.main([str(run_a), str(run_b)])
    assert "| composite_target | 5 | 0.400 | 0.600 |" in capsys.readouterr().out
    with pytest.raises(FileNotFoundError, match="give a stage's directory"):
        compare.results_of(str(tmp_path / "missing"))
