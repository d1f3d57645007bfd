"""The jitted LM train step against independent references: numpy NLL, one big batch, a
plain optax update, a sharded mesh; non-finite steps are dropped; the schedule by hand."""

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from codecorr_jax.models import Decoder, ModelConfig, create_sharded
from codecorr_jax.models.sharding import batch_sharding, make_mesh
from codecorr_jax.train import lm_step, optim
from codecorr_jax.train.loop import CheckpointConfig, LoggingConfig

CFG = ModelConfig(vocab_size=128, hidden_size=32, intermediate_size=64, num_layers=2,
                  num_heads=4, num_kv_heads=2, head_dim=8)
SECTION = optim.OptimizerConfig(learning_rate=1e-2, warmup_steps=2, num_steps=10,
                                end_lr_fraction=0.1, weight_decay=0.1, max_grad_norm=1.0)

QUIET = LoggingConfig(progress_bar=False)  # no progress bars in tests


def _batch(rows=8, length=12, seed=0):
    """A packed batch: two segments in row 1, right padding in row 2, loss on some targets."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, CFG.vocab_size, (rows, length)).astype(np.int32)
    segments = np.ones_like(ids)
    segments[1, 7:] = 2
    segments[2, 9:] = 0
    positions = np.zeros_like(ids)
    for r in range(rows):
        for s in set(segments[r]) - {0}:
            positions[r, segments[r] == s] = np.arange((segments[r] == s).sum())
    targets = np.zeros_like(ids)
    targets[:, :-1] = ids[:, 1:]
    loss_mask = ((segments[:, :-1] != 0) & (segments[:, :-1] == segments[:, 1:]))
    loss_mask = np.concatenate([loss_mask, np.zeros((rows, 1), bool)], axis=1)
    loss_mask[:, :3] = False  # a "prompt" without loss
    return dict(input_ids=ids, targets=targets, loss_mask=loss_mask.astype(np.float32),
                segment_ids=segments, positions=positions)


def _split(model):
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    return graphdef, nnx.to_pure_dict(params), rest


def _numpy_mean_nll(logits, batch):
    logits = np.asarray(logits, np.float64)
    logp = logits - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1, keepdims=True))
    logp -= logits.max(-1, keepdims=True)
    total, count = 0.0, 0.0
    for r in range(logits.shape[0]):
        for t in range(logits.shape[1]):
            if batch["loss_mask"][r, t]:
                total -= logp[r, t, batch["targets"][r, t]]
                count += 1
    return total / count


def test_token_nll_equals_numpy():
    batch = _batch()
    logits = np.random.default_rng(1).normal(size=(8, 12, CFG.vocab_size)).astype(np.float32)
    nll, count = lm_step.token_nll(jnp.asarray(logits), batch["targets"], batch["loss_mask"])
    assert count == batch["loss_mask"].sum()
    np.testing.assert_allclose(nll / count, _numpy_mean_nll(logits, batch), rtol=1e-5)


@pytest.mark.parametrize("logits_chunk", [0, 5])
def test_step_equals_plain_optax_update_on_the_mean_loss(logits_chunk):
    """Also with the vocabulary projected 5 positions at a time (length 12)."""
    model = Decoder(dataclasses.replace(CFG, logits_chunk=logits_chunk), rngs=nnx.Rngs(0))
    graphdef, params, rest = _split(model)
    batch = _batch()
    tx = optim.make_optimizer(SECTION)

    def mean_loss(p):  # an independent path: the mean over masked tokens, one batch
        out = nnx.merge(graphdef, p, rest)(batch["input_ids"], batch["positions"],
                                           batch["segment_ids"])
        logp = jax.nn.log_softmax(out.logits)
        nll = -jnp.take_along_axis(logp, batch["targets"][..., None], -1)[..., 0]
        return (nll * batch["loss_mask"]).sum() / batch["loss_mask"].sum(), out.logits

    (ref_loss, logits), grads = jax.value_and_grad(mean_loss, has_aux=True)(params)
    np.testing.assert_allclose(ref_loss, _numpy_mean_nll(logits, batch), rtol=1e-5)
    opt_state = tx.init(params)
    updates, _ = tx.update(grads, opt_state, params)
    expected = optax.apply_updates(params, updates)

    step = lm_step.make_train_step(graphdef, rest, tx)
    copy = jax.tree.map(jnp.array, params)
    new_params, _, metrics = step(copy, tx.init(copy), lm_step.split_micro_batches(batch, 1))
    np.testing.assert_allclose(metrics["loss"], ref_loss, rtol=1e-5)
    np.testing.assert_allclose(metrics["grad_norm"], optax.tree.norm(grads), rtol=1e-5)
    assert metrics["tokens"] == batch["loss_mask"].sum() and metrics["skipped"] == 0
    for a, b in zip(jax.tree.leaves(new_params), jax.tree.leaves(expected)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_gradient_accumulation_equals_one_large_batch():
    model = Decoder(CFG, rngs=nnx.Rngs(1))
    graphdef, params, rest = _split(model)
    tx = optim.make_optimizer(SECTION)
    step = lm_step.make_train_step(graphdef, rest, tx)
    batch = _batch()
    results = []
    for accum in (1, 4):
        p = jax.tree.map(jnp.array, params)
        p, _, metrics = step(p, tx.init(p), lm_step.split_micro_batches(batch, accum))
        results.append((p, metrics))
    (p1, m1), (p4, m4) = results
    np.testing.assert_allclose(m4["loss"], m1["loss"], rtol=1e-6)
    assert m4["tokens"] == m1["tokens"]
    for a, b in zip(jax.tree.leaves(p1), jax.tree.leaves(p4)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="grad_accum_steps=3"):
        lm_step.split_micro_batches(batch, 3)


def test_non_finite_step_is_dropped_and_counted():
    model = Decoder(CFG, rngs=nnx.Rngs(2))
    graphdef, params, rest = _split(model)
    tx = optim.make_optimizer(SECTION)
    step = lm_step.make_train_step(graphdef, rest, tx)
    before = jax.tree.map(np.array, params)  # copies: params are donated
    opt_state = tx.init(params)
    opt_before = jax.tree.map(np.array, opt_state)
    bad = _batch()
    bad["loss_mask"][0, 5] = np.nan
    params, opt_state, metrics = step(params, opt_state, lm_step.split_micro_batches(bad, 1))
    assert metrics["skipped"] == 1 and not np.isfinite(metrics["loss"])
    assert metrics["skipped_loss"] == 1 and metrics["skipped_grad"] == 0  # its source
    for a, b in zip(jax.tree.leaves(params), jax.tree.leaves(before)):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(jax.tree.leaves(opt_state), jax.tree.leaves(opt_before)):
        np.testing.assert_array_equal(a, b)
    for _ in range(2):  # the schedule's learning rate is 0 at the first applied step
        params, opt_state, metrics = step(params, opt_state,
                                          lm_step.split_micro_batches(_batch(), 1))
        assert metrics["skipped"] == 0 and metrics["skipped_loss"] == 0
    assert any(not np.array_equal(a, b) for a, b in zip(jax.tree.leaves(params),
                                                        jax.tree.leaves(before)))


def test_sharded_step_equals_single_device_and_keeps_shardings():
    batch = _batch()
    tx = optim.make_optimizer(SECTION)
    with jax.default_device(jax.devices()[0]):
        graphdef, params, rest = _split(Decoder(CFG, rngs=nnx.Rngs(0)))
        step = lm_step.make_train_step(graphdef, rest, tx)
        ref, _, ref_metrics = step(params, tx.init(params), lm_step.split_micro_batches(batch, 2))
        ref = jax.tree.map(np.asarray, ref)
    mesh = make_mesh(2, 2, 2)
    graphdef, params, rest = _split(create_sharded(CFG, mesh, seed=0))
    shardings = jax.tree.map(lambda x: x.sharding, params)
    opt_state = jax.jit(tx.init)(params)
    micro = lm_step.split_micro_batches(batch, 2)
    micro = {k: jax.device_put(v, jax.sharding.NamedSharding(
        mesh, jax.sharding.PartitionSpec(None, *batch_sharding(mesh, 2).spec)))
        for k, v in micro.items()}
    step = lm_step.make_train_step(graphdef, rest, tx)
    new, opt_state, metrics = jax.block_until_ready(step(params, opt_state, micro))
    np.testing.assert_allclose(metrics["loss"], ref_metrics["loss"], rtol=1e-5)
    for path_a, a in jax.tree_util.tree_leaves_with_path(new):
        b = ref
        for key in path_a:
            b = b[key.key]
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6, err_msg=str(path_a))
    for a, s in zip(jax.tree.leaves(new), jax.tree.leaves(shardings)):
        assert a.sharding.is_equivalent_to(s, a.ndim)


def test_optimizer_state_is_sharded_like_the_parameters():
    """Adam's moments of each parameter live where the parameter does (FSDP splits them too);
    the step counts are replicated. They stay so through a step."""
    tx = optim.make_optimizer(SECTION)
    mesh = make_mesh(1, 4, 2)
    _, params, _ = _split(create_sharded(CFG, mesh, seed=0))
    opt_state = optim.init_on_mesh(tx, params, mesh)
    adam = opt_state[1][0]  # chain(clip, adamw): adamw's (ScaleByAdamState, ...)
    for moments in (adam.mu, adam.nu):
        for (path, m), p in zip(jax.tree_util.tree_leaves_with_path(moments),
                                jax.tree.leaves(params)):
            assert m.sharding.is_equivalent_to(p.sharding, p.ndim), path
            assert not np.any(np.asarray(m))
    kernel = params["layers"][0]["mlp"]["up_proj"]["kernel"]
    assert kernel.addressable_shards[0].data.size == kernel.size // 8  # split 8 ways
    assert adam.count.sharding.is_fully_replicated


def test_schedule_and_decay_mask_by_hand():
    schedule = optim.learning_rate_schedule(SECTION)
    assert schedule(0) == 0.0
    np.testing.assert_allclose(schedule(1), 0.5e-2, rtol=1e-6)
    np.testing.assert_allclose(schedule(2), 1e-2, rtol=1e-6)
    # cosine over the 8 steps after warmup, from 1e-2 down to 1e-3
    mid = 1e-3 + 0.5 * (1e-2 - 1e-3) * (1 + math.cos(math.pi * 4 / 8))
    np.testing.assert_allclose(schedule(6), mid, rtol=1e-5)
    np.testing.assert_allclose(schedule(10), 1e-3, rtol=1e-5)
    mask = optim.decay_mask({"w": jnp.ones((2, 3)), "scale": jnp.ones(3)})
    assert mask == {"w": True, "scale": False}


def test_a_run_of_non_finite_steps_stops_the_training_with_a_message(tmp_path):
    """A step with a non-finite loss is dropped; MAX_DROPPED_IN_A_ROW of them in a row stop
    the run with a message naming the run directory and what to do (a model whose weights
    hold a NaN makes every step non-finite)."""
    from codecorr_jax.config import base_config
    from codecorr_jax.data.packing import Example, packed_batches
    from codecorr_jax.train import lm_trainer, loop

    mesh = make_mesh(1, 1, 1, devices=jax.devices()[:1])
    model = create_sharded(CFG, mesh, seed=0)
    model.norm.scale.set_value(model.norm.scale.get_value().at[0].set(jnp.nan))
    examples = [Example(np.tile(np.arange(1, 5), 4).astype(np.int32), np.ones(16, bool))
                for _ in range(8)]
    batches, _ = packed_batches(examples, seq_len=16, batch_size=2, seed=0)
    settings = base_config("sft")
    with pytest.raises(loop.NonFiniteError,
                       match=rf"sft: {loop.MAX_DROPPED_IN_A_ROW} steps in a row \(to step "
                             rf"{loop.MAX_DROPPED_IN_A_ROW}\) had a non-finite loss and"):
        lm_trainer.train_lm(model, batches, settings.sft, run_dir=str(tmp_path / "sft"),
                            mesh=mesh, checkpoint=CheckpointConfig(), logging=QUIET,
                            seed=0, num_steps=100, desc="sft")


class _CrashingBatches:
    """A dataset whose iterator raises at its `after`-th batch: a run that dies between two
    checkpoints (and between two logged steps), as a killed one does."""

    def __init__(self, dataset, after: int):
        self.dataset, self.after = dataset, after

    def __iter__(self):
        inner, left = iter(self.dataset), [self.after]

        class Batches:
            def __next__(self):
                if left[0] == 0:
                    raise RuntimeError("the machine died")
                left[0] -= 1
                return next(inner)

            get_state, set_state = inner.get_state, inner.set_state

        return Batches()


def test_a_resumed_training_frees_the_model_it_was_given_and_ends_where_one_run_does(tmp_path):
    """train_lm dies at step 4 and is called again: it resumes from its checkpoint of step 2,
    the parameters of the model it is given are freed before the restore (the host never holds
    them beside the restored ones), and the parameters and every logged loss equal those of a
    run never stopped, bit for bit: losses are logged every 4 steps, so the window of step 4
    spans the checkpoint."""
    from codecorr_jax.config import base_config
    from codecorr_jax.data.packing import Example, packed_batches
    from codecorr_jax.train.lm_trainer import train_lm
    from codecorr_jax.train.metrics import read_metrics

    mesh = make_mesh(1, 1, 1, devices=jax.devices()[:1])
    rng = np.random.default_rng(0)
    examples = [Example(rng.integers(1, CFG.vocab_size, 16).astype(np.int32), np.ones(16, bool))
                for _ in range(16)]
    section = base_config("sft").sft
    section.update(dict(learning_rate=1e-2, warmup_steps=1, num_steps=6, batch_size=2))
    every_2 = CheckpointConfig(every_steps=2, async_save=False)

    def train(run_dir, model=None, crash_at=None):
        batches, _ = packed_batches(examples, seq_len=16, batch_size=2, seed=0)
        if crash_at:
            batches = _CrashingBatches(batches, crash_at - 1)
        return train_lm(model or create_sharded(CFG, mesh, seed=0), batches, section,
                        run_dir=str(tmp_path / run_dir), mesh=mesh, checkpoint=every_2,
                        logging=LoggingConfig(every_steps=4, progress_bar=False), seed=0,
                        num_steps=6, desc="sft")

    straight = train("straight")
    with pytest.raises(RuntimeError, match="the machine died"):
        train("died", crash_at=4)
    given = create_sharded(CFG, mesh, seed=0)
    resumed = train("died", given)
    assert resumed.resumed_from == 2
    _, given_params, _ = nnx.split(given, nnx.Param, ...)
    assert all(leaf.is_deleted() for leaf in jax.tree.leaves(nnx.to_pure_dict(given_params)))
    want, got = (nnx.to_pure_dict(nnx.state(r.model, nnx.Param)) for r in (straight, resumed))
    for (path, a), (_, b) in zip(jax.tree_util.tree_flatten_with_path(want)[0],
                                 jax.tree_util.tree_flatten_with_path(got)[0]):
        np.testing.assert_array_equal(np.asarray(b), np.asarray(a), err_msg=str(path))
    losses = [[(r["step"], r["sft/loss"]) for r in read_metrics(str(tmp_path / d), "sft/loss")]
              for d in ("straight", "died")]
    assert [step for step, _ in losses[0]] == [4, 6] and losses[1] == losses[0]
