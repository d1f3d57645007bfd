"""Sandboxed host-side execution of generated programs: verdicts, rewards and pass@k.

Used by synth, eval and train; imports none of them. See README.md in this directory.
"""

from codecorr_jax.execution.config import ISOLATION_BACKENDS, ExecutorConfig
from codecorr_jax.execution.executor import Executor, ExecutorClosedError, Program
from codecorr_jax.execution.pass_at_k import mean_pass_at_k, pass_at_k
from codecorr_jax.execution.rewards import (REWARDS, RewardFn, compute_rewards, get_reward_fn)
from codecorr_jax.execution.verdicts import ProgramResult, TestOutcome, Verdict

__all__ = [
    "ISOLATION_BACKENDS", "Executor", "ExecutorClosedError", "ExecutorConfig", "Program",
    "ProgramResult", "REWARDS", "RewardFn", "TestOutcome", "Verdict", "compute_rewards",
    "get_reward_fn", "mean_pass_at_k", "pass_at_k",
]
