#!/usr/bin/env python3
"""report.html in a real browser: Debian's chromium, headless, driven over the DevTools protocol on a pipe.
Opens the report `evalflow run` wrote for
- the demo (pipelines/demo.yaml: recorded Llama-3.1-8B outputs, MATH-500 and AIME 2024), and
- a multi-sample streamed run against openai_test_server: Qwen3-32B's reasoning traces on AIME 2024 cut at
  max_tokens (truncated, unclosed <think>) and Llama-3.1-8B on MATH-500, 3 samples each, with injected 500s
  left unretried (failed samples),
then `evalflow report A B` of the demo against the multi-sample run (the comparison view). For each report:
every chart rendered (an SVG with bars), the page's counts equal results/*.json and the rows on disk, every
verdict filter and a dataset-column filter show exactly the rows they should, a text search finds a sample by
a phrase deep in its output, a sample opens with its reasoning collapsible, no console errors or warnings,
no network requests. Screenshots and the measured file sizes and opening times go to ARTIFACT_DIR.
Usage: report_browser_test.py EVALFLOW OPENAI_TEST_SERVER REPOSITORY_ROOT ARTIFACT_DIR"""
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from devtools import Browser  # noqa: E402

FAILURES = []
MEASURED = []


def expect(condition, message):
    if not condition:
        FAILURES.append(message)
        print(f"FAIL: {message}")


def read_jsonl(path):
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def run_dir_of(work_dir):
    return sorted(p for p in work_dir.iterdir() if p.is_dir())[-1]


def run_demo(evalflow, root, temp):
    work = temp / "demo"
    done = subprocess.run([evalflow, "run", str(root / "pipelines/demo.yaml"), "-w", str(work), "--no-progress"],
                          capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"demo run failed: {done.stdout}{done.stderr}")
    expect("report: " in done.stdout, f"`evalflow run` does not say where report.html is: {done.stdout[-500:]}")
    return run_dir_of(work)


