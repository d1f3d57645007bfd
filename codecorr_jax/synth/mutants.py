"""How well a composite's tests tell wrong programs from its reference: mutants and their score.

A test set that a constant or a slightly wrong program passes rewards the wrong thing under RL
(the `fraction` reward pays a constant function for every test whose expected output it
happens to return). Each mutant of a reference solution changes what the entry point computes
in one way a model's mistake would:

- `constant`: return one of the tests' expected values, whatever the input;
- `dropped_step`: leave a step out (the next step reads what the dropped one read);
- `swapped_steps`: two adjacent steps' atoms exchanged;
- `replaced_atom`: a step's atom replaced by another atom of the same signature;
- `off_by_one`: an integer constant of a step one more or one less.

A mutant is killed when the executor's verdict on the task's tests is not a pass; a mutant
that computes the same function (an equivalent mutant) survives, so scores are lower bounds of
the tests' power. `dominant_output_share`: the largest share of the tests one expected output
takes, what a constant function earns under the `fraction` reward.

    python -m codecorr_jax.synth.mutants DATASET_JSONL_DIR --families composite_A \\
        --split test --out docs/results/mutation_scores.json
"""

from __future__ import annotations

import argparse
import ast
import collections
import dataclasses
import json
import os
from typing import Any, Iterable, Mapping, Sequence

from codecorr_jax import atoms as atom_registry
from codecorr_jax.canonical import canonical_json
from codecorr_jax.execution import Executor, ExecutorConfig, Program

KINDS = ("constant", "dropped_step", "swapped_steps", "replaced_atom", "off_by_one")


@dataclasses.dataclass(frozen=True)
class Mutant:
    """One changed program: its kind, what changed, the changed entry point's source and what
    it needs beside the reference's helpers (`extra`: a replacement atom and its imports)."""

    kind: str
    change: str
    entry: str
    extra: str = ""

    def source(self, solution: str) -> str:
        """The whole program: the reference solution, `extra`, then the changed entry point
        (which replaces the reference's, being defined after it)."""
        return "\n\n".join(part for part in (solution.rstrip(), self.extra.strip(),
                                             self.entry) if part) + "\n"


def dominant_output_share(tests: Sequence[Mapping[str, Any]]) -> float:
    """The largest share of `tests` whose expected outputs are one and the same value."""
    counts = collections.Counter(canonical_json(t["expected"]) for t in tests)
    return max(counts.values()) / len(tests) if tests else 0.0


def _entry(tree: ast.Module, name: str) -> ast.FunctionDef:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise ValueError(f"the solution defines no function {name!r}")


def _calls(entry: ast.FunctionDef) -> list[ast.Call]:
    """The entry point's steps: `stepN = atom(...)` lines, then `return atom(...)`."""
    calls = []
    for statement in entry.body:
        value = getattr(statement, "value", None)
        if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Name):
            raise ValueError(f"{entry.name}: a step that is not one atom call: "
                             f"{ast.unparse(statement)}")
        calls.append(value)
    return calls


def _variant(solution: str, entry_point: str, change: Any) -> str:
    """The entry point's source with `change(entry)` applied to a fresh parse of it."""
    entry = _entry(ast.parse(solution), entry_point)
    change(entry)
    return ast.unparse(entry)


class _Rename(ast.NodeTransformer):
    def __init__(self, name: str, replacement: ast.expr):
        self.name, self.replacement = name, replacement

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return self.replacement if node.id == self.name else node


def mutants(record: Mapping[str, Any]) -> list[Mutant]:
    """Every mutant of a composite task record's reference solution (see the module doc)."""
    solution, entry_point = record["solution"], record["entry_point"]
    outputs = dict.fromkeys(canonical_json(t["expected"]) for t in record["tests"])
    out: list[Mutant] = []
    for text in outputs:
        def constant(fn: ast.FunctionDef, text: str = text) -> None:
            fn.body = [ast.Return(ast.parse(f"__import__('json').loads({text!r})",
                                            mode="eval").body)]
        out.append(Mutant("constant", f"returns {text[:40]}",
                          _variant(solution, entry_point, constant)))
    return out + step_mutants(solution, entry_point)


