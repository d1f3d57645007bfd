"""The PPO loop on a toy task with a known optimum, its rollout layout, and exact resume."""

from __future__ import annotations

import dataclasses
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from codecorr_jax.models import sharding
from codecorr_jax.models.config import ModelConfig
from codecorr_jax.models.decoder import create_sharded, entropy_from_logits
from codecorr_jax.sampling import Sampler, SamplingConfig
from codecorr_jax.sampling.sampler import SampleOutput
from codecorr_jax.train import ppo_step
from codecorr_jax.train.ppo_config import PPOConfig
from codecorr_jax.train.ppo_trainer import (FocusedPromptIterator, PromptItem, PromptIterator,
                                            RewardBatch, train_ppo)
from codecorr_jax.train.loop import CheckpointConfig, LoggingConfig

TARGET = 7  # the toy reward: the fraction of response tokens equal to this token
VOCAB = 16

QUIET = LoggingConfig(progress_bar=False)  # no progress bars in tests


def _cfg(value_head: bool = False) -> ModelConfig:
    return ModelConfig(vocab_size=VOCAB, hidden_size=32, intermediate_size=64, num_layers=2,
                       num_heads=2, num_kv_heads=1, head_dim=16, max_position_embeddings=32,
                       tie_word_embeddings=True, value_head=value_head)


class _Done:
    def __init__(self, batch: RewardBatch):
        self._batch = batch

    def result(self) -> RewardBatch:
        return self._batch


class TargetTokenRewarder:
    """Reward = share of the response's tokens equal to TARGET; passed when all are."""

    def submit(self, payloads, responses):
        scores = np.array([np.mean(np.asarray(r) == TARGET) if len(r) else 0.0
                           for r in responses], np.float32)
        return _Done(RewardBatch(scores, scores == 1.0))


class PromptRewarder:
    """Passes by prompt (the payload is its index), whatever the response: prompts 0-1 in every
    sample (solved), 2-3 in the first sample of a group (learnable), 4-7 never."""

    def submit(self, payloads, responses):
        passed, seen = [], {}
        for p in payloads:
            first = p not in seen
            seen[p] = True
            passed.append(p < 2 or (p < 4 and first))
        passed = np.array(passed)
        return _Done(RewardBatch(passed.astype(np.float32), passed))


def _section(**overrides) -> PPOConfig:
    return PPOConfig(**{**dict(learning_rate=3e-3, critic_learning_rate=3e-3, num_iterations=30,
                               prompts_per_iteration=8, samples_per_prompt=4, minibatch_size=16,
                               ppo_epochs=2, max_new_tokens=4, kl_coef=0.0, temperature=1.0,
                               checkpoint_every=5), **overrides})


def _run(tmp_path, name, mesh, section, seed=0, rewarder=None, focus=None):
    rng = np.random.default_rng(1)
    prompts = [PromptItem(tuple(int(t) for t in rng.integers(1, VOCAB, 3)), i)
               for i in range(8)]
    policy = create_sharded(_cfg(), mesh, seed=3)
    reference = create_sharded(_cfg(), mesh, seed=3)
    critic = create_sharded(_cfg(value_head=True), mesh, seed=3)
    return train_ppo(policy, reference, critic, prompts, rewarder or TargetTokenRewarder(),
                     section, run_dir=str(tmp_path / name), mesh=mesh, eos_token_id=None,
                     pad_token_id=0, checkpoint=CheckpointConfig(), logging=QUIET,
                     seed=seed, focus=focus)


@pytest.fixture(scope="module")
def mesh():
    return sharding.make_mesh(2, 1, 1, devices=jax.devices()[:2])


# Every estimator; the critic-free ones with a modern objective each (clip-higher and the
# dual clip, GSPO's sequence ratio, Dr. GRPO's aggregation, KL as a loss term, importance
# weights against sampler / trainer mismatch, overlong shaping).
LEARNS = {
    "gae": {},
    "grpo": {"clip_ratio_high": 0.28, "clip_ratio_dual": 3.0},
    "rloo": {"policy_loss": "gspo", "loss_agg": "seq_mean_token_mean",
             "clip_ratio_low": 0.01, "clip_ratio_high": 0.01},
    "drgrpo": {"loss_agg": "seq_mean_token_sum_norm"},
    "reinforce_pp": {"kl_in_loss": True, "kl_coef": 1e-3, "kl_estimator": "k3",
                     "old_logprobs": "recompute", "tis_cap": 2.0},
    "reinforce_pp_baseline": {"overlong_buffer": 1, "overlong_penalty": 0.1},
}


