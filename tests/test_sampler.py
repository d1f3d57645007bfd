"""The KV-cache sampler against full recomputation, and its sampling controls."""

import dataclasses

import jax
import numpy as np
import pytest
from flax import nnx

from codecorr_jax.models import Decoder, ModelConfig, create_sharded
from codecorr_jax.models.sharding import make_mesh
from codecorr_jax.sampling import Sampler, SamplingConfig
from codecorr_jax.sampling.sampler import _generate, bucket_length, filter_logits

CFG = ModelConfig(vocab_size=64, hidden_size=32, intermediate_size=48, num_layers=2,
                  num_heads=4, num_kv_heads=2, head_dim=8, qkv_bias=True, architecture="qwen2")
PROMPTS = [[1, 2, 3], [5, 6, 7, 8, 9, 10, 11, 12, 13], [4], [9, 9, 9, 9, 9]]
STEPS = 12


@pytest.fixture(scope="module")
def model():
    with jax.default_device(jax.devices()[0]):
        return Decoder(CFG, rngs=nnx.Rngs(0))


_FULL = 32  # full forward passes run right-padded to one length: one compilation


@nnx.jit
def _forward(model, ids, segments):
    return model(ids, segment_ids=segments).logits


def _full_logits(model, seq):
    """Logits of a plain forward pass over `seq` (causal: right padding changes nothing)."""
    ids = np.zeros((1, _FULL), np.int32)
    ids[0, :len(seq)] = seq
    segments = (np.arange(_FULL) < len(seq)).astype(np.int32)[None]
    return np.asarray(_forward(model, ids, segments)[0, :len(seq)])


def _greedy_by_recomputation(model, prompt, steps):
    seq = list(prompt)
    for _ in range(steps):
        seq.append(int(np.argmax(_full_logits(model, seq)[-1])))
    return seq[len(prompt):]


@pytest.fixture(scope="module")
def greedy(model):
    return Sampler(model).generate(PROMPTS, SamplingConfig(max_new_tokens=STEPS, temperature=0))


def test_greedy_with_cache_equals_full_recomputation(model, greedy):
    for i, prompt in enumerate(PROMPTS):
        assert greedy.tokens[i].tolist() == _greedy_by_recomputation(model, prompt, STEPS)
    assert (greedy.lengths == STEPS).all() and greedy.response_mask.all()


