"""One run of a study's grid, from the exact config the `study` regime wrote for it.

    python launch/main.py --config=configs/cell.py:<study>/cells/<cell>/seed<k>/cell_config.json \
        --workdir=<study>/cells/<cell>/seed<k>

The study (configs/study.py) writes `cell_config.json` and starts this command itself; run it
by hand to repeat or debug one cell.
"""

import json

import ml_collections


def get_config(path: str):
    with open(path, encoding="utf-8") as f:
        return ml_collections.ConfigDict(json.load(f))
