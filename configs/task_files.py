"""Regime `sft`, also evaluated on task files you hold (MBPP, HumanEval+, LiveCodeBench, ...).

    python launch/main.py --config=configs/task_files.py --workdir=runs/files

`configs/sft.py`, plus one suite per file of `FILES` (name -> path, format[, variant,
date_from, date_to]; formats in codecorr_jax/tasks/formats.py). The paths below are the small
hand-written files the tests use, one per format: point them at your own copies (local files
only; nothing is downloaded). Before SFT, every file is checked against the training mixture
(same prompt, or a reference solution sharing a 10-gram with a training solution):
`<run>/task_overlap.md`. EvalPlus's base and plus figures are two suites of one file.
"""

import os

from codecorr_jax.config import sibling_config

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, os.pardir, "tests", "fixtures", "tasks")

FILES = {
    "mbpp_local": dict(path=os.path.join(FIXTURES, "mbpp.jsonl"), format="mbpp"),
    "evalplus_base": dict(path=os.path.join(FIXTURES, "evalplus.jsonl"), format="evalplus",
                          variant="base"),
    "evalplus_plus": dict(path=os.path.join(FIXTURES, "evalplus.jsonl"), format="evalplus",
                          variant="plus"),
    # problems released after a cut-off: date_from (ISO date, inclusive)
    "lcb_recent": dict(path=os.path.join(FIXTURES, "livecodebench.jsonl"),
                       format="livecodebench", date_from="2024-01-01"),
}


def get_config(model_preset: str = "tiny"):
    config = sibling_config(__file__, "sft", model_preset)
    for name, fields in FILES.items():
        config.tasks[name] = dict(fields, path=os.path.normpath(fields["path"]))
    config.eval.suites = (*config.eval.suites, *FILES)
    return config
