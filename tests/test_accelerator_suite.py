"""benchmarks/accelerator_suite.py in its CPU mode: the script a lent accelerator runs first
(SFT step, decode bandwidth, PPO iteration split) works end to end at toy shapes."""

import json
import os
import subprocess
import sys

from xla_flags import with_devices

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_cpu_mode_measures_every_part(tmp_path):
    out = tmp_path / "accel.json"
    # one CPU device, as a single accelerator, compiled with the test session's other flags
    env = dict(os.environ, XLA_FLAGS=with_devices(os.environ.get("XLA_FLAGS", ""), 1))
    result = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks",
                                                          "accelerator_suite.py"),
                             "--preset", "cpu", "--repeats", "1", "--out", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(out.read_text())
    toy = figures["models"]["toy"]
    assert toy["parameters"] > 0
    assert toy["sft"]["tokens_per_s"] > 0 and toy["sft"]["mfu"] is None  # no CPU peak
    assert [(d["batch"], d["layers"]) for d in toy["decode"]] == \
        [(1, "scanned"), (8, "scanned"), (8, "unrolled")]  # and the other layout at the largest
    assert all(d["new_tokens_per_s"] > 0 and d["hbm_share"] is None for d in toy["decode"])
    ppo = toy["ppo"]
    parts = ppo["seconds_generation"] + ppo["seconds_scoring"] + ppo["seconds_update"]
    assert 0 < parts <= ppo["seconds_iteration"] + 1e-3
    assert "| PPO iteration |" in result.stdout and "| decode batch |" in result.stdout
