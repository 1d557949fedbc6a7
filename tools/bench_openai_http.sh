#!/usr/bin/env bash
# Reproduces the figures in plugins/inferencers/openai_http/README.md:
#   1. SSE events parsed per second (Google Benchmark, openai_http_bench);
#   2. non-streamed requests per second against openai_test_server answering at once, openai_http's engine
#      (openai_http_load) next to wrk with the same request and the same number of connections;
#   3. how late the client records each first token after the server sent it, at 256 concurrent streams.
# Usage: tools/bench_openai_http.sh [BUILD_DIR]   (BUILD_DIR defaults to build; needs wrk)
set -euo pipefail

build=${1:-build}
server_bin=$build/tests/servers/openai_test_server/openai_test_server
load_bin=$build/plugins/inferencers/openai_http/openai_http_load
bench_bin=$build/plugins/inferencers/openai_http/openai_http_bench
for binary in "$server_bin" "$load_bin" "$bench_bin"; do
  [[ -x $binary ]] || { echo "missing $binary: build openai_test_server openai_http_load openai_http_bench" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "wrk is not installed (tools/setup.sh installs it)" >&2; exit 1; }

workdir=$(mktemp -d)
server_pid=""
stop_server() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap 'stop_server; rm -rf "$workdir"' EXIT

# Starts the test server with the given options and sets $url to its base URL.
start_server() {
  "$server_bin" --port 0 "$@" >"$workdir/server.out" 2>"$workdir/server.err" &
  server_pid=$!
  for _ in $(seq 100); do
    url=$(sed -n 's/^listening on //p' "$workdir/server.out")
    [[ -n $url ]] && return 0
    sleep 0.05
  done
  echo "the test server did not start: $(cat "$workdir/server.err")" >&2
  exit 1
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"

echo "== 1. SSE parsing (events/s = items_per_second)"
"$bench_bin" --benchmark_min_time=1

connections=${CONNECTIONS:-64}
requests=${REQUESTS:-50000}
echo "== 2. non-streamed requests/s, $connections connections, server answering at once"
# wrk with one thread is the like-for-like comparison (openai_http drives every transfer from one event-loop
# thread); wrk with two threads is shown too. Runs alternate so that load from other processes hits both.
start_server --answer "4"
for round in 1 2; do
  for threads in 1 2; do
    wrk -t"$threads" -c"$connections" -d5s -s tools/bench_openai_http.lua "$url/chat/completions" >"$workdir/wrk.txt"
    echo "round $round: wrk -t$threads: $(awk '/Requests\/sec/ {print $2}' "$workdir/wrk.txt") requests/s"
  done
  "$load_bin" --url "$url" --requests "$requests" --concurrency "$connections" >"$workdir/load.json"
  echo "round $round: openai_http: $(sed -n 's/.*"requests_per_second": \([0-9.]*\).*/\1/p' "$workdir/load.json") requests/s"
done
stop_server

streams=${STREAMS:-256}
echo "== 3. first-token delay (client record - server send), $streams concurrent streams, 64 tokens each"
start_server --stamp-first-token --ttft-ms 200 --tpot-ms 20 --answer "$(printf 'token%.0s ' $(seq 64))" --threads 1024
"$load_bin" --url "$url" --requests $((streams * 4)) --concurrency "$streams" --stamped --max-tokens 64 \
  | tee "$workdir/ttft.json"
stop_server
