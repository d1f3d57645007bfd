"""Jitted generation with a preallocated KV cache: prefill, then a decode loop on device.

One compiled call per (batch, prompt bucket, sampling config) generates every token: the prompt
is prefilled in one forward pass, then a `lax.while_loop` decodes one token per step for the
whole batch until every row has finished (EOS, a stop sequence, or max_new_tokens). The cache is
allocated once, donated into the call and handed back, so the decode loop allocates nothing
and never copies the cache. A prompt sampled several times is read once, its cache given to
every copy. Prompts are left-padded to a length bucket so batches of different prompts reuse
the same compiled program.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Callable, NamedTuple, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from codecorr_jax import hosts
from codecorr_jax.models import sharding
from codecorr_jax.models.decoder import Decoder, KVCache, LayerCache, init_cache


@dataclasses.dataclass(frozen=True)
class SamplingConfig:
    """How to sample; hashable, so it is a static argument of the compiled loop."""

    max_new_tokens: int = 128
    temperature: float = 1.0  # 0 = greedy
    top_k: int = 0  # 0 = no top-k filter
    top_p: float = 1.0  # 1 = no nucleus filter
    num_samples: int = 1  # samples per prompt (pass@k, group-relative RL)
    eos_token_id: int | None = None
    pad_token_id: int = 0
    stop_sequences: tuple[tuple[int, ...], ...] = ()  # token-id sequences that end a row
    prompt_buckets: tuple[int, ...] = (16, 32, 64, 128, 256, 512, 1024, 2048)

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens={self.max_new_tokens} must be >= 1")
        if self.temperature < 0:
            raise ValueError(f"temperature={self.temperature} must be >= 0 (0 = greedy)")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p={self.top_p} must be in (0, 1]")
        if self.top_k < 0 or self.num_samples < 1:
            raise ValueError(f"top_k={self.top_k} must be >= 0 and num_samples="
                             f"{self.num_samples} >= 1")
        if any(len(s) == 0 for s in self.stop_sequences):
            raise ValueError("stop_sequences must not contain an empty sequence")


class SampleOutput(NamedTuple):
    """Generated rows, `num_samples` consecutive rows per prompt, in the PPO core's shapes."""

    prompt_tokens: np.ndarray  # (rows, prompt_bucket) int32, left-padded with pad_token_id
    prompt_mask: np.ndarray  # (rows, prompt_bucket) bool
    tokens: np.ndarray  # (rows, max_new_tokens) int32; pad_token_id after a row finished
    logprobs: np.ndarray  # (rows, max_new_tokens) log-softmax of the model's logits (T = 1)
    sampling_logprobs: np.ndarray  # (rows, max_new_tokens) under the filtered, tempered policy
    lengths: np.ndarray  # (rows,) generated tokens, the EOS / stop tokens included
    response_mask: np.ndarray  # (rows, max_new_tokens) bool: position < length


def filter_logits(logits: jax.Array, config: SamplingConfig) -> jax.Array:
    """Tempered logits with top-k / top-p exclusions set to -inf (temperature > 0)."""
    logits = logits.astype(jnp.float32) / config.temperature
    if config.top_k > 0:
        kth = jax.lax.top_k(logits, config.top_k)[0][..., -1:]
        logits = jnp.where(logits < kth, -jnp.inf, logits)
    if config.top_p < 1.0:
        ordered = jnp.sort(logits, axis=-1)[..., ::-1]
        probs = jax.nn.softmax(ordered, axis=-1)
        # keep the smallest prefix whose mass reaches top_p (the first token always stays)
        keep = jnp.cumsum(probs, axis=-1) - probs < config.top_p
        threshold = jnp.min(jnp.where(keep, ordered, jnp.inf), axis=-1, keepdims=True)
        logits = jnp.where(logits < threshold, -jnp.inf, logits)
    return logits


