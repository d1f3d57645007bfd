"""Entry point: `python launch/main.py --config=configs/<regime>.py --workdir=DIR`.

Any config field can be overridden: `--config.sft.learning_rate=1e-5`. A bad config (unknown
field, wrong type, disallowed value, a mesh that does not fit the devices, a model that does not
divide the mesh) stops the run before any compute with one message naming the field.
"""

from __future__ import annotations

import os
import re
import sys

from absl import app, flags, logging
from ml_collections import config_flags

from codecorr_jax import config as config_lib
from codecorr_jax import distributed, library_logs

_CONFIG = config_flags.DEFINE_config_file(
    "config", None, "A regime file in configs/, e.g. configs/inspect.py (or file.py:preset).",
    lock_config=True)
_WORKDIR = flags.DEFINE_string("workdir", "runs/default",
                               "Where checkpoints, logs, datasets and reports go.")


def _fail(message: str, kind: str = "config") -> None:
    print(f"{kind} error: {message}", file=sys.stderr)
    sys.exit(2)


def _check_config_file(argv: list[str]) -> None:
    """A --config file that does not exist: one line saying so and where the regimes' are."""
    for arg in argv:
        if arg.startswith("--config="):
            path = arg.split("=", 1)[1].split(":", 1)[0]
            if not os.path.isfile(path):
                here = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                    "configs")
                known = sorted(f for f in os.listdir(here) if f.endswith(".py")) \
                    if os.path.isdir(here) else []
                _fail(f"--config={path}: no such file; the regimes' config files are "
                      f"configs/{{{','.join(known)}}}")


def _prepare_workdir(path: str) -> None:
    """The workdir exists (made when missing) and takes files, or the run stops with one line
    saying what is wrong, before any compute."""
    if os.path.exists(path) and not os.path.isdir(path):
        _fail(f"--workdir={path} is a file; give a directory (it is made when missing)",
              "workdir")
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, f".write_probe.{os.getpid()}")
        with open(probe, "w", encoding="utf-8") as f:
            f.write("ok")
        os.remove(probe)
    except OSError as e:
        _fail(f"--workdir={path}: cannot write there ({e.strerror or e}); give a directory you "
              "can write to, on a disk with free space", "workdir")


def _describe_flag_error(error: Exception, argv: list[str]) -> str:
    """One line for a flag the config cannot take, naming the --config field."""
    text = str(error.args[0] if error.args else error).replace("\\'", "'")
    if isinstance(error, (KeyError, AttributeError)):
        unknown = re.search(r"'(\w+)'", text)
        suggestion = re.search(r'Did you mean "(\w+)"', text)
        for arg in argv:
            name = arg.split("=", 1)[0]
            if unknown and name.startswith("--config.") and name.endswith("." + unknown.group(1)):
                field = name[len("--config."):]
                hint = ""
                if suggestion:
                    hint = f"; did you mean {field.rsplit('.', 1)[0]}.{suggestion.group(1)}?"
                return f"{name}: config has no field {field!r}{hint}"
    return text.splitlines()[0] if text else repr(error)


def _parse_flags(argv: list[str]) -> list[str]:
    _check_config_file(argv)
    try:
        return flags.FLAGS(argv)
    except (flags.Error, AttributeError, KeyError, TypeError, ValueError) as e:
        _fail(_describe_flag_error(e, argv))
        raise  # unreachable: _fail exits


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        _fail(f"unexpected arguments {argv[1:]}; config fields are set as --config.FIELD=VALUE")
    config = _CONFIG.value
    try:  # reads a checkpoint's config.json at most: no device, no compute
        model_cfg = config_lib.validate(config)
    except config_lib.ConfigError as e:
        _fail(str(e))
    _prepare_workdir(_WORKDIR.value)
    log_path = library_logs.route(_WORKDIR.value)
    from codecorr_jax import regimes

    if config.regime in regimes.HOST_REGIMES:  # its own processes take the devices, not this one
        print(f"log        library logs of this run: {log_path}")
        regimes.get(config.regime)(config, _WORKDIR.value)
        return
    distributed.maybe_initialize(config.distributed)

    import jax  # the backend starts here, after jax.distributed had its chance

    from codecorr_jax.models import sharding
    from codecorr_jax.train.checkpoint import CheckpointCorruptError, CheckpointSaveError
    from codecorr_jax.train.loop import NonFiniteError, Preempted
    try:
        shape = config_lib.validate_for_devices(config, jax.device_count(),
                                                config_lib.sharded_dims(model_cfg))
    except config_lib.ConfigError as e:
        _fail(str(e))
    mesh = sharding.make_mesh(*shape)
    logging.info("regime %s, mesh %s, workdir %s", config.regime, dict(mesh.shape),
                 _WORKDIR.value)
    if jax.process_index() == 0:
        print(f"log        library logs of this run: {log_path}")
    try:
        regimes.get(config.regime)(config, _WORKDIR.value, mesh)
    except config_lib.ConfigError as e:  # found once the run reads its inputs (a base's shape)
        _fail(str(e))
    except (NonFiniteError, CheckpointSaveError, CheckpointCorruptError) as stop:
        print(f"stopped    {stop}", file=sys.stderr, flush=True)
        sys.exit(1)
    except Preempted as stop:
        print(f"preempted  {stop}", flush=True)
        sys.exit(143)  # 128 + SIGTERM, as a killed process reports


if __name__ == "__main__":
    flags.mark_flags_as_required(["config"])
    app.run(main, flags_parser=_parse_flags)
