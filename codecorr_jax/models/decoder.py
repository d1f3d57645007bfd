"""The Flax NNX decoder: a Llama / Qwen2-family transformer with an optional value head.

Module and parameter names mirror Hugging Face's (`layers[i].self_attn.q_proj.kernel` <->
`model.layers.{i}.self_attn.q_proj.weight`) so checkpoint conversion is a table, not a puzzle.
Every parameter is declared with logical axis names; `sharding.py` maps them to the mesh.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx

from codecorr_jax.models import rope, sharding
from codecorr_jax.models.config import REMAT_POLICIES, ModelConfig
from codecorr_jax.models.sharding import ActivationSharding, LogicalAxes, constrain

_INIT_STDDEV = 0.02  # the initializer range of Llama / Qwen2 configs


def _param(rngs: nnx.Rngs | None, shape: tuple[int, ...], axes: LogicalAxes, dtype: str,
           init: str = "normal") -> nnx.Param:
    if init == "normal":
        value = _INIT_STDDEV * jax.random.normal(rngs.params(), shape, jnp.float32)
    else:
        value = (jnp.ones if init == "ones" else jnp.zeros)(shape, jnp.float32)
    return nnx.Param(value.astype(dtype), logical_axes=axes)


class LoRAParam(nnx.Param):
    """A low-rank adapter's matrix: the only parameters trained when `lora_rank` > 0."""


def trainable(cfg: ModelConfig) -> nnx.filterlib.Filter:
    """The nnx filter of the parameters a trainer updates: under LoRA the adapters (and a
    critic's value head, which no checkpoint has trained), else all. Everything else stays in
    the frozen part of the split (no optimizer state for it)."""
    if not cfg.lora_rank:
        return nnx.Param
    return nnx.Any(LoRAParam, nnx.All(nnx.Param, nnx.PathContains("value_head")))


class LowRank(nnx.Module):
    """A LoRA adapter beside a projection with `n_in` input axes: x -> (x A) B * alpha / r.
    B starts at zero, so a new adapter leaves the model's function unchanged."""

    def __init__(self, in_shape: tuple[int, ...], in_axes: LogicalAxes,
                 out_shape: tuple[int, ...], out_axes: LogicalAxes, cfg: ModelConfig,
                 rngs: nnx.Rngs):
        r = cfg.lora_rank
        fan_in = math.prod(in_shape)
        a = jax.random.normal(rngs.params(), (*in_shape, r), jnp.float32) / fan_in ** 0.5
        self.lora_a = LoRAParam(a.astype(cfg.param_dtype), logical_axes=(*in_axes, None))
        self.lora_b = LoRAParam(jnp.zeros((r, *out_shape), cfg.param_dtype),
                                logical_axes=(None, *out_axes))
        self.scale = cfg.lora_alpha / r
        self.n_in = len(in_shape)
        self.dtype = cfg.dtype

    def __call__(self, x: jax.Array) -> jax.Array:
        low = jnp.tensordot(x, self.lora_a[...].astype(self.dtype), axes=self.n_in)
        return jnp.tensordot(low, self.lora_b[...].astype(self.dtype), axes=1) * self.scale

    def delta(self) -> jax.Array:
        """The update the adapter adds to its projection's kernel: A B * alpha / r, float32."""
        a = self.lora_a[...].astype(jnp.float32)
        return jnp.tensordot(a, self.lora_b[...].astype(jnp.float32), axes=1) * self.scale


def _adapter(name: str, in_shape: tuple[int, ...], in_axes: LogicalAxes,
             out_shape: tuple[int, ...], out_axes: LogicalAxes, cfg: ModelConfig,
             rngs: nnx.Rngs) -> LowRank | None:
    if not cfg.lora_rank or name not in cfg.lora_targets:
        return None
    return LowRank(in_shape, in_axes, out_shape, out_axes, cfg, rngs)


