#!/usr/bin/env python3
"""LiveCodeBench and HumanEval end to end: `evalflow run` with the model fragment and the two dataset fragments
(pipelines/datasets/livecodebench_v5_gen_0_shot_chat_prompt.yaml, humaneval_gen_0_shot_chat_prompt.yaml) on the
project's problems (tests/data/livecodebench, tests/data/humaneval) against openai_test_server replaying R1-style
answers (tests/code/code_answers.jsonl: a draft inside <think>, the solution after). Checks that
- every sample is scored, and each row's verdict is the expected one (code_extract took the block after </think>);
- accuracy and sample_metrics' avg@2 / pass@1 equal the share of problems whose answer is right;
- `evalflow score` with the fragments' scoring nodes (code_extract, then the async code_exec) re-scores the stored
  predictions to the same verdicts, row by row;
- a run in `--mode infer` scores nothing, and `--resume RUN --mode eval` then scores it with code_exec to the same
  verdicts without sending anything to the model again.
Usage: code_benchmarks_test.py EVALFLOW OPENAI_TEST_SERVER REPOSITORY_ROOT"""
import json
import pathlib
import re
import subprocess
import sys
import tempfile

MODEL = "vllm-api-general-chat"


def read_jsonl(path):
    with open(path, encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def main():
    evalflow, server_binary, root = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]).resolve()
    answers = root / "tests/code/code_answers.jsonl"
    expected = {row["question"]: row["expected_correct"] for row in read_jsonl(answers)}
    server = subprocess.Popen([server_binary, "--port", "0", "--replay", str(answers)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        match = re.search(r"listening on http://([^:]+):(\d+)/v1", server.stdout.readline())
        assert match, "openai_test_server did not start"
        lcb = root / "tests/data/livecodebench/problems.jsonl"
        with tempfile.TemporaryDirectory() as work_dir:
            args = [evalflow, "run", "--model", str(root / "pipelines/models/vllm_api_general_chat.yaml"),
                    "--dataset", str(root / "pipelines/datasets/livecodebench_v5_gen_0_shot_chat_prompt.yaml"),
                    "--dataset", str(root / "pipelines/datasets/humaneval_gen_0_shot_chat_prompt.yaml"),
                    "--samples", "2", "-w", work_dir, "--no-progress",
                    "-s", f"model.host_ip={match.group(1)}", "-s", f"model.host_port={match.group(2)}",
                    "-s", f"livecodebench_v5.load.path={lcb}", "-s", f"livecodebench_v5.judge.tests_path={lcb}",
                    "-s", "livecodebench_v5.judge.test_timeout_s=2",
                    "-s", f"humaneval.load.path={root / 'tests/data/humaneval/problems.jsonl'}"]
            done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
            print(done.stdout, done.stderr)
            assert done.returncode == 0, f"evalflow run exited {done.returncode}"
            run_dir = next(p for p in pathlib.Path(work_dir).iterdir() if p.is_dir())
            check_verdicts(run_dir, expected)
            check_rescoring(evalflow, run_dir, lcb, pathlib.Path(work_dir))
        with tempfile.TemporaryDirectory() as work_dir:
            infer_args = [*args[:args.index("-w")], "-w", work_dir, *args[args.index("-w") + 2:], "--mode", "infer"]
            infer = subprocess.run(infer_args, capture_output=True, text=True, timeout=300, check=False)
            assert infer.returncode == 0, f"--mode infer exited {infer.returncode}: {infer.stderr}"
            run_dir = next(p for p in pathlib.Path(work_dir).iterdir() if p.is_dir())
            stored = read_jsonl(run_dir / "predictions" / MODEL / "livecodebench_v5.jsonl")
            assert len(stored) == 12 and all("verdict" not in row for row in stored), "--mode infer scored samples"
            # With the model server gone, a request sent now would fail the run.
            server.terminate()
            server.communicate(timeout=30)
            evaluate = subprocess.run([evalflow, "run", "--resume", str(run_dir), "--mode", "eval", "--no-progress"],
                                      capture_output=True, text=True, timeout=300, check=False)
            print(evaluate.stdout, evaluate.stderr)
            assert evaluate.returncode == 0, f"--resume --mode eval exited {evaluate.returncode}"
            check_verdicts(run_dir, expected, rows_scored=False)
    finally:
        if server.poll() is None:
            server.terminate()
            server.communicate(timeout=30)
    print("code benchmarks end to end: ok")


def check_verdicts(run_dir, expected, rows_scored=True):
    """Each row's verdict is the expected one (when the rows were written scored: --mode eval keeps them as they
    were); accuracy, avg@2 and pass@1 are the share of right answers."""
    for dataset, question_field, problems in [("livecodebench_v5", "question_content", 6), ("humaneval", "prompt", 3)]:
        rows = read_jsonl(run_dir / "predictions" / MODEL / f"{dataset}.jsonl")
        assert len(rows) == 2 * problems, f"{dataset}: {len(rows)} rows"
        for row in rows if rows_scored else []:
            want = expected[row[question_field]]
            assert row["correct"] == want, f"{dataset} sample {row['id']}: {row['verdict']} {row['exec_error']}"
            assert (row["verdict"] == "passed") == want
            assert "draft" not in row["extracted_code"], "the block inside <think> was taken"
        right = sum(expected[row[question_field]] for row in rows) / len(rows) * 100
        results = json.loads((run_dir / "results" / MODEL / f"{dataset}.json").read_text())
        metrics = results.get("metrics", results)
        print(dataset, json.dumps(metrics))
        assert abs(metrics["accuracy"] - right) < 1e-6, (metrics["accuracy"], right)
        assert abs(metrics["avg@2"] - right) < 1e-6 and abs(metrics["pass@1"] - right) < 1e-6


def check_rescoring(evalflow, run_dir, lcb, work_dir):
    """`evalflow score` with the fragments' scoring nodes gives each stored row the verdict the run gave it."""
    # The options of each fragment's extract and judge nodes (with the test's overrides).
    scoring = {"livecodebench_v5": ({"block": "last"},
                                    {"benchmark": "livecodebench", "tests_path": str(lcb), "test_timeout_s": 2}),
               "humaneval": ({}, {"benchmark": "humaneval", "test_timeout_s": 3})}
    for dataset, (extract, options) in scoring.items():
        predictions = run_dir / "predictions" / MODEL / f"{dataset}.jsonl"
        output = work_dir / f"{dataset}_rescored.jsonl"
        done = subprocess.run([evalflow, "score", "--input", str(predictions), "--post", "code_extract",
                               "--options", "code_extract=" + json.dumps(extract), "--evaluator",
                               "code_exec", "--options", "code_exec=" + json.dumps(options), "--output", str(output)],
                              capture_output=True, text=True, timeout=300, check=False)
        print(done.stdout, done.stderr)
        assert done.returncode == 0, f"evalflow score {dataset} exited {done.returncode}"
        stored = read_jsonl(predictions)
        rescored = read_jsonl(output)
        assert [row["id"] for row in rescored] == [row["id"] for row in stored], "rows out of order"
        for before, after in zip(stored, rescored):
            assert (after["correct"], after["verdict"], after["test_results"]) == (
                before["correct"], before["verdict"], before["test_results"]), (dataset, before["id"], after)
        assert f"{len(stored)} rows, {sum(row['correct'] for row in stored)} correct, 0 failed" in done.stdout

if __name__ == "__main__":
    main()