@pytest.mark.parametrize("estimator", list(LEARNS))
def test_ppo_learns_the_target_token(tmp_path, mesh, estimator):
    # 22 iterations: on a 2-core AMD EPYC every estimator's 3-iteration mean passes 0.8
    # by iteration 17 (rloo; the others by 13) and stays above it
    result = _run(tmp_path, estimator, mesh, _section(estimator=estimator, num_iterations=22,
                                                      **LEARNS[estimator]))
    rewards = [h["rl/reward"] for h in result.history]
    # A random policy emits the target 1/16 of the time; the optimum is always.
    assert np.mean(rewards[:3]) < 0.25
    assert np.mean(rewards[-3:]) > 0.8, rewards
    assert result.skipped_minibatches == 0
    last = result.history[-1]
    for name in ("clip_fraction_low", "clip_fraction_high", "dual_clip_fraction", "entropy",
                 "response_length_max", "truncated", "zero_variance_groups"):
        assert f"rl/{name}" in last, name
    if estimator == "reinforce_pp":  # the KL term is logged; on a CPU in float32 the
        # sampler's and the trainer's log-probabilities agree: next to no mismatch
        assert last["rl/kl_loss"] >= 0 and 0 <= last["rl/mismatch_kl"] < 1e-4
    if estimator == "gae":  # the critic learns the return: its residuals shrink
        assert result.history[-1]["rl/explained_variance"] > result.history[0][
            "rl/explained_variance"]
        assert result.critic is not None
    else:
        assert result.critic is None


def test_kl_penalty_holds_the_policy_near_the_reference(tmp_path, mesh):
    """With a large KL coefficient the reward barely moves and the KL stays small."""
    # (a negligible coefficient, so the KL is measured: without a penalty PPO loads no reference)
    free = _run(tmp_path, "free", mesh, _section(num_iterations=8, estimator="grpo",
                                                 kl_coef=1e-4, kl_estimator="k3"))
    held = _run(tmp_path, "held", mesh, _section(num_iterations=8, estimator="grpo",
                                                 kl_coef=1.0, kl_estimator="k3"))
    assert held.history[-1]["rl/kl"] < free.history[-1]["rl/kl"]
    assert held.history[-1]["rl/reward"] < free.history[-1]["rl/reward"]


def test_resume_is_exact_and_the_seed_decides_the_run(tmp_path, mesh):
    """Four iterations at once equal two, a fresh process state, then two more: the same
    seed and config give the same run, bit for bit; another seed samples otherwise."""
    settings = dict(checkpoint_every=2, adaptive_kl=True, kl_coef=0.1, target_kl=0.001)
    whole = _run(tmp_path, "whole", mesh, _section(num_iterations=4, **settings))
    first = _run(tmp_path, "split", mesh, _section(num_iterations=2, **settings))
    assert first.resumed_from is None
    assert [h["rl/reward"] for h in first.history] == \
        [h["rl/reward"] for h in whole.history[:2]]
    other = _run(tmp_path, "other", mesh, _section(num_iterations=2, **settings), seed=1)
    assert [h["rl/reward"] for h in other.history] != \
        [h["rl/reward"] for h in whole.history[:2]]
    second = _run(tmp_path, "split", mesh, _section(num_iterations=4, **settings))
    assert second.resumed_from == 2
    assert second.kl_coef == whole.kl_coef != 0.1  # the adaptive coefficient was restored
    for a, b in zip(jax.tree.leaves(nnx.state(whole.policy, nnx.Param)),
                    jax.tree.leaves(nnx.state(second.policy, nnx.Param))):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    for a, b in zip(jax.tree.leaves(nnx.state(whole.critic, nnx.Param)),
                    jax.tree.leaves(nnx.state(second.critic, nnx.Param))):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert [h["rl/reward"] for h in second.history] == \
        [h["rl/reward"] for h in whole.history[2:]]


def test_a_frontier_that_follows_the_groups_resumes_exactly(tmp_path, mesh):
    """The loop feeds every sampled group to the focus: the solved prompts (0, 1) leave it,
    the learnable ones (2, 3) join it; stopped and resumed, the run draws the same prompts."""
    focus = [i < 2 for i in range(8)]
    settings = dict(num_iterations=3, checkpoint_every=1, estimator="grpo",
                    frontier_fraction=0.5, frontier_follow=True)
    whole = _run(tmp_path, "whole", mesh, _section(**settings), rewarder=PromptRewarder(),
                 focus=focus)
    assert whole.history[-1]["rl/frontier_prompts"] == 2  # {2, 3}
    assert whole.history[0]["rl/frontier_prompts"] != 2
    _run(tmp_path, "split", mesh, _section(**dict(settings, num_iterations=2)),
         rewarder=PromptRewarder(), focus=focus)
    second = _run(tmp_path, "split", mesh, _section(**settings), rewarder=PromptRewarder(),
                  focus=focus)
    assert second.resumed_from == 2
    for key in ("rl/reward", "rl/frontier_prompts"):
        assert [h[key] for h in second.history] == [h[key] for h in whole.history[2:]], key


