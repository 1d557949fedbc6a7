#!/usr/bin/env python3
"""Checks `evalflow tokenize` and `evalflow chat-template` end to end against the HuggingFace reference
files in tests/data/tokenizers/reference. Usage: text_commands_test.py EVALFLOW_BINARY REPOSITORY_ROOT"""
import json
import pathlib
import subprocess
import sys


def run(binary, args, rows):
    stdin = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    done = subprocess.run([binary, *args], input=stdin.encode(), capture_output=True, check=False)
    return done.returncode, [json.loads(line) for line in done.stdout.decode().splitlines()], done.stderr.decode()


def main():
    binary, root = sys.argv[1], pathlib.Path(sys.argv[2])
    data = root / "tests/data/tokenizers"
    failures = []

    for name in ["qwen3", "deepseek_v3"]:
        reference = [json.loads(line) for line in (data / f"reference/tok_{name}.jsonl").open(encoding="utf-8")]
        code, out, err = run(binary, ["tokenize", "--tokenizer", str(data / name)], [{"text": r["text"]} for r in reference])
        wrong = [r["id"] for r, o in zip(reference, out) if o.get("ids") != r["ids"]]
        if code != 0 or len(out) != len(reference) or wrong:
            failures.append(f"tokenize {name}: exit {code}, {len(out)}/{len(reference)} rows, wrong ids {wrong[:5]} {err}")
        code, out, err = run(binary, ["tokenize", "--decode", "--tokenizer", str(data / name)], [{"ids": r["ids"]} for r in reference])
        wrong = [r["id"] for r, o in zip(reference, out) if o.get("text") != r["decoded"]]
        if code != 0 or len(out) != len(reference) or wrong:
            failures.append(f"tokenize --decode {name}: exit {code}, {len(out)}/{len(reference)} rows, wrong {wrong[:5]} {err}")

    configs = {"qwen3": ["--tokenizer", str(data / "qwen3")], "deepseek_v3": ["--tokenizer", str(data / "deepseek_v3")],
               "deepseek_r1_distill_qwen": ["--config", str(data / "deepseek_r1_distill_qwen/tokenizer_config.reconstructed.json")]}
    reference = [json.loads(line) for line in (data / "reference/chat_templates.jsonl").open(encoding="utf-8")]
    for name, args in configs.items():
        rows = [r for r in reference if r["template"] == name]
        code, out, err = run(binary, ["chat-template", *args],
                             [{"messages": r["messages"], "add_generation_prompt": r["add_generation_prompt"]} for r in rows])
        wrong = [(r["conv"], r["add_generation_prompt"]) for r, o in zip(rows, out) if o.get("text") != r["text"]]
        if code != 0 or len(out) != len(rows) or wrong:
            failures.append(f"chat-template {name}: exit {code}, {len(out)}/{len(rows)} rows, wrong {wrong} {err}")

    code, out, err = run(binary, ["tokenize", "--tokenizer", str(data / "qwen3")], [{"text": "fine"}, {"txt": "typo"}])
    if code == 0 or len(out) != 1 or 'stdin line 2: has no "text" field' not in err:
        failures.append(f"a row without text: exit {code}, {len(out)} rows, stderr {err!r}")

    for failure in failures:
        print("FAIL:", failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
