"""Inside the sandbox: the code that runs in the freshly forked child, around the program.

The child confines itself (session, resource limits, optional namespaces, unprivileged uid), runs
the program, calls the entry point on every test's arguments (or, for standard-input/output
cases, runs the whole program once per case on that case's input) and reports what happened as
framed JSON lines on a private result pipe. It never sees expected outputs: the trusted parent
compares them, so nothing the program does in here (patching builtins, `json`, `sys.stdout`,
`__eq__` tricks, printing "all passed", exiting early) can turn a wrong answer into a pass.

Stdlib only, and no import of the `codecorr_jax` package: this module is loaded by the sandbox
worker, a bare interpreter (`python -I -S`) that must stay free of jax and accelerator runtimes.
"""

from __future__ import annotations

import builtins
import ctypes
import io
import json
import os
import resource
import signal
import sys
import time
from json import encoder as _json_encoder
from typing import Any, Callable, NoReturn

RESULT_FD = 3  # where the child keeps the write end of the result pipe
_first_closed_fd = RESULT_FD + 1  # the child closes every fd from here on (see pin_import_path)
PROGRAM_FILENAME = "<program>"
TEST_FILENAME = "<test>"
MESSAGE_CHARS = 300

# Exit statuses of the child besides 0 (finished); the parent reports them as crashes.
EXIT_HARNESS_ERROR = 70
EXIT_SETUP_ERROR = 71

# Frame kinds (the "k" field). Test frames carry "i", the test index.
FRAME_READY = "ready"       # program loaded, entry point found (stdio: program compiled)
FRAME_LOAD = "load"         # program could not be loaded: "v" says why (a test kind or "syntax")
LOAD_SYNTAX = "syntax"
FRAME_DONE = "done"         # every test ran; the child exits right after
TEST_OK = "ok"              # returned a JSON value "o" (stdio: "o" is the printed text)
TEST_FAIL = "fail"          # a test-code assertion failed (test_code mode)
TEST_ERROR = "error"        # raised an exception
TEST_TIMEOUT = "timeout"    # hit the per-test timer
TEST_MEMORY = "memory"      # MemoryError
TEST_UNSERIALIZABLE = "unserializable"  # returned a value that is not JSON, or is too large

# prctl(2) options and namespace flags (linux/prctl.h, linux/sched.h, linux/mount.h).
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND = 32, 1024, 2048, 4096
MS_REC, MS_PRIVATE, MS_RELATIME, MS_STRICTATIME = 16384, 1 << 18, 1 << 21, 1 << 24
_MOUNT_OPTION_FLAGS = {"ro": MS_RDONLY, "nosuid": MS_NOSUID, "nodev": MS_NODEV,
                       "noexec": MS_NOEXEC, "noatime": MS_NOATIME, "nodiratime": MS_NODIRATIME,
                       "relatime": MS_RELATIME, "strictatime": MS_STRICTATIME}

# What a program sees in os.environ (plus HOME and TMPDIR: its working directory).
# Accelerators stay hidden from workers and programs alike.
CHILD_ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
                     "PYTHONIOENCODING": "utf-8", "OMP_NUM_THREADS": "1",
                     "CUDA_VISIBLE_DEVICES": "", "HIP_VISIBLE_DEVICES": "",
                     "JAX_PLATFORMS": "cpu"}

_LIBC = ctypes.CDLL(None, use_errno=True)
for _name in ("prctl", "unshare", "mount"):
    getattr(_LIBC, _name)  # resolve now, once, instead of in every child


class SandboxTimeout(BaseException):
    """Raised by the per-test timer. A BaseException so `except Exception` in a program does not
    swallow it (a bare `except:` can; then the worker's hard deadline kills the child)."""


class SetupError(Exception):
    """The child could not confine itself; it must not run the program."""


def libc_call(name: str, *args: Any) -> int:
    """Call a libc function; raise OSError naming it on failure."""
    result = getattr(_LIBC, name)(*args)
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{name}{args!r} failed: {os.strerror(err)}")
    return result


