"""What PPO reads from the task world: its prompts, the rewards of their completions, and the
starting policy's frontier (the prompts it fails)."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import os
from typing import Any, Sequence

import numpy as np

from codecorr_jax import hosts
from codecorr_jax.data.chat import CHAT, chat_prompt
from codecorr_jax.data.mixture import load_mixture
from codecorr_jax.eval import suites as suites_lib
from codecorr_jax.eval.completion import decode_completion
from codecorr_jax.execution import Executor
from codecorr_jax.execution.rewards import get_reward_fn
from codecorr_jax.execution.verdicts import ProgramResult, Verdict
from codecorr_jax.fileio import read_json
from codecorr_jax.models.decoder import Decoder
from codecorr_jax.regimes.evaluation import Evaluator
from codecorr_jax.train.ppo_trainer import PromptItem, RewardBatch


class PendingTaskRewards:
    """Executor futures of one rollout; `result()` waits for them and applies the reward.

    `tests`: per row, how many of the program's tests are the task's own; the rest are its
    held-back tests, which decide `RewardBatch.heldback_failed` and never the reward."""

    def __init__(self, futures: Sequence[concurrent.futures.Future], reward: str,
                 tests: Sequence[int]):
        self._futures = list(futures)
        self._reward_fn = get_reward_fn(reward)
        self._tests = list(tests)

    def result(self) -> RewardBatch:
        """The rewards of every process's share, joined in row order."""
        rows = []
        for future, own in zip(self._futures, self._tests):
            result = future.result()
            heldback = result.part(own, result.total) if result.total > own else None
            result = result.part(0, own) if heldback is not None else result
            rows.append((self._reward_fn(result), result.verdict is Verdict.PASS,
                         constant_output(result),
                         heldback is not None and not heldback.all_passed))
        rows = hosts.join(rows)
        return RewardBatch(np.array([row[0] for row in rows], np.float32),
                           np.array([row[1] for row in rows], bool),
                           np.array([row[2] for row in rows], bool),
                           np.array([row[3] for row in rows], bool))


def constant_output(result: ProgramResult) -> bool:
    """Whether a program returned one and the same value on all of its (two or more) tests:
    the answer of a constant function, whatever the inputs."""
    outputs = {test.output for test in result.tests}
    return result.total >= 2 and len(outputs) == 1 and None not in outputs


class TaskRewarder:
    """Rewards of sampled completions of task prompts: each program (prompt + completion, or
    the completion alone for instruction prompts) runs against the task's unit tests in the
    executor's sandboxes, on the host's CPUs, while the accelerator works. Under several
    processes each host runs its share of the rows (`hosts.share`) and the rewards are
    joined."""

    def __init__(self, executor: Executor, tokenizer: Any, reward: str):
        get_reward_fn(reward)  # refuse an unknown reward name now, not mid-run
        self.executor = executor
        self.tokenizer = tokenizer
        self.reward = reward

    def submit(self, payloads: Sequence[suites_lib.Task],
               responses: Sequence[Sequence[int]]) -> PendingTaskRewards:
        mine = hosts.share(len(payloads))  # the rows this host runs (all, on one host)
        tasks = payloads[mine]
        programs = [suites_lib.program(task, decode_completion(self.tokenizer, tokens),
                                       heldback=True)
                    for task, tokens in zip(tasks, responses[mine])]
        return PendingTaskRewards(self.executor.submit(programs), self.reward,
                                  [len(task.tests) for task in tasks])


def rl_mixture(config: Any) -> dict[str, int]:
    """`config.rl.mixture` with -2 ("as the SFT mixture") resolved from `config.data.mixture`."""
    return {family: (config.data.mixture[family] if count == -2 else count)
            for family, count in config.rl.mixture.items()}


def rl_prompts(config: Any, tfds_dir: str, tokenizer: Any,
               file_tasks: Sequence[suites_lib.Task] = ()) -> tuple[list[PromptItem], int]:
    """The RL prompts (train-split tasks of the RL mixture, each once, then the tasks of the
    task files PPO trains on) and how many were left out because prompt +
    `rl.max_new_tokens` exceeds the model's positions."""
    records = load_mixture(tfds_dir, rl_mixture(config), {}, seed=config.data.seed)
    style = config.data.prompt_style
    tasks = [suites_lib.record_task(record, style) for record in records]
    tasks += [dataclasses.replace(task, chat=style == CHAT) for task in file_tasks]
    room = config.model.max_position_embeddings - int(config.rl.max_new_tokens)
    items, too_long = [], 0
    for task in tasks:
        text = chat_prompt(tokenizer, task.prompt) if style == CHAT else task.prompt
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        if len(ids) > room:
            too_long += 1
            continue
        items.append(PromptItem(tuple(ids), task))
    return items, too_long


def _frontier_dir(run_dir: str) -> str:
    return os.path.join(run_dir, "frontier")


def frontier_scored(run_dir: str) -> bool:
    """Whether this run has scored its frontier already (a resumed run reads it back)."""
    return os.path.exists(suites_lib.latest_results_path(_frontier_dir(run_dir)))


def frontier_flags(evaluator: Evaluator, policy: Decoder, prompts: Sequence[PromptItem],
                   run_dir: str, *, samples: int, temperature: float, max_new_tokens: int,
                   seed: int) -> list[bool]:
    """A flag per prompt: on the starting policy's frontier (`on_frontier`). Scored once (greedy,
    or `samples` samples at `temperature`) and kept in `<run_dir>/frontier/`, so a resumed run
    draws from the same frontier."""
    directory = _frontier_dir(run_dir)
    cached = read_json(suites_lib.latest_results_path(directory))
    results = cached["results"] if cached is not None else evaluator.score_tasks(
        policy, "rl_prompts", [p.payload for p in prompts], directory,
        max_new_tokens=max_new_tokens, seed=seed, num_samples=samples, temperature=temperature)
    scored = results["rl_prompts"]
    if [r["task_id"] for r in scored["tasks"]] != [p.payload.task_id for p in prompts]:
        raise ValueError(f"{directory} scored other prompts than this run's; delete it")
    if scored.get("num_samples", 0) != samples:
        raise ValueError(f"{directory} scored the prompts with {scored.get('num_samples', 0)} "
                         f"samples each, this run's rl.frontier_samples is {samples}; delete it")
    return on_frontier(scored["tasks"], samples)


def on_frontier(rows: Sequence[dict[str, Any]], samples: int) -> list[bool]:
    """The frontier among scored prompts (`suites.evaluate`'s task rows): with `samples`=0 the
    prompts whose greedy completion fails; else those where some but not all of the `samples`
    samples pass. A group of a prompt the policy always or never passes has equal binary rewards,
    so no group-relative signal: the sampled frontier is where RL from a weak policy can learn."""
    if samples == 0:
        return [not row["passed_greedy"] for row in rows]
    return [0 < row["n_correct"] < samples for row in rows]
