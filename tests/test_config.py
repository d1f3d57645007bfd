"""Config validation names the field and what is allowed; presets build the right model."""

import functools
import json
import os

import pytest

from codecorr_jax import config as config_lib
from codecorr_jax.config import ConfigError
from codecorr_jax.models.config import model_config


def _config(**changes):
    config = config_lib.base_config("inspect")
    for dotted, value in changes.items():
        node = config
        *parents, leaf = dotted.split("__")
        for p in parents:
            node = node[p]
        node[leaf] = value
    return config


def test_default_config_is_valid_and_tiny_model_matches_fields():
    config = _config()
    config_lib.validate(config)
    cfg = model_config(config.model)
    assert (cfg.hidden_size, cfg.num_layers, cfg.num_heads, cfg.num_kv_heads) == (128, 4, 4, 2)
    assert cfg.tie_word_embeddings and not cfg.qkv_bias
    # embedding 1024 x 128 + 4 layers x (q, o: 128x128; k, v: 128x64; 3 MLP 128x384; 2 norms)
    # + the final norm
    layer = 2 * 128 * 128 + 2 * 128 * 64 + 3 * 128 * 384 + 2 * 128
    assert cfg.num_params == 1024 * 128 + 4 * layer + 128


@pytest.mark.parametrize("changes, message", [
    ({"regime": "pretrainn"}, r"config\.regime='pretrainn' is not allowed; choose one of"),
    ({"model__dtype": "float16"}, r"config\.model\.dtype='float16'.*did you mean 'bfloat16'"),
    ({"model__num_heads": 6}, r"num_heads=6 must be a multiple of .*num_kv_heads=4"),
    ({"rl__estimator": "ppo2"}, r"config\.rl\.estimator='ppo2'.*\['gae', 'grpo', 'rloo', "
                                r"'drgrpo', 'reinforce_pp', 'reinforce_pp_baseline'\]"),
    ({"rl__estimator": "drgrp"}, r"did you mean 'drgrpo'"),
    ({"data__prompt_style": "chat"}, r"prompt_style='chat' asks an instruct checkpoint"),
    ({"rl__policy_loss": "gspo2"}, r"config\.rl\.policy_loss='gspo2'.*did you mean 'gspo'"),
    ({"rl__loss_agg": "seq_mean_token_sum"}, r"did you mean 'seq_mean_token_sum_norm'"),
    ({"rl__micro_batch_size": 5}, r"config\.rl\.micro_batch_size=5 must divide "
                                  r"config\.rl\.minibatch_size=32"),
    ({"rl__clip_ratio_dual": 0.5}, r"config\.rl\.clip_ratio_dual=0\.5 0 \(off\) or > 1"),
    ({"rl__overlong_buffer": 192}, r"config\.rl\.overlong_buffer=192 must lie in \[0, "
                                   r"config\.rl\.max_new_tokens=192\)"),
    ({"rl__tis_cap": 2.0, "rl__old_logprobs": "sampler"},
     r"config\.rl\.tis_cap=2\.0 must be 0 \(off\) or >= 1, with "
     r"config\.rl\.old_logprobs='recompute'"),
    ({"sft__learning_rate": 0.0}, r"config\.sft\.learning_rate=0\.0 must be > 0"),
    ({"rl__gae_lambda": 1.5}, r"config\.rl\.gae_lambda=1\.5 must be in \[0, 1\]"),
    ({"eval__num_samples": 10, "eval__ks": (1, 20)},
     r"config\.eval\.ks=\(1, 20\).*num_samples=10"),
    ({"rl__minibatch_size": 24}, r"config\.rl\.minibatch_size=24 must divide .* = 128 rows"),
    ({"rl__estimator": "rloo", "rl__samples_per_prompt": 1},
     r"config\.rl\.estimator='rloo'.*samples_per_prompt=1 must be >= 2"),
    ({"rl__critic_init": "sft"}, r"config\.rl\.critic_init='sft'.*\['policy', 'base'\]"),
    ({"rl__mixture__composite_A": -3}, r"config\.rl\.mixture\.composite_A=-3 must be -2"),
    ({"rl__temperature": 0.0}, r"config\.rl\.temperature > 0"),
    ({"pretrain__source": "download"},
     r"config\.pretrain\.source='download'.*\['shipped', 'train'\]"),
    ({"data__atom_step_repeats": -1}, r"config\.data\.atom_step_repeats=-1 must be >= 0"),
    ({"synth__heldout_atom_fraction": 0.0},
     r"config\.synth\.unseen_atom_test_fraction > 0 needs config\.synth\.heldout_atom_fraction"),
    ({"synth__heldout_atom_fraction": 1.5}, r"config\.synth\.heldout_atom_fraction=1\.5 must be"),
    ({"synth__unseen_atom_test_fraction": -0.5},
     r"config\.synth\.unseen_atom_test_fraction=-0\.5 must be >= 0"),
    ({"rl__frontier_samples": 1}, r"config\.rl\.frontier_samples=1 must be 0 .* or >= 2"),
    ({"rl__frontier_samples": -2}, r"config\.rl\.frontier_samples=-2 must be 0"),
    ({"rl__frontier_follow": True},
     r"config\.rl\.frontier_follow=True needs config\.rl\.frontier_fraction > 0"),
    ({"model__preset": "llama"}, r"set --config\.model\.checkpoint_dir"),
    ({"model__preset": "qwen2", "model__checkpoint_dir": "/nonexistent"},
     r"checkpoint_dir='/nonexistent' has no config\.json"),
])
def test_bad_values_are_named(changes, message):
    if "model__num_heads" in changes:
        changes["model__num_kv_heads"] = 4
    with pytest.raises(ConfigError, match=message):
        config_lib.validate(_config(**changes))


