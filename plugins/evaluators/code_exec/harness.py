# Runs inside the sandbox: executes one model-written program against test inputs the way LiveCodeBench's
# grader does (lcb_runner/evaluation/testing_util.py: the same wrapping, patched stdin, captured stdout,
# per-test alarm, disabled functions), or a HumanEval check program. Written from that behaviour, not copied.
# The expected outputs never enter the sandbox: each test's output goes back to the host, which compares.
#
# Request (standard input, JSON): {"mode": "stdio" | "call" | "humaneval", "code": str, "inputs": [str],
# "fn_name": str, "timeout": seconds}. Replies (one JSON object per line on the descriptor that was standard
# output; the program's own standard output is captured or discarded as in the reference):
#   {"event": "compiled"} | {"event": "compile_failed", "kind": K, "error": repr}
#   {"event": "test", "index": i, "status": "ok", "output": str | "value": encoded, "seconds": s}
#   {"event": "test", "index": i, "status": K, "error": repr, "seconds": s}   (then no more tests)
#   {"event": "done"}
# where K is "timeout", "memory", "syntax" (compile only), "assert" (HumanEval's check) or "error".
# HumanEval: "code" is the whole check program, run as the one test.
import ast
import io
import json
import os
import signal
import sys
import time
import traceback
from types import ModuleType
from unittest.mock import mock_open, patch

# LiveCodeBench prepends these to every program (its import_string).
PRELUDE_MODULES = ["string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math", "random",
                   "statistics", "itertools", "functools", "operator", "io", "sys", "json"]
PRELUDE = ("".join(f"from {m} import *\n" for m in PRELUDE_MODULES + ["builtins", "typing"])
           + "".join(f"import {m}\n" for m in PRELUDE_MODULES) + "sys.setrecursionlimit(50000)\n")


class TimeoutException(Exception):  # the reference tells time-outs apart by this name in repr()
    pass


def on_alarm(signum, frame):
    raise TimeoutException


class Replies:
    def __init__(self, fd):
        self.out = os.fdopen(fd, "w", encoding="utf-8", errors="replace")

    def send(self, **message):
        self.out.write(json.dumps(message) + "\n")
        self.out.flush()


def failure_kind(error):
    if isinstance(error, AssertionError):
        return "assert"
    if "timeoutexception" in repr(error).lower():
        return "timeout"
    if isinstance(error, MemoryError):
        return "memory"
    return "error"


def describe(error):
    traceback.print_exception(type(error), error, error.__traceback__, file=sys.__stderr__)
    sys.__stderr__.flush()
    return repr(error)


def unwrap_main_guard(code):
    """A last top-level `if __name__ == '__main__':` is replaced by its body (clean_if_name)."""
    try:
        tree = ast.parse(code)
        last = tree.body[-1]
        if isinstance(last, ast.If) and ast.unparse(last.test).strip() == "__name__ == '__main__'":
            code = ast.unparse(tree.body[:-1]) + "\n" + ast.unparse(last.body)
    except Exception:
        pass
    return code


def wrap_in_function(code):
    """Top-level imports stay; every other statement moves into wrapped_function() (make_function)."""
    try:
        tree = ast.parse(code)
        imports = [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
        others = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
        extra = {"type_params": []} if sys.version_info >= (3, 12) else {}
        function = ast.FunctionDef(name="wrapped_function",
                                   args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[],
                                                      defaults=[]),
                                   body=others, decorator_list=[], lineno=-1, **extra)
        return PRELUDE + "\n" + ast.unparse(imports) + "\n" + ast.unparse(function)
    except Exception:
        return code


def compile_program(code, timeout):
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        module = ModuleType("tmp_sol", "")
        exec(code, module.__dict__)
        # The reference's test for LeetCode-style solutions: the text, wherever it appears.
        return module.Solution() if "class Solution" in code else module
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


class PatchedStdin:
    """The reference's stdin during a test: read() and buffer.read() give the whole input, readline()
    gives the lines of input.split('\\n') without their newline, buffer.readline() always the first."""

    def __init__(self, text):
        self.text = text
        self._stream = io.StringIO(text)
        self.buffer = PatchedBuffer(text)

    def read(self, *args):
        return self.text

    def readline(self, *args):
        return self._stream.readline(*args)

    def readlines(self, *args):
        return self.text.split("\n")

    def __getattr__(self, name):
        return getattr(self._stream, name)


