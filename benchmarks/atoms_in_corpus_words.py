"""Can the base write an atom when the atom is said in its own corpus's words?

    python benchmarks/atoms_in_corpus_words.py --base runs/base4/base

The atoms' chains are read from `benchmarks/atom_chains.txt`, the report of
`python benchmarks/atoms_within_the_grammar.py --workers 2` (9 min; run it again, and pass its
report with --chains, when the grammar's ops change: a test fails when the file is stale).

Issue 16's base passes 2 of the 25 atoms that some chain of its grammar computes. Two things
can stand in the way: the atom's sentence (hand-written, in words and shapes the corpus never
uses) or the chain itself (the corpus build leaves out every function that computes an atom,
so the base has never seen these exact chains, only their ops in other company). This asks the
base twice per atom, greedy and with samples: with the atom's own prompt, and with the same
signature under the sentence the corpus would write for the atom's chain (every combination of
the ops' wordings, up to `--wordings`), and with that sentence under the name a version-4 corpus
gave such a function (its ops' keys). The tests are the atom's own. Passing in corpus words
but not in the atom's: the sentence is the gap. Failing both: composing an unseen chain is.
Passing only under the keys' name: the base reads names, not docstrings.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jax  # noqa: E402

from codecorr_jax import atoms  # noqa: E402
from codecorr_jax.atoms.render import render_docstring, render_prompt, task_tests  # noqa: E402
from codecorr_jax.data import function_corpus as corpus  # noqa: E402
from codecorr_jax.data.function_ops import BOOL, OPS, OPS_BY_KEY, Op  # noqa: E402
from codecorr_jax.eval.completion import SamplerCompleter  # noqa: E402
from codecorr_jax.eval.suites import Task, evaluate  # noqa: E402
from codecorr_jax.execution import Executor  # noqa: E402
from codecorr_jax.models.hf_checkpoint import load_hf_checkpoint, load_tokenizer  # noqa: E402
from codecorr_jax.models.sharding import make_mesh  # noqa: E402

CHAINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "atom_chains.txt")
_CHAIN_LINE = re.compile(r"^- (\w+): (.+)$")
_LABEL = re.compile(r"^(\w+)(?:\[(.*)\])?$")


def read_chains(path: str) -> dict[str, list[tuple[Op, str]]]:
    """Atom name -> its chain [(op, parameter), ...] from the search's report ("- name: a ->
    b[k] -> c" lines); a parameter "k" is the atom's own int argument."""
    chains = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            match = _CHAIN_LINE.match(line.strip())
            if not match:
                continue
            steps = []
            for label in match.group(2).split(" -> "):
                parts = _LABEL.match(label.strip())
                if not parts or parts.group(1) not in OPS_BY_KEY:
                    raise ValueError(f"{path}:{number}: {label!r} is not an op of the grammar "
                                     f"({len(OPS)} ops); was the report made by this code?")
                steps.append((OPS_BY_KEY[parts.group(1)], parts.group(2) or ""))
            chains[match.group(1)] = steps
    if not chains:
        raise ValueError(f"{path}: no '- atom: op -> op' lines; pass the report of "
                         "benchmarks/atoms_within_the_grammar.py")
    return chains


def corpus_sentences(atom, chain: list[tuple[Op, str]], limit: int) -> list[str]:
    """The sentences the corpus would write for the chain under the atom's argument names:
    every phrasing of it (`function_corpus.phrasings`, fused pairs first; a yes/no one also as
    "True if ..."), `limit` at most, in a fixed order."""
    ops = [op for op, _ in chain]
    arg = atom.params[0][0]
    k_name = atom.params[1][0] if len(atom.params) > 1 else "k"
    written = [k_name if value == "k" else value for _, value in chain]
    sentences = []
    for phrase in corpus.phrasings(ops, written, arg):
        for true_if in ((False, True) if ops[-1].gives == BOOL else (False,)):
            sentences.append(corpus.description_sentence(phrase, true_if=true_if))
    return sentences[:limit]


def key_name(chain: list[tuple[Op, str]]) -> str:
    """The name a version-4 corpus gave a function of this chain: its ops' keys, last first."""
    return "_".join(op.key for op, _ in reversed(chain))