def step_mutants(solution: str, entry_point: str) -> list[Mutant]:
    """The mutants that change the entry point's steps (every kind but `constant`, which
    depends on the tests, not on the program)."""
    calls = _calls(_entry(ast.parse(solution), entry_point))
    out: list[Mutant] = []

    for j in range(len(calls) - 1):  # a step whose result a later step reads
        def drop(fn: ast.FunctionDef, j: int = j) -> None:
            dropped = fn.body.pop(j)
            reads = dropped.value.args[0] if dropped.value.args else ast.Constant(None)
            target = dropped.targets[0].id
            fn.body = [_Rename(target, reads).visit(s) for s in fn.body]
        out.append(Mutant("dropped_step", f"step {j + 1} left out",
                          _variant(solution, entry_point, drop)))

    for j in range(len(calls) - 1):
        if calls[j].func.id == calls[j + 1].func.id:
            continue
        def swap(fn: ast.FunctionDef, j: int = j) -> None:
            a, b = fn.body[j].value.func, fn.body[j + 1].value.func
            a.id, b.id = b.id, a.id
        out.append(Mutant("swapped_steps", f"steps {j + 1} and {j + 2} swapped",
                          _variant(solution, entry_point, swap)))

    used = {c.func.id for c in calls}
    for j, call in enumerate(calls):
        original = atom_registry.get(call.func.id)
        other = next((a for a in atom_registry.all_atoms()
                      if a.name not in used and a.arg_types == original.arg_types
                      and a.returns == original.returns), None)
        if other is None:
            continue
        def replace(fn: ast.FunctionDef, j: int = j, name: str = other.name) -> None:
            fn.body[j].value.func.id = name
        imports = "".join(f"import {m}\n" for m in other.imports)
        out.append(Mutant("replaced_atom", f"step {j + 1}: {original.name} -> {other.name}",
                          _variant(solution, entry_point, replace),
                          extra=imports + other.source))

    for j, call in enumerate(calls):
        for k, arg in enumerate(call.args):
            if not (isinstance(arg, ast.Constant) and type(arg.value) is int):
                continue
            for delta in (1, -1):
                def shift(fn: ast.FunctionDef, j: int = j, k: int = k, delta: int = delta) -> None:
                    fn.body[j].value.args[k].value += delta
                out.append(Mutant("off_by_one", f"step {j + 1} argument {k + 1} {delta:+d}",
                                  _variant(solution, entry_point, shift)))
    return out


@dataclasses.dataclass(frozen=True)
class TaskScore:
    """One task's mutants: killed of made, per kind, and its tests' dominant-output share."""

    task_id: str
    killed: dict[str, int]
    made: dict[str, int]
    dominant_output_share: float

    @property
    def score(self) -> float:
        made = sum(self.made.values())
        return sum(self.killed.values()) / made if made else 1.0


def score_tasks(records: Iterable[Mapping[str, Any]], executor: Executor) -> list[TaskScore]:
    """Run every record's mutants against its tests; a mutant is killed unless it passes."""
    records = list(records)
    made = [mutants(r) for r in records]
    programs = [Program(m.source(r["solution"]), r["entry_point"], [dict(t) for t in r["tests"]])
                for r, ms in zip(records, made) for m in ms]
    results = iter(executor.score(programs))
    scores = []
    for record, ms in zip(records, made):
        killed = collections.Counter({k: 0 for k in KINDS})
        count = collections.Counter({k: 0 for k in KINDS})
        for mutant in ms:
            count[mutant.kind] += 1
            killed[mutant.kind] += not next(results).all_passed
        scores.append(TaskScore(record["task_id"], dict(killed), dict(count),
                                dominant_output_share(record["tests"])))
    return scores


def summary(scores: Sequence[TaskScore], threshold: float = 0.95) -> dict[str, Any]:
    """Per kind the share of mutants killed; the tasks under `threshold`; the dominant-output
    shares that let a constant earn half the reward or more."""
    killed = collections.Counter()
    made = collections.Counter()
    for s in scores:
        killed.update(s.killed)
        made.update(s.made)
    shares = [s.dominant_output_share for s in scores]
    return {
        "tasks": len(scores),
        "mutants": sum(made.values()),
        "killed_share": sum(killed.values()) / max(sum(made.values()), 1),
        "killed_share_by_kind": {k: killed[k] / made[k] for k in KINDS if made[k]},
        "tasks_under_threshold": sum(s.score < threshold for s in scores),
        "threshold": threshold,
        "tasks_with_dominant_output_at_least_half": sum(x >= 0.5 for x in shares),
        "largest_dominant_output_share": max(shares, default=0.0),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("jsonl_dir", help="a dataset build's jsonl/ directory")
    parser.add_argument("--families", nargs="+", default=["composite_A"])
    parser.add_argument("--split", default="test", choices=("train", "test"))
    parser.add_argument("--max-tasks", type=int, default=0, help="0: all")
    parser.add_argument("--out", default="", help="per-task scores and the summary as JSON")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {}
    with Executor(ExecutorConfig()) as executor:
        for family in args.families:
            path = os.path.join(args.jsonl_dir, family, f"{args.split}.jsonl")
            with open(path, encoding="utf-8") as f:  # a build's layout (synth/build.py)
                records = [json.loads(line) for line in f]
            if args.max_tasks > 0:
                records = records[:args.max_tasks]
            scores = score_tasks(records, executor)
            report[family] = {"summary": summary(scores),
                              "tasks": [dataclasses.asdict(s) | {"score": s.score}
                                        for s in scores]}
            print(f"{family} {args.split}: {json.dumps(report[family]['summary'])}", flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
