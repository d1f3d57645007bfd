"""The workspace answers "where does each piece live" from the config, in one place."""

import os

import pytest

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


def test_a_run_directory_resumes_only_its_own_run(tmp_path):
    from codecorr_jax.regimes import run_dir

    fields = {"model": {"hidden": 8, "remat": "none"}, "seed": 0}
    assert run_dir.claim(str(tmp_path / "r"), fields, replace_stale=False) is False
    assert run_dir.claim(str(tmp_path / "r"), fields, replace_stale=False) is True
    other = {"model": {"hidden": 16, "remat": "none"}, "seed": 0}
    with pytest.raises(RuntimeError, match=r"model.hidden: 8 -> 16.*pass another --workdir"):
        run_dir.claim(str(tmp_path / "r"), other, replace_stale=False)
    # A field added to the config since the run was made: at its default the run resumes,
    # set otherwise it is another run.
    defaults = {"model": {"hidden": 4, "remat": "none", "lora_rank": 0}}
    later = {"model": {"hidden": 8, "remat": "none", "lora_rank": 0}, "seed": 0}
    assert run_dir.claim(str(tmp_path / "r"), later, replace_stale=False,
                         defaults=defaults) is True
    with pytest.raises(RuntimeError, match=r"model.lora_rank: None -> 8"):
        run_dir.claim(str(tmp_path / "r"), {**later, "model": {**later["model"], "lora_rank": 8}},
                      replace_stale=False, defaults=defaults)
    # A cache is replaced instead.
    assert run_dir.claim(str(tmp_path / "r"), other, replace_stale=True) is False
    assert run_dir.claim(str(tmp_path / "r"), other, replace_stale=False) is True


def test_a_run_recorded_before_stacked_layers_is_held_to_its_unrolled_checkpoints():
    """A checkpoint preset now stacks its layers by default, but a run recorded before
    model.scan_layers existed wrote unrolled checkpoints: it resumes only unrolled."""
    from codecorr_jax.regimes.stages import _section_defaults

    config = config_lib.base_config("sft", "qwen2")
    assert config.model.scan_layers is True
    assert _section_defaults(config, "model", "sft")["model"]["scan_layers"] is False
