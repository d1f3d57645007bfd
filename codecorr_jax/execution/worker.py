"""Sandbox worker: a persistent single-threaded server that forks one fresh child per program.

The executor starts each worker as `python -I -S worker.py CONFIG_JSON` with accelerators hidden,
so a worker holds no jax, no threads and little memory: forking it is safe and takes well under a
millisecond. Per job the worker forks a child (see `sandbox.py`), watches the result pipe, the
output pipe and the child itself against a per-test and a per-program deadline, kills the whole
process group on timeout, then kills and reaps every process the program left behind (the worker
is their subreaper, and when running as root each worker owns a private sandbox uid whose every
process is killed). It forwards what it saw to the executor; it never judges pass or fail.

Protocol with the executor (both directions): 8-byte big-endian length, then UTF-8 JSON.
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import select
import signal
import stat
import struct
import sys
import time
from typing import Any

if __package__:
    from codecorr_jax.execution import sandbox
else:  # started as a script in a bare interpreter: load the sibling module without the package
    import types

    sandbox = types.ModuleType("codecorr_sandbox")
    sandbox.__file__ = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sandbox.py")
    with open(sandbox.__file__, encoding="utf-8") as _source:
        exec(compile(_source.read(), sandbox.__file__, "exec"), sandbox.__dict__)  # noqa: S102
    sys.modules[sandbox.__name__] = sandbox

PR_SET_CHILD_SUBREAPER = 36
_HEADER = struct.Struct(">Q")
_READ_CHUNK = 1 << 16
_SHARED_DIR_CLOCK_SLACK_NS = 200_000_000  # directory mtimes use a coarse clock
_REAP_PATIENCE_S = 10.0
_MAX_DEPTH = 32
_CONTROL_FD_FLOOR = 64
_COMPILED_TESTS_KEPT = 256
_FRAME_SLACK_BYTES = 2048  # a frame's fields besides the return value (message, time, ...)
_DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


# --------------------------------------------------------------------------- protocol

def write_message(fd: int, message: Any) -> None:
    """Send one length-prefixed JSON message."""
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    view = memoryview(_HEADER.pack(len(body)) + body)
    while view:
        view = view[os.write(fd, view):]


def read_message(fd: int) -> Any | None:
    """Receive one message; None at end of stream."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    body = _read_exactly(fd, _HEADER.unpack(header)[0])
    if body is None:
        return None
    return json.loads(body)


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


# --------------------------------------------------------------------------- the worker

