"""Make a pretrained tiny base the one every regime reads: `python launch/ship_base.py WORKDIR`.

WORKDIR is where `configs/pretrain.py` ran: its `base/` (weights, tokenizer, manifest and the
base's pass@k) is copied into `codecorr_jax/assets/tiny_base` (or DEST, a second argument),
replacing what was there in one step. The manifest gains how it was made (the machine, Python
and JAX versions). Everything trained from the old base is stale afterwards: runs fingerprint
their base and retrain.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile

import jax

from codecorr_jax.fileio import read_json, replace_dir, write_json_atomic
from codecorr_jax.provenance import code_commit, cpu_name
from codecorr_jax.regimes.workspace import BASE_MANIFEST, BASE_SCORES, SHIPPED_BASE_DIR

MAX_SHIPPED_BYTES = 10 * 2**20  # what the repository carries at most


def ship(workdir: str, dest: str = SHIPPED_BASE_DIR) -> str:
    source = os.path.join(workdir, "base")
    manifest = read_json(os.path.join(source, BASE_MANIFEST))
    if manifest is None or "training" not in manifest:
        raise SystemExit(f"{source} holds no pretrained base ({BASE_MANIFEST} from the pretrain "
                         f"regime); run: python launch/main.py --config=configs/pretrain.py "
                         f"--workdir={workdir}")
    if not os.path.isfile(os.path.join(source, BASE_SCORES)):
        raise SystemExit(f"{source} has no {BASE_SCORES}: the pretrain regime scores the base "
                         "after training it; run it again to finish")
    size = sum(os.path.getsize(os.path.join(source, f)) for f in os.listdir(source))
    if size > MAX_SHIPPED_BYTES:
        raise SystemExit(f"{source} is {size / 2**20:.1f} MiB; the repository ships at most "
                         f"{MAX_SHIPPED_BYTES / 2**20:.0f} MiB")
    os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".tiny_base-", dir=os.path.dirname(os.path.abspath(dest)))
    os.chmod(staging, 0o755)  # mkdtemp's 0o700 would hide the base from other users
    for name in sorted(os.listdir(source)):
        shutil.copyfile(os.path.join(source, name), os.path.join(staging, name))
        os.chmod(os.path.join(staging, name), 0o644)
    manifest["made_on"] = {"cpu": cpu_name(), "cores": os.cpu_count(),
                           "python": platform.python_version(), "jax": jax.__version__,
                           "jax_backend": jax.default_backend(), "commit": code_commit()}
    write_json_atomic(os.path.join(staging, BASE_MANIFEST), manifest, default=str)
    replace_dir(staging, dest)
    return dest


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__.splitlines()[0] + " [DEST]")
    print(f"shipped    {ship(*sys.argv[1:])}: every regime now starts from this base")
