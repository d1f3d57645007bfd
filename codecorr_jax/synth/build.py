"""Build every dataset: Atom_base and Composite_A/B/C, train and test, as JSONL plus a manifest.

The build is a pure function of the `synth` config section, the prompt style and the code: the
sampler, the inputs, the held-out pairs and the slot choices all draw from generators seeded by
`synth.seed`, and candidates are validated in fixed-size batches whose results come back in order.
So the same config gives byte-identical files (given that no candidate runs within timing noise of
the executor's time limit; see README.md). A directory holding a finished build with the same
config hash is reused as it is.

Layout of `out_dir`:
    atom/train.jsonl  composite_{A,B,C}/{train,test}.jsonl  manifest.json
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
import time
from collections import Counter
from typing import Any, Mapping

from tqdm import tqdm

from codecorr_jax import atoms
from codecorr_jax.atoms import render as atom_render
from codecorr_jax.atoms.graph import build_graph
from codecorr_jax.canonical import canonical_json
from codecorr_jax.execution import Executor, ExecutorConfig
from codecorr_jax.synth import adequacy, render, splits, validate
from codecorr_jax.synth.compose import Sampler
from codecorr_jax.synth.config import SynthConfig

BUILD_VERSION = 4  # bump when the pipeline's output changes for the same config
MANIFEST = "manifest.json"
ATOM_FAMILY = "atom"
MAX_CANDIDATES_PER_TASK = 200


class BuildError(RuntimeError):
    """The datasets cannot be built as configured; the message names the config field."""


@dataclasses.dataclass
class BuildResult:
    """What a build produced (also what manifest.json holds)."""

    out_dir: str
    config_hash: str
    sizes: dict[str, int]
    report: dict[str, Any]
    rejections: dict[str, int]
    accepted: int
    candidates: int
    seconds: float = 0.0
    reused: bool = False
    test_adequacy: dict[str, Any] = dataclasses.field(default_factory=dict)


def default_synth_config() -> dict[str, Any]:
    """The `synth` section's defaults, as a plain dict."""
    return SynthConfig().as_dict()


def config_hash(synth: SynthConfig, prompt_style: str) -> str:
    text = canonical_json({"version": BUILD_VERSION, "synth": synth.as_dict(),
                           "style": prompt_style})
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def jsonl_path(out_dir: str, family: str, split: str) -> str:
    return os.path.join(out_dir, family, f"{split}.jsonl")


def read_jsonl(path: str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _write_jsonl(path: str, records: list[dict[str, Any]]) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=True) + "\n")


def _executor_config(synth: SynthConfig) -> ExecutorConfig:
    return ExecutorConfig(test_timeout_s=synth.test_timeout_s,
                          program_timeout_s=synth.program_timeout_s,
                          memory_limit_mb=synth.memory_mb)


def _check(synth: SynthConfig) -> None:
    if synth.min_tests > synth.tests_per_task:
        raise BuildError(f"synth.min_tests={synth.min_tests} exceeds synth.tests_per_task="
                         f"{synth.tests_per_task}")
    if synth.min_tests < 10:
        raise BuildError(f"synth.min_tests={synth.min_tests}: tasks need at least 10 tests")
    if not 0 <= synth.min_mutation_score <= 1:
        raise BuildError(f"synth.min_mutation_score={synth.min_mutation_score}: a share of "
                         "mutants, in [0, 1] (0 turns the mutant check off)")
    for field in ("max_added_tests", "heldback_tests"):
        if getattr(synth, field) < 0:
            raise BuildError(f"synth.{field}={getattr(synth, field)} must be >= 0")


def load(out_dir: str) -> BuildResult | None:
    """The finished build in `out_dir`, or None."""
    path = os.path.join(out_dir, MANIFEST)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        m = json.load(f)
    return BuildResult(out_dir, m["config_hash"], m["sizes"], m["report"], m["rejections"],
                       m["accepted"], m["candidates"], reused=True,
                       test_adequacy=m.get("test_adequacy", {}))


def manifest(out_dir: str) -> dict[str, Any]:
    with open(os.path.join(out_dir, MANIFEST), encoding="utf-8") as f:
        return json.load(f)


