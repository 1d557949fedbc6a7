// Decode steps replayed from CUDA graphs: one launch per step instead of thousands of small kernels whose
// host-side cost, not the GPU, bounds decode speed (measured: ~23 ms per step of a 14B model eagerly on an
// H200, against ~7 ms of weight reads). A graph is captured per (batch bucket, attended-length bucket) the
// first time it is needed and replayed after; batches are padded to a power of two with rows that write
// only into the cache's scratch block. Where libtorch has no CUDA, available() is false and nothing is
// captured.
#pragma once

#include <ATen/ATen.h>

#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "kv_cache.hpp"
#include "transformer.hpp"

namespace evalflow::torch_local {

class DecodeGraphs {
 public:
  DecodeGraphs(const Transformer& model, KvCache& cache, int64_t max_batch);
  DecodeGraphs(const DecodeGraphs&) = delete;
  DecodeGraphs& operator=(const DecodeGraphs&) = delete;
  ~DecodeGraphs();

  // True where this build and the model's device can capture graphs.
  [[nodiscard]] static bool available(const at::Device& device);

  // The fp32 logits [tokens.size(), vocab] of a decode step for sequences whose newest tokens are `tokens`
  // at `positions`, cached in `tables`: Transformer::decode_step, replayed from a graph.
  at::Tensor step(const std::vector<int64_t>& tokens, const std::vector<int64_t>& positions,
                  const std::vector<const BlockTable*>& tables);

  // Graphs captured so far and the time spent capturing them (one-time costs, reported by benchmarks).
  [[nodiscard]] int64_t captures() const { return static_cast<int64_t>(graphs_.size()); }
  [[nodiscard]] double capture_seconds() const { return capture_seconds_; }

 private:
  struct Captured;

  const Transformer& model_;
  KvCache& cache_;
  int64_t max_batch_;
  std::map<std::pair<int64_t, int64_t>, std::unique_ptr<Captured>> graphs_;
  struct Pool;
  std::unique_ptr<Pool> pool_;  // one memory pool shared by every graph: they never run at once
  double capture_seconds_ = 0;
};

}  // namespace evalflow::torch_local
