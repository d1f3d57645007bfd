"""`python -m codecorr_jax.data --out DIR`: the synthesis build (JSONL, DIR/jsonl) and its TFDS
array_record copy (DIR/tfds), with the split sizes and the contamination report.

Takes the same options as `python -m codecorr_jax.synth` (which writes the JSONL only).
"""

from __future__ import annotations

import argparse
import os
import sys

from codecorr_jax.data import tfds_builder
from codecorr_jax.synth.__main__ import main as synth_main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--out", required=True)
    known, rest = parser.parse_known_args(argv)
    jsonl_dir = os.path.join(known.out, "jsonl")
    code = synth_main(["--out", jsonl_dir, *rest])
    tfds_dir = os.path.join(known.out, "tfds")
    tfds_builder.prepare(jsonl_dir, tfds_dir)
    print(f"TFDS (array_record) copy in {tfds_dir}: read with "
          f"codecorr_jax.data.sources.task_dataset(family, split, {tfds_dir!r})")
    return code


if __name__ == "__main__":
    sys.exit(main())
