"""Host memory of a checkpoint restore: the peak RSS a restore adds, against the bytes restored.

Issue 38 asks that restoring never needs twice the model in host memory. This script saves a
state of a >= 100M-parameter decoder's shapes (Llama-like: 32,000 x 768 embeddings, 12 layers
of attention and MLP weights, fp32) and its AdamW moments with the project's `Checkpointer`,
then restores it in a fresh process, once per target kind:

- `abstract`: the restore target is `jax.ShapeDtypeStruct`s, nothing allocated beforehand;
- `concrete`: the target is a live state of the same shapes (what a trainer that built its model
  before resuming holds), counted in the baseline;
- `params_live`: what `train/lm_trainer.py` did first: the built parameters stay live (the
  model holds them), the fresh optimizer state is let go, and the target is abstract;
- `lm_trainer`: what it does now: the built parameters are made, then their buffers freed
  (`jax.Array.delete`) before the restore into an abstract target.

Each restore runs in its own process; it reports VmRSS before the restore and VmHWM (the peak)
after it, both from /proc/self/status, and the restored bytes.

    python benchmarks/restore_memory.py --out docs/results/restore_memory.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from typing import Any

LAYERS, HIDDEN, MLP, VOCAB = 12, 768, 2048, 32000


def _shapes() -> dict[str, tuple[int, ...]]:
    shapes = {"embed": (VOCAB, HIDDEN), "final_norm": (HIDDEN,)}
    for i in range(LAYERS):
        for name in ("q", "k", "v", "o"):
            shapes[f"layer_{i:02d}/attn_{name}"] = (HIDDEN, HIDDEN)
        for name in ("gate", "up"):
            shapes[f"layer_{i:02d}/mlp_{name}"] = (HIDDEN, MLP)
        shapes[f"layer_{i:02d}/mlp_down"] = (MLP, HIDDEN)
        shapes[f"layer_{i:02d}/norms"] = (2, HIDDEN)
    return shapes


def _state(kind: str) -> Any:
    """{params, mu, nu} of the shapes: random, zeros or abstract."""
    import jax
    import jax.numpy as jnp

    def leaf(i: int, shape: tuple[int, ...]) -> Any:
        if kind == "abstract":
            return jax.ShapeDtypeStruct(shape, jnp.float32)
        if kind == "zeros":
            return jnp.zeros(shape, jnp.float32)
        return jax.random.normal(jax.random.key(i), shape, jnp.float32)

    shapes = _shapes()
    return {part: {name: leaf(i + 1000 * p, s) for i, (name, s) in enumerate(shapes.items())}
            for p, part in enumerate(("params", "mu", "nu"))}


def _status(field: str) -> int:
    """A /proc/self/status field in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def child(mode: str, directory: str) -> dict[str, Any]:
    import jax

    from codecorr_jax.train.checkpoint import Checkpointer

    checkpointer = Checkpointer(directory, max_to_keep=1, async_save=False)
    if mode == "save":
        state = _state("random")
        checkpointer.save(1, state, {"step": 1}, force=True)
        checkpointer.wait()
        leaves = jax.tree.leaves(state)
        return {"parameters": sum(x.size for x in leaves) // 3,
                "bytes": sum(x.nbytes for x in leaves)}
    target = _state("abstract" if mode in ("abstract", "params_live", "lm_trainer") else "zeros")
    live = _state("zeros")["params"] if mode in ("params_live", "lm_trainer") else None
    jax.block_until_ready(jax.tree.leaves((target, live))) if mode == "concrete" or live else None
    if mode == "lm_trainer":
        for array in jax.tree.leaves(live):
            array.delete()
    before = _status("VmRSS")
    restored, _ = checkpointer.restore(target)
    jax.block_until_ready(jax.tree.leaves(restored))
    return {"rss_before": before, "peak": _status("VmHWM"), "rss_after": _status("VmRSS")}


def _run(mode: str, directory: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", mode, directory],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    with tempfile.TemporaryDirectory(prefix="restore_memory_") as scratch:
        directory = os.path.join(scratch, "checkpoints")
        saved = _run("save", directory)
        report: dict[str, Any] = {"saved": saved}
        gib = 2 ** 30
        print(f"state: {saved['parameters'] / 1e6:.0f}M parameters, with AdamW's two moments "
              f"{saved['bytes'] / gib:.2f} GiB (fp32)")
        for mode in ("abstract", "concrete", "params_live", "lm_trainer"):
            got = _run(mode, directory)
            # the process before any state: the abstract run's RSS before its restore
            report.setdefault("baseline", got["rss_before"])
            added = got["peak"] - got["rss_before"]
            got["peak_added_over_bytes"] = added / saved["bytes"]
            report[mode] = got
            print(f"{mode:>10}: RSS before {got['rss_before'] / gib:.2f} GiB, peak "
                  f"{got['peak'] / gib:.2f} GiB, added by the restore {added / gib:.2f} GiB = "
                  f"{got['peak_added_over_bytes']:.2f} x the state; peak over the state "
                  f"{(got['peak'] - report['baseline']) / saved['bytes']:.2f} x")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
