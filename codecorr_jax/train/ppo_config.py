"""PPO's settings, typed once at the edge: what `train_ppo` reads, and the rules between them.

`PPOConfig.from_section(config.rl)` takes the trainer's fields of the `rl` section (the prompt
mixture and the frontier's scoring are the regime's) and checks them in `__post_init__`, the one
place the rules live; `config.validate` reports a broken rule under `config.rl.<field>`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping

from codecorr_jax.train import ppo_core


@dataclasses.dataclass(frozen=True)
class PPOConfig:
    """The fields of `config.rl` PPO's trainer uses, their defaults and what they mean."""

    estimator: str = "gae"  # gae (PPO with a critic) | grpo | rloo | drgrpo | reinforce_pp | ...
    learning_rate: float = 1e-5  # constant, AdamW with global-norm clipping
    critic_learning_rate: float = 1e-5
    max_grad_norm: float = 1.0
    weight_decay: float = 0.0
    num_iterations: int = 40
    prompts_per_iteration: int = 32
    samples_per_prompt: int = 4
    ppo_epochs: int = 2
    minibatch_size: int = 32
    micro_batch_size: int = 0  # rows a forward/backward pass of the update (0: the minibatch)
    # Every objective is a name in a ppo_core registry (README, "PPO and its relatives").
    # The ratio: ppo (per token) | gspo (per response, length-normalised).
    policy_loss: str = "ppo"
    # How a minibatch's policy loss weighs its tokens (ppo_core.LOSS_AGGREGATIONS):
    # token_mean (every token alike) | seq_mean_token_mean (every response alike) |
    # seq_mean_token_sum_norm (token sums over the constant max_new_tokens: Dr. GRPO).
    loss_agg: str = "token_mean"
    # The ratio's trust region [1 - low, 1 + high] (high > low: DAPO's clip-higher) and the
    # dual clip of negative advantages (> 1, e.g. 3; 0 off).
    clip_ratio_low: float = 0.2
    clip_ratio_high: float = 0.2
    clip_ratio_dual: float = 0.0
    value_clip: float = 0.2
    gamma: float = 1.0
    gae_lambda: float = 0.95
    entropy_coef: float = 0.0
    # KL to the reference: a per-token reward penalty, or with kl_in_loss a loss term;
    # adaptive_kl: Ziegler et al.'s controller towards target_kl over kl_horizon samples.
    kl_coef: float = 0.05
    kl_estimator: str = "k1"
    kl_in_loss: bool = False
    adaptive_kl: bool = False
    target_kl: float = 0.1
    kl_horizon: int = 10000
    temperature: float = 1.0
    max_new_tokens: int = 192
    # DAPO's dynamic sampling: drop groups whose rewards are all equal (no group-relative
    # signal) and sample more prompts, up to max_sampling_rounds rounds an iteration.
    filter_groups: bool = False
    max_sampling_rounds: int = 1
    # DAPO's overlong shaping: > 0 adds a penalty falling linearly to -overlong_penalty over
    # the last overlong_buffer tokens before max_new_tokens (and -overlong_penalty for a
    # response cut there); mask_truncated instead drops cut responses from the loss.
    overlong_buffer: int = 0
    overlong_penalty: float = 1.0
    mask_truncated: bool = False
    # > 0: truncated importance sampling against sampler / trainer mismatch: each token's loss
    # times min(pi_trainer / pi_sampler, tis_cap) (needs old_logprobs="recompute").
    tis_cap: float = 0.0
    # With a frontier (the regime's rl.frontier_samples scores it): this share of each
    # iteration's prompts is drawn from it; frontier_follow: it then follows the policy's
    # groups (a prompt passing in every sample leaves it, one passing in some joins it).
    frontier_fraction: float = 0.0
    frontier_follow: bool = False
    # The sampling policy's log-probabilities (the PPO ratio's denominator): "recompute" them
    # with a forward pass, or take the "sampler"'s own (no pass; exact when sampler and
    # trainer compute alike, as in float32 on a CPU).
    old_logprobs: str = "recompute"
    checkpoint_every: int = 5  # iterations

    @classmethod
    def from_section(cls, section: Mapping[str, Any] | Any) -> "PPOConfig":
        """The trainer's fields of an `rl` section (a ConfigDict or a mapping), typed; the
        section's other fields (prompt mixture, frontier scoring, critic init) are ignored."""
        values = {}
        for field in dataclasses.fields(cls):
            kind = type(field.default)
            value = section[field.name]
            values[field.name] = kind(value) if value is not None else field.default
        return cls(**values)

    @property
    def rows(self) -> int:
        """Samples an iteration trains on: prompts x samples per prompt."""
        return self.prompts_per_iteration * self.samples_per_prompt

    @property
    def uses_reference(self) -> bool:
        """Whether PPO needs the frozen reference model: only for a KL penalty."""
        return self.kl_coef > 0 or self.adaptive_kl

    def __post_init__(self) -> None:
        if self.rows % self.minibatch_size:
            raise ValueError(f"rl.minibatch_size={self.minibatch_size} must divide "
                             f"rl.prompts_per_iteration x rl.samples_per_prompt = {self.rows} rows")
        if self.estimator in ppo_core.GROUP_ESTIMATORS and self.samples_per_prompt < 2:
            raise ValueError(f"rl.estimator={self.estimator!r} compares samples of one prompt: "
                             f"rl.samples_per_prompt={self.samples_per_prompt} must be >= 2")
        micro = self.micro_batch_size or self.minibatch_size
        if micro < 0 or self.minibatch_size % micro:
            raise ValueError(f"rl.micro_batch_size={self.micro_batch_size} must divide "
                             f"rl.minibatch_size={self.minibatch_size} (0: the minibatch)")
        if self.clip_ratio_high < 0 or (self.clip_ratio_dual and self.clip_ratio_dual <= 1):
            raise ValueError(f"rl.clip_ratio_high={self.clip_ratio_high} must be >= 0 and "
                             f"rl.clip_ratio_dual={self.clip_ratio_dual} 0 (off) or > 1")
        if not 0 <= self.overlong_buffer < self.max_new_tokens or self.overlong_penalty < 0:
            raise ValueError(f"rl.overlong_buffer={self.overlong_buffer} must lie in [0, "
                             f"rl.max_new_tokens={self.max_new_tokens}) and "
                             f"rl.overlong_penalty={self.overlong_penalty} be >= 0")
        if self.tis_cap and (self.tis_cap < 1 or self.old_logprobs != "recompute"):
            raise ValueError(f"rl.tis_cap={self.tis_cap} must be 0 (off) or >= 1, with "
                             "rl.old_logprobs='recompute' (the trainer's log-probabilities "
                             f"beside the sampler's; got {self.old_logprobs!r})")
        if self.entropy_coef < 0 or self.kl_coef < 0 or self.temperature <= 0:
            raise ValueError("rl.entropy_coef and rl.kl_coef must be >= 0 and "
                             f"rl.temperature > 0 (got {self.entropy_coef}, {self.kl_coef}, "
                             f"{self.temperature})")
