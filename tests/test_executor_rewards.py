"""Reward functions (hand-computed values) and the unbiased pass@k estimator (against brute-force
enumeration of every k-subset of the samples)."""

from __future__ import annotations

import itertools
import math

import pytest

from codecorr_jax.execution import (ProgramResult, TestOutcome, Verdict, compute_rewards,
                                    get_reward_fn, mean_pass_at_k, pass_at_k)
from codecorr_jax.execution.rewards import GRADED_REWARDS


def result(verdict: Verdict, passed: int, total: int) -> ProgramResult:
    tests = tuple(TestOutcome(Verdict.PASS if i < passed else verdict) for i in range(total))
    return ProgramResult(verdict, passed, total, tests)


RESULTS = [
    result(Verdict.PASS, 4, 4),
    result(Verdict.FAIL, 3, 4),
    result(Verdict.RUNTIME_ERROR, 1, 4),
    result(Verdict.TIMEOUT, 2, 4),
    result(Verdict.MEMORY_EXCEEDED, 0, 4),
    result(Verdict.CRASHED, 0, 4),
    result(Verdict.SYNTAX_ERROR, 0, 4),
    result(Verdict.PASS, 0, 0),
]


@pytest.mark.parametrize("name, expected", [
    ("binary", [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]),
    ("fraction", [1.0, 0.75, 0.25, 0.5, 0.0, 0.0, 0.0, 1.0]),
    ("graded", [1.0, -0.3, -0.6, -0.6, -0.6, -0.6, -1.0, 1.0]),
])
def test_rewards_by_name(name: str, expected: list[float]) -> None:
    assert compute_rewards(name, RESULTS) == pytest.approx(expected)
    assert [get_reward_fn(name)(r) for r in RESULTS] == pytest.approx(expected)


def test_graded_reward_orders_the_failure_kinds() -> None:
    assert (GRADED_REWARDS[Verdict.SYNTAX_ERROR] < GRADED_REWARDS[Verdict.RUNTIME_ERROR]
            < GRADED_REWARDS[Verdict.FAIL] < GRADED_REWARDS[Verdict.PASS])
    assert set(GRADED_REWARDS) == set(Verdict)


def test_unknown_reward_names_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown reward 'exact'; allowed: binary, fraction, "
                                         r"graded"):
        get_reward_fn("exact")


def brute_force_pass_at_k(n: int, c: int, k: int) -> float:
    """Share of the k-subsets of n samples (the first c correct) holding a correct one."""
    subsets = list(itertools.combinations(range(n), k))
    return sum(any(i < c for i in subset) for subset in subsets) / len(subsets)


@pytest.mark.parametrize("n", range(1, 11))
def test_pass_at_k_matches_brute_force(n: int) -> None:
    for c in range(n + 1):
        for k in range(1, n + 1):
            assert pass_at_k(n, c, k) == pytest.approx(brute_force_pass_at_k(n, c, k),
                                                       abs=1e-12), (n, c, k)


def test_pass_at_k_closed_forms_and_large_n() -> None:
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert pass_at_k(5, 0, 3) == 0.0
    assert pass_at_k(5, 5, 1) == 1.0
    n, c, k = 2000, 7, 100  # binomials far beyond float range; the product form is exact
    exact = 1 - math.comb(n - c, k) / math.comb(n, k)
    assert pass_at_k(n, c, k) == pytest.approx(exact, rel=1e-12)
    assert mean_pass_at_k([(10, 3), (10, 0)], 1) == pytest.approx(0.15)


@pytest.mark.parametrize("n, c, k", [(0, 0, 1), (5, 6, 1), (5, -1, 1), (5, 2, 0), (5, 2, 6),
                                     (5.5, 2, 1), (True, 1, 1)])
def test_pass_at_k_rejects_bad_arguments(n, c, k) -> None:
    with pytest.raises(ValueError, match="pass_at_k"):
        pass_at_k(n, c, k)


def test_a_constant_answer_is_flagged_whatever_it_earns():
    """`constant_output`: one value returned for every test input (what a constant function
    does); a reward earned that way is logged by PPO as a sign of gameable tests."""
    from codecorr_jax.execution import Executor, ExecutorConfig, Program
    from codecorr_jax.regimes.ppo_inputs import constant_output

    tests = [{"args": [3], "expected": 9}, {"args": [-3], "expected": 9},
             {"args": [4], "expected": 16}]
    with Executor(ExecutorConfig(num_workers=1, test_timeout_s=2.0)) as executor:
        constant, honest, wrong, crashing = executor.score([
            Program("def f(x):\n    return 9\n", "f", tests),
            Program("def f(x):\n    return x * x\n", "f", tests),
            Program("def f(x):\n    return x\n", "f", tests),
            Program("def f(x):\n    raise ValueError\n", "f", tests)])
    assert constant.passed == 2 and constant_output(constant)  # 2 of 3 under `fraction`
    assert not constant_output(honest) and not constant_output(wrong)
    assert not constant_output(crashing)  # no value at all is not a constant answer
    one_test = Program("def f(x):\n    return 9\n", "f", tests[:1])
    with Executor(ExecutorConfig(num_workers=1, test_timeout_s=2.0)) as executor:
        assert not constant_output(executor.score([one_test])[0])  # one test says nothing
