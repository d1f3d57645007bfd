"""The stages every regime is composed of, each reusing what an earlier run already made.

    ensure_datasets -> ensure_tokenizer -> ensure_base -> evaluate_base
                                                       -> run_sft -> run_ppo (from SFT's final/)
                                                       -> run_ppo (from the base)

Each takes typed arguments (a `Workspace`, the config's sections) and returns a typed outcome;
none imports a regime, so `sft`, `rl`, `sft_then_rl`, `pretrain` and the study's cells are short
compositions of the same stages. Process 0 writes files; every process computes.
"""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
import time
from typing import Any, Mapping, Sequence

import jax

from codecorr_jax import config as config_lib
from codecorr_jax import hosts
from codecorr_jax.data import corpus, function_corpus, tfds_builder
from codecorr_jax.data import tokenizer as tokenizer_lib
from codecorr_jax.data.chat import rendered_style
from codecorr_jax.data.mixture import load_mixture, order_seed
from codecorr_jax.data.packing import packed_batches
from codecorr_jax.data.pipeline import sft_dataset, tokenize_documents
from codecorr_jax.eval import suites as suites_lib
from codecorr_jax.execution import Executor
from codecorr_jax.fileio import read_json, write_json_atomic, write_text_atomic
from codecorr_jax.models import sharding
from codecorr_jax.models.build import build_model
from codecorr_jax.models.config import ModelSource, runtime_fields
from codecorr_jax.models.decoder import Decoder
from codecorr_jax.models.hf_checkpoint import (load_hf_checkpoint, load_tokenizer,
                                               save_hf_checkpoint, save_peft_adapter)
from codecorr_jax.regimes import run_dir as run_dir_lib
from codecorr_jax.regimes.evaluation import Evaluator, SuiteResults
from codecorr_jax.regimes.ppo_inputs import (TaskRewarder, frontier_flags, frontier_scored,
                                             rl_mixture, rl_prompts)
from codecorr_jax.regimes.workspace import BASE_MANIFEST, SHIPPED_BASE_DIR, Workspace
from codecorr_jax.synth import build as synth_build
from codecorr_jax.tasks.overlap import overlap_report, training_overlap
from codecorr_jax.tasks.sources import (as_training_records, file_sources, sft_examples,
                                         training_tasks)
from codecorr_jax.tasks.overlap import summary as overlap_summary
from codecorr_jax.train.lm_trainer import TrainResult, train_lm
from codecorr_jax.train.metrics import read_metrics
from codecorr_jax.train.ppo_core import NEEDS_CRITIC
from codecorr_jax.train.loop import CheckpointConfig, LoggingConfig
from codecorr_jax.train.ppo_config import PPOConfig
from codecorr_jax.train.ppo_trainer import train_ppo


def _checkpointing(config: Any) -> CheckpointConfig:
    return CheckpointConfig.from_section(config.checkpoint)


def _logging(config: Any) -> LoggingConfig:
    return LoggingConfig.from_section(config.logging)


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    """A model in Hugging Face format and the fingerprint of what made it (a run that starts
    from it records the fingerprint, so it never resumes on top of another start)."""

    directory: str
    fingerprint: str


@dataclasses.dataclass
class Base:
    """The base model, loaded, with its tokenizer and where it lives on disk. A regime sets
    `model` to None once it needs only the checkpoint (PPO loads its models from disk), so a
    large base is not held twice."""

    model: Decoder | None
    tokenizer: Any
    checkpoint: Checkpoint


@dataclasses.dataclass(frozen=True)
class SftOutcome:
    run_dir: str
    final: Checkpoint  # <run_dir>/final: what PPO after SFT starts from
    results: SuiteResults  # the fine-tuned model's scores
    train: TrainResult  # steps, resume point, last metrics (the model itself is not kept)


@dataclasses.dataclass(frozen=True)
class PpoOutcome:
    run_dir: str
    results: SuiteResults  # the RL policy's scores
    history: list[dict[str, float]]  # every iteration's metrics, a resumed run's included
    frontier: str = ""  # how the prompts were drawn from the starting policy's frontier, if so


