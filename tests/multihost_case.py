"""The training work of the multi-host tests, run the same way by one process with two devices
(tests/test_multihost.py) and by two processes with one device each (tests/multihost_worker.py).

Each function takes a mesh and a run directory and returns host arrays (identical on every
process), so the test compares the two layouts value by value:

- `sft`: a few steps of the LM trainer on packed batches of random examples;
- `evaluation`: greedy completions of a few prompts through the sampler, scored by an executor
  whose verdict depends on the completion's text (each process records the programs it ran);
- `ppo`: PPO iterations with the given estimator, rewarded by the project's TaskRewarder over
  that executor (each process runs its share of the rows; the rewards are joined).
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import zlib

import jax
import ml_collections
import numpy as np
from flax import nnx

from codecorr_jax import hosts
from codecorr_jax.config import base_config
from codecorr_jax.data.packing import Example, packed_batches
from codecorr_jax.eval import suites
from codecorr_jax.eval.completion import SamplerCompleter
from codecorr_jax.execution import ProgramResult, Verdict
from codecorr_jax.models.config import ModelConfig
from codecorr_jax.models.decoder import create_sharded
from codecorr_jax.regimes.ppo_inputs import TaskRewarder
from codecorr_jax.train.lm_trainer import train_lm
from codecorr_jax.train.loop import CheckpointConfig, LoggingConfig
from codecorr_jax.train.ppo_config import PPOConfig
from codecorr_jax.train.ppo_trainer import PromptItem, train_ppo

VOCAB = 40
PREEMPTED_ITERATIONS = 6  # of the GRPO run stopped by a SIGTERM at iteration 1: the hosts
# agree on a step to stop at well before its end


def config(value_head: bool = False) -> ModelConfig:
    return ModelConfig(vocab_size=VOCAB, hidden_size=32, intermediate_size=64, num_layers=2,
                       num_heads=2, num_kv_heads=1, head_dim=16, max_position_embeddings=48,
                       tie_word_embeddings=True, value_head=value_head)


def _settings() -> ml_collections.ConfigDict:
    settings = base_config("sft")
    settings.logging.progress_bar = False
    settings.logging.tensorboard = False
    settings.checkpoint.every_steps = 2
    settings.checkpoint.async_save = False
    return settings


def flat_params(model) -> dict[str, np.ndarray]:
    """Every parameter as a host array, keyed by its path."""
    params = nnx.to_pure_dict(nnx.state(model, nnx.Param))
    leaves = jax.tree_util.tree_flatten_with_path(params)[0]
    return {jax.tree_util.keystr(path): hosts.fetch(leaf) for path, leaf in leaves}


def sft(mesh: jax.sharding.Mesh, run_dir: str, steps: int = 3) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    examples = [Example(rng.integers(1, VOCAB, int(n)).astype(np.int32),
                        np.arange(int(n)) >= 3) for n in rng.integers(6, 20, 24)]
    batches, _ = packed_batches(examples, seq_len=32, batch_size=4, seed=0)
    section = _settings().sft
    section.update(dict(learning_rate=3e-3, warmup_steps=1, num_steps=steps, batch_size=4))
    settings = _settings()
    result = train_lm(create_sharded(config(), mesh, seed=1), batches, section, run_dir=run_dir,
                      mesh=mesh, checkpoint=CheckpointConfig.from_section(settings.checkpoint),
                      logging=LoggingConfig.from_section(settings.logging),
                      seed=0, num_steps=steps, desc="sft")
    out = flat_params(result.model)
    out["loss"] = np.array(result.last_metrics["sft/loss"])
    return out


class CharTokenizer:
    """Characters as token ids (the sampler's and completer's tokenizer interface)."""

    eos_token_id = 1
    pad_token_id = 0

    def __call__(self, texts, add_special_tokens=False):
        return {"input_ids": [[2 + ord(c) % (VOCAB - 2) for c in t] for t in texts]}

    def decode(self, ids, **kwargs):
        return "".join(chr(ord("a") + (int(i) - 2) % 26) for i in ids)


class TextVerdictExecutor:
    """Passes a program when the crc of its source is even; records what it ran."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    def score(self, programs):
        results = []
        for p in programs:
            self.ran.append(p.source)
            passed = zlib.crc32(p.source.encode()) % 2 == 0
            results.append(ProgramResult(Verdict.PASS if passed else Verdict.FAIL,
                                         int(passed), 1, ()))
        return results

    def submit(self, programs):
        futures = []
        for result in self.score(programs):
            futures.append(concurrent.futures.Future())
            futures[-1].set_result(result)
        return futures


def evaluation(mesh: jax.sharding.Mesh, out_dir: str) -> dict[str, np.ndarray]:
    tasks = [suites.Task(f"t{i}", "def f(x):\n" + "#" * (i % 4), "f") for i in range(6)]
    executor = TextVerdictExecutor()
    completer = SamplerCompleter(create_sharded(config(), mesh, seed=2), CharTokenizer(), mesh,
                                 batch_size=4)
    results = suites.evaluate(completer, {"toy": tasks}, hosts.SharedScoring(executor),
                              max_new_tokens=6, seed=0)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, f"ran_{jax.process_index()}.json"), "w") as f:
        json.dump(executor.ran, f)
    rows = results["toy"]["tasks"]
    return {"completions": np.array([r["completion"] for r in rows]),
            "passed": np.array([r["passed_greedy"] for r in rows]),
            "pass@1": np.array(results["toy"]["pass@1"])}


def ppo(mesh: jax.sharding.Mesh, run_dir: str, estimator: str, iterations: int = 2,
        sigterm_at: int | None = None) -> dict[str, np.ndarray]:
    """PPO from a fixed policy; with `sigterm_at`, process 1 sends itself SIGTERM (a
    preemption notice) at that iteration, for the resume test."""
    section = base_config("rl").rl
    section.update(dict(estimator=estimator, learning_rate=3e-3, critic_learning_rate=3e-3,
                        num_iterations=iterations, prompts_per_iteration=4,
                        samples_per_prompt=4, minibatch_size=8, ppo_epochs=1,
                        max_new_tokens=4, kl_coef=0.0, temperature=1.0, checkpoint_every=1,
                        filter_groups=False))
    rng = np.random.default_rng(1)
    prompts = [PromptItem(tuple(int(t) for t in rng.integers(2, VOCAB, 3)),
                          suites.Task(f"p{i}", "def f(x):\n", "f")) for i in range(8)]
    critic = create_sharded(config(value_head=True), mesh, seed=3) if estimator == "gae" \
        else None
    settings = _settings()
    executor = TextVerdictExecutor()
    rewarder = TaskRewarder(executor, CharTokenizer(), "binary")
    def hook(policy, iteration):
        if iteration == sigterm_at and jax.process_index() == 1:
            os.kill(os.getpid(), signal.SIGTERM)
        return {}
    result = train_ppo(create_sharded(config(), mesh, seed=3), None, critic, prompts, rewarder,
                       PPOConfig.from_section(section), run_dir=run_dir, mesh=mesh,
                       eos_token_id=None, pad_token_id=0,
                       checkpoint=CheckpointConfig.from_section(settings.checkpoint),
                       logging=LoggingConfig.from_section(settings.logging), seed=0,
                       eval_hook=hook, eval_every=1 if sigterm_at else 0)
    out = flat_params(result.policy)
    out["reward"] = np.array([h["rl/reward"] for h in result.history])
    out["rows_scored"] = np.array(len(executor.ran))
    out["resumed_from"] = np.array(-1 if result.resumed_from is None else result.resumed_from)
    return out