def synthesize(synth: SynthConfig, executor: Executor, progress: bool = False
               ) -> tuple[list[splits.Slot], frozenset, frozenset, Counter, int, dict[str, str]]:
    """Sample, validate and assign composites until every slot is full.

    Returns the filled slots, the held-out pairs, the held-out atoms, rejection counts, the
    number of candidates drawn and the atoms' fingerprints."""
    _check(synth)
    seed = synth.seed
    graph = build_graph(atoms.all_atoms())
    unseen = synth.unseen_atom_test_fraction
    held_atoms = splits.heldout_atoms(graph, synth.heldout_atom_fraction, seed)
    if unseen and not held_atoms:
        raise BuildError(f"synth.unseen_atom_test_fraction={unseen} needs synth."
                         "heldout_atom_fraction > 0 (the atoms its composites are built on)")
    heldout = splits.heldout_pairs(graph, synth.heldout_pair_fraction, seed, held_atoms)
    sizes = {f: synth.size(f) for f in splits.FAMILIES}
    deep = synth.deep_test_fraction
    slots = splits.plan(sizes, synth.test_fraction, synth.target_test_fraction, deep, unseen)
    assigner = splits.Assigner(slots, heldout, synth.ngram_n, seed,
                               synth.max_chain_length if deep else None, held_atoms)
    longest = synth.max_chain_length
    if deep:
        if synth.deep_max_chain_length <= synth.max_chain_length:
            raise BuildError(f"synth.deep_max_chain_length={synth.deep_max_chain_length} must "
                             f"exceed synth.max_chain_length={synth.max_chain_length} (the "
                             "deeper suite holds chains longer than any trained)")
        longest = synth.deep_max_chain_length
    settings = validate.ValidationSettings(
        synth.tests_per_task, synth.min_tests, synth.min_distinct_outputs,
        synth.max_output_chars, seed, synth.line_budget, synth.min_mutation_score,
        synth.max_added_tests)
    sampler = iter(Sampler(random.Random(f"synth/{seed}/sample"), synth.min_chain_length,
                           longest, synth.wide_shapes,
                           allow_bool_result=synth.min_distinct_outputs <= 2, graph=graph))
    atom_prints = validate.atom_fingerprints(executor)
    seen_prints = set(atom_prints.values())
    seen_keys: set[str] = set()
    counts: Counter = Counter()
    total = sum(s.capacity for s in slots)
    limit = MAX_CANDIDATES_PER_TASK * total + 10_000
    drawn = 0
    with tqdm(total=total, desc="composites", unit="task", disable=not progress) as bar:
        while not assigner.full:
            batch = []
            while len(batch) < synth.batch_size and drawn < limit:
                composite = next(sampler)
                drawn += 1
                if composite.key in seen_keys:
                    counts["duplicate_chain"] += 1
                elif not assigner.admits(composite):
                    counts["no_room"] += 1
                else:
                    seen_keys.add(composite.key)
                    batch.append(composite)
            if not batch:
                open_slots = [f"{s.family}/{s.split} ({s.domain}): {s.room} left"
                              for s in slots if s.room]
                raise BuildError(
                    f"gave up after {drawn} candidates with slots unfilled ({'; '.join(open_slots)});"
                    " lower synth.size_a/b/c, synth.test_fraction or synth.target_test_fraction,"
                    " or raise synth.heldout_pair_fraction / synth.heldout_atom_fraction /"
                    " synth.max_chain_length")
            judged = [
                "duplicate_fingerprint" if isinstance(item, validate.Validated)
                and item.fingerprint in seen_prints else item
                for item in validate.validate_batch(executor, batch, settings)]
            for item in adequacy.strengthen_batch(executor, judged, settings):
                if isinstance(item, str):
                    counts[item] += 1
                elif item.fingerprint in seen_prints:
                    counts["duplicate_fingerprint"] += 1
                elif reason := assigner.add(item):
                    counts[reason] += 1
                else:
                    seen_prints.add(item.fingerprint)
                    bar.update(1)
                    if assigner.full:
                        break
    return slots, heldout, held_atoms, counts, drawn, atom_prints


