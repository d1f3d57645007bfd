"""The `rl` and `sft_then_rl` regimes: PPO with rewards from running the generated programs.

- `rl` ("RL from scratch" in the study): PPO from the base model.
- `sft_then_rl`: the `sft` regime (reused when already done), then PPO from its checkpoint on
  the same prompts unless `config.rl.mixture` says otherwise.

Both score the starting point and the result on the evaluation suites and write a report
(markdown table and plots: eval/report.py) of pass@1 per suite and stage. PPO runs in
`<workdir>/rl` or `<workdir>/sft_then_rl` (checkpoints: a killed run resumes; metrics.jsonl,
tensorboard/, eval/, final/ in Hugging Face format).
"""

from __future__ import annotations

import concurrent.futures
import os
from typing import Any, Sequence

import jax
import numpy as np

from codecorr_jax import config as config_lib
from codecorr_jax.data.mixture import load_mixture
from codecorr_jax.eval import report as report_lib
from codecorr_jax.eval import suites as suites_lib
from codecorr_jax.eval.completion import decode_completion
from codecorr_jax.execution import Executor
from codecorr_jax.execution.rewards import get_reward_fn
from codecorr_jax.execution.verdicts import Verdict
from codecorr_jax.fileio import read_json
from codecorr_jax.models.config import runtime_fields
from codecorr_jax.models.decoder import Decoder
from codecorr_jax.models.hf_checkpoint import load_hf_checkpoint, save_hf_checkpoint
from codecorr_jax.regimes import run_dir as run_dir_lib
from codecorr_jax.regimes import sft as sft_lib
from codecorr_jax.regimes.datasets import dataset_dir
from codecorr_jax.regimes.evaluation import Evaluator, base_results
from codecorr_jax.regimes.pretrain import base_dir, jsonl_dir, load_or_pretrain_base
from codecorr_jax.train.metrics import read_metrics
from codecorr_jax.train.ppo_core import NEEDS_CRITIC
from codecorr_jax.train.ppo_trainer import PromptItem, RewardBatch, train_ppo, uses_reference


class PendingTaskRewards:
    """Executor futures of one rollout; `result()` waits for them and applies the reward."""

    def __init__(self, futures: Sequence[concurrent.futures.Future], reward: str):
        self._futures = list(futures)
        self._reward_fn = get_reward_fn(reward)

    def result(self) -> RewardBatch:
        results = [f.result() for f in self._futures]
        scores = np.array([self._reward_fn(r) for r in results], np.float32)
        passed = np.array([r.verdict is Verdict.PASS for r in results], bool)
        return RewardBatch(scores, passed)


class TaskRewarder:
    """Rewards of sampled completions of task prompts: each program (prompt + completion, or
    the completion alone for instruction prompts) runs against the task's unit tests in the
    executor's sandboxes, on the host's CPUs, while the accelerator works."""

    def __init__(self, executor: Executor, tokenizer: Any, reward: str):
        get_reward_fn(reward)  # refuse an unknown reward name now, not mid-run
        self.executor = executor
        self.tokenizer = tokenizer
        self.reward = reward

    def submit(self, payloads: Sequence[suites_lib.EvalTask],
               responses: Sequence[Sequence[int]]) -> PendingTaskRewards:
        programs = [suites_lib.program(task, decode_completion(self.tokenizer, tokens))
                    for task, tokens in zip(payloads, responses)]
        return PendingTaskRewards(self.executor.submit(programs), self.reward)


def rl_mixture(config: Any) -> dict[str, int]:
    """`config.rl.mixture` with -2 ("as the SFT mixture") resolved from `config.data.mixture`."""
    return {family: (config.data.mixture[family] if count == -2 else count)
            for family, count in config.rl.mixture.items()}


def rl_prompts(config: Any, workdir: str, tokenizer: Any) -> tuple[list[PromptItem], int]:
    """The RL prompts (train-split tasks of the RL mixture, each once) and how many were left
    out because prompt + `rl.max_new_tokens` exceeds the model's positions."""
    records = load_mixture(os.path.join(dataset_dir(config, workdir), "tfds"),
                           rl_mixture(config), {}, seed=config.data.seed)
    room = config.model.max_position_embeddings - int(config.rl.max_new_tokens)
    full_program = config.data.prompt_style == "instruction"
    items, too_long = [], 0
    for record in records:
        ids = tokenizer(record["prompt"], add_special_tokens=False)["input_ids"]
        if len(ids) > room:
            too_long += 1
            continue
        items.append(PromptItem(tuple(ids), suites_lib.record_task(record, full_program)))
    return items, too_long


