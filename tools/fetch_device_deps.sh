#!/usr/bin/env bash
# Downloads (here, once) the Debian packages that the GPU machine lacks for building the runtime and
# torch_local: oneTBB, simdjson, PCRE2, utf8proc, valijson and libzip, into .deps/debs (git-ignored).
# tools/device_build_and_test.sh unpacks them there; pass carry=[".deps"] to the device tool.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .deps/debs
cd .deps/debs
apt-get download libtbb-dev libtbb12 libtbbmalloc2 libtbbbind-2-5 libsimdjson-dev libsimdjson14 libpcre2-dev \
  libpcre2-8-0 libutf8proc-dev libutf8proc2 libvalijson-dev libzip-dev libzip4
