#!/usr/bin/env python3
"""transformers' generate() on a random-weight model, for comparison with torch_local (tools/bench_torch_local.sh).

bf16, transformers' default attention, `from_config` random weights, greedy, EOS ignored (min_new_tokens).
Time to first token is a generate() of one new token; decode tokens/s is batch * (N - 1) over the time a
generate() of N tokens takes beyond that. Prints one JSON line per batch size.
Usage: python3 tools/bench_transformers.py CONFIG_DIR --prompt 128 --new-tokens 256 --batch 1 16 64 128
"""
import argparse
import json
import time

import torch
import transformers


def timed_generate(model, ids, new_tokens):
    torch.cuda.synchronize()
    start = time.perf_counter()
    model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                   do_sample=False, pad_token_id=0)
    torch.cuda.synchronize()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("config_dir")
    parser.add_argument("--prompt", type=int, default=128)
    parser.add_argument("--new-tokens", type=int, default=256)
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 16, 64, 128])
    args = parser.parse_args()
    config = transformers.AutoConfig.from_pretrained(args.config_dir)
    start = time.perf_counter()
    with torch.device("cuda"):
        model = transformers.AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    model.eval()
    print(json.dumps({"transformers": transformers.__version__, "torch": torch.__version__,
                      "attention": model.config._attn_implementation,
                      "init_s": round(time.perf_counter() - start, 1)}), flush=True)
    for batch in args.batch:
        ids = torch.randint(0, config.vocab_size, (batch, args.prompt), device="cuda")
        torch.cuda.reset_peak_memory_stats()
        timed_generate(model, ids, 2)  # warm-up
        first = timed_generate(model, ids, 1)
        total = timed_generate(model, ids, args.new_tokens)
        print(json.dumps({"engine": "transformers", "batch": batch, "prompt": args.prompt,
                          "new_tokens": args.new_tokens, "time_to_first_token_s": round(first, 4),
                          "decode_tokens_per_s": round(batch * (args.new_tokens - 1) / (total - first), 1),
                          "peak_memory_gib": round(torch.cuda.max_memory_allocated() / 2**30, 1)}), flush=True)


if __name__ == "__main__":
    main()