def test_rollout_scores_match_a_forward_pass_per_row(mesh):
    """The rollout layout (left-padded prompt + response) scores each response token as a
    plain forward pass over that row's real tokens alone does."""
    model = create_sharded(_cfg(), mesh, seed=5)
    critic = create_sharded(_cfg(value_head=True), mesh, seed=6)
    prompts = [[3, 4, 5, 6, 2], [9], [1, 2]]  # ragged: left padding differs per row
    sample = Sampler(model, mesh).generate(prompts, SamplingConfig(
        max_new_tokens=5, temperature=1.0, eos_token_id=2, pad_token_id=0, num_samples=2),
        seed=4)
    batch = ppo_step.sequence_inputs(sample)
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    logprobs = np.asarray(ppo_step.response_logprobs(graphdef, nnx.to_pure_dict(params),
                                                     rest, batch))
    cgraph, cparams, crest = nnx.split(critic, nnx.Param, ...)
    values = np.asarray(ppo_step.response_values(cgraph, nnx.to_pure_dict(cparams), crest,
                                                 batch))
    # one compiled forward per row length (op by op, each row's shapes would compile anew)
    model_logits = jax.jit(lambda ids: model(ids).logits)
    critic_values = jax.jit(lambda ids: critic(ids).values)
    for row in range(len(sample.lengths)):
        prompt = list(sample.prompt_tokens[row][sample.prompt_mask[row]])
        length = int(sample.lengths[row])
        response = list(sample.tokens[row, :length])
        ids = np.asarray([prompt + response] * 2, np.int32)  # two rows: the mesh splits batch
        logits = np.asarray(model_logits(ids)[0], np.float64)
        expected = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
        want = [expected[len(prompt) - 1 + t, tok] for t, tok in enumerate(response)]
        np.testing.assert_allclose(logprobs[row, :length], want, atol=2e-5)
        # the sampler's own log-probabilities (temperature 1) agree as well
        np.testing.assert_allclose(sample.logprobs[row, :length], want, atol=2e-4)
        want_values = np.asarray(critic_values(ids)[0])[len(prompt) - 1:len(prompt) - 1 + length]
        np.testing.assert_allclose(values[row, :length], want_values, atol=2e-5)


def test_prompt_iterator_covers_each_epoch_and_restores():
    items = [PromptItem((i,), i) for i in range(5)]
    it = PromptIterator(items, seed=1)
    first = [p.payload for p in it.take(5)]
    assert sorted(first) == list(range(5))
    it.take(2)
    state = it.get_state()
    rest = [p.payload for p in it.take(6)]
    again = PromptIterator(items, seed=1)
    again.set_state(state)
    assert [p.payload for p in again.take(6)] == rest
    with pytest.raises(ValueError, match="at least one prompt"):
        PromptIterator([], seed=0)


def test_focused_iterator_draws_the_focus_share_and_restores():
    items = [PromptItem((i,), i) for i in range(10)]
    focus = [i < 3 for i in range(10)]  # prompts 0, 1, 2 are the frontier
    it = FocusedPromptIterator(items, focus, 0.5, seed=4)
    drawn = [p.payload for p in it.take(4000)]
    share = np.mean([d < 3 for d in drawn])
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / 4000)  # a fair coin, 4 standard errors
    counts = np.bincount(drawn, minlength=10)
    # each pool is an endless shuffle: its prompts are drawn equally often (to one epoch)
    assert counts[:3].max() - counts[:3].min() <= 1 and counts[3:].max() - counts[3:].min() <= 1
    state = it.get_state()
    rest = [p.payload for p in it.take(50)]
    again = FocusedPromptIterator(items, focus, 0.5, seed=4)
    again.set_state(state)
    assert [p.payload for p in again.take(50)] == rest

    def pools(focus_flags, fraction):
        return {p.payload for p in
                FocusedPromptIterator(items, focus_flags, fraction, seed=0).take(200)}

    assert pools(focus, 1.0) == {0, 1, 2} and pools(focus, 0.0) == set(range(3, 10))
    assert pools([False] * 10, 0.7) == set(range(10))  # no frontier: every prompt
    assert pools([True] * 10, 0.2) == set(range(10))  # all frontier: every prompt
    with pytest.raises(ValueError, match="2 flags for 10 prompts"):
        FocusedPromptIterator(items, [True, False], 0.5, seed=0)
    with pytest.raises(ValueError, match="must be in"):
        FocusedPromptIterator(items, focus, 1.5, seed=0)