def run_multi_sample(evalflow, server_binary, root, temp):
    questions = [json.loads(line)["question"] for line in open(root / "data/aime2024/aime.jsonl", encoding="utf-8")]
    replay = temp / "replay.jsonl"
    with open(replay, "w", encoding="utf-8") as out:
        for row in read_jsonl(root / "tests/data/predictions/qwen3-32b_aime2024_lighteval.jsonl"):
            out.write(json.dumps({"question": questions[row["aime_jsonl_index"]], "response": row["response"]}) + "\n")
        for row in read_jsonl(root / "tests/data/predictions/llama31-8b-instruct_math500_qwen25math-harness.jsonl"):
            out.write(json.dumps(row) + "\n")
    server = subprocess.Popen([server_binary, "--port", "0", "--replay", str(replay), "--fault", "500@p=0.04",
                               "--seed", "7"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        match = re.search(r"listening on http://([^:]+):(\d+)/v1", server.stdout.readline())
        if not match:
            raise RuntimeError("openai_test_server did not start")
        work = temp / "multi"
        args = [evalflow, "run", "--model", str(root / "pipelines/models/vllm_api_general_chat.yaml"),
                "--dataset", str(root / "pipelines/datasets/aime2024_gen_0_shot_chat_prompt_mv_fixed.yaml"),
                "--dataset", str(root / "pipelines/datasets/math500_gen_0_shot_cot_chat_prompt.yaml"),
                "-w", str(work), "--no-progress", "--samples", "3", "--num-prompts", "60",
                "-s", f"model.host_ip={match.group(1)}", "-s", f"model.host_port={match.group(2)}",
                "-s", "model.retry=0", "-s", "model.stream=true",
                "-s", "model.generation_kwargs.max_tokens=6000"]
        done = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode not in (0, 1):  # 1: some samples failed, as the faults intend
            raise RuntimeError(f"multi-sample run failed ({done.returncode}): {done.stdout}{done.stderr}")
        return run_dir_of(work)
    finally:
        server.terminate()
        server.wait(timeout=30)


def lanes_on_disk(run_dir):
    """model/dataset -> (rows, failed rows, results JSON) as the run wrote them."""
    lanes = {}
    for predictions in sorted((run_dir / "predictions").glob("*/*.jsonl")):
        if predictions.name.endswith("_failed.jsonl"):
            continue
        model, dataset = predictions.parent.name, predictions.stem
        results_file = run_dir / "results" / model / f"{dataset}.json"
        lanes[(model, dataset)] = (read_jsonl(predictions),
                                   read_jsonl(predictions.with_name(f"{dataset}_failed.jsonl")),
                                   json.loads(results_file.read_text()) if results_file.exists() else {})
    return lanes


def set_filter(browser, name, value):
    browser.evaluate(f"""(() => {{
        const s = document.querySelector('select[data-filter="{name}"]');
        s.value = {json.dumps(value)}; s.dispatchEvent(new Event('change')); }})()""")
    return visible_count(browser)


def visible_count(browser):
    browser.wait_for("document.getElementById('samples').dataset.busy === '0'")
    return int(browser.evaluate("document.getElementById('visible-count').textContent"))


def search(browser, text):
    browser.evaluate(f"""(() => {{ const s = document.querySelector('input[data-filter="search"]');
        s.value = {json.dumps(text)}; s.dispatchEvent(new Event('input')); }})()""")
    time.sleep(0.4)  # the search box waits 250 ms for typing to pause
    return visible_count(browser)


def check_report(browser, report, lanes, label, artifacts):
    url = report.resolve().as_uri()
    started = time.monotonic()
    browser.navigate(url)
    browser.wait_for("document.body && document.body.dataset.ready === '1'", timeout=120)
    opened = time.monotonic() - started
    MEASURED.append(f"{label}: {report.stat().st_size / 1e6:.2f} MB, opened (parsed, first table drawn) in "
                    f"{opened:.2f} s")
    browser.screenshot(artifacts / f"report_{label}.png")
    browser.screenshot(artifacts / f"report_{label}_top.jpg", clip_height=1000)  # small, for the README

    charts = browser.evaluate("""[...document.querySelectorAll('svg.chart')].map(svg => ({
        title: svg.dataset.title, bars: [...svg.querySelectorAll('rect')].filter(r =>
            r.getBBox().width > 0 && r.getBBox().height > 0).length,
        declared: Number(svg.querySelector('desc').dataset.bars)}))""")
    expect(len(charts) >= len(lanes), f"{label}: {len(charts)} charts for {len(lanes)} lanes")
    for chart in charts:
        expect(chart["bars"] > 0 and chart["declared"] > 0, f"{label}: chart '{chart['title']}' is empty")

    # The summary's counts against the files and the results JSON.
    page_lanes = browser.evaluate("""[...document.querySelectorAll('tr.lane-row')].map(tr => ({
        model: tr.dataset.model, dataset: tr.dataset.dataset, rows: +tr.dataset.rows, right: +tr.dataset.right,
        wrong: +tr.dataset.wrong, failed: +tr.dataset.failed, unscored: +tr.dataset.unscored,
        accuracy: +tr.dataset.accuracy}))""")
    by_key = {}
    for lane in page_lanes:
        by_key.setdefault((lane["model"], lane["dataset"]), lane)
    totals = {"rows": 0, "right": 0, "wrong": 0, "failed": 0}
    for key, (rows, failed, results) in lanes.items():
        lane = by_key.get(key)
        expect(lane is not None, f"{label}: lane {key} missing from the summary")
        if lane is None:
            continue
        right = sum(1 for r in rows if r.get("correct") is True)
        wrong = sum(1 for r in rows if r.get("correct") is False)
        expect(lane["rows"] == len(rows) + len(failed) == results.get("num_samples"),
               f"{label} {key}: {lane['rows']} samples in the page, {len(rows)}+{len(failed)} on disk, "
               f"results num_samples {results.get('num_samples')}")
        expect(lane["failed"] == len(failed) == results.get("num_failed"),
               f"{label} {key}: failed {lane['failed']} vs {len(failed)} vs {results.get('num_failed')}")
        expect(lane["right"] == right and lane["wrong"] == wrong, f"{label} {key}: right/wrong {lane} vs {right}/{wrong}")
        expect(abs(lane["accuracy"] - results.get("accuracy", -1)) < 0.005,
               f"{label} {key}: accuracy {lane['accuracy']} vs results {results.get('accuracy')}")
        for name in ["right", "wrong", "failed"]:
            totals[name] += lane[name]
        totals["rows"] += lane["rows"]
    return totals, opened


def check_browser(browser, lanes, totals, label):
    """Filters and search over a report already open."""
    expect(visible_count(browser) == totals["rows"], f"{label}: {visible_count(browser)} rows shown of {totals['rows']}")
    expect(int(browser.evaluate("document.getElementById('total-count').textContent")) == totals["rows"],
           f"{label}: total count")
    for verdict in ["right", "wrong", "failed"]:
        shown = set_filter(browser, "verdict", verdict)
        expect(shown == totals[verdict], f"{label}: filter {verdict} shows {shown}, expected {totals[verdict]}")
        states = browser.evaluate("[...document.querySelectorAll('tr.sample')].map(tr => tr.dataset.state)")
        expect(all(s == verdict for s in states) and (len(states) > 0) == (totals[verdict] > 0),
               f"{label}: filter {verdict} shows rows {set(states)}")
    cut = sum(1 for rows, _, _ in lanes.values() for r in rows if r.get("finish_reason") == "length")
    expect(set_filter(browser, "verdict", "cut") == cut, f"{label}: cut-by-length filter, expected {cut}")
    set_filter(browser, "verdict", "all")

    # A dataset column as a filter: MATH-500's level (an integer in the data, text in the page).
    math_rows = [r for key, (rows, failed, _) in lanes.items() if key[1] == "math500" for r in rows + failed]
    levels = [str(r["level"]) for r in math_rows if "level" in r]
    if levels:
        level = max(set(levels), key=levels.count)
        has_option = browser.evaluate(
            f"[...document.querySelectorAll('select[data-filter=\"level\"] option')].some(o => o.value === {json.dumps(level)})")
        expect(has_option, f"{label}: MATH-500 rows have a level but the page has no level filter with {level}")
        if has_option:
            shown = set_filter(browser, "level", level)
            expect(shown == levels.count(level), f"{label}: level {level} shows {shown}, expected {levels.count(level)}")
            set_filter(browser, "level", "")

    # Search a phrase from the middle of one output: found only by decompressing pages.
    rows = max((rows for rows, _, _ in lanes.values()), key=len)
    text = max(rows, key=lambda r: len(r.get("prediction", "")))["prediction"]
    # One line (a search box holds no line breaks) from the second half of the output.
    line = max(text[len(text) // 2:].splitlines(), key=len)
    phrase = line[len(line) // 2 - 20: len(line) // 2 + 20].strip()
    expected = sum(1 for rows, failed, _ in lanes.values() for r in rows + failed
                   if phrase.lower() in "\n".join(str(r.get(k, "")) for k in ["prediction", "gold", "origin_prompt"]).lower()
                   or phrase.lower() in json.dumps(r.get("origin_prompt", ""), ensure_ascii=False).lower())
    found = search(browser, phrase)
    expect(found >= 1 and found <= max(expected, 1) + 2, f"{label}: search for {phrase!r} shows {found}, expected ~{expected}")
    # Opening it: the output with its reasoning collapsible (when it has one), gold and verdict shown.
    browser.evaluate("document.querySelector('tr.sample').click()")
    browser.wait_for("!!document.querySelector('tr.detail .detail')")
    shown = browser.evaluate("document.querySelector('tr.detail').innerText")
    expect(phrase.split()[0] in shown if phrase.split() else True, f"{label}: the opened sample lacks its output")
    expect("Gold" in shown and "verdict" in shown, f"{label}: the opened sample lacks gold or verdict")
    search(browser, "")


def main():
    evalflow, server_binary, root, artifacts = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]), pathlib.Path(sys.argv[4])
    artifacts.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium is not installed (tools/setup.sh installs it)")
        return 1
    with tempfile.TemporaryDirectory() as temp_name:
        temp = pathlib.Path(temp_name)
        demo = run_demo(evalflow, root, temp)
        multi = run_multi_sample(evalflow, server_binary, root, temp)
        compare = subprocess.run([evalflow, "report", str(demo), str(multi), "-o", str(temp / "compare.html")],
                                 capture_output=True, text=True, timeout=300, check=False)
        expect(compare.returncode == 0, f"evalflow report A B failed: {compare.stderr}")
        browser = Browser(chromium, temp / "profile")
        try:
            browser.open_page()
            for label, run_dir in [("demo", demo), ("multi_sample", multi)]:
                report = run_dir / "report.html"
                lanes = lanes_on_disk(run_dir)
                totals, _ = check_report(browser, report, lanes, label, artifacts)
                if label == "multi_sample":
                    expect(any(r.get("finish_reason") == "length" for rows, _, _ in lanes.values() for r in rows),
                           "the multi-sample run has no output cut by length")
                    expect(totals["failed"] > 0, "the multi-sample run has no failed sample")
                    expect(browser.evaluate("document.body.innerText.includes('cons@3')"), "no cons@3 in the page")
                    expect(browser.evaluate("[...document.querySelectorAll('svg.chart')].some(s => s.dataset.title.startsWith('TTFT'))"),
                           "no TTFT chart in the streamed run's report")
                check_browser(browser, lanes, totals, label)
                # The browser view of a sample, for the screenshot: the first wrong one, opened.
                set_filter(browser, "verdict", "wrong")
                browser.evaluate("document.querySelector('tr.sample').click()")
                browser.wait_for("!!document.querySelector('tr.detail .detail')")
                browser.evaluate("document.getElementById('samples').scrollIntoView()")
                browser.screenshot(artifacts / f"report_{label}_samples.png")
                for problem in browser.problems(report.resolve().as_uri()):
                    expect(False, f"{label}: {problem}")
            lanes = {**lanes_on_disk(demo), **{}}
            browser.navigate((temp / "compare.html").resolve().as_uri())
            browser.wait_for("document.body && document.body.dataset.ready === '1'", timeout=120)
            compared = browser.evaluate("[...document.querySelectorAll('tr.compare-row')].map(tr => tr.dataset.dataset)")
            expect("math500" in compared, f"the comparison view pairs no math500 lanes: {compared}")
            browser.evaluate("document.getElementById('compare').scrollIntoView()")
            browser.screenshot(artifacts / "report_compare.png")
            for problem in browser.problems((temp / "compare.html").resolve().as_uri()):
                expect(False, f"compare: {problem}")
        finally:
            browser.close()
    for line in MEASURED:
        print(line)
    (artifacts / "report_measured.txt").write_text("\n".join(MEASURED) + "\n")
    print(f"screenshots in {artifacts}")
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        return 1
    print("all report checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