def sample_tokens(logits: jax.Array, key: jax.Array,
                  config: SamplingConfig) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Next tokens for (batch, vocab) logits: (tokens, model logprobs, sampling logprobs)."""
    model_logprobs = jax.nn.log_softmax(logits.astype(jnp.float32), axis=-1)
    if config.temperature == 0:
        tokens = jnp.argmax(logits, axis=-1).astype(jnp.int32)
        sampling_logprobs = jnp.zeros(tokens.shape, jnp.float32)  # deterministic: p = 1
    else:
        filtered = filter_logits(logits, config)
        tokens = jax.random.categorical(key, filtered, axis=-1).astype(jnp.int32)
        sampling_logprobs = jnp.take_along_axis(jax.nn.log_softmax(filtered, axis=-1),
                                                tokens[:, None], axis=-1)[:, 0]
    chosen = jnp.take_along_axis(model_logprobs, tokens[:, None], axis=-1)[:, 0]
    return tokens, chosen, sampling_logprobs


def _ends_with_stop(tokens: jax.Array, step: jax.Array,
                    stops: tuple[tuple[int, ...], ...]) -> jax.Array:
    """Rows whose generated tokens [.. step] end with one of the stop sequences."""
    hit = jnp.zeros(tokens.shape[0], bool)
    for stop in stops:
        n = len(stop)
        start = jnp.maximum(step + 1 - n, 0)
        tail = jax.lax.dynamic_slice_in_dim(tokens, start, n, axis=1)
        hit |= (step + 1 >= n) & jnp.all(tail == jnp.asarray(stop, jnp.int32), axis=1)
    return hit


class _LoopState(NamedTuple):
    step: jax.Array
    cache: KVCache
    logits: jax.Array  # (batch, vocab) for the token about to be chosen
    positions: jax.Array  # (batch,) rotary position of that token
    tokens: jax.Array
    logprobs: jax.Array
    sampling_logprobs: jax.Array
    lengths: jax.Array
    done: jax.Array
    key: jax.Array


def _batch_rows(cache: KVCache, pick: Callable[[jax.Array], jax.Array]) -> KVCache:
    """`pick` applied to every batch-major array of a cache (its keys, values and `valid`)."""
    return KVCache(tuple(LayerCache(pick(layer.k), pick(layer.v)) for layer in cache.layers),
                   pick(cache.valid), cache.index)


def _prefill(model: Decoder, prompt_ids: jax.Array, prompt_mask: jax.Array, cache: KVCache,
             group: int) -> tuple[KVCache, jax.Array]:
    """The cache after reading the prompts, and the logits of each row's next token.

    Rows come in runs of `group` copies of one prompt (a prompt sampled `num_samples` times):
    each prompt is read once and its keys, values and logits given to every copy. That divides
    the prefill's work and its peak memory (attention scores, full-prompt logits) by `group`;
    the values are the ones reading every copy would give."""
    positions = jnp.maximum(jnp.cumsum(prompt_mask, axis=1) - 1, 0).astype(jnp.int32)
    if group > 1:  # one copy of each prompt
        first = lambda x: x[::group]  # noqa: E731
        prompt_ids, prompt_mask, positions = first(prompt_ids), first(prompt_mask), first(positions)
        cache = _batch_rows(cache, first)
    out = model(prompt_ids, positions=positions, segment_ids=prompt_mask.astype(jnp.int32),
                cache=cache)
    if group == 1:
        return out.cache, out.logits[:, -1]
    copies = lambda x: jnp.repeat(x, group, axis=0)  # noqa: E731
    return _batch_rows(out.cache, copies), copies(out.logits[:, -1])


@functools.partial(jax.jit, static_argnames=("graphdef", "config", "prefill_group"),
                   donate_argnames=("cache",))
def _generate(graphdef: nnx.GraphDef, state: nnx.State, prompt_ids: jax.Array,
              prompt_mask: jax.Array, cache: KVCache, key: jax.Array,
              config: SamplingConfig, prefill_group: int = 1
              ) -> tuple[tuple[jax.Array, ...], KVCache]:
    """The compiled prefill + decode loop (pure: arrays in, arrays out). Rows come in runs of
    `prefill_group` copies of one prompt, each run's prompt read once (`_prefill`)."""
    model: Decoder = nnx.merge(graphdef, state)
    batch, prompt_len = prompt_ids.shape
    steps = config.max_new_tokens
    cache = KVCache(cache.layers, jnp.zeros_like(cache.valid), jnp.zeros((), jnp.int32))
    cache, logits = _prefill(model, prompt_ids, prompt_mask, cache, prefill_group)
    buffer = lambda dtype, fill: jnp.full((batch, steps), fill, dtype)  # noqa: E731
    init = _LoopState(
        step=jnp.zeros((), jnp.int32), cache=cache, logits=logits,
        positions=prompt_mask.sum(axis=1).astype(jnp.int32),
        tokens=buffer(jnp.int32, config.pad_token_id), logprobs=buffer(jnp.float32, 0.0),
        sampling_logprobs=buffer(jnp.float32, 0.0), lengths=jnp.zeros((batch,), jnp.int32),
        done=jnp.zeros((batch,), bool), key=key)

    def keep_going(s: _LoopState) -> jax.Array:
        return (s.step < steps) & ~jnp.all(s.done)

    def decode_step(s: _LoopState) -> _LoopState:
        key, step_key = jax.random.split(s.key)
        token, logprob, sampling_logprob = sample_tokens(s.logits, step_key, config)
        token = jnp.where(s.done, config.pad_token_id, token)
        tokens = s.tokens.at[:, s.step].set(token)
        logprobs = s.logprobs.at[:, s.step].set(jnp.where(s.done, 0.0, logprob))
        sampling_logprobs = s.sampling_logprobs.at[:, s.step].set(
            jnp.where(s.done, 0.0, sampling_logprob))
        finished = _ends_with_stop(tokens, s.step, config.stop_sequences)
        if config.eos_token_id is not None:
            finished |= token == config.eos_token_id
        out = model(token[:, None], positions=s.positions[:, None],
                    segment_ids=jnp.ones((batch, 1), jnp.int32), cache=s.cache)
        return _LoopState(step=s.step + 1, cache=out.cache, logits=out.logits[:, -1],
                          positions=s.positions + 1, tokens=tokens, logprobs=logprobs,
                          sampling_logprobs=sampling_logprobs,
                          lengths=s.lengths + (~s.done).astype(jnp.int32),
                          done=s.done | finished, key=key)

    final = jax.lax.while_loop(keep_going, decode_step, init)
    return (final.tokens, final.logprobs, final.sampling_logprobs, final.lengths), final.cache


