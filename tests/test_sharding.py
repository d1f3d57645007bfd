"""Sharded model == single-device model, for several mesh shapes; sharding saves memory."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from codecorr_jax.models import Decoder, ModelConfig, create_sharded
from codecorr_jax.models import sharding
from codecorr_jax.models.sharding import batch_sharding, make_mesh

CFG = ModelConfig(vocab_size=256, hidden_size=64, intermediate_size=128, num_layers=2,
                  num_heads=8, num_kv_heads=4, head_dim=8, qkv_bias=True, architecture="qwen2",
                  value_head=True)
MESHES = [(8, 1, 1), (1, 8, 1), (2, 2, 2), (1, 2, 4)]


def _batch():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, CFG.vocab_size, size=(8, 16)).astype(np.int32)
    segments = np.ones_like(ids)
    segments[1, 10:] = 2  # a packed second sequence
    segments[2, 12:] = 0  # right padding
    positions = np.zeros_like(ids)
    for row in range(ids.shape[0]):
        for seg in set(segments[row]) - {0}:
            where = segments[row] == seg
            positions[row, where] = np.arange(where.sum())
    return ids, positions, segments


def _loss(model, ids, positions, segments):
    out = model(ids, positions=positions, segment_ids=segments)
    logp = jax.nn.log_softmax(out.logits[:, :-1])
    nll = -jnp.take_along_axis(logp, ids[:, 1:, None], axis=-1)[..., 0]
    valid = (segments[:, 1:] != 0) & (segments[:, 1:] == segments[:, :-1])
    return (nll * valid).sum() / valid.sum() + 0.1 * jnp.mean(out.values ** 2), out.logits


@nnx.jit
def _loss_logits_grads(model, ids, positions, segments):
    (loss, logits), grads = nnx.value_and_grad(_loss, has_aux=True)(model, ids, positions,
                                                                    segments)
    return loss, logits, grads


@pytest.fixture(scope="module")
def reference():
    with jax.default_device(jax.devices()[0]):
        model = Decoder(CFG, rngs=nnx.Rngs(3))
        loss, logits, grads = _loss_logits_grads(model, *_batch())
        jax.block_until_ready(grads)
    return model, loss, logits, grads


@pytest.mark.parametrize("shape", MESHES, ids=lambda s: "x".join(map(str, s)))
def test_sharded_logits_and_grads_equal_single_device(reference, shape):
    ref_model, ref_loss, ref_logits, ref_grads = reference
    mesh = make_mesh(*shape)
    model = create_sharded(CFG, mesh, seed=3)
    # born-sharded initialisation draws the weights of eager initialisation (to float rounding:
    # jit fuses the normal transform differently)
    for (p, a), (_, b) in zip(nnx.to_flat_state(nnx.state(ref_model)),
                              nnx.to_flat_state(nnx.state(model))):
        np.testing.assert_allclose(np.asarray(a.get_value()), np.asarray(b.get_value()),
                                   rtol=1e-6, atol=1e-9, err_msg=str(p))
    batch = [jax.device_put(x, batch_sharding(mesh, x.ndim)) for x in _batch()]
    loss, logits, grads = jax.block_until_ready(_loss_logits_grads(model, *batch))
    assert logits.sharding.spec[0] is not None or shape[0] * shape[1] == 1
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(logits), np.asarray(ref_logits), atol=2e-5, rtol=1e-5)
    for (p, g), (_, r) in zip(nnx.to_flat_state(grads), nnx.to_flat_state(ref_grads)):
        np.testing.assert_allclose(np.asarray(g.get_value()), np.asarray(r.get_value()),
                                   atol=2e-6, rtol=1e-4, err_msg=str(p))


def _bytes_on_device0(model) -> int:
    device = jax.devices()[0]
    total = 0
    for _, var in nnx.to_flat_state(nnx.state(model)):
        total += sum(s.data.nbytes for s in var.get_value().addressable_shards
                     if s.device == device)
    return total


def test_per_device_parameter_bytes_shrink_as_expected():
    full = CFG.num_params * 4
    h, i, n, k, d, v = (CFG.hidden_size, CFG.intermediate_size, CFG.num_heads, CFG.num_kv_heads,
                        CFG.head_dim, CFG.vocab_size)
    norms = (2 * CFG.num_layers + 1) * h
    biases = CFG.num_layers * (n + 2 * k) * d
    value_bias = 1
    # fsdp=8: every matrix has an "embed" dimension split 8 ways; norms and biases replicated.
    fsdp = make_mesh(1, 8, 1)
    expected = ((full // 4 - norms - biases - value_bias) // 8 + norms + biases + value_bias) * 4
    assert _bytes_on_device0(create_sharded(CFG, fsdp)) == expected
    # fsdp=2 x tensor=4: matrices split 8 ways (the value head only 2: its output axis is 1),
    # q/k/v biases split 4 ways over heads, norms replicated.
    mixed = make_mesh(1, 2, 4)
    matrices = full // 4 - norms - biases - value_bias - h
    expected = (matrices // 8 + h // 2 + biases // 4 + norms + value_bias) * 4
    assert _bytes_on_device0(create_sharded(CFG, mixed)) == expected
    assert expected < full / 4


def test_logical_rules_map_names_to_mesh_axes():
    spec = sharding.logical_to_spec(("batch", "length", "act_embed"))
    assert spec == jax.sharding.PartitionSpec(("data", "fsdp"), None, None)
    # a mesh axis is used once per array: ("embed", "embed") cannot shard twice over fsdp
    assert sharding.logical_to_spec(("embed", "embed")) == jax.sharding.PartitionSpec("fsdp",
                                                                                      None)
    with pytest.raises(KeyError, match="no sharding rule"):
        sharding.logical_to_spec(("not_an_axis",))


def test_kv_heads_fewer_than_tensor_axis_are_replicated():
    cfg = ModelConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_layers=1,
                      num_heads=8, num_kv_heads=2, head_dim=4)
    model = create_sharded(cfg, make_mesh(1, 1, 8))
    attn = model.layers[0].self_attn
    assert attn.k_proj.kernel[...].sharding.spec[1] is None  # 2 kv heads over 8: replicated
    assert attn.q_proj.kernel[...].sharding.spec[1] == "tensor"  # 8 heads over 8: split


@pytest.mark.parametrize("shape, message", [
    ((3, 1, 1), "mesh has 3 devices but 8"),
    ((-1, -1, 1), "at most one mesh axis"),
    ((3, -1, 1), "do not divide the 8"),
])
def test_bad_mesh_shapes_are_explained(shape, message):
    with pytest.raises(ValueError, match=message):
        make_mesh(*shape)