class RMSNorm(nnx.Module):
    """Root-mean-square norm computed in float32, scaled in the input dtype (as HF does)."""

    def __init__(self, size: int, eps: float, param_dtype: str):
        self.scale = _param(None, (size,), ("norm",), param_dtype, init="ones")
        self.eps = eps

    def __call__(self, x: jax.Array) -> jax.Array:
        x32 = x.astype(jnp.float32)
        normed = x32 * jax.lax.rsqrt(jnp.mean(x32 * x32, axis=-1, keepdims=True) + self.eps)
        return self.scale[...].astype(x.dtype) * normed.astype(x.dtype)


class Projection(nnx.Module):
    """A dense map `x @ kernel (+ bias)` whose kernel may have several output axes; `name`
    (HF's module name) decides whether it carries a LoRA adapter."""

    def __init__(self, in_size: int, out_shape: tuple[int, ...], axes: LogicalAxes,
                 cfg: ModelConfig, rngs: nnx.Rngs, bias: bool = False, name: str = ""):
        self.kernel = _param(rngs, (in_size, *out_shape), axes, cfg.param_dtype)
        self.bias = _param(None, out_shape, axes[1:], cfg.param_dtype, "zeros") if bias else None
        self.lora = _adapter(name, (in_size,), axes[:1], out_shape, axes[1:], cfg, rngs)
        self.dtype = cfg.dtype

    def __call__(self, x: jax.Array) -> jax.Array:
        x = x.astype(self.dtype)
        y = jnp.tensordot(x, self.kernel[...].astype(self.dtype), axes=1)
        if self.bias is not None:
            y = y + self.bias[...].astype(self.dtype)
        if self.lora is not None:
            y = y + self.lora(x)
        return y


class OutputProjection(nnx.Module):
    """Attention output: contracts (heads, head_dim) back to the model width."""

    def __init__(self, cfg: ModelConfig, rngs: nnx.Rngs):
        axes = ("heads", "head_dim", "embed")
        self.kernel = _param(rngs, (cfg.num_heads, cfg.head_dim, cfg.hidden_size), axes,
                             cfg.param_dtype)
        self.lora = _adapter("o_proj", (cfg.num_heads, cfg.head_dim), axes[:2],
                             (cfg.hidden_size,), axes[2:], cfg, rngs)
        self.dtype = cfg.dtype

    def __call__(self, x: jax.Array) -> jax.Array:
        y = jnp.tensordot(x, self.kernel[...].astype(self.dtype), axes=2)
        if self.lora is not None:
            y = y + self.lora(x)
        return y


def attention_mask(segment_ids: jax.Array) -> jax.Array:
    """(batch, 1, length, length) boolean mask: causal, within a segment, keys not padding.

    Segment id 0 marks padding; packed sequences use ids 1, 2, ... so tokens never attend across
    sequence boundaries.
    """
    length = segment_ids.shape[-1]
    causal = jnp.tril(jnp.ones((length, length), dtype=bool))
    same = segment_ids[:, :, None] == segment_ids[:, None, :]
    valid_key = (segment_ids != 0)[:, None, :]
    return (causal[None] & same & valid_key)[:, None]


class LayerCache(NamedTuple):
    """One layer's keys and values for every cache slot: (batch, kv_heads, slots, head_dim).

    Slots sit next to head_dim so each decode step's attention is a plain batched matmul over
    (batch, kv_heads) with no transpose of the whole cache (which would cost a cache copy per
    layer per step).
    """

    k: jax.Array
    v: jax.Array


class KVCache(NamedTuple):
    """Preallocated keys/values of all layers for incremental decoding.

    Slot s of every row holds the token written at step s; `valid` marks slots holding real
    tokens (left padding of short prompts is not valid), `index` is the next slot to write. All
    rows advance together, so one dynamic_update_slice writes a step for the whole batch.
    """

    layers: tuple[LayerCache, ...]
    valid: jax.Array  # (batch, slots) bool
    index: jax.Array  # () int32


