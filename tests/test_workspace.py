"""The workspace answers "where does each piece live" from the config, in one place."""

import os

from codecorr_jax import config as config_lib
from codecorr_jax.regimes.workspace import SHIPPED_BASE_DIR, Workspace


def test_shipped_base_is_read_from_the_assets_with_its_own_tokenizer():
    ws = Workspace.from_config(config_lib.base_config("sft"), "runs/x")
    assert ws.base_source == "shipped"
    assert ws.base_dir == ws.tokenizer_dir == SHIPPED_BASE_DIR
    assert ws.dataset_dir == os.path.join("runs/x", "datasets")
    assert ws.jsonl_dir == os.path.join("runs/x", "datasets", "jsonl")
    assert ws.tfds_dir == os.path.join("runs/x", "datasets", "tfds")
    assert ws.base_eval_dir == os.path.join("runs/x", "base_eval")
    assert ws.run_dir("sft") == os.path.join("runs/x", "sft")


def test_a_base_trained_here_lives_in_the_workdir_unless_told_otherwise():
    config = config_lib.base_config("sft")
    config.pretrain.source = "train"
    ws = Workspace.from_config(config, "w")
    assert (ws.base_source, ws.base_dir, ws.tokenizer_dir) == (
        "train", os.path.join("w", "base"), os.path.join("w", "tokenizer"))
    config.pretrain.base_dir, config.data.tokenizer_dir = "shared/base", "shared/tok"
    config.data.dataset_dir = "shared/datasets"
    ws = Workspace.from_config(config, "w")
    assert (ws.base_dir, ws.tokenizer_dir, ws.dataset_dir) == (
        "shared/base", "shared/tok", "shared/datasets")


def test_a_checkpoint_preset_is_its_own_base_and_tokenizer():
    config = config_lib.base_config("sft", "qwen2")
    config.model.checkpoint_dir = "/models/qwen"
    config.pretrain.source = "train"  # ignored: a checkpoint is never pretrained here
    ws = Workspace.from_config(config, "w")
    assert (ws.base_source, ws.base_dir, ws.tokenizer_dir) == (
        "checkpoint", "/models/qwen", "/models/qwen")
