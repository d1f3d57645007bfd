"""Parity with transformers' PyTorch Llama / Qwen2 / Qwen3, and export/import round trips."""

import json
import os

import jax
import numpy as np
import pytest
import torch
import transformers
from flax import nnx
from safetensors.numpy import load_file, save_file

from codecorr_jax.models import hf_checkpoint
from codecorr_jax.models.config import CheckpointConfigError
from codecorr_jax.models.hf_checkpoint import CheckpointError, load_hf_checkpoint, save_hf_checkpoint
from codecorr_jax.models.sharding import make_mesh

VOCAB = 128

COMMON = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
              num_attention_heads=4, max_position_embeddings=256, rms_norm_eps=1e-5)

CASES = {
    # grouped-query attention, untied, llama3 rope scaling
    "llama_gqa_llama3_rope": (transformers.LlamaConfig, dict(
        COMMON, num_key_value_heads=2, tie_word_embeddings=False,
        rope_parameters=dict(rope_type="llama3", rope_theta=50000.0, factor=8.0,
                             low_freq_factor=1.0, high_freq_factor=4.0,
                             original_max_position_embeddings=32))),
    # multi-head attention, tied embeddings, linear rope scaling
    "llama_tied_linear_rope": (transformers.LlamaConfig, dict(
        COMMON, num_key_value_heads=4, tie_word_embeddings=True,
        rope_parameters=dict(rope_type="linear", rope_theta=10000.0, factor=2.0))),
    # Qwen2: q/k/v biases, GQA, tied embeddings
    "qwen2_gqa_tied": (transformers.Qwen2Config, dict(
        COMMON, num_key_value_heads=2, tie_word_embeddings=True,
        rope_parameters=dict(rope_type="default", rope_theta=1000000.0))),
    # Qwen3: per-head q / k RMS norms before RoPE, no biases, head_dim apart from hidden / heads
    "qwen3_qk_norm": (transformers.Qwen3Config, dict(
        COMMON, num_key_value_heads=2, head_dim=24, tie_word_embeddings=True,
        rope_parameters=dict(rope_type="default", rope_theta=1000000.0))),
    # Qwen2 untied with 1 kv head (multi-query)
    "qwen2_mqa_untied": (transformers.Qwen2Config, dict(
        COMMON, num_key_value_heads=1, tie_word_embeddings=False)),
}


def _make_hf_model(tmp_path, case):
    config_cls, kwargs = CASES[case]
    torch.manual_seed(0)
    config = config_cls(**kwargs)
    model = transformers.AutoModelForCausalLM.from_config(config, torch_dtype=torch.float32)
    with torch.no_grad():  # random, non-trivial biases and norms (HF initialises them trivially)
        for name, p in model.named_parameters():
            if name.endswith("bias") or "norm" in name:
                p.add_(0.1 * torch.randn_like(p))
    model.eval()
    path = str(tmp_path / case)
    model.save_pretrained(path)
    return model, path


def _hf_logits(model, ids, attention_mask=None):
    with torch.no_grad():
        mask = None if attention_mask is None else torch.tensor(attention_mask)
        return model(torch.tensor(ids), attention_mask=mask).logits.numpy()


def _our_logits(model, ids, **kw):
    return np.asarray(nnx.jit(lambda m, x: m(x, **kw).logits)(model, ids))


@pytest.fixture(scope="module")
def mesh():
    return make_mesh(2, 2, 2)


@pytest.mark.parametrize("case", sorted(CASES))
def test_import_matches_transformers_logits(tmp_path, mesh, case):
    hf_model, path = _make_hf_model(tmp_path, case)
    ids = np.random.default_rng(0).integers(0, VOCAB, size=(2, 40))
    model = load_hf_checkpoint(path, mesh)
    np.testing.assert_allclose(_our_logits(model, ids), _hf_logits(hf_model, ids), atol=1e-4,
                               rtol=1e-4)
    # the parameter count from the shapes is transformers' (tied tables counted once)
    assert model.config.num_params == sum(p.numel() for p in hf_model.parameters())


