// Executions per second of a trivial Python program, with bubblewrap and without (unsafe mode).
// Usage: sandbox_bench [runs] [parallel]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "evalflow/sandbox/sandbox.hpp"

namespace {

using namespace evalflow::sandbox;

double executions_per_second(Isolation isolation, int runs, int parallel) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int worker = 0; worker < parallel; ++worker) {
    workers.emplace_back([=] {
      const Config config{.isolation = isolation, .slot = static_cast<unsigned>(worker)};
      for (int i = worker; i < runs; i += parallel) {
        const Result result = run({.argv = {"/usr/bin/python3", "-c", "print(sum(range(1000)))"}}, config);
        if (result.output != "499500\n") std::fprintf(stderr, "unexpected: %s\n", result.error.c_str());
      }
    });
  }
  for (auto& worker : workers) worker.join();
  return runs / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 200;
  const int parallel = argc > 2 ? std::atoi(argv[2]) : static_cast<int>(std::thread::hardware_concurrency());
  std::printf("runs %d, parallel %d\n", runs, parallel);
  std::printf("bubblewrap: %.1f executions/s\n",
              executions_per_second(Isolation::namespaces, runs, parallel));
  std::printf("unsafe (no namespaces): %.1f executions/s\n",
              executions_per_second(Isolation::unsafe_none, runs, parallel));
}
