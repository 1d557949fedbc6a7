#!/usr/bin/env python3
"""Executions per second of code_exec, with bubblewrap namespaces and without (unsafe_no_namespaces), through
`evalflow score` (the plugin's whole path: harness, sandbox, comparison, on `workers` threads). Programs: a correct
LiveCodeBench standard-input answer (tests/data/livecodebench/problems.jsonl, problem ef001_a: 3 tests in one
process) and a correct HumanEval answer (tests/data/humaneval/problems.jsonl). Not a test: it prints figures.
Usage: code_exec_bench.py EVALFLOW REPOSITORY_ROOT [SAMPLES] [WORKERS]   (EVALFLOW_PLUGIN_PATH=build/plugins)"""
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

LCB_ANSWER = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
HUMANEVAL_ANSWER = "```python\n    return sum(numbers)\n```"


def main():
    evalflow, root = sys.argv[1], pathlib.Path(sys.argv[2]).resolve()
    samples = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else os.cpu_count()
    lcb = root / "tests/data/livecodebench/problems.jsonl"
    humaneval = json.loads((root / "tests/data/humaneval/problems.jsonl").read_text().splitlines()[0])
    print(f"{samples} samples per figure, {workers} workers, {os.cpu_count()} cores, "
          f"load average before: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as temp:
        rows = {"livecodebench": [{"question_id": "ef001_a", "prediction": LCB_ANSWER}] * samples,
                "humaneval": [dict(humaneval, prediction=HUMANEVAL_ANSWER)] * samples}
        for benchmark, lines in rows.items():
            answers = pathlib.Path(temp) / f"{benchmark}.jsonl"
            answers.write_text("".join(json.dumps(dict(row, id=i)) + "\n" for i, row in enumerate(lines)))
            for unsafe in (False, True):
                options = {"benchmark": benchmark, "workers": workers, "unsafe_no_namespaces": unsafe}
                if benchmark == "livecodebench":
                    options["tests_path"] = str(lcb)
                done = subprocess.run([evalflow, "score", "--input", str(answers), "--post", "code_extract",
                                       "--evaluator", "code_exec", "--options", "code_exec=" + json.dumps(options)],
                                      capture_output=True, text=True, check=True)
                speed = re.search(r"(\d+) correct.*?([\d.]+) samples/s", done.stdout)
                assert speed and int(speed.group(1)) == samples, done.stdout + done.stderr
                mode = "unsafe, no namespaces" if unsafe else "bubblewrap namespaces"
                print(f"{benchmark:13} {mode:22} {float(speed.group(2)):7.1f} executions/s "
                      f"(load average after: {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
