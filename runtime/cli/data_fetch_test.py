#!/usr/bin/env python3
"""Checks `evalflow data fetch` without internet: the offline error, checksum refusal, unpacking from
file:// and from a local HTTP server, a damaged archive, an entry escaping the folder, unknown names.
The archives are made here with the layout of OpenCompass's (aime.zip: aime.jsonl at the top, unpacked
into aime/; math.zip: a math/ folder). Usage: data_fetch_test.py EVALFLOW_BINARY"""
import functools
import http.server
import pathlib
import subprocess
import sys
import tempfile
import threading
import zipfile

AIME_ROWS = '{"origin_prompt": "Find 1+1.", "gold_answer": "2"}\n' * 3
MATH_ROWS = '{"problem": "What is 2+2?", "solution": "$\\\\boxed{4}$", "answer": "4"}\n' * 5


def make_archives(folder):
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / "aime.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("aime.jsonl", AIME_ROWS)
    with zipfile.ZipFile(folder / "math.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("math/", "")
        archive.writestr("math/test_prm800k_500.jsonl", MATH_ROWS)


def fetch(binary, *args):
    done = subprocess.run([binary, "data", "fetch", *args], capture_output=True, text=True, timeout=120, check=False)
    return done.returncode, done.stdout + done.stderr


def main():
    binary = sys.argv[1]
    failures = []

    def expect(condition, what, output=""):
        if not condition:
            failures.append(f"{what}\n{output}")

    with tempfile.TemporaryDirectory() as temp:
        root = pathlib.Path(temp)
        mirror = root / "mirror"
        make_archives(mirror)

        # Offline: a host that does not resolve, and a port nobody listens on.
        for url in ["http://evalflow-offline.invalid/datasets/", "http://127.0.0.1:1/"]:
            code, out = fetch(binary, "aime", "--dir", str(root / "offline"), "--mirror", url)
            expect(code != 0 and "cannot download" in out and "offline" in out and "--mirror file://" in out,
                   f"offline error for {url}", out)
            expect(not (root / "offline" / "aime.zip.part").exists(), "a failed download leaves no partial file")

        # Local copies: their md5 is not OpenCompass's, so they are refused and kept for inspection...
        code, out = fetch(binary, "aime", "math", "--dir", str(root / "checked"), "--mirror", f"file://{mirror}/")
        expect(code != 0 and "differs from the published fbe2d0577fc210962a549f8cea1a00c8" in out
               and "2 of 2 datasets failed" in out, "md5 mismatch refused", out)
        expect((root / "checked" / "aime.zip").exists(), "refused archive kept")
        expect(not (root / "checked" / "aime").exists(), "refused archive not unpacked")

        # ...and unpacked with --skip-checksum, in AISBench's layout.
        code, out = fetch(binary, "aime", "math", "--dir", str(root / "data"), "--mirror", f"file://{mirror}", "--skip-checksum")
        expect(code == 0, "file:// fetch succeeds", out)
        expect((root / "data/aime/aime.jsonl").read_text() == AIME_ROWS if (root / "data/aime/aime.jsonl").exists()
               else False, "aime.jsonl unpacked into aime/", out)
        expect((root / "data/math/test_prm800k_500.jsonl").exists()
               and (root / "data/math/test_prm800k_500.jsonl").read_text() == MATH_ROWS, "math/ unpacked", out)
        expect(not (root / "data/aime.zip").exists(), "archive removed after unpacking")
        expect("sha256" in out and "md5" in out, "digests printed", out)

        # Over HTTP from a local server; a missing file is a clear 404 error.
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(mirror))
        http.server.SimpleHTTPRequestHandler.log_message = lambda *args: None
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        code, out = fetch(binary, "math", "--dir", str(root / "http"), "--mirror", base, "--skip-checksum",
                          "--keep-archive")
        expect(code == 0 and (root / "http/math/test_prm800k_500.jsonl").exists()
               and (root / "http/math.zip").exists(), "HTTP fetch with --keep-archive", out)
        code, out = fetch(binary, "math", "--dir", str(root / "http404"), "--mirror", base + "missing/")
        expect(code != 0 and "404" in out and "not at that address" in out, "HTTP 404 explained", out)
        server.shutdown()

        # A damaged archive: bytes of the compressed entry flipped, or the file cut short.
        damaged = root / "damaged"
        make_archives(damaged)
        data = bytearray((damaged / "math.zip").read_bytes())
        start = data.find(b"test_prm800k_500.jsonl") + len("test_prm800k_500.jsonl")
        for i in range(start + 2, start + 12):
            data[i] ^= 0xFF
        (damaged / "math.zip").write_bytes(bytes(data))
        (damaged / "aime.zip").write_bytes((mirror / "aime.zip").read_bytes()[:40])
        code, out = fetch(binary, "aime", "math", "--dir", str(root / "bad"), "--mirror", f"file://{damaged}/", "--skip-checksum")
        expect(code != 0 and "not a valid zip archive" in out, "truncated zip refused", out)
        expect("math.zip: entry 'math/test_prm800k_500.jsonl' is damaged" in out, "CRC failure reported", out)
        expect(not (root / "bad/math/test_prm800k_500.jsonl").exists(), "damaged entry not left behind")

        # An entry that would land outside the folder (zip slip).
        evil = root / "evil"
        evil.mkdir()
        with zipfile.ZipFile(evil / "aime.zip", "w") as archive:
            archive.writestr("../escaped.txt", "x")
        code, out = fetch(binary, "aime", "--dir", str(root / "slip"), "--mirror", f"file://{evil}/",
                          "--skip-checksum")
        expect(code != 0 and "would be written outside" in out, "zip slip refused", out)
        expect(not (root / "slip/escaped.txt").exists() and not (root / "escaped.txt").exists(), "nothing escaped")

        code, out = fetch(binary, "gsm9k", "--dir", str(root / "x"))
        expect(code != 0 and "no dataset named 'gsm9k' (known: aime, math, " in out, "unknown name", out)

    for failure in failures:
        print("FAIL:", failure)
    print(f"data_fetch_test: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