@pytest.mark.parametrize("mesh, devices, message", [
    ((2, 2, 1), 8, r"config\.mesh\.data=2, mesh\.fsdp=2, mesh\.tensor=1: the mesh has 4 devices"),
    ((1, 1, 8), 8, r"config\.model\.num_heads=4 is not divisible by mesh\.tensor=8"),
    ((1, 3, -1), 8, r"do not divide the 8 available devices"),
])
def test_mesh_must_fit_devices_and_model(mesh, devices, message):
    config = _config(mesh__data=mesh[0], mesh__fsdp=mesh[1], mesh__tensor=mesh[2])
    dims = config_lib.sharded_dims(model_config(config.model))
    with pytest.raises(ConfigError, match=message):
        config_lib.validate_for_devices(config, devices, dims)


def test_micro_batch_rows_must_split_over_the_data_devices():
    """One row per step (the CPU default) cannot be split over 2 data-parallel devices."""
    config = _config(regime="sft", sft__batch_size=1, mesh__data=2)
    dims = config_lib.sharded_dims(model_config(config.model))
    with pytest.raises(ConfigError, match=r"config\.sft\.batch_size=1 with grad_accum_steps=1 "
                                          r"gives micro-batches of 1 rows.* = 2 devices"):
        config_lib.validate_for_devices(config, 2, dims)
    config.sft.batch_size = 8
    config.sft.grad_accum_steps = 2  # 4 rows per micro-batch: splits over 2 devices
    assert config_lib.validate_for_devices(config, 2, dims) == (2, 1, 1)
    config.pretrain.batch_size = 3  # the shipped base is not trained: its rows are not used
    assert config_lib.validate_for_devices(config, 2, dims) == (2, 1, 1)
    config.pretrain.source = "train"  # a base trained in the run is checked too
    with pytest.raises(ConfigError, match=r"config\.pretrain\.batch_size=3"):
        config_lib.validate_for_devices(config, 2, dims)
    config.regime = "rl"  # PPO from the base: the sft section is not used
    config.pretrain.batch_size = 16
    config.sft.batch_size = 1
    assert config_lib.validate_for_devices(config, 2, dims) == (2, 1, 1)


def test_mesh_minus_one_takes_remaining_devices():
    config = _config(mesh__data=-1, mesh__fsdp=2, mesh__tensor=2)
    dims = config_lib.sharded_dims(model_config(config.model))
    assert config_lib.validate_for_devices(config, 8, dims) == (2, 2, 2)


