"""Checkpointer: sharded and optax round trips, retention, async, atomicity, error messages."""

from __future__ import annotations

import os
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

from codecorr_jax.train.checkpoint import (
    CheckpointMismatchError,
    CheckpointNotFoundError,
    Checkpointer,
)


def _mesh() -> jax.sharding.Mesh:
    return jax.make_mesh((2, 4), ("data", "model"),
                         axis_types=(jax.sharding.AxisType.Auto,) * 2)


def _sds(x: np.ndarray, sharding: jax.sharding.Sharding) -> jax.ShapeDtypeStruct:
    return jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=sharding)


def _host(tree):
    return jax.tree.map(np.asarray, tree)


def _assert_tree_equal(got, want) -> None:
    assert jax.tree.structure(got) == jax.tree.structure(want)
    for g, w in zip(jax.tree.leaves(got), jax.tree.leaves(want)):
        assert np.asarray(g).dtype == np.asarray(w).dtype
        np.testing.assert_array_equal(np.asarray(g), np.asarray(w))


def test_sharded_round_trip_lands_on_the_abstract_shardings(tmp_path):
    mesh = _mesh()
    split, repl = NamedSharding(mesh, P("data", "model")), NamedSharding(mesh, P())
    w = np.arange(8 * 16, dtype=np.float32).reshape(8, 16)
    b = np.arange(6, dtype=np.int32) * 7
    state = {"w": jax.device_put(w, split), "b": jax.device_put(b, repl)}
    assert len(state["w"].addressable_shards) == 8
    with Checkpointer(str(tmp_path), async_save=False) as ck:
        assert ck.save(100, state, {"k": 1})
        got, meta = ck.restore({"w": _sds(w, split), "b": _sds(b, repl)})
        assert meta == {"k": 1}
        np.testing.assert_array_equal(np.asarray(got["w"]), w)
        np.testing.assert_array_equal(np.asarray(got["b"]), b)
        assert got["w"].sharding == split and got["b"].sharding == repl
        # Each device holds exactly its block of the saved matrix.
        for shard in got["w"].addressable_shards:
            np.testing.assert_array_equal(np.asarray(shard.data), w[shard.index])
        # Restoring onto another layout reshards.
        other = NamedSharding(mesh, P("model", None))
        got2, _ = ck.restore({"w": _sds(w, other), "b": _sds(b, split.update(spec=P("data")))},
                             step=100)
        assert got2["w"].sharding == other
        assert got2["b"].sharding.spec == P("data")
        np.testing.assert_array_equal(np.asarray(got2["w"]), w)
        np.testing.assert_array_equal(np.asarray(got2["b"]), b)


def test_optax_adamw_state_round_trips(tmp_path):
    params = {"dense": {"kernel": jnp.arange(12.0).reshape(3, 4), "bias": jnp.ones(4)}}
    tx = optax.adamw(1e-2)
    opt_state = tx.init(params)
    grads = jax.tree.map(lambda p: p * 0.5 + 1.0, params)
    updates, opt_state = tx.update(grads, opt_state, params)
    params = optax.apply_updates(params, updates)
    rng = jax.random.key_data(jax.random.key(3))
    state = jax.block_until_ready({"params": params, "opt_state": opt_state, "rng": rng})
    want = _host(state)
    with Checkpointer(str(tmp_path), async_save=False) as ck:
        ck.save(1, state, {}, force=True)
    # A fresh process would build the target from a new init: same structure, other values.
    fresh_params = jax.tree.map(jnp.zeros_like, params)
    target = {"params": fresh_params, "opt_state": tx.init(fresh_params),
              "rng": jnp.zeros_like(rng)}
    with Checkpointer(str(tmp_path)) as ck:
        got, _ = ck.restore(target)
    _assert_tree_equal(got, want)
    adam = got["opt_state"][0]
    assert type(adam).__name__ == "ScaleByAdamState"
    assert adam.count.dtype == jnp.int32 and adam.count.shape == () and int(adam.count) == 1
    # mu after one step from zero is (1 - b1) * grad, b1 = 0.9.
    np.testing.assert_allclose(np.asarray(adam.mu["dense"]["kernel"]),
                               0.1 * (np.arange(12.0).reshape(3, 4) * 0.5 + 1.0), rtol=1e-6)
    assert got["rng"].dtype == jnp.uint32


