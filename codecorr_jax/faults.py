"""Kill points: SIGKILL this process at a named moment of a run, for the tests that prove a
killed run resumes to the uninterrupted result (tests/test_kill_points.py).

A run passes `kill_point(name)` at the moments a crash costs the most: while sampling, while
programs execute, in the middle of an update, while a checkpoint is written, during the frontier
scoring and during an evaluation. With the environment variable `CODECORR_KILL_AT=name:n` the
process kills itself with SIGKILL (no handler, no cleanup, like the OOM killer or a lost VM) the
n-th time it passes `name`. Unset, as always outside those tests, a kill point is one comparison.
"""

from __future__ import annotations

import collections
import os
import signal

ENV = "CODECORR_KILL_AT"

# Every kill point, where it sits; `evaluate/<suite>` is one per suite (the frontier is
# `evaluate/rl_prompts`).
POINTS: dict[str, str] = {
    "lm/step": "an LM step (pretraining, SFT) dispatched, its result not yet fetched",
    "checkpoint/save": "a checkpoint save started, not yet committed",
    "ppo/sampling": "a rollout's prompts taken and sampled, not yet rewarded",
    "ppo/execution": "a rollout's programs submitted to the sandboxes, not yet judged",
    "ppo/update": "a PPO update dispatched, its result not yet fetched",
    "evaluate/<suite>": "a suite of an evaluation (or the frontier) scored, not yet written",
}


def _target() -> tuple[str, int] | None:
    spec = os.environ.get(ENV, "")
    if not spec:
        return None
    name, _, count = spec.rpartition(":")
    if not name or not count.isdigit() or int(count) < 1:
        raise ValueError(f"{ENV}={spec!r}: expected <point>:<n> with n >= 1, e.g. "
                         "ppo/update:2; points: " + ", ".join(POINTS))
    return name, int(count)


_TARGET = _target()
_passed: collections.Counter = collections.Counter()


def kill_point(name: str) -> None:
    """Die by SIGKILL here if `CODECORR_KILL_AT` names this point and this is its n-th pass."""
    if _TARGET is None or name != _TARGET[0]:
        return
    _passed[name] += 1
    if _passed[name] == _TARGET[1]:
        os.kill(os.getpid(), signal.SIGKILL)
