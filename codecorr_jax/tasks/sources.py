"""Task sources held in files: `config.tasks.<name> = dict(path=..., format=...)`.

A file source is an evaluation suite of its own name, scored beside the built-in ones
(`config.eval.suites = (..., "<name>")`). Two sources may read one file: EvalPlus's base and
plus figures are two sources of the same file, `variant="base"` and `variant="plus"`.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
from typing import Any, Mapping, Sequence

from codecorr_jax.execution import Executor, Program
from codecorr_jax.tasks.formats import FORMATS, ReadOptions, read_tasks
from codecorr_jax.tasks.task import Task

@dataclasses.dataclass(frozen=True)
class FileSource:
    """One configured file of tasks: where it is, how to read it, which of its tests count."""

    name: str
    path: str
    format: str
    variant: str = ""
    date_from: str = ""
    date_to: str = ""

    def __post_init__(self) -> None:
        where = f"config.tasks.{self.name}"
        if not self.name.isidentifier():
            raise ValueError(f"{where}: a source's name must be an identifier")
        if self.format not in FORMATS:
            raise ValueError(f"{where}.format={self.format!r}: formats are "
                             f"{', '.join(FORMATS)}")
        variants = FORMATS[self.format].variants
        if self.variant and self.variant not in variants:
            raise ValueError(f"{where}.variant={self.variant!r}: format {self.format!r} has "
                             f"variants {', '.join(v for v in variants if v) or 'none'}")
        for field in ("date_from", "date_to"):
            value = getattr(self, field)
            if value:
                try:
                    datetime.date.fromisoformat(value)
                except ValueError as exc:
                    raise ValueError(f"{where}.{field}={value!r} is not an ISO date "
                                     f"(YYYY-MM-DD)") from exc
        if not self.path:
            raise ValueError(f"{where}.path is empty: name the JSONL file to read")

    def check_exists(self) -> None:
        """A missing file is named at the config boundary, not when evaluation reaches it."""
        if not os.path.isfile(self.path):
            raise ValueError(f"config.tasks.{self.name}.path={self.path!r}: no such file")

    def load(self) -> list[Task]:
        return read_tasks(self.path, self.format, ReadOptions(self.variant, self.date_from,
                                                              self.date_to))


# the fields a `config.tasks.<name>` entry may set: FileSource's, but its name
SOURCE_FIELDS = tuple(f.name for f in dataclasses.fields(FileSource) if f.name != "name")


def file_sources(section: Mapping[str, Any] | None) -> dict[str, FileSource]:
    """`config.tasks` as typed sources; unknown fields are named."""
    sources = {}
    for name, fields in (section or {}).items():
        unknown = sorted(set(fields) - set(SOURCE_FIELDS))
        if unknown:
            raise ValueError(f"config.tasks.{name} has unknown fields {unknown}; fields: "
                             f"{', '.join(SOURCE_FIELDS)}")
        if "path" not in fields or "format" not in fields:
            raise ValueError(f"config.tasks.{name} needs 'path' and 'format'")
        sources[name] = FileSource(name, **{k: str(v) for k, v in fields.items()})
    return sources


def with_expected_outputs(tasks: Sequence[Task], executor: Executor) -> list[Task]:
    """Tasks whose tests lack expected values (EvalPlus's inputs) with the values their
    reference solution returns, computed in the executor. A solution that fails an input is
    an error naming the task: it would make every candidate fail that test."""
    pending = [t for t in tasks if any("expected" not in test for test in t.tests)]
    for task in pending:
        if task.solution is None:
            raise ValueError(f"task {task.task_id}: tests without expected values need the "
                             f"task's reference solution")
    results = executor.score([Program(t.solution, t.entry_point,
                                      [{"args": test["args"]} for test in t.tests])
                              for t in pending])
    filled = {}
    for task, result in zip(pending, results):
        if not result.all_passed:
            raise ValueError(f"task {task.task_id}: its reference solution fails "
                             f"({result.verdict.value}: {result.message}); its expected "
                             f"values cannot be computed")
        filled[task.task_id] = dataclasses.replace(task, tests=tuple(
            {"args": test["args"], "expected": _json_value(outcome.output)}
            for test, outcome in zip(task.tests, result.tests)))
    return [filled.get(t.task_id, t) for t in tasks]


def _json_value(canonical: str | None) -> Any:
    return json.loads(canonical) if canonical is not None else None


def training_tasks(sources: Mapping[str, FileSource], names: Sequence[str],
                   executor: Executor) -> list[Task]:
    """The tasks of the named file sources a stage trains on, expected values computed."""
    if not names:
        return []
    return with_expected_outputs([t for name in names for t in sources[name].load()], executor)


def sft_examples(tasks: Sequence[Task]) -> list[tuple[str, str, str]]:
    """(task id, prompt, reference completion) of every task, for SFT; a task without a
    reference (LiveCodeBench ships none) is refused by name."""
    missing = [t.task_id for t in tasks if t.reference_completion is None]
    if missing:
        raise ValueError(f"SFT needs reference solutions; tasks {missing[:5]} (of "
                         f"{len(missing)}) have none: train on that file with PPO "
                         f"(config.rl.task_files) instead")
    return [(t.task_id, t.prompt, t.reference_completion) for t in tasks]


def as_training_records(tasks: Sequence[Task]) -> list[dict[str, Any]]:
    """Tasks in the shape the overlap check reads training tasks in."""
    return [{"task_id": t.task_id, "prompt": t.prompt, "solution": t.solution} for t in tasks]
