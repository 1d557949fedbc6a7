#!/usr/bin/env python3
"""`evalflow data fetch` for the code benchmarks, offline, from file:// copies this test makes:
- without names it lists every dataset, the file it writes and the fragment that reads it;
- livecodebench_v5 / _v6 read test.jsonl ... test5.jsonl / test6.jsonl (LiveCodeBench's cumulative releases) and
  keep, byte for byte and in order, the rows whose contest_date lies in 2024-08-01..2025-01-31 as lcb_runner
  compares (2025-01-31 after midnight is outside); the release files are removed afterwards;
- a release file without contest_date, or a window left empty, fails naming the file;
- humaneval gunzips HumanEval.jsonl.gz: refused when its SHA-256 and size differ from openai/human-eval's, written
  with --skip-checksum, a damaged .gz refused;
- the fetched rows load in code_exec: `evalflow score --post code_extract --evaluator code_exec` grades answers
  against them (private tests packed as LiveCodeBench publishes them), and a problem filtered out is not found.
Usage: code_data_test.py EVALFLOW"""
import base64
import gzip
import json
import pathlib
import pickle
import subprocess
import sys
import tempfile
import zlib


def pack(value):
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(value)))).decode()


def lcb_row(qid, date, public, private):
    """A row in code_generation_lite's columns: standard input/output tests, private ones packed."""
    def tests(pairs):
        return [{"input": i, "output": o, "testtype": "stdin"} for i, o in pairs]
    return json.dumps({"question_title": qid, "question_content": f"Problem {qid}: print A+B.", "platform": "atcoder",
                       "question_id": qid, "contest_id": qid.split("_")[0], "contest_date": date,
                       "starter_code": "", "difficulty": "easy", "public_test_cases": json.dumps(tests(public)),
                       "private_test_cases": pack(tests(private)), "metadata": json.dumps({})})


def plus(qid, date):
    return lcb_row(qid, date, [("1 2\n", "3\n")], [("10 -4\n", "6\n"), ("5 5\n", "10\n")])


# Release files with rows inside (IN) and outside (OUT) DeepSeek's window.
RELEASE = {
    "test.jsonl": [("OUT", plus("old001_a", "2023-05-07T00:00:00"))],
    "test2.jsonl": [("OUT", plus("edge001_a", "2024-07-31T23:59:59")), ("IN", plus("edge002_a", "2024-08-01T00:00:00"))],
    "test3.jsonl": [],
    "test4.jsonl": [("IN", plus("mid001_a", "2024-09-14T00:00:00")), ("OUT", plus("old002_a", "2024-05-01T00:00:00"))],
    "test5.jsonl": [("IN", plus("late001_a", "2025-01-31T00:00:00")), ("OUT", plus("late002_a", "2025-01-31T12:00:00")),
                    ("OUT", plus("new001_a", "2025-03-01T00:00:00"))],
    "test6.jsonl": [("IN", plus("v6only001_a", "2024-12-24T00:00:00")), ("OUT", plus("new002_a", "2025-04-05T00:00:00"))],
}
HUMANEVAL = "".join(json.dumps({"task_id": f"HumanEval/{i}", "prompt": f"def f{i}(x):\n", "canonical_solution":
                                "    return x\n", "test": f"def check(c):\n    assert c({i}) == {i}\n",
                                "entry_point": f"f{i}"}) + "\n" for i in range(3))


def expected_rows(last_file):
    rows = []
    for name, lines in RELEASE.items():
        rows += [line for kind, line in lines if kind == "IN"]
        if name == last_file:
            return rows
    raise KeyError(last_file)


