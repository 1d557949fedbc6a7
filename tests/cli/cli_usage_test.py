#!/usr/bin/env python3
"""The command line's promises to a new user (issues 14 and 18): AISBench-style names for fragments, usage
errors that exit 2 with a sentence a person can act on, no crash on hostile values, the validator catching
what would fail at run time, and the README's own commands working as printed.
Usage: cli_usage_test.py EVALFLOW REPOSITORY_ROOT"""
import json
import pathlib
import subprocess
import sys
import tempfile
import time

EVALFLOW = ROOT = TEMP = None
FAILURES = []


def expect(condition, what):
    if not condition:
        FAILURES.append(what)
        print("  FAIL:", what)
    return condition


def evalflow(*args, timeout=60):
    return subprocess.run([EVALFLOW, *args], capture_output=True, text=True, timeout=timeout, check=False)


def write(name, text):
    path = TEMP / name
    path.write_text(text, encoding="utf-8")
    return path


def check_fragment_names():
    named = evalflow("validate", "--models", "vllm_api_general_chat", "--datasets",
                     "aime2024_gen_0_shot_chat_prompt", "math500_gen_0_shot_cot_chat_prompt")
    expect(named.returncode == 0, f"AISBench names resolve from pipelines/: rc {named.returncode} {named.stderr}")
    as_paths = evalflow("validate", "--model", str(ROOT / "pipelines/models/vllm_api_general_chat.yaml"),
                        "--dataset", str(ROOT / "pipelines/datasets/aime2024_gen_0_shot_chat_prompt.yaml"))
    expect(as_paths.returncode == 0, f"paths still work: {as_paths.stderr}")
    typo = evalflow("validate", "--models", "vllm_api_general_chat", "--datasets", "aime2024_gen_0_shot_chat_promt")
    expect(typo.returncode == 2, f"an unknown name is a usage error: rc {typo.returncode}")
    expect("did you mean 'aime2024_gen_0_shot_chat_prompt'" in typo.stderr, f"with the closest name: {typo.stderr}")
    expect("math500_gen_0_shot_cot_chat_prompt" in typo.stderr, f"and the known names listed: {typo.stderr}")
    bad_option = evalflow("validate", "--models", "vllm_api_general_chat", "--datasets",
                          "aime2024_gen_0_shot_chat_prompt", "-s", "model.batch_sise=4")
    expect(bad_option.returncode == 2 and "did you mean 'batch_size'" in bad_option.stderr,
           f"a misspelt model option gets a suggestion: {bad_option.stderr}")
    expect("no node upstream writes" not in bad_option.stderr, f"and no false follow-on error: {bad_option.stderr}")


def check_usage_errors_exit_2():
    for args, words in [(["run", "--no-such-flag"], "--no-such-flag"), (["run"], ""),
                        (["run", "--samples", "0", str(ROOT / "pipelines/demo.yaml")], "at least 1"),
                        (["run", "--num-prompts", "0", str(ROOT / "pipelines/demo.yaml")], "at least 1"),
                        (["run", "--samples", "x", str(ROOT / "pipelines/demo.yaml")], "at least 1"),
                        (["frobnicate"], "subcommand")]:
        result = evalflow(*args)
        expect(result.returncode == 2, f"{args}: a usage error exits 2, got {result.returncode}: {result.stderr}")
        expect(words in result.stderr, f"{args}: the message says '{words}': {result.stderr}")
        expect("1797" not in result.stderr, f"{args}: no 300-digit range: {result.stderr}")
    helped = evalflow("run", "--help")
    expect(helped.returncode == 0, "--help exits 0")
    expect("ENUM" not in helped.stdout and "->" not in helped.stdout, f"help without CLI11's enum map: {helped.stdout}")


def check_empty_pipelines_refused():
    for name, text in [("empty.yaml", ""), ("comments.yaml", "# nothing here\n# at all\n")]:
        result = evalflow("run", str(write(name, text)), "-w", str(TEMP / "out"))
        expect(result.returncode == 2, f"{name}: refused with rc 2, got {result.returncode}")
        expect("no datasets" in result.stderr, f"{name}: says why: {result.stderr}")
    models_only = evalflow("validate", "--models", "vllm_api_general_chat")
    expect(models_only.returncode == 2 and "--datasets" in models_only.stderr,
           f"a model without datasets is refused: {models_only.stderr}")


