#!/usr/bin/env bash
# Reproduces the figures in plugins/inferencers/openai_http/README.md:
#   1. SSE events parsed per second (Google Benchmark, openai_http_bench);
#   2. non-streamed requests per second against openai_test_server answering at once, openai_http's engine
#      (openai_http_load) next to wrk with the same request and the same number of connections;
#   3. how late the client records each first token after the server sent it, at 256 concurrent streams.
# Usage: tools/bench_openai_http.sh [BUILD_DIR]   (BUILD_DIR defaults to build; needs wrk)
# Environment: SECTIONS (default 123: which of the three to run), ROUNDS (default 3) and REQUESTS (default
# 50000) for section 2, CONNECTIONS (default 64), STREAMS (default 256) for section 3, SERVER_SESSION=shared
# to run the test server in the clients' scheduling group instead of a session of its own.
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

# Starts the test server with the given options and sets $url to its base URL. The server runs in a session
# of its own, as a model server does (started from another terminal, or as a service in its own cgroup), so
# the kernel shares the CPUs between the server's and the client's scheduling groups rather than between the
# server's 64 threads and the client's one; SERVER_SESSION=shared runs it in the client's group instead.
start_server() {
  if [[ ${SERVER_SESSION:-own} == shared ]]; then
    "$server_bin" --port 0 "$@" >"$workdir/server.out" 2>"$workdir/server.err" &
  else
    setsid "$server_bin" --port 0 "$@" >"$workdir/server.out" 2>"$workdir/server.err" &
  fi
  server_pid=$!
  for _ in $(seq 100); do
    url=$(sed -n 's/^listening on //p' "$workdir/server.out")
    if [[ -n $url ]]; then
      [[ -r /proc/$server_pid/autogroup ]] &&
        echo "   (scheduling groups: server $(cut -d' ' -f1 "/proc/$server_pid/autogroup"), clients $(cut -d' ' -f1 /proc/self/autogroup))"
      return 0
    fi
    sleep 0.05
  done
  echo "the test server did not start: $(cat "$workdir/server.err")" >&2
  exit 1
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"

sections=${SECTIONS:-123}
if [[ $sections == *1* ]]; then
  echo "== 1. SSE parsing (events/s = items_per_second)"
  "$bench_bin" --benchmark_min_time=1
fi

connections=${CONNECTIONS:-64}
requests=${REQUESTS:-50000}
rounds=${ROUNDS:-3}
ticks_per_second=$(getconf CLK_TCK)
server_cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }

# Prints "<requests/s> <client CPU us/request> <server CPU us/request>" for one wrk run with $1 threads.
run_wrk() {
  local before after
  before=$(server_cpu_ticks)
  # `times` in the subshell reports the CPU time of its only child, wrk.
  (wrk -t"$1" -c"$connections" -d5s -s tools/bench_openai_http.lua "$url/chat/completions"; times) >"$workdir/wrk.txt"
  after=$(server_cpu_ticks)
  awk -v server_ticks=$((after - before)) -v hz="$ticks_per_second" '
    /Requests\/sec/ {rate = $2}
    /requests in/ {count = $1}
    /^[0-9]+m[0-9.]+s [0-9]+m[0-9.]+s$/ {children = $0}
    END {
      split(children, t, /[ ms]+/)
      cpu = t[1] * 60 + t[2] + t[3] * 60 + t[4]
      printf "%.0f %.1f %.1f\n", rate, cpu * 1e6 / count, server_ticks / hz * 1e6 / count
    }' "$workdir/wrk.txt"
}

# The same for openai_http_load (the engine, one event-loop thread), which measures its own CPU time.
run_client() {
  local before after
  before=$(server_cpu_ticks)
  "$load_bin" --url "$url" --requests "$requests" --concurrency "$connections" >"$workdir/load.json"
  after=$(server_cpu_ticks)
  awk -v server_ticks=$((after - before)) -v hz="$ticks_per_second" -v count="$requests" '
    /"requests_per_second":/ {rate = $2 + 0}
    /"system":/ {kernel = $2 + 0}
    /"user":/ {user = $2 + 0}
    END {printf "%.0f %.1f %.1f\n", rate, user + kernel, server_ticks / hz * 1e6 / count}' "$workdir/load.json"
}

# wrk with one thread is the like-for-like comparison (openai_http drives every transfer from one event-loop
# thread); wrk with two threads is its default. Runs alternate so that load from other processes hits all
# three. Each line also gives the CPU time per request of the client (every thread of it) and of the server.
compare_with_wrk() {
  echo "== 2. non-streamed requests/s, $connections connections, server answering at once"
  start_server --answer "4"
  printf "%-6s %-14s %-14s %-18s %-14s %s\n" round "wrk -t1 req/s" "wrk -t2 req/s" "openai_http req/s" \
    "ratio -t1/-t2" "CPU us/request: clients (wrk -t1, wrk -t2, openai_http) | server (same order)"
  local round rate1 cpu1 server1 rate2 cpu2 server2 rate3 cpu3 server3
  for round in $(seq "$rounds"); do
    read -r rate1 cpu1 server1 < <(run_wrk 1)
    read -r rate2 cpu2 server2 < <(run_wrk 2)
    read -r rate3 cpu3 server3 < <(run_client)
    printf "%-6s %-14s %-14s %-18s %-14s %s, %s, %s | %s, %s, %s   load %s\n" "$round" "$rate1" "$rate2" "$rate3" \
      "$(awk -v c="$rate3" -v a="$rate1" -v b="$rate2" 'BEGIN {printf "%.2f/%.2f", c / a, c / b}')" \
      "$cpu1" "$cpu2" "$cpu3" "$server1" "$server2" "$server3" "$(cut -d' ' -f1 /proc/loadavg)"
  done
  stop_server
}
[[ $sections == *2* ]] && compare_with_wrk

streams=${STREAMS:-256}
[[ $sections == *3* ]] || exit 0
echo "== 3. first-token delay (client record - server send), $streams concurrent streams, 64 tokens each"
start_server --stamp-first-token --ttft-ms 200 --tpot-ms 20 --answer "$(printf 'token%.0s ' $(seq 64))" --threads 1024
"$load_bin" --url "$url" --requests $((streams * 4)) --concurrency "$streams" --stamped --max-tokens 64 \
  | tee "$workdir/ttft.json"
stop_server