def test_focus_that_follows_moves_solved_and_learnable_prompts_and_restores():
    items = [PromptItem((i,), i) for i in range(10)]
    focus = [i < 3 for i in range(10)]
    fixed = FocusedPromptIterator(items, focus, 1.0, seed=2)
    it = FocusedPromptIterator(items, focus, 1.0, seed=2, follow=True)
    # before any change it draws exactly as the fixed focus (the same shuffles)
    assert [p.payload for p in it.take(7)] == [p.payload for p in fixed.take(7)]
    groups = np.array([[True] * 4,                   # prompt 0: solved, leaves
                       [True, False, False, False],  # prompt 5: learnable, joins
                       [False] * 4,                  # prompt 1: failed whole, stays
                       [False] * 4])                 # prompt 7: failed whole, stays out
    it.observe([items[0], items[5], items[1], items[7]], groups)
    assert it.flags == [i in (1, 2, 5) for i in range(10)] and it.focus_size == 3
    assert {p.payload for p in it.take(60)} == {1, 2, 5}  # fraction 1: the focus only
    fixed.observe([items[0], items[5]], groups[:2])  # without follow nothing moves
    assert fixed.flags == focus
    state = it.get_state()
    after = [p.payload for p in it.take(25)]
    again = FocusedPromptIterator(items, focus, 1.0, seed=2, follow=True)
    again.set_state(json.loads(json.dumps(state)))  # a checkpoint's JSON
    assert again.flags == it.flags and [p.payload for p in again.take(25)] == after
    # a checkpoint from before the focus could follow (no flags) restores the fixed focus
    old = {k: v for k, v in fixed.get_state().items() if k in ("drawn", "focus", "rest")}
    restored = FocusedPromptIterator(items, focus, 1.0, seed=2, follow=True)
    restored.set_state(old)
    assert restored.flags == focus
    with pytest.raises(ValueError, match="saved focus has 3 flags for 10 prompts"):
        restored.set_state(dict(state, flags="101"))
    # every prompt solved: the focus is empty and every draw comes from the rest
    it.observe([items[1], items[2], items[5]], np.ones((3, 4), bool))
    assert it.focus_size == 0 and len({p.payload for p in it.take(40)}) == 10


class _ScoredEvaluator:
    """Stands in for regimes.evaluation.Evaluator: scores prompt i as `rows[i]` (greedy pass,
    passing samples) and writes the results as the real one does; counts its calls."""

    def __init__(self, rows):
        self.rows, self.calls = rows, []

    def score_tasks(self, model, name, tasks, out_dir, *, max_new_tokens, seed, num_samples,
                    temperature):
        from codecorr_jax.eval import suites as suites_lib

        self.calls.append((num_samples, temperature))
        rows = [{"task_id": t.task_id, "passed_greedy": None if num_samples else passed,
                 "n_correct": correct if num_samples else None}
                for t, (passed, correct) in zip(tasks, self.rows)]
        results = {name: {"n_tasks": len(tasks), "tasks": rows,
                          **({"num_samples": num_samples} if num_samples else {})}}
        suites_lib.write_results(out_dir, 0, results)
        return results


def test_frontier_is_where_some_samples_pass_and_is_scored_once(tmp_path):
    """Greedy: the prompts failed; sampled: those with 0 < passing samples < n (all-fail and
    all-pass groups carry no signal). Scored once per run directory, checked on reuse."""
    from codecorr_jax.eval.suites import Task
    from codecorr_jax.regimes.ppo_inputs import frontier_flags, frontier_scored

    prompts = [PromptItem((i,), Task(f"atom/t{i}", "", "f")) for i in range(5)]
    scores = [(True, 0), (False, 1), (False, 4), (True, 3), (False, 0)]

    def flags(run_dir, samples, rows=scores):
        evaluator = _ScoredEvaluator(rows)
        got = frontier_flags(evaluator, None, prompts, str(run_dir), samples=samples,
                             temperature=0.6, max_new_tokens=8, seed=0)
        return got, evaluator.calls

    assert not frontier_scored(str(tmp_path / "greedy"))  # (the console says it will score)
    assert flags(tmp_path / "greedy", 0) == ([False, True, True, False, True], [(0, 0.6)])
    assert frontier_scored(str(tmp_path / "greedy"))
    assert flags(tmp_path / "sampled", 4) == ([False, True, False, True, False], [(4, 0.6)])
    # a resumed run reads the stored scores, not the policy's (here: other ones)
    other = [(False, 2)] * 5
    assert flags(tmp_path / "sampled", 4, other) == ([False, True, False, True, False], [])
    with pytest.raises(ValueError, match="with 4 samples each, this run's "
                                         "rl.frontier_samples is 8; delete it"):
        flags(tmp_path / "sampled", 8)
    with pytest.raises(ValueError, match="scored other prompts"):
        frontier_flags(_ScoredEvaluator(scores), None, prompts[:3], str(tmp_path / "sampled"),
                       samples=4, temperature=0.6, max_new_tokens=8, seed=0)


