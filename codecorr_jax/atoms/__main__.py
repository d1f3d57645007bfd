"""`python -m codecorr_jax.atoms`: validate every atom and print the composition graph report.

Exit status 0 when the library is sound, 1 with one line per problem otherwise.
`--atom NAME` shows one atom instead: both prompts, the solution and its task record.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

import codecorr_jax.atoms as registry
from codecorr_jax.atoms import graph, render
from codecorr_jax.atoms.graph import MIN_ATOMS_IN_2_CHAINS
from codecorr_jax.atoms.spec import Atom
from codecorr_jax.atoms.validate import validate_atoms

LIBRARY_SIZE = len(registry.TOPICS) * registry.ATOMS_PER_TOPIC


def _show_atom(name: str, as_json: bool) -> int:
    try:
        atom = registry.get(name)
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    record = render.task_record(atom)
    if as_json:
        print(json.dumps(record, indent=2))
        return 0
    print(f"# {atom.name}  (topic {atom.topic}; {atom.signature})")
    for style in render.STYLES:
        print(f"\n## prompt, {style} style\n{render.render_prompt(atom, style)}")
    print(f"\n## solution\n{atom.program}")
    print("## task record (prompt in docstring style; tests one per line)")
    for field, value in record.items():
        if field == "tests":
            print(f"tests: {len(value)}")
            for test in value:
                print(f"  {json.dumps(test)}")
        else:
            print(f"{field}: {json.dumps(value)}")
    return 0


def _library_problems(chained: int) -> list[str]:
    problems = registry.registry_problems()
    total = len(registry.all_atoms())
    if total != LIBRARY_SIZE:
        problems.append(f"the library has {total} atoms; it must have {LIBRARY_SIZE}")
    if chained < MIN_ATOMS_IN_2_CHAINS:
        problems.append(
            f"only {chained} atoms take part in a 2-chain; at least {MIN_ATOMS_IN_2_CHAINS} must "
            f"(add atoms whose input or output type connects to the others)"
        )
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codecorr_jax.atoms", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--atom", metavar="NAME", help="show one atom: prompts, solution, record")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--names", action="store_true", help="list producers/consumers by name")
    parser.add_argument("--inputs", type=int, default=50, help="generated inputs per atom")
    parser.add_argument("--seed", type=int, default=0, help="seed of the input generators")
    args = parser.parse_args(argv)
    if args.atom:
        return _show_atom(args.atom, args.json)

    atoms = registry.all_atoms()
    remaining = {topic: len(registry.by_topic(topic)) for topic in registry.TOPICS}
    failed: dict[str, int] = {topic: 0 for topic in registry.TOPICS}

    def progress(atom: Atom, problems: list[str]) -> None:
        remaining[atom.topic] -= 1
        failed[atom.topic] += bool(problems)
        if remaining[atom.topic] == 0 and not args.json:
            count = len(registry.by_topic(atom.topic))
            status = "ok" if not failed[atom.topic] else f"{failed[atom.topic]} with problems"
            print(f"  {atom.topic:<12}{count:>3} atoms  {status}", flush=True)

    if not args.json:
        print(f"Validating {len(atoms)} atoms ({args.inputs} generated inputs each)")
    problems = validate_atoms(atoms, n_inputs=args.inputs, seed=args.seed, on_atom=progress)
    composition = graph.build_graph(atoms)
    problems += _library_problems(len(composition.in_2_chains()))

    if args.json:
        print(json.dumps({
            "atoms": len(atoms),
            "topics": {topic: len(registry.by_topic(topic)) for topic in registry.TOPICS},
            "problems": problems,
            "graph": graph.summary(composition),
        }, indent=2))
    else:
        print()
        print(graph.report(composition, names=args.names))
        print()
        if problems:
            print(f"{len(problems)} problem(s):")
            for problem in problems:
                print(f"  - {problem}")
            print("Fix them in the atom's topic module (see codecorr_jax/atoms/ADDING_ATOMS.md).")
        else:
            print(f"All {len(atoms)} atoms valid.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