def build(synth: SynthConfig | Mapping[str, Any] | None, out_dir: str,
          prompt_style: str = "docstring", progress: bool = False, reuse: bool = True,
          executor: Executor | None = None) -> BuildResult:
    """Build every dataset into `out_dir` (or reuse the build there if its config matches).

    `synth`: the settings, or a mapping of fields over the defaults (a `synth` section)."""
    if not isinstance(synth, SynthConfig):
        try:
            synth = SynthConfig.from_fields(synth)
        except ValueError as error:
            raise BuildError(str(error)) from error
    digest = config_hash(synth, prompt_style)
    previous = load(out_dir) if reuse else None
    if previous is not None and previous.config_hash == digest:
        return previous
    start = time.perf_counter()
    own = executor is None
    executor = executor or Executor(_executor_config(synth))
    try:
        slots, heldout, held_atoms, counts, drawn, atom_prints = synthesize(synth, executor,
                                                                            progress)
    finally:
        if own:
            executor.close()
    files: dict[tuple[str, str], list[dict[str, Any]]] = {}
    wording = render.Wording(synth.name_steps, synth.documented_helpers)
    files[(ATOM_FAMILY, "train")] = [
        {**atom_render.task_record(a, "train", prompt_style), "fingerprint": atom_prints[a.name]}
        for a in atoms.all_atoms()]
    ids: dict[str, list[str]] = {domain: [] for domain in ("target", "deep", "unseen_atom")}
    for family in splits.FAMILIES:
        index = 0
        for split in splits.SPLITS:
            records = files.setdefault((family, split), [])
            for slot in (s for s in slots if s.family == family and s.split == split):
                for item in slot.members:
                    task_id = f"{family}/{index:06d}"
                    index += 1
                    records.append(render.task_record(
                        item.composite, task_id, family, split, prompt_style, item.tests,
                        item.fingerprint, wording,
                        adequacy.heldback_tests(item.spare, synth.heldback_tests)))
                    if slot.domain in ids:
                        ids[slot.domain].append(task_id)
    for (family, split), records in files.items():
        _write_jsonl(jsonl_path(out_dir, family, split), records)
    every = [r for records in files.values() for r in records]
    report = splits.contamination_report(every, sorted(heldout), ids["target"], synth.ngram_n,
                                         ids["deep"],
                                         synth.max_chain_length if ids["deep"] else None,
                                         sorted(held_atoms), ids["unseen_atom"])
    sizes = {f"{family}/{split}": len(r) for (family, split), r in files.items()}
    test_adequacy = {
        family: adequacy.family_summary(
            [m for s in slots if s.family == family for m in s.members],
            synth.min_mutation_score)
        for family in splits.FAMILIES} if synth.min_mutation_score > 0 else {}
    accepted = sum(len(s.members) for s in slots)
    result = BuildResult(out_dir, digest, sizes, report, dict(sorted(counts.items())), accepted,
                         drawn, time.perf_counter() - start, test_adequacy=test_adequacy)
    meta = {"config_hash": digest, "version": BUILD_VERSION, "prompt_style": prompt_style,
            "synth": synth.as_dict(), "sizes": sizes, "accepted": accepted, "candidates": drawn,
            "rejections": result.rejections, "report": report, "test_adequacy": test_adequacy,
            "heldout_pairs": [list(p) for p in sorted(heldout)],
            "heldout_atoms": sorted(held_atoms), "target_test_ids": ids["target"],
            "deep_test_ids": ids["deep"], "unseen_atom_test_ids": ids["unseen_atom"]}
    with open(os.path.join(out_dir, MANIFEST), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
        f.write("\n")
    return result


def summary(result: BuildResult) -> str:
    """Split sizes, rejections and the contamination report, as text."""
    lines = [f"datasets in {result.out_dir} (config {result.config_hash}"
             f"{', reused' if result.reused else f', {result.seconds:.1f} s'})", "split sizes:"]
    lines += [f"  {name:<24}{n:>8}" for name, n in result.sizes.items()]
    lines.append("candidates:")
    lines.append(validate.rejection_table(Counter(result.rejections), result.accepted))
    if result.test_adequacy:
        lines.append("mutation scores of the tests (first tests -> with tests added):")
        for family, s in ((f, s) for f, s in result.test_adequacy.items() if s["tasks"]):
            lines.append(f"  {family:<14} mean {s['mean_before']:.3f} -> {s['mean_after']:.3f}, "
                         f"under the threshold {s['under_threshold_before']} -> "
                         f"{s['under_threshold_after']} of {s['tasks']}, "
                         f"{s['tasks_given_tests']} tasks given {s['tests_added']} tests")
    lines.append("contamination report (every count except 'informational' must be 0):")
    lines += ["  " + line for line in json.dumps(result.report, indent=1).splitlines()]
    bad = splits.violations(result.report)
    lines.append("VIOLATIONS: " + ", ".join(bad) if bad else "contamination: none")
    return "\n".join(lines)
