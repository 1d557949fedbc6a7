#!/usr/bin/env python3
"""The LLM judge end to end: `evalflow run` with the evaluated model and the judge as two openai_test_server
instances (faults on), composed from pipelines/models/vllm_api_general_chat.yaml,
pipelines/models/judge_vllm_api_general_chat.yaml and
pipelines/datasets/math500_gen_0_shot_cot_chat_prompt_cascade_judge.yaml over tests/judge/problems.jsonl
(eight MATH-500-format rows; model_answers.jsonl says, per problem, what the model answers, whether
Math-Verify accepts it and what the judge replies: judge_answers.jsonl, keyed by the visible answer).
Scenarios (all by default):
  cascade     only the rule's rejects go to the judge; A flips to correct, B stays wrong, a reply that is
              neither fails that sample (exit 1, never scored); accuracy, rule_accuracy, judged as computed
  perf        --mode perf with both models: latency table written, the judge still asked
  resume      kill -9 while the judge works, then --resume with a fresh judge server: it is asked exactly
              for the rejects whose rows were not on disk; no (id, replica) twice
  judge_retry the judge fails (HTTP 500, no retries) for two samples: their rows keep the model's answer;
              --resume asks the judge only for those two and replaces the rows
  validation  located errors: `use: judge` without a judge, two judges, the judge before the model, a second
              inferencer typed after the model
Usage: judge_cascade_test.py EVALFLOW OPENAI_TEST_SERVER REPOSITORY_ROOT [SCENARIO...]"""
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile
import time

MODEL = "vllm-api-general-chat"
DATASET = "math500_cascade"


def read_jsonl(path):
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip().endswith("}")]


