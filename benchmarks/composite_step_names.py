"""How close a model's held-out composites come: the share of step lines naming the right atom.

pass@1 says only whether a whole composite passed. This reads an evaluation's saved greedy
completions and counts, per composite suite, the `stepN = atom(...)` / `return atom(...)` lines
of the entry point that call the atom the task's chain has at that step. Chance level is about
1% (100 atoms), so it tells "the description -> atom mapping is not learned" apart from "right
atoms, wrong code".

    python benchmarks/composite_step_names.py WORKDIR/sft            # its eval/latest.json
    python benchmarks/composite_step_names.py WORKDIR/sft --datasets WORKDIR/datasets
"""

from __future__ import annotations

import argparse
import json
import os
import re
from typing import Any, Iterable

from codecorr_jax.synth.build import jsonl_path, read_jsonl
from codecorr_jax.synth.splits import FAMILIES

CALL = re.compile(r"^\s+(?:step\d+ = |return )(\w+)\(", re.M)
SUITES = ("composite_in_domain", "composite_target")


def called_atoms(completion: str) -> list[str]:
    """The functions called by the entry point's step lines, in order (its body ends at the
    first blank line, where the atoms' definitions begin)."""
    return CALL.findall(completion.split("\n\n", 1)[0])


def step_name_accuracy(tasks: Iterable[dict[str, Any]],
                       chains: dict[str, list[str]]) -> dict[str, float]:
    """Right step names / steps, and the share of tasks with every step right."""
    right = steps = whole = n = 0
    for task in tasks:
        want, got = chains[task["task_id"]], called_atoms(task["completion"])
        hits = sum(g == w for g, w in zip(got, want))
        right, steps, n = right + hits, steps + len(want), n + 1
        whole += hits == len(want) == len(got)
    return {"steps": steps, "step_names_right": right / max(steps, 1),
            "tasks_all_right": whole / max(n, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run_dir", help="a run directory holding eval/latest.json")
    parser.add_argument("--datasets", default="", help="default: RUN_DIR/../datasets")
    args = parser.parse_args()
    datasets = args.datasets or os.path.join(os.path.dirname(os.path.abspath(args.run_dir)),
                                             "datasets")
    with open(os.path.join(args.run_dir, "eval", "latest.json"), encoding="utf-8") as f:
        saved = json.load(f)
    chains = {record["task_id"]: record["atoms"] for family in FAMILIES
              for record in read_jsonl(jsonl_path(os.path.join(datasets, "jsonl"), family,
                                                  "test"))}
    print(f"step {saved['step']} of {args.run_dir}")
    for suite in SUITES:
        if suite not in saved["results"]:
            continue
        result = saved["results"][suite]
        accuracy = step_name_accuracy(result["tasks"], chains)
        print(f"{suite:<22} pass@1 {result['pass@1']:.3f} | step names right "
              f"{accuracy['step_names_right']:.3f} of {accuracy['steps']} | every step right "
              f"{accuracy['tasks_all_right']:.3f}")


if __name__ == "__main__":
    main()