def main():
    evalflow = sys.argv[1]
    failures = []

    def expect(condition, what, output=""):
        if not condition:
            failures.append(f"{what}\n{output}")

    def run(*args):
        done = subprocess.run([evalflow, *args], capture_output=True, text=True, timeout=300, check=False)
        return done.returncode, done.stdout + done.stderr

    with tempfile.TemporaryDirectory() as temp:
        root = pathlib.Path(temp)
        mirror = root / "mirror"
        mirror.mkdir()
        for name, lines in RELEASE.items():
            (mirror / name).write_text("".join(line + "\n" for _, line in lines), encoding="utf-8")
        (mirror / "HumanEval.jsonl.gz").write_bytes(gzip.compress(HUMANEVAL.encode()))

        code, out = run("data", "fetch")
        expect(code == 0, "listing exits 0", out)
        for text in ["livecodebench_v5", "data/livecodebench/release_v5_2408_2501.jsonl",
                     "pipelines/datasets/livecodebench_v5_gen_0_shot_chat_prompt.yaml", "test5.jsonl",
                     "data/livecodebench/release_v6_2408_2501.jsonl", "test6.jsonl", "humaneval",
                     "data/humaneval/HumanEval.jsonl", "pipelines/datasets/humaneval_gen_0_shot_chat_prompt.yaml",
                     "huggingface.co/datasets/livecodebench/code_generation_lite", "aime", "math"]:
            expect(text in out, f"the listing names {text}", out)

        data = root / "data"
        code, out = run("data", "fetch", "livecodebench_v5", "livecodebench_v6", "--dir", str(data), "--mirror",
                        f"file://{mirror}/")
        expect(code == 0, "livecodebench fetch succeeds", out)
        for version, last in [("v5", "test5.jsonl"), ("v6", "test6.jsonl")]:
            written = data / f"release_{version}_2408_2501.jsonl"
            want = "".join(line + "\n" for line in expected_rows(last))
            got = written.read_text(encoding="utf-8") if written.exists() else None
            expect(got == want, f"{version}: the rows in the window, unchanged and in order", f"{got}\n{out}")
        expect("3 of 8 rows" in out and "4 of 10 rows" in out, "counts of kept rows printed", out)
        expect(not any(data.glob("test*.jsonl*")), "release files removed after filtering",
               str(list(data.iterdir())))

        broken = root / "broken"
        broken.mkdir()
        for name in RELEASE:
            (broken / name).write_text(json.dumps({"question_id": "x", "date": "2024-09-01"}) + "\n")
        code, out = run("data", "fetch", "livecodebench_v5", "--dir", str(root / "b"), "--mirror", f"file://{broken}")
        expect(code != 0 and "test.jsonl:1: no text column 'contest_date'" in out, "a file without contest_date", out)
        for name in RELEASE:
            (broken / name).write_text(plus("old003_a", "2023-06-01T00:00:00") + "\n")
        code, out = run("data", "fetch", "livecodebench_v5", "--dir", str(root / "b"), "--mirror", f"file://{broken}")
        expect(code != 0 and "none of the 5 rows has contest_date in 2024-08-01..2025-01-31" in out, "empty window", out)
        expect(not (root / "b/release_v5_2408_2501.jsonl").exists(), "nothing written for an empty window")

        code, out = run("data", "fetch", "humaneval", "--dir", str(root / "he"), "--mirror", f"file://{mirror}")
        expect(code != 0 and "differs from the published b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef"
               in out and "size" in out and "--skip-checksum" in out, "a HumanEval.jsonl.gz that is not OpenAI's", out)
        expect(not (root / "he/HumanEval.jsonl").exists(), "refused file not unpacked")
        code, out = run("data", "fetch", "humaneval", "--dir", str(root / "he"), "--mirror", f"file://{mirror}",
                        "--skip-checksum")
        humaneval = root / "he/HumanEval.jsonl"
        expect(code == 0 and humaneval.exists() and humaneval.read_text() == HUMANEVAL, "HumanEval gunzipped", out)
        expect(not (root / "he/HumanEval.jsonl.gz").exists(), ".gz removed after gunzipping")
        damaged = root / "damaged"
        damaged.mkdir()
        (damaged / "HumanEval.jsonl.gz").write_bytes(gzip.compress(HUMANEVAL.encode())[:-12])
        code, out = run("data", "fetch", "humaneval", "--dir", str(root / "hd"), "--mirror", f"file://{damaged}",
                        "--skip-checksum")
        expect(code != 0 and "not a valid gzip file" in out, "a cut .gz refused", out)
        expect(not (root / "hd/HumanEval.jsonl").exists(), "nothing left of a cut .gz")

        code, out = run("data", "fetch", "livecodebench_v7")
        expect(code != 0 and "no dataset named 'livecodebench_v7'" in out and "humaneval" in out, "unknown name", out)

        # The fetched rows load in code_exec: right and wrong answers graded, a filtered-out problem not found.
        right = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
        wrong = "```python\na, b = map(int, input().split())\nprint(a - b)\n```"
        answers = root / "answers.jsonl"
        answers.write_text("".join(json.dumps({"id": i, "question_id": qid, "prediction": text}) + "\n" for i, (qid, text)
                                   in enumerate([("edge002_a", right), ("late001_a", wrong), ("v6only001_a", right),
                                                 ("new001_a", right)])))
        options = json.dumps({"benchmark": "livecodebench", "tests_path": str(data / "release_v6_2408_2501.jsonl"),
                              "test_timeout_s": 2, "workers": 2})
        results = root / "scored.jsonl"
        code, out = run("score", "--input", str(answers), "--post", "code_extract", "--evaluator", "code_exec",
                        "--options", f"code_exec={options}", "--output", str(results))
        expect(code == 0 and "4 rows, 2 correct, 1 failed" in out, "code_exec grades the fetched rows", out)
        rows = [json.loads(line) for line in results.read_text().splitlines()] if results.exists() else []
        expect([row.get("verdict") for row in rows[:3]] == ["passed", "wrong_answer", "passed"]
               and rows[1].get("test_results") == [-2], "verdicts per row, in input order", json.dumps(rows))
        expect(len(rows) == 4 and rows[3]["correct"] is None and "new001_a" in rows[3].get("error", ""),
               "a problem outside the window is not found", json.dumps(rows))

    for failure in failures:
        print("FAIL:", failure)
    print(f"code_data_test: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