def test_logprobs_equal_log_softmax_of_a_full_forward_pass(model):
    config = SamplingConfig(max_new_tokens=STEPS, temperature=0.8, top_k=20, num_samples=2)
    out = Sampler(model).generate(PROMPTS, config, seed=3)
    for row in range(len(out.tokens)):
        prompt = PROMPTS[row // 2]
        response = out.tokens[row].tolist()
        logits = _full_logits(model, prompt + response)[len(prompt) - 1:-1]
        logp = jax.nn.log_softmax(logits)
        expected = np.take_along_axis(np.asarray(logp), np.array(response)[:, None], 1)[:, 0]
        np.testing.assert_allclose(out.logprobs[row], expected, atol=2e-5)
        # under the sampling policy: tempered, top-k filtered, renormalised
        tempered = logits / 0.8
        kth = np.sort(tempered, axis=-1)[:, -20][:, None]
        filtered = np.where(tempered < kth, -np.inf, tempered)
        sampled = np.take_along_axis(np.asarray(jax.nn.log_softmax(filtered)),
                                     np.array(response)[:, None], 1)[:, 0]
        np.testing.assert_allclose(out.sampling_logprobs[row], sampled, atol=2e-5)


def test_samples_are_grouped_per_prompt_and_reproducible(model):
    config = SamplingConfig(max_new_tokens=8, temperature=1.0, num_samples=3)
    sampler = Sampler(model)
    a = sampler.generate(PROMPTS, config, seed=11)
    b = sampler.generate(PROMPTS, config, seed=11)
    c = sampler.generate(PROMPTS, config, seed=12)
    np.testing.assert_array_equal(a.tokens, b.tokens)
    assert (a.tokens != c.tokens).any()
    assert a.tokens.shape == (len(PROMPTS) * 3, 8)
    for row in range(a.tokens.shape[0]):  # row r continues prompt r // num_samples
        prompt = PROMPTS[row // 3]
        assert a.prompt_tokens[row][a.prompt_mask[row]].tolist() == prompt
    assert len({tuple(t) for t in a.tokens}) > len(PROMPTS)  # samples differ within a group


def test_top_k_one_equals_greedy(model, greedy):
    out = Sampler(model).generate(PROMPTS, SamplingConfig(max_new_tokens=STEPS, temperature=1.3,
                                                          top_k=1), seed=5)
    np.testing.assert_array_equal(out.tokens, greedy.tokens)


def test_top_p_keeps_the_smallest_nucleus():
    logits = np.log(np.array([[0.5, 0.3, 0.15, 0.05]], np.float32))
    config = SamplingConfig(temperature=1.0, top_p=0.75)
    kept = np.isfinite(np.asarray(filter_logits(logits, config)))
    np.testing.assert_array_equal(kept, [[True, True, False, False]])  # 0.5 + 0.3 >= 0.75
    kept = np.isfinite(np.asarray(filter_logits(logits, SamplingConfig(top_p=0.4))))
    np.testing.assert_array_equal(kept, [[True, False, False, False]])


@pytest.mark.parametrize("shape", [(2, 2, 2), (1, 2, 4), (8, 1, 1)])
def test_sharded_equals_unsharded(greedy, shape):
    mesh = make_mesh(*shape)
    model = create_sharded(CFG, mesh, seed=0)
    out = Sampler(model, mesh).generate(PROMPTS, SamplingConfig(max_new_tokens=STEPS,
                                                                temperature=0))
    np.testing.assert_array_equal(out.tokens, greedy.tokens)
    np.testing.assert_allclose(out.logprobs, greedy.logprobs, atol=2e-5)


def test_a_rematerialised_model_samples_as_the_plain_one(greedy):
    """The checkpoint presets train with per-layer remat; sampling the same weights must work
    (remat inside the decode loop once failed) and give the same tokens."""
    import dataclasses

    with jax.default_device(jax.devices()[0]):
        model = Decoder(dataclasses.replace(CFG, remat="full"), rngs=nnx.Rngs(0))
    out = Sampler(model).generate(PROMPTS, SamplingConfig(max_new_tokens=STEPS, temperature=0))
    np.testing.assert_array_equal(out.tokens, greedy.tokens)
    np.testing.assert_allclose(out.logprobs, greedy.logprobs, atol=1e-5)


def test_eos_and_stop_sequences_end_rows(model, greedy):
    row0 = greedy.tokens[0].tolist()
    eos = row0[4]  # the first occurrence of this token ends row 0
    first = row0.index(eos)
    out = Sampler(model).generate(PROMPTS, SamplingConfig(max_new_tokens=STEPS, temperature=0,
                                                          eos_token_id=eos, pad_token_id=63))
    assert out.lengths[0] == first + 1
    assert out.tokens[0, :first + 1].tolist() == row0[:first + 1]
    assert (out.tokens[0, first + 1:] == 63).all() and (out.logprobs[0, first + 1:] == 0).all()
    np.testing.assert_array_equal(out.response_mask[0], np.arange(STEPS) < first + 1)
    for i in range(len(PROMPTS)):  # every row stops at its own first eos, or runs to the end
        ref = greedy.tokens[i].tolist()
        expected = ref.index(eos) + 1 if eos in ref else STEPS
        assert out.lengths[i] == expected

    row1 = greedy.tokens[1].tolist()
    stop = tuple(row1[5:7])
    ends = [j + 2 for j in range(STEPS - 1) if tuple(row1[j:j + 2]) == stop]
    out = Sampler(model).generate(PROMPTS, SamplingConfig(max_new_tokens=STEPS, temperature=0,
                                                          stop_sequences=(stop,)))
    assert out.lengths[1] == ends[0]
    assert out.tokens[1, :ends[0]].tolist() == row1[:ends[0]]


def test_prompts_in_one_bucket_share_one_compiled_program(model):
    sampler = Sampler(model)
    config = SamplingConfig(max_new_tokens=4, temperature=0, prompt_buckets=(16, 32))
    sampler.generate([[1, 2, 3]], config)
    compiled = _generate._cache_size()
    sampler.generate([[7] * 15], config)
    sampler.generate([[7] * 9], config)
    assert _generate._cache_size() == compiled
    sampler.generate([[7] * 17], config)  # the next bucket compiles once
    assert _generate._cache_size() == compiled + 1
    assert bucket_length(40, (16, 32)) == 64


def test_bad_sampling_configs_are_named(model):
    with pytest.raises(ValueError, match="top_p=1.5"):
        SamplingConfig(top_p=1.5)
    with pytest.raises(ValueError, match="temperature=-1"):
        SamplingConfig(temperature=-1)
    with pytest.raises(ValueError, match="empty prompt"):
        Sampler(model).generate([[]], SamplingConfig())


def test_one_kv_cache_is_held_between_calls_whatever_the_shapes(model):
    """A cache is reused by the next call of its shape, and only the last one is kept: one
    cache per shape ever seen grew without bound over an evaluation's suites."""
    sampler = Sampler(model)
    config = SamplingConfig(max_new_tokens=4, temperature=0, prompt_buckets=(8, 16, 32))

    def held_caches():
        return sum(1 for a in jax.live_arrays()
                   if a.ndim == 4 and a.shape[1] == CFG.num_kv_heads and a.shape[3] ==
                   CFG.head_dim and a.shape[0] in (997, 998, 999))

    first = sampler.generate([[1] * 5] * 997, config)
    for rows, length in ((998, 12), (999, 20), (997, 5)):
        out = sampler.generate([[1] * length] * rows, config)
        assert held_caches() == 2 * CFG.num_layers  # keys and values of one cache
    assert out.tokens.tolist() == first.tokens.tolist()  # the reused cache starts clean


@pytest.mark.parametrize("temperature", [0.0, 0.9])
def test_a_prompt_sampled_many_times_is_read_once_with_the_same_result(model, temperature):
    """num_samples copies of a prompt share one prefill; the rows equal those of the prompt
    given num_samples times and read every time (same draws: the same key, the same rows)."""
    grouped = SamplingConfig(max_new_tokens=STEPS, temperature=temperature, num_samples=3)
    one_by_one = dataclasses.replace(grouped, num_samples=1)
    together = Sampler(model).generate(PROMPTS, grouped, seed=5)
    repeated = Sampler(model).generate([p for p in PROMPTS for _ in range(3)], one_by_one,
                                       seed=5)
    assert together.tokens.tolist() == repeated.tokens.tolist()
    np.testing.assert_allclose(together.logprobs, repeated.logprobs, rtol=1e-5, atol=1e-5)
    assert together.lengths.tolist() == repeated.lengths.tolist()