class _CharTokenizer:
    """Token id = character code; id 0 is EOS."""

    eos_token_id = 0

    def decode(self, ids, **_):
        return "".join(chr(i) for i in ids)


def test_truncated_rows_are_those_cut_at_the_limit_before_an_eos():
    from codecorr_jax.train.ppo_trainer import truncated_rows

    tokens = np.array([[5, 2, 0], [5, 6, 7], [5, 6, 2], [5, 0, 0]], np.int32)
    lengths = np.array([2, 3, 3, 1])
    sample = SampleOutput(None, None, tokens, None, None, lengths, None)
    assert truncated_rows(sample, 3, eos_token_id=2).tolist() == [False, True, False, False]
    assert truncated_rows(sample, 3, eos_token_id=None).tolist() == [False, True, True, False]


def test_task_rewarder_scores_programs_in_the_executor():
    from codecorr_jax.eval.suites import Task
    from codecorr_jax.execution import Executor, ExecutorConfig
    from codecorr_jax.regimes.ppo_inputs import TaskRewarder

    task = Task("toy/add", "def add(a, b):\n", "add",
                    ({"args": [1, 2], "expected": 3}, {"args": [4, 0], "expected": 4}))
    completions = ["    return a + b\n", "    return a - b\n", "    return (\n",
                   "    raise ValueError\n"]
    responses = [[ord(c) for c in text] + [0] for text in completions]  # EOS ends each
    with Executor(ExecutorConfig(num_workers=2)) as executor:
        graded = TaskRewarder(executor, _CharTokenizer(), "graded").submit(
            [task] * 4, responses)
        batch = graded.result()
        fraction = TaskRewarder(executor, _CharTokenizer(), "fraction").submit(
            [task] * 4, responses).result()
    np.testing.assert_allclose(batch.scores, [1.0, -0.3, -1.0, -0.6])
    assert batch.passed.tolist() == [True, False, False, False]
    # "a - b" passes one test of two (4 - 0 = 4, but 1 - 2 != 3)
    np.testing.assert_allclose(fraction.scores, [1.0, 0.5, 0.0, 0.0])
    with pytest.raises(ValueError, match="unknown reward"):
        TaskRewarder(None, _CharTokenizer(), "bogus")


def _rollout(model, mesh, seed=0):
    sample = Sampler(model, mesh).generate([[3, 4, 5], [9, 1], [2, 6, 8, 1]], SamplingConfig(
        max_new_tokens=4, temperature=1.0, eos_token_id=2, pad_token_id=0, num_samples=2),
        seed=seed)
    seq = ppo_step.sequence_inputs(sample)
    rng = np.random.default_rng(seed)
    shape = seq.response_mask.shape
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    old = np.asarray(ppo_step.response_logprobs(graphdef, nnx.to_pure_dict(params), rest, seq))
    normal = lambda: rng.standard_normal(shape).astype(np.float32)  # noqa: E731
    return ppo_step.Rollout(seq, old - 0.05 * normal(), normal(), normal(), normal())


def _numpy_weights(name, mask, norm_length):
    """Aggregation weights by their definitions (every token / response alike; Dr. GRPO's
    constant)."""
    m = np.asarray(mask, np.float32)
    rows = max((m.sum(1) > 0).sum(), 1)
    if name == "token_mean":
        return m / max(m.sum(), 1)
    if name == "seq_mean_token_mean":
        return m / np.maximum(m.sum(1, keepdims=True), 1) / rows
    return m / norm_length / rows


UPDATES = {  # name: PPOHyperparams changes beyond the test's own
    "token_mean_clip_higher_dual": {"clip_ratio_high": 0.28, "clip_ratio_dual": 3.0},
    "seq_mean_token_mean": {"loss_agg": "seq_mean_token_mean"},
    "gspo": {"policy_loss": "gspo", "loss_agg": "seq_mean_token_mean",
             "clip_ratio_low": 3e-4, "clip_ratio_high": 4e-4},
    "sum_norm_kl_k3": {"loss_agg": "seq_mean_token_sum_norm", "norm_length": 7,
                       "kl_in_loss": True, "kl_estimator": "k3"},
    "kl_k2_tis": {"kl_in_loss": True, "kl_estimator": "k2", "tis": True},
}
MICRO_BATCHED = ("sum_norm_kl_k3", "kl_k2_tis")


