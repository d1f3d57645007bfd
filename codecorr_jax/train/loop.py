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

Preemption: while a single-process loop runs, SIGTERM (a SLURM time limit, a spot VM's notice)
is noted, the step in progress finishes, a checkpoint of it is saved, and `Preempted` is raised;
launch/main.py then exits with status 143 and the same command resumes. Across hosts JAX's
runtime owns SIGTERM: a notice to any host starts its sync protocol, orbax's preemption policy
saves the step every host agrees on, and there every host raises `Preempted` (tested with two
processes in tests/test_multihost.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import threading
from typing import Any, Iterator

import jax

from codecorr_jax import faults
from codecorr_jax.train.checkpoint import Checkpointer
from codecorr_jax.train.metrics import MetricsLogger


@dataclasses.dataclass(frozen=True)
class CheckpointConfig:
    """How a loop keeps checkpoints (the `checkpoint` config section is built from these)."""

    every_steps: int = 100  # LM steps between checkpoints (PPO: rl.checkpoint_every)
    max_to_keep: int = 3
    async_save: bool = True

    @classmethod
    def from_section(cls, section: Any) -> "CheckpointConfig":
        return cls(int(section.every_steps), int(section.max_to_keep), bool(section.async_save))


@dataclasses.dataclass(frozen=True)
class LoggingConfig:
    """What a loop writes as it runs (the `logging` config section is built from these)."""

    every_steps: int = 10  # LM steps between logged metrics
    tensorboard: bool = True
    jsonl: bool = True
    progress_bar: bool = True

    @classmethod
    def from_section(cls, section: Any) -> "LoggingConfig":
        return cls(int(section.every_steps), bool(section.tensorboard), bool(section.jsonl),
                   bool(section.progress_bar))


# An update whose loss or gradient is not finite is dropped and counted; this many in a row
# mean the run cannot recover (a diverged model, broken data), so it stops with a message.
MAX_DROPPED_IN_A_ROW = 20


class NonFiniteError(RuntimeError):
    """Too many updates in a row were dropped as non-finite; the message says what to do."""


class Preempted(Exception):
    """The loop stopped on SIGTERM after checkpointing step `step` of `run_dir`."""

    def __init__(self, step: int, run_dir: str):
        super().__init__(f"stopped on SIGTERM after step {step}; its checkpoint is in "
                         f"{run_dir}: run the same command to resume")
        self.step, self.run_dir = step, run_dir


class TrainingLoop:
    """Resume, log, evaluate and checkpoint a loop of `total` steps in `run_dir`.

    `save_every` is the loop's own period (LM steps, PPO iterations).
    """

    def __init__(self, run_dir: str, *, total: int, desc: str, save_every: int,
                 checkpoint: CheckpointConfig, logging: LoggingConfig) -> None:
        self.run_dir, self.total, self.desc = run_dir, int(total), desc
        self.logging = logging
        self.checkpointer = Checkpointer(os.path.join(run_dir, "checkpoints"),
                                         max_to_keep=checkpoint.max_to_keep,
                                         save_every=int(save_every),
                                         async_save=checkpoint.async_save)
        self.resumed_from: int | None = None
        self._stop_requested = False
        self._dropped_in_a_row = 0

    def note_update(self, done: int, *, dropped: bool, source: str = "") -> None:
        """Count step `done`'s update as applied or dropped (non-finite; `source` says what
        was not finite, e.g. "loss"); raise NonFiniteError after MAX_DROPPED_IN_A_ROW dropped
        in a row."""
        self._dropped_in_a_row = self._dropped_in_a_row + 1 if dropped else 0
        if self._dropped_in_a_row >= MAX_DROPPED_IN_A_ROW:
            what = source or "loss or gradient"
            raise NonFiniteError(
                f"{self.desc}: {self._dropped_in_a_row} steps in a row (to step {done}) had a "
                f"non-finite {what} and their updates were dropped; the last good "
                f"checkpoint is in {self.run_dir}. Lower the learning rate or look at the data "
                "of those steps, then run the command again (it resumes from that checkpoint)")

    def has_checkpoint(self) -> bool:
        """Whether a committed checkpoint waits to be resumed."""
        return self.checkpointer.latest_step() is not None

    @staticmethod
    def shapes_of(state: Any) -> Any:
        """`state` with every JAX array as a `jax.ShapeDtypeStruct` of its sharding: a restore
        target that holds no memory, so the caller can let the built state go first."""
        return jax.tree.map(lambda x: jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=x.sharding)
                            if isinstance(x, jax.Array) else x, state)

    def restore(self, state: Any) -> tuple[Any, dict] | None:
        """(state, meta) of the latest checkpoint, shaped like `state` (arrays, or
        `jax.ShapeDtypeStruct`s with shardings, which let the caller free what it built
        before the restore allocates); None when there is none."""
        if not self.has_checkpoint():
            return None
        restored = self.checkpointer.restore(state)  # a damaged newest step: the one before
        self.resumed_from = self.checkpointer.restored_step
        return restored

    @contextlib.contextmanager
    def running(self, start: int) -> Iterator[MetricsLogger]:
        """The logger of steps `start`..`total`; on exit the last checkpoint is on disk."""
        logger = MetricsLogger(self.run_dir, total_steps=self.total, initial_step=start,
                               desc=self.desc, tensorboard=self.logging.tensorboard,
                               jsonl=self.logging.jsonl, progress_bar=self.logging.progress_bar)
        with logger, self._sigterm_noted():
            if self.resumed_from is not None:
                logger.write(f"{self.desc}: resumed from the checkpoint of step "
                             f"{self.resumed_from}")
            try:
                yield logger
            finally:
                self.checkpointer.wait()
                self.checkpointer.close()

    @contextlib.contextmanager
    def _sigterm_noted(self) -> Iterator[None]:
        """SIGTERM sets a flag the next `save` reads (single process, main thread only)."""
        if jax.process_count() > 1 or threading.current_thread() is not threading.main_thread():
            yield
            return

        def note(signum: int, frame: Any) -> None:
            del signum, frame
            self._stop_requested = True

        previous = signal.signal(signal.SIGTERM, note)
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, previous)

    def eval_due(self, done: int, every: int) -> bool:
        """A periodic evaluation after step `done` (never after the last: the caller's final
        evaluation scores that one)."""
        return bool(every) and done % every == 0 and done != self.total

    def save(self, done: int, state: Any, meta: dict) -> None:
        """Checkpoint after step `done` when due, always after the last step, and after a
        SIGTERM, which then raises `Preempted` (once the checkpoint is on disk)."""
        if self.checkpointer.save(done, state, meta,
                                  force=done == self.total or self._stop_requested):
            faults.kill_point("checkpoint/save")
        if jax.process_count() > 1 and self.checkpointer.reached_preemption(done):
            self._stop_requested = True  # orbax saved this step on every host
        if self._stop_requested:
            self.checkpointer.wait()
            raise Preempted(done, self.run_dir)