def ensure_datasets(config: Any, ws: Workspace) -> synth_build.BuildResult:
    """Build (or reuse) Atom_base and Composite_A/B/C, as JSONL and their TFDS copy."""
    result = None
    if jax.process_index() == 0:
        started = time.perf_counter()
        result = synth_build.build(config.synth.to_dict(), ws.jsonl_dir,
                                   prompt_style=rendered_style(config.data.prompt_style),
                                   progress=config.logging.progress_bar)
        if not result.reused:  # the TFDS copy of an earlier build is stale: replace it
            shutil.rmtree(ws.tfds_dir, ignore_errors=True)
        if not os.path.isdir(ws.tfds_dir):
            tfds_builder.prepare(ws.jsonl_dir, ws.tfds_dir)
        how = "reused" if result.reused else \
            f"built in {time.perf_counter() - started:.0f} s (JSONL + TFDS)"
        print(f"datasets   {how}: {ws.dataset_dir}")
    hosts.barrier("datasets built")
    return result or synth_build.load(ws.jsonl_dir)


def ensure_tokenizer(config: Any, ws: Workspace) -> Any:
    """The base's own tokenizer or, for a tiny base trained here, a BPE trained on the train
    tasks and some stdlib source (reused while that corpus is unchanged). Needs the datasets."""
    if ws.base_source == "checkpoint":
        return load_tokenizer(ws.tokenizer_dir)
    if ws.base_source == "shipped":  # the project's own, trained when the base was
        return tokenizer_lib.load_tokenizer(ws.tokenizer_dir)
    texts = lambda: corpus.tokenizer_corpus(  # noqa: E731
        ws.jsonl_dir, rendered_style(config.data.prompt_style),
        int(config.data.tokenizer_source_mb * 1e6),
        seed=config.data.seed)
    if jax.process_index() == 0:
        tokenizer_lib.build_or_load_tokenizer(ws.tokenizer_dir, texts, config.model.vocab_size)
    hosts.barrier("tokenizer ready")
    return tokenizer_lib.load_tokenizer(ws.tokenizer_dir)


def _model_fields(config: Any) -> dict[str, Any]:
    """The model config a tiny base is made for (the checkpoint path is no part of it)."""
    return {k: v for k, v in config.model.to_dict().items() if k != "checkpoint_dir"}


def base_fields(config: Any, ws: Workspace) -> dict[str, Any]:
    """What a tiny base trained here depends on: a change to any of these retrains it."""
    manifest = tokenizer_lib.read_manifest(ws.tokenizer_dir) or {}
    pretrain = {k: v for k, v in config.pretrain.to_dict().items()
                if k not in ("base_dir", "source")}
    return {"model": _model_fields(config), "pretrain": pretrain, "seed": config.seed,
            "tokenizer": manifest.get("corpus_sha256"),
            "function_corpus": function_corpus.VERSION}


def shipped_base_manifest(directory: str = SHIPPED_BASE_DIR) -> dict[str, Any]:
    """The manifest of a shipped base; an error that says how to make one when there is none."""
    manifest = read_json(os.path.join(directory, BASE_MANIFEST))
    if manifest is None:
        raise FileNotFoundError(
            f"no base model in {directory} ({BASE_MANIFEST} missing). Pretrain one here with "
            "--config.pretrain.source=train, or build and ship it: python launch/main.py "
            "--config=configs/pretrain.py --workdir=runs/base && python launch/ship_base.py "
            "runs/base")
    return manifest


def corpus_version_note(manifest: dict[str, Any]) -> str | None:
    """A line for the console when a shipped base was pretrained on another version of the
    generated corpus than this code writes (None when they agree): its weights are still the
    base every regime reads, but rebuilding it would not give the same base."""
    made = manifest.get("fields", {}).get("function_corpus")
    if made == function_corpus.VERSION:
        return None
    return (f"base       the shipped base was pretrained on generated-corpus version {made}; "
            f"this code writes version {function_corpus.VERSION} (BENCHMARKS.md, issue 16, says "
            "why). --config.pretrain.source=train pretrains one on it")


def _load(directory: str, config: Any, mesh: jax.sharding.Mesh,
          value_head: bool = False) -> Decoder:
    return load_hf_checkpoint(directory, mesh, sharding.DEFAULT_RULES, value_head=value_head,
                              **runtime_fields(config.model))


def _load_shipped(config: Any, ws: Workspace, mesh: jax.sharding.Mesh) -> tuple[Decoder, str]:
    manifest = shipped_base_manifest(ws.base_dir)
    built, wanted = manifest["fields"]["model"], _model_fields(config)
    differs = sorted(k for k in wanted if k not in runtime_fields(config.model)
                     and built.get(k) != wanted[k])
    if differs:
        raise config_lib.ConfigError(
            f"config.model differs from the shipped base in {ws.base_dir} in "
            + ", ".join(f"{k} ({wanted[k]!r}, the base has {built.get(k)!r})" for k in differs)
            + ": set --config.pretrain.source=train to pretrain a base of that shape")
    note = corpus_version_note(manifest)
    if note and jax.process_index() == 0:
        print(note)
    return _load(ws.base_dir, config, mesh), manifest["fingerprint"]