@pytest.mark.parametrize("case", list(UPDATES))
def test_one_update_equals_the_loss_gradient_step_by_hand(mesh, case):
    """One epoch, one minibatch of every row: the update is one SGD step on the objective
    written out here from its parts (the surrogate of ppo_core, hand-written weights, KL and
    importance weights), for each aggregation, clip, ratio form and KL placement."""
    import optax

    from codecorr_jax.train import ppo_core

    changes = dict(UPDATES[case])
    tis = changes.pop("tis", False)
    policy = create_sharded(_cfg(), mesh, seed=1)
    critic = create_sharded(_cfg(value_head=True), mesh, seed=2)
    rollout = _rollout(policy, mesh)
    batch = rollout.seq
    rng = np.random.default_rng(3)
    shape = batch.response_mask.shape
    ref = np.asarray(rollout.old_logprobs) - 0.3 * rng.random(shape).astype(np.float32)
    weights_is = (0.5 + rng.random(shape)).astype(np.float32) if tis else None
    rollout = rollout._replace(ref_logprobs=ref if changes.get("kl_in_loss") else None,
                               is_weights=weights_is)
    hp = ppo_step.PPOHyperparams(**{"clip_ratio_low": 0.1, "clip_ratio_high": 0.1,
                                    "value_clip": 0.3, "entropy_coef": 0.01, "ppo_epochs": 1,
                                    "minibatch_size": 6, **changes})
    kl_coef = 0.7
    tx, critic_tx = optax.sgd(0.1), optax.sgd(0.2)
    pg, pp, prest = nnx.split(policy, nnx.Param, ...)
    cg, cp, crest = nnx.split(critic, nnx.Param, ...)
    pp, cp = nnx.to_pure_dict(pp), nnx.to_pure_dict(cp)
    mask = batch.response_mask
    weights = _numpy_weights(hp.loss_agg, mask, hp.norm_length)

    def policy_loss(params):
        logits = nnx.merge(pg, params, prest)(batch.input_ids, batch.positions,
                                              batch.segment_ids).logits[:, -5:-1]
        logp = jax.nn.log_softmax(logits)
        tokens = batch.input_ids[:, -4:]
        chosen = jnp.take_along_axis(logp, tokens[..., None], -1)[..., 0]
        per_token = ppo_core.surrogate(chosen, rollout.old_logprobs, rollout.advantages, mask,
                                       hp.clip, hp.policy_loss).loss
        if tis:
            per_token = per_token * weights_is
        per_token = per_token - 0.01 * entropy_from_logits(logits)
        if hp.kl_in_loss:
            d = ref - chosen
            kl = jnp.expm1(d) - d if hp.kl_estimator == "k3" else 0.5 * d ** 2
            per_token = per_token + kl_coef * kl
        return jnp.sum(weights * per_token)

    def value_loss(params):
        values = nnx.merge(cg, params, crest)(batch.input_ids, batch.positions,
                                              batch.segment_ids).values[:, -5:-1]
        terms = ppo_core.value_loss_terms(values, rollout.old_values, rollout.returns, mask,
                                          0.3)
        return terms["value_loss_sum"] / mask.sum()

    want_p = jax.tree.map(lambda p, g: p - 0.1 * g, pp, jax.jit(jax.grad(policy_loss))(pp))
    want_c = jax.tree.map(lambda p, g: p - 0.2 * g, cp, jax.jit(jax.grad(value_loss))(cp))
    copy = lambda tree: jax.tree.map(jnp.copy, tree)  # noqa: E731 (inputs are donated)
    # Micro-batches of 2 rows sum to the same step (checked where the weights are least
    # uniform: a constant normaliser, importance weights and a KL term).
    for micro in (0, 2) if case in MICRO_BATCHED else (0,):
        update = ppo_step.make_ppo_update(
            pg, prest, cg, crest, tx, critic_tx,
            dataclasses.replace(hp, micro_batch_size=micro))
        new, sums = update(ppo_step.PPOState(copy(pp), tx.init(pp), copy(cp),
                                             critic_tx.init(cp)),
                           rollout, jax.random.key(0), kl_coef)
        for got, want in zip(jax.tree.leaves(new.policy), jax.tree.leaves(want_p)):
            np.testing.assert_allclose(np.asarray(got), np.asarray(want), atol=2e-6)
        for got, want in zip(jax.tree.leaves(new.critic), jax.tree.leaves(want_c)):
            np.testing.assert_allclose(np.asarray(got), np.asarray(want), atol=2e-6)
        assert float(sums["tokens"]) == mask.sum() and float(sums["skipped"]) == 0


