"""Two local processes through the real jax.distributed path give one process's logits."""

import os
import signal
import socket
import subprocess
import sys

import jax
import numpy as np
import pytest
from flax import nnx

from codecorr_jax.models import Decoder
from distributed_case import CFG, SEED, batch

pytestmark = pytest.mark.whole_runs(minutes=1)  # scheduled first: tests/conftest.py

HERE = os.path.dirname(os.path.abspath(__file__))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_process_sharded_forward_equals_single_process(tmp_path):
    port = _free_port()
    env = dict(os.environ)  # the workers set their own device count
    procs = [subprocess.Popen([sys.executable, os.path.join(HERE, "distributed_worker.py"),
                               str(i), str(port), str(tmp_path)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for i in range(2)]
    outputs = []
    try:
        for p in procs:
            outputs.append(p.communicate(timeout=180)[0])
    finally:
        for p in procs:  # jax.distributed traps SIGTERM: a hung worker needs SIGKILL
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait()
    assert all(p.returncode == 0 for p in procs), "\n".join(o[-2000:] for o in outputs)
    with jax.default_device(jax.devices()[0]):
        expected = np.asarray(Decoder(CFG, rngs=nnx.Rngs(SEED))(batch()).logits)
    for name in ("fsdp", "tensor"):
        got = np.load(tmp_path / f"logits_{name}.npy")
        np.testing.assert_allclose(got, expected, atol=2e-5, rtol=1e-5, err_msg=name)