def pretrain_base(config: Any, ws: Workspace, mesh: jax.sharding.Mesh, tokenizer: Any,
                  fields: dict[str, Any]) -> tuple[Decoder, dict[str, Any]]:
    """Train the tiny base from random initialisation in `<workdir>/pretrain` (a killed run
    resumes); returns it with what its manifest records (corpus counts, tokens, loss)."""
    section = config.pretrain
    run_dir = ws.run_dir("pretrain")
    run_dir_lib.claim(run_dir, fields, replace_stale=True)
    texts, manifest = corpus.pretraining_corpus(
        ws.jsonl_dir, source_bytes=int(section.corpus_mb * 1e6),
        generated_functions=int(section.generated_functions), seed=config.data.seed,
        composition_depth=int(section.composition_depth),
        progress=jax.process_index() == 0)
    examples = tokenize_documents(texts, tokenizer, section.seq_len)
    batches, stats = packed_batches(examples, seq_len=section.seq_len,
                                    batch_size=section.batch_size,
                                    seed=order_seed(config.data.seed, config.seed))
    if jax.process_index() == 0:
        docs = manifest["documents"]
        print(f"pretrain   {docs['generated']:,} generated functions and {docs['stdlib']} stdlib "
              f"files (none holding task text), {stats.tokens:,} tokens in "
              f"{stats.rows_per_epoch} rows of {section.seq_len} per epoch; "
              f"{section.num_steps} steps of {section.batch_size} rows")
    model = build_model(ModelSource.from_section(config.model), mesh, seed=config.seed)
    result = train_lm(model, batches, section, run_dir=run_dir, mesh=mesh,
                      checkpoint=_checkpointing(config), logging=_logging(config), seed=config.seed,
                      num_steps=int(section.num_steps), desc="pretrain")
    record = {"corpus": manifest, "tokens_per_epoch": stats.tokens,
              "tokens_trained": int(section.num_steps) * section.batch_size * section.seq_len,
              "steps": result.steps, "last_metrics": result.last_metrics}
    return result.model, record


def ensure_base(config: Any, ws: Workspace, mesh: jax.sharding.Mesh, tokenizer: Any) -> Base:
    """The base model on `mesh`: a checkpoint preset's own, the shipped tiny base, or a tiny
    base pretrained here (cached in `ws.base_dir` while the fields that made it hold)."""
    if ws.base_source == "checkpoint":
        model = build_model(ModelSource.from_section(config.model), mesh, seed=config.seed)
        fingerprint = run_dir_lib.fingerprint({"checkpoint": os.path.abspath(ws.base_dir)})
        return Base(model, tokenizer, Checkpoint(ws.base_dir, fingerprint))
    if ws.base_source == "shipped":
        model, fingerprint = _load_shipped(config, ws, mesh)
        return Base(model, tokenizer, Checkpoint(ws.base_dir, fingerprint))
    fields = base_fields(config, ws)
    fingerprint = run_dir_lib.fingerprint(fields)
    manifest = read_json(os.path.join(ws.base_dir, BASE_MANIFEST))
    if manifest is not None and manifest.get("fingerprint") == fingerprint:
        return Base(_load(ws.base_dir, config, mesh), tokenizer,
                    Checkpoint(ws.base_dir, fingerprint))
    if manifest is not None and jax.process_index() == 0:
        print(f"base       {ws.base_dir} was made by another configuration: pretraining a new one")
    model, record = pretrain_base(config, ws, mesh, tokenizer, fields)
    save_hf_checkpoint(model, ws.base_dir, tokenizer=tokenizer)
    if jax.process_index() == 0:
        write_json_atomic(os.path.join(ws.base_dir, BASE_MANIFEST),
                          {"fingerprint": fingerprint, "fields": fields, "training": record},
                          default=str)
    return Base(model, tokenizer, Checkpoint(ws.base_dir, fingerprint))


def _eval_fields(config: Any) -> dict[str, Any]:
    """The evaluation settings a cached score depends on."""
    keep = ("suites", "composite_families", "max_tasks", "greedy", "num_samples", "temperature",
            "ks", "max_new_tokens")
    return {k: config.eval[k] for k in keep} | {"prompt_style": config.data.prompt_style,
                                                "synth": config.synth.to_dict()}


