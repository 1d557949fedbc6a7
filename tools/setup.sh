#!/usr/bin/env bash
# Installs exactly the Debian 12 packages evalflow builds and tests with. Idempotent: packages already
# present are skipped by apt-get, and nothing is installed when all are there.
# Usage: tools/setup.sh [--with-torch]   (libtorch is only needed by the torch_local inferencer)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libtbb-dev libyaml-cpp-dev libcurl4-openssl-dev nlohmann-json3-dev libvalijson-dev
  libcli11-dev libfmt-dev libspdlog-dev libgtest-dev libgmock-dev libbenchmark-dev
  libcpp-httplib-dev libssl-dev libpcre2-dev libutf8proc-dev libcsv-dev libsimdjson-dev
  libginac-dev libcln-dev libgmp-dev libmpfr-dev libzip-dev
  clang-14 libclang-rt-14-dev wrk
  clang-22 libc++-22-dev libc++abi-22-dev  # tools/check_includes.py: includes libstdc++ lends us
  bubblewrap python3
  libboost-math-dev zlib1g-dev chromium
  slurm-wlm munge  # tests/slurm: a private single-node Slurm for sharded runs (its own daemons, not the services)
)
if [[ " $* " == *" --with-torch "* ]]; then
  packages+=(libtorch-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi
sudo_cmd=()
((EUID == 0)) || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
