#!/usr/bin/env python3
"""The run contract end to end (issue 14, and 18's resume points): `evalflow run` against openai_test_server
replaying recorded outputs (Llama-3.1-8B-Instruct on AIME 2024). Each check names the promise it holds:
resume alone, protocol refusal, connection changes, Ctrl-C / SIGTERM, exit codes, kill -9 soak, disk full,
the run-directory lock, content-keyed resume, failures kept until replaced, stored configuration.
Usage: run_contract_test.py EVALFLOW OPENAI_TEST_SERVER REPOSITORY_ROOT [CHECK...]"""
import json
import os
import pathlib
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

MODEL = "vllm-api-general-chat"
DATASET = "aime2024"
RECORDED = "tests/data/predictions/llama31-8b-instruct_aime2024_qwen25math-harness.jsonl"
RECORDED_MATH500 = "tests/data/predictions/llama31-8b-instruct_math500_qwen25math-harness.jsonl"
ROOT = EVALFLOW = SERVER = TEMP = None
FAILURES = []


def expect(condition, what):
    if not condition:
        FAILURES.append(what)
        print("  FAIL:", what)
    return condition


def read_jsonl(path):
    path = pathlib.Path(path)
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


class Server:
    """openai_test_server replaying the recorded answers (AIME 2024, and MATH-500 when `both`)."""

    def __init__(self, *extra, both=False):
        replay = TEMP / ("replay_both.jsonl" if both else "replay.jsonl")
        if not replay.exists():
            with open(replay, "w", encoding="utf-8") as out:
                for recording in [RECORDED, RECORDED_MATH500] if both else [RECORDED]:
                    for row in read_jsonl(ROOT / recording):
                        out.write(json.dumps({"question": row["question"], "response": row["response"]}) + "\n")
        self.process = subprocess.Popen([SERVER, "--port", "0", "--replay", str(replay), *extra],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        match = re.search(r"listening on http://([^:]+):(\d+)/v1", self.process.stdout.readline())
        if not match:
            self.process.kill()
            raise RuntimeError("openai_test_server did not start: " + self.process.stderr.read())
        self.host, self.port = match.group(1), match.group(2)
        self.requests = None

    def stop(self):
        self.process.terminate()
        _, err = self.process.communicate(timeout=30)
        match = re.search(r"(\d+) completion requests", err)
        self.requests = int(match.group(1)) if match else -1
        return self.requests


def run_args(work_dir, server=None, port=None, extra=()):
    args = [EVALFLOW, "run", "--model", str(ROOT / "pipelines/models/vllm_api_general_chat.yaml"), "--dataset",
            str(ROOT / "pipelines/datasets/aime2024_gen_0_shot_chat_prompt.yaml"), "-w", str(work_dir),
            "--no-progress", "-s", "model.retry=1", "-s", "model.backoff.initial_s=0.01", "-s", "model.outage_s=0"]
    if server is not None:
        args += ["-s", f"model.host_ip={server.host}", "-s", f"model.host_port={port or server.port}"]
    return args + list(extra)


def evalflow(args, timeout=120):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)


def only_run(work_dir):
    runs = sorted(p for p in pathlib.Path(work_dir).iterdir() if p.is_dir())
    return runs[-1] if runs else None


def predictions(run_dir):
    return read_jsonl(run_dir / f"predictions/{MODEL}/{DATASET}.jsonl")


def failures(run_dir):
    return read_jsonl(run_dir / f"predictions/{MODEL}/{DATASET}_failed.jsonl")


def keys(rows):
    return [(row["id"], row["replica"]) for row in rows]


def results(run_dir):
    return json.loads((run_dir / f"results/{MODEL}/{DATASET}.json").read_text())


