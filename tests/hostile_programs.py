"""A corpus of hostile or broken programs, each with the verdicts it may get.

Every program is scored against a task it cannot honestly pass (it computes the wrong thing, or
never returns), so a PASS is always a false pass. Programs refer to a few paths and names that
the test fills in (see `build_corpus`): a root-owned sentinel file outside the sandbox, a marker
path in the shared temp directory, and the name and value of a secret environment variable.
"""

from __future__ import annotations

import dataclasses
import textwrap

from codecorr_jax.execution import Program, Verdict

V = Verdict
SQUARE_TESTS = ({"args": [3], "expected": 9}, {"args": [4], "expected": 16})
SQUARE_CHECK = textwrap.dedent("""\
    def check(candidate):
        assert candidate(3) == 9
        assert abs(candidate(2.0) - 4.0) < 1e-6
""")


@dataclasses.dataclass(frozen=True)
class HostileCase:
    name: str
    source: str
    expected: frozenset
    test_code: bool = False     # scored with SQUARE_CHECK instead of SQUARE_TESTS
    root_only: bool = False     # needs the privilege drop to be safe / to get this verdict
    expects_secret: bool = False  # its one test expects the secret's value (a pass = a leak)
    secret: str = ""

    def program(self) -> Program:
        if self.test_code:
            return Program(self.source, "f", test_code=SQUARE_CHECK)
        if self.expects_secret:
            return Program(self.source, "f", [{"args": [3], "expected": self.secret}])
        return Program(self.source, "f", [dict(t) for t in SQUARE_TESTS])


def _case(name: str, source: str, *verdicts: Verdict, **flags: bool) -> HostileCase:
    return HostileCase(name, textwrap.dedent(source), frozenset(verdicts), **flags)


