"""Hugging Face checkpoint import and export (LlamaForCausalLM, Qwen2ForCausalLM), no torch.

Import streams one tensor at a time from the safetensors files straight into its target sharding
(`jax.make_array_from_callback` hands each device only its slice), so the host never holds more
than one tensor of the model at once; a large model loads on a host with little spare memory.
Export writes the same format back (config.json, safetensors shards + index) so a trained model
can be served by standard inference tools; the critic's value head, which HF classes lack, goes
to its own `value_head.safetensors`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import shutil
import tempfile
import zlib
from typing import Any, Iterator

import jax
import ml_dtypes
import numpy as np
from flax import nnx
from safetensors import safe_open
from safetensors.numpy import save_file

from codecorr_jax import hosts
from codecorr_jax.fileio import replace_dir
from codecorr_jax.models import sharding
from codecorr_jax.models.config import ModelConfig, read_hf_config, to_hf_dict
from codecorr_jax.models.decoder import (Decoder, LoRAParam, LowRank, abstract_decoder,
                                         layer_slice)

log = logging.getLogger(__name__)

VALUE_HEAD_FILE = "value_head.safetensors"
_HF_CLASSES = {"llama": ("LlamaConfig", "LlamaForCausalLM"),
               "qwen2": ("Qwen2Config", "Qwen2ForCausalLM"),
               "qwen3": ("Qwen3Config", "Qwen3ForCausalLM")}
# Buffers some checkpoints carry that are recomputed, not learned.
_IGNORED_SUFFIXES = ("rotary_emb.inv_freq",)
_NP_DTYPES = {"float32": np.float32, "bfloat16": ml_dtypes.bfloat16}


class CheckpointError(ValueError):
    """A checkpoint that does not fit the model; the message names the tensor."""


def hf_tensor_name(path: tuple[Any, ...]) -> str:
    """HF tensor name of one of our parameters, e.g. ('layers', 0, 'mlp', 'up_proj', 'kernel')."""
    parts = [str(p) for p in path]
    leaf = {"kernel": "weight", "scale": "weight", "embedding": "weight", "bias": "bias"}[parts[-1]]
    if parts[0] == "value_head":
        return f"value_head.{leaf}"
    if parts[0] == "lm_head":
        return f"lm_head.{leaf}"
    return "model." + ".".join(parts[:-1] + [leaf])


def hf_shape(path: tuple[Any, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """Shape of the HF tensor for one of our parameters of `shape`.

    HF linear weights are (out_features, in_features); ours are (in..., out...) with heads split
    out. The attention output kernel has two input axes (heads, head_dim); all others have one.
    """
    if path[-1] != "kernel":
        return (math.prod(shape),) if path[-1] == "bias" else tuple(shape)
    n_in = 2 if "o_proj" in path else 1
    return (math.prod(shape[n_in:]), math.prod(shape[:n_in]))


def to_ours(path: tuple[Any, ...], tensor: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """HF layout -> ours."""
    if path[-1] == "kernel":
        return tensor.T.reshape(shape)
    return tensor.reshape(shape)


def to_hf(path: tuple[Any, ...], array: np.ndarray) -> np.ndarray:
    """Our layout -> HF (contiguous, ready to save)."""
    target = hf_shape(path, array.shape)
    if path[-1] == "kernel":
        return np.ascontiguousarray(array.reshape(target[::-1]).T)
    return np.ascontiguousarray(array.reshape(target))


class _TensorIndex:
    """Finds each tensor of a (possibly sharded) safetensors checkpoint, one file open at a time."""

    def __init__(self, checkpoint_dir: str):
        self.dir = checkpoint_dir
        index = os.path.join(checkpoint_dir, "model.safetensors.index.json")
        if os.path.isfile(index):
            with open(index, encoding="utf-8") as f:
                self.file_of: dict[str, str] = json.load(f)["weight_map"]
        else:
            files = sorted(f for f in os.listdir(checkpoint_dir) if f.endswith(".safetensors")
                           and f != VALUE_HEAD_FILE)
            if not files:
                raise CheckpointError(f"no *.safetensors files in {checkpoint_dir!r}")
            self.file_of = {}
            for name in files:
                with safe_open(os.path.join(checkpoint_dir, name), framework="np") as f:
                    self.file_of.update({key: name for key in f.keys()})
        value_head = os.path.join(checkpoint_dir, VALUE_HEAD_FILE)
        if os.path.isfile(value_head):
            with safe_open(value_head, framework="np") as f:
                self.file_of.update({key: VALUE_HEAD_FILE for key in f.keys()})

    def __contains__(self, name: str) -> bool:
        return name in self.file_of

    def load(self, name: str) -> np.ndarray:
        with safe_open(os.path.join(self.dir, self.file_of[name]), framework="np") as f:
            return f.get_tensor(name)


def _variables(state: nnx.State) -> Iterator[tuple[tuple[Any, ...], nnx.Variable]]:
    for path, var in nnx.to_flat_state(state):
        yield tuple(path), var


def _layer_paths(path: tuple[Any, ...], cfg: ModelConfig) -> list[tuple[Any, ...]] | None:
    """With stacked layers (`scan_layers`), the per-layer paths ('layers', i, ...) a stacked
    variable holds, in order; None for a variable that is not stacked."""
    if not cfg.scan_layers or path[0] != "layers":
        return None
    return [("layers", i, *path[1:]) for i in range(cfg.num_layers)]


def _new_adapter_matrix(path: tuple[Any, ...], shape: tuple[int, ...]) -> np.ndarray:
    """A fresh LoRA matrix: B zero; A normal with variance 1 / fan-in, seeded by its path (the
    same on every host and every run)."""
    if path[-1] == "lora_b":
        return np.zeros(shape, np.float32)
    rng = np.random.default_rng(zlib.crc32("/".join(map(str, path)).encode()))
    return rng.standard_normal(shape).astype(np.float32) / math.sqrt(math.prod(shape[:-1]))


def load_hf_checkpoint(checkpoint_dir: str, mesh: jax.sharding.Mesh,
                       rules: sharding.Rules = sharding.DEFAULT_RULES,
                       **config_overrides: Any) -> Decoder:
    """A sharded Decoder with the weights of the HF checkpoint in `checkpoint_dir`.

    `config_overrides` set ModelConfig fields the checkpoint does not decide (dtype, param_dtype,
    value_head, attention_impl, remat, lora_*). A value head missing from the checkpoint starts
    at zero; LoRA adapters start new (B zero), so the loaded model computes the checkpoint's
    function.
    """
    cfg = read_hf_config(checkpoint_dir, **config_overrides)
    act = sharding.ActivationSharding(mesh, rules)
    graphdef, abstract_state = nnx.split(abstract_decoder(cfg, act))
    index = _TensorIndex(checkpoint_dir)
    target_dtype = _NP_DTYPES[cfg.param_dtype]
    used: set[str] = set()

    def host_value(path: tuple[Any, ...], shape: tuple[int, ...], adapter: bool) -> np.ndarray:
        name = None if adapter else hf_tensor_name(path)
        if name is None:  # a new adapter: A random, B zero (the checkpoint's function unchanged)
            return _new_adapter_matrix(path, shape).astype(target_dtype)
        if name not in index:
            if path[0] != "value_head":
                raise CheckpointError(f"checkpoint {checkpoint_dir!r} has no tensor {name!r} "
                                      f"(needed for parameter {'.'.join(map(str, path))})")
            log.info("value head not in checkpoint: %s starts at zero", name)
            return np.zeros(shape, target_dtype)
        tensor = index.load(name)
        expected = hf_shape(path, shape)
        if tuple(tensor.shape) != expected:
            raise CheckpointError(f"tensor {name!r} has shape {tuple(tensor.shape)}, "
                                  f"expected {expected} from config.json")
        used.add(name)
        return to_ours(path, tensor, shape).astype(target_dtype)

    loaded = []
    for path, var in _variables(abstract_state):
        shape = tuple(var.get_value().shape)
        adapter = isinstance(var, LoRAParam)
        per_layer = _layer_paths(path, cfg)
        if per_layer is None:
            host = host_value(path, shape, adapter)
        else:  # stacked layers: the per-layer tensors of this kind, one stack on the host
            host = np.stack([host_value(p, shape[1:], adapter) for p in per_layer])
        target = sharding.variable_sharding(var, mesh, rules)
        loaded.append((path, var.replace(hosts.put(host, target))))
        del host
    unused = [n for n in index.file_of if n not in used and not n.endswith(_IGNORED_SUFFIXES)
              and not (cfg.tie_word_embeddings and n == "lm_head.weight")
              and not n.startswith("value_head.")]
    if unused:
        raise CheckpointError(f"checkpoint {checkpoint_dir!r} has tensors the model does not use "
                              f"(unsupported option?): {unused[:5]}")
    return nnx.merge(graphdef, nnx.from_flat_state(loaded))


@contextlib.contextmanager
def _written_aside(out_dir: str, prefix: str) -> Iterator[str]:
    """A temporary directory beside `out_dir` to write a checkpoint into (the caller moves it
    into place with `replace_dir`); removed if anything fails before that."""
    tmp = tempfile.mkdtemp(prefix=prefix, dir=os.path.dirname(os.path.abspath(out_dir)))
    try:
        yield tmp
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)


def save_hf_checkpoint(model: Decoder, out_dir: str, *, tokenizer: Any | None = None,
                       max_shard_bytes: int = 4 << 30, dtype: str | None = None) -> None:
    """Write `model` as an HF checkpoint directory, atomically (written aside, then renamed).

    Every process must call this (gathering a sharded array is collective); only process 0
    writes. `tokenizer` (anything with save_pretrained) is saved alongside when given. LoRA
    adapters are merged into their kernels (`save_peft_adapter` writes them apart).
    """
    import transformers  # deferred: the import is slow and only export needs it

    cfg: ModelConfig = model.config
    np_dtype = _NP_DTYPES[dtype or cfg.param_dtype]
    config_cls, arch = _HF_CLASSES[cfg.architecture]
    hf_config = getattr(transformers, config_cls)(**to_hf_dict(cfg))
    hf_config.architectures = [arch]

    # (HF-layout path, variable, its layer in a stack or None): stacked layers are written per
    # layer, as HF names them; adapters are merged into their kernels.
    entries = [(p, var, None if per_layer is None else i)
               for path, var in _variables(nnx.state(model, nnx.Param))
               if not isinstance(var, LoRAParam)
               for per_layer in [_layer_paths(path, cfg)]
               for i, p in enumerate(per_layer or [path])]
    adapters = dict(_adapters(model))  # each merged when its kernel is written, not all at once
    sizes = [math.prod(v.get_value().shape[0 if i is None else 1:]) * np.dtype(np_dtype).itemsize
             for _, v, i in entries]
    main = [k for k, (p, _, _) in enumerate(entries) if p[0] != "value_head"]
    shards: list[list[int]] = [[]]
    running = 0
    for i in main:
        if shards[-1] and running + sizes[i] > max_shard_bytes:
            shards.append([])
            running = 0
        shards[-1].append(i)
        running += sizes[i]
    writer = jax.process_index() == 0

    def hf_array(path: tuple[Any, ...], var: nnx.Variable, layer: int | None) -> np.ndarray:
        value = hosts.fetch(var.get_value() if layer is None else var.get_value()[layer])
        if path in adapters:  # W + A B alpha / r, summed in float32
            value = value.astype(np.float32) + hosts.fetch(adapters[path].delta())
        return to_hf(path, value.astype(np_dtype))

    with _written_aside(out_dir, ".export-") as tmp:
        weight_map = {}
        names = (["model.safetensors"] if len(shards) == 1 else
                 [f"model-{k + 1:05d}-of-{len(shards):05d}.safetensors"
                  for k in range(len(shards))])
        for file_name, members in zip(names, shards):
            tensors = {}
            for k in members:
                path, var, layer = entries[k]
                tensors[hf_tensor_name(path)] = hf_array(path, var, layer)
            weight_map.update({name: file_name for name in tensors})
            if writer:
                save_file(tensors, os.path.join(tmp, file_name), metadata={"format": "pt"})
            del tensors
        heads = {hf_tensor_name(p): hf_array(p, v, i) for p, v, i in entries
                 if p[0] == "value_head"}
        if writer:
            if heads:
                save_file(heads, os.path.join(tmp, VALUE_HEAD_FILE), metadata={"format": "pt"})
            if len(shards) > 1:
                with open(os.path.join(tmp, "model.safetensors.index.json"), "w") as f:
                    json.dump({"metadata": {"total_size": sum(sizes[i] for i in main)},
                               "weight_map": weight_map}, f, indent=2, sort_keys=True)
            hf_config.save_pretrained(tmp)
            if tokenizer is not None:
                tokenizer.save_pretrained(tmp)
            replace_dir(tmp, out_dir)
    hosts.barrier(f"export {out_dir}")


def _adapters(model: Decoder) -> Iterator[tuple[tuple[Any, ...], LowRank]]:
    """Each LoRA adapter with the HF-layout path of the kernel it sits beside (a stacked
    adapter as one per layer)."""
    for path, module in nnx.iter_modules(model):
        if isinstance(module, LowRank):
            kernel = tuple(path[:-1]) + ("kernel",)
            per_layer = _layer_paths(kernel, model.config)
            if per_layer is None:
                yield kernel, module
            else:
                yield from ((p, layer_slice(module, i)) for i, p in enumerate(per_layer))


def adapter_deltas(model: Decoder) -> dict[tuple[Any, ...], jax.Array]:
    """For each projection with a LoRA adapter, its kernel's path -> the adapter's update."""
    return {kernel: module.delta() for kernel, module in _adapters(model)}


# PEFT names the model inside its wrapper `base_model.model`, and A / B as Linear weights.
_PEFT_PREFIX = "base_model.model."


def save_peft_adapter(model: Decoder, out_dir: str, *, base_model: str = "") -> None:
    """Write the LoRA adapters in PEFT's layout (`adapter_config.json` +
    `adapter_model.safetensors`), loadable by `peft.PeftModel.from_pretrained` over the HF
    export of the base; `base_model` is recorded as `base_model_name_or_path`.

    PEFT computes x W^T + (x A^T) B^T * alpha / r with A (r, in) and B (out, r); ours are
    A (in..., r) and B (r, out...), so each is flattened and transposed. Every process calls
    this; process 0 writes.
    """
    cfg: ModelConfig = model.config
    if not cfg.lora_rank:
        raise ValueError("save_peft_adapter: the model has no adapters (model.lora_rank=0)")
    tensors = {}
    for kernel, module in _adapters(model):
        name = _PEFT_PREFIX + hf_tensor_name(kernel)[:-len(".weight")]
        a = hosts.fetch(module.lora_a.get_value()).astype(np.float32)
        b = hosts.fetch(module.lora_b.get_value()).astype(np.float32)
        tensors[f"{name}.lora_A.weight"] = np.ascontiguousarray(a.reshape(-1, a.shape[-1]).T)
        tensors[f"{name}.lora_B.weight"] = np.ascontiguousarray(b.reshape(b.shape[0], -1).T)
    adapter_config = {
        "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": cfg.lora_rank,
        "lora_alpha": cfg.lora_alpha, "lora_dropout": 0.0, "bias": "none",
        "target_modules": sorted(cfg.lora_targets), "fan_in_fan_out": False,
        "use_rslora": False, "init_lora_weights": True, "inference_mode": True,
        "base_model_name_or_path": base_model}
    if jax.process_index() == 0:
        with _written_aside(out_dir, ".adapter-") as tmp:
            save_file(tensors, os.path.join(tmp, "adapter_model.safetensors"),
                      metadata={"format": "pt"})
            with open(os.path.join(tmp, "adapter_config.json"), "w") as f:
                json.dump(adapter_config, f, indent=2, sort_keys=True)
            replace_dir(tmp, out_dir)
    hosts.barrier(f"adapter {out_dir}")


def load_tokenizer(checkpoint_dir: str) -> Any:
    """The checkpoint's tokenizer through transformers' AutoTokenizer (local files only)."""
    import transformers

    return transformers.AutoTokenizer.from_pretrained(checkpoint_dir, local_files_only=True)