def test_hf_presets_read_architecture_from_checkpoint(tmp_path):
    import json

    (tmp_path / "config.json").write_text(json.dumps(dict(
        architectures=["Qwen2ForCausalLM"], vocab_size=1000, hidden_size=64,
        intermediate_size=128, num_hidden_layers=3, num_attention_heads=4,
        num_key_value_heads=2, rope_theta=1e6, tie_word_embeddings=True)))
    config = config_lib.base_config("inspect", "qwen2")
    config.model.checkpoint_dir = str(tmp_path)
    with pytest.raises(ConfigError, match=r"has no \*\.safetensors weights"):
        config_lib.validate(config)  # a config.json without its weights
    (tmp_path / "model.safetensors").write_bytes(b"")  # read later, when the model loads
    config_lib.validate(config)
    cfg = model_config(config.model)
    assert (cfg.architecture, cfg.num_layers, cfg.qkv_bias, cfg.rope_theta) == ("qwen2", 3, True,
                                                                                 1e6)
    assert (cfg.dtype, cfg.param_dtype, cfg.remat) == ("bfloat16", "bfloat16", "full")


def test_executor_section_builds_the_executor_config_and_names_bad_fields():
    config = _config(executor__memory_limit_mb=256, executor__reward="graded")
    built = config_lib.executor_config(config)
    assert (built.memory_limit_mb, built.reward) == (256, "graded")
    with pytest.raises(ConfigError, match=r"config\.executor\.max_processes must be positive"):
        config_lib.validate(_config(executor__max_processes=0))


def test_config_suite_names_are_the_evaluation_suites():
    from codecorr_jax.tasks.registry import SUITE_NAMES as SUITES

    assert config_lib.EVAL_SUITES is SUITES  # validation reads the registry itself
    # every suite by default, the train-task one included (the train / held-out gap)
    assert tuple(config_lib.base_config("sft").eval.suites) == SUITES
    with pytest.raises(ConfigError, match=r"config\.eval\.suites names 'mbpp', "
                                          r"'composite_targt' \(did you mean 'composite_target'"):
        config_lib.validate(_config(eval__suites=("atom", "mbpp", "composite_targt")))


def test_batch_must_split_into_accumulation_steps():
    with pytest.raises(ConfigError, match=r"config\.sft\.batch_size=8 must be a multiple of "
                                          r"config\.sft\.grad_accum_steps=3"):
        config_lib.validate(_config(sft__grad_accum_steps=3))


def test_rl_configs_resolve_their_prompt_mixture_from_the_sft_one():
    """`-2` in config.rl.mixture means "as config.data.mixture" (the study's same prompts)."""
    from codecorr_jax.regimes.ppo_inputs import rl_mixture

    configs_dir = os.path.join(os.path.dirname(os.path.dirname(__file__)), "configs")
    config = config_lib.sibling_config(os.path.join(configs_dir, "sft.py"), "sft_then_rl")
    assert config.regime == "sft_then_rl" and config.executor.reward == "binary"
    config_lib.validate(config)
    assert rl_mixture(config) == dict(config.data.mixture) == {
        "atom": -1, "composite_A": -1, "composite_B": 0, "composite_C": 0}
    config.rl.mixture.composite_A = 50
    assert rl_mixture(config)["composite_A"] == 50 and rl_mixture(config)["atom"] == -1


def test_only_rl_from_the_base_draws_from_a_sampled_frontier():
    """configs/rl.py's sampled frontier reaches RL from the base, in its own run and as the
    study's finding-3 cell, and no run that starts from SFT."""
    from codecorr_jax.study.cells import FROM_BASE, cell_config, grid

    configs_dir = os.path.join(os.path.dirname(os.path.dirname(__file__)), "configs")
    load = functools.partial(config_lib.sibling_config, os.path.join(configs_dir, "sft.py"))
    rl, after_sft, study = load("rl"), load("sft_then_rl"), load("study")
    assert (rl.rl.frontier_samples, rl.rl.frontier_fraction) == (8, 0.75)
    assert (after_sft.rl.frontier_samples, after_sft.rl.frontier_fraction) == (0, 0.0)
    for cell in grid(study.study):
        run = cell_config(study, cell, 0, "/tmp/unused")
        frontier = (run.rl.frontier_samples, run.rl.frontier_fraction)
        assert frontier == ((8, 0.75) if cell.name == FROM_BASE else (0, 0.0)), cell.name
        assert (cell.regime == "rl") == (cell.name == FROM_BASE)
    # every other PPO setting of the two regimes is the same (the study compares them)
    differ = {k for k in rl.rl.keys() if rl.rl[k] != after_sft.rl[k]}
    assert differ == {"frontier_samples", "frontier_fraction"}


