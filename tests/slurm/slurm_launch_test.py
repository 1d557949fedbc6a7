#!/usr/bin/env python3
"""`evalflow run --launcher slurm` end to end on a private single-node Slurm (local_slurm.py): the seed
pipeline (pipelines/r1_distill_qwen14b.yaml, AIME 2024 + MATH-500, 2 samples per question) against
openai_test_server replaying recorded outputs, in 4 shards. One task is killed with kill -9 mid-run and another
cancelled with scancel mid-run; the automatic merge then reports the run incomplete; `evalflow run --resume
RUN_DIR` resubmits only those two shards, which resume; the second merge must give results and a summary equal
to an unsharded run's, every sample exactly once. `evalflow status` is checked at both points. Every daemon
started is stopped, whatever happens.
Exits 77 (ctest SKIP_RETURN_CODE) when the Slurm or munge binaries are absent.
Usage: slurm_launch_test.py EVALFLOW OPENAI_TEST_SERVER REPOSITORY_ROOT"""
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from local_slurm import LocalSlurm, slurm_available  # noqa: E402

MODEL = "vllm-api-general-chat"
DATASETS = ["aime2024", "math500"]
RECORDED = {
    "aime2024": "tests/data/predictions/llama31-8b-instruct_aime2024_qwen25math-harness.jsonl",
    "math500": "tests/data/predictions/llama31-8b-instruct_math500_qwen25math-harness.jsonl",
}
SHARDS = 4
SAMPLES = 2
DEADLINE_S = 300  # the whole test; ctest's TIMEOUT is above it so that clean-up always runs
KILLED, CANCELLED = 1, 3  # the shard killed with kill -9, the one cancelled with scancel


class Failed(Exception):
    pass