class PatchedBuffer:
    def __init__(self, text):
        self.data = text.encode("utf-8")

    def read(self, *args):
        return self.data

    def readline(self, *args):
        return self.data.split(b"\n")[0] + b"\n"


def call_with_input(function, text):
    lines = iter(text.split("\n"))
    with patch("builtins.open", mock_open(read_data=text)), patch("sys.stdin", PatchedStdin(text)), \
            patch("sys.stdin.readline", lambda *args: next(lines)), \
            patch("sys.stdin.readlines", lambda *args: text.split("\n")), \
            patch("sys.stdin.read", lambda *args: text):
        try:
            function()
        except SystemExit:
            pass


def encode(value):
    """JSON for Python values that keeps Python's == with json.loads() values: anything JSON would
    blur (tuples inside, non-string keys, sets, inf/nan, objects) is tagged and never equals."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else {"$py": repr(value)}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value) and "$py" not in value:
        return {k: encode(v) for k, v in value.items()}
    return {"$py": type(value).__name__, "repr": repr(value)[:200]}


def run_tests(replies, request, function, run_one):
    for index, text in enumerate(request["inputs"]):
        start = time.time()
        signal.setitimer(signal.ITIMER_REAL, request["timeout"])
        try:
            result = run_one(function, text)
            signal.setitimer(signal.ITIMER_REAL, 0)
        except Exception as error:
            signal.setitimer(signal.ITIMER_REAL, 0)
            replies.send(event="test", index=index, status=failure_kind(error), error=describe(error),
                         seconds=time.time() - start)
            return
        replies.send(event="test", index=index, status="ok", seconds=time.time() - start, **result)


def stdio_test(function, text):
    captured = io.StringIO()
    real_stdout, sys.stdout = sys.stdout, captured
    try:
        call_with_input(function, text)
    finally:
        sys.stdout = real_stdout
    return {"output": captured.getvalue()}


def call_test(arguments):
    def run(method, text):
        prediction = method(*arguments[text])
        return {"value": encode(list(prediction) if isinstance(prediction, tuple) else prediction)}
    return run


def humaneval_test(program, text):
    """human-eval's check: the program run whole, its output swallowed; any exception fails it."""
    real_stdout, sys.stdout = sys.stdout, io.StringIO()
    try:
        exec(program, {"__name__": "__main__"})
    except (SystemExit, KeyboardInterrupt) as error:  # these fail the check too
        raise RuntimeError(repr(error)) from None
    finally:
        sys.stdout = real_stdout
    return {}


def disable_destructive_functions():
    """What the reference's reliability_guard() turns off, so that programs behave as they do there."""
    import builtins
    import shutil
    import subprocess
    builtins.quit = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in ["kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork",
                 "forkpty", "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod", "fchown",
                 "chmod", "chown", "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir"]:
        setattr(os, name, None)
    shutil.rmtree = shutil.move = shutil.chown = None
    subprocess.Popen = None
    builtins.help = None
    for name in ["ipdb", "joblib", "resource", "psutil", "tkinter"]:
        sys.modules[name] = None


def main():
    request = json.loads(sys.stdin.buffer.read())
    replies = Replies(os.dup(1))
    # The program sees an empty standard input and writes to nothing, as in a multiprocessing child.
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(50000)
    signal.signal(signal.SIGALRM, on_alarm)
    mode = request["mode"]
    if mode == "stdio":
        code = wrap_in_function(unwrap_main_guard(request["code"]))
    elif mode == "call":
        code = PRELUDE + "\n\n" + request["code"]
    else:
        code = request["code"]
        request["inputs"] = [""]
    disable_destructive_functions()
    try:
        if mode == "humaneval":
            function = compile(code, "program.py", "exec")
        else:
            if mode == "call":  # the reference parses every test's arguments first
                arguments = {text: [json.loads(line) for line in text.split("\n")] for text in request["inputs"]}
            compiled = compile_program(code, request["timeout"])
            function = compiled.wrapped_function if mode == "stdio" else getattr(compiled, request["fn_name"])
    except SyntaxError as error:
        replies.send(event="compile_failed", kind="syntax", error=describe(error))
        return
    except Exception as error:
        replies.send(event="compile_failed", kind=failure_kind(error), error=describe(error))
        return
    replies.send(event="compiled")
    tests = {"stdio": stdio_test, "humaneval": humaneval_test}
    run_tests(replies, request, function, tests[mode] if mode in tests else call_test(arguments))
    replies.send(event="done")

main()
