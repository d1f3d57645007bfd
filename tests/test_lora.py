"""LoRA adapters: a new adapter leaves the model's function unchanged, one SGD step of the
adapters is the dense gradient step restricted to their subspace, the merged export computes
what the adapters do, and peft loads the PEFT export onto transformers' model with the same
logits."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import peft
import pytest
import torch
import transformers
from flax import nnx

from codecorr_jax.config import base_config
from codecorr_jax.data.packing import Example, packed_batches
from codecorr_jax.models.config import LORA_TARGETS, ModelConfig
from codecorr_jax.models.decoder import create_sharded
from codecorr_jax.train.lm_trainer import train_lm
from codecorr_jax.train.ppo_config import PPOConfig
from codecorr_jax.train.ppo_trainer import PromptItem, RewardBatch, train_ppo
from codecorr_jax.models.decoder import LoRAParam, LowRank, trainable
from codecorr_jax.models.hf_checkpoint import (adapter_deltas, load_hf_checkpoint,
                                               save_hf_checkpoint, save_peft_adapter)
from codecorr_jax.models.sharding import make_mesh
from codecorr_jax.train.loop import CheckpointConfig, LoggingConfig

RANK, ALPHA = 4, 8.0

QUIET = LoggingConfig(progress_bar=False)  # no progress bars in tests


@pytest.fixture(scope="module")
def mesh():
    return make_mesh(1, 1, 1, devices=jax.devices()[:1])


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory):
    """A small Qwen2 checkpoint (q/k/v biases, grouped-query attention, untied head)."""
    torch.manual_seed(0)
    config = transformers.Qwen2Config(
        vocab_size=96, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
        tie_word_embeddings=False)
    model = transformers.AutoModelForCausalLM.from_config(config, torch_dtype=torch.float32)
    path = str(tmp_path_factory.mktemp("lora") / "base")
    model.save_pretrained(path)
    return path


def _ids() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 96, (2, 9)).astype(np.int32)


def _logits(model, ids=None):
    return np.asarray(nnx.jit(lambda m, x: m(x).logits)(model, _ids() if ids is None else ids))


def _with_random_b(model, seed=1):
    """The adapters' B made nonzero, so they change the function."""
    rng = np.random.default_rng(seed)
    for _, module in nnx.iter_modules(model):
        if isinstance(module, LowRank):
            shape = module.lora_b.get_value().shape
            module.lora_b.set_value(jnp.asarray(0.05 * rng.standard_normal(shape), jnp.float32))
    return model


def test_new_adapters_leave_the_checkpoints_function_unchanged(base_dir, mesh):
    plain = load_hf_checkpoint(base_dir, mesh)
    adapted = load_hf_checkpoint(base_dir, mesh, lora_rank=RANK, lora_alpha=ALPHA)
    lora = nnx.state(adapted, LoRAParam)
    assert len(nnx.to_flat_state(lora)) == 2 * 2 * len(LORA_TARGETS)  # A and B, 2 layers
    np.testing.assert_array_equal(_logits(adapted), _logits(plain))
    # Only the adapters are trainable; the base weights sit in the frozen part of the split.
    _, trained, frozen = nnx.split(adapted, trainable(adapted.config), ...)
    names = {".".join(map(str, p)) for p, _ in nnx.to_flat_state(trained)}
    assert names and all(n.endswith(("lora_a", "lora_b")) for n in names)
    assert any(p[-1] == "kernel" for p, _ in nnx.to_flat_state(frozen))