def wait_for_rows(run_dir_parent, count, timeout=60):
    """Waits until the newest run under run_dir_parent has at least `count` predictions; returns it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pathlib.Path(run_dir_parent).exists():
            run_dir = only_run(run_dir_parent)
            if run_dir is not None and len(predictions(run_dir)) >= count:
                return run_dir
        time.sleep(0.02)
    raise RuntimeError(f"no {count} predictions under {run_dir_parent} within {timeout} s")


def check_resume_alone_and_protocol():
    """--resume RUN_DIR alone continues with the stored pipeline and flags; protocol changes are refused
    naming the difference; connection settings may change."""
    server = Server("--ttft-ms", "20")
    work = TEMP / "alone"
    process = subprocess.Popen(run_args(work, server, extra=["--samples", "2", "-s", "model.batch_size=2"]),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run_dir = wait_for_rows(work, 6)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done_before = len(predictions(run_dir))
    server.stop()
    stored = (run_dir / "configs/pipeline.yaml").read_text()
    expect("max_tokens: 32768" in stored, "configs/pipeline.yaml keeps max_tokens (only schema-marked secrets are "
                                           "redacted)")
    expect(evalflow([EVALFLOW, "validate", str(run_dir / "configs/pipeline.yaml")]).returncode == 0,
           "configs/pipeline.yaml is re-runnable as it stands (validate passes)")
    refused = evalflow([EVALFLOW, "run", "--resume", str(run_dir), "--samples", "1", "--no-progress"])
    expect(refused.returncode == 2, f"a resume with other --samples is refused with rc 2 (got {refused.returncode})")
    expect("/datasets/0/samples: 2 -> 1" in refused.stderr, f"the refusal names the difference: {refused.stderr}")
    refused = evalflow([EVALFLOW, "run", "--resume", str(run_dir), "-s", "model.generation_kwargs.temperature=0",
                        "--no-progress"])
    expect(refused.returncode == 2 and "temperature" in refused.stderr,
           f"a resume with other generation settings is refused: {refused.stderr}")
    # The server is back on another port: only the connection changes.
    server = Server("--ttft-ms", "1")
    resumed = evalflow([EVALFLOW, "run", "--resume", str(run_dir), "-s", f"model.host_port={server.port}",
                        "--no-progress"])
    requests = server.stop()
    rows = predictions(run_dir)
    expect(resumed.returncode == 0, f"--resume alone (new port) completes with rc 0: {resumed.stderr[-2000:]}")
    expect(len(rows) == 60 and len(set(keys(rows))) == 60, f"60 distinct (id, replica) rows, got {len(rows)}")
    expect(requests == 60 - done_before, f"only the {60 - done_before} unfinished samples were sent ({requests})")
    expect(all(r["success"] and isinstance(r.get("prediction"), str) for r in rows),
           "every stored row is a completed sample with a prediction")
    # Datasets columns and plugin outputs are kept in the rows.
    expect(all("question" in r and "extracted" in r and "correct" in r for r in rows),
           f"rows keep the chain's fields: {sorted(rows[0])}")


def check_interrupt(second_signal, sig=signal.SIGINT):
    """First Ctrl-C (or SIGTERM): nothing new is sent, in-flight samples finish, rc 3, resume completes.
    A second Ctrl-C stops at once and loses nothing that finished."""
    label = "second Ctrl-C" if second_signal else signal.Signals(sig).name
    slow = "3000" if second_signal else "300"
    server = Server("--ttft-ms", slow)
    work = TEMP / f"interrupt_{label.replace(' ', '_')}"
    batch = 4
    process = subprocess.Popen(run_args(work, server, extra=["--samples", "4", "-s", f"model.batch_size={batch}",
                                                             "--grace-period", "20"]),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if second_signal:
        # The run directory exists once the run has started (later on a loaded machine); then requests reach
        # the slow model and stay in flight for 3 s.
        run_dir = wait_for_rows(work, 0)
        time.sleep(1.0)
    else:
        run_dir = wait_for_rows(work, 8)
    before = len(predictions(run_dir))
    started = time.monotonic()
    process.send_signal(sig)
    if second_signal:
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    took = time.monotonic() - started
    requests = server.stop()
    rows = predictions(run_dir)
    expect(process.returncode == 3, f"{label}: rc 3 (run incomplete), got {process.returncode}: {err[-1500:]}")
    expect(all(r["success"] and isinstance(r.get("prediction"), str) for r in rows),
           f"{label}: no row without a prediction is stored as success")
    expect(not failures(run_dir), f"{label}: samples that never reached the model are not stored as failures")
    expect(len(set(keys(rows))) == len(rows), f"{label}: no duplicate (id, replica)")
    if second_signal:
        expect(took < 3.0, f"second Ctrl-C stops at once (took {took:.1f} s)")
        expect("stopped at once" in err, f"second Ctrl-C says what it dropped: {err[-500:]}")
    else:
        expect(took < 5.0, f"{label}: stops within the in-flight answers' time (took {took:.1f} s)")
        expect(requests <= before + 2 * batch, f"{label}: {requests} requests for {before} rows at the signal "
                                               f"(at most {batch} in flight may finish)")
        expect(requests == len(rows), f"{label}: the in-flight samples finished and were stored "
                                      f"({requests} requests, {len(rows)} rows)")
        expect("no new requests" in err, f"{label}: the grace period is shown: {err[-800:]}")
        expect("INCOMPLETE" in out, f"{label}: the summary marks the dataset INCOMPLETE: {out}")
    server = Server("--ttft-ms", "0")
    resumed = evalflow([EVALFLOW, "run", "--resume", str(run_dir), "-s", f"model.host_port={server.port}",
                        "--no-progress"])
    server.stop()
    rows = predictions(run_dir)
    expect(resumed.returncode == 0 and len(rows) == 120 and len(set(keys(rows))) == 120,
           f"{label}: the resume completes 120 samples (rc {resumed.returncode}, {len(rows)} rows)")


def check_exit_codes():
    """0 only when everything was scored; 1 when samples failed; 2 for an invalid pipeline; 4 for an
    expected figure outside its range with --check-expected."""
    server = Server(both=True)
    work = TEMP / "codes"
    ok = evalflow(run_args(work, server, extra=["--num-prompts", "5"]))
    expect(ok.returncode == 0, f"a complete run exits 0: {ok.stderr[-1000:]}")
    # AISBench's expected AIME figure is the model card's 69.7; the replayed Llama answers score far below it.
    seed = [EVALFLOW, "run", str(ROOT / "pipelines/r1_distill_qwen14b.yaml"), "-w", str(work), "--no-progress",
            "-s", f"model.host_ip={server.host}", "-s", f"model.host_port={server.port}", "--num-prompts", "3",
            "--check-expected"]
    checked = evalflow(seed)
    expect(checked.returncode == 4, f"--check-expected with a FAIL check exits 4 (got {checked.returncode})")
    unchecked = evalflow(seed[:-1])
    expect(unchecked.returncode == 0, f"without --check-expected a FAIL check exits 0 (got {unchecked.returncode})")
    server.stop()
    # A model server that answers nothing: every sample fails, never 0.
    dead = Server()
    port = dead.port
    dead.stop()
    failed = evalflow(run_args(work, dead, port=port, extra=["--num-prompts", "4", "-s", "model.model=x"]))
    run_dir = only_run(work)
    expect(failed.returncode == 1, f"every request failed: rc 1, got {failed.returncode}")
    expect(str(run_dir / f"predictions/{MODEL}/{DATASET}_failed.jsonl") in failed.stderr,
           f"the hint names the failures file: {failed.stderr[-600:]}")
    expect(len(failures(run_dir)) == 4, "the 4 failures are in _failed.jsonl")
    # Set-up fails (model discovery finds no server): rc 3 and no empty run directory left behind (18.10).
    empty = TEMP / "setup_failed"
    setup = evalflow(run_args(empty, dead, port=port, extra=["-s", "model.retry=0", "-s", "model.timeouts.discovery_s=1"]))
    expect(setup.returncode == 3, f"a failed set-up exits 3, got {setup.returncode}: {setup.stderr[-300:]}")
    expect(not empty.exists() or not any(empty.iterdir()), "a failed set-up leaves no empty run directory")
    # --mode perf without streaming: the latencies that need it are announced as unmeasurable.
    server = Server()
    perf = evalflow(run_args(work, server, extra=["--num-prompts", "2", "--mode", "perf"]))
    server.stop()
    expect("stream" in perf.stderr and "--mode perf" in perf.stderr,
           f"--mode perf warns that TTFT/ITL need stream: true: {perf.stderr[-400:]}")
    bad = TEMP / "bad.yaml"
    bad.write_text("model: {abbr: m, type: no_such_type}\ndatasets: []\n")
    invalid = evalflow([EVALFLOW, "run", str(bad), "-w", str(work)])
    expect(invalid.returncode == 2, f"an invalid pipeline exits 2, got {invalid.returncode}")


def check_failures_kept():
    """A resume interrupted at once keeps the earlier failures on disk until they are replaced (18.10)."""
    dead = Server()
    port = dead.port
    dead.stop()
    work = TEMP / "kept"
    evalflow(run_args(work, dead, port=port, extra=["-s", "model.model=x"]))
    run_dir = only_run(work)
    expect(len(failures(run_dir)) == 30, f"30 failures recorded, got {len(failures(run_dir))}")
    server = Server("--ttft-ms", "2000")
    process = subprocess.Popen([EVALFLOW, "run", "--resume", str(run_dir), "-s", f"model.host_port={server.port}",
                                "--no-progress"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.6)
    process.send_signal(signal.SIGKILL)
    process.wait()
    server.stop()
    expect(len(failures(run_dir)) == 30, f"a killed resume keeps the 30 failures, got {len(failures(run_dir))}")


def check_soak(kills=20):
    """kill -9 at random moments, then --resume: no finished sample lost or sent twice, no duplicate, results
    identical to an uninterrupted run."""
    server = Server("--ttft-ms", "5")
    reference = TEMP / "soak_reference"
    done = evalflow(run_args(reference, server, extra=["--samples", "4", "-s", "model.batch_size=8"]))
    expect(done.returncode == 0, f"reference run rc {done.returncode}")
    want = results(only_run(reference))
    work = TEMP / "soak"
    rng = random.Random(14)
    process = subprocess.Popen(run_args(work, server, extra=["--samples", "4", "-s", "model.batch_size=8"]),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run_dir = wait_for_rows(work, 1)
    process.send_signal(signal.SIGKILL)
    process.wait()
    started = time.monotonic()
    for _ in range(kills):
        process = subprocess.Popen([EVALFLOW, "run", "--resume", str(run_dir), "--no-progress"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 0.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        rows = predictions(run_dir)
        expect(len(set(keys(rows))) == len(rows), f"after a kill: {len(rows) - len(set(keys(rows)))} duplicates")
    final = evalflow([EVALFLOW, "run", "--resume", str(run_dir), "--no-progress"])
    requests = server.stop()
    rows = predictions(run_dir)
    print(f"  soak: {kills} kills in {time.monotonic() - started:.1f} s, {requests} requests for 240 samples")
    expect(final.returncode == 0, f"soak: the final resume exits 0: {final.stderr[-1000:]}")
    expect(len(rows) == 120 and len(set(keys(rows))) == 120, f"soak: 120 distinct rows, got {len(rows)}")
    got = results(run_dir)
    for key in ["accuracy", "avg@4", "pass@4", "cons@4"]:
        expect(got.get(key) == want.get(key), f"soak: {key} {got.get(key)} != uninterrupted {want.get(key)}")
    recorded = [row["response"] for row in read_jsonl(ROOT / RECORDED)]
    expect(all(r["prediction"] == recorded[r["id"]] for r in rows), "soak: every prediction is the recorded one")


def check_disk_full():
    """ENOSPC on predictions: a clear error naming the file, the run stops, nothing written is lost, and a
    resume on a disk with space completes it. Needs a small tmpfs: root and mount namespaces (CI has both)."""
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        print("  disk full: skipped (no mount namespace here: unshare -m fails)")
        return
    server = Server()
    small = TEMP / "small"
    small.mkdir()
    script = (f"mount -t tmpfs -o size=160k tmpfs {small} && "
              f"{' '.join(run_args(small, server, extra=['--samples', '4']))}; rc=$?; "
              f"cp -a {small}/. {TEMP}/full_copy/; exit $rc")
    (TEMP / "full_copy").mkdir()
    full = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=120,
                          check=False)
    run_dir = only_run(TEMP / "full_copy")
    expect(full.returncode == 3, f"disk full: rc 3 (incomplete), got {full.returncode}: {full.stderr[-1000:]}")
    expect("No space left on device" in full.stderr and f"{DATASET}.jsonl" in full.stderr,
           f"disk full: the error names the file and the cause: {full.stderr[-800:]}")
    kept = predictions(run_dir)
    expect(len(kept) > 0, "disk full: what was written before is kept")
    resumed = evalflow([EVALFLOW, "run", "--resume", str(run_dir), "--no-progress"])
    server.stop()
    rows = predictions(run_dir)
    expect(resumed.returncode == 0 and len(rows) == 120 and len(set(keys(rows))) == 120,
           f"disk full: the resume with space completes (rc {resumed.returncode}, {len(rows)} rows)")


def check_lock_and_content():
    """A second process on one run directory is refused naming the holder's pid (18.2); a dataset that changed
    since is not paired with old answers (18.1); the version does not depend on the server."""
    server = Server("--ttft-ms", "100")
    work = TEMP / "lock"
    process = subprocess.Popen(run_args(work, server, extra=["-s", "model.batch_size=1"]),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run_dir = wait_for_rows(work, 1)
    second = evalflow([EVALFLOW, "run", "--resume", str(run_dir), "--no-progress"])
    expect(second.returncode == 2 and f"pid {process.pid}" in second.stderr,
           f"a second process is refused naming pid {process.pid}: {second.stderr}")
    process.send_signal(signal.SIGKILL)
    process.wait()
    server.stop()
    # A complete run, then its dataset file shuffled: every question gets its own answer again.
    server = Server()
    data = TEMP / "aime_copy.jsonl"
    shutil.copy(ROOT / "data/aime2024/aime.jsonl", data)
    work = TEMP / "content"
    first = evalflow(run_args(work, server, extra=["-s", f"{DATASET}.load.path={data}"]))
    run_dir = only_run(work)
    want = results(run_dir)["accuracy"]
    lines = data.read_text().splitlines()
    random.Random(18).shuffle(lines)
    data.write_text("\n".join(lines) + "\n")
    again = evalflow([EVALFLOW, "run", "--resume", str(run_dir), "--no-progress"])
    server.stop()
    rows = predictions(run_dir)
    expect(first.returncode == 0 and again.returncode == 0, f"content: rc {first.returncode}, {again.returncode}")
    expect(results(run_dir)["accuracy"] == want, f"content: accuracy {results(run_dir)['accuracy']} after "
                                                 f"shuffling, {want} before")
    expect("were made for other questions" in again.stderr, f"content: the resume says so: {again.stderr[-600:]}")
    expect(len(rows) == 30 and len(set(keys(rows))) == 30, f"content: 30 distinct rows, got {len(rows)}")
    other = Server()
    versions = set()
    third = evalflow(run_args(TEMP / "version", other, extra=["-s", f"{DATASET}.load.path={data}"]))
    other.stop()
    for out in (again.stdout, third.stdout):
        match = re.search(rf"^{DATASET}\s+(\w+)\s+accuracy", out, re.M)
        versions.add(match.group(1) if match else None)
    expect(len(versions) == 1 and None not in versions, f"the version does not follow the server: {versions}")


def check_url_credentials():
    """Credentials written into the model's url reach the server but no file of the run and no message (18.9);
    a resume alone asks for them again, since the stored pipeline does not hold them."""
    server = Server("--reasoning")
    work = TEMP / "credentials"
    secret = "hunter2hunter2"
    url = f"http://alice:{secret}@{server.host}:{server.port}/v1"
    first = evalflow(run_args(work, extra=["--num-prompts", "2", "-s", f"model.url={url}"]))
    run_dir = only_run(work)
    leaked = [str(path) for path in run_dir.rglob("*") if path.is_file() and secret in path.read_text(errors="ignore")]
    expect(first.returncode == 0, f"credentials: the run completes, rc {first.returncode}: {first.stderr[-400:]}")
    expect(not leaked, f"credentials: no file of the run holds the password: {leaked}")
    expect(secret not in first.stdout + first.stderr, "credentials: nothing printed holds it")
    stored = (run_dir / "configs/pipeline.yaml").read_text()
    expect("<redacted>@" in stored, "credentials: the stored url says they were redacted")
    alone = evalflow([EVALFLOW, "run", "--resume", str(run_dir), "--no-progress", "--num-prompts", "2"])
    expect(alone.returncode == 2 and "url" in alone.stderr, f"credentials: a resume asks for the url: {alone.stderr}")
    again = evalflow([EVALFLOW, "run", "--resume", str(run_dir), "--no-progress", "--num-prompts", "2", "-s",
                      f"model.url={url}"])
    server.stop()
    expect(again.returncode == 0, f"credentials: with it given again the resume completes: {again.stderr[-400:]}")


CHECKS = {
    "url_credentials": check_url_credentials,
    "resume": check_resume_alone_and_protocol,
    "interrupt": lambda: check_interrupt(False),
    "sigterm": lambda: check_interrupt(False, signal.SIGTERM),
    "second_interrupt": lambda: check_interrupt(True),
    "exit_codes": check_exit_codes,
    "failures_kept": check_failures_kept,
    "soak": check_soak,
    "disk_full": check_disk_full,
    "lock_and_content": check_lock_and_content,
}


def main():
    global ROOT, EVALFLOW, SERVER, TEMP
    EVALFLOW, SERVER, ROOT = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    chosen = sys.argv[4:] or list(CHECKS)
    with tempfile.TemporaryDirectory() as temp:
        TEMP = pathlib.Path(temp)
        for name in chosen:
            started = time.monotonic()
            print(f"{name}:")
            CHECKS[name]()
            print(f"  {name}: {time.monotonic() - started:.1f} s")
    print(f"run_contract_test: {len(FAILURES)} failures")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
