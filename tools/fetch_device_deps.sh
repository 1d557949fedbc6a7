#!/usr/bin/env bash
# Downloads (here, once) the Debian packages that the GPU machine may lack for building the whole project:
# oneTBB, simdjson, PCRE2, utf8proc, valijson, libzip (runtime and torch_local), libcsv, cpp-httplib and what
# its pkg-config file requires (OpenSSL, zlib, Brotli), Google Benchmark and bubblewrap (the other plugins,
# tests and benchmarks), into .deps/debs (git-ignored). tools/device_build_and_test.sh unpacks there only
# those whose package the machine does not have installed; pass carry=[".deps"] to the device tool.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .deps/debs
cd .deps/debs
apt-get download libtbb-dev libtbb12 libtbbmalloc2 libtbbbind-2-5 libsimdjson-dev libsimdjson14 libpcre2-dev \
  libpcre2-8-0 libutf8proc-dev libutf8proc2 libvalijson-dev libzip-dev libzip4 \
  libcsv-dev libcsv3 libcpp-httplib-dev libcpp-httplib0.11 libssl-dev libssl3 zlib1g-dev libbrotli-dev \
  libbrotli1 libbenchmark-dev libbenchmark1debian bubblewrap