class Server:
    """One openai_test_server; `requests()` stops it and returns how many completions it answered."""

    def __init__(self, binary, *args):
        self.process = subprocess.Popen([binary, "--port", "0", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        match = re.search(r"listening on http://([^:]+):(\d+)/v1", self.process.stdout.readline())
        assert match, "openai_test_server did not start"
        self.host, self.port = match.group(1), match.group(2)

    def requests(self):
        self.process.send_signal(signal.SIGTERM)
        _, err = self.process.communicate(timeout=30)
        match = re.search(r"(\d+) completion requests", err)
        assert match, err
        return int(match.group(1))


class Case:
    def __init__(self, evalflow, server_binary, root, work_dir):
        self.evalflow, self.server_binary, self.root, self.work_dir = evalflow, server_binary, root, work_dir
        self.answers = read_jsonl(root / "tests/judge/model_answers.jsonl")
        self.rejects = sum(not row["rule_correct"] for row in self.answers)

    def model_server(self, *faults):
        return Server(self.server_binary, "--replay", str(self.root / "tests/judge/model_answers.jsonl"), *faults)

    def judge_server(self, *faults):
        return Server(self.server_binary, "--replay", str(self.root / "tests/judge/judge_answers.jsonl"),
                      "--replay-key", "key", *faults)

    def command(self, model, judge, *extra):
        pipelines = self.root / "pipelines"
        return [self.evalflow, "run", "--models", str(pipelines / "models/vllm_api_general_chat.yaml"),
                str(pipelines / "models/judge_vllm_api_general_chat.yaml"),
                "--datasets", str(pipelines / "datasets/math500_gen_0_shot_cot_chat_prompt_cascade_judge.yaml"),
                "-w", str(self.work_dir), "--no-progress", "--no-report",
                "-s", f"model.host_ip={model.host}", "-s", f"model.host_port={model.port}",
                "-s", f"judge.host_ip={judge.host}", "-s", f"judge.host_port={judge.port}",
                "-s", "model.retry=3", "-s", "judge.retry=3",
                "-s", f"{DATASET}.load.path={self.root / 'tests/judge/problems.jsonl'}", *extra]

    def run(self, args, expect_rc):
        done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
        print(done.stdout, done.stderr)
        assert done.returncode == expect_rc, f"evalflow run exited {done.returncode}, expected {expect_rc}"
        return next(p for p in sorted(self.work_dir.iterdir()) if p.is_dir())

    def rows(self, run_dir):
        return read_jsonl(run_dir / "predictions" / MODEL / f"{DATASET}.jsonl")

    def check_rows(self, run_dir):
        """Every sample stored once, the judge asked only about rejects, each verdict the expected one."""
        rows = self.rows(run_dir)
        keys = [(row["id"], row["replica"]) for row in rows]
        assert sorted(keys) == [(i, 0) for i in range(len(self.answers))], keys
        for row in rows:
            answer = self.answers[row["id"]]
            assert ("judge_prediction" in row) == (not answer["rule_correct"]), row
            if answer["expected_correct"] is None:
                assert "neither A (correct) nor B" in row["eval_error"], row
            else:
                assert row["correct"] == answer["expected_correct"], row
                assert row["rule_correct"] == answer["rule_correct"], row
        return rows

    def check_results(self, run_dir):
        scored = [a for a in self.answers if a["expected_correct"] is not None]
        results = json.loads((run_dir / "results" / MODEL / f"{DATASET}.json").read_text())
        right = 100 * sum(a["expected_correct"] for a in scored) / len(scored)
        rule = 100 * sum(a["rule_correct"] for a in scored) / len(scored)
        assert abs(results["accuracy"] - right) < 1e-9, (results["accuracy"], right)
        assert abs(results["rule_accuracy"] - rule) < 1e-9, (results["rule_accuracy"], rule)
        assert results["judged"] == sum(not a["rule_correct"] for a in scored), results
        assert results["judge_accepted"] == sum(not a["rule_correct"] and a["expected_correct"] for a in scored)
        assert results["num_eval_failed"] == len(self.answers) - len(scored), results


def cascade(case):
    model, judge = case.model_server("--fault", "503@every=3"), case.judge_server("--fault", "503@every=2")
    run_dir = case.run(case.command(model, judge), expect_rc=1)
    case.check_rows(run_dir)
    case.check_results(run_dir)
    model.requests()
    assert judge.requests() >= case.rejects


def perf(case):
    model, judge = case.model_server("--fault", "500@every=4"), case.judge_server()
    run_dir = case.run(case.command(model, judge, "--mode", "perf", "-s", "model.stream=true"), expect_rc=1)
    case.check_rows(run_dir)
    latency = (run_dir / "summary" / "latency.txt").read_text()
    assert DATASET in latency and "perf.ttft_ms" in latency, latency
    model.requests()
    assert judge.requests() == case.rejects


def resume(case):
    # One judge request at a time, 0.5 s each, so the kill lands while the judge is working.
    model, judge = case.model_server(), case.judge_server("--ttft-ms", "500")
    args = case.command(model, judge, "-s", "judge.batch_size=1")
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = [p for p in case.work_dir.iterdir() if p.is_dir()]
        if runs and sum("judge_prediction" in row for row in case.rows(runs[0])) >= 2:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    run_dir = next(p for p in case.work_dir.iterdir() if p.is_dir())
    judged_on_disk = sum("judge_prediction" in row for row in case.rows(run_dir))
    assert 2 <= judged_on_disk < case.rejects, judged_on_disk
    model.requests()
    judge.requests()
    model, judge = case.model_server(), case.judge_server()
    case.run([case.evalflow, "run", "--resume", str(run_dir), "--no-progress", "--no-report",
              "-s", f"model.host_port={model.port}", "-s", f"judge.host_port={judge.port}"], expect_rc=1)
    case.check_rows(run_dir)
    case.check_results(run_dir)
    model.requests()
    asked = judge.requests()
    assert asked == case.rejects - judged_on_disk, f"judge asked {asked} times, {judged_on_disk} answers were stored"


def judge_retry(case):
    model, judge = case.model_server(), case.judge_server("--fault", "500@first=2")
    run_dir = case.run(case.command(model, judge, "-s", "judge.retry=0"), expect_rc=1)
    unjudged = [row for row in case.rows(run_dir)
                if not case.answers[row["id"]]["rule_correct"] and "judge_prediction" not in row]
    assert len(unjudged) == 2 and all(row["prediction"] for row in unjudged), unjudged
    model.requests()
    judge.requests()
    model, judge = case.model_server(), case.judge_server()
    case.run([case.evalflow, "run", "--resume", str(run_dir), "--no-progress", "--no-report",
              "-s", f"model.host_port={model.port}", "-s", f"judge.host_port={judge.port}"], expect_rc=1)
    case.check_rows(run_dir)
    case.check_results(run_dir)
    assert model.requests() == 0, "the model was asked again"
    assert judge.requests() == 2


def version(case):
    """The dataset's version follows the judge (it scores), not where the judge is served from."""
    def version_of(*extra):
        model, judge = case.model_server(), case.judge_server()
        done = subprocess.run(case.command(model, judge, *extra), capture_output=True, text=True, timeout=300,
                              check=False)
        model.requests()
        judge.requests()
        assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
        match = re.search(rf"^{DATASET}\s+(\w+)\s+accuracy", done.stdout, re.M)
        assert match, done.stdout
        return match.group(1)

    first = version_of()
    assert version_of("-s", "judge.retry=5", "-s", "judge.batch_size=2") == first
    other = version_of("-s", "judge.model=another-judge")
    assert other != first, f"the version {first} did not change with the judge model"


def unused_judge(case):
    """A judge composed in but used by no chain is not started: its server may be down."""
    model = case.model_server()
    pipelines = case.root / "pipelines"
    done = subprocess.run(
        [case.evalflow, "run", "--models", str(pipelines / "models/vllm_api_general_chat.yaml"),
         str(pipelines / "models/judge_vllm_api_general_chat.yaml"),
         "--datasets", str(pipelines / "datasets/math500_gen_0_shot_cot_chat_prompt.yaml"),
         "-w", str(case.work_dir), "--no-progress", "--no-report",
         "-s", f"model.host_ip={model.host}", "-s", f"model.host_port={model.port}",
         "-s", "judge.host_port=9", "-s", "judge.outage_s=0", "-s", "judge.retry=0",
         "-s", f"math500.load.path={case.root / 'tests/judge/problems.jsonl'}"],
        capture_output=True, text=True, timeout=120, check=False)
    assert model.requests() == len(case.answers)
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    assert "this judge is not used" in done.stderr, done.stderr


def validation(case):
    head = f"""models:
  - {{abbr: m, type: openai_http, options: {{host_port: 1}}}}
JUDGES
datasets:
  - abbr: d
    nodes:
      - {{name: load, type: jsonl_loader, options: {{path: {case.root / 'tests/judge/problems.jsonl'}, output_column: answer}}}}
      - {{name: prompt, type: prompt_template, options: {{template: "{{problem}}"}}}}
"""
    judge = "  - {abbr: j, role: judge, type: openai_http, options: {host_port: 2}}\n"
    tail_ok = "      - use: model\n      - {name: jp, type: judge_prompt, options: {question_field: problem}}\n"
    cases = [
        (head.replace("JUDGES\n", "") + tail_ok + "      - use: judge\n",
         r":10:9: node 'd.judge': `use: judge`, but the pipeline has no judge"),
        (head.replace("JUDGES\n", judge + judge.replace("abbr: j", "abbr: k")) + tail_ok + "      - use: judge\n",
         r":4:\d+: model 'k' is a second judge \(the first is 'j'\)"),
        (head.replace("JUDGES\n", judge) + "      - use: judge\n      - use: model\n",
         r":9:9: node 'd.judge': `use: judge` before `use: model`"),
        (head.replace("JUDGES\n", "") + "      - use: model\n      - {name: again, type: openai_http, "
         "options: {host_port: 3}}\n",
         r":9:\d+: node 'd.again': 'openai_http' is a async node: a second inferencer after the model"),
    ]
    for text, expected in cases:
        path = case.work_dir / "bad.yaml"
        path.write_text(text)
        done = subprocess.run([case.evalflow, "validate", str(path)], capture_output=True, text=True, timeout=60,
                              check=False)
        assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
        assert re.search(re.escape(str(path)) + expected, done.stderr), (expected, done.stderr)


SCENARIOS = {"cascade": cascade, "perf": perf, "resume": resume, "judge_retry": judge_retry,
             "version": version, "unused_judge": unused_judge, "validation": validation}


def main():
    evalflow, server_binary, root = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]).resolve()
    for name in sys.argv[4:] or list(SCENARIOS):
        print(f"== {name}", flush=True)
        with tempfile.TemporaryDirectory() as work_dir:
            SCENARIOS[name](Case(evalflow, server_binary, root, pathlib.Path(work_dir)))
    print("ok")


if __name__ == "__main__":
    main()
