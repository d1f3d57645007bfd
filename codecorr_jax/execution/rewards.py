"""Reward functions for RL, selected by name in the config (`ExecutorConfig.reward`).

- "binary":   1 if every test passes, else 0.
- "fraction": tests passed / tests run (a program that fails to load gets 0).
- "graded":   CodeRL's shaping (Le et al. 2022): pass 1, wrong answer -0.3, runtime error,
              timeout, memory or crash -0.6, syntax error -1. A wrong answer is closer to right
              than a program that does not run, which is closer than one that does not parse.
"""

from __future__ import annotations

from typing import Callable, Iterable

from codecorr_jax.execution.verdicts import ProgramResult, Verdict

RewardFn = Callable[[ProgramResult], float]

GRADED_REWARDS = {
    Verdict.PASS: 1.0,
    Verdict.FAIL: -0.3,
    Verdict.RUNTIME_ERROR: -0.6,
    Verdict.TIMEOUT: -0.6,
    Verdict.MEMORY_EXCEEDED: -0.6,
    Verdict.CRASHED: -0.6,
    Verdict.SYNTAX_ERROR: -1.0,
}


def binary_reward(result: ProgramResult) -> float:
    return 1.0 if result.verdict is Verdict.PASS else 0.0


def fraction_reward(result: ProgramResult) -> float:
    if result.total == 0:
        return binary_reward(result)
    return result.passed / result.total


def graded_reward(result: ProgramResult) -> float:
    return GRADED_REWARDS[result.verdict]


REWARDS: dict[str, RewardFn] = {
    "binary": binary_reward,
    "fraction": fraction_reward,
    "graded": graded_reward,
}


def get_reward_fn(name: str) -> RewardFn:
    """The reward function called `name`; ValueError listing the allowed names otherwise."""
    try:
        return REWARDS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown reward {name!r}; allowed: {', '.join(sorted(REWARDS))}") \
            from None


def compute_rewards(name: str, results: Iterable[ProgramResult]) -> list[float]:
    """Rewards of a batch of results under the reward function `name`."""
    reward_fn = get_reward_fn(name)
    return [reward_fn(result) for result in results]