def evaluate_base(config: Any, ws: Workspace, base: Base, evaluator: Evaluator) -> SuiteResults:
    """The base's scores, computed once per (base, evaluation settings) and cached in
    `ws.base_eval_dir`."""
    key = run_dir_lib.fingerprint({"base": base.checkpoint.fingerprint,
                                   "eval": _eval_fields(config)})
    directory = os.path.join(ws.base_eval_dir, f"eval_{key}")
    cached = read_json(suites_lib.latest_results_path(directory))
    if cached is not None:
        return cached["results"]
    if jax.process_index() == 0:
        print("eval       scoring the base model (once; cached in the workdir)")
    return evaluator.run(base.model, 0, directory, seed=config.seed)


@dataclasses.dataclass
class Start:
    """What every training regime starts from."""

    ws: Workspace
    base: Base
    evaluator: Evaluator  # the configured suites, loaded once
    base_results: SuiteResults  # the base's scores on them


def start(config: Any, workdir: str, mesh: jax.sharding.Mesh, executor: Executor) -> Start:
    """Datasets, tokenizer, base (each reused when made before) and the base's scores."""
    ws = Workspace.from_config(config, workdir)
    ensure_datasets(config, ws)
    base = ensure_base(config, ws, mesh, ensure_tokenizer(config, ws))
    evaluator = Evaluator(config, ws.jsonl_dir, base.tokenizer, mesh, executor)
    results = evaluate_base(config, ws, base, evaluator)
    if jax.process_index() == 0:
        print(f"base       {suites_lib.summary_line(results)}")
    return Start(ws, base, evaluator, results)


def sft_steps(section: Any, rows_per_epoch: int) -> int:
    """`sft.num_steps`, or enough steps for `sft.epochs` passes over the mixture."""
    if section.epochs > 0:
        return max(1, math.ceil(section.epochs * rows_per_epoch / section.batch_size))
    return int(section.num_steps)


# What runs recorded before a field existed did, where that differs from the field's default:
# their checkpoints hold the layers unrolled, whatever the preset's default layout is now.
_BEFORE_THE_FIELD = {("model", "scan_layers"): False}


def _section_defaults(config: Any, *sections: str) -> dict[str, Any]:
    """The default values of config sections, for `run_dir.claim`: a run recorded before a
    field existed resumes while that field keeps its default (or `_BEFORE_THE_FIELD`'s value:
    what the run did)."""
    defaults = config_lib.base_config(config.regime, config.model.preset)
    values = {name: defaults[name].to_dict() for name in sections}
    for (section, field), value in _BEFORE_THE_FIELD.items():
        if section in values:
            values[section][field] = value
    return values


def _export(model: Decoder, run_dir: str, tokenizer: Any, started_from: str) -> None:
    """`<run_dir>/final`: the model in Hugging Face format (LoRA adapters merged in); with
    adapters also `<run_dir>/adapter`, PEFT's layout over the checkpoint it started from."""
    save_hf_checkpoint(model, os.path.join(run_dir, "final"), tokenizer=tokenizer)
    if model.config.lora_rank:
        save_peft_adapter(model, os.path.join(run_dir, "adapter"), base_model=started_from)