def test_an_sgd_step_of_the_adapters_is_the_dense_step_in_their_subspace(base_dir, mesh):
    """With B = 0, dL/dB = s A^T G (G = dL/dW, the dense gradient) and dL/dA = 0, so one SGD
    step of size lr moves the effective kernel W + A B s by -lr s^2 A A^T G."""
    ids = _ids()
    targets = np.roll(ids, -1, axis=1)
    adapted = load_hf_checkpoint(base_dir, mesh, lora_rank=RANK, lora_alpha=ALPHA)
    plain = load_hf_checkpoint(base_dir, mesh)

    def loss(model):
        logp = jax.nn.log_softmax(model(ids).logits, axis=-1)
        return -jnp.mean(jnp.take_along_axis(logp, targets[..., None], axis=-1))

    dense = nnx.grad(loss)(plain)  # gradients of every parameter of the plain model
    graphdef, lora, rest = nnx.split(adapted, trainable(adapted.config), ...)
    grads = jax.grad(lambda p: loss(nnx.merge(graphdef, p, rest)))(lora)
    lr, scale = 0.1, ALPHA / RANK
    stepped = nnx.merge(graphdef, jax.tree.map(lambda p, g: p - lr * g, lora, grads), rest)
    deltas = adapter_deltas(stepped)
    dense_kernels = dict(nnx.to_flat_state(nnx.state(dense, nnx.Param)))
    assert len(deltas) == 2 * len(LORA_TARGETS)
    for path, delta in deltas.items():
        module = stepped
        for part in path[:-1]:
            module = module[part] if isinstance(part, int) else getattr(module, part)
        a = np.asarray(module.lora.lora_a.get_value(), np.float64)  # unchanged: dL/dA = 0
        a = a.reshape(-1, RANK)
        g = np.asarray(dense_kernels[path].get_value(), np.float64)
        g = g.reshape(a.shape[0], -1)
        want = -lr * scale ** 2 * a @ a.T @ g
        np.testing.assert_allclose(np.asarray(delta).reshape(want.shape), want,
                                   rtol=1e-4, atol=1e-9, err_msg=str(path))


def test_merged_export_computes_what_the_adapters_do(base_dir, mesh, tmp_path):
    adapted = _with_random_b(load_hf_checkpoint(base_dir, mesh, lora_rank=RANK,
                                                lora_alpha=ALPHA))
    before = _logits(load_hf_checkpoint(base_dir, mesh))
    after = _logits(adapted)
    assert np.abs(after - before).max() > 1e-3  # the adapters do change the function
    save_hf_checkpoint(adapted, str(tmp_path / "merged"))
    merged = load_hf_checkpoint(str(tmp_path / "merged"), mesh)
    np.testing.assert_allclose(_logits(merged), after, rtol=1e-5, atol=1e-5)


def test_peft_loads_the_adapter_export_onto_transformers_model(base_dir, mesh, tmp_path):
    targets = ("q_proj", "o_proj", "up_proj", "down_proj")
    adapted = _with_random_b(load_hf_checkpoint(base_dir, mesh, lora_rank=RANK,
                                                lora_alpha=ALPHA, lora_targets=targets))
    save_peft_adapter(adapted, str(tmp_path / "adapter"), base_model=base_dir)
    hf = transformers.AutoModelForCausalLM.from_pretrained(base_dir, torch_dtype=torch.float32)
    hf = peft.PeftModel.from_pretrained(hf, str(tmp_path / "adapter")).eval()
    with torch.no_grad():
        theirs = hf(torch.tensor(_ids(), dtype=torch.long)).logits.numpy()
    np.testing.assert_allclose(theirs, _logits(adapted), rtol=1e-4, atol=1e-4)


def test_unknown_lora_target_is_named():
    with pytest.raises(ValueError, match="model.lora_targets has \\['qproj'\\]"):
        ModelConfig(vocab_size=8, hidden_size=8, intermediate_size=8, num_layers=1,
                    num_heads=1, num_kv_heads=1, head_dim=8, lora_rank=2,
                    lora_targets=("qproj",))


def _tiny(**lora) -> ModelConfig:
    return ModelConfig(vocab_size=16, hidden_size=32, intermediate_size=64, num_layers=2,
                       num_heads=2, num_kv_heads=1, head_dim=16, max_position_embeddings=32,
                       tie_word_embeddings=True, **lora)


