#!/usr/bin/env python3
"""The benchmark fragments of pipelines/datasets beyond the seed's, end to end. First GPQA Diamond, GSM8K, AIME 2025
and MMLU-Pro (AISBench's configs): `evalflow run` with the model fragment and the four fragments, on the small files in tests/data/benchmarks (the real datasets' formats),
against openai_test_server replaying R1-style outputs (tests/benchmarks_e2e/replayed_outputs.jsonl) with injected
faults (HTTP 500s and a dropped connection, retried by the client). Every replayed output carries what the
reference's own rule extracts from it and whether that scores, worked out by hand from the rule cited in its `why`.
Checks, per dataset, that
- every row is scored and each row's extracted answer and verdict are the expected ones (GSM8K: the gold too);
- the dataset's accuracy is the share of expected-correct rows;
- the server injected faults and the run still scored everything.
MMLU-Pro 5-shot (mmlu_pro_gen_5_shot_str, a config for base models; one example per category here), in a second
run against a server without reasoning separation: the prompt of one row is exactly the one AISBench's
FixKRetriever and templates build, and only the row replayed with the right letter on its first line scores
(the others get the 0-shot outputs, whose first line is `<think>`).
GSM8K 5-shot in lm-eval's layout (gsm8k_gen_5_shot_lm_eval_seeded), in the same run: each row scored by lm-eval's
flexible-extract rule, and one row's prompt equal to the one the seeded rule gives in Python (the train rows at
random.Random(FNV-1a-64("0" "\x1f" question)).shuffle(positions)[:5], in lm-eval's layout).
GPQA Diamond as simple-evals scores it (gpqa_diamond_simple_evals), in a third run with --samples 4: each sample's
gold and verdict equal what simple-evals' own loop and regex give, recomputed here with Python's random and re.
pipelines/r1_distill_qwen14b_model_card.yaml (AIME 2024, MATH-500, GPQA Diamond) validates with GPQA's file given.
Usage: benchmarks_e2e_test.py EVALFLOW OPENAI_TEST_SERVER REPOSITORY_ROOT"""
import csv
import json
import pathlib
import random
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
FIVE_SHOT = ("mmlu_pro_5shot", "mmlu_pro_gen_5_shot_str.yaml", "mmlu_pro_test.jsonl")
SIMPLE_EVALS = ("gpqa_diamond_simple_evals", "gpqa_diamond_simple_evals.yaml", "gpqa_diamond.csv")
# simple-evals' common.py ANSWER_PATTERN_MULTICHOICE, searched with re.search in the message content.
SIMPLE_EVALS_PATTERN = r"(?i)Answer[ \t]*:[ \t]*\$?([A-D])\$?"
LM_EVAL = ("gsm8k_5shot", "gsm8k_gen_5_shot_lm_eval_seeded.yaml", "gsm8k_test.jsonl")
# AISBench's 5-shot prompt for the physics test row with one example: the hint, generate_ice's
# "\n".join(examples) + "\n", then the question in the same layout.
PHYSICS_5SHOT_PROMPT = (
    "Answer the following multiple choice question about physics, and give your answer option directly.\n"
    "Question:\nA ball is dropped from rest. How far does it fall in the first 2 s (g = 10 m/s^2)?\n"
    "Options:\nA. 5 m\nB. 10 m\nC. 20 m\nD. 40 m\nAnswer: C\n"
    "Question:\nWhat is the SI unit of magnetic flux?\nOptions:\nA. tesla\nB. henry\nC. gauss\nD. weber\n"
    "E. maxwell\nF. ampere-turn\nG. oersted\nH. volt\nI. farad\nJ. siemens\nAnswer: ")
FAULTS = ["500@every=4", "reset@nth=2"]