def test_keeps_the_newest_n(tmp_path):
    with Checkpointer(str(tmp_path), max_to_keep=2, save_every=1, async_save=False) as ck:
        for step in range(1, 5):
            assert ck.save(step, {"x": jnp.full((2,), step)}, {"step": step})
        assert ck.all_steps() == [3, 4]
        assert sorted(os.listdir(tmp_path)) == ["3", "4"]
        got, meta = ck.restore({"x": jnp.zeros((2,), jnp.int32)}, step=3)
        np.testing.assert_array_equal(np.asarray(got["x"]), [3, 3])
        assert meta == {"step": 3}


def test_async_save_copies_off_device_then_commits(tmp_path):
    values = np.arange(64 * 64, dtype=np.float32).reshape(64, 64)
    x = jax.device_put(values, NamedSharding(_mesh(), P("data", "model")))
    abstract = {"x": _sds(values, x.sharding)}
    with Checkpointer(str(tmp_path), save_every=10, async_save=True) as ck:
        assert ck.save(10, {"x": x}, {"note": "async"})
        x.delete()  # the trainer may donate its buffers right after save() returns
        ck.wait()
        assert os.listdir(tmp_path) == ["10"]
        assert ck.latest_step() == 10
        got, meta = ck.restore(abstract)
    np.testing.assert_array_equal(np.asarray(got["x"]), values)
    assert meta == {"note": "async"}


def test_meta_json_round_trip_and_rejections(tmp_path):
    meta = {"data": {"epoch": 2, "position": [3, 4], "seed": None},
            "counters": {"tokens": 123456789012, "lr": 2.5e-4, "finished": False},
            "config": {"model": {"hidden_size": 8, "name": "tiny"}, "pair": (1, 2)}}
    state = {"x": jnp.ones(3)}
    with Checkpointer(str(tmp_path), async_save=False) as ck:
        ck.save(0, state, meta)
        with pytest.raises(TypeError, match=r"meta\['counters'\]\['tokens'\] is a numpy.int64"):
            ck.save(1, state, {"counters": {"tokens": np.int64(5)}}, force=True)
        with pytest.raises(TypeError, match=r"meta\['data'\] has a key 3 of type int"):
            ck.save(1, state, {"data": {3: "x"}}, force=True)
        assert ck.all_steps() == [0]
        _, got = ck.restore(state)
    want = dict(meta, config={"model": {"hidden_size": 8, "name": "tiny"}, "pair": [1, 2]})
    assert got == want


def test_save_every_and_force(tmp_path):
    state = {"x": jnp.zeros(2)}
    with Checkpointer(str(tmp_path), max_to_keep=10, save_every=3, async_save=False) as ck:
        decisions = {s: ck.save(s, state, {}) for s in (1, 2, 3)}
        assert decisions == {1: False, 2: False, 3: True}
        assert ck.save(4, state, {}, force=True)
        assert not ck.save(4, state, {}, force=True)  # already saved: not an error
        assert not ck.save(5, state, {})
        assert ck.save(6, state, {})
        assert not ck.save(6, state, {}, force=True)
        assert ck.all_steps() == [3, 4, 6]


