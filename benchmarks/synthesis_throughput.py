"""Synthesis throughput: validated composites per minute, and the rejection table.

Runs the synthesis pipeline as the dataset build does (sample, validate in the sandbox, drop
duplicates by fingerprint, assign to families and splits) for `--n` composites and reports
accepted composites per minute of wall time, atoms' fingerprints and executor start-up included.
Records are not written (rendering them is milliseconds).

    python benchmarks/synthesis_throughput.py            # 3000 composites (the default build)
    python benchmarks/synthesis_throughput.py --n 500    # a quicker look
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections import Counter

from codecorr_jax.execution import Executor
from codecorr_jax.synth import build, validate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="composites to accept")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-chain-length", type=int, default=4)
    parser.add_argument("--wide", action="store_true", help="also two-branch shapes")
    args = parser.parse_args()
    synth = build.default_synth_config()
    third = args.n // 3
    synth.update(size_a=args.n - 2 * third, size_b=third, size_c=third, seed=args.seed,
                 max_chain_length=args.max_chain_length, wide_shapes=args.wide)
    start = time.perf_counter()
    with Executor(build._executor_config(synth)) as executor:
        slots, _, counts, drawn, _ = build.synthesize(synth, executor, progress=True)
    seconds = time.perf_counter() - start
    accepted = sum(len(s.members) for s in slots)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, python "
          f"{platform.python_version()}")
    print(f"accepted {accepted} composites from {drawn} candidates in {seconds:.1f} s: "
          f"{accepted / seconds * 60:.0f} validated composites per minute")
    print(validate.rejection_table(Counter(counts), accepted))


if __name__ == "__main__":
    main()
