#!/usr/bin/env python3
"""Measures a report.html in headless chromium: time until the page is usable (index parsed, first table
drawn), a verdict filter, opening one sample (its page decompressed) and a full-text search over every page;
the page's own JavaScript heap after all that. A screenshot goes next to the report.
Usage: open_report.py REPORT.html [SEARCH_TEXT]"""
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from devtools import Browser  # noqa: E402


def timed(label, action):
    started = time.monotonic()
    action()
    print(f"{label}: {time.monotonic() - started:.2f} s")


def main():
    report = pathlib.Path(sys.argv[1]).resolve()
    needle = sys.argv[2] if len(sys.argv) > 2 else "zzzz-not-in-any-text"
    print(f"{report}: {report.stat().st_size / 1e6:.1f} MB")
    with tempfile.TemporaryDirectory() as profile:
        browser = Browser("chromium", profile)
        try:
            browser.open_page()
            ready = "document.body && document.body.dataset.ready === '1'"
            idle = "document.getElementById('samples').dataset.busy === '0'"
            timed("open (until usable)", lambda: (browser.navigate(report.as_uri()), browser.wait_for(ready, 300)))
            timed("filter wrong", lambda: (browser.evaluate(
                "(() => { const s = document.querySelector('select[data-filter=\"verdict\"]'); s.value = 'wrong';"
                " s.dispatchEvent(new Event('change')); })()"), browser.wait_for(idle)))
            timed("open one sample", lambda: (browser.evaluate("document.querySelector('tr.sample').click()"),
                                              browser.wait_for("!!document.querySelector('tr.detail .detail')")))
            browser.screenshot(report.with_suffix(".png"))
            timed(f"search {needle!r} in every text", lambda: (browser.evaluate(
                "(() => { const s = document.querySelector('input[data-filter=\"search\"]');"
                f" s.value = {needle!r}; s.dispatchEvent(new Event('input')); }})()"), time.sleep(0.3),
                browser.wait_for(idle, 600)))
            print("shown:", browser.evaluate("document.getElementById('visible-count').textContent"))
            heap = browser.send("Runtime.getHeapUsage")
            print(f"JavaScript heap: {heap['usedSize'] / 1e6:.0f} MB used")
            for problem in browser.problems(report.as_uri()):
                print("problem:", problem)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