def bucket_length(length: int, buckets: Sequence[int]) -> int:
    """The smallest bucket holding `length`; beyond the largest, the next multiple of it."""
    for b in sorted(buckets):
        if length <= b:
            return b
    top = max(buckets)
    return -(-length // top) * top


class Sampler:
    """Generates from a (possibly sharded) Decoder; reuses compiled programs and caches."""

    def __init__(self, model: Decoder, mesh: jax.sharding.Mesh | None = None,
                 rules: sharding.Rules = sharding.DEFAULT_RULES):
        self.model = model
        self.mesh = mesh
        self.rules = rules
        # The last generation's cache, for the next one of the same shape. Only one is held:
        # callers send prompts sorted by length, so consecutive batches mostly share a shape,
        # and one cache per shape ever seen held gigabytes over an evaluation's suites.
        self._spare: tuple[tuple[int, int], KVCache] | None = None

    def _batch_multiple(self) -> int:
        """Rows must be a multiple of the batch's data-parallel split."""
        return 1 if self.mesh is None else sharding.shards_along("batch", self.mesh.shape,
                                                                 self.rules)

    def _cache(self, rows: int, slots: int) -> KVCache:
        spare, self._spare = self._spare, None
        if spare is not None and spare[0] == (rows, slots):
            return spare[1]
        del spare  # another shape: freed before the new cache is made
        make = functools.partial(init_cache, self.model.config, rows, slots)
        if self.mesh is None:
            return jax.jit(make)()
        cfg = self.model.config
        kv_spec = sharding.logical_to_spec(("batch", "act_kv_heads", None, None), self.rules)
        kv = jax.sharding.NamedSharding(self.mesh, sharding.fit_spec(
            kv_spec, (rows, cfg.num_kv_heads, slots, cfg.head_dim), self.mesh))
        out = KVCache(tuple(LayerCache(kv, kv) for _ in range(cfg.num_layers)),
                      sharding.batch_sharding(self.mesh, 2, self.rules),
                      jax.sharding.NamedSharding(self.mesh, jax.sharding.PartitionSpec()))
        return jax.jit(make, out_shardings=out)()

    def generate(self, prompts: Sequence[Sequence[int]], config: SamplingConfig,
                 seed: int | jax.Array = 0) -> SampleOutput:
        """Sample `config.num_samples` continuations of every prompt (token-id lists)."""
        if not prompts or any(len(p) == 0 for p in prompts):
            raise ValueError("generate() needs at least one prompt, and no empty prompt")
        rows = [list(p) for p in prompts for _ in range(config.num_samples)]
        bucket = bucket_length(max(map(len, rows)), config.prompt_buckets)
        multiple = self._batch_multiple()
        padded_rows = -(-len(rows) // multiple) * multiple
        ids = np.full((padded_rows, bucket), config.pad_token_id, np.int32)
        mask = np.zeros((padded_rows, bucket), bool)
        for i, row in enumerate(rows + [[config.pad_token_id]] * (padded_rows - len(rows))):
            ids[i, bucket - len(row):] = row
            mask[i, bucket - len(row):] = True
        key = jax.random.key(seed) if isinstance(seed, int) else seed
        ids_dev, mask_dev = ids, mask
        if self.mesh is not None:
            batch = sharding.batch_sharding(self.mesh, 2, self.rules)
            ids_dev, mask_dev = hosts.put(ids, batch), hosts.put(mask, batch)
        graphdef, state = nnx.split(self.model)
        cache = self._cache(padded_rows, bucket + config.max_new_tokens)
        # Each prompt's copies are consecutive, the padding rows too when they fill whole runs.
        group = config.num_samples if padded_rows % config.num_samples == 0 else 1
        outputs, cache = _generate(graphdef, state, ids_dev, mask_dev, cache, key, config,
                                   prefill_group=group)
        tokens, logprobs, sampling_logprobs, lengths = (
            hosts.fetch(x)[: len(rows)] for x in jax.block_until_ready(outputs))
        self._spare = ((padded_rows, bucket + config.max_new_tokens), cache)
        response_mask = np.arange(config.max_new_tokens)[None] < lengths[:, None]
        return SampleOutput(ids[: len(rows)], mask[: len(rows)], tokens, logprobs,
                            sampling_logprobs, lengths, response_mask)

