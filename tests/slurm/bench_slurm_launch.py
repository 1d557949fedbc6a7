#!/usr/bin/env python3
"""What sharding on Slurm costs, on a private single-node Slurm (local_slurm.py): MATH-500 x 64 samples
(32,000 samples) replayed by openai_test_server, run unsharded and as N shards. Prints
- submission: the wall time of `evalflow run --launcher slurm` (load and validate the pipeline, prepare the
  shard directories, two sbatch calls), and from its start until the first task runs (the local slurmctld's scheduling);
- the sharded run end to end (submission to merged summary) beside the unsharded run;
- merge: `evalflow merge RUN_DIR` by hand on the finished shards (gather 32,000 rows, re-score with
  math_verify, aggregate, write results and summary), timed three times.
Usage: bench_slurm_launch.py EVALFLOW OPENAI_TEST_SERVER REPOSITORY_ROOT [SHARDS]
(EVALFLOW_PLUGIN_PATH must name the built plugins.)"""
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from local_slurm import LocalSlurm  # noqa: E402

RECORDED = "tests/data/predictions/llama31-8b-instruct_math500_qwen25math-harness.jsonl"
SAMPLES = 64


def timed(args, env=None):
    started = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} failed ({done.returncode}): {done.stderr[-3000:]}")
    return time.monotonic() - started, done


def a_task_started(slurm, array_job):
    shown = subprocess.run(["scontrol", "--oneliner", "show", "job", array_job], capture_output=True, text=True,
                           env=slurm.env, check=False).stdout
    started = [line for line in shown.splitlines() if re.search(r"JobState=(RUNNING|COMPLETING|COMPLETED)", line)
               and "ArrayTaskId=" in line and "-" not in line.split("ArrayTaskId=")[1].split()[0]]
    return len(started) > 0


def main():
    evalflow, server_binary, root = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    shards = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    with tempfile.TemporaryDirectory() as temp:
        temp = pathlib.Path(temp)
        replay = temp / "replay.jsonl"
        with open(replay, "w", encoding="utf-8") as out:
            for line in open(root / RECORDED, encoding="utf-8"):
                row = json.loads(line)
                out.write(json.dumps({"question": row["question"], "response": row["response"]}) + "\n")
        server = subprocess.Popen([server_binary, "--port", "0", "--replay", str(replay)], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        host, port = re.search(r"http://([^:]+):(\d+)/v1", server.stdout.readline()).groups()
        common = ["--model", str(root / "pipelines/models/vllm_api_general_chat.yaml"), "--dataset",
                  str(root / "pipelines/datasets/math500_gen_0_shot_cot_chat_prompt.yaml"), "--samples",
                  str(SAMPLES), "--no-progress", "-s", f"model.host_ip={host}", "-s", f"model.host_port={port}"]
        try:
            unsharded_s, _ = timed([evalflow, "run", *common, "-w", str(temp / "unsharded")])
            print(f"unsharded run, {500 * SAMPLES} samples: {unsharded_s:.2f} s")
            with LocalSlurm() as slurm:
                started = time.monotonic()
                submit_s, submitted = timed([evalflow, "run", *common, "-w", str(temp / "sharded"), "--launcher",
                                             "slurm", "--shards", str(shards)], slurm.env)
                run_dir = pathlib.Path(re.search(r"run directory: (\S+)", submitted.stdout).group(1))
                array_job = json.loads((run_dir / "configs/launch.json").read_text())["submissions"][0]["array_job"]
                while not a_task_started(slurm, array_job):
                    time.sleep(0.05)
                first_task_s = time.monotonic() - started
                while slurm.jobs_left():
                    time.sleep(0.1)
                sharded_s = time.monotonic() - started
                print(f"submission ({shards} shards): evalflow run --launcher slurm {submit_s:.2f} s; the first task "
                      f"ran {first_task_s:.2f} s after it began")
                print(f"sharded run end to end (submission to merged summary): {sharded_s:.2f} s")
                for attempt in range(3):
                    merge_s, _ = timed([evalflow, "merge", str(run_dir)], slurm.env)
                    print(f"evalflow merge, {500 * SAMPLES} samples, attempt {attempt + 1}: {merge_s:.2f} s")
                same = (run_dir / "summary/summary.txt").read_text() == \
                    next((temp / "unsharded").iterdir()).joinpath("summary/summary.txt").read_text()
                print(f"merged summary equal to the unsharded run's: {same}")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