class Worker:
    """Runs jobs one at a time. `config` is `ExecutorConfig.worker_settings()`."""

    def __init__(self, config: dict) -> None:
        self.config = config
        self.is_root = os.geteuid() == 0
        self.drops_privileges = self.is_root and config["drop_privileges"]
        self.uid: int | None = None
        self._uid_lock_fd: int | None = None
        self._nproc_checked = 0.0
        self.limits = dict(config)
        self.workdir = ""
        self._compiled_tests: dict[str, Any] = {}

    # ---- start-up

    def start(self) -> None:
        """Become subreaper, claim a private sandbox uid (root) and prove the sandbox works."""
        sandbox.libc_call("prctl", PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        sandbox.warm_up()
        self.workdir = os.path.join(self.config["work_root"], f"worker_{os.getpid()}")
        os.mkdir(self.workdir, 0o700)
        sandbox.prepare_worker(self.workdir)
        if self.drops_privileges:
            sandbox.pin_import_path()
            self.uid = self._claim_uid()
            self.limits["nproc_limit"] = self.config["max_processes"]
            self._kill_stragglers()  # leftovers of a worker that held this uid and died
            self._reap_everything()
        reply = self.run({"source": "def f(x):\n    return x + 1\n", "entry_point": "f",
                          "args": ["[1]"]}, control_fd=None)
        try:
            frames = [json.loads(text) for text in reply["frames"]]
        except ValueError:
            frames = []
        kinds = [(f.get("k"), f.get("o")) for f in frames]
        if reply["tampered"] or kinds != [("ready", None), ("ok", 2), ("done", None)]:
            raise RuntimeError(
                f"sandbox self-test failed (isolation={self.config['isolation']!r}, "
                f"root={self.is_root}, drop_privileges={self.drops_privileges}): exit status "
                f"{reply['exit_code']}, signal {reply['signal']}, output "
                f"{reply['output'][-500:]!r}, frames {reply['frames']}")

    def _claim_uid(self) -> int:
        """Lock a sandbox uid no other worker on this machine uses (a file lock per uid, held for
        the worker's lifetime and released by the kernel when it dies)."""
        lock_dir = self.config["lock_dir"]
        os.makedirs(lock_dir, mode=0o700, exist_ok=True)
        info = os.lstat(lock_dir)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
            raise RuntimeError(f"uid lock directory {lock_dir!r} must be a directory owned by "
                               "this user with mode 0700")
        base, count = self.config["sandbox_uid_base"], self.config["sandbox_uid_count"]
        for uid in range(base, base + count):
            fd = os.open(os.path.join(lock_dir, str(uid)), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self._uid_lock_fd = fd
            return uid
        raise RuntimeError(f"all {count} sandbox uids from {base} are in use on this machine")

    # ---- one job

    def run(self, job: dict, control_fd: int | None) -> dict | None:
        """Run one program; the reply the executor judges, or None if the executor went away."""
        config = self.config
        if not self.is_root and time.monotonic() - self._nproc_checked > 10.0:
            # Not root: RLIMIT_NPROC counts every process of our uid, the trainer's included.
            self.limits["nproc_limit"] = _count_tasks_of(os.getuid()) + config["max_processes"]
            self._nproc_checked = time.monotonic()
        workdir = self.workdir
        _reset_workdir(workdir, self.uid)
        if job.get("test_code") is not None:
            job["test_compiled"] = self._compiled_test(job["test_code"])
        nonce = os.urandom(12).hex()
        result_r, result_w = os.pipe()
        output_r, output_w = os.pipe()
        started_ns, started = time.time_ns(), time.monotonic()
        run_child, _exit = sandbox.run_child, os._exit
        pid = os.fork()
        if pid == 0:  # the child: run_child never returns; _exit is a second guard
            try:
                run_child(job, self.limits, result_fd=result_w, output_fd=output_w,
                          workdir=workdir, nonce=nonce, uid=self.uid)
            finally:
                _exit(sandbox.EXIT_HARNESS_ERROR)
        os.close(result_w)
        os.close(output_w)
        # Room for every test's frame at its largest (JSON tests and stdin/stdout cases alike);
        # beyond it the channel counts as tampered.
        frames = len(job.get("args") or ()) + len(job.get("stdin") or ()) + 3
        watch = _Watch(pid, result_r, output_r, nonce, config,
                       result_cap=frames * (config["max_result_bytes"] + _FRAME_SLACK_BYTES))
        try:
            status, killed = watch.wait(control_fd, started)
        finally:
            if watch.status is None:  # not reaped (aborted, or an error): kill it first. Once
                _kill_group(pid)      # reaped, its pid may belong to an unrelated process.
            self._reap_everything()
            watch.drain()
            os.close(result_r)
            os.close(output_r)
            _empty_directory(workdir)
            if self.uid is not None:
                self._clean_shared_dirs(started_ns)
        if killed == "aborted":
            return None
        return {
            "frames": watch.frames,
            "tampered": watch.tampered,
            "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "killed": killed,
            "wall_s": watch.ended - started,
            "output": watch.output.decode("utf-8", "replace"),
            "output_truncated": watch.output_truncated,
        }

    def _compiled_test(self, test_code: str) -> Any:
        """Test code is trusted and repeats across samples of a problem: compile it once here
        and let children inherit the code object (None: let the child compile and report)."""
        code = self._compiled_tests.pop(test_code, None)
        if code is None:
            try:
                code = sandbox.compile_test_code(test_code)
            except Exception:  # noqa: BLE001 - the child reports the error
                return None
            if len(self._compiled_tests) >= _COMPILED_TESTS_KEPT:
                del self._compiled_tests[next(iter(self._compiled_tests))]
        self._compiled_tests[test_code] = code  # most recently used last
        return code

    # ---- clean-up

    def _reap_everything(self) -> None:
        """Kill and reap every process the program left. Orphans are reparented to this worker
        (subreaper), so 'no children left' means nothing of the program survives."""
        deadline = time.monotonic() + _REAP_PATIENCE_S
        next_kill = 0.0
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid:
                continue
            now = time.monotonic()
            if now > deadline:
                print(f"sandbox worker {os.getpid()}: could not reap all children",
                      file=sys.stderr)
                return
            if now >= next_kill:
                self._kill_stragglers()
                next_kill = now + 0.02
            time.sleep(0.0002)

    def _kill_stragglers(self) -> None:
        if self.uid is not None:
            # A helper that becomes the sandbox uid and kill(-1)s: every process of that uid.
            pid = os.fork()
            if pid == 0:
                try:
                    os.setgroups([])
                    os.setresgid(self.uid, self.uid, self.uid)
                    os.setresuid(self.uid, self.uid, self.uid)
                    for _ in range(3):
                        os.kill(-1, signal.SIGKILL)
                finally:
                    os._exit(0)
            return
        me = os.getpid()
        for child in _children_of(me):
            for kill in (os.killpg, os.kill):
                try:
                    kill(child, signal.SIGKILL)
                except OSError:
                    pass

    def _clean_shared_dirs(self, started_ns: int) -> None:
        """Remove top-level entries the sandbox uid left in world-writable directories."""
        for directory in self.config["cleanup_dirs"]:
            try:
                if os.stat(directory).st_mtime_ns < started_ns - _SHARED_DIR_CLOCK_SLACK_NS:
                    continue  # not modified since the program started
                directory_fd = os.open(directory, _DIRECTORY_FLAGS)
            except OSError:
                continue
            try:
                _remove_entries(directory_fd, only_uid=self.uid)
            finally:
                os.close(directory_fd)


class _Watch:
    """Follows one child: collects result frames and capped output, enforces the deadlines."""

    def __init__(self, pid: int, result_fd: int, output_fd: int, nonce: str, config: dict,
                 result_cap: int) -> None:
        self.pid, self.result_fd, self.output_fd = pid, result_fd, output_fd
        self.prefix = (nonce + " ").encode("ascii")
        self.test_window = config["test_timeout_s"] + config["kill_grace_s"]
        self.program_timeout = config["program_timeout_s"]
        self.output_cap = config["max_output_bytes"]
        self.result_cap = result_cap
        self.frames: list[str] = []
        self.tampered: str | None = None
        self.output = bytearray()
        self.output_truncated = False
        self.status: int | None = None
        self.ended = 0.0
        self._pending = bytearray()
        self._result_bytes = 0
        self._open = {result_fd, output_fd}

    def wait(self, control_fd: int | None, started: float) -> tuple[int, str | None]:
        """Until the child exits: (wait status, None or why we killed it)."""
        poller = select.poll()
        for fd in self._open:
            poller.register(fd, select.POLLIN)
        if control_fd is not None:
            poller.register(control_fd, select.POLLIN)
        try:
            pidfd = os.pidfd_open(self.pid)
            poller.register(pidfd, select.POLLIN)
        except (AttributeError, OSError):  # old kernel: poll the child's state instead
            pidfd = None
        program_deadline = started + self.program_timeout
        stage_deadline = started + self.test_window
        killed: str | None = None
        try:
            while True:
                now = time.monotonic()
                if killed is None and now >= min(program_deadline, stage_deadline):
                    killed = ("program_timeout" if program_deadline <= stage_deadline
                              else "test_timeout")
                    _kill_group(self.pid)
                if killed is None:
                    wait_ms = max(1, int((min(program_deadline, stage_deadline) - now) * 1000)
                                  + 1)
                else:
                    wait_ms = 50
                if pidfd is None:
                    wait_ms = min(wait_ms, 2)
                check_exit = pidfd is None
                for fd, _ in poller.poll(wait_ms):
                    if fd == self.result_fd:
                        if self._read_results(poller):
                            stage_deadline = time.monotonic() + self.test_window
                    elif fd == self.output_fd:
                        self._read_output(poller)
                    elif fd == control_fd:
                        _kill_group(self.pid)
                        return 0, "aborted"
                    else:
                        check_exit = True
                if check_exit:
                    result = os.waitid(os.P_PID, self.pid,
                                       os.WEXITED | os.WNOHANG | os.WNOWAIT)
                    if result is not None:
                        self.ended = time.monotonic()
                        _kill_group(self.pid)  # the group lives on while the leader is a zombie
                        _, self.status = os.waitpid(self.pid, 0)
                        return self.status, killed
        finally:
            if pidfd is not None:
                os.close(pidfd)

    def drain(self) -> None:
        """Read what is left in the pipes once every writer is dead."""
        for fd in list(self._open):
            os.set_blocking(fd, False)
        while self._open:
            progressed = False
            for fd in list(self._open):
                try:
                    if fd == self.result_fd:
                        self._read_results(None)
                    else:
                        self._read_output(None)
                    progressed = True
                except BlockingIOError:
                    self._open.discard(fd)
            if not progressed:
                break
        if self._pending and self.tampered is None:
            self.tampered = "unterminated data on the result channel"

    def _read_results(self, poller: select.poll | None) -> bool:
        """Read result bytes; True if at least one complete frame arrived."""
        data = os.read(self.result_fd, _READ_CHUNK)
        if not data:
            self._close(self.result_fd, poller)
            return False
        self._result_bytes += len(data)
        if self._result_bytes > self.result_cap:
            self.tampered = self.tampered or "result channel overflow"
            self._pending.clear()
            return False
        self._pending += data
        got_frame = False
        while True:
            end = self._pending.find(b"\n")
            if end < 0:
                return got_frame
            line = bytes(self._pending[:end])
            del self._pending[:end + 1]
            if line.startswith(self.prefix):
                self.frames.append(line[len(self.prefix):].decode("ascii", "replace"))
                got_frame = True
            else:
                self.tampered = self.tampered or "foreign data on the result channel"

    def _read_output(self, poller: select.poll | None) -> None:
        data = os.read(self.output_fd, _READ_CHUNK)
        if not data:
            self._close(self.output_fd, poller)
            return
        room = self.output_cap - len(self.output)
        if len(data) > room:
            self.output_truncated = True
        if room > 0:
            self.output += data[:room]

    def _close(self, fd: int, poller: select.poll | None) -> None:
        self._open.discard(fd)
        if poller is not None:
            poller.unregister(fd)


def _reset_workdir(path: str, uid: int | None) -> None:
    """The program may have changed its directory's mode or left it in any state: reset it."""
    os.chmod(path, 0o700)
    if uid is not None:
        os.chown(path, uid, uid)


def _empty_directory(path: str) -> None:
    """Delete everything inside `path`, keeping `path` itself. Never follows symlinks; bounded
    recursion and open files however deep the program nested its directories."""
    try:
        directory_fd = os.open(path, _DIRECTORY_FLAGS)
    except FileNotFoundError:
        os.mkdir(path, 0o700)
        return
    try:
        _remove_entries(directory_fd)
    finally:
        os.close(directory_fd)


def _remove_entries(directory_fd: int, only_uid: int | None = None) -> None:
    """Remove the entries of a directory (those owned by `only_uid`, if given)."""
    for _ in range(1 << 16):
        moved = False
        for entry in list(os.scandir(directory_fd)):
            try:
                if only_uid is None or entry.stat(follow_symlinks=False).st_uid == only_uid:
                    moved |= _remove(directory_fd, entry.name, directory_fd, 0)
            except OSError:
                pass
        if not moved:
            return


def _remove(parent_fd: int, name: str, top_fd: int, depth: int) -> bool:
    """Remove `name` in `parent_fd`. Directories nested deeper than _MAX_DEPTH are moved up to
    `top_fd` instead (True is returned: the caller goes round again)."""
    try:
        os.unlink(name, dir_fd=parent_fd)
        return False
    except IsADirectoryError:
        pass
    except OSError:
        return False
    if depth >= _MAX_DEPTH:
        try:
            os.rename(name, f".deep_{os.urandom(8).hex()}", src_dir_fd=parent_fd,
                      dst_dir_fd=top_fd)
            return True
        except OSError:
            return False
    try:
        os.chmod(name, 0o700, dir_fd=parent_fd, follow_symlinks=False)
        directory_fd = os.open(name, _DIRECTORY_FLAGS, dir_fd=parent_fd)
    except OSError:
        return False
    moved = False
    try:
        for entry in list(os.scandir(directory_fd)):
            moved |= _remove(directory_fd, entry.name, top_fd, depth + 1)
    finally:
        os.close(directory_fd)
    try:
        os.rmdir(name, dir_fd=parent_fd)
    except OSError:
        pass
    return moved


def _kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _children_of(parent: int) -> list[int]:
    children = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            children.append(int(name))
    return children


def _count_tasks_of(uid: int) -> int:
    """Threads of every process owned by `uid` (what RLIMIT_NPROC counts)."""
    total = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", encoding="utf-8") as f:
                text = f.read()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if int(fields.get("Uid", "-1 0").split()[0]) == uid:
            total += int(fields.get("Threads", "1"))
    return total


# --------------------------------------------------------------------------- entry point

def main(argv: list[str]) -> int:
    """Serve jobs from the executor until it closes our stdin."""
    # Private copies of the control pipes, out of the way; fds 0 and 1 go to /dev/null, and fd 3
    # holds a placeholder so that no pipe of ours ever lands on the child's RESULT_FD.
    control_in = fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, _CONTROL_FD_FLOOR)
    control_out = fcntl.fcntl(1, fcntl.F_DUPFD_CLOEXEC, _CONTROL_FD_FLOOR)
    devnull = os.open(os.devnull, os.O_RDWR)  # close-on-exec, like every fd Python opens
    for fd in (0, 1, sandbox.RESULT_FD):
        if fd != devnull:
            os.dup2(devnull, fd, inheritable=fd != sandbox.RESULT_FD)
    if devnull not in (0, 1, sandbox.RESULT_FD):
        os.close(devnull)
    worker = Worker(json.loads(argv[1]))
    try:
        worker.start()
    except Exception as exc:  # noqa: BLE001 - reported to the executor, which raises it
        write_message(control_out, {"ok": False, "error": f"{type(exc).__name__}: {exc}"})
        return 1
    write_message(control_out, {"ok": True, "uid": worker.uid, "pid": os.getpid()})
    gc.collect()
    gc.freeze()  # children then leave the worker's objects alone: fewer copy-on-write faults
    while True:
        job = read_message(control_in)
        if job is None:
            return 0
        reply = worker.run(job, control_in)
        if reply is None:
            return 0
        reply["id"] = job.get("id")
        write_message(control_out, reply)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
