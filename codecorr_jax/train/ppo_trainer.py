"""The PPO loop: collect a rollout on the host, score it, update, log.

Host-side only; the numerics are the jitted functions of `ppo_step.py` and `ppo_core.py`. One
iteration is three steps around typed values:
1. `collect_rollout` (host): sample `samples_per_prompt` responses for `prompts_per_iteration`
   prompts (jitted sampler) and score them with the `Rewarder` (for tasks: programs run by the
   executor on the host's CPUs). With `rl.filter_groups` (DAPO's dynamic sampling) a group whose
   rewards are all equal carries no group-relative signal: it is dropped and more prompts are
   sampled, up to `rl.max_sampling_rounds` rounds, until `prompts_per_iteration` groups differ.
2. `score_rollout` (jitted): the sampling policy's log-probabilities (the sampler's own, or a
   recomputing forward pass), the reference's and the critic's when they are used, token
   rewards (KL penalty), advantages and returns, as a `ppo_step.Rollout`. Prompts and responses
   are cut to the rollout's longest (rounded up), so short responses train on short rows.
3. the update (jitted): `ppo_epochs` of minibatch steps on a `ppo_step.PPOState`.

A run directory holds `checkpoints/`, `metrics.jsonl` and `tensorboard/`; starting again with
the same command resumes exactly (policy, critic, both optimizers, KL coefficient, the prompt
order, and the RNG, which is a function of (seed, iteration)).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, Callable, Mapping, NamedTuple, Protocol, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from codecorr_jax import faults, hosts
from codecorr_jax.data.mixture import derive_seed
from codecorr_jax.models import sharding
from codecorr_jax.models.decoder import Decoder, trainable
from codecorr_jax.sampling import Sampler, SamplingConfig
from codecorr_jax.sampling.sampler import SampleOutput
from codecorr_jax.train import optim, ppo_core, ppo_step
from codecorr_jax.train.loop import CheckpointConfig, LoggingConfig, TrainingLoop
from codecorr_jax.train.ppo_config import PPOConfig


PROMPT_ROUNDING = 64  # prompt columns: the rollout's longest prompt, rounded up to this
RESPONSE_ROUNDING = 32  # response columns: the rollout's longest response, rounded up to this


class PromptItem(NamedTuple):
    """A prompt as the loop needs it: token ids to sample from, and what the rewarder needs."""

    ids: tuple[int, ...]
    payload: Any  # e.g. the task record; handed back to the rewarder untouched


class RewardBatch(NamedTuple):
    scores: np.ndarray  # (rows,) float32, the program's reward
    passed: np.ndarray  # (rows,) bool, every test passed
    # (rows,) bool, when the rewarder can tell: the program returned one value for every test
    # input (a reward it earns is a sign of tests a constant can game)
    constant_output: np.ndarray | None = None
    # (rows,) bool, when the task holds a held-back test set: the program failed it (a reward
    # it earns was paid by tests that do not pin the task down)
    heldback_failed: np.ndarray | None = None


class PendingRewards(Protocol):
    def result(self) -> RewardBatch:
        """Block until every response is scored."""
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

    def observe(self, items: Sequence[PromptItem], passed: np.ndarray) -> None:
        """A uniform shuffle learns nothing from the groups (see FocusedPromptIterator)."""

    def get_state(self) -> dict[str, int]:
        return {"epoch": self.epoch, "index": self.index}

    def set_state(self, state: dict[str, int]) -> None:
        self.epoch, self.index = int(state["epoch"]), int(state["index"])
        self._order = self._permutation()


class FocusedPromptIterator:
    """Two endless shuffles, the focus prompts and the rest: each drawn prompt comes from the
    focus pool with probability `fraction` (a seeded coin per draw), so prompts near the
    policy's frontier are drawn more often than their share. Its state is JSON.

    With `follow`, the focus follows the policy (`observe`): a prompt whose group passes in
    every sample leaves it (solved: no group-relative signal left), one whose group passes in
    some samples joins it. A group failing whole changes nothing: a prompt passed now and then
    fails a group of 8 often. Without it the focus is fixed, as the starting policy scored it.
    """

    def __init__(self, items: Sequence[PromptItem], focus: Sequence[bool], fraction: float,
                 seed: int, *, follow: bool = False):
        if len(focus) != len(items):
            raise ValueError(f"focus has {len(focus)} flags for {len(items)} prompts")
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"the focus fraction {fraction} must be in [0, 1]")
        if not items:
            raise ValueError("PPO needs at least one prompt; the RL mixture selects none")
        self.items = list(items)
        self.flags = [bool(f) for f in focus]
        self.fraction = fraction
        self.seed = seed
        self.follow = follow
        self.drawn = 0
        self.generation = 0  # how often the focus changed: the pools' shuffles are reseeded
        self._index = {id(it): i for i, it in enumerate(self.items)}
        self._rebuild()

    def _rebuild(self) -> None:
        """The two pools for the current flags, shuffled anew for each generation."""
        tag = () if self.generation == 0 else (self.generation,)
        focused = [it for it, f in zip(self.items, self.flags) if f]
        rest = [it for it, f in zip(self.items, self.flags) if not f]
        self.focus = PromptIterator(focused, derive_seed(self.seed, "focus", *tag)) \
            if focused else None
        self.rest = PromptIterator(rest, derive_seed(self.seed, "rest", *tag)) if rest else None

    @property
    def focus_size(self) -> int:
        return sum(self.flags)

    def _from_focus(self) -> bool:
        if self.rest is None or self.focus is None:
            return self.rest is None
        coin = np.random.default_rng(derive_seed(self.seed, "coin", self.drawn)).random()
        return bool(coin < self.fraction)

    def take(self, count: int) -> list[PromptItem]:
        out = []
        for _ in range(count):
            pool = self.focus if self._from_focus() else self.rest
            out.extend(pool.take(1))
            self.drawn += 1
        return out

    def observe(self, items: Sequence[PromptItem], passed: np.ndarray) -> None:
        """Move prompts in or out of the focus by their groups' passes ((groups, samples) bool,
        a group per item, in order); nothing without `follow`."""
        if not self.follow:
            return
        flags = list(self.flags)
        for item, group in zip(items, np.asarray(passed, bool)):
            if group.all():
                flags[self._index[id(item)]] = False
            elif group.any():
                flags[self._index[id(item)]] = True
        if flags != self.flags:
            self.flags = flags
            self.generation += 1
            self._rebuild()

    def get_state(self) -> dict[str, Any]:
        return {"drawn": self.drawn, "generation": self.generation,
                "flags": "".join("1" if f else "0" for f in self.flags),
                "focus": self.focus.get_state() if self.focus else None,
                "rest": self.rest.get_state() if self.rest else None}

    def set_state(self, state: dict[str, Any]) -> None:
        self.drawn = int(state["drawn"])
        if "flags" in state:  # (a checkpoint from before the focus could follow has none)
            if len(state["flags"]) != len(self.items):
                raise ValueError(f"the saved focus has {len(state['flags'])} flags for "
                                 f"{len(self.items)} prompts: the RL prompts changed")
            self.flags = [c == "1" for c in state["flags"]]
            self.generation = int(state["generation"])
            self._rebuild()
        for pool, saved in ((self.focus, state["focus"]), (self.rest, state["rest"])):
            if pool is not None:
                pool.set_state(saved)


@dataclasses.dataclass
class PPOResult:
    policy: Decoder
    critic: Decoder | None
    iterations: int
    skipped_minibatches: int
    resumed_from: int | None
    kl_coef: float
    history: list[dict[str, float]]  # the logged metrics of each iteration this process ran


@dataclasses.dataclass
class Collected:
    """One iteration's rows (groups of `samples_per_prompt`), their rewards and how they came."""

    sample: SampleOutput  # the kept rows, groups consecutive
    rewards: RewardBatch  # of the kept rows
    train_rows: np.ndarray  # (rows,) bool: False on filler groups (all rewards equal) kept
    #                         only to fill the batch when the sampling rounds ran out
    sampled_scores: np.ndarray  # every sampled row's reward, dropped groups included
    sampled_passed: np.ndarray
    rounds: int
    seconds_generation: float
    seconds_execution: float


