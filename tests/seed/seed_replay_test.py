#!/usr/bin/env python3
"""The seed evaluation end to end: pipelines/r1_distill_qwen14b.yaml run by `evalflow run` against
openai_test_server, which replays recorded model outputs (Llama-3.1-8B-Instruct on AIME 2024 and MATH-500,
tests/data/predictions) and injects faults (429, 500, 503, connection resets). Checks that
- every request ends answered, and every prediction is byte for byte the recorded output;
- the run's accuracy equals `evalflow score` on the same outputs, for both datasets;
- sample_metrics reports the multi-sample figures when run with --samples 2, and agrees with accuracy;
- reasoning traces (Qwen3-32B on AIME 2024) cut by max_tokens inside <think> are reported as truncated by
  length and as unclosed thinking; the same traces uncut are not.
Usage: seed_replay_test.py EVALFLOW OPENAI_TEST_SERVER REPOSITORY_ROOT [NUM_PROMPTS]"""
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import time

MODEL = "vllm-api-general-chat"
RECORDED = {
    "aime2024": "tests/data/predictions/llama31-8b-instruct_aime2024_qwen25math-harness.jsonl",
    "math500": "tests/data/predictions/llama31-8b-instruct_math500_qwen25math-harness.jsonl",
}
# How `evalflow score` re-scores each dataset's predictions: the pipeline's own scoring nodes.
SCORING = {
    "aime2024": ["--post", "math_boxed", "--evaluator", "math_string_v2"],
    "math500": ["--evaluator", "math_verify"],
}
# Drawn per request (seeded), not periodic: with a periodic rule a sample whose retries come back in step with
# the requests in flight (e.g. 17 apart) would meet the same rule every time and exhaust its retries.
FAULTS = ["429@p=0.07", "500@p=0.06", "reset@p=0.06", "503@p=0.06"]


