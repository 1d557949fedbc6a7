#!/usr/bin/env python3
"""A seed-shaped workload for the local engine (issue 20): requests whose output lengths follow the recorded
Qwen3-32B AIME 2024 thinking traces (tests/data/predictions, 30 traces of 3,440-26,157 tokens, mean 11,607),
through `evalflow generate --ignore-eos` with each row's own max_tokens, so the batch thins out as the
short traces end and the long ones run on, as in a real reasoning benchmark.

Each request draws a trace at random (seeded, with replacement): its prompt is that trace's prompt length in
random ids, its max_tokens that trace's output length times --length-scale (a run at the real lengths takes
longer than one device call allows; scaling keeps the distribution's shape). Prints one JSON summary: the
lengths, wall time, tokens/s overall and over time, KV pool use and preemptions over time, and the run's
share of the bandwidth limit: (the weights read once per decode step + every running sequence's KV at that
step) at --bandwidth bytes/s, over the wall time (prefill, preempted sequences' recompute, sampling and
scheduling all count against it). The weights read per step are every parameter but the embedding table
(one row a token); the KV bytes per position follow from config.json and the dtype.

Usage: bench_seed_workload.py --evalflow build/bin/evalflow --model DIR [--requests 128] [--length-scale
0.25] [--max-batch 128] [--out DIR] [-- more evalflow generate flags]"""
import argparse
import json
import pathlib
import random
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
TRACES = ROOT / "tests/data/predictions/qwen3-32b_aime2024_lighteval.jsonl"
DTYPE_BYTES = {"bfloat16": 2, "float16": 2, "float32": 4}