def check_hostile_values():
    dataset = str(ROOT / "pipelines/datasets/aime2024_gen_0_shot_chat_prompt.yaml")
    for args in [["-s", "dataset.samples=1e400"], ["-s", "dataset.samples=-1e400"]]:
        result = evalflow("validate", "--models", "vllm_api_general_chat", "--dataset", dataset, *args)
        expect(result.returncode == 2, f"{args}: an error, not a crash: rc {result.returncode} {result.stderr}")
        expect("samples" in result.stderr, f"{args}: names the field: {result.stderr}")
    in_file = write("huge.yaml", "datasets:\n  - abbr: x\n    samples: 1e400\n    nodes:\n"
                    f"      - {{name: load, type: jsonl_loader, options: {{path: {ROOT / 'data/aime2024/aime.jsonl'}}}}}\n")
    result = evalflow("validate", str(in_file))
    expect(result.returncode == 2 and "samples" in result.stderr and "huge.yaml:3" in result.stderr,
           f"samples: 1e400 in a file: located error, rc {result.returncode}: {result.stderr}")
    # A 'billion laughs': nine levels of nine aliases would be 9^9 strings once expanded.
    laughs = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        laughs.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    bomb = write("laughs.yaml", "\n".join(laughs) + "\ndatasets: *a9\n")
    started = time.monotonic()
    result = evalflow("validate", str(bomb), timeout=60)
    expect(result.returncode == 2, f"nested aliases are refused with rc 2, got {result.returncode}")
    expect("aliases" in result.stderr and "laughs.yaml:" in result.stderr, f"at file:line: {result.stderr}")
    expect(time.monotonic() - started < 30, "and refused before expanding them")


def check_validator_reads_columns():
    data = write("opencompass_aime.jsonl", "".join(
        json.dumps({"origin_prompt": f"What is {i}+{i}?", "gold_answer": str(2 * i)}) + "\n" for i in range(3)))
    base = ["validate", "--models", "vllm_api_general_chat", "--datasets", "aime2024_gen_0_shot_chat_prompt",
            "-s", f"aime2024.load.path={data}", "-s", "aime2024.load.output_column=gold_answer"]
    missing = evalflow(*base)
    expect(missing.returncode == 2, f"a column input_columns lists but the file lacks fails validate: {missing.stderr}")
    expect("'question' is missing" in missing.stderr and "opencompass_aime.jsonl:1" in missing.stderr,
           f"naming the column and file:line: {missing.stderr}")
    renamed_only = evalflow(*base, "-s", "aime2024.load.rename={origin_prompt: question}")
    expect(renamed_only.returncode == 2 and "list 'origin_prompt'" in renamed_only.stderr,
           f"rename without input_columns says which key to list: {renamed_only.stderr}")
    # The README's (pipelines/README.md) command for OpenCompass's archive, as printed there.
    readme = (ROOT / "pipelines/README.md").read_text()
    expect("aime2024.load.input_columns='[origin_prompt]'" in readme, "the README prints the working overrides")
    fixed = evalflow(*base, "-s", "aime2024.load.rename={origin_prompt: question}",
                     "-s", "aime2024.load.input_columns=[origin_prompt]")
    expect(fixed.returncode == 0, f"the README's overrides validate: {fixed.stderr}")


CHECKS = [check_fragment_names, check_usage_errors_exit_2, check_empty_pipelines_refused, check_hostile_values,
          check_validator_reads_columns]


def main():
    global EVALFLOW, ROOT, TEMP
    EVALFLOW, ROOT = sys.argv[1], pathlib.Path(sys.argv[2])
    with tempfile.TemporaryDirectory() as temp:
        TEMP = pathlib.Path(temp)
        for check in CHECKS:
            print(f"{check.__name__}:")
            check()
    print(f"cli_usage_test: {len(FAILURES)} failures")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
