"""The skeleton every training loop shares: resume, progress and metrics, periodic evaluation,
checkpoints.

The LM trainer (pretraining, SFT) and the PPO trainer differ in what a step is; around it they
do the same things, written once here:

    loop = TrainingLoop(run_dir, total=..., desc="sft", save_every=..., checkpoint=...,
                        logging=...)
    restored = loop.restore(state_tree)        # None on a fresh run
    with loop.running(start) as logger:        # progress bar, metrics.jsonl, TensorBoard
        for step in range(start, total):
            ...                                # the trainer's own step
            if loop.eval_due(done, eval_every): logger.log(done, eval_hook(...))
            loop.save(done, state_tree, meta)  # every save_every, and always at the end

Checkpoints are orbax's (atomic, asynchronous); `running` waits for the last save on exit.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, Iterator

from codecorr_jax.train.checkpoint import Checkpointer
from codecorr_jax.train.metrics import MetricsLogger


class TrainingLoop:
    """Resume, log, evaluate and checkpoint a loop of `total` steps in `run_dir`.

    `checkpoint` and `logging` are the config sections of the same names; `save_every` is the
    loop's own period (LM steps, PPO iterations).
    """

    def __init__(self, run_dir: str, *, total: int, desc: str, save_every: int,
                 checkpoint: Any, logging: Any) -> None:
        self.run_dir, self.total, self.desc = run_dir, int(total), desc
        self.logging = logging
        self.checkpointer = Checkpointer(os.path.join(run_dir, "checkpoints"),
                                         max_to_keep=checkpoint.max_to_keep,
                                         save_every=int(save_every),
                                         async_save=checkpoint.async_save)
        self.resumed_from: int | None = None

    def restore(self, state: Any) -> tuple[Any, dict] | None:
        """(state, meta) of the latest checkpoint, shaped like `state`; None when there is none."""
        latest = self.checkpointer.latest_step()
        if latest is None:
            return None
        self.resumed_from = latest
        return self.checkpointer.restore(state, step=latest)

    @contextlib.contextmanager
    def running(self, start: int) -> Iterator[MetricsLogger]:
        """The logger of steps `start`..`total`; on exit the last checkpoint is on disk."""
        logger = MetricsLogger(self.run_dir, total_steps=self.total, initial_step=start,
                               desc=self.desc, tensorboard=self.logging.tensorboard,
                               jsonl=self.logging.jsonl, progress_bar=self.logging.progress_bar)
        with logger:
            if self.resumed_from is not None:
                logger.write(f"{self.desc}: resumed from the checkpoint of step "
                             f"{self.resumed_from}")
            try:
                yield logger
            finally:
                self.checkpointer.wait()
                self.checkpointer.close()

    def eval_due(self, done: int, every: int) -> bool:
        """A periodic evaluation after step `done` (never after the last: the caller's final
        evaluation scores that one)."""
        return bool(every) and done % every == 0 and done != self.total

    def save(self, done: int, state: Any, meta: dict) -> None:
        """Checkpoint after step `done` when due, and always after the last step."""
        self.checkpointer.save(done, state, meta, force=done == self.total)