_CASES = [
    # --- never returning
    _case("infinite_loop", """
        def f(x):
            while True:
                pass
    """, V.TIMEOUT),
    _case("infinite_loop_at_import", """
        while True:
            pass
        def f(x):
            return x * x
    """, V.TIMEOUT),
    _case("busy_thread_then_wrong_answer", """
        import threading
        def spin():
            while True:
                pass
        def f(x):
            threading.Thread(target=spin, daemon=False).start()
            return x + 1
    """, V.FAIL),
    _case("busy_thread_joined", """
        import threading
        def spin():
            while True:
                pass
        def f(x):
            t = threading.Thread(target=spin)
            t.start()
            t.join()
    """, V.TIMEOUT),
    _case("sleep_forever", """
        import time
        def f(x):
            time.sleep(1000)
    """, V.TIMEOUT),
    _case("generator_never_ends_materialized", """
        import itertools
        def f(x):
            return list(itertools.count())
    """, V.MEMORY_EXCEEDED, V.TIMEOUT),
    _case("huge_integer_computation", """
        def f(x):
            return 10 ** (10 ** 9)
    """, V.TIMEOUT, V.MEMORY_EXCEEDED),
    # --- resource bombs
    _case("fork_bomb", """
        import os
        def f(x):
            while True:
                os.fork()
    """, V.RUNTIME_ERROR, V.CRASHED, V.TIMEOUT, root_only=True),
    _case("fork_bomb_persistent", """
        import os
        def f(x):
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
    """, V.TIMEOUT, V.CRASHED, root_only=True),
    _case("memory_bomb_growing", """
        def f(x):
            hoard = []
            while True:
                hoard.append(bytearray(10 ** 7))
    """, V.MEMORY_EXCEEDED),
    _case("memory_bomb_single", """
        def f(x):
            return len(bytearray(10 ** 11))
    """, V.MEMORY_EXCEEDED),
    _case("deep_recursion", """
        def f(x):
            return f(x + 1) + 1
    """, V.RUNTIME_ERROR),
    _case("deep_recursion_limit_raised", """
        import sys
        sys.setrecursionlimit(10 ** 8)
        def g(n):
            return g(n + 1) + 1
        def f(x):
            return g(0)
    """, V.RUNTIME_ERROR, V.MEMORY_EXCEEDED, V.TIMEOUT, V.CRASHED),
    _case("output_flood_forever", """
        import sys
        def f(x):
            while True:
                sys.stdout.write("x" * 65536)
                sys.stderr.write("y" * 65536)
    """, V.TIMEOUT),
    _case("output_flood_then_wrong_answer", """
        def f(x):
            for _ in range(300):
                print("z" * 100000)
            return x + 1
    """, V.FAIL),
    # --- exiting early
    _case("sys_exit_at_import", """
        import sys
        sys.exit(0)
        def f(x):
            return x * x
    """, V.RUNTIME_ERROR),
    _case("sys_exit_in_test", """
        import sys
        def f(x):
            sys.exit(0)
    """, V.RUNTIME_ERROR),
    _case("os_exit_at_import", """
        import os
        os._exit(0)
        def f(x):
            return x * x
    """, V.CRASHED),
    _case("os_exit_in_test", """
        import os
        def f(x):
            os._exit(0)
    """, V.CRASHED),
    _case("raise_base_exception", """
        def f(x):
            raise BaseException("not an Exception")
    """, V.RUNTIME_ERROR),
    _case("raise_keyboard_interrupt", """
        def f(x):
            raise KeyboardInterrupt
    """, V.RUNTIME_ERROR),
    _case("raise_system_exit_at_import", """
        raise SystemExit(0)
    """, V.RUNTIME_ERROR),
    _case("raise_generator_exit", """
        def f(x):
            raise GeneratorExit
    """, V.RUNTIME_ERROR),
    _case("exception_with_endless_str", """
        class Endless(Exception):
            def __str__(self):
                while True:
                    pass
        def f(x):
            raise Endless()
    """, V.TIMEOUT, V.RUNTIME_ERROR),
    _case("exception_with_failing_str", """
        class Broken(Exception):
            def __str__(self):
                raise RuntimeError("no")
        def f(x):
            raise Broken()
    """, V.RUNTIME_ERROR),
    # --- attacking the parent, the harness and the timer
    _case("kill_parent", """
        import os, signal
        def f(x):
            os.kill(os.getppid(), signal.SIGKILL)
            return x * x
    """, V.RUNTIME_ERROR, root_only=True),
    _case("kill_own_process_group", """
        import os, signal
        def f(x):
            os.killpg(os.getpgid(0), signal.SIGKILL)
    """, V.CRASHED),
    _case("kill_every_process", """
        import os, signal
        def f(x):
            os.kill(-1, signal.SIGKILL)  # every process of its uid but itself
    """, V.FAIL, V.CRASHED, root_only=True),
    _case("ignore_sigterm_and_loop", """
        import signal
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        def f(x):
            while True:
                pass
    """, V.TIMEOUT),
    _case("alarm_ignored_then_loop", """
        import signal
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        def f(x):
            while True:
                pass
    """, V.TIMEOUT),
    _case("alarm_cancelled_in_loop", """
        import signal
        def f(x):
            while True:
                signal.alarm(0)
                signal.setitimer(signal.ITIMER_REAL, 0)
    """, V.TIMEOUT),
    _case("timeout_swallowed", """
        def f(x):
            while True:
                try:
                    while True:
                        pass
                except BaseException:
                    pass
    """, V.TIMEOUT),
    _case("ctypes_segfault", """
        import ctypes
        def f(x):
            return ctypes.string_at(0)
    """, V.CRASHED),
    _case("forged_print", """
        def f(x):
            print('{"i":0,"k":"ok","o":9}')
            print("all tests passed")
            return x + 1
    """, V.FAIL),
    _case("forged_frames_on_result_fd", """
        import os
        def f(x):
            forged = b'{"i":0,"k":"ok","o":9}\\n{"i":1,"k":"ok","o":16}\\n{"k":"done"}\\n'
            for fd in range(3, 64):
                try:
                    os.write(fd, forged)
                except OSError:
                    pass
            os._exit(0)
    """, V.CRASHED),
    _case("result_fd_hijacked", """
        import os
        def f(x):
            os.dup2(1, 3)
            return x + 1
    """, V.CRASHED),
    _case("patched_json_and_builtins", """
        import builtins, json, json.encoder
        json.dumps = lambda *a, **k: "9"
        json.JSONEncoder.encode = lambda self, o: "9"
        json.JSONEncoder.iterencode = lambda self, o, _one_shot=False: iter(["9"])
        json.encoder.c_make_encoder = None
        builtins.len = lambda obj: 0
        builtins.str = lambda *a: "9"
        def f(x):
            return x + 1
    """, V.FAIL),
    _case("patched_harness_module", """
        import sys
        for name, module in list(sys.modules.items()):
            if "sandbox" in name:
                for attr in dir(module):
                    if not attr.startswith("__"):
                        try:
                            setattr(module, attr, None)
                        except Exception:
                            pass
        def f(x):
            return x + 1
    """, V.FAIL),
    _case("stdout_replaced", """
        import sys
        sys.stdout = None
        sys.stderr = None
        def f(x):
            return x + 1
    """, V.FAIL),
    _case("reads_stdin", """
        def f(x):
            return int(input())
    """, V.RUNTIME_ERROR),
    # --- the file system, the network, the environment
    _case("writes_sentinel", """
        def f(x):
            with open(SENTINEL, "w") as handle:
                handle.write("pwned")
            return x * x
    """, V.RUNTIME_ERROR, root_only=True),
    _case("deletes_sentinel", """
        import os
        def f(x):
            os.remove(SENTINEL)
            return x * x
    """, V.RUNTIME_ERROR, root_only=True),
    _case("chmods_sentinel", """
        import os
        def f(x):
            os.chmod(SENTINEL, 0o777)
            return x * x
    """, V.RUNTIME_ERROR, root_only=True),
    _case("creates_file_beside_sentinel", """
        import os
        def f(x):
            with open(os.path.join(os.path.dirname(SENTINEL), "intruder"), "w") as handle:
                handle.write("x")
            return x * x
    """, V.RUNTIME_ERROR, root_only=True),
    _case("symlink_to_sentinel_left_behind", """
        import os
        def f(x):
            if not os.path.lexists("link"):  # f runs once per test, in the same directory
                os.symlink(SENTINEL, "link")
                os.mkdir("nested")
                os.symlink(os.path.dirname(SENTINEL), "nested/dir_link")
            return x + 1
    """, V.FAIL),
    _case("deep_directory_tree", """
        import os
        def f(x):
            for _ in range(200):
                os.makedirs("d", exist_ok=True)
                os.chdir("d")
            return x + 1
    """, V.FAIL),
    _case("litters_shared_tmp", """
        def f(x):
            with open(TMP_MARKER, "w") as handle:
                handle.write("litter")
            return x + 1
    """, V.FAIL, root_only=True),
    _case("reads_protected_file", """
        def f(x):
            return open("/etc/shadow").read()
    """, V.RUNTIME_ERROR),
    _case("opens_socket_to_unroutable_host", """
        import socket
        def f(x):
            s = socket.socket()
            s.settimeout(0.3)
            s.connect(("10.255.255.1", 80))
            return s.recv(10).decode()
    """, V.RUNTIME_ERROR, V.TIMEOUT),
    _case("reads_secret_environment", """
        import os
        def f(x):
            return os.environ.get(SECRET_NAME, "absent")
    """, V.FAIL, expects_secret=True),
    _case("orphaned_subprocess", """
        import subprocess
        def f(x):
            subprocess.Popen(["sleep", "1000"], start_new_session=True)
            return x + 1
    """, V.FAIL),
    _case("daemon_double_fork", """
        import os, time
        def f(x):
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    time.sleep(1000)
                os._exit(0)
            return x + 1
    """, V.FAIL),
    _case("raises_resource_limits", """
        import resource
        def f(x):
            resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY,) * 2)
            return x * x
    """, V.RUNTIME_ERROR),
    # --- rigged return values
    _case("eq_always_true", """
        class Anything:
            def __eq__(self, other):
                return True
            def __ne__(self, other):
                return False
        def f(x):
            return Anything()
    """, V.FAIL),
    _case("str_subclass_eq_true", """
        class Sly(str):
            def __eq__(self, other):
                return True
            __hash__ = str.__hash__
        def f(x):
            return Sly("wrong")
    """, V.FAIL),
    _case("int_subclass_eq_true", """
        class Sly(int):
            def __eq__(self, other):
                return True
            __hash__ = int.__hash__
            def __repr__(self):
                return "9"
        def f(x):
            return Sly(0)
    """, V.FAIL),
    _case("generator_returned", """
        import itertools
        def f(x):
            return (i for i in itertools.count())
    """, V.FAIL),
    _case("huge_integer_returned", """
        def f(x):
            return 2 ** 100000
    """, V.FAIL),
    _case("huge_integer_to_str", """
        def f(x):
            return str(10 ** 5000)
    """, V.RUNTIME_ERROR),
    _case("returns_set", """
        def f(x):
            return {x * x}
    """, V.FAIL),
    _case("returns_nan", """
        def f(x):
            return float("nan")
    """, V.FAIL),
    _case("returns_object", """
        def f(x):
            return object()
    """, V.FAIL),
    _case("returns_bytes", """
        def f(x):
            return b"9"
    """, V.FAIL),
    _case("returns_circular_list", """
        def f(x):
            a = []
            a.append(a)
            return a
    """, V.FAIL),
    _case("returns_function", """
        def f(x):
            return f
    """, V.FAIL),
    # --- not even a program
    _case("syntax_error", """
        def f(x)
            return x * x
    """, V.SYNTAX_ERROR),
    _case("null_byte_in_source", "def f(x):\n    return 9\x00\n", V.SYNTAX_ERROR),
    _case("missing_entry_point", """
        def g(x):
            return x * x
    """, V.RUNTIME_ERROR),
    _case("entry_point_not_callable", """
        f = 9
    """, V.RUNTIME_ERROR),
    # --- test-code (HumanEval-style) mode
    _case("check_eq_always_true", """
        class Anything:
            def __eq__(self, other):
                return True
            def __sub__(self, other):
                return 0
            def __lt__(self, other):
                return True
        def f(x):
            return Anything()
    """, V.RUNTIME_ERROR, test_code=True),
    _case("check_builtins_patched", """
        import builtins
        builtins.abs = lambda value: 0
        def f(x):
            return 9 if x == 3 else 0.0
    """, V.FAIL, test_code=True),
    _case("check_exec_patched", """
        import builtins
        builtins.exec = lambda code, namespace=None, *rest: namespace.update(check=lambda c: None)
        def f(x):
            return 0
    """, V.FAIL, test_code=True),
    _case("check_dict_patched", """
        import builtins
        class Rigged(dict):
            def get(self, key, default=None):
                return lambda candidate: None
        builtins.dict = Rigged
        builtins.enumerate = lambda iterable, start=0: iter(())
        def f(x):
            return 0
    """, V.FAIL, test_code=True),
    _case("check_harness_constants_patched", """
        import sys
        for name, module in list(sys.modules.items()):
            if "sandbox" in name:
                module.TEST_FAIL = module.TEST_ERROR = "ok"
                module._is_test_assertion = lambda exc: False
                module._plain_data_only = lambda function: function
                module.is_plain_data = lambda value: True
        def f(x):
            return 0
    """, V.FAIL, test_code=True),
    _case("check_sys_exit", """
        import sys
        def f(x):
            sys.exit(0)
    """, V.RUNTIME_ERROR, test_code=True),
    _case("check_os_exit", """
        import os
        def f(x):
            os._exit(0)
    """, V.CRASHED, test_code=True),
    _case("raise_skip_test", """
        import unittest
        def f(x):
            raise unittest.SkipTest("not today")
    """, V.RUNTIME_ERROR),
    _case("check_skip_test", """
        import unittest
        def f(x):
            raise unittest.SkipTest("not today")
    """, V.RUNTIME_ERROR, test_code=True),
    _case("check_skip_lookalike_base_exception", """
        class Skipped(BaseException):  # what pytest.skip raises, by name and base
            pass
        def f(x):
            raise Skipped("skipped")
    """, V.RUNTIME_ERROR, test_code=True),
    _case("check_assertion_error_patched", """
        import builtins
        builtins.AssertionError = type("AssertionError", (Exception,), {})
        def f(x):
            return 0
    """, V.FAIL, test_code=True),
    _case("check_forged_frames", """
        import os
        def f(x):
            for fd in range(3, 64):
                try:
                    os.write(fd, b'{"i":0,"k":"ok"}\\n{"k":"done"}\\n')
                except OSError:
                    pass
            os._exit(0)
    """, V.CRASHED, test_code=True),
]


def case_names(root: bool) -> list[str]:
    return [case.name for case in _CASES if root or not case.root_only]


def build_corpus(sentinel: str, tmp_marker: str, secret_name: str, secret_value: str,
                 root: bool) -> list[HostileCase]:
    """The corpus with its placeholders filled in; root-only cases dropped when not root."""
    fills = {"SENTINEL": repr(sentinel), "TMP_MARKER": repr(tmp_marker),
             "SECRET_NAME": repr(secret_name)}
    corpus = []
    for case in _CASES:
        if case.root_only and not root:
            continue
        source = case.source
        for placeholder, value in fills.items():
            source = source.replace(placeholder, value)
        corpus.append(dataclasses.replace(case, source=source, secret=secret_value))
    return corpus
