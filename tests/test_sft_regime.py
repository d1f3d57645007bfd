"""The pretrain, sft, sft_then_rl, rl and study regimes through launch/main.py: small runs end
to end, the base cache, exact resume after SIGKILL, and a run directory that refuses another
configuration."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from safetensors.numpy import load_file

from codecorr_jax.provenance import code_commit

pytestmark = pytest.mark.whole_runs(minutes=8)  # scheduled first: tests/conftest.py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A model and data small enough for seconds per stage on a 2-core CPU.
SMALL = [
    "--config.synth.size_a=24", "--config.synth.size_b=18", "--config.synth.size_c=18",
    "--config.model.vocab_size=384", "--config.model.hidden_size=64",
    "--config.model.intermediate_size=128", "--config.model.num_layers=2",
    "--config.model.num_heads=4", "--config.model.num_kv_heads=2", "--config.model.head_dim=16",
    "--config.data.max_length=256", "--config.pretrain.seq_len=128",
    "--config.data.tokenizer_source_mb=0.2",
    "--config.pretrain.source=train", "--config.pretrain.generated_functions=300",
    "--config.pretrain.composition_depth=2",  # the depth-3 table takes minutes
    "--config.pretrain.corpus_mb=0.3", "--config.pretrain.batch_size=8",
    "--config.pretrain.warmup_steps=2", "--config.logging.every_steps=2",
    "--config.logging.progress_bar=False",
]


def _command(config, workdir, *extra):
    return [sys.executable, os.path.join(ROOT, "launch", "main.py"), f"--config={config}",
            f"--workdir={workdir}", *SMALL, *extra]


def _run(config, workdir, *extra, timeout=600):
    result = subprocess.run(_command(config, workdir, *extra), cwd=ROOT, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-4000:]
    return result


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """Datasets and tokenizer built once, shared by every run of this module."""
    root = tmp_path_factory.mktemp("shared")
    data = [f"--config.data.dataset_dir={root / 'datasets'}",
            f"--config.data.tokenizer_dir={root / 'tokenizer'}"]
    _run("configs/datasets.py", root / "w0", *data)
    return data


def _weights(directory):
    return load_file(os.path.join(directory, "model.safetensors"))


# The pretrain regime scores its base with samples: a token amount of it.
SMALL_SCORING = ["--config.eval.max_tasks=2", "--config.eval.num_samples=2",
                 "--config.eval.ks=(1,2)", "--config.eval.max_new_tokens=8",
                 "--config.eval.batch_size=8"]


PRETRAIN_STEPS = ["--config.pretrain.num_steps=8", *SMALL_SCORING]


@pytest.fixture(scope="module")
def pretrained(shared, tmp_path_factory):
    """One uninterrupted pretraining run on the shared datasets and tokenizer (configs/pretrain.py
    builds the default ones): the base the module's runs read, shipped."""
    workdir = tmp_path_factory.mktemp("straight")
    _run("configs/pretrain.py", workdir, *shared, *PRETRAIN_STEPS)
    return workdir


@pytest.fixture(scope="module")
def shipped(pretrained, tmp_path_factory):
    """The pretrained base as launch/ship_base.py ships it."""
    dest = tmp_path_factory.mktemp("shipped") / "base"
    subprocess.run([sys.executable, os.path.join(ROOT, "launch", "ship_base.py"),
                    str(pretrained), str(dest)], cwd=ROOT, check=True, capture_output=True)
    return dest


def test_pretrain_exports_its_base_with_a_score_card(pretrained):
    """The base's score card and its manifest (corpus counts, zero contamination hits)."""
    card = (pretrained / "base_eval" / "pass_at_k.md").read_text()
    assert "| suite | tasks | greedy pass@1 | pass@1 | pass@2 | samples compiling |" in card
    manifest = json.loads((pretrained / "base" / "codecorr_base.json").read_text())
    assert manifest["training"]["corpus"]["documents"]["generated"] == 300
    assert set(manifest["training"]["corpus"]["contamination"]["hits"].values()) == {0}
    scores = json.loads((pretrained / "base" / "base_scores.json").read_text())
    assert scores["results"]["atom"]["num_samples"] == 2