def read_jsonl(path):
    with open(path, encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def start_server(binary, replay, reasoning):
    args = [binary, "--port", "0", "--replay", str(replay)] + (["--reasoning"] if reasoning else [])
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


def check_naive_average(run_dir, dataset):
    """AISBench's MMLU-Pro figure: the mean of the per-category accuracies, each category counting once (here one
    question per category, so it equals the overall accuracy; AccuracyPlugin.NaiveAverageCountsEveryGroupOnce
    has unequal groups)."""
    rows = read_jsonl(run_dir / "predictions" / MODEL / f"{dataset}.jsonl")
    by_category = {}
    for row in rows:
        by_category.setdefault(row["category"], []).append(row["correct"])
    assert len(by_category) > 1, f"{dataset}: one category only, the check would prove nothing"
    want = sum(100 * sum(v) / len(v) for v in by_category.values()) / len(by_category)
    metrics = json.loads((run_dir / "results" / MODEL / f"{dataset}.json").read_text())
    metrics = metrics.get("metrics", metrics)
    assert abs(metrics["naive_average_by_category"] - want) < 1e-6, (metrics["naive_average_by_category"], want)


def check_five_shot(run_dir, outputs):
    replayed = {row["record_question"]: row for row in outputs if row["dataset"] == "mmlu_pro_5shot"}
    zero_shot = {row["question"]: row for row in outputs if row["dataset"] == "mmlu_pro"}
    expected = {question: replayed.get(question, dict(row, expected_extracted=None, expected_correct=False))
                for question, row in zero_shot.items()}
    check_dataset(run_dir, "mmlu_pro_5shot", "question", expected)
    rows = read_jsonl(run_dir / "predictions" / MODEL / "mmlu_pro_5shot.jsonl")
    physics = next(row for row in rows if row["category"] == "physics")
    prompt = physics["origin_prompt"]
    text = prompt if isinstance(prompt, str) else prompt[-1]["content"]
    assert text == PHYSICS_5SHOT_PROMPT, f"5-shot prompt:\n{text!r}\nexpected:\n{PHYSICS_5SHOT_PROMPT!r}"


def fnv1a64(data, value=14695981039346656037):
    for byte in data:
        value = ((value ^ byte) * 1099511628211) % (1 << 64)
    return value


def seeded_examples(question, examples, k):
    """few_shot `seeded` in Python: random.Random(FNV-1a-64 of "0", 0x1f, the question).shuffle(positions)[:k]."""
    positions = [i for i, row in enumerate(examples) if row["question"] != question]
    random.Random(fnv1a64(question.encode(), fnv1a64(b"\x1f", fnv1a64(b"0")))).shuffle(positions)
    return [examples[i] for i in positions[:k]]


def check_lm_eval(run_dir, outputs, train):
    expected = {row["question"]: dict(row, expected_extracted=row["lm_eval_extracted"],
                                      expected_correct=row["lm_eval_correct"], why=row["lm_eval_why"])
                for row in outputs if row["dataset"] == "gsm8k"}
    check_dataset(run_dir, LM_EVAL[0], "question", expected)
    row = read_jsonl(run_dir / "predictions" / MODEL / f"{LM_EVAL[0]}.jsonl")[0]
    shots = "".join(f"Question: {shot['question']}\nAnswer: {shot['answer']}\n\n"
                    for shot in seeded_examples(row["question"], train, 5))
    want = f"{shots}Question: {row['question']}\nAnswer:"
    prompt = row["origin_prompt"]
    text = prompt if isinstance(prompt, str) else prompt[-1]["content"]
    assert text == want, f"lm-eval 5-shot prompt:\n{text!r}\nexpected:\n{want!r}"


def check_simple_evals(run_dir, outputs, csv_rows):
    """simple-evals gpqa_eval.py: examples * 4, the j-th rng.sample(range(4), 4) of one random.Random(0) each;
    gold = "ABCD"[permutation.index(0)] (the correct answer is choice 0); the first pattern match in the content."""
    rng = random.Random(0)
    permutations = [rng.sample(range(4), 4) for _ in range(4 * len(csv_rows))]
    responses = {row["question"]: row["response"] for row in outputs if row["dataset"] == "gpqa_diamond"}
    rows = read_jsonl(run_dir / "predictions" / MODEL / f"{SIMPLE_EVALS[0]}.jsonl")
    assert len(rows) == 4 * len(csv_rows), f"{SIMPLE_EVALS[0]}: {len(rows)} rows"
    for row in rows:
        permutation = permutations[row["replica"] * len(csv_rows) + row["id"]]
        gold = "ABCD"[permutation.index(0)]
        response = responses[row["question"]]
        content = response.split("</think>")[-1] if "</think>" in response else ""  # all reasoning otherwise
        match = re.search(SIMPLE_EVALS_PATTERN, content)
        where = f"{SIMPLE_EVALS[0]} row {row['id']} replica {row['replica']}"
        assert row["permutation"] == permutation and row["gold"] == gold, f"{where}: {row['permutation']} {row['gold']}"
        assert row["extracted"] == (match.group(1) if match else ""), f"{where}: extracted {row['extracted']!r}"
        assert row["correct"] == (match is not None and match.group(1) == gold), f"{where}: correct={row['correct']}"
    right = 100 * sum(row["correct"] for row in rows) / len(rows)
    metrics = json.loads((run_dir / "results" / MODEL / f"{SIMPLE_EVALS[0]}.json").read_text())
    metrics = metrics.get("metrics", metrics)
    print(SIMPLE_EVALS[0], json.dumps(metrics))
    assert 0 < right < 100 and abs(metrics["accuracy"] - right) < 1e-6, (metrics["accuracy"], right)


def run(evalflow, server_binary, root, work_dir, dataset_args, reasoning):
    """Runs evalflow with the model fragment and `dataset_args` against a fresh replaying server; returns
    the run directory and the number of faults the server injected."""
    server, host, port = start_server(server_binary, root / "tests/benchmarks_e2e/replayed_outputs.jsonl", reasoning)
    try:
        args = [evalflow, "run", "--model", str(root / "pipelines/models/vllm_api_general_chat.yaml"),
                "-w", str(work_dir), "--no-progress", "-s", f"model.host_ip={host}", "-s", f"model.host_port={port}",
                "-s", "model.retry=5"] + dataset_args
        done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
        print(done.stdout, done.stderr)
        assert done.returncode == 0, f"evalflow run exited {done.returncode}"
    finally:
        faults = stop_server(server)
    return next(p for p in pathlib.Path(work_dir).iterdir() if p.is_dir()), faults


def main():
    evalflow, server_binary, root = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]).resolve()
    data = root / "tests/data/benchmarks"
    outputs = read_jsonl(root / "tests/benchmarks_e2e/replayed_outputs.jsonl")
    with tempfile.TemporaryDirectory() as temp:
        dataset_args = []
        for dataset, (fragment, data_file, _) in FRAGMENTS.items():
            dataset_args += ["--dataset", str(root / "pipelines/datasets" / fragment),
                             "-s", f"{dataset}.load.path={data / data_file}"]
        (pathlib.Path(temp) / "reasoning").mkdir()
        run_dir, faults = run(evalflow, server_binary, root, pathlib.Path(temp) / "reasoning", dataset_args, True)
        for dataset, (_, _, question_field) in FRAGMENTS.items():
            expected = {row["question"]: row for row in outputs if row["dataset"] == dataset}
            check_dataset(run_dir, dataset, question_field, expected)
        check_naive_average(run_dir, "mmlu_pro")
        assert faults > 0, "the server injected no fault"

        dataset, fragment, data_file = FIVE_SHOT
        (pathlib.Path(temp) / "base").mkdir()
        run_dir, more_faults = run(evalflow, server_binary, root, pathlib.Path(temp) / "base",
                         ["--dataset", str(root / "pipelines/datasets" / fragment),
                          "-s", f"{dataset}.load.path={data / data_file}",
                          "-s", f"{dataset}.examples.path={data / 'mmlu_pro_validation.jsonl'}",
                          "-s", f"{dataset}.examples.k=1",
                          "--dataset", str(root / "pipelines/datasets" / LM_EVAL[1]),
                          "-s", f"{LM_EVAL[0]}.load.path={data / LM_EVAL[2]}",
                          "-s", f"{LM_EVAL[0]}.examples.path={data / 'gsm8k_train.jsonl'}"], False)
        faults += more_faults
        check_five_shot(run_dir, outputs)
        check_lm_eval(run_dir, outputs, read_jsonl(data / "gsm8k_train.jsonl"))

        dataset, fragment, data_file = SIMPLE_EVALS
        (pathlib.Path(temp) / "simple_evals").mkdir()
        run_dir, more_faults = run(evalflow, server_binary, root, pathlib.Path(temp) / "simple_evals",
                         ["--dataset", str(root / "pipelines/datasets" / fragment), "--samples", "4",
                          "-s", f"{dataset}.load.path={data / data_file}", "-s", f"{dataset}.options.rows=7"], True)
        faults += more_faults
        with open(data / data_file, encoding="utf-8", newline="") as stream:
            check_simple_evals(run_dir, outputs, list(csv.DictReader(stream)))
    model_card = subprocess.run([evalflow, "validate", str(root / "pipelines/r1_distill_qwen14b_model_card.yaml"),
                                 "-s", f"gpqa_diamond.load.path={data / 'gpqa_diamond.csv'}"],
                                capture_output=True, text=True, timeout=60, check=False)
    assert model_card.returncode == 0 and "3 dataset(s)" in model_card.stdout, model_card.stdout + model_card.stderr
    print(f"seven benchmark fragments end to end in three runs, {faults} faults injected: ok")


if __name__ == "__main__":
    main()