@pytest.mark.parametrize("name", sorted(
    f[:-3] for f in os.listdir(os.path.join(os.path.dirname(os.path.dirname(__file__)),
                                            "configs")) if f.endswith(".py")))
def test_every_config_file_builds_a_valid_config(name, tmp_path):
    configs_dir = os.path.join(os.path.dirname(os.path.dirname(__file__)), "configs")
    args = ()
    if name == "cell":  # one run of a study, from the config the study writes for it
        from codecorr_jax.study.cells import cell_config, grid

        study = config_lib.sibling_config(os.path.join(configs_dir, "sft.py"), "study")
        written = cell_config(study, grid(study.study)[0], 1, str(tmp_path))
        (tmp_path / "cell_config.json").write_text(written.to_json())
        args = (str(tmp_path / "cell_config.json"),)
    config = config_lib.sibling_config(os.path.join(configs_dir, "sft.py"), name, *args)
    if name == "cell":
        # the same values (the record's lists come back as the defaults' tuples)
        assert json.loads(config.to_json()) == json.loads(written.to_json()) and config.seed == 1
    config_lib.validate(config)
    assert config.regime in config_lib.REGIMES
    if name == "sft_long":  # the long run: the default's data, more steps
        default = config_lib.sibling_config(os.path.join(configs_dir, "sft.py"), "sft")
        assert config.data == default.data and config.sft.num_steps > default.sft.num_steps


def test_the_composition_depth_is_bounded_by_the_table_and_the_deepest_suite():
    config_lib.validate(_config(pretrain__composition_depth=2))
    with pytest.raises(ConfigError, match=r"composition_depth=4 must be between 2 and 3"):
        config_lib.validate(_config(pretrain__composition_depth=4))
    with pytest.raises(ConfigError, match=r"composition_depth=1 must be between 2 and 3"):
        config_lib.validate(_config(pretrain__composition_depth=1))


def test_pretraining_rows_fit_the_models_positions():
    config_lib.validate(_config(pretrain__seq_len=1024))
    with pytest.raises(ConfigError, match=r"pretrain.seq_len=1025 is longer than the model's "
                                          r"positions \(max_position_embeddings=1024\)"):
        config_lib.validate(_config(pretrain__seq_len=1025))


def test_ppo_settings_are_owned_by_the_trainer_and_typed_once():
    """config.rl is built from PPOConfig's defaults (plus the regime's fields); from_section
    types them; the rules between fields live in PPOConfig alone."""
    import dataclasses

    from codecorr_jax.train.ppo_config import PPOConfig

    configs = os.path.join(os.path.dirname(os.path.dirname(__file__)), "configs")
    section = config_lib.sibling_config(os.path.join(configs, "sft.py"), "rl").rl  # tiny PPO
    assert PPOConfig.from_section(config_lib.base_config("sft").rl) == PPOConfig()
    typed = PPOConfig.from_section(section)
    assert typed.estimator == section.estimator == "grpo" and typed.rows == 64
    assert isinstance(typed.kl_coef, float) and not typed.uses_reference
    assert {f.name for f in dataclasses.fields(PPOConfig)} < set(section)
    with pytest.raises(ValueError, match=r"^rl\.micro_batch_size=5 must divide "):
        dataclasses.replace(typed, micro_batch_size=5)
    assert dataclasses.replace(typed, kl_coef=0.1).uses_reference


def test_the_model_source_is_typed_once_from_the_model_section(tmp_path):
    """build_model reads a ModelSource, not the config: the built-in architecture as its
    ModelConfig (value head or not), or a checkpoint directory with the runtime fields."""
    import dataclasses

    from codecorr_jax.models.config import ModelSource, model_config

    section = config_lib.base_config("sft").model
    source = ModelSource.from_section(section)
    assert source.checkpoint_dir == "" and source.builtin == model_config(section)
    assert dataclasses.replace(source.builtin, value_head=True) == model_config(section, True)
    section = config_lib.base_config("sft", "qwen2").model
    section.checkpoint_dir = str(tmp_path)
    source = ModelSource.from_section(section)
    assert source.builtin is None and source.checkpoint_dir == str(tmp_path)
    assert source.runtime["dtype"] == "bfloat16" and source.runtime["scan_layers"] is True
