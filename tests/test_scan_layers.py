"""Stacked, scanned layers (`model.scan_layers`) compute what the unrolled layers compute, and
their checkpoints are the same Hugging Face checkpoints."""

import dataclasses
import json
import os
import zlib

import jax
import jax.numpy as jnp
import numpy as np
import torch
import transformers
from flax import nnx
from safetensors.numpy import load_file

from codecorr_jax.models.config import ModelConfig
from codecorr_jax.models.decoder import Decoder, init_cache
from codecorr_jax.models.hf_checkpoint import (load_hf_checkpoint, save_hf_checkpoint,
                                               save_peft_adapter)
from codecorr_jax.models.sharding import make_mesh, variable_sharding

CFG = ModelConfig(vocab_size=64, hidden_size=32, intermediate_size=48, num_layers=3,
                  num_heads=4, num_kv_heads=2, head_dim=8, architecture="qwen3", qk_norm=True,
                  lora_rank=2, value_head=True)


def _with_nonzero_adapters(model):
    """B is zero at the start; give every adapter a B so that it changes the function."""
    for path, var in nnx.to_flat_state(nnx.state(model)):
        if path[-1] == "lora_b":
            key = jax.random.key(zlib.crc32("/".join(map(str, path)).encode()))
            var.set_value(0.1 * jax.random.normal(key, var.get_value().shape))
    return model


def _flat(state):
    return {tuple(p): v for p, v in nnx.to_flat_state(state)}


def _layer(state, i, scanned):
    """Layer i's variables of a model's state, as a flat {path: array}."""
    layer = jax.tree.map(lambda v: v[i], state["layers"]) if scanned else state["layers"][i]
    return {p: np.asarray(v.get_value()) for p, v in _flat(layer).items()}


def test_scanned_forward_gradient_and_decode_equal_the_unrolled_layers():
    unrolled = _with_nonzero_adapters(Decoder(CFG, rngs=nnx.Rngs(0)))
    # rematerialised too: the scan's step under jax.checkpoint
    scanned = Decoder(dataclasses.replace(CFG, scan_layers=True, remat="full"),
                      rngs=nnx.Rngs(0))
    # the same seed draws the same layers: layer i of the stack is the unrolled layer i
    for i in range(CFG.num_layers):
        ours = _layer(nnx.state(scanned), i, True)
        for path, value in _layer(nnx.state(unrolled), i, False).items():
            if path[-1] != "lora_b":
                np.testing.assert_array_equal(ours[path], value)
    for path, var in nnx.to_flat_state(nnx.state(scanned.layers)):
        if path[-1] == "lora_b":
            stacked = [_flat(nnx.state(layer))[path].get_value() for layer in unrolled.layers]
            var.set_value(jnp.stack(stacked))

    ids = jax.random.randint(jax.random.key(1), (2, 9), 0, CFG.vocab_size)
    forward = nnx.jit(lambda model: model(ids))
    out_u, out_s = forward(unrolled), forward(scanned)
    np.testing.assert_allclose(out_s.logits, out_u.logits, atol=2e-6)
    np.testing.assert_allclose(out_s.values, out_u.values, atol=2e-6)

    def loss(model):
        out = model(ids)
        return (out.logits ** 2).mean() + out.values.sum()

    grad = nnx.jit(nnx.grad(loss))
    grad_u, grad_s = grad(unrolled), grad(scanned)
    for i in range(CFG.num_layers):
        theirs, ours = _layer(grad_u, i, False), _layer(grad_s, i, True)
        assert theirs.keys() == ours.keys()
        for path in theirs:  # float32 sums in another order (gradients up to ~5 in size)
            np.testing.assert_allclose(ours[path], theirs[path], rtol=5e-5, atol=5e-5,
                                       err_msg=str(path))

    # prefill 5 tokens, then decode the next one, through the cache
    @nnx.jit
    def decode(model):
        cache = init_cache(model.config, 2, 12)
        first = model(ids[:, :5], cache=cache)
        return first.logits, model(ids[:, 5:6], cache=first.cache).logits

    for a, b in zip(decode(scanned), decode(unrolled)):
        np.testing.assert_allclose(a, b, atol=2e-6)