def frontier_flags(evaluator: Evaluator, policy: Decoder, prompts: Sequence[PromptItem],
                   run_dir: str, *, max_new_tokens: int, seed: int) -> list[bool]:
    """A flag per prompt: the starting policy's greedy completion fails it. Scored once and
    kept in `<run_dir>/frontier/`, so a resumed run draws from the same frontier."""
    directory = os.path.join(run_dir, "frontier")
    cached = read_json(os.path.join(directory, "eval", "latest.json"))
    results = cached["results"] if cached is not None else evaluator.score_greedy(
        policy, "rl_prompts", [p.payload for p in prompts], directory,
        max_new_tokens=max_new_tokens, seed=seed)
    rows = results["rl_prompts"]["tasks"]
    if [r["task_id"] for r in rows] != [p.payload.task_id for p in prompts]:
        raise ValueError(f"{directory} scored other prompts than this run's; delete it")
    return [not r["passed_greedy"] for r in rows]


def _load(checkpoint_dir: str, config: Any, mesh: jax.sharding.Mesh,
          value_head: bool = False) -> Decoder:
    return load_hf_checkpoint(checkpoint_dir, mesh, value_head=value_head,
                              **runtime_fields(config.model))


def base_checkpoint_dir(config: Any, workdir: str) -> str:
    """The base model in Hugging Face format: the tiny base's cache or the preset's checkpoint."""
    return base_dir(config, workdir) if config.model.preset == "tiny" \
        else config.model.checkpoint_dir


def ppo(config: Any, workdir: str, mesh: jax.sharding.Mesh, executor: Executor,
        evaluator: Evaluator, tokenizer: Any, *, init_dir: str, init_fingerprint: str,
        run_name: str) -> dict[str, Any]:
    """PPO from the Hugging Face checkpoint in `init_dir`; returns {"rl": results, ...}.

    The policy and the frozen reference both start from `init_dir`; the critic from `init_dir`
    or the base (`rl.critic_init`), with a value head that starts at zero.
    """
    section = config.rl
    run_dir = os.path.join(workdir, run_name)
    fields = {"init": init_fingerprint, "model": config.model.to_dict(),
              "rl": section.to_dict(), "reward": config.executor.reward,
              "mixture": rl_mixture(config), "prompt_style": config.data.prompt_style,
              "seed": config.seed}
    run_dir_lib.claim(run_dir, fields, replace_stale=False)
    prompts, too_long = rl_prompts(config, workdir, tokenizer)
    if jax.process_index() == 0:
        print(f"rl         {len(prompts)} prompts ({too_long} too long for "
              f"rl.max_new_tokens={section.max_new_tokens} left out); "
              f"{section.num_iterations} iterations of {section.prompts_per_iteration} prompts "
              f"x {section.samples_per_prompt} samples; estimator {section.estimator}, "
              f"reward {config.executor.reward}")
    policy = _load(init_dir, config, mesh)
    focus = None
    if section.frontier_fraction > 0:
        focus = frontier_flags(evaluator, policy, prompts, run_dir,
                               max_new_tokens=int(section.max_new_tokens), seed=config.seed)
        if jax.process_index() == 0:
            print(f"rl         frontier: the starting policy fails {sum(focus)} of "
                  f"{len(prompts)} prompts (greedy); {section.frontier_fraction:.0%} of each "
                  "iteration's prompts are drawn from them")
    reference = _load(init_dir, config, mesh) if uses_reference(section) else None
    critic = None
    if section.estimator in NEEDS_CRITIC:
        critic_dir = init_dir if section.critic_init == "policy" \
            else base_checkpoint_dir(config, workdir)
        critic = _load(critic_dir, config, mesh, value_head=True)

    def periodic_eval(model: Decoder, iteration: int) -> dict[str, float]:
        results = evaluator.run(model, iteration, run_dir, periodic=True, seed=config.seed)
        if jax.process_index() == 0:
            print(f"eval       iteration {iteration}: {suites_lib.summary_line(results)}")
        return suites_lib.scalars(results)

    pad = tokenizer.pad_token_id
    result = train_ppo(policy, reference, critic, prompts,
                       TaskRewarder(executor, tokenizer, config.executor.reward), section,
                       run_dir=run_dir, mesh=mesh, eos_token_id=tokenizer.eos_token_id,
                       pad_token_id=tokenizer.eos_token_id if pad is None else pad,
                       checkpoint=config.checkpoint, logging=config.logging, seed=config.seed,
                       eval_hook=periodic_eval, eval_every=int(section.eval_every),
                       focus=focus)
    after = evaluator.run(result.policy, result.iterations, run_dir, seed=config.seed)
    save_hf_checkpoint(result.policy, os.path.join(run_dir, "final"), tokenizer=tokenizer)
    return {"rl": after, "run_dir": run_dir, "history": _history(run_dir, result.history)}


