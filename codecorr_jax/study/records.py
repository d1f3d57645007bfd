"""A study's records: what its report reads, without its checkpoints, to commit and restore.

A CPU study takes longer than one session of its machine, and a run directory does not outlive
the machine. `save` packs the records of every finished run of a study workdir (its cell.json,
time_spent.json, cell_config.json and, per stage, run.json, the final evaluation, metrics and
reports; the links to stages another cell made) with the base's shared scores into one small
archive that can be committed; `restore` unpacks archives into a study workdir, where the
runner counts those runs as finished and the report reads them beside the runs made there.
Absolute paths in the records are written as `<workdir>` and `<repository>` and put back on
restore, so a restored run reads as if it had run in its new workdir.

Split a long study by seed, one archive each: a cell that reuses another cell's SFT (the
atoms-first cells, PPO on other prompts) needs that SFT's checkpoint, which records do not
hold, so both must run in the same session.

    python launch/main.py --config=configs/study.py --workdir=runs/study --config.study.seeds=0,
    python -m codecorr_jax.study.records save runs/study docs/results/study_cpu/seed0.tar.gz
    # another session, another machine:
    python -m codecorr_jax.study.records restore docs/results/study_cpu/seed0.tar.gz runs/study
    python launch/main.py --config=configs/study.py --workdir=runs/study  # seeds 1, 2; report
"""

from __future__ import annotations

import argparse
import glob
import io
import os
import tarfile
from typing import Iterator, Sequence

from codecorr_jax.fileio import read_json
from codecorr_jax.study.runner import DONE, ROOT, finished_record

WORKDIR, REPOSITORY = "<workdir>", "<repository>"
RUN_FILES = (DONE, "time_spent.json", "cell_config.json")
STAGE_DIRS = ("sft", "sft_then_rl", "rl")
STAGE_FILES = ("run.json", "eval/latest.json", "metrics.jsonl", "report.md", "results.md")
LINKS = (*STAGE_DIRS, "base_eval")  # what a cell's directory may link to elsewhere in the study
TEXT = (".json", ".jsonl", ".md")  # files whose absolute paths are rewritten
SHARED_BASE_EVAL = os.path.join("study", "shared", "base_eval")
SHARED_FILES = ("run.json", "latest.json")  # of each base evaluation there


def _run_dirs(workdir: str, seeds: Sequence[int] | None) -> list[str]:
    """The finished runs' directories (relative to `workdir`), sorted."""
    out = []
    for done in sorted(glob.glob(os.path.join(workdir, "study", "cells", "*", "seed*", DONE))):
        run_dir = os.path.dirname(done)
        seed = int(os.path.basename(run_dir)[len("seed"):])
        if finished_record(run_dir) is not None and (seeds is None or seed in seeds):
            out.append(os.path.relpath(run_dir, workdir))
    return out


def _path_pairs(workdir: str, run_dir: str) -> list[tuple[str, str]]:
    """(path, placeholder) pairs for the run's text files: the study workdir, the repository
    and the interpreter as the run's own command named them (a study started from another
    checkout or through a symbolic link wrote those paths, not today's), then today's."""
    command = (read_json(os.path.join(workdir, run_dir, DONE)) or {}).get("command", [""])
    cell_workdir = next((a.split("=", 1)[1] for a in command if a.startswith("--workdir=")), "")
    main = next((a for a in command if a.endswith(os.path.join("launch", "main.py"))), "")
    depth = len(run_dir.split(os.sep))  # study/cells/<cell>/seed<k>
    recorded = cell_workdir
    for _ in range(depth):
        recorded = os.path.dirname(recorded)
    repo = os.path.dirname(os.path.dirname(main)) if main else ROOT
    return [(f'"{command[0]}"', '"python"'), (recorded, WORKDIR),
            (os.path.abspath(workdir), WORKDIR), (repo, REPOSITORY), (ROOT, REPOSITORY)]


def _members(workdir: str, run_dirs: Sequence[str]) -> Iterator[str]:
    """Every file and link to pack, relative to `workdir`."""
    for run_dir in run_dirs:
        for name in RUN_FILES:
            yield os.path.join(run_dir, name)
        for link in LINKS:
            if os.path.islink(os.path.join(workdir, run_dir, link)):
                yield os.path.join(run_dir, link)
        for stage in STAGE_DIRS:
            if os.path.islink(os.path.join(workdir, run_dir, stage)):
                continue  # another cell's stage: packed with that cell
            for name in STAGE_FILES:
                yield os.path.join(run_dir, stage, name)
    for path in sorted(glob.glob(os.path.join(workdir, SHARED_BASE_EVAL, "**"), recursive=True)):
        if os.path.basename(path) in SHARED_FILES:
            yield os.path.relpath(path, workdir)