def test_stacked_parameters_keep_their_sharding_with_an_unsplit_layer_axis():
    mesh = make_mesh(2, 2, 2)
    model = Decoder(dataclasses.replace(CFG, scan_layers=True), rngs=nnx.Rngs(0))
    kernel = model.layers.mlp.up_proj.kernel
    assert kernel.get_metadata()["logical_axes"] == ("layers", "embed", "mlp")
    assert variable_sharding(kernel, mesh).spec == jax.sharding.PartitionSpec(None, "fsdp",
                                                                               "tensor")


def _hf_qwen2(tmp_path):
    torch.manual_seed(0)
    config = transformers.Qwen2Config(vocab_size=96, hidden_size=32, intermediate_size=48,
                                      num_hidden_layers=3, num_attention_heads=4,
                                      num_key_value_heads=2, tie_word_embeddings=False)
    model = transformers.AutoModelForCausalLM.from_config(config, torch_dtype=torch.float32)
    model.eval()
    path = str(tmp_path / "hf")
    model.save_pretrained(path)
    return model, path


def test_scanned_checkpoint_imports_exports_and_writes_peft_like_the_unrolled_one(tmp_path):
    hf_model, path = _hf_qwen2(tmp_path)
    mesh = make_mesh(1, 2, 2, jax.devices()[:4])
    kw = dict(value_head=True, lora_rank=2, lora_targets=("q_proj", "o_proj", "down_proj"))
    scanned = load_hf_checkpoint(path, mesh, scan_layers=True, **kw)
    unrolled = load_hf_checkpoint(path, mesh, **kw)
    ids = np.random.default_rng(0).integers(0, 96, size=(2, 11))
    with torch.no_grad():
        theirs = hf_model(torch.tensor(ids)).logits.numpy()
    np.testing.assert_allclose(scanned(ids).logits, theirs, atol=1e-4, rtol=1e-4)
    # the loaded adapters (A drawn per layer path) are the unrolled model's
    for i in range(3):
        expected = _layer(nnx.state(unrolled), i, False)
        for p, value in _layer(nnx.state(scanned), i, True).items():
            np.testing.assert_array_equal(value, expected[p])

    for model in (scanned, unrolled):
        _with_nonzero_adapters(model)
    for path_, var in nnx.to_flat_state(nnx.state(unrolled.layers)):  # the same adapters
        if path_[-1] == "lora_b":
            i, rest = path_[0], path_[1:]
            stacked = _flat(nnx.state(scanned.layers))[rest].get_value()
            var.set_value(stacked[i])
    merged = str(tmp_path / "merged")
    save_hf_checkpoint(scanned, merged, max_shard_bytes=16 * 1024)  # several files
    save_hf_checkpoint(unrolled, str(tmp_path / "merged_unrolled"))
    ours = {}
    index = json.load(open(os.path.join(merged, "model.safetensors.index.json")))
    for name in set(index["weight_map"].values()):
        ours.update(load_file(os.path.join(merged, name)))
    reference = load_file(str(tmp_path / "merged_unrolled" / "model.safetensors"))
    assert ours.keys() == reference.keys()
    for name in reference:
        np.testing.assert_array_equal(ours[name], reference[name], err_msg=name)
    # the merged export computes the adapted model
    reloaded = transformers.AutoModelForCausalLM.from_pretrained(merged, torch_dtype=torch.float32)
    with torch.no_grad():
        np.testing.assert_allclose(reloaded(torch.tensor(ids)).logits.numpy(),
                                   scanned(ids).logits, atol=1e-4, rtol=1e-4)
    save_peft_adapter(scanned, str(tmp_path / "peft"))
    save_peft_adapter(unrolled, str(tmp_path / "peft_unrolled"))
    a = load_file(str(tmp_path / "peft" / "adapter_model.safetensors"))
    b = load_file(str(tmp_path / "peft_unrolled" / "adapter_model.safetensors"))
    assert a.keys() == b.keys() and len(a) == 3 * 3 * 2
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
