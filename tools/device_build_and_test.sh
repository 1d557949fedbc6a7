#!/usr/bin/env bash
# Builds the whole project (the top-level CMakeLists.txt: runtime, every plugin, tests, benchmarks) with the
# GPU machine's compiler (g++ 13 on Ubuntu 24.04) against its PyTorch CUDA libtorch, runs the whole ctest
# suite there, then torch_local's tests on CUDA (fp32 with TF32 off, libtorch's default; the bf16 checks; the
# fused kernels against their ATen compositions) and engine_pool_test on CUDA.
# Run from the repository root through the device tool, carrying .deps (filled by tools/fetch_device_deps.sh):
#   run(command="bash tools/device_build_and_test.sh", carry=[".deps"])
# QUICK=1 builds only torch_local with the runtime and the CLI (tools/torch_local_device) and runs only the
# fused-kernel and decode tests on CUDA (when device time is short). BENCH=1 also runs the kernel benchmark
# (attention beside SDPA); CTEST=0 skips the ctest suite; TESTS=0 (with QUICK=1) builds the CLI alone and
# runs no test nor benchmark (device time short). Logs go to $OUT (or ./device-out); the build is
# build-device/ either way.
# The machine lacks some Debian development packages (oneTBB, simdjson, PCRE2, utf8proc, valijson, libzip,
# libcsv, cpp-httplib, Google Benchmark, ...): those in .deps/debs whose package it does not have installed
# are unpacked into .deps/root.
set -uo pipefail
root=$(pwd)
out=${OUT:-$root/device-out}
mkdir -p "$out"
deps=$root/.deps/root
mkdir -p "$deps"
for deb in "$root"/.deps/debs/*.deb; do
  package=$(dpkg-deb -f "$deb" Package)
  if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then continue; fi
  echo "$package" >>"$out/unpacked_debs.txt"
  dpkg -x "$deb" "$deps"
done
# Debian's .pc files name /usr; point them at the unpacked tree.
sed -i "s|=/usr|=$deps/usr|g" "$deps"/usr/lib/x86_64-linux-gnu/pkgconfig/*.pc
export PKG_CONFIG_PATH=$deps/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/share/pkgconfig
export LD_LIBRARY_PATH=$deps/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
export PATH=$deps/usr/bin:$PATH  # bubblewrap for the sandbox tests, where the machine has none
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  c++ --version | head -n 1
  nvcc --version | tail -n 1
  python3 -c 'import torch; print("torch", torch.__version__)'
  grep PRETTY_NAME /etc/os-release
} | tee "$out/machine.txt"

build=$root/build-device
configure=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$deps/usr;$torch_prefix"
  -DCMAKE_POLICY_VERSION_MINIMUM=3.5 -DTORCH_CUDA_ARCH_LIST=9.0 -DEVALFLOW_WITH_TORCH=ON)
start=$(date +%s)
if [[ ${QUICK:-0} == 1 ]]; then
  { cmake -S tools/torch_local_device -B "$build" "${configure[@]}" &&
    ninja -C "$build" -j16 evalflow $([[ ${TESTS:-1} == 1 ]] && echo torch_local_test torch_local_kernels_bench); } \
    >"$out/build.log" 2>&1
else
  # -k 0: every target that can be built is, so that one run lists every compile error.
  { cmake -S . -B "$build" "${configure[@]}" && ninja -C "$build" -j16 -k 0; } >"$out/build.log" 2>&1
fi
status=$?
echo "== build: exit $status in $(($(date +%s) - start)) s"
tail -n 5 "$out/build.log"
if ((status != 0)); then
  grep -E "error|Error" -A3 "$out/build.log" | head -80
fi
[[ ${TESTS:-1} == 1 ]] || exit "$status"
test_binary=$(find "$build" -name torch_local_test -type f -perm -u+x | head -n 1)
[[ -n $test_binary ]] || exit 1
bin_dir=$(dirname "$test_binary")
if [[ ${BENCH:-0} == 1 ]]; then  # the kernel benchmark, paged attention side by side with SDPA
  "$bin_dir/torch_local_kernels_bench" 2>&1 | tee "$out/kernels_bench.jsonl" | grep attention
fi
if [[ ${QUICK:-0} == 1 ]]; then
  EVALFLOW_TEST_DEVICE=cuda "$test_binary" --gtest_brief=1 --gtest_filter='FusedOps.*:*DecodeStep*:*Preemption*:*CountsDecode*' 2>&1 |
    tail -n 8
  exit "$status"
fi
echo "== torch_local tests on CUDA"
EVALFLOW_TEST_DEVICE=cuda "$test_binary" --gtest_brief=1 2>&1 | tee "$out/test_cuda.log" | tail -n 15
grep "relative error" "$out/test_cuda.log"
EVALFLOW_TEST_DEVICE=cuda "$bin_dir/engine_pool_test" --gtest_brief=1 2>&1 | tail -n 5
[[ ${CTEST:-1} == 1 ]] || exit "$status"
echo "== the whole ctest suite (CPU; libtorch $(python3 -c 'import torch; print(torch.__version__)'))"
ctest --test-dir "$build" -j16 --timeout 600 >"$out/ctest.log" 2>&1
grep -E "tests passed|tests failed|\*\*\*|Failed|Not Run" "$out/ctest.log" | tail -n 30
exit "$status"
