"""MetricsLogger files read back independently; FLOPs, peak and MFU against hand arithmetic."""

from __future__ import annotations

import glob
import json
import math
import os
import struct
import time
import types

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from tensorboardX.proto import event_pb2

from codecorr_jax.models.config import ModelConfig
from codecorr_jax.train.metrics import (
    MetricsLogger,
    matmul_params,
    mfu,
    peak_flops_per_device,
    train_flops_per_token,
)


def _read_jsonl(workdir) -> list[dict]:
    with open(os.path.join(workdir, "metrics.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _read_events(workdir) -> list[event_pb2.Event]:
    """Parse TFRecord framing by hand: u64 length, u32 crc, data, u32 crc."""
    events = []
    for path in sorted(glob.glob(os.path.join(workdir, "tensorboard", "events.out.tfevents.*"))):
        with open(path, "rb") as f:
            data = f.read()
        pos = 0
        while pos < len(data):
            (length,) = struct.unpack("<Q", data[pos:pos + 8])
            pos += 12  # length + its crc
            events.append(event_pb2.Event.FromString(data[pos:pos + length]))
            pos += length + 4  # data + its crc
        assert pos == len(data)
    return events


def _scalars(events) -> list[tuple[str, int, float]]:
    return [(v.tag, e.step, v.simple_value) for e in events if e.HasField("summary")
            for v in e.summary.value]


def test_jsonl_lines_equal_the_logged_values(tmp_path):
    before = time.time()
    with MetricsLogger(str(tmp_path), total_steps=10, progress_bar=False) as log:
        log.log(1, {"train/loss": 2.5, "train/tokens": 100, "eval/atom/pass@1": np.float32(0.25),
                    "train/grad_norm": float("nan"), "train/mfu": jnp.array(0.125),
                    "train/ratio": float("-inf"), "train/skipped": np.int64(3)})
        log.log(2, {"train/loss": 1.75})
    after = time.time()
    lines = _read_jsonl(tmp_path)
    assert len(lines) == 2
    first = lines[0]
    assert before <= first["time"] <= after
    del first["time"]
    assert first == {"step": 1, "train/loss": 2.5, "train/tokens": 100, "eval/atom/pass@1": 0.25,
                     "train/grad_norm": None, "train/mfu": 0.125, "train/ratio": None,
                     "train/skipped": 3}
    assert isinstance(first["train/tokens"], int) and isinstance(first["train/skipped"], int)
    assert {k: v for k, v in lines[1].items() if k != "time"} == {"step": 2, "train/loss": 1.75}


def test_reopening_appends_after_earlier_lines(tmp_path):
    with MetricsLogger(str(tmp_path), total_steps=4, tensorboard=False,
                       progress_bar=False) as log:
        log.log(1, {"loss": 3.0})
    with open(os.path.join(tmp_path, "metrics.jsonl"), encoding="utf-8") as f:
        first_text = f.read()
    with MetricsLogger(str(tmp_path), total_steps=4, tensorboard=False, progress_bar=False,
                       initial_step=1) as log:
        log.log(2, {"loss": 2.0})
    with open(os.path.join(tmp_path, "metrics.jsonl"), encoding="utf-8") as f:
        text = f.read()
    assert text.startswith(first_text)
    assert [(r["step"], r["loss"]) for r in _read_jsonl(tmp_path)] == [(1, 3.0), (2, 2.0)]
    assert not os.path.exists(os.path.join(tmp_path, "tensorboard"))


def test_read_metrics_keeps_the_last_record_of_a_step_logged_twice(tmp_path):
    """A killed run logged steps 1-3 but checkpointed at 2; the resumed run logs 3 again."""
    from codecorr_jax.train.metrics import read_metrics

    with MetricsLogger(str(tmp_path), total_steps=4, tensorboard=False,
                       progress_bar=False) as log:
        for step, loss in ((1, 3.0), (2, 2.5), (3, 9.0)):
            log.log(step, {"rl/reward": loss})
        log.log(3, {"eval/atom/pass@1": 0.5})  # another key at the same step
    with MetricsLogger(str(tmp_path), total_steps=4, tensorboard=False, progress_bar=False,
                       initial_step=2) as log:
        log.log(3, {"rl/reward": 2.0})
        log.log(4, {"rl/reward": 1.5})
    records = read_metrics(str(tmp_path), "rl/reward")
    assert [(r["step"], r["rl/reward"]) for r in records] == [(1, 3.0), (2, 2.5), (3, 2.0),
                                                              (4, 1.5)]
    assert read_metrics(str(tmp_path / "missing"), "rl/reward") == []


def test_tensorboard_events_hold_the_same_tags_steps_values(tmp_path):
    logged = [(3, {"train/loss": 2.5, "eval/atom/pass@1": 0.1}),
              (6, {"train/loss": float("nan"), "train/tokens_per_s": 12345.678}),
              (9, {"train/loss": float("inf")})]
    with MetricsLogger(str(tmp_path), total_steps=10, jsonl=False, progress_bar=False) as log:
        for step, metrics in logged:
            log.log(step, metrics)
    assert not os.path.exists(os.path.join(tmp_path, "metrics.jsonl"))
    events = _read_events(tmp_path)
    assert events[0].file_version.startswith("brain.Event")
    got = _scalars(events)
    want = [(tag, step, value) for step, metrics in logged for tag, value in metrics.items()]
    assert [(t, s) for t, s, _ in got] == [(t, s) for t, s, _ in want]
    for (_, _, g), (_, _, w) in zip(got, want):
        if math.isnan(w):
            assert math.isnan(g)
        else:
            assert g == float(np.float32(w))  # simple_value is a float32
    # A resumed run marks the step from which TensorBoard drops the old run's later events.
    with MetricsLogger(str(tmp_path), total_steps=10, jsonl=False, progress_bar=False,
                       initial_step=6) as log:
        log.log(9, {"train/loss": 0.5})
    events = _read_events(tmp_path)
    starts = [e.step for e in events if e.HasField("session_log")
              and e.session_log.status == event_pb2.SessionLog.START]
    assert starts == [7]
    assert _scalars(events)[-1] == ("train/loss", 9, 0.5)


def test_progress_and_write(tmp_path, capsys):
    with MetricsLogger(str(tmp_path), total_steps=10, initial_step=2, tensorboard=False,
                       jsonl=False, desc="sft") as log:
        log.progress(3, loss=1.23456, tok_s=2000.0)
        log.progress(7, loss=0.5)
        log.write("evaluated at step 7")
    captured = capsys.readouterr()
    assert "evaluated at step 7\n" in captured.out
    assert "sft" in captured.err and "7/10" in captured.err and "loss=0.5" in captured.err


def test_bad_metric_names_and_values_are_named(tmp_path):
    with MetricsLogger(str(tmp_path), total_steps=1, progress_bar=False,
                       tensorboard=False) as log:
        with pytest.raises(ValueError, match="metric name 'step' is not allowed"):
            log.log(1, {"step": 1.0})
        with pytest.raises(ValueError, match=r"metric 'train/vec' must be a scalar, got shape "
                                             r"\(2,\)"):
            log.log(1, {"train/vec": np.ones(2)})
        with pytest.raises(TypeError, match="metric 'train/name' must be a real number"):
            log.log(1, {"train/name": "x"})
    assert _read_jsonl(tmp_path) == []


def test_disabled_logger_writes_nothing(tmp_path, capsys):
    workdir = tmp_path / "run"
    with MetricsLogger(str(workdir), total_steps=5, enabled=False) as log:
        log.log(1, {"train/loss": 1.0})
        log.progress(1, loss=1.0)
        log.write("hello")
    assert not workdir.exists()
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    # The default follows the process index: this single process is process 0.
    with MetricsLogger(str(workdir), total_steps=5, progress_bar=False) as log:
        assert log.enabled == (jax.process_index() == 0)


def _small_cfg(**kw) -> ModelConfig:
    return ModelConfig(vocab_size=10, hidden_size=4, intermediate_size=6, num_layers=2,
                       num_heads=2, num_kv_heads=1, head_dim=2, **kw)


def test_train_flops_per_token_by_hand():
    # Per layer: q 4*2*2=16, k 4*1*2=8, v 8, o 2*2*4=16 -> 48; MLP 3*4*6=72 -> 120.
    # Two layers 240 + output head 10*4=40 -> N = 280. 6N = 1680.
    # Attention: 12 * L(2) * H(2) * Q(2) * T(8) = 768.  Total 2448.
    cfg = _small_cfg()
    assert matmul_params(cfg) == 280
    assert train_flops_per_token(cfg, 8) == 2448.0
    assert train_flops_per_token(cfg, 16) == 1680.0 + 1536.0
    # num_params (340) = N + input embedding 40 + norms 2*2*4 + 4 = 20.
    assert cfg.num_params == 280 + 40 + 20
    # Tying shares storage, not the output matmul; a value head adds a 4 -> 1 matmul.
    assert train_flops_per_token(_small_cfg(tie_word_embeddings=True), 8) == 2448.0
    assert train_flops_per_token(_small_cfg(value_head=True), 8) == 2448.0 + 6 * 4
    # q/k/v biases are additions, not matmul parameters.
    assert train_flops_per_token(_small_cfg(qkv_bias=True), 8) == 2448.0


def test_mfu_arithmetic():
    # 1000 tok/s * 2448 FLOP/tok = 2.448e6 FLOP/s over 4 devices of 1e6 peak = 0.612.
    assert mfu(1000.0, 2448.0, 4, 1e6) == pytest.approx(0.612)
    assert mfu(1000.0, 2448.0, 1, 2.448e6) == pytest.approx(1.0)
    assert mfu(1000.0, 2448.0, 4, None) is None
    with pytest.raises(ValueError, match="num_devices=0"):
        mfu(1.0, 1.0, 0, 1e12)


def test_peak_flops_lookup():
    assert jax.devices()[0].platform == "cpu"
    assert peak_flops_per_device(jax.devices()[0], "bfloat16") is None
    assert peak_flops_per_device(jax.devices()[0], "float32") is None

    def kind(name: str) -> types.SimpleNamespace:
        return types.SimpleNamespace(device_kind=name, platform="gpu")

    assert peak_flops_per_device(kind("NVIDIA H100 80GB HBM3"), "bfloat16") == 989.5e12
    assert peak_flops_per_device(kind("NVIDIA H100 80GB HBM3"), "float32") == 494.5e12
    assert peak_flops_per_device(kind("NVIDIA H100 PCIe"), "bfloat16") == 756.5e12
    assert peak_flops_per_device(kind("NVIDIA H200"), "bfloat16") == 989.5e12
    assert peak_flops_per_device(kind("NVIDIA A100-SXM4-80GB"), "bfloat16") == 312e12
    assert peak_flops_per_device(kind("TPU v4"), "bfloat16") == 275e12
    assert peak_flops_per_device(kind("TPU v5 lite"), "bfloat16") == 197e12
    assert peak_flops_per_device(kind("TPU v5"), "bfloat16") == 459e12
    assert peak_flops_per_device(kind("TPU v6 lite"), "float32") == 918e12
    assert peak_flops_per_device(kind("TPU v4 lite"), "bfloat16") is None
    assert peak_flops_per_device(kind("NVIDIA GeForce GTX 1080"), "bfloat16") is None
    assert peak_flops_per_device(kind("NVIDIA H100 80GB HBM3"), "int8") is None