def run_child(job: dict, limits: dict, *, result_fd: int, output_fd: int, workdir: str,
              nonce: str, uid: int | None, _exit: Callable[[int], NoReturn] = os._exit,
              _write: Callable[[int, bytes], int] = os.write) -> NoReturn:
    """Entry point of the forked child: confine, run, report, exit. Never returns, even when
    the program has patched `os` or this module (the exit function is bound at definition)."""
    status = EXIT_HARNESS_ERROR
    try:
        _redirect_fds(result_fd, output_fd)
        try:
            confine(limits, workdir, uid)
        except BaseException as exc:  # noqa: BLE001 - any failure: do not run untrusted code
            _write(2, f"sandbox set-up failed: {exc!r}\n".encode("utf-8", "replace"))
            status = EXIT_SETUP_ERROR
        else:
            _run_program(job, limits, nonce)
            status = 0
    except BaseException:  # noqa: BLE001 - a program can make harness code raise anything
        pass
    finally:
        _exit(status)


def _redirect_fds(result_fd: int, output_fd: int) -> None:
    """stdin from /dev/null, stdout+stderr to the capped output pipe, the result pipe at fd 3
    (close-on-exec, so programs it spawns do not inherit it), every other fd closed."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.dup2(result_fd, RESULT_FD, inheritable=False)
    os.closerange(_first_closed_fd, 1 << 20)


def pin_import_path() -> None:
    """Keep the import path readable after the privilege drop.

    The interpreter may live where the sandbox uid cannot search (e.g. under a 0700 home
    directory), which would make `import math` fail in programs. The worker opens each import
    directory while still root, at fixed fds right after RESULT_FD, and points sys.path at them
    through /proc/self/fd: the kernel then checks only the permissions of those directories and
    what lies below them, never their ancestors. Children inherit the fds (close-on-exec)."""
    global _first_closed_fd
    number = RESULT_FD + 1
    entries, renamed = [], {}
    for entry in sys.path:
        if not os.path.isdir(entry):
            continue
        try:
            os.fstat(number)
        except OSError:
            pass
        else:
            raise RuntimeError(f"fd {number} is in use; pin the import path before opening files")
        fd = os.open(entry, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        if fd != number:
            os.dup2(fd, number, inheritable=False)
            os.close(fd)
        entries.append(f"/proc/self/fd/{number}")
        renamed[os.path.abspath(entry)] = entries[-1]
        number += 1
    sys.path[:] = entries
    sys.path_importer_cache.clear()
    # Packages imported already keep searching their own directories for submodules
    # (encodings.idna, json.tool, ...): point those at the pinned fds too.
    for module in list(sys.modules.values()):
        search = getattr(module, "__path__", None)
        if isinstance(search, list):
            search[:] = [_pinned(path, renamed) for path in search]
    _first_closed_fd = number


def _pinned(path: str, renamed: dict[str, str]) -> str:
    """`path` rewritten below the pinned fd of the import directory that contains it."""
    for original, pinned in renamed.items():
        if path == original or path.startswith(original + os.sep):
            return pinned + path[len(original):]
    return path


def prepare_worker(workdir: str) -> None:
    """Process-wide state every child inherits, set once in the worker instead of per child:
    the per-test timer's handler, SIGXFSZ ignored (an oversized write raises OSError instead of
    killing the program), and the program's environment (the worker's own is already minimal)."""
    def on_alarm(signum: int, stack: Any, _timeout: type = SandboxTimeout) -> None:
        raise _timeout()

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for key in list(os.environ):
        if key not in CHILD_ENVIRONMENT:
            del os.environ[key]
    os.environ.update(CHILD_ENVIRONMENT)
    os.environ.update({"HOME": workdir, "TMPDIR": workdir})


def confine(limits: dict, workdir: str, uid: int | None) -> None:
    """Own session, resource limits, optional namespaces, then drop to the sandbox uid."""
    os.setsid()
    mb = 1 << 20
    setrlimit = resource.setrlimit
    setrlimit(resource.RLIMIT_CORE, (0, 0))
    setrlimit(resource.RLIMIT_AS, (limits["memory_limit_mb"] * mb,) * 2)
    setrlimit(resource.RLIMIT_CPU, (limits["cpu_seconds"], limits["cpu_seconds"] + 1))
    setrlimit(resource.RLIMIT_FSIZE, (limits["max_file_size_mb"] * mb,) * 2)
    setrlimit(resource.RLIMIT_NOFILE, (limits["max_open_files"],) * 2)
    if limits.get("nproc_limit"):
        setrlimit(resource.RLIMIT_NPROC, (limits["nproc_limit"],) * 2)
    if limits["isolation"] == "unshare":
        isolate_unshare(workdir)
    os.chdir(workdir)
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        if os.getuid() != uid or os.geteuid() != uid:
            raise SetupError("privilege drop did not take effect")
    libc_call("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    libc_call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def isolate_unshare(workdir: str) -> None:
    """The "unshare" backend: new network namespace (no network, not even loopback), new IPC
    namespace, and a private mount namespace where every mount is read-only except `workdir`."""
    libc_call("unshare", CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC)
    libc_call("mount", None, b"/", None, MS_REC | MS_PRIVATE, None)
    target = workdir.encode()
    libc_call("mount", target, target, None, MS_BIND, None)
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        mounts = [line.split() for line in f]
    for fields in mounts:
        mount_point = _unescape_mount_path(fields[4])
        if mount_point == workdir:
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for option in fields[5].split(","):
            flags |= _MOUNT_OPTION_FLAGS.get(option, 0)
        libc_call("mount", None, mount_point.encode(), None, flags, None)


def _unescape_mount_path(path: str) -> str:
    """Undo mountinfo's octal escapes (space, tab, newline, backslash)."""
    return (path.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n")
            .replace("\\134", "\\"))