def init_cache(cfg: ModelConfig, batch: int, slots: int) -> KVCache:
    """An empty cache for `batch` rows of up to `slots` tokens (prompt + generation)."""
    shape = (batch, cfg.num_kv_heads, slots, cfg.head_dim)
    layer = lambda: LayerCache(jnp.zeros(shape, cfg.dtype), jnp.zeros(shape, cfg.dtype))  # noqa
    return KVCache(tuple(layer() for _ in range(cfg.num_layers)),
                   jnp.zeros((batch, slots), bool), jnp.zeros((), jnp.int32))


def cached_attention_mask(valid: jax.Array, index: jax.Array, length: int) -> jax.Array:
    """(batch, 1, length, slots) mask for `length` new tokens written from slot `index`."""
    slots = jnp.arange(valid.shape[1])
    query_slots = index + jnp.arange(length)
    causal = slots[None, :] <= query_slots[:, None]
    return (valid[:, None, :] & causal[None])[:, None]


def attend_to_cache(q: jax.Array, k: jax.Array, v: jax.Array, mask: jax.Array,
                    scale: float) -> jax.Array:
    """Grouped-query attention of q (B, T, N, D) over cached k, v (B, K, S, D).

    mask: (B, 1, T, S). Scores and softmax in float32; returns (B, T, N, D) in q's dtype.
    A single decode token (T = 1) uses broadcast-multiply-reduce instead of a batched matmul:
    its per-(batch, head) matmuls are too thin for GEMM kernels (measured 5x faster on CPU).
    """
    batch, length, heads, dim = q.shape
    kv_heads = k.shape[1]
    q = q.reshape(batch, length, kv_heads, heads // kv_heads, dim)
    if length == 1:
        q1 = q[:, 0].astype(jnp.float32)  # (B, K, G, D)
        scores = jnp.sum(q1[:, :, :, None, :] * k[:, :, None].astype(jnp.float32), -1)
        scores = scores[:, :, :, None] * scale  # (B, K, G, 1, S)
    else:
        scores = jnp.einsum("btkgd,bksd->bkgts", q, k,
                            preferred_element_type=jnp.float32) * scale
    scores = jnp.where(mask[:, :, None], scores, jnp.finfo(jnp.float32).min)
    probs = jax.nn.softmax(scores, axis=-1)
    if length == 1:
        out = jnp.sum(probs[:, :, :, 0, :, None] * v[:, :, None].astype(jnp.float32), -2)
        out = out[:, None]  # (B, 1, K, G, D)
    else:
        out = jnp.einsum("bkgts,bksd->btkgd", probs.astype(v.dtype), v)
    return out.reshape(batch, length, heads, dim).astype(q.dtype)


def self_attention(q: jax.Array, k: jax.Array, v: jax.Array, mask: jax.Array, scale: float,
                   cfg: ModelConfig) -> jax.Array:
    """Causal self-attention of q (B, T, N, D) over this call's k, v (B, T, K, D).

    On the XLA path with `cfg.attention_query_block` = b < T, query rows [s, s + b) are scored
    only against keys [0, s + b): the mask is causal, so later keys are masked for them anyway.
    With n blocks that is (n + 1) / 2n of the dense scores; at T = 768 on CPU, blocks of 128 made
    attention's forward + backward 2.1x faster (BENCHMARKS.md). A row whose keys are all masked
    (padding) averages over fewer values than in the dense form; no loss or output reads it.
    """
    impl = None if cfg.attention_impl == "xla" else cfg.attention_impl
    block, length = cfg.attention_query_block, q.shape[1]
    if impl is not None or not block or length <= block:
        return jax.nn.dot_product_attention(q, k, v, mask=mask, scale=scale, implementation=impl)
    return jnp.concatenate([
        jax.nn.dot_product_attention(q[:, s:s + block], k[:, :s + block], v[:, :s + block],
                                     mask=mask[:, :, s:s + block, :s + block], scale=scale)
        for s in range(0, length, block)], axis=1)


class Attention(nnx.Module):
    """Grouped-query self-attention with rotary embeddings, optional q/k/v biases (Qwen2) and
    optional per-head q/k RMS norms (Qwen3)."""

    def __init__(self, cfg: ModelConfig, rngs: nnx.Rngs, act: ActivationSharding | None):
        h, d = cfg.hidden_size, cfg.head_dim
        self.q_proj = Projection(h, (cfg.num_heads, d), ("embed", "heads", "head_dim"), cfg,
                                 rngs, bias=cfg.qkv_bias, name="q_proj")
        self.k_proj = Projection(h, (cfg.num_kv_heads, d), ("embed", "kv_heads", "head_dim"),
                                 cfg, rngs, bias=cfg.qkv_bias, name="k_proj")
        self.v_proj = Projection(h, (cfg.num_kv_heads, d), ("embed", "kv_heads", "head_dim"),
                                 cfg, rngs, bias=cfg.qkv_bias, name="v_proj")
        self.o_proj = OutputProjection(cfg, rngs)
        self.q_norm = RMSNorm(d, cfg.rms_norm_eps, cfg.param_dtype) if cfg.qk_norm else None
        self.k_norm = RMSNorm(d, cfg.rms_norm_eps, cfg.param_dtype) if cfg.qk_norm else None
        self.config = cfg
        self.act = act

    def __call__(self, x: jax.Array, positions: jax.Array, mask: jax.Array,
                 cache: LayerCache | None = None,
                 index: jax.Array | None = None) -> tuple[jax.Array, LayerCache | None]:
        """Attend over this call's tokens, or over the cache after writing them at `index`."""
        cfg = self.config
        inv_freq = rope.inverse_frequencies(cfg.head_dim, cfg.rope_theta, cfg.rope_scaling)
        q, k = self.q_proj(x), self.k_proj(x)
        if self.q_norm is not None:  # Qwen3: each head's q and k, over head_dim, before RoPE
            q, k = self.q_norm(q), self.k_norm(k)
        q = rope.apply_rope(q, positions, inv_freq)
        k = rope.apply_rope(k, positions, inv_freq)
        v = self.v_proj(x)
        q = constrain(q, ("batch", "length", "act_heads", None), self.act)
        k = constrain(k, ("batch", "length", "act_kv_heads", None), self.act)
        v = constrain(v, ("batch", "length", "act_kv_heads", None), self.act)
        scale = cfg.head_dim ** -0.5
        if cache is not None:
            start = (0, 0, index, 0)
            write = lambda c, x: constrain(  # noqa: E731
                jax.lax.dynamic_update_slice(c, x.swapaxes(1, 2).astype(c.dtype), start),
                ("batch", "act_kv_heads", "length", None), self.act)
            cache = LayerCache(write(cache.k, k), write(cache.v, v))
            out = attend_to_cache(q, cache.k, cache.v, mask, scale)
        else:
            out = self_attention(q, k, v, mask, scale, cfg)
        return self.o_proj(out.astype(cfg.dtype)), cache


class MLP(nnx.Module):
    """SwiGLU feed-forward: down(silu(gate(x)) * up(x))."""

    def __init__(self, cfg: ModelConfig, rngs: nnx.Rngs, act: ActivationSharding | None):
        h, i = cfg.hidden_size, cfg.intermediate_size
        self.gate_proj = Projection(h, (i,), ("embed", "mlp"), cfg, rngs, name="gate_proj")
        self.up_proj = Projection(h, (i,), ("embed", "mlp"), cfg, rngs, name="up_proj")
        self.down_proj = Projection(i, (h,), ("mlp", "embed"), cfg, rngs, name="down_proj")
        self.act = act

    def __call__(self, x: jax.Array) -> jax.Array:
        hidden = jax.nn.silu(self.gate_proj(x)) * self.up_proj(x)
        return self.down_proj(constrain(hidden, ("batch", "length", "act_mlp"), self.act))


class Embedding(nnx.Module):
    """Token embedding table (vocab, hidden); also the output matrix when embeddings are tied."""

    def __init__(self, cfg: ModelConfig, rngs: nnx.Rngs):
        self.embedding = _param(rngs, (cfg.vocab_size, cfg.hidden_size), ("vocab", "embed"),
                                cfg.param_dtype)


class DecoderLayer(nnx.Module):
    """Pre-norm residual block: attention, then MLP."""

    def __init__(self, cfg: ModelConfig, rngs: nnx.Rngs, act: ActivationSharding | None):
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps, cfg.param_dtype)
        self.self_attn = Attention(cfg, rngs, act)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps,
                                                cfg.param_dtype)
        self.mlp = MLP(cfg, rngs, act)
        self.act = act

    def __call__(self, x: jax.Array, positions: jax.Array, mask: jax.Array,
                 cache: LayerCache | None = None,
                 index: jax.Array | None = None) -> tuple[jax.Array, LayerCache | None]:
        attended, cache = self.self_attn(self.input_layernorm(x), positions, mask, cache, index)
        x = x + attended
        x = x + self.mlp(self.post_attention_layernorm(x))
        return constrain(x, ("batch", "length", "act_embed"), self.act), cache


