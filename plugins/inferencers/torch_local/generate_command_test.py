#!/usr/bin/env python3
"""`evalflow generate` on the CPU with the tiny Qwen2 fixture: rows' own max_tokens, the --stats counters a
benchmark derives the bandwidth limit from, --progress lines, and tools/bench_seed_workload.py end to end.
Usage: generate_command_test.py EVALFLOW REPOSITORY_ROOT"""
import json
import pathlib
import subprocess
import sys
import tempfile

EVALFLOW = ROOT = None
FAILURES = []


def expect(condition, what):
    if not condition:
        FAILURES.append(what)
        print("  FAIL:", what)
    return condition


def generate(rows, *flags):
    model = ROOT / "plugins/inferencers/torch_local/testdata/tiny_qwen2"
    text = "".join(json.dumps(row) + "\n" for row in rows)
    return subprocess.run([EVALFLOW, "generate", "--model", str(model), "--device", "cpu", *flags], input=text,
                          capture_output=True, text=True, timeout=120, check=False)


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def check_row_max_tokens_stats_and_progress():
    rows = [{"prompt_ids": [5, 6, 7, 8], "max_tokens": 3}, {"prompt_ids": [9, 10, 11, 12, 13]}]
    done = generate(rows, "--max-tokens", "6", "--ignore-eos", "--stats", "--progress", "0.01")
    if not expect(done.returncode == 0, f"generate exits 0: {done.returncode} {done.stderr}"):
        return
    results = json_lines(done.stdout)
    expect([len(result["ids"]) for result in results] == [3, 6],
           f"a row's max_tokens, else --max-tokens: {[len(r['ids']) for r in results]}")
    lines = json_lines(done.stderr)
    stats = lines[-1]
    # The first row decodes at contexts 5-6, the second at 6-10 (their first tokens come from the prefill):
    # 5 steps when the engine takes both rows at once, 7 when it starts the first before the second arrives.
    expect(5 <= stats.get("decode_steps", 0) <= 7, f"decode steps: {stats}")
    expect(stats.get("decode_context_positions") == (5 + 6) + (6 + 7 + 8 + 9 + 10), f"KV positions: {stats}")
    expect(stats.get("prefill_tokens") == 9, f"prefill tokens: {stats}")
    progress = [line["progress"] for line in lines if "progress" in line]
    if expect(progress, f"progress lines on stderr: {done.stderr}"):
        last = progress[-1]
        expect(last["generated_tokens"] == 9 and last["running"] == 0 and last["waiting"] == 0,
               f"the last progress line sees every token and nothing left: {last}")
        expect(last["kv_used_positions"] == 0 and last["kv_positions"] > 0, f"the pool is free again: {last}")
        expect(all(a["t_s"] <= b["t_s"] for a, b in zip(progress, progress[1:])), "progress times increase")


def check_row_max_tokens_above_the_limit_fails():
    done = generate([{"prompt_ids": [5, 6]}, {"prompt_ids": [5, 6], "max_tokens": 9}], "--max-tokens", "4")
    expect(done.returncode != 0, "a row asking for more than --max-tokens fails")
    expect("stdin line 2: max_tokens 9 is above --max-tokens 4" in done.stderr, f"says where: {done.stderr}")
    done = generate([{"prompt_ids": [5, 6], "max_tokens": "many"}], "--max-tokens", "4")
    expect("max_tokens must be a positive integer" in done.stderr, f"a non-number: {done.stderr}")


def check_seed_workload_tool(temp):
    # The fixture's config with room for the traces' prompts (up to 472 tokens) plus the scaled outputs;
    # the tool runs on random weights, so config.json is all the model folder needs.
    config = json.loads((ROOT / "plugins/inferencers/torch_local/testdata/tiny_qwen2/config.json").read_text())
    config["max_position_embeddings"] = 4096
    model = temp / "model"
    model.mkdir()
    (model / "config.json").write_text(json.dumps(config))
    done = subprocess.run([sys.executable, str(ROOT / "tools/bench_seed_workload.py"), "--evalflow", EVALFLOW,
                           "--model", str(model), "--device", "cpu", "--dtype", "float32", "--requests", "6",
                           "--length-scale", "0.002", "--max-batch", "4", "--progress", "0.01", "--out",
                           str(temp / "out")], capture_output=True, text=True, timeout=300, check=False)
    if not expect(done.returncode == 0, f"bench_seed_workload.py exits 0: {done.stderr[-3000:]}"):
        return
    summary = json.loads(done.stdout)
    expect(summary["requests"] == 6 and summary["lengths_as_requested"], f"every row its length: {summary}")
    # The traces' outputs are 3,440-26,157 tokens: times 0.002, 7 to 52.
    expect(7 <= summary["max_tokens"]["median"] <= 52 and summary["max_tokens"]["max"] <= 52,
           f"lengths from the traces, scaled: {summary['max_tokens']}")
    expect(summary["completion_tokens"] == summary["max_tokens"]["sum"], f"tokens counted: {summary}")
    weights, kv = summary["weights_bytes_per_step"], summary["kv_bytes_per_position"]
    # tiny_qwen2: 2 layers of q/o 64x64, k/v 64x32, MLP 3x64x160, lm_head 512x64; KV 2 layers x 2 heads x 16.
    expect(weights == (2 * (2 * 64 * 64 + 2 * 64 * 32 + 3 * 64 * 160) + 512 * 64) * 4, f"weights: {weights}")
    expect(kv == 2 * 2 * 16 * 2 * 4, f"KV bytes per position: {kv}")
    expect(0 < summary["share_of_limit"] < 1, f"a share of the limit: {summary['share_of_limit']}")
    expect(summary["timeline"] and summary["kv_positions"] > 0, f"a timeline and the pool: {summary}")
    expect((temp / "out/seed_workload.json").exists(), "the summary is saved under --out")


def main():
    global EVALFLOW, ROOT
    EVALFLOW, ROOT = sys.argv[1], pathlib.Path(sys.argv[2])
    check_row_max_tokens_stats_and_progress()
    check_row_max_tokens_above_the_limit_fails()
    with tempfile.TemporaryDirectory() as temp:
        check_seed_workload_tool(pathlib.Path(temp))
    if FAILURES:
        sys.exit(f"{len(FAILURES)} check(s) failed")
    print("generate_command_test: all checks passed")


if __name__ == "__main__":
    main()
