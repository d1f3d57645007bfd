"""Put a study's report into the repository's docs, with its plots beside it.

    python -m codecorr_jax.study.publish runs/study docs/study_cpu.md --preamble notes.md

copies `<workdir>/study/report.md` to the page (after the preamble, the hand-written account of
how and where the study ran) and every plot it shows to a folder named after the page
(`docs/study_cpu/`), pointing the report's links there. The page is written in one step, so a
published study is either the old one or the new one.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
from typing import Sequence

from codecorr_jax.fileio import write_text_atomic

_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)/]+\.png)\)")  # a plot beside the report


def publish(workdir: str, page: str, preamble: str = "") -> list[str]:
    """Write `page` from the study's report and copy its plots; returns the plots' new paths."""
    study_dir = os.path.join(workdir, "study")
    report_path = os.path.join(study_dir, "report.md")
    if not os.path.isfile(report_path):
        raise FileNotFoundError(f"{report_path} does not exist: run the study first "
                                f"(python launch/main.py --config=configs/study.py "
                                f"--workdir={workdir})")
    with open(report_path, encoding="utf-8") as f:
        report = f.read()
    folder = os.path.splitext(page)[0]
    plots = sorted(set(name for _, name in _IMAGE.findall(report)))
    missing = [p for p in plots if not os.path.isfile(os.path.join(study_dir, p))]
    if missing:
        raise FileNotFoundError(f"{report_path} shows {', '.join(missing)}, not in {study_dir}")
    os.makedirs(folder, exist_ok=True)
    copied = []
    for name in plots:
        shutil.copyfile(os.path.join(study_dir, name), os.path.join(folder, name))
        copied.append(os.path.join(folder, name))
    relative = os.path.basename(folder)
    report = _IMAGE.sub(lambda m: f"![{m.group(1)}]({relative}/{m.group(2)})", report)
    text = (preamble.rstrip() + "\n\n" if preamble.strip() else "") + report
    write_text_atomic(page, text)
    return copied


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workdir", help="the study's --workdir")
    parser.add_argument("page", help="the markdown page to write, e.g. docs/study_cpu.md")
    parser.add_argument("--preamble", default="",
                        help="a markdown file put before the report (how the study ran)")
    args = parser.parse_args(argv)
    preamble = ""
    if args.preamble:
        with open(args.preamble, encoding="utf-8") as f:
            preamble = f.read()
    plots = publish(args.workdir, args.page, preamble)
    print(f"published  {args.page} and {len(plots)} plots in {os.path.splitext(args.page)[0]}/")


if __name__ == "__main__":
    main()