def _history(run_dir: str, fallback: list[dict[str, float]]) -> list[dict[str, float]]:
    """Every iteration's metrics, a resumed run's earlier part included (metrics.jsonl)."""
    return read_metrics(run_dir, "rl/reward") or fallback


def _finish(config: Any, run_dir: str, title: str, stages: dict[str, dict],
            history: list[dict[str, float]], next_step: str) -> str:
    """The report; the console gets the table, what to run next and, last, where it is."""
    notes = [f"estimator {config.rl.estimator}, reward `{config.executor.reward}`, "
             f"{config.rl.num_iterations} iterations of {config.rl.prompts_per_iteration} "
             f"prompts x {config.rl.samples_per_prompt} samples, kl_coef {config.rl.kl_coef} "
             f"({config.rl.kl_estimator})",
             "pass@1 is greedy decoding; the composite suites are held-out test functions"]
    path = report_lib.write_report(run_dir, title, stages, history, notes=notes)
    if jax.process_index() == 0:
        print(report_lib.stage_table(stages))
        print(f"next       {next_step}")
        print(f"wrote      eval/, metrics.jsonl, tensorboard/ (tensorboard --logdir {run_dir}), "
              "final/ (Hugging Face format), pass_at_1.png, rl_curves.png")
        print(f"report     {path}")
    return path


def run_rl(config: Any, workdir: str, mesh: jax.sharding.Mesh) -> dict[str, Any]:
    """Regime `rl`: base -> PPO -> scores and report."""
    with Executor(config_lib.executor_config(config)) as executor:
        base, tokenizer, base_fingerprint = load_or_pretrain_base(config, workdir, mesh)
        evaluator = Evaluator(config, jsonl_dir(config, workdir), tokenizer, mesh, executor)
        before = base_results(config, workdir, base, evaluator, base_fingerprint)
        del base  # PPO loads its own policy, reference and critic from the checkpoint
        out = ppo(config, workdir, mesh, executor, evaluator, tokenizer,
                  init_dir=base_checkpoint_dir(config, workdir),
                  init_fingerprint=base_fingerprint, run_name="rl")
    stages = {"base": before, "RL": out["rl"]}
    out["report"] = _finish(config, out["run_dir"], "RL from the base model", stages,
                            out["history"], "SFT first, then RL: python launch/main.py "
                            f"--config=configs/sft_then_rl.py --workdir={workdir}")
    return out | {"base": before}


def run_sft_then_rl(config: Any, workdir: str, mesh: jax.sharding.Mesh) -> dict[str, Any]:
    """Regime `sft_then_rl`: base -> SFT (the `sft` regime, reused) -> PPO -> report."""
    with Executor(config_lib.executor_config(config)) as executor:
        sft_out = sft_lib.fine_tune(config, workdir, mesh, executor)
        del sft_out["model"]  # PPO loads its three models from the exported checkpoint
        out = ppo(config, workdir, mesh, executor, sft_out["evaluator"], sft_out["tokenizer"],
                  init_dir=os.path.join(sft_out["run_dir"], "final"),
                  init_fingerprint=sft_out["fingerprint"], run_name="sft_then_rl")
    stages = {"base": sft_out["base"], "SFT": sft_out["sft"], "SFT then RL": out["rl"]}
    out["report"] = _finish(config, out["run_dir"], "SFT, then RL", stages, out["history"],
                            "RL from the base for comparison: python launch/main.py "
                            f"--config=configs/rl.py --workdir={workdir}")
    return out | {"base": sft_out["base"], "sft": sft_out["sft"]}

