#!/usr/bin/env python3
"""Writes a run directory the size of MATH-500 x 64 samples with outputs of 30K tokens, for measuring
report.html (file size, time to write, time to open): rows as `evalflow run` writes them, outputs stitched
from real reasoning traces (tests/data/predictions) at random offsets so that they compress like real text.
Usage: make_large_run.py REPOSITORY_ROOT RUN_DIR [QUESTIONS=500] [SAMPLES=64] [OUTPUT_CHARS=100000]"""
import json
import pathlib
import random
import sys


def main():
    root, run = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    questions = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    samples = int(sys.argv[4]) if len(sys.argv) > 4 else 64
    output_chars = int(sys.argv[5]) if len(sys.argv) > 5 else 100_000  # ~30K tokens at ~3.3 characters each
    corpus = "\n".join(json.loads(line)["response"] for line in
                       open(root / "tests/data/predictions/qwen3-32b_aime2024_lighteval.jsonl", encoding="utf-8"))
    problems = [json.loads(line) for line in open(root / "data/math500/test.jsonl", encoding="utf-8")]
    generator = random.Random(5)
    predictions = run / "predictions" / "big-model" / "math500.jsonl"
    predictions.parent.mkdir(parents=True, exist_ok=True)
    right = 0
    with open(predictions, "w", encoding="utf-8") as out:
        for index in range(questions):
            problem = problems[index % len(problems)]
            difficulty = generator.random()
            for replica in range(samples):
                start = generator.randrange(0, len(corpus) - output_chars)
                correct = generator.random() > difficulty
                right += correct
                cut = generator.random() < 0.05
                text = "<think>" + corpus[start:start + output_chars] + ("" if cut else "</think> \\boxed{" + problem["answer"] + "}")
                out.write(json.dumps({
                    "data_abbr": "math500", "id": index, "replica": replica, "success": True,
                    "sample_hash": f"{index:016x}",
                    "origin_prompt": [{"role": "HUMAN", "prompt": problem["problem"] + "\nPlease reason step by step."}],
                    "prediction": text, "gold": problem["solution"], "level": f"Level {problem['level']}",
                    "subject": problem["subject"], "finish_reason": "length" if cut else "stop",
                    "completion_tokens": output_chars // 3, "extracted": problem["answer"] if correct else "0",
                    "correct": correct}, ensure_ascii=False) + "\n")
    total = questions * samples
    results = run / "results" / "big-model" / "math500.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps({"accuracy": 100 * right / total, "num_samples": total, "num_failed": 0}))
    print(f"{predictions}: {total} rows, {predictions.stat().st_size / 1e9:.2f} GB")


if __name__ == "__main__":
    main()
