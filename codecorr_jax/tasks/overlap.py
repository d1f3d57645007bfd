"""Does a task file overlap what the model trains on? Checked before training, reported.

A benchmark a researcher brings may share problems with the training mixture (a task file of
this project's own records, a benchmark mined from the same sites). Two signals, the common
decontamination rules: the same prompt (after trimming whitespace), and a 10-gram of word
tokens shared between a task's reference solution and a training solution. Overlapping tasks
are listed, not dropped: the researcher decides.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Iterable, Mapping, Sequence

from codecorr_jax.synth.splits import ngrams
from codecorr_jax.tasks.task import Task

SOLUTION_N = 10
SHOWN_TASKS = 20  # listed in the report per source; the counts cover all


@dataclasses.dataclass(frozen=True)
class Overlap:
    """One task of a file that meets a training task."""

    task_id: str
    kind: str  # "exact_prompt" or "solution_10gram"
    training_id: str
    match: str  # the shared 10-gram ("" for a prompt)


def training_overlap(tasks: Sequence[Task],
                     training: Iterable[Mapping[str, Any]]) -> list[Overlap]:
    """Every (task, kind) of `tasks` that meets a training record (task_id, prompt, solution),
    with the first training task it meets."""
    prompts: dict[str, str] = {}
    grams: dict[str, str] = {}
    for record in training:
        prompts.setdefault(str(record.get("prompt", "")).strip(), record["task_id"])
        for gram in ngrams(str(record.get("solution") or ""), SOLUTION_N):
            grams.setdefault(gram, record["task_id"])
    prompts.pop("", None)
    found = []
    for task in tasks:
        same = prompts.get(task.prompt.strip())
        if same is not None:
            found.append(Overlap(task.task_id, "exact_prompt", same, ""))
        shared = sorted(g for g in ngrams(task.solution or "", SOLUTION_N) if g in grams)
        if shared:
            found.append(Overlap(task.task_id, "solution_10gram", grams[shared[0]], shared[0]))
    return found


def overlap_report(sources: Mapping[str, tuple[int, Sequence[Overlap]]], training: str) -> str:
    """Markdown: per source (name -> (tasks, overlaps)), how many tasks meet the training
    mixture and which, the first `SHOWN_TASKS` of them."""
    lines = [f"# Task files against the training mixture ({training})", "",
             "Exact prompt: the same prompt after trimming whitespace. Solution 10-gram: the "
             f"task's reference solution shares {SOLUTION_N} consecutive word tokens with a "
             "training solution. Listed, not removed.", "",
             "| source | tasks | exact prompt | solution 10-gram | either |",
             "|---|---:|---:|---:|---:|"]
    for name, (total, overlaps) in sources.items():
        by_kind = {kind: {o.task_id for o in overlaps if o.kind == kind}
                   for kind in ("exact_prompt", "solution_10gram")}
        either = by_kind["exact_prompt"] | by_kind["solution_10gram"]
        lines.append(f"| {name} | {total} | {len(by_kind['exact_prompt'])} | "
                     f"{len(by_kind['solution_10gram'])} | {len(either)} |")
    for name, (_, overlaps) in sources.items():
        if not overlaps:
            continue
        lines += ["", f"## {name}", "", "| task | kind | training task | shared text |",
                  "|---|---|---|---|"]
        for o in overlaps[:SHOWN_TASKS]:
            lines.append(f"| {o.task_id} | {o.kind} | {o.training_id} | {o.match[:80]} |")
        if len(overlaps) > SHOWN_TASKS:
            lines.append(f"| ... {len(overlaps) - SHOWN_TASKS} more | | | |")
    return "\n".join(lines) + "\n"


def summary(name: str, total: int, overlaps: Sequence[Overlap], training: str) -> str:
    """One console line for a source."""
    tasks = len({o.task_id for o in overlaps})
    return f"{name}: {tasks} of {total} tasks meet {training}" + (
        " (same prompt, or a solution 10-gram)" if tasks else "")