def test_left_padding_matches_transformers(tmp_path, mesh):
    """Padding via segment ids (0 = pad) and shifted positions equals HF's attention_mask."""
    hf_model, path = _make_hf_model(tmp_path, "qwen2_gqa_tied")
    ids = np.random.default_rng(1).integers(0, VOCAB, size=(2, 16))
    attn = np.ones_like(ids)
    attn[0, :5] = 0  # row 0 is left-padded by 5
    positions = np.maximum(np.cumsum(attn, axis=1) - 1, 0)
    model = load_hf_checkpoint(path, mesh)
    ours = _our_logits(model, ids, positions=positions, segment_ids=attn)
    with torch.no_grad():
        theirs = hf_model(torch.tensor(ids), attention_mask=torch.tensor(attn),
                          position_ids=torch.tensor(positions)).logits.numpy()
    valid = attn.astype(bool)
    np.testing.assert_allclose(ours[valid], theirs[valid], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("case", ["llama_gqa_llama3_rope", "qwen2_gqa_tied", "qwen3_qk_norm"])
def test_export_reimport_bit_exact_and_transformers_loads_it(tmp_path, mesh, case):
    hf_model, path = _make_hf_model(tmp_path, case)
    model = load_hf_checkpoint(path, mesh, value_head=True)
    out = str(tmp_path / "export")
    # a tiny shard limit forces a multi-file checkpoint with an index
    save_hf_checkpoint(model, out, max_shard_bytes=64 * 1024)
    assert os.path.isfile(os.path.join(out, "model.safetensors.index.json"))
    again = load_hf_checkpoint(out, mesh, value_head=True)
    for (p1, v1), (p2, v2) in zip(nnx.to_flat_state(nnx.state(model)),
                                  nnx.to_flat_state(nnx.state(again))):
        assert p1 == p2
        np.testing.assert_array_equal(np.asarray(v1.get_value()), np.asarray(v2.get_value()))
    reloaded = transformers.AutoModelForCausalLM.from_pretrained(out, torch_dtype=torch.float32)
    ids = np.random.default_rng(2).integers(0, VOCAB, size=(2, 24))
    np.testing.assert_allclose(_hf_logits(reloaded, ids), _hf_logits(hf_model, ids),
                               atol=1e-5, rtol=1e-5)


def test_value_head_round_trips_through_its_own_file(tmp_path, mesh):
    _, path = _make_hf_model(tmp_path, "qwen2_mqa_untied")
    model = load_hf_checkpoint(path, mesh, value_head=True)
    np.testing.assert_array_equal(np.asarray(model.value_head.kernel[...]), 0.0)
    model.value_head.kernel[...] = jax.numpy.full(model.value_head.kernel[...].shape, 0.5)
    out = str(tmp_path / "with_value_head")
    save_hf_checkpoint(model, out)
    assert "value_head.weight" in load_file(os.path.join(out, "value_head.safetensors"))
    again = load_hf_checkpoint(out, mesh, value_head=True)
    np.testing.assert_array_equal(np.asarray(again.value_head.kernel[...]), 0.5)


def test_missing_tensor_is_named(tmp_path, mesh):
    _, path = _make_hf_model(tmp_path, "qwen2_mqa_untied")
    file = os.path.join(path, "model.safetensors")
    tensors = load_file(file)
    del tensors["model.layers.1.mlp.up_proj.weight"]
    save_file(tensors, file)
    with pytest.raises(CheckpointError, match=r"model\.layers\.1\.mlp\.up_proj\.weight"):
        load_hf_checkpoint(path, mesh)


def test_wrong_shape_is_named(tmp_path, mesh):
    _, path = _make_hf_model(tmp_path, "qwen2_mqa_untied")
    file = os.path.join(path, "model.safetensors")
    tensors = load_file(file)
    tensors["model.layers.0.self_attn.k_proj.weight"] = np.zeros((8, 64), np.float32)
    save_file(tensors, file)
    with pytest.raises(CheckpointError, match=r"k_proj\.weight.*\(8, 64\).*\(16, 64\)"):
        load_hf_checkpoint(path, mesh)


@pytest.mark.parametrize("change, field", [
    ({"architectures": ["MistralForCausalLM"]}, "architectures"),
    ({"hidden_act": "gelu"}, "hidden_act"),
    ({"use_sliding_window": True}, "use_sliding_window"),
    ({"rope_scaling": {"rope_type": "yarn", "factor": 4.0}}, "rope_type"),
])
def test_unsupported_config_is_named(tmp_path, mesh, change, field):
    _, path = _make_hf_model(tmp_path, "qwen2_mqa_untied")
    config_file = os.path.join(path, "config.json")
    with open(config_file) as f:
        config = json.load(f)
    config.update(change)
    with open(config_file, "w") as f:
        json.dump(config, f)
    with pytest.raises(CheckpointConfigError, match=field):
        load_hf_checkpoint(path, mesh)


def test_hf_tensor_names_cover_every_parameter():
    from codecorr_jax.models import ModelConfig, abstract_decoder

    cfg = ModelConfig(vocab_size=32, hidden_size=16, intermediate_size=24, num_layers=1,
                      num_heads=2, num_kv_heads=1, head_dim=8, qkv_bias=True,
                      architecture="qwen2")
    names = {hf_checkpoint.hf_tensor_name(p)
             for p, _ in nnx.to_flat_state(nnx.state(abstract_decoder(cfg)))}
    assert names == {
        "model.embed_tokens.weight", "model.norm.weight", "lm_head.weight",
        "model.layers.0.input_layernorm.weight", "model.layers.0.post_attention_layernorm.weight",
        *(f"model.layers.0.self_attn.{p}_proj.{w}" for p in "qkv" for w in ("weight", "bias")),
        "model.layers.0.self_attn.o_proj.weight",
        *(f"model.layers.0.mlp.{p}_proj.weight" for p in ("gate", "up", "down")),
    }


def test_bfloat16_params_and_compute_track_float32(tmp_path, mesh):
    hf_model, path = _make_hf_model(tmp_path, "llama_gqa_llama3_rope")
    model = load_hf_checkpoint(path, mesh, dtype="bfloat16", param_dtype="bfloat16")
    assert model.layers[0].mlp.up_proj.kernel[...].dtype == jax.numpy.bfloat16
    ids = np.random.default_rng(3).integers(0, VOCAB, size=(2, 32))
    ours = _our_logits(model, ids)
    ref = _hf_logits(hf_model, ids)
    assert ours.dtype == np.float32  # logits are accumulated in float32 whatever the compute
    assert np.abs(ours - ref).max() < 0.03 * np.abs(ref).max()
    assert (ours.argmax(-1) == ref.argmax(-1)).mean() > 0.9
    out = str(tmp_path / "bf16")
    save_hf_checkpoint(model, out)
    with open(os.path.join(out, "config.json")) as f:
        assert json.load(f)["dtype"] == "bfloat16"
    from safetensors import safe_open

    with safe_open(os.path.join(out, "model.safetensors"), framework="np") as f:
        assert str(f.get_tensor("model.norm.weight").dtype) == "bfloat16"


def test_tokenizer_loads_from_checkpoint_dir_and_travels_with_export(tmp_path, mesh):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    _, path = _make_hf_model(tmp_path, "qwen2_mqa_untied")
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.train_from_iterator(["def add(a, b):\n    return a + b\n"] * 20,
                            trainers.BpeTrainer(vocab_size=VOCAB, special_tokens=["<unk>"]))
    transformers.PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<unk>") \
        .save_pretrained(path)
    tokenizer = hf_checkpoint.load_tokenizer(path)
    ids = tokenizer("def add(a, b):")["input_ids"]
    assert tokenizer.decode(ids) == "def add(a, b):"
    out = str(tmp_path / "export")
    save_hf_checkpoint(load_hf_checkpoint(path, mesh), out, tokenizer=tokenizer)
    assert hf_checkpoint.load_tokenizer(out)("def add(a, b):")["input_ids"] == ids
