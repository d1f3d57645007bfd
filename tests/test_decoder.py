"""Decoder behaviour that parity with transformers does not cover: packing, remat, value head."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from codecorr_jax.models import Decoder, ModelConfig
from codecorr_jax.models.decoder import attention_mask, entropy_from_logits

CFG = ModelConfig(vocab_size=64, hidden_size=32, intermediate_size=48, num_layers=2,
                  num_heads=4, num_kv_heads=2, head_dim=8, value_head=True)


def test_packed_sequences_equal_running_each_alone():
    model = Decoder(CFG, rngs=nnx.Rngs(0))
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 64, 7), rng.integers(0, 64, 5)
    packed = np.concatenate([a, b, [0, 0]])[None]
    segments = np.array([[1] * 7 + [2] * 5 + [0, 0]])
    positions = np.array([list(range(7)) + list(range(5)) + [0, 0]])
    out = model(packed, positions=positions, segment_ids=segments)
    alone_a = model(a[None]).logits[0]
    alone_b = model(b[None]).logits[0]
    np.testing.assert_allclose(out.logits[0, :7], alone_a, atol=1e-5)
    np.testing.assert_allclose(out.logits[0, 7:12], alone_b, atol=1e-5)
    assert np.isfinite(np.asarray(out.logits)).all()  # padding rows stay finite


def test_attention_mask_by_hand():
    mask = np.asarray(attention_mask(jnp.array([[1, 1, 2, 0]])))[0, 0]
    expected = np.array([[1, 0, 0, 0],
                         [1, 1, 0, 0],
                         [0, 0, 1, 0],
                         [0, 0, 0, 0]], dtype=bool)
    np.testing.assert_array_equal(mask, expected)


def test_value_head_is_a_linear_map_of_the_final_hidden_state():
    model = Decoder(CFG, rngs=nnx.Rngs(1))
    model.value_head.bias[...] = jnp.array([0.25])
    out = model(np.arange(10)[None] % 64)
    kernel = np.asarray(model.value_head.kernel[...])[:, 0]
    np.testing.assert_allclose(out.values, np.asarray(out.hidden) @ kernel + 0.25, atol=1e-6)
    assert out.values.shape == (1, 10)


def test_rematerialised_layers_give_the_same_gradients():
    ids = np.random.default_rng(2).integers(0, 64, (2, 9))

    def grads(cfg):
        model = Decoder(cfg, rngs=nnx.Rngs(3))
        loss = lambda m: jnp.mean(m(ids).logits ** 2) + jnp.mean(m(ids).values)  # noqa: E731
        return nnx.to_flat_state(nnx.jit(nnx.grad(loss))(model))

    plain = grads(CFG)
    for policy in ("full", "dots_saveable"):
        remat = grads(dataclasses.replace(CFG, remat=policy))
        for (path, g), (_, r) in zip(plain, remat):
            np.testing.assert_allclose(np.asarray(g.get_value()), np.asarray(r.get_value()),
                                       rtol=1e-5, atol=1e-7, err_msg=f"{policy} {path}")


def test_chunked_vocabulary_projection_equals_the_whole_one():
    """token_logprobs in chunks of 4 positions (length 10: a padded last chunk) equals the
    log-softmax of the whole logits, in value and in gradient, for both output matrices."""
    rng = np.random.default_rng(5)
    ids = rng.integers(0, 64, (3, 10))
    targets = rng.integers(0, 64, (3, 10))
    weights = rng.normal(size=(3, 10)).astype(np.float32)
    for tied in (True, False):
        base = dataclasses.replace(CFG, tie_word_embeddings=tied)

        def objective(model, chunked):
            hidden = model(ids, compute_logits=False).hidden
            if chunked:
                logp, entropy = model.token_logprobs(hidden, targets, temperature=0.7)
            else:
                logits = model(ids).logits / 0.7
                full = jax.nn.log_softmax(logits, axis=-1)
                logp = jnp.take_along_axis(full, targets[..., None], -1)[..., 0]
                entropy = entropy_from_logits(logits)
            return jnp.sum(weights * logp) + jnp.sum(entropy), (logp, entropy)

        outs = []
        for chunk, chunked in ((0, False), (4, True)):
            model = Decoder(dataclasses.replace(base, logits_chunk=chunk), rngs=nnx.Rngs(3))
            (_, aux), grads = nnx.jit(nnx.value_and_grad(
                lambda m: objective(m, chunked), has_aux=True))(model)
            outs.append((aux, nnx.to_flat_state(grads)))
        (want, want_grads), (got, got_grads) = outs
        for a, b in zip(got, want):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
        for (path, g), (_, w) in zip(got_grads, want_grads):
            np.testing.assert_allclose(np.asarray(g.get_value()), np.asarray(w.get_value()),
                                       rtol=1e-4, atol=1e-6, err_msg=str(path))


def test_query_blocks_equal_dense_attention_on_packed_rows():
    """Blocks of 8 (ragged last block) over packed rows of 30: same logits, values and
    gradients at every real token as one dense block."""
    rng = np.random.default_rng(4)
    ids = rng.integers(0, 64, (2, 30))
    segments = np.array([[1] * 11 + [2] * 15 + [0] * 4, [1] * 3 + [2] * 20 + [3] * 7])
    positions = np.concatenate([np.arange(n) for n in (11, 15, 4, 3, 20, 7)]).reshape(2, 30)
    real = segments != 0

    def run(block):
        model = Decoder(dataclasses.replace(CFG, attention_query_block=block), rngs=nnx.Rngs(5))

        def loss(m):
            out = m(ids, positions=positions, segment_ids=segments)
            return jnp.sum(jnp.where(real[..., None], out.logits, 0) ** 2), out

        (_, out), grads = nnx.jit(nnx.value_and_grad(loss, has_aux=True))(model)
        return out, nnx.to_flat_state(grads)

    (dense, dense_grads), (blocked, blocked_grads) = run(0), run(8)
    np.testing.assert_allclose(np.asarray(blocked.logits)[real], np.asarray(dense.logits)[real],
                               atol=1e-5)
    np.testing.assert_allclose(np.asarray(blocked.values)[real], np.asarray(dense.values)[real],
                               atol=1e-5)
    for (path, g), (_, b) in zip(dense_grads, blocked_grads):
        np.testing.assert_allclose(np.asarray(b.get_value()), np.asarray(g.get_value()),
                                   rtol=1e-4, atol=1e-5, err_msg=str(path))
    # the mask is causal: no block ever needed a key past its end, so a later change of the
    # input leaves every earlier position's logits as they were
    changed = ids.copy()
    changed[:, 20:] = (changed[:, 20:] + 1) % 64
    model = Decoder(dataclasses.replace(CFG, attention_query_block=8), rngs=nnx.Rngs(5))
    again = model(changed, positions=positions, segment_ids=segments)
    np.testing.assert_allclose(np.asarray(again.logits)[:, :20], np.asarray(blocked.logits)[:, :20],
                               atol=1e-5)


def test_rms_norm_against_numpy():
    from codecorr_jax.models.decoder import RMSNorm

    norm = RMSNorm(6, 1e-5, "float32")
    norm.scale[...] = jnp.arange(1.0, 7.0)
    x = np.random.default_rng(4).normal(size=(3, 6)).astype(np.float32)
    expected = x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-5) * np.arange(1.0, 7.0)
    np.testing.assert_allclose(norm(jnp.asarray(x)), expected, rtol=1e-5)
    assert jax.numpy.asarray(norm(jnp.asarray(x, jnp.bfloat16))).dtype == jnp.bfloat16