def test_leftover_tmp_dirs_are_ignored_and_replaced(tmp_path):
    d = str(tmp_path)
    with Checkpointer(d, save_every=1, async_save=False) as ck:
        ck.save(2, {"x": jnp.full((3,), 2.0)}, {"step": 2})
    # What a process killed mid-save leaves: an uncommitted copy under orbax's tmp names.
    shutil.copytree(os.path.join(d, "2"), os.path.join(d, "7.orbax-checkpoint-tmp"))
    shutil.copytree(os.path.join(d, "2"), os.path.join(d, "8.orbax-checkpoint-tmp-1700000000"))
    abstract = {"x": jnp.zeros((3,))}
    with Checkpointer(d, save_every=1, async_save=False) as ck:
        assert ck.latest_step() == 2 and ck.all_steps() == [2]
        got, meta = ck.restore(abstract)
        np.testing.assert_array_equal(np.asarray(got["x"]), [2.0, 2.0, 2.0])
        assert meta == {"step": 2}
        with pytest.raises(CheckpointNotFoundError, match="step 7"):
            ck.restore(abstract, step=7)
        # Saving the same step again: orbax removes the stale tmp dir and commits afresh.
        assert ck.save(7, {"x": jnp.full((3,), 7.0)}, {"step": 7})
        got, meta = ck.restore(abstract)
        np.testing.assert_array_equal(np.asarray(got["x"]), [7.0, 7.0, 7.0])
        assert meta == {"step": 7}
    assert sorted(os.listdir(d)) == ["2", "7", "8.orbax-checkpoint-tmp-1700000000"]


def test_no_checkpoint_error_names_the_directory(tmp_path):
    empty = tmp_path / "run"
    with Checkpointer(str(empty)) as ck:
        assert ck.latest_step() is None
        with pytest.raises(CheckpointNotFoundError, match=f"no committed checkpoint in "
                                                          f"directory '{empty}'$"):
            ck.restore({"x": jnp.zeros(2)})
    os.makedirs(empty / "5.orbax-checkpoint-tmp")
    with Checkpointer(str(empty)) as ck:
        with pytest.raises(CheckpointNotFoundError, match=r"unfinished saves ignored: "
                                                          r"\['5.orbax-checkpoint-tmp'\]"):
            ck.restore({"x": jnp.zeros(2)})


def _tiny_params(hidden: int) -> dict:
    return {"embed": jnp.ones((16, hidden)),
            "layers": {"0": {"mlp": jnp.ones((hidden, 4 * hidden))}},
            "norm": jnp.ones((hidden,))}


def test_mismatched_model_error_names_paths_and_shapes(tmp_path):
    with Checkpointer(str(tmp_path), async_save=False) as ck:
        ck.save(0, {"params": _tiny_params(8)}, {})
        with pytest.raises(CheckpointMismatchError) as err:
            ck.restore({"params": _tiny_params(12)})
        msg = str(err.value)
        assert f"step 0 in directory '{tmp_path}'" in msg
        assert "3 mismatched tensor paths" in msg
        assert "params/embed: saved shape (16, 8) != expected shape (16, 12)" in msg
        assert "params/layers/0/mlp: saved shape (8, 32) != expected shape (12, 48)" in msg
        assert "params/norm: saved shape (8,) != expected shape (12,)" in msg
        # Structure: a missing and an unexpected tensor path are both named.
        target = {"params": {**_tiny_params(8), "value_head": jnp.ones((8, 1))}}
        del target["params"]["norm"]
        with pytest.raises(CheckpointMismatchError) as err:
            ck.restore(target)
        msg = str(err.value)
        assert "params/value_head: not in the checkpoint (expected shape (8, 1))" in msg
        assert "params/norm: in the checkpoint (shape (8,)) but not in the state" in msg


def test_partial_restore_loads_a_subtree(tmp_path):
    params = {"w": jnp.arange(6.0).reshape(2, 3)}
    tx = optax.adam(1e-3)
    with Checkpointer(str(tmp_path), async_save=False) as ck:
        assert ck.save(4, {"params": params, "opt_state": tx.init(params)}, {"stage": "sft"},
                       force=True)
        with pytest.raises(CheckpointMismatchError, match="opt_state/0/count: in the checkpoint"):
            ck.restore({"params": params})
        got, meta = ck.restore({"params": jax.tree.map(jnp.zeros_like, params)}, partial=True)
    _assert_tree_equal(got, {"params": _host(params)})
    assert meta == {"stage": "sft"}


