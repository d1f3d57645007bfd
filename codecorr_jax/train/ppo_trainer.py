"""The PPO loop: sample, score in the sandbox while the models score the rollout, update, log.

Host-side only; the numerics are the jitted functions of `ppo_step.py` and `ppo_core.py`. One
iteration:
1. sample `samples_per_prompt` responses for `prompts_per_iteration` prompts (jitted sampler);
2. hand the responses to the `Rewarder` (for tasks: programs submitted to the executor, which
   runs them on the host's CPUs) and, while they run, compute the policy's and the reference's
   log-probabilities and the critic's values of the rollout on the accelerator;
3. wait for the scores, compute token rewards (KL penalty), advantages and returns;
4. `ppo_epochs` of minibatch updates in one jitted call; adapt the KL coefficient; log.

A run directory holds `checkpoints/`, `metrics.jsonl` and `tensorboard/`; starting again with
the same command resumes exactly (policy, critic, both optimizers, KL coefficient, the prompt
order, and the RNG, which is a function of (seed, iteration)).
"""

from __future__ import annotations

import dataclasses
import os
import time
import types
from typing import Any, Callable, NamedTuple, Protocol, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from codecorr_jax.data.mixture import derive_seed
from codecorr_jax.models import sharding
from codecorr_jax.models.decoder import Decoder
from codecorr_jax.sampling import Sampler, SamplingConfig
from codecorr_jax.train import optim, ppo_core, ppo_step
from codecorr_jax.train.checkpoint import Checkpointer
from codecorr_jax.train.metrics import MetricsLogger


PROMPT_ROUNDING = 64  # prompts are left-padded to the longest one, rounded up to this


class PromptItem(NamedTuple):
    """A prompt as the loop needs it: token ids to sample from, and what the rewarder needs."""

    ids: tuple[int, ...]
    payload: Any  # e.g. the task record; handed back to the rewarder untouched


class RewardBatch(NamedTuple):
    scores: np.ndarray  # (rows,) float32, the program's reward
    passed: np.ndarray  # (rows,) bool, every test passed


class PendingRewards(Protocol):
    def result(self) -> RewardBatch:
        """Block until every response is scored."""
        ...

    @property
    def finished_at(self) -> float:
        """`time.perf_counter()` when the last response was scored (after `result()`)."""
        ...


class Rewarder(Protocol):
    """Scores responses asynchronously: `submit` returns at once, `result()` waits."""

    def submit(self, payloads: Sequence[Any],
               responses: Sequence[Sequence[int]]) -> PendingRewards:
        ...


class PromptIterator:
    """An endless, seeded shuffle of the prompts, epoch after epoch; its state is JSON."""

    def __init__(self, items: Sequence[PromptItem], seed: int):
        if not items:
            raise ValueError("PPO needs at least one prompt; the RL mixture selects none")
        self.items = list(items)
        self.seed = seed
        self.epoch, self.index = 0, 0
        self._order = self._permutation()

    def _permutation(self) -> np.ndarray:
        rng = np.random.default_rng(derive_seed(self.seed, "rl-prompts", self.epoch))
        return rng.permutation(len(self.items))

    def take(self, count: int) -> list[PromptItem]:
        out = []
        while len(out) < count:
            if self.index == len(self.items):
                self.epoch, self.index = self.epoch + 1, 0
                self._order = self._permutation()
            out.append(self.items[self._order[self.index]])
            self.index += 1
        return out

    def get_state(self) -> dict[str, int]:
        return {"epoch": self.epoch, "index": self.index}

    def set_state(self, state: dict[str, int]) -> None:
        self.epoch, self.index = int(state["epoch"]), int(state["index"])
        self._order = self._permutation()


@dataclasses.dataclass
class PPOResult:
    policy: Decoder
    critic: Decoder | None
    iterations: int
    skipped_minibatches: int
    resumed_from: int | None
    kl_coef: float
    history: list[dict[str, float]]  # the logged metrics of each iteration this process ran


def _optimizer(learning_rate: float, max_grad_norm: float,
               weight_decay: float) -> optax.GradientTransformation:
    """A constant learning rate, global-norm clipping and AdamW (the usual PPO optimizer)."""
    return optim.make_optimizer(types.SimpleNamespace(
        learning_rate=learning_rate, warmup_steps=0, num_steps=1, end_lr_fraction=1.0,
        max_grad_norm=max_grad_norm, weight_decay=weight_decay))


def _split(model: Decoder) -> tuple[nnx.GraphDef, dict, nnx.State]:
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    return graphdef, nnx.to_pure_dict(params), rest


def _hyperparams(section: Any, use_critic: bool) -> ppo_step.PPOHyperparams:
    return ppo_step.PPOHyperparams(
        clip_ratio=float(section.clip_ratio), value_clip=float(section.value_clip),
        entropy_coef=float(section.entropy_coef), ppo_epochs=int(section.ppo_epochs),
        minibatch_size=int(section.minibatch_size), use_critic=use_critic,
        temperature=float(section.temperature))


