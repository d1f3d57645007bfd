"""`python -m codecorr_jax.synth --out DIR`: build every dataset, print sizes and contamination.

Exit status 0 when the contamination report is clean, 1 when a promised-zero count is not zero.
"""

from __future__ import annotations

import argparse
import sys

from codecorr_jax.synth import build, splits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codecorr_jax.synth", description=__doc__)
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--sizes", default="",
                        help="composites per family A,B,C (e.g. 1000,1000,1000)")
    parser.add_argument("--seed", type=int, default=None, help="synth.seed")
    parser.add_argument("--style", default="docstring", choices=("docstring", "instruction"),
                        help="prompt style of the records")
    parser.add_argument("--max-chain-length", type=int, default=None)
    parser.add_argument("--wide", action="store_true", help="also two-branch shapes")
    parser.add_argument("--rebuild", action="store_true", help="ignore an existing build")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    synth = build.default_synth_config()
    if args.sizes:
        values = [int(v) for v in args.sizes.split(",")]
        if len(values) != len(splits.FAMILIES):
            parser.error(f"--sizes needs {len(splits.FAMILIES)} comma-separated numbers")
        synth.update(size_a=values[0], size_b=values[1], size_c=values[2])
    if args.seed is not None:
        synth["seed"] = args.seed
    if args.max_chain_length is not None:
        synth["max_chain_length"] = args.max_chain_length
    if args.wide:
        synth["wide_shapes"] = True
    result = build.build(synth, args.out, args.style, progress=not args.quiet,
                         reuse=not args.rebuild)
    print(build.summary(result))
    return 1 if splits.violations(result.report) else 0


if __name__ == "__main__":
    sys.exit(main())