def recorded_lengths(path):
    """(prompt tokens, output tokens) of each recorded trace."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(len(row["input_token_ids"]), len(row["output_token_ids"])) for row in rows]


def draw_requests(lengths, count, scale, vocab, seed):
    generator = random.Random(seed)
    requests = []
    for _ in range(count):
        prompt, output = generator.choice(lengths)
        requests.append({"prompt_ids": [generator.randrange(vocab) for _ in range(prompt)],
                         "max_tokens": max(1, round(output * scale))})
    return requests


def bytes_read_per_step(config, dtype_bytes):
    """(weight bytes read once per decode step, KV bytes per cached position) of a Qwen2/Llama config."""
    hidden, layers = config["hidden_size"], config["num_hidden_layers"]
    heads = config["num_attention_heads"]
    kv_heads = config.get("num_key_value_heads", heads)
    head_dim = config.get("head_dim", hidden // heads)
    attention = hidden * heads * head_dim * 2 + hidden * kv_heads * head_dim * 2  # q, o; k, v
    mlp = 3 * hidden * config["intermediate_size"]
    lm_head = config["vocab_size"] * hidden
    weights = (layers * (attention + mlp) + lm_head) * dtype_bytes
    kv_per_position = layers * kv_heads * head_dim * 2 * dtype_bytes
    return weights, kv_per_position


def timeline(progress):
    """Per progress interval: tokens/s, sequences running and waiting, KV pool use, preemptions so far."""
    points = []
    previous = {"t_s": 0.0, "generated_tokens": 0}
    for sample in progress:
        span = sample["t_s"] - previous["t_s"]
        rate = (sample["generated_tokens"] - previous["generated_tokens"]) / span if span > 0 else 0.0
        pool = sample["kv_positions"]
        points.append({"t_s": round(sample["t_s"], 1), "tokens_per_s": round(rate, 1),
                       "running": sample["running"], "waiting": sample["waiting"],
                       "kv_used": round(sample["kv_used_positions"] / pool, 3) if pool else 0.0,
                       "preemptions": sample["preemptions"]})
        previous = sample
    return points


def summarise(requests, results, stats, progress, config, dtype_bytes, bandwidth):
    wanted = [request["max_tokens"] for request in requests]
    got = [len(result["ids"]) for result in results]
    weights, kv_per_position = bytes_read_per_step(config, dtype_bytes)
    limit_s = (stats["decode_steps"] * weights + stats["decode_context_positions"] * kv_per_position) / bandwidth
    wall_s = stats["wall_s"]
    cache = stats["kv_cache"]
    return {
        "requests": len(requests),
        "max_tokens": {"mean": round(statistics.mean(wanted), 1), "median": statistics.median(wanted),
                       "max": max(wanted), "sum": sum(wanted)},
        "lengths_as_requested": got == wanted,
        "wall_s": round(wall_s, 2),
        "completion_tokens": stats["completion_tokens"],
        "tokens_per_s": round(stats["completion_tokens"] / wall_s, 1) if wall_s > 0 else 0.0,
        "max_time_to_first_token_s": round(stats["max_time_to_first_token_s"], 3),
        "decode_steps": stats["decode_steps"],
        "prefill_tokens": stats["prefill_tokens"],
        "kv_positions": sum(engine["positions"] for engine in cache),
        "kv_peak_positions_used": sum(engine["peak_positions_used"] for engine in cache),
        "preemptions": sum(engine["preemptions"] for engine in cache),
        "graph_capture_s": round(stats["graph_capture_s"], 2),
        "weights_bytes_per_step": weights,
        "kv_bytes_per_position": kv_per_position,
        "bandwidth_limit_s": float(f"{limit_s:.4g}"),
        "share_of_limit": float(f"{limit_s / wall_s:.3g}") if wall_s > 0 else 0.0,
        "timeline": timeline(progress),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evalflow", required=True, help="the evalflow binary")
    parser.add_argument("--model", required=True, type=pathlib.Path, help="model folder (config.json)")
    parser.add_argument("--traces", type=pathlib.Path, default=TRACES)
    parser.add_argument("--requests", type=int, default=128)
    parser.add_argument("--length-scale", type=float, default=0.25, help="output lengths times this")
    parser.add_argument("--max-batch", type=int, default=128)
    parser.add_argument("--device", default="cuda:0")
    parser.add_argument("--dtype", default="bfloat16", choices=sorted(DTYPE_BYTES))
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--progress", type=float, default=2.0, help="seconds between timeline points")
    parser.add_argument("--bandwidth", type=float, default=4.3e12, help="bytes/s (H200: 4.3e12)")
    parser.add_argument("--out", type=pathlib.Path,
                        help="folder for evalflow's stderr and the summary (default: a new temporary one)")
    parser.add_argument("generate_flags", nargs="*", help="after --: more evalflow generate flags")
    args = parser.parse_args()

    config = json.loads((args.model / "config.json").read_text(encoding="utf-8"))
    requests = draw_requests(recorded_lengths(args.traces), args.requests, args.length_scale,
                             config["vocab_size"], args.seed)
    longest_prompt = max(len(request["prompt_ids"]) for request in requests)
    most_tokens = max(request["max_tokens"] for request in requests)
    command = [args.evalflow, "generate", "--model", str(args.model), "--random-weights", "--device",
               args.device, "--dtype", args.dtype, "--ignore-eos", "--max-tokens", str(most_tokens),
               "--max-sequence-length", str(longest_prompt + most_tokens), "--max-batch", str(args.max_batch),
               "--stats", "--warmup", "--progress", str(args.progress), *args.generate_flags]
    print("bench_seed_workload:", " ".join(command), file=sys.stderr)
    rows = "".join(json.dumps(request) + "\n" for request in requests)
    # stderr goes to a file as it comes, so the progress lines survive a run stopped at a time limit.
    out = args.out or pathlib.Path(tempfile.mkdtemp())
    out.mkdir(parents=True, exist_ok=True)
    stderr_path = out / "seed_workload_stderr.log"
    started = time.monotonic()
    with stderr_path.open("w", encoding="utf-8") as stderr:
        done = subprocess.run(command, input=rows, stdout=subprocess.PIPE, stderr=stderr, text=True, check=False)
    log = stderr_path.read_text(encoding="utf-8")
    if done.returncode != 0:
        sys.exit(f"bench_seed_workload: evalflow generate exited {done.returncode}: {log[-2000:]}")
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    progress = [line["progress"] for line in lines if "progress" in line]
    stats = next(line for line in reversed(lines) if "wall_s" in line)
    results = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    summary = summarise(requests, results, stats, progress, config, DTYPE_BYTES[args.dtype], args.bandwidth)
    summary["process_s"] = round(time.monotonic() - started, 1)  # the load and warm-up included
    summary["length_scale"] = args.length_scale
    summary["max_batch"] = args.max_batch
    text = json.dumps(summary)
    (out / "seed_workload.json").write_text(text + "\n", encoding="utf-8")
    print(text)
    if not summary["lengths_as_requested"]:
        sys.exit("bench_seed_workload: some rows did not generate their max_tokens (see the rows' lengths)")


if __name__ == "__main__":
    main()
