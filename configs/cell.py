"""One run of a study's grid, from the exact config the `study` regime wrote for it.

    python launch/main.py --config=configs/cell.py:<study>/cells/<cell>/seed<k>/cell_config.json \
        --workdir=<study>/cells/<cell>/seed<k>

The study (configs/study.py) writes `cell_config.json` and starts this command itself; run it
by hand to repeat or debug one cell. The recorded values are laid over the defaults of the
cell's regime and model preset, so a cell written before a config field existed runs with that
field's default (what its run directory's record assumes too).
"""

import json

from codecorr_jax import config as config_lib


def get_config(path: str):
    with open(path, encoding="utf-8") as f:
        recorded = json.load(f)
    config = config_lib.base_config(recorded["regime"], recorded["model"]["preset"])
    config.update(recorded)  # section by section: fields the record lacks keep their default
    return config