def test_a_non_finite_minibatch_changes_nothing_and_is_counted(mesh):
    import optax

    policy = create_sharded(_cfg(), mesh, seed=1)
    critic = create_sharded(_cfg(value_head=True), mesh, seed=2)
    rollout = _rollout(policy, mesh)
    rollout.advantages[0, 0] = np.nan
    hp = ppo_step.PPOHyperparams(ppo_epochs=2, minibatch_size=6)
    tx = optax.adam(1e-2)
    pg, pp, prest = nnx.split(policy, nnx.Param, ...)
    cg, cp, crest = nnx.split(critic, nnx.Param, ...)
    pp, cp = nnx.to_pure_dict(pp), nnx.to_pure_dict(cp)
    before = jax.tree.map(np.asarray, (pp, cp))
    update = ppo_step.make_ppo_update(pg, prest, cg, crest, tx, tx, hp)
    new, sums = update(ppo_step.PPOState(pp, tx.init(pp), cp, tx.init(cp)), rollout,
                       jax.random.key(0), 0.0)
    new_p, new_c = new.policy, new.critic
    assert float(sums["skipped"]) == 2 == float(sums["minibatches"])  # both epochs dropped
    assert float(sums["skipped_loss"]) == 2  # its source: the policy's loss (a NaN advantage)
    assert float(sums["skipped_grad"]) == 0 == float(sums["skipped_value"])
    assert np.isfinite(float(sums["policy_loss_sum"]))
    for got, want in zip(jax.tree.leaves((new_p, new_c)), jax.tree.leaves(before)):
        np.testing.assert_array_equal(np.asarray(got), want)


def test_rollout_logprobs_are_those_of_the_tempered_policy_that_sampled(mesh):
    model = create_sharded(_cfg(), mesh, seed=5)
    sample = Sampler(model, mesh).generate([[3, 4, 5], [9, 1]], SamplingConfig(
        max_new_tokens=6, temperature=0.6, eos_token_id=2, pad_token_id=0, num_samples=2),
        seed=2)
    batch = ppo_step.sequence_inputs(sample)
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    tempered = np.asarray(ppo_step.response_logprobs(graphdef, nnx.to_pure_dict(params), rest,
                                                     batch, 0.6))
    mask = sample.response_mask
    np.testing.assert_allclose(tempered[mask], sample.sampling_logprobs[mask], atol=2e-4)
    plain = np.asarray(ppo_step.response_logprobs(graphdef, nnx.to_pure_dict(params), rest,
                                                  batch))
    assert np.abs(plain[mask] - tempered[mask]).max() > 1e-2  # temperature matters


class _TableSampler:
    """A stand-in sampler: prompt (p,) answers every sample with the token p, one token long."""

    def generate(self, prompts, config, key):
        from codecorr_jax.sampling.sampler import SampleOutput

        rows = [p for p in prompts for _ in range(config.num_samples)]
        n = len(rows)
        tokens = np.zeros((n, config.max_new_tokens), np.int32)
        tokens[:, 0] = [p[0] for p in rows]
        mask = np.zeros((n, config.max_new_tokens), bool)
        mask[:, 0] = True
        return SampleOutput(np.asarray(rows, np.int32), np.ones((n, 1), bool), tokens,
                            np.zeros(tokens.shape, np.float32), np.zeros(tokens.shape, np.float32),
                            np.ones(n, np.int32), mask)


class _ParityRewarder:
    """Odd prompts: rewards 0, 1, 0, 1, ... within the group (informative); even: all 1."""

    def submit(self, payloads, responses):
        scores = np.array([float(i % 2) if r[0] % 2 else 1.0 for i, r in enumerate(responses)],
                          np.float32)
        return _Done(RewardBatch(scores, scores == 1.0))