def run_sft(config: Any, ws: Workspace, mesh: jax.sharding.Mesh, base: Base,
            evaluator: Evaluator, run_name: str = "sft") -> SftOutcome:
    """Fine-tune the base (or a random init, `sft.init`) on the data mixture with periodic
    evaluation; score the result and export it to `<run_dir>/final`. A finished run is kept."""
    section = config.sft
    run_dir = ws.run_dir(run_name)
    fields = {"base": base.checkpoint.fingerprint if section.init == "base" else "scratch",
              "model": config.model.to_dict(), "data": config.data.to_dict(),
              "sft": section.to_dict(), "seed": config.seed,
              **_task_file_fields(config, config.data)}
    run_dir_lib.claim(run_dir, fields, replace_stale=False,
                      defaults=_section_defaults(config, "model", "data", "sft"))
    if section.init == "base" and base.model is None:
        raise ValueError("run_sft(init='base') needs the loaded base model; it was released")
    model = base.model if section.init == "base" else \
        build_model(ModelSource.from_section(config.model), mesh, seed=config.seed)
    sources = file_sources(config.get("tasks"))
    file_tasks = [t for name in config.data.get("task_files", ()) for t in sources[name].load()]
    batches, stats = sft_dataset(ws.tfds_dir, config.data, base.tokenizer,
                                 batch_size=section.batch_size, seed=config.data.seed,
                                 shuffle_seed=order_seed(config.data.seed, config.seed),
                                 extra=sft_examples(file_tasks))
    hosts.check_same_everywhere([stats], "the SFT data (data.*, the datasets' files)")
    steps = sft_steps(section, stats.rows_per_epoch)
    if evaluator.file_suites:
        check_task_files(evaluator, load_mixture(ws.tfds_dir, config.data.mixture,
                                                 config.data.repeats, config.data.seed)
                         + as_training_records(file_tasks), run_dir, "the SFT mixture")
    if jax.process_index() == 0:
        mix = ", ".join([f"{k}={v}" for k, v in config.data.mixture.items() if v]
                        + [f"{name} (file)" for name in config.data.get("task_files", ())])
        if config.data.atom_step_repeats:
            mix += f", atoms as one-step composites x{config.data.atom_step_repeats}"
        print(f"sft        {stats.examples} tasks ({mix}), {stats.loss_tokens:,} trained tokens "
              f"in {stats.rows_per_epoch} rows of {config.data.max_length} per epoch "
              f"({stats.padding_fraction:.1%} padding); {stats.dropped_too_long} longer than "
              f"data.max_length dropped; {steps} steps of {section.batch_size} rows "
              f"(~{steps * section.batch_size / max(stats.rows_per_epoch, 1):.1f} epochs)")

    def periodic_eval(model: Decoder, step: int, key: jax.Array) -> dict[str, float]:
        del key  # greedy decoding: the scores do not depend on it
        results = evaluator.run(model, step, run_dir, periodic=True, seed=config.seed)
        if jax.process_index() == 0:
            print(f"eval       step {step}: {suites_lib.summary_line(results)}")
        return suites_lib.scalars(results)

    result = train_lm(model, batches, section, run_dir=run_dir, mesh=mesh,
                      checkpoint=_checkpointing(config), logging=_logging(config), seed=config.seed,
                      num_steps=steps, desc="sft", eval_hook=periodic_eval,
                      eval_every=int(config.eval.every_steps))
    final_dir = os.path.join(run_dir, "final")
    done = read_json(os.path.join(run_dir, "eval", f"step_{result.steps:08d}.json"))
    if done is not None and os.path.isdir(final_dir) and result.resumed_from == result.steps:
        after = done["results"]  # a finished run: its final scores and checkpoint stand
    else:
        after = evaluator.run(result.model, result.steps, run_dir, seed=config.seed)
        _export(result.model, run_dir, base.tokenizer, base.checkpoint.directory)
    return SftOutcome(run_dir, Checkpoint(final_dir, run_dir_lib.fingerprint(fields)), after,
                      dataclasses.replace(result, model=None))


def _task_file_fields(config: Any, section: Any) -> dict[str, Any]:
    """The definitions of the task files a stage trains on, for its run's identity (nothing
    when it trains on none, so runs made before task files existed keep theirs)."""
    names = tuple(section.get("task_files", ()))
    return {"task_files": {n: config.tasks[n].to_dict() for n in names}} if names else {}


def check_task_files(evaluator: Evaluator, training: Sequence[Mapping[str, Any]], run_dir: str,
                     label: str) -> None:
    """Before training: which tasks of the evaluated task files meet the training tasks
    (`tasks.overlap`); a line a file on the console, the tasks in `<run_dir>/task_overlap.md`."""
    if not evaluator.file_suites or jax.process_index() != 0:
        return
    found = {name: (len(tasks), training_overlap(tasks, training))
             for name, tasks in evaluator.file_suites.items()}
    path = os.path.join(run_dir, "task_overlap.md")
    write_text_atomic(path, overlap_report(found, label))
    for name, (total, overlaps) in found.items():
        print(f"tasks      {overlap_summary(name, total, overlaps, label)}: {path}")


def _frontier_line(samples: int, temperature: float, fraction: float, on: int,
                   prompts: int, follow: bool) -> str:
    """How PPO draws from the starting policy's frontier, for the console and the report."""
    if samples == 0:
        found = f"the starting policy fails {on} of {prompts} prompts (greedy)"
    else:
        found = (f"some but not all of the starting policy's {samples} samples "
                 f"(T={temperature:g}) pass on {on} of {prompts} prompts")
    line = f"{found}; {fraction:.0%} of each iteration's prompts are drawn from them"
    if follow:
        line += (", a prompt leaving them when its group passes in every sample and joining "
                 "them when in some")
    return line


