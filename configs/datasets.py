"""Regime `datasets`: build Atom_base and Composite_A/B/C (JSONL + TFDS array_record).

    python launch/main.py --config=configs/datasets.py --workdir=runs/study
    python launch/main.py --config=configs/datasets.py --workdir=runs/small \
        --config.synth.size_a=100 --config.synth.size_b=100 --config.synth.size_c=100

The datasets land in <workdir>/datasets (or --config.data.dataset_dir); a finished build of the
same config is reused. See codecorr_jax/synth/README.md for what the splits promise.
"""

from codecorr_jax.config import base_config


def get_config():
    return base_config("datasets")
