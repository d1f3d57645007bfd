"""What made a result: the code's commit and the machine, as records and reports name them."""

from __future__ import annotations

import subprocess

from codecorr_jax import provenance


def _git(repo, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@localhost", *args],
                          cwd=repo, capture_output=True, text=True, check=True).stdout.strip()


def test_the_commit_names_modified_code_and_is_unknown_outside_git(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "a.py").write_text("x = 1\n")
    _git(repo, "add", "a.py")
    _git(repo, "commit", "-qm", "first")
    head = _git(repo, "rev-parse", "HEAD")
    assert len(head) == 40 and provenance.code_commit(str(repo)) == head
    (repo / "untracked.txt").write_text("not code that ran\n")
    assert provenance.code_commit(str(repo)) == head
    (repo / "a.py").write_text("x = 2\n")
    assert provenance.code_commit(str(repo)) == head + "+modified"
    plain = tmp_path / "plain"
    plain.mkdir()
    assert provenance.code_commit(str(plain)) == "unknown"


def test_the_machine_line_names_cpu_cores_and_jax():
    import os

    import jax

    line = provenance.machine()
    assert line.startswith(provenance.cpu_name() + f", {os.cpu_count()} cores, ")
    assert line.endswith(f"jax {jax.__version__}")
