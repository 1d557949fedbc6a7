#include "decode_graphs.hpp"

#include <algorithm>
#include <chrono>

#if TORCH_LOCAL_WITH_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace evalflow::torch_local {
namespace {

// Attended lengths are rounded up to a multiple of kLengthGranularity / batch bucket positions (at least
// kMinimumGranularity): attention over padding costs bucket x padding cache reads, so keeping that product
// constant bounds it, while small batches, where padding is cheap, need few graphs (few captures).
constexpr int64_t kLengthGranularity = 2048;
constexpr int64_t kMinimumGranularity = 256;

int64_t batch_bucket(int64_t batch, int64_t max_batch) {
  int64_t bucket = 1;
  while (bucket < batch) bucket *= 2;
  return std::min(bucket, max_batch);
}

}  // namespace

#if TORCH_LOCAL_WITH_CUDA

struct DecodeGraphs::Pool {
  at::cuda::MempoolId_t id{0, 0};
};

struct DecodeGraphs::Captured {
  at::cuda::CUDAGraph graph;
  DecodeInputs inputs;  // static inputs, rewritten before each replay
  at::Tensor logits;    // [bucket, vocab] static output
};

bool DecodeGraphs::available(const at::Device& device) {
  return device.is_cuda();
}

#else

struct DecodeGraphs::Pool {};
struct DecodeGraphs::Captured {};

bool DecodeGraphs::available(const at::Device& /*device*/) {
  return false;
}

#endif

DecodeGraphs::DecodeGraphs(const Transformer& model, KvCache& cache, int64_t max_batch)
    : model_(model), cache_(cache), max_batch_(max_batch), pool_(std::make_unique<Pool>()) {}

DecodeGraphs::~DecodeGraphs() = default;

at::Tensor DecodeGraphs::step(const std::vector<int64_t>& tokens, const std::vector<int64_t>& positions,
                              const std::vector<const BlockTable*>& tables) {
  const auto batch = static_cast<int64_t>(tokens.size());
  const int64_t bucket = batch_bucket(batch, max_batch_);
  const int64_t longest = *std::max_element(positions.begin(), positions.end()) + 1;
  const int64_t granularity = std::max(kMinimumGranularity, kLengthGranularity / bucket);
  const int64_t length = (longest + granularity - 1) / granularity * granularity;
  const int64_t width = KvCache::blocks_for(length, cache_.block_size());
  // Padding rows decode token 0 at position 0 into the scratch block 0.
  auto host_tokens = at::zeros({bucket}, at::kLong);
  auto host_positions = at::zeros({bucket}, at::kLong);
  const at::Tensor host_tables = block_table_rows(tables, bucket, width);
  std::copy(tokens.begin(), tokens.end(), host_tokens.data_ptr<int64_t>());
  std::copy(positions.begin(), positions.end(), host_positions.data_ptr<int64_t>());
#if TORCH_LOCAL_WITH_CUDA
  const auto key = std::make_pair(bucket, width);
  auto found = graphs_.find(key);
  if (found == graphs_.end()) {
    const auto started = std::chrono::steady_clock::now();
    auto captured = std::make_unique<Captured>();
    const at::TensorOptions options = at::TensorOptions(at::kLong).device(model_.options().device());
    captured->inputs = {host_tokens.to(options.device()), host_positions.to(options.device()),
                        host_tables.to(options.device())};
    // Warm up on a side stream (cuBLAS handles and workspaces), then capture there. The warm-up writes the
    // same keys and values the replay will, so running it on real inputs is harmless.
    c10::cuda::device_synchronize();  // the side stream must see the cache the current stream wrote
    const c10::cuda::CUDAStream stream = c10::cuda::getStreamFromPool();
    {
      const c10::cuda::CUDAStreamGuard guard(stream);
      model_.decode_step(captured->inputs, cache_);
      stream.synchronize();
      captured->graph.capture_begin(pool_->id, cudaStreamCaptureModeThreadLocal);
      captured->logits = model_.decode_step(captured->inputs, cache_);
      captured->graph.capture_end();
      pool_->id = captured->graph.pool();
    }
    found = graphs_.emplace(key, std::move(captured)).first;
    capture_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  Captured& graph = *found->second;
  graph.inputs.tokens.copy_(host_tokens);
  graph.inputs.positions.copy_(host_positions);
  graph.inputs.block_tables.copy_(host_tables);
  graph.graph.replay();
  return graph.logits.narrow(0, 0, batch);
#else
  (void)host_tables;
  throw std::logic_error("CUDA graphs are not available in this build");
#endif
}

}  // namespace evalflow::torch_local