def _run_program(job: dict, limits: dict, nonce: str) -> None:
    """Load the program, run its tests, emit frames.

    Everything the harness uses after the program has started (functions, builtins, constants)
    is bound to a local here first, so a program that patches builtins, `os`, `json` or this
    module cannot change what the harness does, only what it reports about the program itself.
    """
    write, perf_counter, setitimer = os.write, time.perf_counter, signal.setitimer
    itimer_real, result_fd, timeout_error = signal.ITIMER_REAL, RESULT_FD, SandboxTimeout
    make_encoder = _json_encoder.c_make_encoder
    encode_string = _json_encoder.c_encode_basestring_ascii
    if make_encoder is None or encode_string is None:
        raise SetupError("the C JSON encoder is required inside the sandbox")
    exec_, dict_, enumerate_, tuple_, callable_ = exec, dict, enumerate, tuple, callable
    join, type_, len_, memoryview_ = "".join, type, len, memoryview
    describe, is_test_assertion, plain_data_only = (_describe_exception, _is_test_assertion,
                                                    _plain_data_only)
    run_stdio_cases = _run_stdio_cases
    OK, FAIL, ERROR, TIMEOUT, MEMORY, UNSERIALIZABLE = (
        TEST_OK, TEST_FAIL, TEST_ERROR, TEST_TIMEOUT, TEST_MEMORY, TEST_UNSERIALIZABLE)
    READY, LOAD, DONE, SYNTAX = FRAME_READY, FRAME_LOAD, FRAME_DONE, LOAD_SYNTAX
    stdout, stderr = sys.__stdout__, sys.__stderr__
    test_timeout = float(limits["test_timeout_s"])
    max_result = int(limits["max_result_bytes"])
    prefix = (nonce + " ").encode("ascii")

    def reject_default(value: Any) -> Any:
        raise TypeError(f"a {type_(value).__name__} is not a JSON value")

    def encode(value: Any) -> str:
        """Canonical-style JSON text of `value` with the C encoder (immune to patched `json`)."""
        return join(make_encoder({}, reject_default, encode_string, None, ":", ",", True, False,
                                 False)(value, 0))

    def emit(text: str) -> None:
        view = memoryview_(prefix + text.encode("ascii") + b"\n")
        while view:
            view = view[write(result_fd, view):]

    def frame(**fields: Any) -> str:
        return encode(fields)

    def finish() -> None:
        emit(frame(k=DONE))
        for stream in (stdout, stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001 - output is best effort
                pass

    # Decode every test's arguments now: fresh objects per test, decoded before the program runs.
    arg_lists = [tuple(json.loads(text)) for text in job.get("args") or ()]
    entry_point = job["entry_point"]
    test_code = job.get("test_code")
    check_name = job.get("check_name") or "check"
    stdin_inputs = job.get("stdin")  # stdin/stdout cases: run the whole program per input
    safe_builtins = dict(builtins.__dict__) if test_code is not None else None

    # 1. Compile and run the program's module code (one per-test timeout for it).
    started = perf_counter()
    try:
        code = compile(job["source"], PROGRAM_FILENAME, "exec", dont_inherit=True)
        test_compiled = job.get("test_compiled")  # compiled once in the worker, if it could
        if test_compiled is None and test_code is not None:
            test_compiled = compile(test_code, TEST_FILENAME, "exec", dont_inherit=True)
    except MemoryError:
        emit(frame(k=LOAD, v=MEMORY, type="MemoryError", msg="compiling the program"))
        return
    except BaseException as exc:  # noqa: BLE001 - SyntaxError, ValueError (NUL bytes), ...
        name, msg = describe(exc)
        emit(frame(k=LOAD, v=SYNTAX, type=name, msg=msg))
        return
    if stdin_inputs is not None:  # nothing runs at load time: the module code is the test
        emit(frame(k=READY, t=perf_counter() - started))
        run_stdio_cases(code, stdin_inputs, emit, frame, encode, test_timeout, max_result)
        finish()
        return
    namespace: dict[str, Any] = {"__name__": "__sandbox__", "__builtins__": builtins}
    check = None
    try:
        setitimer(itimer_real, test_timeout)
        try:
            exec_(code, namespace)  # noqa: S102 - this is the sandbox
            candidate = dict_.get(namespace, entry_point)
            if test_compiled is not None:
                test_namespace = dict_(namespace)
                test_namespace["__builtins__"] = safe_builtins
                exec_(test_compiled, test_namespace)  # noqa: S102
                check = dict_.get(test_namespace, check_name)
        finally:
            setitimer(itimer_real, 0)
    except timeout_error:
        emit(frame(k=LOAD, v=TIMEOUT, type="Timeout",
                   msg=f"module code ran over {test_timeout:g} s"))
        return
    except MemoryError:
        emit(frame(k=LOAD, v=MEMORY, type="MemoryError", msg="running module code"))
        return
    except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt included
        name, msg = describe(exc)
        emit(frame(k=LOAD, v=ERROR, type=name, msg=msg))
        return
    if not callable_(candidate):
        what = "not defined" if candidate is None else "not callable"
        emit(frame(k=LOAD, v=ERROR, type="NameError",
                   msg=f"entry point {entry_point!r} is {what} by the program"))
        return
    if test_compiled is not None and not callable_(check):
        emit(frame(k=LOAD, v=ERROR, type="NameError",
                   msg=f"test code defines no callable {check_name!r}"))
        return
    emit(frame(k=READY, t=perf_counter() - started))

    # 2. Run the tests: JSON tests call the entry point; test code calls check(candidate).
    if test_compiled is not None:
        calls = [(check, (plain_data_only(candidate),))]
    else:
        calls = [(candidate, args) for args in arg_lists]
    for index, (function, call_args) in enumerate_(calls):
        started = perf_counter()
        text: str | None = None
        failure: tuple[str, str, str] | None = None
        try:
            setitimer(itimer_real, test_timeout)
            try:
                value = function(*call_args)
                if test_compiled is None:
                    try:
                        text = encode(value)
                    except (TypeError, ValueError, RecursionError, OverflowError) as exc:
                        failure = (UNSERIALIZABLE,) + tuple_(describe(exc))
                    else:
                        if len_(text) > max_result:
                            text, failure = None, (UNSERIALIZABLE, "ValueError",
                                                   f"return value is over {max_result} bytes "
                                                   "of JSON")
                del value
            finally:
                setitimer(itimer_real, 0)
        except timeout_error:
            failure = (TIMEOUT, "Timeout", f"test ran over {test_timeout:g} s")
        except MemoryError:
            failure = (MEMORY, "MemoryError", "out of memory")
        except BaseException as exc:  # noqa: BLE001
            name, msg = describe(exc)
            failure = (FAIL if is_test_assertion(exc) else ERROR, name, msg)
        elapsed = perf_counter() - started
        if failure is not None:
            emit(frame(k=failure[0], i=index, t=elapsed, type=failure[1], msg=failure[2]))
        elif text is None:
            emit(frame(k=OK, i=index, t=elapsed))
        else:  # the output is spliced in as raw JSON; the parent parses and re-canonicalizes it
            emit(frame(k=OK, i=index, t=elapsed)[:-1] + ',"o":' + text + "}")
    finish()


def _run_stdio_cases(code: Any, inputs: list[str], emit: Callable[[str], None],
                     frame: Callable[..., str], encode: Callable[[Any], str],
                     test_timeout: float, max_result: int) -> None:
    """Run the compiled program once per stdin/stdout case and emit one test frame per case.

    Each run gets a fresh `__main__` namespace, the case's input as `sys.stdin` and a fresh
    buffer as `sys.stdout`, under the per-test timer. As in `_run_program`, everything used once
    the program has started is bound to a local first. The streams are set in the sys module's
    `__dict__`, which is what print() and input() read, so a program that swaps the class of
    `sys` cannot intercept them; they and the builtins are restored after every case, so what
    one case patches cannot leak into the next; and the output reported is always read from the
    harness's own buffer, never from whatever `sys.stdout` the program left behind.
    """
    exec_, perf_counter, enumerate_, len_, type_, int_ = (exec, time.perf_counter, enumerate,
                                                           len, type, int)
    setitimer, itimer_real = signal.setitimer, signal.ITIMER_REAL
    text_stream, bytes_stream, get_bytes = io.TextIOWrapper, _KeptBytes, io.BytesIO.getvalue
    decode = bytes.decode
    dict_get, dict_clear, dict_update = dict.get, dict.clear, dict.update
    timeout_error, memory_error, system_exit = SandboxTimeout, MemoryError, SystemExit
    base_exception = BaseException
    exit_code_of = SystemExit.__dict__["code"].__get__  # the slot, not a subclass's property
    describe = _describe_exception
    OK, ERROR, TIMEOUT, MEMORY, UNSERIALIZABLE = (TEST_OK, TEST_ERROR, TEST_TIMEOUT, TEST_MEMORY,
                                                  TEST_UNSERIALIZABLE)
    builtins_module, builtins_dict, sys_dict = builtins, builtins.__dict__, sys.__dict__
    if "exit" not in builtins_dict:  # no `site` in the worker, and CP solutions call exit()
        builtins_dict["exit"] = builtins_dict["quit"] = _program_exit
    saved_builtins = dict(builtins_dict)
    saved_stdin, saved_stdout = dict_get(sys_dict, "stdin"), dict_get(sys_dict, "stdout")
    too_long = f"standard output is over the limit of {max_result} bytes (as JSON)"
    for index, case_input in enumerate_(inputs):
        started = perf_counter()
        text: str | None = None
        failure: tuple[str, str, str] | None = None
        # Text streams over bytes, as a real console's: `sys.stdin.buffer.readline()` and
        # `sys.stdout.buffer.write()`, the competitive programmer's fast I/O, work too.
        captured = bytes_stream()
        case_stdout = text_stream(captured, encoding="utf-8", errors="replace",
                                  write_through=True)
        try:
            setitimer(itimer_real, test_timeout)
            try:
                sys_dict["stdin"] = text_stream(bytes_stream(case_input.encode("utf-8")),
                                                encoding="utf-8")
                sys_dict["stdout"] = case_stdout
                try:
                    exec_(code, {"__name__": "__main__", "__builtins__": builtins_module})
                except system_exit as exc:  # exit(0) or sys.exit() ends the run normally
                    status = exit_code_of(exc)
                    if not (status is None or status is False
                            or (type_(status) is int_ and status == 0)):
                        raise
                output = decode(get_bytes(captured), "utf-8", "replace")
                if len_(output) > max_result:  # checked before encoding a huge text again
                    failure = (UNSERIALIZABLE, "ValueError", too_long)
                else:
                    text = encode(output)
                    if len_(text) > max_result:  # escapes can make the JSON longer
                        text, failure = None, (UNSERIALIZABLE, "ValueError", too_long)
                del output
            finally:
                setitimer(itimer_real, 0)
                sys_dict["stdin"], sys_dict["stdout"] = saved_stdin, saved_stdout
                dict_clear(builtins_dict)
                dict_update(builtins_dict, saved_builtins)
        except timeout_error:
            failure = (TIMEOUT, "Timeout", f"test ran over {test_timeout:g} s")
        except memory_error:
            failure = (MEMORY, "MemoryError", "out of memory")
        except base_exception as exc:  # noqa: BLE001 - another exit status included
            name, msg = describe(exc)
            failure = (ERROR, name, msg)
        del captured, case_stdout  # a large output goes before the next case starts
        elapsed = perf_counter() - started
        if failure is not None:
            emit(frame(k=failure[0], i=index, t=elapsed, type=failure[1], msg=failure[2]))
        else:  # a JSON string spliced in; the parent parses it and compares the text
            emit(frame(k=OK, i=index, t=elapsed)[:-1] + ',"o":' + text + "}")


class _KeptBytes(io.BytesIO):
    """A case's output buffer that a program closing `sys.stdout` does not discard."""

    def close(self) -> None:
        pass


def _program_exit(code: Any = None) -> NoReturn:
    """exit() and quit() for stdin/stdout programs: `site` normally defines them, and the worker
    runs without it (python -S)."""
    raise SystemExit(code)


def compile_test_code(test_code: str) -> Any:
    """Test code compiled the way the child would (used by the worker to cache it)."""
    return compile(test_code, TEST_FILENAME, "exec", dont_inherit=True)


def warm_up() -> None:
    """Exercise, in the worker, what every child uses (compiler, exec, JSON, timers), so the
    one-time lazy set-up happens once here instead of as copy-on-write faults in each child."""
    namespace: dict[str, Any] = {}
    for _ in range(3):
        exec(compile("def f(a, b=2):\n    return [a + b, {'k': str(a)}]\n", PROGRAM_FILENAME,
                     "exec", dont_inherit=True), namespace)
        value = namespace["f"](*json.loads("[1]"))
        "".join(_json_encoder.c_make_encoder({}, None, _json_encoder.c_encode_basestring_ascii,
                                             None, ":", ",", True, False, False)(value, 0))
    previous = signal.signal(signal.SIGALRM, signal.SIG_IGN)
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)
    os.environ.copy()
    time.perf_counter()


