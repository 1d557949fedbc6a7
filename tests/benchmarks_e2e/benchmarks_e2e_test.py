#!/usr/bin/env python3
"""GPQA Diamond, GSM8K, AIME 2025 and MMLU-Pro end to end: `evalflow run` with the model fragment and the four
dataset fragments of pipelines/datasets, on the small files in tests/data/benchmarks (the real datasets' formats),
against openai_test_server replaying R1-style outputs (tests/benchmarks_e2e/replayed_outputs.jsonl) with injected
faults (HTTP 500s and a dropped connection, retried by the client). Every replayed output carries what the
reference's own rule extracts from it and whether that scores, worked out by hand from the rule cited in its `why`.
Checks, per dataset, that
- every row is scored and each row's extracted answer and verdict are the expected ones (GSM8K: the gold too);
- the dataset's accuracy is the share of expected-correct rows;
- the server injected faults and the run still scored everything.
Usage: benchmarks_e2e_test.py EVALFLOW OPENAI_TEST_SERVER REPOSITORY_ROOT"""
import json
import pathlib
import re
import subprocess
import sys
import tempfile

MODEL = "vllm-api-general-chat"
FRAGMENTS = {  # dataset abbr -> (fragment, test file, the field holding the question text)
    "gpqa_diamond": ("gpqa_gen_0_shot_cot_chat_prompt.yaml", "gpqa_diamond.csv", "question"),
    "gsm8k": ("gsm8k_gen_0_shot_cot_chat_prompt.yaml", "gsm8k_test.jsonl", "question"),
    "aime2025": ("aime2025_gen_0_shot_chat_prompt.yaml", "aime2025.jsonl", "question"),
    "mmlu_pro": ("mmlu_pro_gen_0_shot_str.yaml", "mmlu_pro_test.jsonl", "question"),
}
FAULTS = ["500@every=4", "reset@nth=2"]


def read_jsonl(path):
    with open(path, encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def start_server(binary, replay):
    args = [binary, "--port", "0", "--replay", str(replay), "--reasoning"]
    for fault in FAULTS:
        args += ["--fault", fault]
    server = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    match = re.search(r"listening on http://([^:]+):(\d+)/v1", server.stdout.readline())
    assert match, "openai_test_server did not start"
    return server, match.group(1), match.group(2)


def stop_server(server):
    server.terminate()
    _, err = server.communicate(timeout=30)
    match = re.search(r"(\d+) faults injected", err)
    return int(match.group(1)) if match else 0


def check_dataset(run_dir, dataset, question_field, expected):
    rows = read_jsonl(run_dir / "predictions" / MODEL / f"{dataset}.jsonl")
    assert len(rows) == len(expected), f"{dataset}: {len(rows)} rows, expected {len(expected)}"
    for row in rows:
        want = expected[row[question_field]]
        where = f"{dataset} row {row['id']}"
        assert "error" not in row or not row["error"], f"{where}: failed: {row.get('error')}"
        if want["expected_extracted"] is not None:
            assert row["extracted"] == want["expected_extracted"], \
                f"{where}: extracted {row['extracted']!r}, the reference gives {want['expected_extracted']!r} ({want['why']})"
        assert row["correct"] == want["expected_correct"], f"{where}: correct={row['correct']} ({want['why']})"
        if "expected_gold" in want:
            assert row["gold"] == want["expected_gold"], f"{where}: gold {row['gold']!r}"
    right = 100 * sum(want["expected_correct"] for want in expected.values()) / len(expected)
    results = json.loads((run_dir / "results" / MODEL / f"{dataset}.json").read_text())
    metrics = results.get("metrics", results)
    print(dataset, json.dumps(metrics))
    assert abs(metrics["accuracy"] - right) < 1e-6, f"{dataset}: accuracy {metrics['accuracy']}, expected {right}"


def main():
    evalflow, server_binary, root = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]).resolve()
    replay = root / "tests/benchmarks_e2e/replayed_outputs.jsonl"
    data = root / "tests/data/benchmarks"
    outputs = read_jsonl(replay)
    server, host, port = start_server(server_binary, replay)
    try:
        with tempfile.TemporaryDirectory() as work_dir:
            args = [evalflow, "run", "--model", str(root / "pipelines/models/vllm_api_general_chat.yaml"),
                    "-w", work_dir, "--no-progress", "-s", f"model.host_ip={host}", "-s", f"model.host_port={port}",
                    "-s", "model.retry=5"]
            for dataset, (fragment, data_file, _) in FRAGMENTS.items():
                args += ["--dataset", str(root / "pipelines/datasets" / fragment),
                         "-s", f"{dataset}.load.path={data / data_file}"]
            done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
            print(done.stdout, done.stderr)
            assert done.returncode == 0, f"evalflow run exited {done.returncode}"
            run_dir = next(p for p in pathlib.Path(work_dir).iterdir() if p.is_dir())
            for dataset, (_, _, question_field) in FRAGMENTS.items():
                expected = {row["question"]: row for row in outputs if row["dataset"] == dataset}
                check_dataset(run_dir, dataset, question_field, expected)
    finally:
        faults = stop_server(server)
    assert faults > 0, "the server injected no fault"
    print(f"four benchmarks end to end through {faults} injected faults: ok")


if __name__ == "__main__":
    main()
