"""Does the shipped base write its own corpus's functions? Held-out pretraining documents.

    python benchmarks/base_on_its_corpus.py [--tasks 200] [--seed 7] [--base DIR]

The base passes no atom (BENCHMARKS.md, issue 16). This asks the question before that one: on
functions drawn from the very grammar it was pretrained on (`data/function_corpus.py`, another
seed; a document whose prompt is also a training prompt is left out, so nothing is recalled),
does its greedy completion compute what the document's own body computes? Each function runs
on 5 random inputs of its argument types, the expected values from the document's body. High
here and 0 on atoms means the gap is the atoms' language and concepts; low here means the base
has not learned its own grammar (too small, or too little pretraining). Prints pass@1 overall,
by chain length and by form (one function / staged with helpers).
"""

from __future__ import annotations

import argparse
import ast
import collections
import json
import os
import random
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jax  # noqa: E402

from codecorr_jax.data import corpus_documents  # noqa: E402
from codecorr_jax.data import function_corpus as corpus  # noqa: E402
from codecorr_jax.eval.completion import SamplerCompleter  # noqa: E402
from codecorr_jax.eval.suites import Task, evaluate  # noqa: E402
from codecorr_jax.execution import Executor  # noqa: E402
from codecorr_jax.models.hf_checkpoint import load_hf_checkpoint, load_tokenizer  # noqa: E402
from codecorr_jax.models.sharding import make_mesh  # noqa: E402
from codecorr_jax.regimes.workspace import SHIPPED_BASE_DIR  # noqa: E402

INPUTS_PER_TASK = 5


def _value(type_: str, rng: random.Random) -> Any:
    words = ("apple", "kiwi", "sun", "a", "moon", "tree", "", "Zebra", "ox", "level")
    if type_ == corpus.INT:
        return rng.randint(-12, 30)
    if type_ == corpus.STR:
        return "".join(rng.choice("abcdeXYZ xyz,.") for _ in range(rng.randint(0, 12)))
    if type_ == corpus.INTS:
        return [rng.randint(-9, 20) for _ in range(rng.randint(0, 8))]
    if type_ == corpus.STRS:
        return [rng.choice(words) for _ in range(rng.randint(0, 6))]
    if type_ == corpus.GRID:
        width = rng.randint(1, 4)
        return [[rng.randint(-5, 9) for _ in range(width)] for _ in range(rng.randint(0, 4))]
    raise ValueError(f"no inputs for type {type_!r}")


def task_of(text: str, index: int, rng: random.Random) -> Task | None:
    """The document as a task: its prompt, its first function, tests from its own body (None
    when the body fails on every input drawn)."""
    prompt, _ = corpus.split_prompt(text)
    function = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef))
    types = [ast.unparse(a.annotation) for a in function.args.args]
    namespace: dict[str, Any] = {}
    exec(compile(text, f"<document {index}>", "exec"), namespace)  # our own generated code
    tests = []
    for _ in range(INPUTS_PER_TASK * 3):
        args = [_value(t, rng) for t in types]
        try:
            expected = namespace[function.name](*[list(a) if isinstance(a, list) else a
                                                  for a in args])
        except Exception:  # an input outside the op's domain (e.g. k = 0): draw another
            continue
        tests.append({"args": args, "expected": expected})
        if len(tests) == INPUTS_PER_TASK:
            break
    if not tests:
        return None
    return Task(f"corpus/{index}", prompt, function.name, tuple(tests))


def training_draws(base_dir: str) -> int:
    """How many documents to draw to cover a base's training documents: those it kept, plus
    the ones the corpus build left out (drawn too), with a margin."""
    with open(os.path.join(base_dir, "codecorr_base.json"), encoding="utf-8") as f:
        fields = json.load(f)["fields"]
    return int(fields["pretrain"]["generated_functions"] * 1.1)


def held_out_tasks(count: int, seed: int, draws: int
                   ) -> tuple[list[Task], list[corpus.Document]]:
    """`count` tasks from documents of `seed` whose prompts none of the first `draws` training
    documents has."""
    seen = {corpus.split_prompt(t)[0] for t in corpus_documents.documents(draws, seed=0)}
    rng = random.Random(f"base_on_its_corpus/{seed}")
    tasks, drawn = [], []
    for document in corpus.drawn_documents(20 * count, seed=seed):
        if corpus.split_prompt(document.text)[0] in seen:
            continue
        task = task_of(document.text, len(tasks), rng)
        if task is not None:
            tasks.append(task)
            drawn.append(document)
        if len(tasks) == count:
            break
    return tasks, drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-new-tokens", type=int, default=256)
    parser.add_argument("--base", default=SHIPPED_BASE_DIR,
                        help="a base directory (default: the shipped base)")
    args = parser.parse_args()
    tasks, drawn = held_out_tasks(args.tasks, args.seed, training_draws(args.base))
    mesh = make_mesh(1, 1, 1, jax.devices()[:1])
    model = load_hf_checkpoint(args.base, mesh)
    completer = SamplerCompleter(model, load_tokenizer(args.base), mesh)
    with Executor() as executor:
        result = evaluate(completer, {"corpus_held_out": tasks}, executor, greedy=True,
                          max_new_tokens=args.max_new_tokens)["corpus_held_out"]
    groups: dict[str, list[bool]] = collections.defaultdict(list)
    for document, row in zip(drawn, result["tasks"]):
        form = "staged (helpers)" if document.staged else "one function"
        groups[f"{len(document.ops)} op(s), {form}"].append(bool(row["passed_greedy"]))
    print(f"held-out documents of the base's own grammar (seed {args.seed}), greedy: "
          f"pass@1 {result['pass@1']:.3f} over {len(tasks)}; verdicts {result['verdicts']}")
    print("| kind | tasks | pass@1 |\n|---|---|---|")
    for kind, passed in sorted(groups.items()):
        print(f"| {kind} | {len(passed)} | {sum(passed) / len(passed):.3f} |")
    for row in result["tasks"][:5]:
        print(f"--- {row['task_id']} ({row['verdict']})\n{row['completion']}")


if __name__ == "__main__":
    main()