def _describe_exception(exc: BaseException) -> tuple[str, str]:
    """(type name, short message), robust to exceptions whose __str__ misbehaves."""
    try:
        name = str(type.__dict__["__name__"].__get__(type(exc)))
    except BaseException:  # noqa: BLE001
        name = "BaseException"
    try:
        message = str(exc)
    except BaseException:  # noqa: BLE001
        message = "<unprintable exception>"
    if len(message) > MESSAGE_CHARS:
        message = message[:MESSAGE_CHARS] + "..."
    return name[:MESSAGE_CHARS], message


def _is_test_assertion(exc: BaseException, _assertion: type = AssertionError) -> bool:
    """An AssertionError raised by the test code itself (a wrong answer), not by the program.
    The class is bound when this module loads: a program that rebinds `builtins.AssertionError`
    changes nothing (`assert` raises the real one)."""
    if type(exc) is not _assertion:
        return False
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code.co_filename == TEST_FILENAME


_PLAIN_SCALARS = frozenset({type(None), bool, int, float, complex, str, bytes})
_PLAIN_CONTAINERS = frozenset({list, tuple, set, frozenset})
_PLAIN_MAX_NODES = 1_000_000


def is_plain_data(value: Any, _scalars: frozenset = _PLAIN_SCALARS,
                  _containers: frozenset = _PLAIN_CONTAINERS, _type: type = type,
                  _items: Callable[[dict], Any] = dict.items) -> bool:
    """True if `value` is built only from exact built-in scalar and container types. (What it
    uses is bound at definition, so a program patching this module cannot loosen it.)"""
    stack, nodes = [value], 0
    while stack:
        item = stack.pop()
        nodes += 1
        if nodes > _PLAIN_MAX_NODES:
            return False
        kind = _type(item)
        if kind in _scalars:
            continue
        if kind in _containers:
            stack.extend(item)
        elif kind is dict:
            for key, entry in _items(item):
                stack.append(key)
                stack.append(entry)
        else:
            return False
    return True


def _plain_data_only(function: Callable[..., Any],
                     _is_plain: Callable[[Any], bool] = is_plain_data) -> Callable[..., Any]:
    """Wrap the candidate handed to test code: its return values must be plain data (exact
    built-in types), so an object with a rigged `__eq__` never reaches the test's assertions."""

    def candidate(*args: Any, **kwargs: Any) -> Any:
        value = function(*args, **kwargs)
        if not _is_plain(value):
            raise TypeError(f"candidate returned a {type(value).__name__} that is not plain data")
        return value

    return candidate
