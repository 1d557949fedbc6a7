#!/usr/bin/env python3
"""Catches the includes a new compiler would find missing, before a user's compiler does.

1. Every translation unit of a build is compiled once more, syntax only, with clang and libc++ with libc++'s
   transitive includes removed: a file that uses a standard facility it never includes, which GCC's
   libstdc++ happens to pull in, fails here with its file and line. This also proves every target compiles
   with clang. Translation units that include libtorch are left out: Debian's libtorch is built against
   libstdc++ (the GPU box compiles them with g++ 13).
2. libc++ still defines the fixed-width integers through its other headers, while libstdc++ 13 stopped
   doing so (math_verify's lexer broke on g++ 13 that way). So every project file that names uint8_t,
   int64_t, ... must reach <cstdint> or <stdint.h> through its own includes or the project's headers,
   never through a standard or third-party header alone.

Usage: tools/check_includes.py [BUILD_DIR]   (default build/; needs its compile_commands.json)
Environment: CHECK_CXX (default clang++-22), CHECK_JOBS (default: the number of CPUs).
"""
import concurrent.futures
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

FLAGS = ["-stdlib=libc++", "-D_LIBCPP_REMOVE_TRANSITIVE_INCLUDES", "-fsyntax-only", "-Wno-unknown-warning-option"]
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
FIXED_WIDTH = re.compile(r"\b(?:std::)?u?int(?:8|16|32|64)_t\b")


def words_of(entry):
    return entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])


def syntax_command(entry, compiler):
    kept = [compiler]
    skip_next = False
    for word in words_of(entry)[1:]:
        if skip_next:
            skip_next = False
            continue
        if word in ("-o", "-MF", "-MT", "-MQ"):
            skip_next = True
            continue
        if word in ("-c", "-MD", "-MMD") or word.startswith("-fdiagnostics-color"):
            continue
        kept.append(word)
    return kept + FLAGS


def uses_torch(entry):
    return any("/torch/csrc/api/include" in word for word in words_of(entry))


def compile_with_libcxx(entries, compiler, jobs):
    checked = [e for e in entries if not uses_torch(e)]

    def check(entry):
        result = subprocess.run(syntax_command(entry, compiler), cwd=entry["directory"], capture_output=True,
                                text=True)
        return entry["file"], result.returncode, result.stderr

    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for path, code, errors in pool.map(check, checked):
            if code != 0:
                failed.append(path)
                sys.stderr.write(errors)
    print(f"check_includes: {len(checked)} translation units with {compiler} and libc++ "
          f"({len(entries) - len(checked)} libtorch ones left out), {len(failed)} failed")
    for path in failed:
        print(f"  {path}")
    return failed


class ProjectIncludes:
    """Which project files reach <cstdint> through themselves or the project's own headers."""

    def __init__(self, root, include_dirs):
        self.root = root
        self.include_dirs = include_dirs
        self.known = {}

    def resolve(self, name, directory, quoted):
        candidates = ([os.path.join(directory, name)] if quoted else []) + [
            os.path.join(d, name) for d in self.include_dirs
        ]
        for candidate in candidates:
            if os.path.isfile(candidate):
                return os.path.realpath(candidate)
        return None

    def reaches_cstdint(self, path, visiting=frozenset()):
        if path in self.known:
            return self.known[path]
        if path in visiting:
            return False
        with open(path, errors="replace") as handle:
            text = handle.read()
        reached = False
        for quote, name in INCLUDE.findall(text):
            if name in ("cstdint", "stdint.h"):
                reached = True
                break
            header = self.resolve(name, os.path.dirname(path), quote == '"')
            if header and header.startswith(self.root + os.sep) and self.reaches_cstdint(header, visiting | {path}):
                reached = True
                break
        self.known[path] = reached
        return reached


def check_fixed_width_integers(root, entries):
    include_dirs = sorted({word[2:] for e in entries for word in words_of(e)
                           if word.startswith("-I") and word[2:].startswith(root + os.sep)})
    files = subprocess.run(["git", "-C", root, "ls-files", "*.cpp", "*.cc", "*.hpp", "*.h"], capture_output=True,
                           text=True, check=True).stdout.split()
    project = ProjectIncludes(root, include_dirs)
    failed = []
    for name in files:
        path = os.path.realpath(os.path.join(root, name))
        with open(path, errors="replace") as handle:
            code = re.sub(r"//.*", "", handle.read())
        if FIXED_WIDTH.search(code) and not project.reaches_cstdint(path):
            failed.append(name)
    print(f"check_includes: {len(files)} files for fixed-width integers without <cstdint>, {len(failed)} failed")
    for name in failed:
        print(f"  {name}: uses a fixed-width integer type; add #include <cstdint>")
    return failed


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    compiler = os.environ.get("CHECK_CXX", "clang++-22")
    jobs = int(os.environ.get("CHECK_JOBS", os.cpu_count() or 2))
    if shutil.which(compiler) is None:
        print(f"check_includes: {compiler} is not installed: run tools/setup.sh, or set CHECK_CXX", file=sys.stderr)
        return 1
    root = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))
    with open(os.path.join(build, "compile_commands.json")) as handle:
        entries = [e for e in json.load(handle) if e["file"].endswith((".cpp", ".cc"))]
    failed = check_fixed_width_integers(root, entries)
    failed += compile_with_libcxx(entries, compiler, jobs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