# sft_then_rl small enough for seconds a stage, with every moment a kill can hit: checkpoints
# every 2 SFT steps and every iteration, a periodic evaluation in each stage, the frontier
# (of the 16 composite prompts), one sampling round an iteration.
KILLABLE = ["--config.sft.num_steps=8", "--config.sft.batch_size=8",
            "--config.sft.warmup_steps=2", "--config.checkpoint.every_steps=2",
            "--config.eval.every_steps=4", "--config.eval.periodic_max_tasks=4",
            "--config.eval.suites=('composite_target',)", "--config.eval.max_tasks=4",
            "--config.eval.max_new_tokens=8", "--config.eval.batch_size=8",
            "--config.rl.num_iterations=4", "--config.rl.prompts_per_iteration=4",
            "--config.rl.samples_per_prompt=2", "--config.rl.minibatch_size=8",
            "--config.rl.max_new_tokens=8", "--config.rl.max_sampling_rounds=1",
            "--config.rl.checkpoint_every=1", "--config.rl.eval_every=2",
            "--config.rl.frontier_fraction=0.5", "--config.rl.mixture.atom=0"]
# In run order; each killed process resumes what the one before left: SFT mid-save (of step
# 4) and in an evaluation; PPO in the frontier scoring, then while sampling (iteration 2) and
# mid-update (iteration 3). (A kill while the programs run leaves what one while sampling
# does: an iteration begun, nothing saved; benchmarks/kill_sweep.py kills at random moments.)
KILLS = ("checkpoint/save:2", "evaluate/composite_target:1", "evaluate/rl_prompts:1",
         "ppo/sampling:2", "ppo/update:2")


def test_sft_then_rl_killed_at_every_kind_of_moment_ends_bit_identical(shared, shipped,
                                                                         tmp_path):
    """SIGKILL at 5 named moments (codecorr_jax/faults.py), each rerun of the same command
    resuming the last: the exports, every metric and the final scores equal a run never
    killed (codecorr_jax/train/run_compare.py)."""
    from codecorr_jax import faults
    from codecorr_jax.train import run_compare

    base = ["--config.pretrain.source=shipped", f"--config.pretrain.base_dir={shipped}"]
    _run("configs/sft_then_rl.py", tmp_path / "straight", *shared, *base, *KILLABLE)
    # a shipped base is read, not trained: no pretraining, its fingerprint on the run
    assert not (tmp_path / "straight" / "pretrain").exists()
    assert json.loads((tmp_path / "straight" / "sft" / "run.json").read_text())["base"] == \
        json.loads((shipped / "codecorr_base.json").read_text())["fingerprint"]
    workdir = tmp_path / "killed"
    said = ""
    for kill in KILLS:
        assert kill.split(":")[0] in faults.POINTS or kill.startswith("evaluate/")
        died = subprocess.run(_command("configs/sft_then_rl.py", workdir, *shared, *base,
                                       *KILLABLE), cwd=ROOT, capture_output=True, text=True,
                              timeout=600, env={**os.environ, faults.ENV: kill})
        assert died.returncode == -signal.SIGKILL, (kill, died.stderr[-3000:])
        said += died.stdout + died.stderr
    result = _run("configs/sft_then_rl.py", workdir, *shared, *base, *KILLABLE)
    said += result.stdout + result.stderr
    assert "sft: resumed from the checkpoint of step" in said
    assert "rl: resumed from the checkpoint of step" in said
    assert run_compare.differences(tmp_path / "straight", workdir, ("sft", "sft_then_rl")) == []


