"""Save and resume training state: sharded arrays plus a JSON record, through orbax.

A step directory holds two items: `state`, a pytree of arrays (parameters, optimizer state, RNG
key data) written shard by shard by every process, and `meta`, a JSON document (data-iterator
state, counters, the config) written by process 0. Orbax writes a step into
`<step>.orbax-checkpoint-tmp` and renames it on commit, and lists only committed steps, so a
process killed mid-save leaves a leftover that `latest_step` and `restore` never see; a later
save of the same step replaces it.

A committed step can still be damaged later (a truncated or overwritten file, a disk error).
Restoring the latest step then falls back to the newest step that reads, moves the damaged
ones aside to `<directory>.broken/` (kept for inspection, never loaded) and says so; when no
step reads, it stops with a message naming each step's fault and what to delete.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import jax
import numpy as np
import orbax.checkpoint as ocp
from etils import epath
from orbax.checkpoint import checkpoint_managers as ocp_policies

STATE = "state"
META = "meta"
_TMP_MARKER = ".orbax-checkpoint-tmp"
_MAX_LISTED = 8  # mismatches named in one error message


class CheckpointNotFoundError(FileNotFoundError):
    """No committed checkpoint (or not the requested step) in a checkpoint directory."""


class CheckpointMismatchError(ValueError):
    """The saved state does not fit the state to restore; names the tensor paths."""


class CheckpointCorruptError(RuntimeError):
    """No committed step of a checkpoint directory can be read; names each step's fault."""


class CheckpointSaveError(RuntimeError):
    """Writing a checkpoint failed (a full disk, a file-size limit, a lost mount): names the
    step, the cause, and the committed steps a rerun resumes from."""


# What reading a damaged step raises: orbax / tensorstore report truncated, missing or
# undecodable files as ValueError (json's errors included) or OSError.
_DAMAGE = (ValueError, OSError, KeyError, TypeError)


def _resolve(directory: str) -> epath.Path:
    """Absolute local path (orbax wants one); remote URLs (gs://...) pass unchanged."""
    return epath.Path(directory if "://" in directory else os.path.abspath(directory))


def _key_name(key: Any) -> str:
    for attr in ("key", "idx", "name"):  # DictKey / FlattenedIndexKey, SequenceKey, GetAttrKey
        if hasattr(key, attr):
            return str(getattr(key, attr))
    return str(key)


def _path_name(path: tuple[Any, ...]) -> str:
    return "/".join(_key_name(k) for k in path) or "<root>"


