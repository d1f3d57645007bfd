"""What made a result: the machine it ran on and the code it ran.

A figure is only worth pairing with another made on the same CPU, base and code; the study's
report, each study run's record and a shipped base's manifest name them from here.
"""

from __future__ import annotations

import os
import platform
import subprocess

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cpu_name() -> str:
    """The CPU's model name (Linux's /proc/cpuinfo), else what `platform` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def machine() -> str:
    """The CPU model, core count, platform and JAX version, in one line."""
    import jax

    return (f"{cpu_name()}, {os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}, jax {jax.__version__}")


def code_commit(repository: str = REPOSITORY) -> str:
    """The git commit of the code in `repository`, with "+modified" when tracked files differ
    from it (what ran was not that commit); "unknown" outside a git checkout."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True,
                              cwd=repository, timeout=30).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        modified = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+modified" if modified else "")
