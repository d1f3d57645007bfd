"""The stages a workdir's runs hold, named once: where each one's final evaluation lies, the
stage its model starts from, and which stages each regime writes. Reports over seeds, curves
and the study read this table."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Stage:
    """A stage: its report name, its run directory in a workdir ("" for the base, which is
    scored, not trained), the glob of its final evaluation, and the stage it starts from."""

    name: str
    run_dir: str
    results: str
    starts_from: str = ""


STAGES: dict[str, Stage] = {s.name: s for s in (
    Stage("base", "", "base_eval/eval_*/eval/latest.json"),
    Stage("SFT", "sft", "sft/eval/latest.json", starts_from="base"),
    Stage("SFT then RL", "sft_then_rl", "sft_then_rl/eval/latest.json", starts_from="SFT"),
    Stage("RL", "rl", "rl/eval/latest.json", starts_from="base"),
)}
# a trained stage by its run directory ("sft", "sft_then_rl", "rl")
BY_RUN_DIR: dict[str, Stage] = {s.run_dir: s for s in STAGES.values() if s.run_dir}
# the stages whose final evaluation each training regime writes
REGIME_STAGES: dict[str, tuple[str, ...]] = {"sft": ("SFT",), "sft_then_rl": ("SFT", "SFT then RL"),
                                             "rl": ("RL",)}
