"""Executor soak: many programs (correct, wrong, slow, hostile) through one executor.

What a multi-day RL run asks of the sandbox: after 20,000 programs the trainer process holds the
same memory, file descriptors, threads and child processes as after the first thousand, and the
throughput has not sagged. Each block of `--block` programs is a fixed, seeded mix:

- correct programs (a JSON-test task they pass), wrong ones (they fail), programs that raise;
- slow ones that run into the per-test timeout (`--slow-share`);
- stdin/stdout programs (right and wrong);
- the hostile corpus of the tests (`tests/hostile_programs.py`: fork bombs, memory bombs, output
  floods, forged result frames, exits, signals...) cycled through, `--hostile-share` of a block.

After every block: the parent's RSS (VmRSS), open file descriptors, threads, live child
processes of this process, the block's programs per second and its verdict counts; no correct
program may fail and no hostile or wrong one may pass. Written as JSON and a markdown table.

    python benchmarks/executor_soak.py --programs 20000 --out docs/results/executor_soak.json
    python benchmarks/executor_soak.py --programs 2000 --block 500   # a quick look
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import sys
import tempfile
import threading
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from codecorr_jax.execution import Executor, ExecutorConfig, Program, Verdict  # noqa: E402

SQUARE = [{"args": [3], "expected": 9}, {"args": [4], "expected": 16},
          {"args": [-2], "expected": 4}]


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def _children() -> int:
    """Live processes whose parent is this one (workers included)."""
    me, count = os.getpid(), 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            count += 1
    return count


def snapshot() -> dict[str, int]:
    return {"rss_kb": _status("VmRSS"), "fds": len(os.listdir("/proc/self/fd")),
            "threads": threading.active_count(), "os_threads": _status("Threads"),
            "children": _children()}


def hostile_programs() -> list[tuple[Program, str]]:
    """The test corpus's hostile programs with their placeholders filled (harmless targets)."""
    import hostile_programs as corpus

    scratch = tempfile.mkdtemp(prefix="soak_")
    sentinel = os.path.join(scratch, "sentinel")
    open(sentinel, "w").close()
    cases = corpus.build_corpus(sentinel, os.path.join(scratch, "marker"), "SOAK_SECRET",
                               "not-a-secret", root=os.geteuid() == 0)
    return [(case.program(), "hostile") for case in cases]


def block_mix(rng: random.Random, size: int, slow_share: float, hostile_share: float,
              hostile: list[tuple[Program, str]], cursor: list[int]) -> list[tuple[Program, str]]:
    """One block's programs with their kind: "correct", "wrong", "raises", "slow", "stdio_ok",
    "stdio_wrong" or "hostile"."""
    out = []
    for _ in range(size):
        draw = rng.random()
        if draw < hostile_share:
            out.append(hostile[cursor[0] % len(hostile)])
            cursor[0] += 1
        elif draw < hostile_share + slow_share:
            out.append((Program("def f(x):\n    while True:\n        pass\n", "f", SQUARE), "slow"))
        else:
            kind = rng.choice(("correct", "correct", "wrong", "raises", "stdio_ok", "stdio_wrong"))
            k = rng.randrange(1000)  # distinct sources: nothing is cached by text
            if kind == "correct":
                out.append((Program(f"def f(x):\n    return x * x + {k} - {k}\n", "f", SQUARE),
                            kind))
            elif kind == "wrong":
                out.append((Program(f"def f(x):\n    return x + {k}\n", "f", SQUARE), kind))
            elif kind == "raises":
                out.append((Program(f"def f(x):\n    return [{k}][x]\n", "f", SQUARE), kind))
            else:
                answer = "a + b" if kind == "stdio_ok" else f"a - b + {k + 1}"
                source = f"a, b = map(int, input().split())\nprint({answer})\n"
                out.append((Program(source, "", stdio=[{"input": "2 3\n", "output": "5"},
                                                      {"input": "10 -4\n", "output": "6"}]),
                            kind))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--programs", type=int, default=20000)
    parser.add_argument("--block", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=0, help="0: the executor's default")
    parser.add_argument("--slow-share", type=float, default=0.01)
    parser.add_argument("--hostile-share", type=float, default=0.05)
    parser.add_argument("--timeout", type=float, default=1.0, help="per-test seconds")
    parser.add_argument("--out", default="")
    args = parser.parse_args()

    config = ExecutorConfig(test_timeout_s=args.timeout, program_timeout_s=4 * args.timeout,
                            **({"num_workers": args.workers} if args.workers else {}))
    rng = random.Random(0)
    hostile, cursor = hostile_programs(), [0]
    rows: list[dict[str, Any]] = []
    false_passes: collections.Counter = collections.Counter()
    false_fails = 0
    with Executor(config) as executor:
        executor.score([Program("def f(x):\n    return x * x\n", "f", SQUARE)])  # warm
        baseline = snapshot()
        print(f"soak: {args.programs} programs in blocks of {args.block}, "
              f"{len(executor.worker_pids)} workers; start {baseline}", flush=True)
        for start in range(0, args.programs, args.block):
            batch = block_mix(rng, min(args.block, args.programs - start), args.slow_share,
                              args.hostile_share, hostile, cursor)
            began = time.perf_counter()
            results = executor.score([program for program, _ in batch])
            seconds = time.perf_counter() - began
            verdicts = collections.Counter(r.verdict.value for r in results)
            for (_, kind), result in zip(batch, results):
                passed = result.verdict is Verdict.PASS
                if kind in ("correct", "stdio_ok") and not passed:
                    false_fails += 1
                elif kind not in ("correct", "stdio_ok") and passed:
                    false_passes[kind] += 1
            row = {"done": start + len(batch), "seconds": round(seconds, 2),
                   "programs_per_s": round(len(batch) / seconds, 1), **snapshot(),
                   "verdicts": dict(verdicts)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    first, last = rows[0], rows[-1]
    # Throughput over the first and last quarter of the blocks: one block's rate swings with
    # how many of its programs run into the timeout, a quarter's does much less.
    quarter = max(1, len(rows) // 4)

    def rate(blocks: list[dict[str, Any]]) -> float:
        programs = sum(sum(b["verdicts"].values()) for b in blocks)
        return round(programs / sum(b["seconds"] for b in blocks), 1)

    summary = {
        "programs": args.programs, "block": args.block, "workers": config.num_workers,
        "baseline": baseline, "first_block": first, "last_block": last,
        "rss_change": round(last["rss_kb"] / first["rss_kb"] - 1, 4),
        "throughput_change": round(last["programs_per_s"] / first["programs_per_s"] - 1, 4),
        "first_quarter_programs_per_s": rate(rows[:quarter]),
        "last_quarter_programs_per_s": rate(rows[-quarter:]),
        "false_passes": dict(false_passes), "false_fails": false_fails,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "blocks": rows,
    }
    print(f"\nRSS {first['rss_kb']} -> {last['rss_kb']} kB ({summary['rss_change']:+.1%}); "
          f"fds {first['fds']} -> {last['fds']}; threads {first['threads']} -> "
          f"{last['threads']}; children {first['children']} -> {last['children']}; "
          f"throughput {first['programs_per_s']} -> {last['programs_per_s']} programs/s "
          f"(first / last quarter of the blocks: {summary['first_quarter_programs_per_s']} / "
          f"{summary['last_quarter_programs_per_s']}); "
          f"false passes {dict(false_passes) or 0}, false fails {false_fails}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