def stack_layers(layers: list[DecoderLayer]) -> DecoderLayer:
    """One DecoderLayer whose every variable stacks the layers' on a leading axis named
    "layers" (what `Decoder._scan` runs over); layer i of the stack is `layers[i]`."""
    graphdef = nnx.graphdef(layers[0])
    states = [nnx.state(layer) for layer in layers]

    def stack(*variables: nnx.Variable) -> nnx.Variable:
        axes = sharding.logical_axes_of(variables[0])
        return variables[0].replace(jnp.stack([v.get_value() for v in variables]),
                                    logical_axes=("layers", *axes))

    return nnx.merge(graphdef, jax.tree.map(stack, *states, is_leaf=sharding.is_variable))


def layer_slice(stacked: nnx.Module, i: int) -> nnx.Module:
    """Layer `i` of a module stacked by `stack_layers` (or any submodule of it): the same
    module with each variable's slice i."""
    graphdef, state = nnx.split(stacked)
    return nnx.merge(graphdef, jax.tree.map(lambda value: value[i], state))


@jax.jit
def entropy_from_logits(logits: jax.Array) -> jax.Array:
    """(B, T, V) logits -> (B, T) entropy in nats, via log_softmax (no overflow, -inf allowed)."""
    logp = jax.nn.log_softmax(logits.astype(jnp.float32), axis=-1)
    p = jnp.exp(logp)
    return -jnp.sum(jnp.where(p > 0, p * logp, 0.0), axis=-1)