def _rewrite(text: str, pairs: Sequence[tuple[str, str]]) -> str:
    for old, new in pairs:
        if old:
            text = text.replace(old, new)
    return text


def save(workdir: str, archive: str, seeds: Sequence[int] | None = None) -> list[str]:
    """Pack the records of `workdir`'s finished runs (of `seeds`, default all) into `archive`
    (.tar.gz); returns the runs packed. A link to a stage of a run not packed is refused."""
    run_dirs = _run_dirs(workdir, seeds)
    if not run_dirs:
        raise ValueError(f"{workdir}: no finished study run to save (study/cells/*/seed*/{DONE})")
    os.makedirs(os.path.dirname(os.path.abspath(archive)), exist_ok=True)
    partial = f"{archive}.partial"
    try:
        _pack(workdir, run_dirs, partial)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise
    os.replace(partial, archive)
    return run_dirs


def _pack(workdir: str, run_dirs: Sequence[str], archive: str) -> None:
    pairs = {run_dir: _path_pairs(workdir, run_dir) for run_dir in run_dirs}
    with tarfile.open(archive, "w:gz") as tar:
        for member in _members(workdir, run_dirs):
            path = os.path.join(workdir, member)
            if os.path.islink(path):
                target = os.path.normpath(os.path.join(os.path.dirname(member),
                                                       os.readlink(path)))
                if not (target.startswith(SHARED_BASE_EVAL)
                        or os.path.dirname(target) in run_dirs):
                    raise ValueError(f"{member} links to {target}, a run not saved with it: "
                                     "save the seeds of both together")
                info = tarfile.TarInfo(member)
                info.type, info.linkname = tarfile.SYMTYPE, os.readlink(path)
                tar.addfile(info)
                continue
            if not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                data = f.read()
            if member.endswith(TEXT):
                run_dir = next((r for r in run_dirs if member.startswith(r + os.sep)),
                               run_dirs[0])  # the shared base scores: the first run's paths
                data = _rewrite(data.decode("utf-8"), pairs[run_dir]).encode("utf-8")
            info = tarfile.TarInfo(member)
            info.size, info.mtime, info.mode = len(data), int(os.path.getmtime(path)), 0o644
            tar.addfile(info, io.BytesIO(data))


def restore(archive: str, workdir: str) -> list[str]:
    """Unpack `archive` into the study workdir `workdir`; returns the runs restored. A run that
    already finished there is left as it is; its records in the archive are skipped."""
    workdir = os.path.abspath(workdir)
    restored, kept = [], set()
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        for member in members:
            name = os.path.normpath(member.name)
            if name.startswith(("..", os.sep)) or not (member.isfile() or member.issym()):
                raise ValueError(f"{archive}: {member.name} is not a study record")
            if os.path.basename(name) == DONE:
                run_dir = os.path.dirname(name)
                if read_json(os.path.join(workdir, name)) is not None:
                    kept.add(run_dir)
                else:
                    restored.append(run_dir)
        for member in members:
            name = os.path.normpath(member.name)
            if any(name.startswith(k + os.sep) for k in kept):
                continue
            path = os.path.join(workdir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if member.issym():
                if not os.path.lexists(path):
                    os.symlink(member.linkname, path)
                continue
            if name.startswith(SHARED_BASE_EVAL) and os.path.exists(path):
                continue  # the base's scores made here stand
            data = tar.extractfile(member).read()
            if name.endswith(TEXT):
                data = _rewrite(data.decode("utf-8"), [(WORKDIR, workdir),
                                                       (REPOSITORY, ROOT)]).encode("utf-8")
            with open(path, "wb") as f:
                f.write(data)
    return sorted(restored)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    saving = commands.add_parser("save", help="pack a study workdir's finished runs")
    saving.add_argument("workdir")
    saving.add_argument("archive", help="the .tar.gz to write")
    saving.add_argument("--seeds", type=int, nargs="*", default=None,
                        help="only these seeds' runs (default: every finished run)")
    restoring = commands.add_parser("restore", help="unpack archives into a study workdir")
    restoring.add_argument("archives", nargs="+")
    restoring.add_argument("workdir")
    args = parser.parse_args(argv)
    if args.command == "save":
        runs = save(args.workdir, args.archive, args.seeds)
        print(f"records    {len(runs)} finished runs saved to {args.archive} "
              f"({os.path.getsize(args.archive) / 1e3:.0f} kB)")
        return
    for archive in args.archives:
        runs = restore(archive, args.workdir)
        print(f"records    {len(runs)} runs restored from {archive} into {args.workdir}")
    print("next       run the study with --workdir=" + args.workdir + ": the restored runs "
          "count as finished, the others run, and the report reads them all")


if __name__ == "__main__":
    main()