def read_jsonl(path):
    with open(path, encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def start_server(binary, replay):
    args = [binary, "--port", "0", "--replay", str(replay), "--retry-after", "0"]
    for fault in FAULTS:
        args += ["--fault", fault]
    server = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    match = re.search(r"listening on http://([^:]+):(\d+)/v1", line)
    if not match:
        server.kill()
        raise RuntimeError(f"openai_test_server did not start: {line}{server.stderr.read()}")
    return server, match.group(1), match.group(2)


def stop_server(server):
    server.terminate()
    _, err = server.communicate(timeout=30)
    match = re.search(r"(\d+) completion requests, (\d+) faults injected", err)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def run_pipeline(evalflow, root, work_dir, host, port, extra):
    args = [evalflow, "run", str(root / "pipelines/r1_distill_qwen14b.yaml"), "-w", str(work_dir), "--no-progress",
            "-s", f"model.host_ip={host}", "-s", f"model.host_port={port}", "-s", "model.retry=10",
            "-s", "model.backoff.initial_s=0.01", "-s", "model.backoff.max_s=0.05", *extra]
    started = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    elapsed = time.monotonic() - started
    runs = sorted(p for p in pathlib.Path(work_dir).iterdir() if p.is_dir())
    return done, (runs[-1] if runs else None), elapsed


def score(evalflow, predictions, dataset):
    done = subprocess.run([evalflow, "score", "--input", str(predictions), *SCORING[dataset]], capture_output=True,
                          text=True, timeout=300, check=False)
    match = re.search(r"(\d+) rows, (\d+) correct, (\d+) failed", done.stdout)
    if done.returncode != 0 or not match:
        raise RuntimeError(f"evalflow score failed: {done.stdout}{done.stderr}")
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def check_reasoning_figures(evalflow, server_binary, root, temp, expect):
    """AIME 2024 _mv_fixed (think_strip + math_verify_fixed) on Qwen3-32B's thinking traces, whole and cut at
    1000 tokens by the server (as vLLM does at max_tokens)."""
    questions = [json.loads(line)["question"] for line in open(root / "data/aime2024/aime.jsonl", encoding="utf-8")]
    replay = temp / "reasoning.jsonl"
    with open(replay, "w", encoding="utf-8") as out:
        for row in read_jsonl(root / "tests/data/predictions/qwen3-32b_aime2024_lighteval.jsonl"):
            out.write(json.dumps({"question": questions[row["aime_jsonl_index"]], "response": row["response"]}) + "\n")
    for max_tokens in [None, 1000]:
        server, host, port = start_server(server_binary, replay)
        work_dir = temp / f"reasoning_{max_tokens}"
        args = [evalflow, "run", "--model", str(root / "pipelines/models/vllm_api_general_chat.yaml"), "--dataset",
                str(root / "pipelines/datasets/aime2024_gen_0_shot_chat_prompt_mv_fixed.yaml"), "-w", str(work_dir),
                "--no-progress", "-s", f"model.host_ip={host}", "-s", f"model.host_port={port}", "-s", "model.retry=10",
                "-s", "model.backoff.initial_s=0.01"]
        if max_tokens:
            args += ["-s", f"model.generation_kwargs.max_tokens={max_tokens}"]
        done = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
        stop_server(server)
        if done.returncode != 0:
            expect(False, f"reasoning run failed: {done.stderr[-3000:]}")
            continue
        run_dir = sorted(work_dir.iterdir())[-1]
        results = json.loads((run_dir / f"results/{MODEL}/aime2024_mv_fixed.json").read_text())
        print(f"reasoning traces, max_tokens {max_tokens}: " +
              json.dumps({k: results.get(k) for k in ["accuracy", "length_truncated", "unclosed_think",
                                                       "mean_output_tokens"]}))
        expect(results.get("num_failed") == 0 and results.get("total") == 30, f"reasoning run counts: {results}")
        cut = 100.0 if max_tokens else 0.0
        expect(results.get("length_truncated") == cut, f"max_tokens {max_tokens}: length_truncated {results}")
        expect(results.get("unclosed_think") == cut, f"max_tokens {max_tokens}: unclosed_think {results}")
        tokens = results.get("mean_output_tokens", 0)
        expect(tokens == 1000.0 if max_tokens else tokens > 1000.0, f"max_tokens {max_tokens}: mean tokens {tokens}")


def main():
    evalflow, server_binary, root = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    num_prompts = sys.argv[4] if len(sys.argv) > 4 else None
    failures = []

    def expect(condition, what):
        if not condition:
            failures.append(what)

    with tempfile.TemporaryDirectory() as temp:
        temp = pathlib.Path(temp)
        recorded = {name: read_jsonl(root / path) for name, path in RECORDED.items()}
        replay = temp / "replay.jsonl"
        with open(replay, "w", encoding="utf-8") as out:
            for rows in recorded.values():
                for row in rows:
                    out.write(json.dumps({"question": row["question"], "response": row["response"]}) + "\n")

        for samples in [None, "2"]:
            label = f"samples={samples or 1}"
            extra = (["--num-prompts", num_prompts] if num_prompts else []) + (["--samples", samples] if samples else [])
            server, host, port = start_server(server_binary, replay)
            done, run_dir, elapsed = run_pipeline(evalflow, root, temp / f"outputs_{samples or 1}", host, port, extra)
            requests, faults = stop_server(server)
            print(f"{label}: evalflow run took {elapsed:.1f} s, {requests} requests, {faults} faults injected")
            if done.returncode != 0 or run_dir is None:
                failures.append(f"{label}: evalflow run failed ({done.returncode}): {done.stderr[-3000:]}")
                continue
            expect(faults > 0, f"{label}: no fault was injected")
            replicas = int(samples or 1)
            answered = 0
            for dataset, rows in recorded.items():
                results = json.loads((run_dir / f"results/{MODEL}/{dataset}.json").read_text())
                predictions_file = run_dir / f"predictions/{MODEL}/{dataset}.jsonl"
                predictions = read_jsonl(predictions_file)
                questions = int(num_prompts) if num_prompts else len(rows)
                answered += len(predictions)
                expect(results["num_failed"] == 0, f"{label} {dataset}: {results['num_failed']} requests failed")
                expect(len(predictions) == questions * replicas,
                       f"{label} {dataset}: {len(predictions)} predictions for {questions} x {replicas}")
                # The recorded outputs are the first rows of the data files, in the same order.
                wrong = [p["id"] for p in predictions if p["prediction"] != rows[p["id"]]["response"]]
                expect(not wrong, f"{label} {dataset}: predictions differ from the recorded outputs at ids {wrong[:5]}")
                total, correct, failed = score(evalflow, predictions_file, dataset)
                offline = 100.0 * correct / (total - failed)
                print(f"  {dataset}: run accuracy {results['accuracy']:.4f}, evalflow score {offline:.4f} "
                      f"({correct}/{total - failed})")
                expect(abs(results["accuracy"] - offline) < 1e-9,
                       f"{label} {dataset}: run accuracy {results['accuracy']} != evalflow score {offline}")
                expect("expected" in results, f"{label} {dataset}: the expected figure is not in the results")
                if replicas > 1:
                    key = f"avg@{replicas}"
                    # The replayed answers repeat, so every figure over the two samples equals accuracy.
                    for figure in [key, "pass@1", "pass@2", f"cons@{replicas}", f"majority_correct@{replicas}"]:
                        expect(figure in results and abs(results[figure] - results["accuracy"]) < 1e-9,
                               f"{label} {dataset}: {figure} = {results.get(figure)} (accuracy {results['accuracy']})")
                    expect(results.get(f"{key}_stderr") == 0.0, f"{label} {dataset}: identical samples, stderr != 0")
                else:
                    expect(not any(k.startswith(("avg@", "pass@", "cons@")) for k in results),
                           f"{label} {dataset}: multi-sample figures reported for one sample")
                expect("mean_output_tokens" in results and "length_truncated" in results,
                       f"{label} {dataset}: reasoning-aware figures missing: {sorted(results)}")
            expect(requests > answered, f"{label}: {requests} requests for {answered} answers: faults not retried?")
            summary = (run_dir / "summary/summary.txt").read_text()
            print(summary)
            expect(re.search(r"aime2024 .* accuracy .* (PASS|FAIL)", summary) is not None,
                   f"{label}: no PASS/FAIL check in the summary")

        check_reasoning_figures(evalflow, server_binary, root, temp, expect)

    for failure in failures:
        print("FAIL:", failure)
    print(f"seed_replay_test: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