@pytest.mark.parametrize("filter_groups,max_rounds", [(False, 3), (True, 3), (True, 1)])
def test_dynamic_sampling_keeps_informative_groups(filter_groups, max_rounds):
    """Prompts 1..8, half informative (odd). Without filtering one round is kept whole; with
    it, all-equal groups are dropped and more prompts sampled until the batch is full, or
    filler groups (trained on by nothing) complete it when the rounds run out."""
    from codecorr_jax.train.ppo_trainer import collect_rollout

    items = [PromptItem((i,), i) for i in range(1, 9)]
    iterator = PromptIterator(items, seed=0)
    sampling = SamplingConfig(max_new_tokens=2, num_samples=4, temperature=1.0)
    got = collect_rollout(_TableSampler(), iterator, _ParityRewarder(), sampling,
                          jax.random.key(0), prompts=4, filter_groups=filter_groups,
                          max_rounds=max_rounds)
    prompts = got.sample.prompt_tokens[::4, 0]
    assert got.sample.tokens.shape[0] == len(got.rewards.scores) == len(got.train_rows) == 16
    np.testing.assert_array_equal(got.sample.tokens[:, 0], np.repeat(prompts, 4))
    if not filter_groups:
        assert got.rounds == 1 and got.train_rows.all()
    elif max_rounds == 3:  # 2 informative groups a round: the second round fills the batch
        assert got.rounds == 2 and got.train_rows.all() and all(p % 2 for p in prompts)
        assert len(got.sampled_scores) == 32
    else:  # one round: 2 informative groups, then 2 fillers that train nothing
        assert got.rounds == 1
        np.testing.assert_array_equal(got.train_rows, np.repeat([1, 1, 0, 0], 4).astype(bool))
        assert all(p % 2 for p in prompts[:2]) and not any(p % 2 for p in prompts[2:])
    # each kept row's reward is the one its response earned
    for row, score in enumerate(got.rewards.scores):
        assert score == (float(row % 2) if got.sample.tokens[row, 0] % 2 else 1.0)


def test_trimmed_rollout_scores_like_the_full_one(mesh):
    """Cutting prompt padding on the left and unused response columns on the right changes no
    log-probability of a real token."""
    model = create_sharded(_cfg(), mesh, seed=5)
    sample = Sampler(model, mesh).generate([[3, 4, 5], [9, 1]], SamplingConfig(
        max_new_tokens=12, temperature=1.0, eos_token_id=2, pad_token_id=0, num_samples=2,
        prompt_buckets=(16,)), seed=3)
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    params = nnx.to_pure_dict(params)
    full = np.asarray(ppo_step.response_logprobs(graphdef, params, rest,
                                                 ppo_step.sequence_inputs(sample)))
    longest = int(sample.lengths.max())
    cut = ppo_step.sequence_inputs(sample, prompt_len=4, response_len=longest)
    assert cut.input_ids.shape == (4, 4 + longest)
    trimmed = np.asarray(ppo_step.response_logprobs(graphdef, params, rest, cut))
    mask = sample.response_mask[:, :longest]
    np.testing.assert_allclose(trimmed[mask], full[:, :longest][mask], atol=2e-5)
    with pytest.raises(ValueError, match="cuts real prompt tokens"):
        ppo_step.sequence_inputs(sample, prompt_len=2)
    if longest > 1:
        with pytest.raises(ValueError, match="cuts real response tokens"):
            ppo_step.sequence_inputs(sample, response_len=longest - 1)
    assert ppo_step.round_up(33, 32) == 64 and ppo_step.round_up(0, 32) == 32
    assert ppo_step.round_up(70, 64, limit=100) == 100


class NaNRewarder:
    """Every reward NaN: every advantage, so every minibatch update, is non-finite."""

    def submit(self, payloads, responses):
        return _Done(RewardBatch(np.full(len(responses), np.nan, np.float32),
                                 np.zeros(len(responses), bool)))


def test_iterations_whose_updates_are_all_dropped_stop_the_run(tmp_path, mesh, monkeypatch):
    """An iteration whose minibatch updates are all non-finite is dropped and counted; a run of
    MAX_DROPPED_IN_A_ROW of them (2 here) stops PPO with a message naming the run directory."""
    from codecorr_jax.train import loop

    monkeypatch.setattr(loop, "MAX_DROPPED_IN_A_ROW", 2)
    with pytest.raises(loop.NonFiniteError, match=r"rl: 2 steps in a row \(to step 2\) had a "
                                                  r"non-finite reward .* checkpoint is in .*nan"):
        _run(tmp_path, "nan", mesh, _section(num_iterations=5, estimator="grpo"),
             rewarder=NaNRewarder())
    # the counter resets when an update goes through
    steps = loop.TrainingLoop(str(tmp_path / "count"), total=9, desc="t", save_every=100,
                              checkpoint=CheckpointConfig(), logging=QUIET)
    for done, dropped in enumerate([True, False, True, False, True], start=1):
        steps.note_update(done, dropped=dropped)  # never two in a row
    with pytest.raises(loop.NonFiniteError, match=r"t: 2 steps in a row \(to step 6\)"):
        steps.note_update(6, dropped=True)