def read_jsonl(path):
    with open(path, encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def start_server(binary, replay):
    # 30 ms per answer and 4 requests in flight keep a shard busy for seconds, so it can be hit mid-run.
    server = subprocess.Popen([binary, "--port", "0", "--replay", str(replay), "--ttft-ms", "30"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    match = re.search(r"listening on http://([^:]+):(\d+)/v1", server.stdout.readline())
    if not match:
        server.kill()
        raise Failed(f"openai_test_server did not start: {server.stderr.read()}")
    return server, match.group(1), match.group(2)


def wait_until(condition, what, deadline, period=0.05):
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(period)
    raise Failed(f"timed out waiting for {what}")


def predictions_in(run_dir):
    total = 0
    for file in pathlib.Path(run_dir, "predictions").glob("*/*.jsonl"):
        if not file.name.endswith("_failed.jsonl"):
            total += sum(1 for line in open(file, encoding="utf-8") if line.endswith("\n"))
    return total


def shard_process(shard_dir):
    """The pid of the evalflow process running in shard_dir (its run lock names it), if it is alive."""
    try:
        pid = int((shard_dir / ".lock").read_text().split()[0])
        cmdline = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError, IndexError):
        return None
    return pid if b"run" in cmdline and str(shard_dir).encode() in cmdline else None


def main():
    missing = slurm_available()
    if missing:
        print(f"SKIP: Slurm binaries are not installed ({', '.join(missing)}); apt-get install slurm-wlm munge "
              "(tools/setup.sh does)")
        return 77
    evalflow, server_binary, root = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    deadline = time.monotonic() + DEADLINE_S
    failures = []

    def expect(condition, what):
        if not condition:
            failures.append(what)

    with tempfile.TemporaryDirectory() as temp:
        temp = pathlib.Path(temp)
        replay = temp / "replay.jsonl"
        with open(replay, "w", encoding="utf-8") as out:
            for path in RECORDED.values():
                for row in read_jsonl(root / path):
                    out.write(json.dumps({"question": row["question"], "response": row["response"]}) + "\n")
        server, host, port = start_server(server_binary, replay)
        common = [str(root / "pipelines/r1_distill_qwen14b.yaml"), "--no-progress", "--samples", str(SAMPLES),
                  "-s", f"model.host_ip={host}", "-s", f"model.host_port={port}", "-s", "model.batch_size=4"]
        try:
            started = time.monotonic()
            unsharded = subprocess.run([evalflow, "run", *common, "-w", str(temp / "unsharded")],
                                       capture_output=True, text=True, timeout=DEADLINE_S, check=False)
            print(f"unsharded run: {time.monotonic() - started:.1f} s, exit {unsharded.returncode}")
            if unsharded.returncode != 0:
                raise Failed(f"the unsharded run failed: {unsharded.stderr[-3000:]}")
            reference = next((temp / "unsharded").iterdir())
            with LocalSlurm() as slurm:
                sharded_run(slurm, evalflow, common, temp, reference, deadline, expect)
        except Failed as failure:
            failures.append(str(failure))
        finally:
            server.terminate()
            server.communicate(timeout=30)
    for failure in failures:
        print("FAIL:", failure)
    print(f"slurm_launch_test: {len(failures)} failures")
    return 1 if failures else 0


def run_cli(evalflow, args, env, what):
    done = subprocess.run([evalflow, *args], capture_output=True, text=True, env=env, timeout=120, check=False)
    print(f"$ evalflow {' '.join(args[:2])} ... -> exit {done.returncode}\n{done.stdout}{done.stderr}")
    return done


def sharded_run(slurm, evalflow, common, temp, reference, deadline, expect):
    env = slurm.env
    started = time.monotonic()
    submitted = run_cli(evalflow, ["run", *common, "-w", str(temp / "sharded"), "--launcher", "slurm", "--shards",
                                   str(SHARDS), "--slurm-args=--job-name=ef-test --comment='a sharded run'"],
                        env, "submit")
    submit_s = time.monotonic() - started
    if submitted.returncode != 0:
        raise Failed(f"submission failed ({submitted.returncode})")
    run_dir = pathlib.Path(re.search(r"run directory: (\S+)", submitted.stdout).group(1))
    launch = json.loads((run_dir / "configs/launch.json").read_text())
    array_job = launch["submissions"][0]["array_job"]
    print(f"submitted in {submit_s:.2f} s: array job {array_job}, merge job {launch['submissions'][0]['merge_job']}")

    # kill -9 one task's evalflow, and scancel another, each once it has written some predictions.
    for shard, how in [(KILLED, "kill -9"), (CANCELLED, "scancel")]:
        shard_dir = run_dir / "shards" / str(shard)
        pid = wait_until(lambda: predictions_in(shard_dir) >= 20 and shard_process(shard_dir),
                         f"shard {shard} to be mid-run", deadline)
        if how == "kill -9":
            os.kill(pid, signal.SIGKILL)
        else:
            subprocess.run(["scancel", f"{array_job}_{shard}"], env=env, check=True)
        print(f"{how} shard {shard} (pid {pid}) after {predictions_in(shard_dir)} predictions")
    wait_until(lambda: not slurm.jobs_left(), "the first submission (shards and merge) to end", deadline, 0.2)

    status = run_cli(evalflow, ["status", str(run_dir)], env, "status")
    rows = {line.split()[0]: line.split() for line in status.stdout.splitlines() if line.split()}
    expect(status.returncode == 0 and "2 of 4 shards complete" in status.stdout, "status after the kills")
    expect(rows.get(str(KILLED), [""] * 3)[2] == "FAILED", f"status: the killed shard is not FAILED: {rows}")
    expect(rows.get(str(CANCELLED), [""] * 3)[2] == "CANCELLED", f"status: the cancelled shard: {rows}")
    expect(rows.get("0", [""] * 7)[-1] == "complete", f"status: shard 0 is not complete: {rows}")
    expect(rows.get("merge", [""])[-1] == "incomplete", f"status: the first merge is not incomplete: {rows}")
    first_merge = json.loads((run_dir / f"results/{MODEL}/math500.json").read_text())
    expect(first_merge["complete"] is False and first_merge["num_failed"] > 0,
           f"the first merge did not report the missing samples: {first_merge}")
    merge_log = "".join(p.read_text() for p in (run_dir / "slurm/logs").glob("merge.*.out"))
    expect(f"shard(s) {KILLED}, {CANCELLED} did not complete" in merge_log, f"merge log: {merge_log[-2000:]}")

    resumed = run_cli(evalflow, ["run", "--resume", str(run_dir)], env, "resubmit")
    expect(resumed.returncode == 0 and f"submitted shard(s) {KILLED}, {CANCELLED} of 4" in resumed.stdout,
           "the resume did not resubmit exactly the two unfinished shards")
    wait_until(lambda: not slurm.jobs_left(), "the resubmitted shards and merge to end", deadline, 0.2)
    print(f"sharded run with two failures, resubmission and merges: {time.monotonic() - started:.1f} s")
    status = run_cli(evalflow, ["status", str(run_dir)], env, "status")
    rows = {line.split()[0]: line.split() for line in status.stdout.splitlines() if line.split()}
    expect("4 of 4 shards complete" in status.stdout and rows.get("merge", [""])[-1] == "merged",
           f"status at the end: {status.stdout}")
    compare_with_unsharded(run_dir, reference, expect)


def compare_with_unsharded(run_dir, reference, expect):
    for dataset in DATASETS:
        merged = json.loads((run_dir / f"results/{MODEL}/{dataset}.json").read_text())
        single = json.loads((reference / f"results/{MODEL}/{dataset}.json").read_text())
        expect(merged.get("complete") is True, f"{dataset}: the merged run is not complete: {merged}")
        resumed = merged.pop("num_resumed")
        single.pop("num_resumed")
        expect(merged == single, f"{dataset}: merged results differ from the unsharded run's:\n{merged}\n{single}")
        if dataset == "math500":
            expect(resumed > 0, f"{dataset}: the killed shard resumed nothing (num_resumed {resumed})")
        rows = read_jsonl(run_dir / f"predictions/{MODEL}/{dataset}.jsonl")
        keys = [(row["id"], row["replica"]) for row in rows]
        expect(len(keys) == len(set(keys)), f"{dataset}: a sample is in the merged predictions twice")
        by_key = {(row["id"], row["replica"]): row for row in read_jsonl(reference / f"predictions/{MODEL}/{dataset}.jsonl")}
        expect(set(keys) == set(by_key), f"{dataset}: merged samples differ from the unsharded run's")
        differing = [key for key, row in zip(keys, rows)
                     if key in by_key and any(row.get(field) != by_key[key].get(field)
                                              for field in ["prediction", "correct", "sample_hash", "gold"])]
        expect(not differing, f"{dataset}: rows differ from the unsharded run's at {differing[:5]}")
        expect((run_dir / f"predictions/{MODEL}/{dataset}_failed.jsonl").read_text() == "",
               f"{dataset}: failures left in the merged run")
    for name in ["summary.txt", "summary.csv", "summary.md"]:
        merged, single = (run_dir / "summary" / name).read_text(), (reference / "summary" / name).read_text()
        expect(merged == single, f"{name} differs:\n{merged}\n{single}")
    print((run_dir / "summary/summary.txt").read_text())


if __name__ == "__main__":
    sys.exit(main())