def train_ppo(policy: Decoder, reference: Decoder, critic: Decoder | None,
              prompts: Sequence[PromptItem], rewarder: Rewarder, section: Any, *,
              run_dir: str, mesh: jax.sharding.Mesh, eos_token_id: int | None,
              pad_token_id: int, checkpoint: Any, logging: Any, seed: int,
              eval_hook: Callable[[Decoder, int], dict[str, float]] | None = None,
              eval_every: int = 0) -> PPOResult:
    """Run `section.num_iterations` PPO iterations (`section` is `config.rl`).

    `critic` must have a value head when `section.estimator` needs one (GAE) and is ignored
    otherwise. `reference` is frozen. `eval_hook(policy, iteration)` returns scalars to log.
    """
    estimator = str(section.estimator)
    use_critic = estimator in ppo_core.NEEDS_CRITIC
    if use_critic and (critic is None or critic.value_head is None):
        raise ValueError(f"rl.estimator={estimator!r} needs a critic with a value head")
    group = int(section.samples_per_prompt)
    rows = int(section.prompts_per_iteration) * group
    batch_multiple = sharding.shards_along("batch", mesh.shape)
    if rows % int(section.minibatch_size) or int(section.minibatch_size) % batch_multiple:
        raise ValueError(
            f"rl.prompts_per_iteration x rl.samples_per_prompt = {rows} rows must split into "
            f"minibatches of rl.minibatch_size={section.minibatch_size}, itself a multiple of "
            f"the mesh's data-parallel size {batch_multiple}")

    policy_graphdef, policy_params, policy_rest = _split(policy)
    ref_graphdef, ref_params, ref_rest = _split(reference)
    policy_tx = _optimizer(section.learning_rate, section.max_grad_norm, section.weight_decay)
    policy_opt = optim.init_on_mesh(policy_tx, policy_params, mesh)
    critic_graphdef = critic_rest = critic_tx = None
    critic_params: Any = None
    critic_opt: Any = None
    if use_critic:
        critic_graphdef, critic_params, critic_rest = _split(critic)
        critic_tx = _optimizer(section.critic_learning_rate, section.max_grad_norm,
                               section.weight_decay)
        critic_opt = optim.init_on_mesh(critic_tx, critic_params, mesh)

    iterator = PromptIterator(prompts, derive_seed(seed, "rl"))
    kl_coef = float(section.kl_coef)
    start, skipped, resumed_from = 0, 0, None
    checkpointer = Checkpointer(os.path.join(run_dir, "checkpoints"),
                                max_to_keep=checkpoint.max_to_keep,
                                save_every=int(section.checkpoint_every),
                                async_save=checkpoint.async_save)

    def state_tree() -> dict[str, Any]:
        tree = {"policy": policy_params, "policy_opt": policy_opt}
        if use_critic:
            tree |= {"critic": critic_params, "critic_opt": critic_opt}
        return tree

    latest = checkpointer.latest_step()
    if latest is not None:
        state, meta = checkpointer.restore(state_tree(), step=latest)
        policy_params, policy_opt = state["policy"], state["policy_opt"]
        if use_critic:
            critic_params, critic_opt = state["critic"], state["critic_opt"]
        iterator.set_state(meta["prompts"])
        start, skipped, kl_coef = int(meta["iteration"]), int(meta["skipped"]), meta["kl_coef"]
        resumed_from = latest

    update = ppo_step.make_ppo_update(policy_graphdef, policy_rest, critic_graphdef,
                                      critic_rest, policy_tx, critic_tx,
                                      _hyperparams(section, use_critic))
    advantage_fn = ppo_step.make_advantage_fn(
        estimator, str(section.kl_estimator), group_size=group, gamma=float(section.gamma),
        lam=float(section.gae_lambda))
    # One prompt length for the whole run (the longest prompt, rounded up), so the sampler,
    # the rollout's forward passes and the update each compile once.
    prompt_len = -(-max(len(p.ids) for p in prompts) // PROMPT_ROUNDING) * PROMPT_ROUNDING
    sampling = SamplingConfig(max_new_tokens=int(section.max_new_tokens),
                              temperature=float(section.temperature), num_samples=group,
                              eos_token_id=eos_token_id, pad_token_id=pad_token_id,
                              prompt_buckets=(prompt_len,))
    batch_sharding = sharding.batch_sharding(mesh, 2)
    temperature = float(section.temperature)
    num_iterations = int(section.num_iterations)
    controller = "adaptive" if section.adaptive_kl else "fixed"
    logger = MetricsLogger(run_dir, total_steps=num_iterations, initial_step=start, desc="rl",
                           tensorboard=logging.tensorboard, jsonl=logging.jsonl,
                           progress_bar=logging.progress_bar)
    if resumed_from is not None:
        logger.write(f"rl: resumed from the checkpoint of iteration {resumed_from}")
    history: list[dict[str, float]] = []
    sampler = Sampler(policy, mesh)  # keeps its KV caches from one iteration to the next

    def current_policy() -> Decoder:
        return nnx.merge(policy_graphdef, policy_params, policy_rest)

    with logger:
        for iteration in range(start, num_iterations):
            key = jax.random.fold_in(jax.random.key(seed), iteration)
            sample_key, update_key = jax.random.split(key)
            items = iterator.take(int(section.prompts_per_iteration))

            started = time.perf_counter()
            sampler.model = current_policy()
            sample = sampler.generate([it.ids for it in items], sampling, sample_key)
            generated = time.perf_counter()
            responses = [sample.tokens[r, :sample.lengths[r]].tolist() for r in range(rows)]
            payloads = [it.payload for it in items for _ in range(group)]
            pending = rewarder.submit(payloads, responses)
            submitted = time.perf_counter()

            host = ppo_step.sequence_inputs(sample)
            batch = {k: jax.device_put(v, batch_sharding) for k, v in host.items()}
            # Each call is waited for before the next: on a multi-device CPU, queued calls with
            # collectives deadlock (BUILD_NOTES); the executor works meanwhile either way.
            old_logprobs = jax.block_until_ready(ppo_step.response_logprobs(
                policy_graphdef, policy_params, policy_rest, batch, temperature))
            ref_logprobs = jax.block_until_ready(ppo_step.response_logprobs(
                ref_graphdef, ref_params, ref_rest, batch, temperature))
            values = jnp.zeros_like(old_logprobs)
            if use_critic:
                values = jax.block_until_ready(ppo_step.response_values(
                    critic_graphdef, critic_params, critic_rest, batch))
            scored_on_device = time.perf_counter()
            rewards = pending.result()
            waited = time.perf_counter()

            scores = jax.device_put(rewards.scores.astype(np.float32),
                                    sharding.batch_sharding(mesh, 1))
            adv = jax.block_until_ready(advantage_fn(
                scores, old_logprobs, ref_logprobs, values, batch["response_mask"],
                jnp.float32(kl_coef)))
            rollout = {**batch, "old_logprobs": old_logprobs, "old_values": values,
                       "advantages": adv["advantages"], "returns": adv["returns"]}
            policy_params, policy_opt, critic_params, critic_opt, sums = update(
                policy_params, policy_opt, critic_params, critic_opt, rollout, update_key)
            sums = jax.device_get(sums)
            kl_per_row = np.asarray(jax.device_get(adv["kl"])).sum(axis=1)
            updated = time.perf_counter()

            skipped += int(sums["skipped"])
            observed_kl = float(kl_per_row.mean())
            old_coef = kl_coef
            kl_coef = ppo_core.update_kl_coef(controller, kl_coef, observed_kl, rows,
                                              target_kl=float(section.target_kl),
                                              horizon=int(section.kl_horizon))
            done = iteration + 1
            execution_s = max(pending.finished_at - submitted, 0.0)
            metrics = {
                "rl/reward": float(rewards.scores.mean()),
                "rl/pass_rate": float(rewards.passed.mean()),
                "rl/kl": observed_kl,
                "rl/kl_coef": old_coef,
                "rl/response_length": float(sample.lengths.mean()),
                "rl/skipped_minibatches": skipped,
                "rl/seconds_generation": generated - started,
                "rl/seconds_execution": execution_s,
                "rl/seconds_waiting_for_execution": waited - scored_on_device,
                "rl/seconds_update": updated - waited,
                "rl/seconds_iteration": updated - started,
                # The share of execution hidden behind the rollout's forward passes.
                "rl/execution_overlap": (1.0 - (waited - scored_on_device) / execution_s
                                         if execution_s > 0 else 1.0),
                "rl/policy_grad_norm": float(sums["policy_grad_norm_sum"]
                                             / max(sums["minibatches"], 1.0)),
            }
            metrics |= {f"rl/{k}": float(v) for k, v in ppo_core.finalize_metrics(sums).items()}
            history.append(metrics)
            logger.progress(done, reward=metrics["rl/reward"], kl=observed_kl)
            logger.log(done, metrics)
            if eval_hook is not None and eval_every and done % eval_every == 0 \
                    and done != num_iterations:
                logger.log(done, eval_hook(current_policy(), done))
            meta = {"iteration": done, "skipped": skipped, "kl_coef": kl_coef,
                    "prompts": iterator.get_state()}
            checkpointer.save(done, state_tree(), meta, force=done == num_iterations)
        checkpointer.wait()
        checkpointer.close()
    final_critic = (nnx.merge(critic_graphdef, critic_params, critic_rest) if use_critic
                    else None)
    return PPOResult(current_policy(), final_critic, max(num_iterations, start), skipped,
                     resumed_from, kl_coef, history)