def _check_json(value: Any, where: str = "meta") -> None:
    """Reject what JSON would reject or silently change (non-str keys, numpy scalars)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{where} has a key {k!r} of type {type(k).__name__}; "
                                "JSON keys must be str")
            _check_json(v, f"{where}[{k!r}]")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_json(v, f"{where}[{i}]")
    elif value is not None and not isinstance(value, (str, int, float, bool)):
        raise TypeError(f"{where} is a {type(value).__module__}.{type(value).__name__}, not a "
                        "JSON value; convert it (e.g. int(x), float(x), x.tolist())")


def _as_abstract(leaf: Any) -> Any:
    """Concrete jax arrays become ShapeDtypeStructs on their own sharding."""
    if isinstance(leaf, jax.ShapeDtypeStruct):
        return leaf
    if isinstance(leaf, jax.Array):
        return jax.ShapeDtypeStruct(leaf.shape, leaf.dtype, sharding=leaf.sharding)
    if isinstance(leaf, (np.ndarray, np.generic)):  # no sharding: orbax restores numpy
        return jax.ShapeDtypeStruct(np.shape(leaf), leaf.dtype)
    return leaf


def _flat_shapes(tree: Any, is_leaf: Any = None) -> dict[str, tuple[int, ...] | None]:
    leaves = jax.tree_util.tree_flatten_with_path(tree, is_leaf=is_leaf)[0]
    out = {}
    for path, leaf in leaves:
        shape = getattr(leaf, "shape", None)
        out[_path_name(path)] = None if shape is None else tuple(shape)
    return out


def _check_fits(target: Any, saved_tree: Any, *, partial: bool, where: str) -> None:
    """Compare paths and shapes with the saved metadata, naming each bad tensor path."""
    want = _flat_shapes(target)
    have = _flat_shapes(saved_tree, is_leaf=lambda x: isinstance(x, ocp.metadata.Metadata))
    problems = []
    for name, shape in want.items():
        if name not in have:
            problems.append(f"{name}: not in the checkpoint (expected shape {shape})")
        elif shape is not None and have[name] is not None and shape != have[name]:
            problems.append(f"{name}: saved shape {have[name]} != expected shape {shape}")
    if not partial:
        problems += [f"{name}: in the checkpoint (shape {have[name]}) but not in the state "
                     "to restore" for name in have if name not in want]
    if problems:
        more = len(problems) - _MAX_LISTED
        listed = "\n  ".join(problems[:_MAX_LISTED]) + (f"\n  ... {more} more" if more > 0 else "")
        raise CheckpointMismatchError(
            f"checkpoint {where} does not fit the state to restore "
            f"({len(problems)} mismatched tensor paths):\n  {listed}")


class Checkpointer:
    """Periodic, atomic, optionally asynchronous checkpoints of one training run.

    Wraps `orbax.checkpoint.CheckpointManager`, which makes it multi-host safe: call every method
    on every process; array shards are written by their owners and `meta` by process 0.
    """

    def __init__(self, directory: str, *, max_to_keep: int = 3, save_every: int = 100,
                 async_save: bool = True) -> None:
        if max_to_keep < 1:
            raise ValueError(f"max_to_keep={max_to_keep} must be >= 1")
        if save_every < 1:
            raise ValueError(f"save_every={save_every} must be >= 1")
        self.directory = _resolve(directory)
        self.save_every = save_every
        self.restored_step: int | None = None  # the step the last restore read
        self._writing: int | None = None  # the step of the save in flight
        # Save on multiples of save_every, and when the cluster signals a preemption (orbax
        # syncs that decision across hosts); no orbax "first step" save.
        policy = ocp_policies.AnySavePolicy([
            ocp_policies.FixedIntervalPolicy(save_every),
            ocp_policies.PreemptionCheckpointingPolicy(),
        ])
        options = ocp.CheckpointManagerOptions(
            max_to_keep=max_to_keep, enable_async_checkpointing=async_save,
            save_decision_policy=policy, create=True)
        self._manager = ocp.CheckpointManager(
            self.directory, options=options,
            item_handlers={STATE: ocp.StandardCheckpointHandler(),
                           META: ocp.JsonCheckpointHandler()})

    def save(self, step: int, state: Any, meta: dict, *, force: bool = False) -> bool:
        """Save `state` (pytree of arrays) and `meta` (JSON) if due; True when a save started.

        Due means `step % save_every == 0`, `force`, or a preemption signal. A step that is
        already saved is not saved again (a final forced save may coincide with a periodic one).
        With `async_save` the call returns once the arrays are copied off the devices, so the
        caller may donate or overwrite them; the files are written in the background.
        """
        _check_json(meta)
        if step in self._manager.all_steps():
            return False
        args = ocp.args.Composite(**{STATE: ocp.args.StandardSave(state),
                                     META: ocp.args.JsonSave(meta)})
        started = self._writing_guard(lambda: self._manager.save(step, args=args, force=force))
        if started:
            self._writing = step
        return bool(started)

    def _writing_guard(self, action: Any) -> Any:
        """Run an orbax call that may finish (or report) a save; a failed write becomes a
        CheckpointSaveError saying what is intact and how to go on."""
        try:
            return action()
        except (ValueError, OSError) as exc:
            step, self._writing = self._writing, None
            intact = [s for s in self._manager.all_steps() if s != step]
            resume = (f"the committed steps {sorted(intact)} are intact: make room and run the "
                      f"same command, it resumes from step {max(intact)}" if intact else
                      "no step was committed before it: make room and run the same command")
            cause = " ".join(str(exc).split())[:300]
            raise CheckpointSaveError(
                f"writing checkpoint step {step} in {str(self.directory)!r} failed "
                f"({type(exc).__name__}: {cause}); is the disk full? {resume}") from exc

    def reached_preemption(self, step: int) -> bool:
        """Whether `step` is the step every process agreed to stop at after a preemption
        notice (SIGTERM to any host under jax.distributed; orbax saved it)."""
        return bool(self._manager.reached_preemption(step))

    def latest_step(self) -> int | None:
        """Newest committed step, or None; unfinished (tmp) step directories never count."""
        return self._manager.latest_step()

    def all_steps(self) -> list[int]:
        """Committed steps, oldest first."""
        return sorted(self._manager.all_steps())

    def _leftovers(self) -> list[str]:
        if not self.directory.exists():
            return []
        return sorted(p.name for p in self.directory.iterdir() if _TMP_MARKER in p.name)

    def _pick_step(self, step: int | None) -> int:
        self.wait()  # an async save in flight is not committed yet
        steps = self.all_steps()
        if step is None:
            if not steps:
                leftovers = self._leftovers()
                note = (f"; unfinished saves ignored: {leftovers}" if leftovers else "")
                raise CheckpointNotFoundError(
                    f"no committed checkpoint in directory {str(self.directory)!r}{note}")
            return steps[-1]
        if step not in steps:
            raise CheckpointNotFoundError(
                f"no checkpoint for step {step} in directory {str(self.directory)!r}; "
                f"committed steps: {steps}")
        return step

    def restore(self, abstract_state: Any, step: int | None = None, *,
                partial: bool = False) -> tuple[Any, dict]:
        """(state, meta) of `step` (default: the latest that reads), laid out like
        `abstract_state`.

        `abstract_state` is a pytree of `jax.ShapeDtypeStruct` (with `.sharding`) or of concrete
        arrays (their shardings are used); arrays come back on those shardings, cast to those
        dtypes. Every tensor path must exist with the same shape; `partial=True` allows the
        checkpoint to hold more (e.g. load SFT parameters without their optimizer state).
        Without `step`, a damaged newest step is moved aside and the one before it restored
        (see the module doc); a state that does not fit is an error, never a fallback.
        """
        if step is not None:
            return self._restore_step(abstract_state, self._pick_step(step), partial)
        newest = self._pick_step(None)
        faults: list[str] = []
        damaged: list[int] = []
        for candidate in reversed([s for s in self.all_steps() if s <= newest]):
            try:
                restored = self._restore_step(abstract_state, candidate, partial)
            except CheckpointMismatchError:
                raise
            except _DAMAGE as exc:
                damaged.append(candidate)
                faults.append(f"step {candidate}: {type(exc).__name__}: "
                              f"{' '.join(str(exc).split())[:300]}")
                continue
            if faults:
                moved = self._move_aside(damaged)
                logging.warning("checkpoint %s: resumed from step %d; damaged newer steps moved "
                                "to %s: %s", self.directory, candidate, moved, "; ".join(faults))
            return restored
        raise CheckpointCorruptError(
            f"no step of checkpoint directory {str(self.directory)!r} can be read:\n  "
            + "\n  ".join(faults) + "\nDelete that directory to start the run over (or restore "
            "its files from a backup).")

    def _move_aside(self, steps: list[int]) -> str:
        """Damaged step directories into `<directory>.broken/` (process 0 moves; a later save of
        the same step then writes a fresh one). Returns where they went."""
        broken = self.directory.parent / f"{self.directory.name}.broken"
        if jax.process_index() == 0:
            broken.mkdir(parents=True, exist_ok=True)
            for step in steps:
                source = ocp.step.build_step_path(self.directory,
                                                  ocp.step.standard_name_format(), step)
                target = broken / source.name
                suffix = 1
                while target.exists():
                    target, suffix = broken / f"{source.name}.{suffix}", suffix + 1
                source.rename(target)
        self._manager.reload()
        return str(broken)

    def _restore_step(self, abstract_state: Any, step: int, partial: bool) -> tuple[Any, dict]:
        self.restored_step = None
        target = jax.tree.map(_as_abstract, abstract_state)
        saved = self._manager.item_metadata(step)[STATE]
        where = f"step {step} in directory {str(self.directory)!r}"
        _check_fits(target, getattr(saved, "tree", saved), partial=partial, where=where)
        if not partial:
            args = ocp.args.Composite(**{STATE: ocp.args.StandardRestore(target),
                                         META: ocp.args.JsonRestore()})
            restored = self._manager.restore(step, args=args)
            self.restored_step = step
            return restored[STATE], restored[META]
        # StandardRestore has no partial mode; the on-disk format is PyTreeCheckpointHandler's.
        step_dir = ocp.step.build_step_path(self.directory, ocp.step.standard_name_format(), step)
        with ocp.Checkpointer(ocp.PyTreeCheckpointHandler()) as reader:
            state = reader.restore(step_dir / STATE, args=ocp.args.PyTreeRestore(
                item=target, restore_args=ocp.checkpoint_utils.construct_restore_args(target),
                partial_restore=True))
        meta = self._manager.restore(step, args=ocp.args.Composite(
            **{META: ocp.args.JsonRestore()}))[META]
        self.restored_step = step
        return state, meta

    def wait(self) -> None:
        """Block until a pending asynchronous save is committed."""
        self._writing_guard(self._manager.wait_until_finished)
        self._writing = None

    def close(self) -> None:
        """Finish pending saves and release orbax's threads."""
        self._writing_guard(self._manager.close)

    def __enter__(self) -> Checkpointer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