def run_ppo(config: Any, ws: Workspace, mesh: jax.sharding.Mesh, executor: Executor,
            evaluator: Evaluator, tokenizer: Any, *, start: Checkpoint, base: Checkpoint,
            run_name: str) -> PpoOutcome:
    """PPO from the model in `start`; score the policy and export it to `<run_dir>/final`.

    The policy and the frozen reference both start from `start`; the critic from `start` or
    `base` (`rl.critic_init`), with a value head that starts at zero.
    """
    section = config.rl
    ppo = PPOConfig.from_section(section)  # the trainer's settings, typed once
    run_dir = ws.run_dir(run_name)
    fields = {"init": start.fingerprint, "model": config.model.to_dict(),
              "rl": section.to_dict(), "reward": config.executor.reward,
              "mixture": rl_mixture(config), "prompt_style": config.data.prompt_style,
              "seed": config.seed, **_task_file_fields(config, section)}
    run_dir_lib.claim(run_dir, fields, replace_stale=False,
                      defaults=_section_defaults(config, "model", "rl"))
    file_tasks = training_tasks(file_sources(config.get("tasks")),
                                section.get("task_files", ()), executor)
    prompts, too_long = rl_prompts(config, ws.tfds_dir, tokenizer, file_tasks)
    hosts.check_same_everywhere([p.ids for p in prompts], "the RL prompts")
    if jax.process_index() == 0:
        print(f"rl         {len(prompts)} prompts ({too_long} too long for "
              f"rl.max_new_tokens={section.max_new_tokens} left out); "
              f"{section.num_iterations} iterations of {section.prompts_per_iteration} prompts "
              f"x {section.samples_per_prompt} samples; estimator {section.estimator}, "
              f"reward {config.executor.reward}")
    check_task_files(evaluator, as_training_records([p.payload for p in prompts]), run_dir,
                     "the RL prompts")
    policy = _load(start.directory, config, mesh)
    focus, frontier = None, ""
    if section.frontier_fraction > 0:
        samples = int(section.frontier_samples)
        if jax.process_index() == 0 and not frontier_scored(run_dir):
            how = f"{samples} samples each at T={section.temperature:g}" if samples else "greedy"
            print(f"rl         frontier: the starting policy scores every prompt ({how}; once, "
                  f"kept in {os.path.join(run_dir, 'frontier')})")
        focus = frontier_flags(evaluator, policy, prompts, run_dir, samples=samples,
                               temperature=float(section.temperature),
                               max_new_tokens=int(section.max_new_tokens), seed=config.seed)
        frontier = _frontier_line(samples, float(section.temperature),
                                  float(section.frontier_fraction), sum(focus), len(prompts),
                                  bool(section.frontier_follow))
        if jax.process_index() == 0:
            print(f"rl         frontier: {frontier}")
            if not any(focus):
                print("rl         the frontier is empty: every prompt is drawn as without it")
    # Under LoRA the policy's frozen base doubles as the reference (ppo_trainer).
    reference = _load(start.directory, config, mesh) \
        if ppo.uses_reference and not config.model.lora_rank else None
    critic = None
    if section.estimator in NEEDS_CRITIC:
        critic_dir = start.directory if section.critic_init == "policy" else base.directory
        critic = _load(critic_dir, config, mesh, value_head=True)

    def periodic_eval(model: Decoder, iteration: int) -> dict[str, float]:
        results = evaluator.run(model, iteration, run_dir, periodic=True, seed=config.seed)
        if jax.process_index() == 0:
            print(f"eval       iteration {iteration}: {suites_lib.summary_line(results)}")
        return suites_lib.scalars(results)

    pad = tokenizer.pad_token_id
    result = train_ppo(policy, reference, critic, prompts,
                       TaskRewarder(executor, tokenizer, config.executor.reward), ppo,
                       run_dir=run_dir, mesh=mesh, eos_token_id=tokenizer.eos_token_id,
                       pad_token_id=tokenizer.eos_token_id if pad is None else pad,
                       checkpoint=_checkpointing(config), logging=_logging(config),
                       seed=config.seed, eval_hook=periodic_eval,
                       eval_every=int(section.eval_every), focus=focus)
    after = evaluator.run(result.policy, result.iterations, run_dir, seed=config.seed)
    _export(result.policy, run_dir, tokenizer, start.directory)
    history = read_metrics(run_dir, "rl/reward") or result.history
    return PpoOutcome(run_dir, after, history, frontier)