def test_sigterm_finishes_the_step_saves_it_and_stops(tmp_path):
    """A SIGTERM during step 4 of 10: step 4 is checkpointed, Preempted is raised, the previous
    SIGTERM handler is back, and a new loop resumes from step 4 with its state."""
    import signal

    from codecorr_jax.train.loop import (CheckpointConfig, LoggingConfig, Preempted,
                                         TrainingLoop)

    sections = dict(checkpoint=CheckpointConfig(max_to_keep=2, async_save=True),
                    logging=LoggingConfig(tensorboard=False, jsonl=False, progress_bar=False))
    before = signal.getsignal(signal.SIGTERM)
    loop = TrainingLoop(str(tmp_path), total=10, desc="t", save_every=100, **sections)
    state = {"w": jnp.zeros(3)}
    with pytest.raises(Preempted, match="stopped on SIGTERM after step 4") as stop:
        with loop.running(0):
            for step in range(10):
                state = {"w": state["w"] + 1}
                if step == 3:
                    os.kill(os.getpid(), signal.SIGTERM)  # arrives while step 4 runs
                loop.save(step + 1, state, {"step": step + 1})
    assert stop.value.step == 4 and signal.getsignal(signal.SIGTERM) is before
    again = TrainingLoop(str(tmp_path), total=10, desc="t", save_every=100, **sections)
    restored, meta = again.restore({"w": jnp.zeros(3)})
    assert meta == {"step": 4} and again.resumed_from == 4
    np.testing.assert_array_equal(np.asarray(restored["w"]), [4.0, 4.0, 4.0])


def _two_steps(directory, state):
    with Checkpointer(str(directory), async_save=False, save_every=1) as ck:
        ck.save(1, state, {"step": 1})
        ck.save(2, jax.tree.map(lambda x: x + 1, state), {"step": 2})


def _largest_data_file(step_dir) -> str:
    files = [os.path.join(root, f) for root, _, names in os.walk(step_dir) for f in names
             if os.sep + "d" + os.sep in os.path.join(root, f) + os.sep]
    return max(files, key=os.path.getsize)


