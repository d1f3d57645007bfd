"""Evaluation as the regimes run it: the configured suites, at the end and periodically."""

from __future__ import annotations

import dataclasses
from typing import Any

import jax

from codecorr_jax import hosts
from codecorr_jax.data.chat import CHAT
from codecorr_jax.eval import suites as suites_lib
from codecorr_jax.eval.completion import SamplerCompleter
from codecorr_jax.execution import Executor
from codecorr_jax.models.decoder import Decoder
from codecorr_jax.tasks.sources import FileSource, file_sources, with_expected_outputs

# Per suite: its metrics (pass@1, pass@k, verdict counts) and per-task rows (suites.evaluate).
SuiteResults = dict[str, dict[str, Any]]


class Evaluator:
    """`config.eval`'s suites, loaded once; `run` scores a model and writes the results.

    Periodic evaluations use an evenly spread subset of each suite (`eval.periodic_max_tasks`),
    the same tasks every time, so the curve is comparable from step to step.
    """

    def __init__(self, config: Any, jsonl_dir: str, tokenizer: Any, mesh: jax.sharding.Mesh,
                 executor: Executor):
        section = config.eval
        self.section = section
        self.tokenizer = tokenizer
        self.mesh = mesh
        self.executor = hosts.SharedScoring(executor)  # each host runs its share of a suite
        self.progress = bool(config.logging.progress_bar)
        self.chat = config.data.prompt_style == CHAT

        files = file_sources(config.get("tasks"))
        # the evaluated task files, whole (checked against the training mixture before training)
        self.file_suites = {name: self._file_suite(files[name])
                            for name in section.suites if name in files}
        every = {name: self.file_suites[name] if name in files else
                 suites_lib.load_suite(name, jsonl_dir,
                                       families=tuple(section.composite_families),
                                       prompt_style=config.data.prompt_style)
                 for name in section.suites}
        self.final_suites = {name: suites_lib.subset(tasks, int(section.max_tasks))
                             for name, tasks in every.items()}
        self.periodic_suites = {name: suites_lib.subset(tasks, int(section.periodic_max_tasks))
                                for name, tasks in every.items()}

    def _file_suite(self, source: FileSource) -> list[suites_lib.Task]:
        """A task file's tasks, asked through the chat template under chat, with expected
        values computed from the reference solution where the file holds inputs only."""
        tasks = [dataclasses.replace(t, chat=self.chat) for t in source.load()]
        return with_expected_outputs(tasks, self.executor)

    def _completer(self, model: Decoder) -> SamplerCompleter:
        return SamplerCompleter(model, self.tokenizer, self.mesh,
                                batch_size=int(self.section.batch_size), chat=self.chat,
                                progress=self.progress)

    def run(self, model: Decoder, step: int, out_dir: str, *, periodic: bool = False,
            seed: int = 0) -> SuiteResults:
        """Score `model` on the suites; results go to `out_dir/eval/step_<step>.json`."""
        section = self.section
        completer = self._completer(model)
        results = suites_lib.evaluate(
            completer, self.periodic_suites if periodic else self.final_suites, self.executor,
            greedy=bool(section.greedy), num_samples=0 if periodic else int(section.num_samples),
            temperature=float(section.temperature), ks=tuple(section.ks),
            max_new_tokens=int(section.max_new_tokens), seed=seed, progress=self.progress)
        if jax.process_index() == 0:
            suites_lib.write_results(out_dir, step, results)
        return results

    def score_tasks(self, model: Decoder, name: str, tasks: list[suites_lib.Task],
                    out_dir: str, *, max_new_tokens: int, seed: int = 0, num_samples: int = 0,
                    temperature: float = 1.0) -> SuiteResults:
        """`tasks`, other than the configured suites, scored as suite `name`: greedy pass/fail
        (`num_samples=0`), or how many of `num_samples` samples at `temperature` pass
        (`n_correct`). Written to `out_dir/eval/step_00000000.json`."""
        completer = self._completer(model)
        results = suites_lib.evaluate(completer, {name: tasks}, self.executor,
                                      greedy=num_samples == 0, num_samples=num_samples,
                                      temperature=temperature, ks=(1,),
                                      max_new_tokens=max_new_tokens, seed=seed,
                                      progress=self.progress)
        if jax.process_index() == 0:
            suites_lib.write_results(out_dir, 0, results)
        return results