class DecoderOutput(NamedTuple):
    logits: jax.Array  # (batch, length, vocab) float32
    values: jax.Array | None  # (batch, length) float32 when the model has a value head
    hidden: jax.Array  # (batch, length, hidden) final normed hidden state
    cache: KVCache | None = None  # the updated cache when one was passed in


class Decoder(nnx.Module):
    """Decoder-only language model; `Decoder(cfg, rngs=nnx.Rngs(seed))`."""

    def __init__(self, cfg: ModelConfig, *, rngs: nnx.Rngs,
                 act_sharding: ActivationSharding | None = None):
        self.config = cfg
        self.act = act_sharding
        self.embed_tokens = Embedding(cfg, rngs)
        layers = [DecoderLayer(cfg, rngs, act_sharding) for _ in range(cfg.num_layers)]
        # Stacked, the layers are one DecoderLayer whose variables have a leading layers axis.
        self.layers = stack_layers(layers) if cfg.scan_layers else nnx.List(layers)
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps, cfg.param_dtype)
        self.lm_head = None if cfg.tie_word_embeddings else Projection(
            cfg.hidden_size, (cfg.vocab_size,), ("embed", "vocab"), cfg, rngs)
        self.value_head = Projection(cfg.hidden_size, (1,), ("embed", "value"), cfg, rngs,
                                     bias=True) if cfg.value_head else None

    def __call__(self, input_ids: jax.Array, positions: jax.Array | None = None,
                 segment_ids: jax.Array | None = None,
                 cache: KVCache | None = None, compute_logits: bool = True) -> DecoderOutput:
        """Forward pass over (batch, length) token ids.

        positions: per-token positions for rotary embeddings (default 0..length-1; packed
          sequences restart them per segment). segment_ids: 0 marks padding, equal nonzero ids
          mark tokens of the same sequence (default: one sequence per row, no padding).
        cache: decode incrementally: the tokens are written at `cache.index` and attend to every
          valid earlier slot (one sequence per row; segment_ids then only mark padding).
        compute_logits: False leaves `logits` None (a loss projects `hidden` itself, in chunks:
          `token_logprobs`).
        """
        cfg = self.config
        batch, length = input_ids.shape
        if positions is None:
            positions = jnp.broadcast_to(jnp.arange(length, dtype=jnp.int32), (batch, length))
        if segment_ids is None:
            segment_ids = jnp.ones((batch, length), dtype=jnp.int32)
        if cache is None:
            mask = attention_mask(segment_ids)
        else:
            valid = jax.lax.dynamic_update_slice(cache.valid, segment_ids != 0, (0, cache.index))
            mask = cached_attention_mask(valid, cache.index, length)
        embedding = self.embed_tokens.embedding[...]
        # Gather the fsdp-split width first (what FSDP does for every weight) so the row lookup
        # only has to resolve the vocabulary split; otherwise XLA replicates the whole lookup.
        table = constrain(embedding, ("vocab", None), self.act)
        x = jnp.take(table, input_ids, axis=0).astype(cfg.dtype)
        x = constrain(x, ("batch", "length", "act_embed"), self.act)

        if cache is not None:  # decoding is never differentiated: no remat
            new_layers = []
            for i in range(cfg.num_layers):
                x, layer_cache = self.layer(i)(x, positions, mask, cache.layers[i], cache.index)
                new_layers.append(layer_cache)
            cache = KVCache(tuple(new_layers), valid, cache.index + length)
        elif cfg.scan_layers:
            x = self._scan(x, positions, mask)
        else:
            run_layer = lambda layer, x: layer(x, positions, mask)[0]  # noqa: E731
            policy = REMAT_POLICIES[cfg.remat]
            if policy is not None:
                run_layer = nnx.remat(run_layer, policy=getattr(jax.checkpoint_policies, policy))
            for layer in self.layers:
                x = run_layer(layer, x)
        hidden = self.norm(x)
        logits = self.project(hidden) if compute_logits else None
        values = None
        if self.value_head is not None:
            values = self.value_head(hidden).astype(jnp.float32)[..., 0]
        return DecoderOutput(logits=logits, values=values, hidden=hidden, cache=cache)

    def layer(self, i: int) -> DecoderLayer:
        """Layer `i` (with stacked layers: a view of its slice of the stack)."""
        return layer_slice(self.layers, i) if self.config.scan_layers else self.layers[i]

    def _scan(self, x: jax.Array, positions: jax.Array, mask: jax.Array) -> jax.Array:
        """The stacked layers as one jax.lax.scan over their leading axis, each step one layer
        (rematerialised by `config.remat`)."""
        graphdef, stack = nnx.split(self.layers)

        def step(x: jax.Array, layer_state: nnx.State) -> tuple[jax.Array, None]:
            return nnx.merge(graphdef, layer_state)(x, positions, mask)[0], None

        policy = REMAT_POLICIES[self.config.remat]
        if policy is not None:
            step = jax.checkpoint(step, policy=getattr(jax.checkpoint_policies, policy),
                                  prevent_cse=False)  # scan already keeps the steps apart
        return jax.lax.scan(step, x, stack)[0]

    def _output_matrix(self) -> tuple[jax.Array, str]:
        if self.lm_head is None:
            return self.embed_tokens.embedding[...], "btd,vd->btv"
        return self.lm_head.kernel[...], "btd,dv->btv"

    def project(self, hidden: jax.Array) -> jax.Array:
        """(batch, length, hidden) -> float32 logits over the vocabulary."""
        matrix, spec = self._output_matrix()
        logits = jnp.einsum(spec, hidden, matrix.astype(self.config.dtype),
                            preferred_element_type=jnp.float32)
        return constrain(logits, ("batch", "length", "act_vocab"), self.act)

    def token_logprobs(self, hidden: jax.Array, targets: jax.Array, temperature: float = 1.0
                       ) -> tuple[jax.Array, jax.Array]:
        """(log p(target), entropy) per position, both (batch, length) float32, of the logits
        `project(hidden) / temperature`.

        With `config.logits_chunk` = c > 0 the vocabulary is projected c positions at a time
        under rematerialisation, so neither the forward nor the backward pass holds more than
        (batch, c, vocab) logits (a 152k vocabulary at length 2k would otherwise take 1.2 GB a
        row in float32). Equal to the whole computation (tested).
        """
        def one(h: jax.Array, t: jax.Array) -> tuple[jax.Array, jax.Array]:
            logits = self.project(h) / temperature
            logp = jax.nn.log_softmax(logits, axis=-1)
            chosen = jnp.take_along_axis(logp, t[..., None], axis=-1)[..., 0]
            return chosen, entropy_from_logits(logits)

        chunk, (batch, length) = self.config.logits_chunk, targets.shape
        if not chunk or length <= chunk:
            return one(hidden, targets)
        count = -(-length // chunk)
        pad = count * chunk - length
        h = jnp.pad(hidden, ((0, 0), (0, pad), (0, 0)))
        t = jnp.pad(targets, ((0, 0), (0, pad)))
        h = h.reshape(batch, count, chunk, -1).swapaxes(0, 1)
        t = t.reshape(batch, count, chunk).swapaxes(0, 1)
        chosen, entropy = jax.lax.map(lambda xs: jax.checkpoint(one)(*xs), (h, t))
        unchunk = lambda x: x.swapaxes(0, 1).reshape(batch, count * chunk)[:, :length]  # noqa
        return unchunk(chosen), unchunk(entropy)


def abstract_decoder(cfg: ModelConfig, act_sharding: ActivationSharding | None = None) -> Decoder:
    """The decoder's structure with ShapeDtypeStruct leaves: no memory, no compute."""
    return nnx.eval_shape(lambda: Decoder(cfg, rngs=nnx.Rngs(0), act_sharding=act_sharding))


def create_sharded(cfg: ModelConfig, mesh: jax.sharding.Mesh, seed: int = 0,
                   rules: sharding.Rules = sharding.DEFAULT_RULES) -> Decoder:
    """A randomly initialised decoder whose parameters are born sharded on `mesh`.

    Initialisation runs under jit with the target shardings as outputs, so no device ever holds
    the full model (what lets a large model be initialised at all).
    """
    act = ActivationSharding(mesh, rules)
    graphdef, abstract_state = nnx.split(abstract_decoder(cfg, act))
    shardings = sharding.state_shardings(abstract_state, mesh, rules)

    def init() -> nnx.State:
        return nnx.state(Decoder(cfg, rngs=nnx.Rngs(seed), act_sharding=act))

    state = jax.jit(init, out_shardings=shardings)()
    return nnx.merge(graphdef, state)