def _concat_rows(parts: Sequence[Any]) -> Any:
    """Row-wise concatenation of NamedTuples of arrays (SampleOutput, RewardBatch)."""
    return type(parts[0])(*(None if any(f is None for f in fields) else
                            np.concatenate(fields, axis=0) for fields in zip(*parts)))


def _take_rows(batch: Any, rows: np.ndarray) -> Any:
    """The given rows of a NamedTuple of arrays."""
    return type(batch)(*(None if x is None else x[rows] for x in batch))


def informative_groups(scores: np.ndarray, group: int) -> np.ndarray:
    """(groups,) bool: the groups of `group` consecutive rows whose rewards are not all equal
    (the only ones a group-relative advantage learns from)."""
    grouped = np.asarray(scores).reshape(-1, group)
    return ~np.all(grouped == grouped[:, :1], axis=1)


def collect_rollout(sampler: Sampler, iterator: PromptIterator | FocusedPromptIterator,
                    rewarder: Rewarder,
                    sampling: SamplingConfig, key: jax.Array, *, prompts: int,
                    filter_groups: bool, max_rounds: int) -> Collected:
    """Sample and score groups until `prompts` of them are kept (see the module doc).

    Without `filter_groups` one round is kept whole. With it, groups whose rewards are all
    equal are dropped; when `max_rounds` rounds leave fewer than `prompts` groups, dropped
    groups fill the batch with `train_rows` False (they train nothing: the loop masks them).
    """
    group = sampling.num_samples
    kept: list[tuple[SampleOutput, RewardBatch, np.ndarray]] = []
    fillers: list[tuple[SampleOutput, RewardBatch]] = []
    scores_seen, passed_seen = [], []
    kept_groups, filler_rows, rounds, gen_s, exec_s = 0, 0, 0, 0.0, 0.0
    while rounds < max_rounds and kept_groups < prompts:
        items = iterator.take(prompts)
        started = time.perf_counter()
        sample = sampler.generate([it.ids for it in items], sampling,
                                  jax.random.fold_in(key, rounds))
        generated = time.perf_counter()
        faults.kill_point("ppo/sampling")
        responses = [sample.tokens[r, :sample.lengths[r]].tolist()
                     for r in range(len(sample.lengths))]
        pending = rewarder.submit([it.payload for it in items for _ in range(group)], responses)
        faults.kill_point("ppo/execution")
        rewards = pending.result()
        gen_s += generated - started
        exec_s += time.perf_counter() - generated
        rounds += 1
        scores_seen.append(rewards.scores)
        passed_seen.append(rewards.passed)
        iterator.observe(items, rewards.passed.reshape(-1, group))
        informative = informative_groups(rewards.scores, group) if filter_groups \
            else np.ones(len(rewards.scores) // group, bool)
        rows = np.repeat(informative, group)
        take = min(int(informative.sum()), prompts - kept_groups)
        keep_rows = np.flatnonzero(rows)[:take * group]
        if take:
            kept.append((_take_rows(sample, keep_rows), _take_rows(rewards, keep_rows),
                         np.ones(len(keep_rows), bool)))
            kept_groups += take
        drop_rows = np.flatnonzero(~rows)
        if len(drop_rows) and filler_rows < prompts * group:  # enough to fill any shortfall
            fillers.append((_take_rows(sample, drop_rows), _take_rows(rewards, drop_rows)))
            filler_rows += len(drop_rows)
    missing_rows = (prompts - kept_groups) * group
    if missing_rows:
        idx = np.arange(missing_rows)
        kept.append((_take_rows(_concat_rows([f[0] for f in fillers]), idx),
                     _take_rows(_concat_rows([f[1] for f in fillers]), idx),
                     np.zeros(missing_rows, bool)))
    return Collected(
        sample=_concat_rows([k[0] for k in kept]),
        rewards=_concat_rows([k[1] for k in kept]),
        train_rows=np.concatenate([k[2] for k in kept]),
        sampled_scores=np.concatenate(scores_seen), sampled_passed=np.concatenate(passed_seen),
        rounds=rounds, seconds_generation=gen_s, seconds_execution=exec_s)


def _optimizer(learning_rate: float, max_grad_norm: float,
               weight_decay: float) -> optax.GradientTransformation:
    """A constant learning rate, global-norm clipping and AdamW (the usual PPO optimizer)."""
    return optim.make_optimizer(optim.OptimizerConfig.constant(learning_rate, max_grad_norm,
                                                               weight_decay))


def _hyperparams(ppo: PPOConfig, use_critic: bool) -> ppo_step.PPOHyperparams:
    return ppo_step.PPOHyperparams(
        clip_ratio_low=ppo.clip_ratio_low,
        clip_ratio_high=ppo.clip_ratio_high,
        clip_ratio_dual=ppo.clip_ratio_dual, value_clip=ppo.value_clip,
        entropy_coef=ppo.entropy_coef, ppo_epochs=ppo.ppo_epochs,
        minibatch_size=ppo.minibatch_size,
        micro_batch_size=ppo.micro_batch_size, policy_loss=ppo.policy_loss,
        loss_agg=ppo.loss_agg, norm_length=ppo.max_new_tokens,
        kl_in_loss=ppo.kl_in_loss, kl_estimator=ppo.kl_estimator,
        use_critic=use_critic, temperature=ppo.temperature)


def truncated_rows(sample: SampleOutput, max_new_tokens: int,
                   eos_token_id: int | None) -> np.ndarray:
    """(rows,) bool: responses cut at max_new_tokens before they ended."""
    full = sample.lengths >= max_new_tokens
    if eos_token_id is None:
        return full
    return full & (sample.tokens[:, max_new_tokens - 1] != eos_token_id)


@dataclasses.dataclass(frozen=True)
class RolloutSettings:
    """What turns a collected sample into a Rollout (the fields of PPOConfig it reads)."""

    temperature: float
    max_new_tokens: int
    mask_truncated: bool  # truncated responses train nothing
    overlong_buffer: int  # DAPO's soft length penalty over this many last tokens (0: off)
    overlong_penalty: float
    kl_in_loss: bool  # KL as a loss term (the update's) instead of a reward penalty
    recompute_old: bool  # old log-probs from the trainer, not the sampler
    tis_cap: float  # truncated importance-sampling cap (0: off)

    @classmethod
    def of(cls, ppo: PPOConfig) -> "RolloutSettings":
        return cls(temperature=ppo.temperature,
                   max_new_tokens=ppo.max_new_tokens,
                   mask_truncated=ppo.mask_truncated,
                   overlong_buffer=ppo.overlong_buffer,
                   overlong_penalty=ppo.overlong_penalty,
                   kl_in_loss=ppo.kl_in_loss,
                   recompute_old=ppo.old_logprobs == "recompute",
                   tis_cap=ppo.tis_cap)


class ModelParts(NamedTuple):
    """A model split for the jitted functions: structure, trained parameters, frozen rest."""

    graphdef: nnx.GraphDef
    params: Any
    rest: nnx.State


def _parts(model: Decoder) -> ModelParts:
    graphdef, params, rest = nnx.split(model, trainable(model.config), ...)
    return ModelParts(graphdef, nnx.to_pure_dict(params), rest)


class Scored(NamedTuple):
    """An iteration's rollout, ready for the update, and what its metrics need."""

    rollout: ppo_step.Rollout
    kl: jax.Array  # (rows, response) per-token KL to the reference (0 without one)
    truncated: np.ndarray  # (rows,) bool: responses cut at the length limit
    mismatch_kl: float | None  # sampler vs trainer log-probs, when both were computed


def score_rollout(got: Collected, policy: ModelParts, reference: ModelParts | None,
                  critic: ModelParts | None, advantage_fn: Callable[..., dict[str, jax.Array]],
                  kl_coef: float, settings: RolloutSettings, eos_token_id: int | None,
                  mesh: jax.sharding.Mesh) -> Scored:
    """The collected rows as a Rollout: cut to their longest prompt and response (rounded, so
    the jitted passes compile once per bucket), masked (filler groups; truncated responses
    with `mask_truncated`), with old / reference log-probs, values, shaped rewards,
    advantages and importance weights, each from a pure jitted function."""
    sample = got.sample
    batch_sharding = sharding.batch_sharding(mesh, 2)
    prompt_len = ppo_step.round_up(int(sample.prompt_mask.sum(axis=1).max()),
                                   PROMPT_ROUNDING, sample.prompt_mask.shape[1])
    response_len = ppo_step.round_up(int(sample.lengths.max()), RESPONSE_ROUNDING,
                                     settings.max_new_tokens)
    seq = ppo_step.sequence_inputs(sample, prompt_len, response_len)
    truncated = truncated_rows(sample, settings.max_new_tokens, eos_token_id)
    # Filler rows (all-equal groups kept only for the batch's shape) train nothing; with
    # mask_truncated neither do responses cut at the length limit.
    trained = got.train_rows & ~truncated if settings.mask_truncated else got.train_rows
    seq = seq._replace(response_mask=seq.response_mask & trained[:, None])
    seq = hosts.put_tree(seq, batch_sharding)
    # Each call is waited for before the next: on a multi-device CPU, queued calls with
    # collectives deadlock (BUILD_NOTES).
    sampler_logprobs = hosts.put(
        sample.sampling_logprobs[:, :response_len].astype(np.float32), batch_sharding)
    old_logprobs = sampler_logprobs  # the sampler's own: the same policy and temperature
    if settings.recompute_old:
        old_logprobs = jax.block_until_ready(ppo_step.response_logprobs(
            *policy, seq, settings.temperature))
    ref_logprobs = old_logprobs
    if reference is not None:
        ref_logprobs = jax.block_until_ready(ppo_step.response_logprobs(
            *reference, seq, settings.temperature))
    values = jnp.zeros_like(old_logprobs)
    if critic is not None:
        values = jax.block_until_ready(ppo_step.response_values(*critic, seq))
    scores = got.rewards.scores.astype(np.float32)
    if settings.overlong_buffer:
        scores = scores + np.asarray(ppo_core.overlong_penalty(
            sample.lengths, truncated, max_length=settings.max_new_tokens,
            buffer=settings.overlong_buffer, penalty=settings.overlong_penalty))
    scores = hosts.put(scores, sharding.batch_sharding(mesh, 1))
    adv = jax.block_until_ready(advantage_fn(
        scores, old_logprobs, ref_logprobs, values, seq.response_mask,
        jnp.float32(0.0 if settings.kl_in_loss else kl_coef)))
    is_weights, mismatch_kl = None, None
    if settings.recompute_old:  # the trainer's log-probs beside the sampler's: their mismatch
        weights, mismatch = ppo_core.truncated_importance_weights(
            old_logprobs, sampler_logprobs, settings.tis_cap or 1.0)
        mismatch_kl = float(ppo_core.masked_mean(mismatch, seq.response_mask))
        if settings.tis_cap:
            is_weights = jax.block_until_ready(weights)
    rollout = ppo_step.Rollout(seq, old_logprobs, values, adv["advantages"], adv["returns"],
                               ref_logprobs if settings.kl_in_loss else None, is_weights)
    return Scored(rollout, adv["kl"], truncated, mismatch_kl)


def drop_source(got: Collected, sums: Mapping[str, Any]) -> str:
    """What was not finite in an iteration's dropped updates: a reward (the rewarder's
    fault), else the policy's loss, its gradient, or the critic's loss or gradient."""
    if not np.isfinite(got.rewards.scores).all():
        return "reward"
    counts = {"policy loss": sums.get("skipped_loss", 0.0),
              "policy gradient": sums.get("skipped_grad", 0.0),
              "critic loss or gradient": sums.get("skipped_value", 0.0)}
    worst = max(counts, key=lambda k: float(counts[k]))
    return worst if float(counts[worst]) > 0 else ""


def iteration_metrics(got: Collected, scored: Scored, sums: dict[str, Any], *, group: int,
                      observed_kl: float, kl_coef: float, skipped: int,
                      seconds: tuple[float, float, float, float]) -> dict[str, float]:
    """The scalars one iteration logs; `seconds` are its perf_counter marks: started,
    collected, scored, updated."""
    started, collected, scored_at, updated = seconds
    sample, sampled = got.sample, len(got.sampled_scores)
    informative = float(np.mean(informative_groups(got.sampled_scores, group)))
    metrics = {
        "rl/reward": float(got.sampled_scores.mean()),
        "rl/pass_rate": float(got.sampled_passed.mean()),
        "rl/trained_reward": float(got.rewards.scores[got.train_rows].mean())
        if got.train_rows.any() else 0.0,
        "rl/kl": observed_kl,
        "rl/kl_coef": kl_coef,
        "rl/response_length": float(sample.lengths.mean()),
        "rl/response_length_max": float(sample.lengths.max()),
        "rl/truncated": float(scored.truncated.mean()),
        "rl/samples": float(sampled),
        "rl/sampling_rounds": float(got.rounds),
        # The share of sampled groups whose rewards differ (DAPO's filter keeps them).
        "rl/informative_groups": informative,
        "rl/zero_variance_groups": 1.0 - informative,
        "rl/trained_groups": float(got.train_rows.sum() / group),
        "rl/skipped_minibatches": skipped,
        "rl/nonfinite_rewards": float(np.count_nonzero(~np.isfinite(got.sampled_scores))),
        # rewarded samples returning one value for every test input: tests a constant games
        **({"rl/rewarded_constant_output": float(np.count_nonzero(
            got.rewards.constant_output & (got.rewards.scores > 0)))}
           if got.rewards.constant_output is not None else {}),
        # rewarded samples failing the task's held-back tests: a reward the tests overpay
        **({"rl/rewarded_failing_heldback": float(np.count_nonzero(
            got.rewards.heldback_failed & (got.rewards.scores > 0)))}
           if got.rewards.heldback_failed is not None else {}),
        "rl/seconds_generation": got.seconds_generation,
        "rl/seconds_execution": got.seconds_execution,
        "rl/seconds_scoring": scored_at - collected,
        "rl/seconds_update": updated - scored_at,
        "rl/seconds_iteration": updated - started,
        "rl/samples_per_second": sampled / max(updated - started, 1e-9),
        "rl/policy_grad_norm": float(sums["policy_grad_norm_sum"]
                                     / max(sums["minibatches"], 1.0)),
    }
    if scored.mismatch_kl is not None:
        metrics["rl/mismatch_kl"] = scored.mismatch_kl
    return metrics | {f"rl/{k}": float(v) for k, v in ppo_core.finalize_metrics(sums).items()}


@dataclasses.dataclass(frozen=True)
class Models:
    """The policy (and critic) split for the jitted functions, with their optimizers, and the
    frozen reference; the parameters being trained live in the PPOState."""

    policy_graphdef: nnx.GraphDef
    policy_rest: nnx.State
    policy_tx: optax.GradientTransformation
    critic_graphdef: nnx.GraphDef | None  # None: no critic (critic-free estimators)
    critic_rest: nnx.State | None
    critic_tx: optax.GradientTransformation | None
    reference: ModelParts | None  # None: no KL penalty

    def policy_parts(self, state: ppo_step.PPOState) -> ModelParts:
        return ModelParts(self.policy_graphdef, state.policy, self.policy_rest)

    def critic_parts(self, state: ppo_step.PPOState) -> ModelParts | None:
        if self.critic_graphdef is None:
            return None
        return ModelParts(self.critic_graphdef, state.critic, self.critic_rest)


def _prepare(policy: Decoder, reference: Decoder | None, critic: Decoder | None, ppo: PPOConfig,
             mesh: jax.sharding.Mesh) -> tuple[Models, ppo_step.PPOState]:
    """Check the models and batch shapes against `ppo`; split the models and
    build the initial state (parameters and optimizer states on the mesh)."""
    estimator = ppo.estimator
    use_critic = estimator in ppo_core.NEEDS_CRITIC
    if use_critic and (critic is None or critic.value_head is None):
        raise ValueError(f"rl.estimator={estimator!r} needs a critic with a value head")
    use_reference = ppo.uses_reference
    adapters = bool(policy.config.lora_rank)
    if use_reference and reference is None and not adapters:
        raise ValueError(f"rl.kl_coef={ppo.kl_coef} (or rl.adaptive_kl) needs the "
                         "reference model")
    batch_multiple = sharding.shards_along("batch", mesh.shape)
    if ppo.minibatch_size % batch_multiple:  # rows into minibatches: PPOConfig's own rule
        raise ValueError(
            f"rl.minibatch_size={ppo.minibatch_size} must be a multiple of the mesh's "
            f"data-parallel size {batch_multiple}")

    policy_graphdef, policy_params, policy_rest = _parts(policy)
    policy_tx = _optimizer(ppo.learning_rate, ppo.max_grad_norm, ppo.weight_decay)
    state = ppo_step.PPOState(policy_params, optim.init_on_mesh(policy_tx, policy_params, mesh))
    reference_parts = None
    if use_reference and adapters:  # the frozen base is the reference: the policy with its
        # adapters at zero, sharing the base weights (no second copy)
        reference_parts = ModelParts(policy_graphdef, jax.tree.map(jnp.zeros_like, policy_params),
                                policy_rest)
    elif use_reference:
        reference_parts = _parts(reference)
    critic_graphdef = critic_rest = critic_tx = None
    if use_critic:
        critic_graphdef, critic_params, critic_rest = _parts(critic)
        critic_tx = _optimizer(ppo.critic_learning_rate, ppo.max_grad_norm,
                               ppo.weight_decay)
        state = state._replace(critic=critic_params,
                               critic_opt=optim.init_on_mesh(critic_tx, critic_params, mesh))
    return Models(policy_graphdef, policy_rest, policy_tx, critic_graphdef, critic_rest,
                  critic_tx, reference_parts), state


def train_ppo(policy: Decoder, reference: Decoder | None, critic: Decoder | None,
              prompts: Sequence[PromptItem], rewarder: Rewarder, ppo: PPOConfig, *,
              run_dir: str, mesh: jax.sharding.Mesh, eos_token_id: int | None,
              pad_token_id: int, checkpoint: CheckpointConfig, logging: LoggingConfig,
              seed: int,
              eval_hook: Callable[[Decoder, int], dict[str, float]] | None = None,
              eval_every: int = 0, focus: Sequence[bool] | None = None) -> PPOResult:
    """Run `ppo.num_iterations` PPO iterations (`ppo`: `PPOConfig.from_section(config.rl)`).

    With `focus` (a flag per prompt), `ppo.frontier_fraction` of the drawn prompts come
    from the flagged ones (`FocusedPromptIterator`); with `ppo.frontier_follow` the flags
    then follow the policy's groups.

    `critic` must have a value head when `ppo.estimator` needs one (GAE) and is ignored
    otherwise; `reference` (frozen) is needed only with a KL penalty (`ppo.uses_reference`), and
    not under LoRA, where the policy with its adapters at zero is the reference.
    `eval_hook(policy, iteration)` returns scalars to log.
    """
    models, state = _prepare(policy, reference, critic, ppo, mesh)
    group = ppo.samples_per_prompt
    rows = ppo.prompts_per_iteration * group

    iterator = PromptIterator(prompts, derive_seed(seed, "rl")) if focus is None else \
        FocusedPromptIterator(prompts, focus, ppo.frontier_fraction,
                              derive_seed(seed, "rl"), follow=ppo.frontier_follow)
    kl_coef = ppo.kl_coef
    num_iterations = ppo.num_iterations
    start, skipped = 0, 0
    loop = TrainingLoop(run_dir, total=num_iterations, desc="rl",
                        save_every=ppo.checkpoint_every, checkpoint=checkpoint,
                        logging=logging)

    def state_tree(state: ppo_step.PPOState) -> dict[str, Any]:
        return {k: v for k, v in state._asdict().items() if v is not None}

    if loop.has_checkpoint():  # into shapes, the built state let go first (as lm_trainer)
        target = loop.shapes_of(state_tree(state))
        state = None
        tree, meta = loop.restore(target)
        state = ppo_step.PPOState(**tree)
        iterator.set_state(meta["prompts"])
        start, skipped, kl_coef = int(meta["iteration"]), int(meta["skipped"]), meta["kl_coef"]

    update = ppo_step.make_ppo_update(models.policy_graphdef, models.policy_rest,
                                      models.critic_graphdef,
                                      models.critic_rest, models.policy_tx, models.critic_tx,
                                      _hyperparams(ppo, models.critic_graphdef is not None))
    advantage_fn = ppo_step.make_advantage_fn(
        ppo.estimator, ppo.kl_estimator, group_size=group,
        gamma=ppo.gamma, lam=ppo.gae_lambda)
    settings = RolloutSettings.of(ppo)
    # The sampler pads every prompt to one length (it compiles once); `score_rollout` cuts
    # the rollout to its own longest prompt and response.
    sample_prompt_len = ppo_step.round_up(max(len(p.ids) for p in prompts), PROMPT_ROUNDING)
    sampling = SamplingConfig(max_new_tokens=settings.max_new_tokens,
                              temperature=settings.temperature, num_samples=group,
                              eos_token_id=eos_token_id, pad_token_id=pad_token_id,
                              prompt_buckets=(sample_prompt_len,))
    controller = "adaptive" if ppo.adaptive_kl else "fixed"
    history: list[dict[str, float]] = []
    sampler = Sampler(policy, mesh)  # keeps its KV caches from one iteration to the next

    def current_policy() -> Decoder:
        return nnx.merge(*models.policy_parts(state))

    with loop.running(start) as logger:
        for iteration in range(start, num_iterations):
            key = jax.random.fold_in(jax.random.key(seed), iteration)
            sample_key, update_key = jax.random.split(key)
            started = time.perf_counter()
            sampler.model = current_policy()
            got = collect_rollout(sampler, iterator, rewarder, sampling, sample_key,
                                  prompts=ppo.prompts_per_iteration,
                                  filter_groups=ppo.filter_groups,
                                  max_rounds=ppo.max_sampling_rounds)
            collected = time.perf_counter()
            scored = score_rollout(got, models.policy_parts(state), models.reference,
                                   models.critic_parts(state), advantage_fn, kl_coef, settings,
                                   eos_token_id, mesh)
            scored_at = time.perf_counter()
            state, sums = update(state, scored.rollout, update_key, jnp.float32(kl_coef))
            faults.kill_point("ppo/update")
            sums = hosts.fetch_tree(sums)
            observed_kl = float(hosts.fetch(scored.kl).sum(axis=1).mean())
            updated = time.perf_counter()

            skipped += int(sums["skipped"])
            # an iteration all of whose minibatch updates were dropped as non-finite
            loop.note_update(iteration + 1, dropped=int(sums["skipped"]) >= int(
                sums["minibatches"]) > 0, source=drop_source(got, sums))
            metrics = iteration_metrics(got, scored, sums, group=group, observed_kl=observed_kl,
                                        kl_coef=kl_coef, skipped=skipped,
                                        seconds=(started, collected, scored_at, updated))
            kl_coef = ppo_core.update_kl_coef(controller, kl_coef, observed_kl, rows,
                                              target_kl=ppo.target_kl,
                                              horizon=ppo.kl_horizon)
            if isinstance(iterator, FocusedPromptIterator):
                metrics["rl/frontier_prompts"] = float(iterator.focus_size)
            done = iteration + 1
            history.append(metrics)
            logger.progress(done, reward=metrics["rl/reward"], groups=metrics["rl/trained_groups"])
            logger.log(done, metrics)
            if eval_hook is not None and loop.eval_due(done, eval_every):
                logger.log(done, eval_hook(current_policy(), done))
            loop.save(done, state_tree(state), {"iteration": done, "skipped": skipped,
                                                "kl_coef": kl_coef,
                                                "prompts": iterator.get_state()})
    critic_parts = models.critic_parts(state)
    final_critic = None if critic_parts is None else nnx.merge(*critic_parts)
    return PPOResult(current_policy(), final_critic, max(num_iterations, start), skipped,
                     loop.resumed_from, kl_coef, history)
