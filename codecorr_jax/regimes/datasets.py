"""The `datasets` regime: build Atom_base and Composite_A/B/C from `config.synth`.

Writes the JSONL task records and their TFDS array_record copy under `config.data.dataset_dir`
(default `<workdir>/datasets`), prints the split sizes, the rejection table and the
contamination report, and fails if a split broke a promise. A finished build of the same
config is reused, so training regimes can call `build_datasets` unconditionally.
"""

from __future__ import annotations

import os
import shutil
import time
from typing import Any

import jax

from codecorr_jax.data import tfds_builder
from codecorr_jax.synth import build as synth_build
from codecorr_jax.synth import splits


def dataset_dir(config: Any, workdir: str) -> str:
    return config.data.dataset_dir or os.path.join(workdir, "datasets")


def build_datasets(config: Any, workdir: str) -> synth_build.BuildResult:
    """Build (or reuse) the datasets; returns the build result. Process 0 builds, all wait."""
    root = dataset_dir(config, workdir)
    jsonl_dir, tfds_dir = os.path.join(root, "jsonl"), os.path.join(root, "tfds")
    result = None
    if jax.process_index() == 0:
        started = time.perf_counter()
        result = synth_build.build(config.synth.to_dict(), jsonl_dir,
                                   prompt_style=config.data.prompt_style,
                                   progress=config.logging.progress_bar)
        if not result.reused:  # the TFDS copy of an earlier build is stale: replace it
            shutil.rmtree(tfds_dir, ignore_errors=True)
        if not os.path.isdir(tfds_dir):
            tfds_builder.prepare(jsonl_dir, tfds_dir)
        how = "reused" if result.reused else \
            f"built in {time.perf_counter() - started:.0f} s (JSONL + TFDS)"
        print(f"datasets   {how}: {root}")
    if jax.process_count() > 1:
        from jax.experimental import multihost_utils

        multihost_utils.sync_global_devices("datasets built")
    return result or synth_build.load(jsonl_dir)


def run(config: Any, workdir: str, mesh: jax.sharding.Mesh) -> synth_build.BuildResult:
    del mesh  # building datasets uses the host CPUs only
    result = build_datasets(config, workdir)
    if jax.process_index() == 0:
        print(synth_build.summary(result))
        root = dataset_dir(config, workdir)
        print(f"next       read them with codecorr_jax.data.sources.task_dataset(family, split, "
              f"{os.path.join(root, 'tfds')!r}), or browse {os.path.join(root, 'jsonl')}")
    bad = splits.violations(result.report)
    if bad:
        raise RuntimeError(f"the datasets break their split promises: {', '.join(bad)}")
    return result
