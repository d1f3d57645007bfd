"""The `datasets` regime: build Atom_base and Composite_A/B/C from `config.synth`.

Writes the JSONL task records and their TFDS array_record copy under `config.data.dataset_dir`
(default `<workdir>/datasets`), prints the split sizes, the rejection table and the
contamination report, and fails if a split broke a promise. A finished build of the same
config is reused (stages.ensure_datasets), so every training regime builds them unconditionally.
"""

from __future__ import annotations

from typing import Any

import jax

from codecorr_jax.regimes.stages import ensure_datasets
from codecorr_jax.regimes.workspace import Workspace
from codecorr_jax.synth import build as synth_build
from codecorr_jax.synth import splits


def run(config: Any, workdir: str, mesh: jax.sharding.Mesh) -> synth_build.BuildResult:
    del mesh  # building datasets uses the host CPUs only
    ws = Workspace.from_config(config, workdir)
    result = ensure_datasets(config, ws)
    if jax.process_index() == 0:
        print(synth_build.summary(result))
        print(f"next       read them with codecorr_jax.data.sources.task_dataset(family, split, "
              f"{ws.tfds_dir!r}), or browse {ws.jsonl_dir}")
    bad = splits.violations(result.report)
    if bad:
        raise RuntimeError(f"the datasets break their split promises: {', '.join(bad)}")
    return result