def _frozen_and_adapters(model):
    _, adapters, frozen = nnx.split(model, trainable(model.config), ...)
    as_host = lambda tree: {p: np.asarray(v.get_value())  # noqa: E731
                            for p, v in nnx.to_flat_state(tree)}
    return as_host(frozen), as_host(adapters)


def test_sft_with_adapters_trains_them_and_leaves_the_base(tmp_path):
    mesh = make_mesh(2, 1, 1, devices=jax.devices()[:2])
    model = create_sharded(_tiny(lora_rank=2, lora_alpha=4.0), mesh, seed=0)
    frozen, adapters = _frozen_and_adapters(model)
    examples = [Example(np.tile(np.arange(1, 5), 4).astype(np.int32), np.ones(16, bool))
                for _ in range(8)]
    batches, _ = packed_batches(examples, seq_len=16, batch_size=2, seed=0)
    section = base_config("sft").sft
    section.update(dict(learning_rate=5e-2, warmup_steps=1, num_steps=40, batch_size=2))
    result = train_lm(model, batches, section, run_dir=str(tmp_path / "sft"), mesh=mesh,
                      checkpoint=CheckpointConfig(), logging=QUIET, seed=0,
                      num_steps=40, desc="sft")
    frozen_after, adapters_after = _frozen_and_adapters(result.model)
    for path, value in frozen.items():
        np.testing.assert_array_equal(frozen_after[path], value, err_msg=str(path))
    assert any(np.abs(adapters_after[p] - v).max() > 0 for p, v in adapters.items())
    with open(tmp_path / "sft" / "metrics.jsonl") as f:
        losses = [json.loads(line)["sft/loss"] for line in f if "sft/loss" in line]
    # The adapters alone lower the loss (a random base with frozen tied embeddings of std 0.02
    # bounds how far: its logits stay small).
    assert losses[-1] < losses[0] - 0.2


class _TokenRewarder:
    """Reward = share of response tokens equal to 3."""

    def submit(self, payloads, responses):
        scores = np.array([np.mean(np.asarray(r) == 3) for r in responses], np.float32)

        class Done:
            def result(self):
                return RewardBatch(scores, scores == 1.0)
        return Done()


def test_ppo_with_adapters_uses_the_frozen_base_as_its_reference(tmp_path):
    """With a KL penalty and no reference model given, the policy with its adapters at zero
    is the reference: the first iteration's KL is 0 (the policy starts as the base), the base
    weights never move, the adapters do."""
    mesh = make_mesh(2, 1, 1, devices=jax.devices()[:2])
    policy = create_sharded(_tiny(lora_rank=2, lora_alpha=4.0), mesh, seed=0)
    frozen, adapters = _frozen_and_adapters(policy)
    section = base_config("rl").rl
    section.update(dict(estimator="grpo", learning_rate=1e-2, num_iterations=3,
                        prompts_per_iteration=4, samples_per_prompt=4, minibatch_size=8,
                        ppo_epochs=1, max_new_tokens=4, kl_coef=0.1, temperature=1.0,
                        filter_groups=False, checkpoint_every=3))
    prompts = [PromptItem((1, 2, 4 + i), None) for i in range(4)]
    result = train_ppo(policy, None, None, prompts, _TokenRewarder(),
                       PPOConfig.from_section(section),
                       run_dir=str(tmp_path / "ppo"), mesh=mesh, eos_token_id=None,
                       pad_token_id=0, checkpoint=CheckpointConfig(), logging=QUIET,
                       seed=0)
    assert abs(result.history[0]["rl/kl"]) < 1e-5
    assert result.history[-1]["rl/kl"] != 0.0  # the policy has moved away from the base
    frozen_after, adapters_after = _frozen_and_adapters(result.policy)
    for path, value in frozen.items():
        np.testing.assert_array_equal(frozen_after[path], value, err_msg=str(path))
    assert any(np.abs(adapters_after[p] - v).max() > 0 for p, v in adapters.items())
