#!/usr/bin/env bash
# Builds torch_local (with the runtime and the CLI) against the GPU machine's CUDA libtorch and runs its
# tests there: on the CPU, on CUDA in fp32 (TF32 off, libtorch's default), the bf16 checks and the fused
# kernels against their ATen compositions.
# Run from the repository root through the device tool, carrying .deps (filled by tools/fetch_device_deps.sh):
#   run(command="bash tools/device_build_and_test.sh", carry=[".deps"])
# QUICK=1 builds only the test binary and the CLI and runs only the fused-kernel and decode tests on CUDA
# (when device time is short). BENCH=1 also runs the kernel benchmark (attention beside SDPA). Logs go to $OUT (or ./device-out). The GPU machine has no oneTBB, simdjson, PCRE2 or utf8proc development
# files (nor valijson, libzip): the Debian packages carried in .deps/debs are unpacked into .deps/root.
set -uo pipefail
root=$(pwd)
out=${OUT:-$root/device-out}
mkdir -p "$out"
deps=$root/.deps/root
mkdir -p "$deps"
for deb in "$root"/.deps/debs/*.deb; do dpkg -x "$deb" "$deps"; done
# Debian's .pc files name /usr; point them at the unpacked tree.
sed -i "s|=/usr|=$deps/usr|g" "$deps"/usr/lib/x86_64-linux-gnu/pkgconfig/*.pc
export PKG_CONFIG_PATH=$deps/usr/lib/x86_64-linux-gnu/pkgconfig
export LD_LIBRARY_PATH=$deps/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$out/gpu.txt"

build=$root/build-device
{
  cmake -S tools/torch_local_device -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$deps/usr;$torch_prefix" -DCMAKE_POLICY_VERSION_MINIMUM=3.5 \
    -DTORCH_CUDA_ARCH_LIST=9.0 &&
    if [[ ${QUICK:-0} == 1 ]]; then
      ninja -C "$build" -j16 torch_local_test evalflow torch_local_kernels_bench
    else
      ninja -C "$build" -j16 torch_local_test engine_pool_test torch_local torch_local_kernels_bench &&
        ninja -C "$build" -j16 evalflow
    fi
} >"$out/build.log" 2>&1
status=$?
tail -n 30 "$out/build.log"
if ((status != 0)); then
  grep -E "error|Error" -A3 "$out/build.log" | head -60
fi
test_binary=$build/torch_local/torch_local_test
[[ -x $test_binary ]] || exit 1
if [[ ${BENCH:-0} == 1 ]]; then  # the kernel benchmark, paged attention side by side with SDPA
  "$build/torch_local/torch_local_kernels_bench" 2>&1 | tee "$out/kernels_bench.jsonl" | grep attention
fi
if [[ ${QUICK:-0} == 1 ]]; then
  EVALFLOW_TEST_DEVICE=cuda "$test_binary" --gtest_brief=1 --gtest_filter='FusedOps.*:*DecodeStep*:*Preemption*' 2>&1 |
    tail -n 8
  exit "$status"
fi
echo "== tests on the CPU (libtorch $(python3 -c 'import torch; print(torch.__version__)'))"
"$test_binary" --gtest_brief=1 2>&1 | tee "$out/test_cpu.log" | tail -n 15
echo "== tests on CUDA"
EVALFLOW_TEST_DEVICE=cuda "$test_binary" --gtest_brief=1 2>&1 | tee "$out/test_cuda.log" | tail -n 15
grep "relative error" "$out/test_cuda.log"
echo "== engine pool tests (replicas on the CPU, then on CUDA: cuda:0 and cuda:1 where two GPUs are visible)"
"$build/torch_local/engine_pool_test" --gtest_brief=1 2>&1 | tail -n 5
EVALFLOW_TEST_DEVICE=cuda "$build/torch_local/engine_pool_test" --gtest_brief=1 2>&1 | tail -n 5
exit "$status"