def test_a_shipped_base_of_another_shape_is_refused_by_name(shared, shipped, tmp_path):
    """launch/ship_base.py copies a pretrained base (read by the kill test's runs); a model
    config of another shape is refused by name."""
    manifest = json.loads((shipped / "codecorr_base.json").read_text())
    assert manifest["made_on"]["jax"] and (shipped / "base_scores.json").exists()
    assert (shipped / "tokenizer.json").exists()
    use = ["--config.pretrain.source=shipped", f"--config.pretrain.base_dir={shipped}",
           "--config.sft.batch_size=8", "--config.model.num_layers=3"]
    refused = subprocess.run(_command("configs/sft.py", tmp_path / "other", *shared, *use),
                             cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert refused.returncode != 0
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "config error: config.model differs from the shipped base" in refused.stderr
    assert "num_layers (3, the base has 2)" in refused.stderr
    assert "--config.pretrain.source=train" in refused.stderr


def test_sft_end_to_end_with_base_cache_and_reports(shared, pretrained, tmp_path):
    # The module's pretrained base, copied where this workdir keeps its base: the same
    # pretraining config, so it is reused, not trained again.
    shutil.copytree(pretrained / "base", tmp_path / "base")
    small_eval = ["--config.pretrain.num_steps=8", "--config.sft.num_steps=40",
                  "--config.data.mixture.composite_A=-1",
                  "--config.eval.composite_families=('composite_A','composite_B','composite_C')",
                  "--config.sft.batch_size=8", "--config.sft.warmup_steps=4",
                  "--config.sft.learning_rate=3e-3",
                  "--config.eval.max_tasks=4", "--config.eval.periodic_max_tasks=2",
                  "--config.eval.every_steps=20", "--config.eval.max_new_tokens=24",
                  "--config.eval.batch_size=8", "--config.checkpoint.every_steps=20"]
    # configs/sft.py, also evaluated on one task file of each kind (configs/task_files.py)
    result = _run("configs/task_files.py", tmp_path, *shared, *small_eval)
    assert not (tmp_path / "pretrain").exists()  # the base was found, not trained
    run = tmp_path / "sft"
    latest = json.loads((run / "eval" / "latest.json").read_text())
    assert latest["step"] == 40
    suites = latest["results"]
    built_in = {"atom", "composite_in_domain", "composite_target", "composite_deep",
                "composite_unseen_atom", "humaneval", "composite_train"}
    files = {"mbpp_local": 2, "evalplus_base": 2, "evalplus_plus": 2, "lcb_recent": 2}
    assert set(suites) == built_in | set(files)
    assert all(suites[s]["n_tasks"] == files.get(s, 4) for s in suites)
    # each file was checked against the SFT mixture before training, and none meets it
    overlap = (run / "task_overlap.md").read_text()
    assert "| mbpp_local | 2 | 0 | 0 | 0 |" in overlap and "| lcb_recent | 2 | 0 | 0 | 0 |" in overlap
    assert f"tasks      evalplus_plus: 0 of 2 tasks meet the SFT mixture: {run}" in result.stdout
    assert (run / "eval" / "step_00000020.json").exists()  # the periodic evaluation
    assert (run / "final" / "config.json").exists() and (tmp_path / "base" / "config.json").exists()
    assert "| composite_target | 4 |" in (run / "results.md").read_text()
    assert result.stdout.splitlines()[-1] == f"report     {run / 'results.md'}"  # last: where
    assert os.listdir(run / "tensorboard")
    # Library INFO logs (orbax saves, the mesh line) go to the workdir's log file, not the console.
    logs = list((tmp_path / "logs").glob("main.*.log"))
    assert len(logs) == 1 and f"library logs of this run: {logs[0]}" in result.stdout
    assert "regime sft, mesh" in logs[0].read_text() and "Save Finalize" in logs[0].read_text()
    assert "regime sft, mesh" not in result.stderr and "Save Finalize" not in result.stderr

    lines = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    losses = [line["sft/loss"] for line in lines if "sft/loss" in line]
    assert len(losses) == 20 and losses[-1] < 0.7 * losses[0], losses
    assert any("eval/atom/pass@1" in line for line in lines)
    assert all(line["sft/skipped_steps"] == 0 for line in lines if "sft/skipped_steps" in line)

    # A second run with the same config reuses the base (and its scores) and the finished SFT.
    base_mtime = os.path.getmtime(tmp_path / "base" / "model.safetensors")
    scored_mtime = os.path.getmtime(run / "eval" / "step_00000040.json")
    again = _run("configs/task_files.py", tmp_path, *shared, *small_eval)
    assert os.path.getmtime(tmp_path / "base" / "model.safetensors") == base_mtime
    # the finished SFT's final scores stand: it is not evaluated again
    assert os.path.getmtime(run / "eval" / "step_00000040.json") == scored_mtime
    assert "scoring the base model" in result.stdout and "scoring the base" not in again.stdout

    # The same workdir with another SFT configuration is refused, naming the field.
    refused = subprocess.run(_command("configs/task_files.py", tmp_path, *shared, *small_eval,
                                      "--config.sft.learning_rate=1e-4"),
                             cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert refused.returncode != 0
    assert "sft.learning_rate: 0.003 -> 0.0001" in refused.stderr


def _check_sft_then_rl_run(cell_dir):
    """The main cell is a whole `sft_then_rl` run: its frontier, report, PPO metrics, export."""
    console = (cell_dir / "console.log").read_text()
    run = cell_dir / "sft_then_rl"
    # The frontier: every RL prompt scored once (greedy) by the SFT policy before PPO.
    prompts = int(re.search(r"rl +(\d+) prompts", console).group(1))
    rows = json.loads((run / "frontier" / "eval" / "latest.json").read_text())[
        "results"]["rl_prompts"]["tasks"]
    assert len(rows) == prompts > 100  # every atom and every Composite_A train task (-2: SFT's)
    failed = sum(not row["passed_greedy"] for row in rows)
    assert f"the starting policy fails {failed} of {prompts} prompts" in console
    report = (run / "report.md").read_text()
    assert console.splitlines()[-1] == f"report     {run / 'report.md'}"
    assert "| suite | tasks | base pass@1 | SFT pass@1 | SFT then RL pass@1 |" in report
    assert "| composite_target | 4 |" in report
    assert (run / "pass_at_1.png").stat().st_size > 0 and (run / "rl_curves.png").exists()
    assert (run / "final" / "model.safetensors").exists()
    assert json.loads((run / "eval" / "latest.json").read_text())["step"] == 2
    lines = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    iterations = [line for line in lines if "rl/reward" in line]
    assert [line["step"] for line in iterations] == [1, 2]
    for line in iterations:  # the binary reward of the tiny config lies in [0, 1]
        assert 0.0 <= line["rl/reward"] <= 1.0 and 0.0 <= line["rl/pass_rate"] <= 1.0
        assert line["rl/seconds_generation"] > 0 and line["rl/seconds_update"] > 0
        assert 0.0 < line["rl/response_length"] <= 16
    # PPO on the SFT prompts: the run directory records the resolved mixture
    assert json.loads((run / "run.json").read_text())["mixture"] == {
        "atom": -1, "composite_A": -1, "composite_B": 0, "composite_C": 0}


def test_study_smoke_runs_every_cell_reports_and_resumes(shared, shipped, tmp_path):
    """The study's toy grid end to end from a shipped base; its cells are whole sft,
    sft_then_rl and rl runs."""
    one_seed = ["--config.pretrain.source=shipped", f"--config.pretrain.base_dir={shipped}",
                "--config.study.seeds=(0,)",
                "--config.data.max_length=768",  # composites-only SFT needs whole composites
                "--config.rl.frontier_fraction=0.5"]
    result = _run("configs/study.py:smoke", tmp_path, *shared, *one_seed, timeout=900)
    study = tmp_path / "study"
    _check_sft_then_rl_run(study / "cells" / "main" / "seed0")
    rl_base = study / "cells" / "rl_base" / "seed0"
    assert "scoring the base model" not in (rl_base / "console.log").read_text()  # shared
    assert "| suite | tasks | base pass@1 | RL pass@1 |" in \
        (rl_base / "rl" / "report.md").read_text()
    # RL from the base draws from its sampled frontier (configs/rl.py): 2 samples a prompt
    scored = json.loads((rl_base / "rl" / "frontier" / "eval" / "latest.json").read_text())[
        "results"]["rl_prompts"]
    on = sum(0 < row["n_correct"] < 2 for row in scored["tasks"])
    assert scored["num_samples"] == 2 and len(scored["tasks"]) > 100
    line = (f"some but not all of the starting policy's 2 samples (T=0.6) pass on {on} of "
            f"{len(scored['tasks'])} prompts; 75% of each iteration's prompts are drawn from them")
    assert f"rl         frontier: {line}\n" in (rl_base / "console.log").read_text()
    assert line in (rl_base / "rl" / "report.md").read_text()  # the report says it too
    cells = ["main", "sft_atoms", "sft_composites", "rl_other_prompts", "rl_base"]
    for cell in cells:
        done = json.loads((study / "cells" / cell / "seed0" / "cell.json").read_text())
        assert done["returncode"] == 0, cell
        assert done["cuda_devices"] == "", cell  # each run took one of the smoke's two slots
    assert result.stdout.count("study      [") == 5
    # PPO on other prompts starts from the main cell's very SFT run, not a copy of it
    assert os.path.realpath(study / "cells" / "rl_other_prompts" / "seed0" / "sft") == \
        os.path.realpath(study / "cells" / "main" / "seed0" / "sft")
    main_eval = json.loads(
        (study / "cells" / "main" / "seed0" / "sft" / "eval" / "latest.json").read_text())
    assert main_eval["results"]["composite_train"]["n_tasks"] == 4  # the over-fitting suite

    report = (study / "report.md").read_text()
    verdicts = ("reproduced", "not reproduced", "inconclusive")
    for number in (1, 2, 3):
        heading = next(line for line in report.splitlines()
                       if line.startswith(f"## Finding {number}: "))
        assert heading.split("**")[1] in verdicts
        assert (study / f"finding_{number}.png").stat().st_size > 0
    for cell in cells:
        assert f"| {cell} | SFT |" in report or f"| {cell} | RL |" in report or \
            f"| {cell} | SFT then RL |" in report
    assert report.count(" | sft | ") + report.count(" | sft_then_rl | ") + \
        report.count(" | rl | ") == 5  # the wall-time table: every cell, a column a seed
    seconds = [json.loads((study / "cells" / c / "seed0" / "cell.json").read_text())["seconds"]
               for c in cells]
    assert f"| **every cell** | | {sum(seconds) / 60:.1f} | " in report
    assert "## Failure taxonomy" in report and "## Sample completions" in report
    # PPO against its own SFT, task by task: the main cell's seed 0 on the target suite
    assert "## What PPO changed, task by task" in report
    assert "| main | 0 | composite_target | " in report
    assert "| cell | stage | completions | pass | syntax error | missing helper |" in report
    assert "Machine: " in report and (study / "study_config.json").exists()
    fingerprint = json.loads((shipped / "codecorr_base.json").read_text())["fingerprint"]
    assert f"Base: {fingerprint} (fingerprint); datasets: build version " in report
    assert f"; code: {code_commit(ROOT)[:12]}" in report and "(5 runs)" in report
    assert f"report     {study / 'report.md'}" in result.stdout

    # Its records (study/records.py) restored into another workdir, on another datasets
    # directory: every run counts as finished, the datasets are built again for the report,
    # and the report reads the same scores.
    from codecorr_jax.study import records

    records.save(str(tmp_path), str(tmp_path / "records.tar.gz"))
    moved = tmp_path / "moved"
    assert len(records.restore(str(tmp_path / "records.tar.gz"), str(moved))) == 5
    elsewhere = [f"--config.data.dataset_dir={tmp_path / 'datasets_again'}", shared[1]]
    again = _run("configs/study.py:smoke", moved, *elsewhere, *one_seed, timeout=300)
    assert again.stdout.count(": finished before (") == 5 and ": done (" not in again.stdout
    manifests = [json.loads((Path(d) / "jsonl" / "manifest.json").read_text())["config_hash"]
                 for d in (shared[0].split("=", 1)[1], tmp_path / "datasets_again")]
    assert manifests[0] == manifests[1]
    table = lambda text: text.split("## Every cell")[1].split("## Finding 1")[0]  # noqa: E731
    assert table((moved / "study" / "report.md").read_text()) == table(report)


def _tiny_checkpoint(directory, family):
    """A random Hugging Face checkpoint of `family` with the shipped base's tokenizer: what a
    real code model's directory holds, at a size that runs in seconds."""
    import shutil

    import torch
    import transformers

    from codecorr_jax.regimes.workspace import SHIPPED_BASE_DIR

    config_cls = {"qwen2": transformers.Qwen2Config, "llama": transformers.LlamaConfig}[family]
    torch.manual_seed(0)
    config = config_cls(vocab_size=1024, hidden_size=32, intermediate_size=64,
                        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                        max_position_embeddings=1024, tie_word_embeddings=True)
    model = transformers.AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.save_pretrained(directory)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(SHIPPED_BASE_DIR, name), directory)


def test_real_model_study_cell_runs_from_a_local_checkpoint(shared, tmp_path):
    """configs/study.py:qwen2's main cell (SFT, then PPO) from a tiny random Qwen2 checkpoint:
    the checkpoint is the base and its tokenizer is the run's; nothing is pretrained."""
    from codecorr_jax import config as config_lib
    from codecorr_jax.study import runner
    from codecorr_jax.study.cells import MAIN, grid

    checkpoint = tmp_path / "qwen"
    _tiny_checkpoint(checkpoint, "qwen2")
    config = config_lib.sibling_config(os.path.join(ROOT, "configs", "study.py"), "study",
                                       "qwen2")
    small = {"model.checkpoint_dir": str(checkpoint), "model.dtype": "float32",
             "synth.size_a": 24, "synth.size_b": 18, "synth.size_c": 18,  # the shared datasets
             "data.dataset_dir": shared[0].split("=", 1)[1], "data.max_length": 256,
             "sft.num_steps": 4, "sft.batch_size": 16, "sft.grad_accum_steps": 2,
             "eval.suites": ("composite_in_domain", "composite_target", "humaneval"),
             "eval.max_tasks": 2,
             "eval.num_samples": 2, "eval.ks": (1, 2), "eval.max_new_tokens": 8,
             "eval.batch_size": 8, "eval.every_steps": 0,
             "rl.num_iterations": 1, "rl.prompts_per_iteration": 4,
             "rl.samples_per_prompt": 2, "rl.minibatch_size": 8, "rl.max_new_tokens": 8,
             "rl.max_sampling_rounds": 1, "logging.progress_bar": False}
    for field, value in small.items():
        section, leaf = field.split(".")
        config[section][leaf] = value
    # Every task-file format: SFT trains on those with solutions, PPO on the rest (and one
    # of them), two are evaluated (tests/fixtures/tasks, one small file a format).
    fixtures = os.path.join(ROOT, "tests", "fixtures", "tasks")
    for name in ("codecorr", "humaneval", "mbpp", "mbpp_sanitized", "evalplus",
                 "livecodebench"):
        config.tasks[f"local_{name}"] = dict(path=os.path.join(fixtures, f"{name}.jsonl"),
                                             format=name)
    config.data.task_files = ("local_codecorr", "local_humaneval", "local_mbpp",
                              "local_mbpp_sanitized", "local_evalplus")
    config.rl.task_files = ("local_livecodebench", "local_evalplus")
    config.eval.suites = (*config.eval.suites, "local_livecodebench", "local_mbpp")
    config_lib.validate(config)  # the study section and every cell's config
    cells = grid(config.study)
    main = next(c for c in cells if c.name == MAIN)
    run = runner.run_one(str(tmp_path / "study"), config, main, 0, cells)
    console = os.path.join(run.workdir, "console.log")
    assert run.returncode == 0, open(console).read()[-4000:]
    text = open(console).read()
    assert "pretrain" not in text and "report     " in text.splitlines()[-1]
    rl_dir = os.path.join(run.workdir, "sft_then_rl")
    exported = json.load(open(os.path.join(rl_dir, "final", "config.json")))
    assert exported["architectures"] == ["Qwen2ForCausalLM"] and exported["hidden_size"] == 32
    sft_fields = json.load(open(os.path.join(run.workdir, "sft", "run.json")))
    assert sft_fields["sft"]["grad_accum_steps"] == 2  # the checkpoint preset's SFT, shrunk
    results = json.load(open(os.path.join(rl_dir, "eval", "latest.json")))["results"]
    assert set(results) == {"composite_in_domain", "composite_target", "humaneval",
                            "local_livecodebench", "local_mbpp"}
    assert results["humaneval"]["n_tasks"] == 2 and "pass@2" in str(results["humaneval"])
    assert results["local_livecodebench"]["n_tasks"] == 2  # stdin/stdout and functional
    # the file tasks were trained on, SFT's and PPO's own (their run identities name them)
    assert re.search(r"sft +\d+ tasks \(.*local_codecorr \(file\), local_humaneval \(file\), "
                     r"local_mbpp \(file\), local_mbpp_sanitized \(file\), local_evalplus "
                     r"\(file\)", text)
    rl_tasks = json.load(open(os.path.join(rl_dir, "run.json")))["task_files"]
    assert set(rl_tasks) == {"local_livecodebench", "local_evalplus"}
    for stage in ("sft", "sft_then_rl"):  # each checked against what it trains on
        overlap = open(os.path.join(run.workdir, stage, "task_overlap.md")).read()
        assert "| local_mbpp | 2 |" in overlap
    # the evaluated MBPP file is trained on by SFT: every task meets it (same prompt)
    assert "| local_mbpp | 2 | 2 | 2 | 2 |" in open(
        os.path.join(run.workdir, "sft", "task_overlap.md")).read()
    assert "tasks      local_livecodebench: 2 of 2 tasks meet the RL prompts (same prompt" in text