def _truncate(path: str) -> None:
    data = open(path, "rb").read()
    open(path, "wb").write(data[: len(data) // 2])


@pytest.mark.parametrize("damage", ["truncated_array_file", "zeroed_array_file",
                                    "corrupt_meta_json", "missing_meta", "truncated_manifest",
                                    "corrupt_array_metadata"])
def test_a_damaged_newest_step_falls_back_to_the_one_before(tmp_path, damage, caplog):
    """Each kind of damage to a committed step: never loaded; the step before it is restored,
    the damaged one moved aside with its fault named, and saving that step again works."""
    state = {"w": np.arange(4096, dtype=np.float32).reshape(64, 64), "b": np.ones(3, np.int32)}
    _two_steps(tmp_path / "ck", state)
    step = tmp_path / "ck" / "2"
    hurt = {
        "truncated_array_file": lambda: _truncate(_largest_data_file(step)),
        "zeroed_array_file": lambda: open(_largest_data_file(step), "r+b").write(b"\0" * 64),
        "corrupt_meta_json": lambda: (step / "meta" / "metadata").write_text("{not json"),
        "missing_meta": lambda: os.remove(step / "meta" / "metadata"),
        "truncated_manifest": lambda: _truncate(str(step / "state" / "manifest.ocdbt")),
        "corrupt_array_metadata": lambda: (step / "state" / "_METADATA").write_text("xx"),
    }[damage]
    hurt()
    with Checkpointer(str(tmp_path / "ck"), async_save=False, save_every=1) as ck:
        with caplog.at_level("WARNING"):
            got, meta = ck.restore(state)
        assert meta == {"step": 1}  # the good step, its arrays exactly
        _assert_tree_equal(_host(got), state)
        assert "resumed from step 1; damaged newer steps moved to" in caplog.text
        assert "step 2: " in caplog.text
        assert ck.all_steps() == [1] and (tmp_path / "ck.broken" / "2").is_dir()
        assert ck.save(2, state, {"step": 2})  # the run goes on and saves step 2 afresh
        assert ck.restore(state)[1] == {"step": 2}


def test_no_readable_step_stops_naming_each_fault(tmp_path):
    from codecorr_jax.train.checkpoint import CheckpointCorruptError

    state = {"w": np.zeros((4, 4), np.float32)}
    _two_steps(tmp_path / "ck", state)
    for step in ("1", "2"):
        (tmp_path / "ck" / step / "meta" / "metadata").write_text("garbage")
    with Checkpointer(str(tmp_path / "ck"), async_save=False) as ck:
        with pytest.raises(CheckpointCorruptError, match=r"(?s)no step of checkpoint directory "
                           r".*step 2: JSONDecodeError.*step 1: JSONDecodeError.*Delete that "
                           r"directory to start the run over"):
            ck.restore(state)


def test_a_state_that_does_not_fit_is_an_error_not_a_fallback(tmp_path):
    state = {"w": np.zeros((4, 4), np.float32)}
    _two_steps(tmp_path / "ck", state)
    with Checkpointer(str(tmp_path / "ck"), async_save=False) as ck:
        with pytest.raises(CheckpointMismatchError):
            ck.restore({"w": np.zeros((5, 4), np.float32)})
        assert ck.all_steps() == [1, 2]  # nothing moved


def test_the_training_loop_resumes_from_the_step_it_could_read(tmp_path):
    from codecorr_jax.train.loop import CheckpointConfig, LoggingConfig, TrainingLoop

    state = {"w": np.arange(16, dtype=np.float32)}
    _two_steps(tmp_path / "checkpoints", state)
    (tmp_path / "checkpoints" / "2" / "meta" / "metadata").write_text("{")
    loop = TrainingLoop(str(tmp_path), total=5, desc="t", save_every=1,
                        checkpoint=CheckpointConfig(every_steps=1, async_save=False),
                        logging=LoggingConfig(progress_bar=False))
    try:
        _, meta = loop.restore(state)
    finally:
        loop.checkpointer.close()
    assert meta == {"step": 1} and loop.resumed_from == 1


_FULL_DISK = """
import resource, signal, sys
import numpy as np
from codecorr_jax.train.checkpoint import Checkpointer, CheckpointSaveError
state = {"w": np.random.default_rng(0).standard_normal((256, 256)).astype(np.float32)}
ck = Checkpointer(sys.argv[1], async_save=True, save_every=1)
ck.save(1, state, {"step": 1})
ck.wait()
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
try:
    ck.save(2, state, {"step": 2})
    ck.wait()
except CheckpointSaveError as error:
    print("SAVE ERROR:", error)
"""


def test_a_failed_write_names_the_step_and_keeps_the_previous_one(tmp_path):
    """A write that fails mid-save (a file-size limit standing in for a full disk): a clear
    error naming the step and what to do; the step before is intact, the failed one is never
    listed, and once there is room the same step saves and restores."""
    import subprocess
    import sys

    directory = tmp_path / "ck"
    result = subprocess.run([sys.executable, "-c", _FULL_DISK, str(directory)],
                            capture_output=True, text=True, timeout=300)
    assert "SAVE ERROR: writing checkpoint step 2 in" in result.stdout, result.stderr[-2000:]
    assert ("is the disk full? the committed steps [1] are intact: make room and run the same "
            "command, it resumes from step 1") in result.stdout
    state = {"w": np.zeros((256, 256), np.float32)}
    with Checkpointer(str(directory), async_save=False, save_every=1) as ck:
        assert ck.all_steps() == [1]
        assert ck.restore(state)[1] == {"step": 1}
        assert ck.save(2, state, {"step": 2}) and ck.restore(state)[1] == {"step": 2}