def own_task(name: str) -> Task:
    """The atom's task as the score card asks it."""
    atom = atoms.get(name)
    return Task(f"own/{name}", render_prompt(atom), name, tuple(task_tests(atom)))


def worded_tasks(own: Task, chain: list[tuple[Op, str]], limit: int,
                 suite: str = "corpus_words") -> list[Task]:
    """The atom's task said in corpus words, once per sentence, with its tests. In suite
    "key_named" the function is also renamed after its ops' keys (`key_name`)."""
    name = own.entry_point
    atom = atoms.get(name)
    modules = sorted({m for op, _ in chain for m in op.imports})
    entry = key_name(chain) if suite == "key_named" else name
    signature = atom.signature.replace(f"def {name}(", f"def {entry}(", 1)
    return [Task(f"{suite}/{name}/{i}", render_docstring(signature, sentence, modules),
                     entry, own.tests)
            for i, sentence in enumerate(corpus_sentences(atom, chain, limit))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chains", default=CHAINS,
                        help="the report of benchmarks/atoms_within_the_grammar.py")
    parser.add_argument("--base", required=True, help="a base directory")
    parser.add_argument("--wordings", type=int, default=4,
                        help="corpus sentences per atom, at most")
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--temperature", type=float, default=0.8)
    parser.add_argument("--max-new-tokens", type=int, default=256)
    args = parser.parse_args()
    chains = read_chains(args.chains)
    suites: dict[str, list[Task]] = {"own": [], "corpus_words": [], "key_named": []}
    for name, chain in sorted(chains.items()):
        own = own_task(name)
        suites["own"].append(own)
        for suite in ("corpus_words", "key_named"):
            suites[suite] += worded_tasks(own, chain, args.wordings, suite)
    mesh = make_mesh(1, 1, 1, jax.devices()[:1])
    model = load_hf_checkpoint(args.base, mesh)
    completer = SamplerCompleter(model, load_tokenizer(args.base), mesh)
    with Executor() as executor:
        results = evaluate(completer, suites, executor,
                           greedy=True, num_samples=args.samples,
                           temperature=args.temperature, ks=(1, args.samples),
                           max_new_tokens=args.max_new_tokens)
    per_atom: dict[str, dict[str, list]] = collections.defaultdict(
        lambda: {suite: [] for suite in suites})
    for suite, result in results.items():
        for row in result["tasks"]:
            name = row["task_id"].split("/")[1]
            per_atom[name][suite].append((bool(row["passed_greedy"]), row["n_correct"]))
    k = args.samples
    print(f"{len(suites['own'])} atoms a chain of the grammar computes; base {args.base}; "
          f"greedy, and {k} samples at T={args.temperature}\n")
    print(f"| prompt | prompts | greedy pass@1 | pass@1 | pass@{k} | atoms passed by any "
          "sample |\n|---|---|---|---|---|---|")
    for suite, result in results.items():
        passed = sum(any(n for _, n in rows[suite]) for rows in per_atom.values())
        print(f"| {suite} | {result['n_tasks']} | {result['pass@1']:.3f} | "
              f"{result['sampled_pass@1']:.3f} | {result[f'sampled_pass@{k}']:.3f} | "
              f"{passed} of {len(per_atom)} |")
    print(f"\n| atom | chain | own: greedy, samples passing of {k} | corpus words: greedy "
          "passes, samples passing per wording | the same, named after the ops' keys |\n"
          "|---|---|---|---|---|")
    for name, rows in sorted(per_atom.items()):
        chain = " -> ".join(op.key + (f"[{v}]" if v else "") for op, v in chains[name])
        (own_greedy, own_n), = rows["own"]
        cells = []
        for suite in ("corpus_words", "key_named"):
            greedy = sum(g for g, _ in rows[suite])
            counts = ", ".join(str(n) for _, n in rows[suite])
            cells.append(f"{greedy} of {len(rows[suite])}, {counts}")
        print(f"| {name} | {chain} | {'pass' if own_greedy else '-'}, {own_n} | "
              + " | ".join(cells) + " |")
    for row in results["corpus_words"]["tasks"][:3]:
        print(f"--- {row['task_id']} ({row['verdict']})\n{row['completion']}")


if __name__ == "__main__":
    main()
