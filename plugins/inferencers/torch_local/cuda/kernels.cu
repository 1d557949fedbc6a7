#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "kernels.hpp"

namespace evalflow::torch_local::kernels {
namespace {

// bf16 and fp16 behind one interface: scalar and pair conversions to and from fp32.
template <class T>
struct Element;

template <>
struct Element<__nv_bfloat16> {
  using Pair = __nv_bfloat162;
  static __device__ float to_float(__nv_bfloat16 v) { return __bfloat162float(v); }
  static __device__ __nv_bfloat16 from_float(float v) { return __float2bfloat16(v); }
  static __device__ float2 to_float2(Pair v) { return __bfloat1622float2(v); }
};

template <>
struct Element<__half> {
  using Pair = __half2;
  static __device__ float to_float(__half v) { return __half2float(v); }
  static __device__ __half from_float(float v) { return __float2half(v); }
  static __device__ float2 to_float2(Pair v) { return __half22float2(v); }
};

// The value `v` takes once stored in T: transformers rounds after every operation in the model dtype.
template <class T>
__device__ float rounded(float v) {
  return Element<T>::to_float(Element<T>::from_float(v));
}

__device__ float silu(float v) {
  return v / (1.0F + expf(-v));
}

__device__ float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffU, v, offset);
  return v;
}

__device__ float warp_max(float v) {
  for (int offset = 16; offset > 0; offset /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffU, v, offset));
  return v;
}

// The sum over the thread block (blockDim.x a multiple of 32, at most 1024), returned to every thread.
__device__ float block_sum(float v) {
  __shared__ float partial[32];
  const int lane = static_cast<int>(threadIdx.x % 32);
  const int warp = static_cast<int>(threadIdx.x / 32);
  v = warp_sum(v);
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  const int warps = static_cast<int>(blockDim.x / 32);
  v = lane < warps ? partial[lane] : 0.0F;
  v = warp_sum(v);
  __syncthreads();  // partial may be reused by a later call
  return v;
}

// Programmatic dependent launch (Hopper and later): a kernel may start while the one before it in the
// stream drains, and waits here before touching anything that kernel writes or reads. Work on data no
// kernel writes (weights) can come before the wait. Once past it, the kernel lets the next one launch at
// once rather than when its last block exits, so the next kernel's blocks are resident and reading their
// weights while this one runs (the next kernel's own wait still holds it until this one has finished and
// its writes are visible). Without the launch attribute both return at once.
__device__ void wait_for_previous_kernel() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  cudaGridDependencySynchronize();
  cudaTriggerProgrammaticLaunchCompletion();
#endif
}

bool dependent_launch_supported() {
  static const bool supported = [] {
    int device = 0;
    int major = 0;
    cudaGetDevice(&device);
    cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device);
    return major >= 9;
  }();
  return supported;
}

// launch(kernel, grid, block, shared, stream, args...), allowed to overlap the previous kernel's tail.
template <class... Parameters, class... Arguments>
void launch(void (*kernel)(Parameters...), dim3 grid, dim3 block, size_t shared, cudaStream_t stream,
            Arguments... arguments) {
  cudaLaunchConfig_t config{};
  config.gridDim = grid;
  config.blockDim = block;
  config.dynamicSmemBytes = shared;
  config.stream = stream;
  cudaLaunchAttribute attribute{};
  attribute.id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attribute.val.programmaticStreamSerializationAllowed = 1;
  config.attrs = &attribute;
  config.numAttrs = dependent_launch_supported() ? 1 : 0;
  const cudaError_t error = cudaLaunchKernelEx(&config, kernel, static_cast<Parameters>(arguments)...);
  if (error != cudaSuccess)
    throw std::runtime_error(std::string("CUDA kernel launch failed: ") + cudaGetErrorString(error));
}

// Calls body(T{}) with T the element type: fp16 where `half`, else bf16.
template <class Body>
void with_element(bool half, Body&& body) {
  if (half) {
    body(__half{});
  } else {
    body(__nv_bfloat16{});
  }
}

// Calls body(std::integral_constant<int, N>{}) for the N in 1..kMax equal to `value`, so that a count known
// only at run time (rows, query heads per key head) can pick a kernel instantiation. False where `value` is
// outside 1..kMax.
template <int kMax, class Body>
bool with_constant(int64_t value, Body&& body) {
  return [&]<int... kIndex>(std::integer_sequence<int, kIndex...>) {
    return ((value == kIndex + 1 ? (body(std::integral_constant<int, kIndex + 1>{}), true) : false) || ...);
  }
  (std::make_integer_sequence<int, kMax>{});
}

template <class T>
__device__ void unpack8(const uint4& packed, float (&out)[8]) {
  const auto* pairs = reinterpret_cast<const typename Element<T>::Pair*>(&packed);
#pragma unroll
  for (int j = 0; j < 4; ++j) {
    const float2 pair = Element<T>::to_float2(pairs[j]);
    out[2 * j] = pair.x;
    out[2 * j + 1] = pair.y;
  }
}

// ---- RMSNorm with the residual add --------------------------------------------------------------------

template <class T>
__global__ void add_rms_norm_kernel(T* residual, const T* delta, const T* weight, T* out, int64_t width,
                                    float eps) {
  wait_for_previous_kernel();
  using E = Element<T>;
  T* row = residual + blockIdx.x * width;
  const T* add = delta != nullptr ? delta + blockIdx.x * width : nullptr;
  T* normed = out + blockIdx.x * width;
  float squares = 0;
  for (int64_t i = threadIdx.x; i < width; i += blockDim.x) {
    float v = E::to_float(row[i]);
    if (add != nullptr) {
      v = rounded<T>(v + E::to_float(add[i]));
      row[i] = E::from_float(v);
    }
    squares += v * v;
  }
  const float inverse = rsqrtf(block_sum(squares) / static_cast<float>(width) + eps);
  for (int64_t i = threadIdx.x; i < width; i += blockDim.x) {
    const float scaled = rounded<T>(E::to_float(row[i]) * inverse);
    normed[i] = E::from_float(E::to_float(weight[i]) * scaled);
  }
}

// The same for rows of 8-element vectors (width % 8 == 0): each thread keeps its at most kNormVectors
// vectors in registers between the sum of squares and the scaling, so the row is read once.
constexpr int kNormVectors = 4;

template <class T>
__device__ void store8(T* destination, const float (&values)[8]) {
  using Pair = typename Element<T>::Pair;
  uint4 packed;
  auto* pairs = reinterpret_cast<Pair*>(&packed);
#pragma unroll
  for (int j = 0; j < 4; ++j) {
    pairs[j] = Pair{Element<T>::from_float(values[2 * j]), Element<T>::from_float(values[2 * j + 1])};
  }
  *reinterpret_cast<uint4*>(destination) = packed;
}

template <class T>
__global__ void add_rms_norm_vector_kernel(T* residual, const T* delta, const T* weight, T* out,
                                           int64_t width, float eps) {
  // The weights never change: read them before waiting for the kernel that writes the row.
  float scale[kNormVectors][8];
#pragma unroll
  for (int v = 0; v < kNormVectors; ++v) {
    const int64_t column = (static_cast<int64_t>(v) * blockDim.x + threadIdx.x) * 8;
    if (column >= width) break;
    unpack8<T>(*reinterpret_cast<const uint4*>(weight + column), scale[v]);
  }
  wait_for_previous_kernel();
  using E = Element<T>;
  T* row = residual + blockIdx.x * width;
  const T* add = delta != nullptr ? delta + blockIdx.x * width : nullptr;
  float values[kNormVectors][8];
  float squares = 0;
#pragma unroll
  for (int v = 0; v < kNormVectors; ++v) {
    const int64_t column = (static_cast<int64_t>(v) * blockDim.x + threadIdx.x) * 8;
    if (column >= width) break;
    unpack8<T>(*reinterpret_cast<const uint4*>(row + column), values[v]);
    if (add != nullptr) {
      float extra[8];
      unpack8<T>(*reinterpret_cast<const uint4*>(add + column), extra);
#pragma unroll
      for (int j = 0; j < 8; ++j) values[v][j] = rounded<T>(values[v][j] + extra[j]);
      store8<T>(row + column, values[v]);
    }
#pragma unroll
    for (int j = 0; j < 8; ++j) squares += values[v][j] * values[v][j];
  }
  const float inverse = rsqrtf(block_sum(squares) / static_cast<float>(width) + eps);
#pragma unroll
  for (int v = 0; v < kNormVectors; ++v) {
    const int64_t column = (static_cast<int64_t>(v) * blockDim.x + threadIdx.x) * 8;
    if (column >= width) break;
#pragma unroll
    for (int j = 0; j < 8; ++j) values[v][j] = scale[v][j] * rounded<T>(values[v][j] * inverse);
    store8<T>(out + blockIdx.x * width + column, values[v]);
  }
}

// ---- SiLU(gate) * up ----------------------------------------------------------------------------------

template <class T>
__global__ void silu_mul_kernel(const T* gate_up, T* out, int64_t rows, int64_t width) {
  wait_for_previous_kernel();
  using E = Element<T>;
  const int64_t total = rows * width;
  for (int64_t index = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; index < total;
       index += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t row = index / width;
    const int64_t column = index % width;
    const float gate = E::to_float(gate_up[row * 2 * width + column]);
    const float up = E::to_float(gate_up[row * 2 * width + width + column]);
    out[index] = E::from_float(rounded<T>(silu(gate)) * up);
  }
}

// ---- GEMV for a few rows ------------------------------------------------------------------------------

constexpr int kGemvWarps = 8;
constexpr int kGemvUnroll = 4;

// Adds x[m, chunk] . w[chunk] for each of the M rows to acc.
template <class T, int M>
__device__ void accumulate_chunk(const uint4* const (&x_rows)[M], int64_t chunk, const uint4& weights,
                                 float (&acc)[M]) {
  float w[8];
  unpack8<T>(weights, w);
#pragma unroll
  for (int m = 0; m < M; ++m) {
    float x[8];
    unpack8<T>(__ldg(x_rows[m] + chunk), x);
#pragma unroll
    for (int j = 0; j < 8; ++j) acc[m] += x[j] * w[j];
  }
}

// kSplit warps per output column (1, 2 or 4): together their 32 * kSplit lanes read 16-byte chunks of the
// weight row, kGemvUnroll each in flight. Splitting a long row (down's 13,824) over several warps shortens
// each warp's serial stream of loads and spreads the projection over more thread blocks.
template <class T, int M, bool Gated, int kSplit>
__global__ void __launch_bounds__(kGemvWarps * 32)
    gemv_kernel(const T* __restrict__ x, const T* __restrict__ w, const T* __restrict__ bias,
                T* __restrict__ y, int64_t outputs, int64_t inner) {
  using E = Element<T>;
  constexpr int kLanes = 32 * kSplit;
  const int warp = static_cast<int>(threadIdx.x / 32);
  const int lane = static_cast<int>(threadIdx.x % 32);
  const int part = warp % kSplit;
  const int64_t column = blockIdx.x * static_cast<int64_t>(kGemvWarps / kSplit) + warp / kSplit;
  // Columns past the end still reach the block's barrier below.
  const bool active = column < outputs;
  const int64_t chunks = active ? inner / 8 : 0;
  const uint4* x_rows[M];
#pragma unroll
  for (int m = 0; m < M; ++m) x_rows[m] = reinterpret_cast<const uint4*>(x + m * inner);
  const auto* gate_row = reinterpret_cast<const uint4*>(w + column * inner);
  const auto* up_row = reinterpret_cast<const uint4*>(w + (column + outputs) * inner);
  float gate[M] = {};
  float up[M] = {};
  // Weight rows stream through two register buffers of kGemvUnroll chunks each; the first is loaded before
  // waiting for the previous kernel (weights never change), overlapping its tail.
  auto load = [&](int64_t first, uint4(&gate_weights)[kGemvUnroll], uint4(&up_weights)[kGemvUnroll]) {
#pragma unroll
    for (int u = 0; u < kGemvUnroll; ++u) {
      gate_weights[u] = __ldcs(gate_row + first + kLanes * u);
      if constexpr (Gated) up_weights[u] = __ldcs(up_row + first + kLanes * u);
    }
  };
  auto full_group = [&](int64_t first) { return first + kLanes * (kGemvUnroll - 1) < chunks; };
  int64_t chunk = part * 32 + lane;
  uint4 gate_weights[kGemvUnroll];
  uint4 up_weights[kGemvUnroll];
  if (full_group(chunk)) load(chunk, gate_weights, up_weights);
  wait_for_previous_kernel();
  while (full_group(chunk)) {
    const int64_t next = chunk + kLanes * kGemvUnroll;
    uint4 next_gate[kGemvUnroll];
    uint4 next_up[kGemvUnroll];
    if (full_group(next)) load(next, next_gate, next_up);
#pragma unroll
    for (int u = 0; u < kGemvUnroll; ++u) {
      accumulate_chunk<T, M>(x_rows, chunk + kLanes * u, gate_weights[u], gate);
      if constexpr (Gated) accumulate_chunk<T, M>(x_rows, chunk + kLanes * u, up_weights[u], up);
    }
#pragma unroll
    for (int u = 0; u < kGemvUnroll; ++u) {
      gate_weights[u] = next_gate[u];
      if constexpr (Gated) up_weights[u] = next_up[u];
    }
    chunk = next;
  }
  for (; chunk < chunks; chunk += kLanes) {
    accumulate_chunk<T, M>(x_rows, chunk, __ldcs(gate_row + chunk), gate);
    if constexpr (Gated) accumulate_chunk<T, M>(x_rows, chunk, __ldcs(up_row + chunk), up);
  }
#pragma unroll
  for (int m = 0; m < M; ++m) {
    gate[m] = warp_sum(gate[m]);
    if constexpr (Gated) up[m] = warp_sum(up[m]);
  }
  if constexpr (kSplit > 1) {
    // The column's first warp adds the other warps' sums.
    __shared__ float partial_gate[kGemvWarps][M];
    __shared__ float partial_up[kGemvWarps][M];
    if (lane == 0) {
#pragma unroll
      for (int m = 0; m < M; ++m) {
        partial_gate[warp][m] = gate[m];
        if constexpr (Gated) partial_up[warp][m] = up[m];
      }
    }
    __syncthreads();
    if (part != 0) return;
#pragma unroll
    for (int other = 1; other < kSplit; ++other) {
#pragma unroll
      for (int m = 0; m < M; ++m) {
        gate[m] += partial_gate[warp + other][m];
        if constexpr (Gated) up[m] += partial_up[warp + other][m];
      }
    }
  }
  if (lane != 0 || !active) return;
#pragma unroll
  for (int m = 0; m < M; ++m) {
    float value = gate[m];
    if constexpr (Gated) {
      value = rounded<T>(silu(rounded<T>(value))) * rounded<T>(up[m]);
    } else if (bias != nullptr) {
      value += E::to_float(bias[column]);
    }
    y[m * outputs + column] = E::from_float(value);
  }
}

// Warps per column where the shape does not say: as many as keep each lane's share of a row at about 20
// chunks (a 5,120-long row on one warp). Longer rows (down: 13,824) split, shorter ones do not: measured on
// the H200, splitting a 5,120-long row costs more in the block's final exchange than it gains.
int64_t warps_per_output(const GemvShape& shape) {
  if (shape.warps_per_output > 0) return shape.warps_per_output;
  constexpr int64_t kRowPerWarp = 5120;
  int64_t split = 1;
  while (split < 4 && shape.inner > kRowPerWarp * split) split *= 2;
  return split;
}

template <class T, int M, bool Gated>
void launch_gemv(const void* x, const void* w, const void* bias, void* y, GemvShape shape,
                 cudaStream_t stream) {
  const int64_t split = warps_per_output(shape);
  const auto* typed_x = static_cast<const T*>(x);
  const auto* typed_w = static_cast<const T*>(w);
  const auto* typed_bias = static_cast<const T*>(bias);
  auto* typed_y = static_cast<T*>(y);
  auto launch_split = [&]<int kSplit>() {
    constexpr int64_t kColumnsPerBlock = kGemvWarps / kSplit;
    const dim3 grid(static_cast<unsigned>((shape.outputs + kColumnsPerBlock - 1) / kColumnsPerBlock));
    launch(gemv_kernel<T, M, Gated, kSplit>, grid, kGemvWarps * 32, 0, stream, typed_x, typed_w,
           Gated ? nullptr : typed_bias, typed_y, shape.outputs, shape.inner);
  };
  switch (split) {
    case 1:
      return launch_split.template operator()<1>();
    case 2:
      return launch_split.template operator()<2>();
    case 4:
      return launch_split.template operator()<4>();
    default:
      throw std::invalid_argument("gemv splits a column over 1, 2 or 4 warps, got " + std::to_string(split));
  }
}

template <class T>
void dispatch_gemv(const void* x, const void* w, const void* bias, void* y, GemvShape shape, bool gated,
                   cudaStream_t stream) {
  const bool launched = with_constant<8>(shape.rows, [&](auto rows) {
    if (gated) {
      launch_gemv<T, decltype(rows)::value, true>(x, w, bias, y, shape, stream);
    } else {
      launch_gemv<T, decltype(rows)::value, false>(x, w, bias, y, shape, stream);
    }
  });
  if (!launched) throw std::invalid_argument("gemv takes 1 to 8 rows, got " + std::to_string(shape.rows));
}

// ---- Rotary embedding and the cache store -------------------------------------------------------------

template <class T>
__global__ void rotary_store_kernel(T* qkv, int64_t row_stride, const int64_t* positions, const float* cos,
                                    const float* sin, const int64_t* slots, T* key_pool, T* value_pool,
                                    int heads, int kv_heads, int head_dim, int block_size) {
  wait_for_previous_kernel();
  using E = Element<T>;
  T* row = qkv + blockIdx.x * row_stride;
  const int half = head_dim / 2;
  const float* cos_row = cos + positions[blockIdx.x] * half;
  const float* sin_row = sin + positions[blockIdx.x] * half;
  const int64_t slot = slots[blockIdx.x];
  const int64_t block = slot / block_size;
  const int64_t offset = slot % block_size;
  auto cached = [&](T* pool, int kv_head) {
    return pool + ((block * kv_heads + kv_head) * block_size + offset) * head_dim;
  };
  for (int index = static_cast<int>(threadIdx.x); index < (heads + kv_heads) * half;
       index += static_cast<int>(blockDim.x)) {
    const int head = index / half;
    const int i = index % half;
    T* x = row + head * head_dim;
    const float first = E::to_float(x[i]);
    const float second = E::to_float(x[i + half]);
    const T rotated_first = E::from_float(first * cos_row[i] - second * sin_row[i]);
    const T rotated_second = E::from_float(second * cos_row[i] + first * sin_row[i]);
    x[i] = rotated_first;
    x[i + half] = rotated_second;
    if (head >= heads) {
      T* key = cached(key_pool, head - heads);
      key[i] = rotated_first;
      key[i + half] = rotated_second;
    }
  }
  const T* values = row + (heads + kv_heads) * head_dim;
  for (int index = static_cast<int>(threadIdx.x); index < kv_heads * head_dim;
       index += static_cast<int>(blockDim.x)) {
    cached(value_pool, index / head_dim)[index % head_dim] = values[index];
  }
}

// ---- Paged decode attention ---------------------------------------------------------------------------

constexpr int kAttentionThreads = 128;
constexpr int kAttentionWarps = kAttentionThreads / 32;
constexpr int64_t kMaxSplitTokens = 256;
constexpr int64_t kMinSplitTokens = 32;
constexpr int kMaxPairsPerLane = 4;  // head_dim <= 256

int multiprocessors() {
  static const int count = [] {
    int device = 0;
    int value = 0;
    cudaGetDevice(&device);
    cudaDeviceGetAttribute(&value, cudaDevAttrMultiProcessorCount, device);
    return value > 0 ? value : 1;
  }();
  return count;
}

int64_t split_tokens(const AttentionShape& shape) {
  const int64_t length = shape.table_width * shape.block_size;
  // Enough thread blocks to fill every multiprocessor four times over, in splits of 32 to 256 positions:
  // short splits keep each block's serial work short.
  const int64_t wanted = std::max<int64_t>(
      1, (4 * multiprocessors() + shape.batch * shape.kv_heads - 1) / (shape.batch * shape.kv_heads));
  const int64_t tokens = (length + wanted - 1) / wanted;
  return std::clamp<int64_t>((tokens + 31) / 32 * 32, kMinSplitTokens, kMaxSplitTokens);
}

// Each thread block: one sequence, one key/value head with its G query heads, one split of positions.
// Writes the split's unnormalised output sum(exp(s - m) v), its max m and its sum l = sum(exp(s - m)).
// kDim: the head dimension where known at compile time (the key-row loop then unrolls, keeping its loads in
// flight), 0 where it is read from `runtime_head_dim`.
template <class T, int G, int kDim>
__global__ void __launch_bounds__(kAttentionThreads)
    attention_split_kernel(const T* q, int64_t q_stride, const T* key_pool, const T* value_pool,
                           const int32_t* block_tables, const int64_t* positions, float* partial_out,
                           float* partial_stats, int heads, int kv_heads, int runtime_head_dim,
                           int block_size, int table_width, int split_tokens, int splits, float scale) {
  const int head_dim = kDim > 0 ? kDim : runtime_head_dim;
  // Heads of 64 or 128 dimensions: warps work on whole rows (kLanesPerToken lanes a position).
  constexpr bool kCooperative = kDim == 64 || kDim == 128;
  constexpr int kLanesPerToken = kCooperative ? kDim / 8 : 32;
  constexpr int kTokensPerLoad = 32 / kLanesPerToken;
  constexpr int kLoads = 4;
  constexpr int kTokensPerRound = kTokensPerLoad * kLoads;
  wait_for_previous_kernel();
  using E = Element<T>;
  using Pair = typename E::Pair;
  extern __shared__ float shared[];
  float* query = shared;                     // [G, head_dim], scaled
  float* weights = query + G * head_dim;     // [G, split_tokens]: scores, then exp(score - max)
  float* sums = weights + G * split_tokens;  // [warps, G, head_dim]
  const int batch_row = static_cast<int>(blockIdx.z);
  const int kv_head = static_cast<int>(blockIdx.y);
  const int split = static_cast<int>(blockIdx.x);
  const int tid = static_cast<int>(threadIdx.x);
  const int warp = tid / 32;
  const int lane = tid % 32;
  const int sub = lane / kLanesPerToken;   // which position of a load this lane reads
  const int part = lane % kLanesPerToken;  // which 8 dimensions
  const int64_t context = positions[batch_row] + 1;
  const int64_t first = static_cast<int64_t>(split) * split_tokens;
  const int64_t last = min(first + split_tokens, context);
  const int64_t head0 = static_cast<int64_t>(batch_row) * heads + static_cast<int64_t>(kv_head) * G;
  if (first >= context) {
    if (tid < G) {
      partial_stats[((head0 + tid) * splits + split) * 2] = -INFINITY;
      partial_stats[((head0 + tid) * splits + split) * 2 + 1] = 0;
    }
    return;
  }
  const T* q_row = q + batch_row * q_stride + static_cast<int64_t>(kv_head) * G * head_dim;
  for (int i = tid; i < G * head_dim; i += kAttentionThreads) query[i] = E::to_float(q_row[i]) * scale;
  __syncthreads();

  const int pairs = head_dim / 2;
  const int32_t* table = block_tables + static_cast<int64_t>(batch_row) * table_width;
  auto cached = [&](const T* pool, int64_t t) {  // positions fit 32 bits: 32-bit division is far cheaper
    const auto position = static_cast<int>(t);
    const int64_t block = table[position / block_size];
    return pool + ((block * kv_heads + kv_head) * block_size + position % block_size) * head_dim;
  };
  const int count = static_cast<int>(last - first);
  if constexpr (kCooperative) {
    // Scores: kLanesPerToken lanes share a position, each with 8 of its dimensions, so that a load
    // instruction reads whole key rows (coalesced) and kLoads of them are in flight per lane.
    float query_part[G][8];
#pragma unroll
    for (int g = 0; g < G; ++g) {
#pragma unroll
      for (int j = 0; j < 8; ++j) query_part[g][j] = query[g * kDim + part * 8 + j];
    }
    for (int base = warp * kTokensPerRound; base < count; base += kAttentionWarps * kTokensPerRound) {
      uint4 keys[kLoads];
#pragma unroll
      for (int l = 0; l < kLoads; ++l) {
        const int i = base + l * kTokensPerLoad + sub;
        keys[l] = i < count ? reinterpret_cast<const uint4*>(cached(key_pool, first + i))[part] : uint4{};
      }
#pragma unroll
      for (int l = 0; l < kLoads; ++l) {
        const int i = base + l * kTokensPerLoad + sub;
        float k[8];
        unpack8<T>(keys[l], k);
#pragma unroll
        for (int g = 0; g < G; ++g) {
          float dot = 0;
#pragma unroll
          for (int j = 0; j < 8; ++j) dot += query_part[g][j] * k[j];
#pragma unroll
          for (int offset = kLanesPerToken / 2; offset > 0; offset /= 2) {
            dot += __shfl_xor_sync(0xffffffffU, dot, offset);
          }
          if (part == 0 && i < count) weights[g * split_tokens + i] = dot;
        }
      }
    }
  } else {
    // Scores: a thread per position, the whole key row in 16-byte loads against the queries in shared memory
    // (read as broadcasts), so no cross-lane reduction per position.
    for (int i = tid; i < count; i += kAttentionThreads) {
      const auto* key = reinterpret_cast<const uint4*>(cached(key_pool, first + i));
      float dot[G] = {};
      for (int c = 0; c < head_dim / 8; ++c) {
        float k[8];
        unpack8<T>(key[c], k);
#pragma unroll
        for (int g = 0; g < G; ++g) {
          const auto* q4 = reinterpret_cast<const float4*>(query + g * head_dim + c * 8);
          const float4 low = q4[0];
          const float4 high = q4[1];
          dot[g] += low.x * k[0] + low.y * k[1] + low.z * k[2] + low.w * k[3] + high.x * k[4] +
                    high.y * k[5] + high.z * k[6] + high.w * k[7];
        }
      }
#pragma unroll
      for (int g = 0; g < G; ++g) weights[g * split_tokens + i] = dot[g];
    }
  }
  __syncthreads();

  for (int g = warp; g < G; g += kAttentionWarps) {
    float* row = weights + g * split_tokens;
    float highest = -INFINITY;
    for (int i = lane; i < count; i += 32) highest = fmaxf(highest, row[i]);
    highest = warp_max(highest);
    float sum = 0;
    for (int i = lane; i < count; i += 32) {
      const float e = expf(row[i] - highest);
      row[i] = e;
      sum += e;
    }
    sum = warp_sum(sum);
    if (lane == 0) {
      partial_stats[((head0 + g) * splits + split) * 2] = highest;
      partial_stats[((head0 + g) * splits + split) * 2 + 1] = sum;
    }
  }
  __syncthreads();

  if constexpr (kCooperative) {
    // Values: the lanes of a position each sum 8 dimensions over the positions their warp takes, kLoads rows
    // in flight; lanes holding the same dimensions are added up at the end.
    float acc[G][8] = {};
    for (int base = warp * kTokensPerRound; base < count; base += kAttentionWarps * kTokensPerRound) {
      uint4 rows[kLoads];
#pragma unroll
      for (int l = 0; l < kLoads; ++l) {
        const int i = base + l * kTokensPerLoad + sub;
        rows[l] = i < count ? reinterpret_cast<const uint4*>(cached(value_pool, first + i))[part] : uint4{};
      }
#pragma unroll
      for (int l = 0; l < kLoads; ++l) {
        const int i = base + l * kTokensPerLoad + sub;
        float v[8];
        unpack8<T>(rows[l], v);
#pragma unroll
        for (int g = 0; g < G; ++g) {
          const float p = i < count ? weights[g * split_tokens + i] : 0.0F;
#pragma unroll
          for (int j = 0; j < 8; ++j) acc[g][j] += p * v[j];
        }
      }
    }
#pragma unroll
    for (int g = 0; g < G; ++g) {
#pragma unroll
      for (int j = 0; j < 8; ++j) {
#pragma unroll
        for (int offset = kLanesPerToken; offset < 32; offset *= 2) {
          acc[g][j] += __shfl_xor_sync(0xffffffffU, acc[g][j], offset);
        }
        if (sub == 0) sums[(warp * G + g) * kDim + part * 8 + j] = acc[g][j];
      }
    }
  } else {
    // Values: each warp sums every kAttentionWarps-th position, its lanes over the dimension pairs (coalesced
    // rows, independent loads the compiler can keep in flight); the warps' sums are then added up.
    float2 acc[G][kMaxPairsPerLane];
#pragma unroll
    for (int g = 0; g < G; ++g) {
#pragma unroll
      for (int j = 0; j < kMaxPairsPerLane; ++j) acc[g][j] = make_float2(0.0F, 0.0F);
    }
#pragma unroll 4
    for (int i = warp; i < count; i += kAttentionWarps) {
      const auto* value = reinterpret_cast<const Pair*>(cached(value_pool, first + i));
#pragma unroll
      for (int j = 0; j < kMaxPairsPerLane; ++j) {
        const int pair = lane + 32 * j;
        if (pair >= pairs) break;
        const float2 v = E::to_float2(value[pair]);
#pragma unroll
        for (int g = 0; g < G; ++g) {
          const float p = weights[g * split_tokens + i];
          acc[g][j].x += p * v.x;
          acc[g][j].y += p * v.y;
        }
      }
    }
#pragma unroll
    for (int g = 0; g < G; ++g) {
#pragma unroll
      for (int j = 0; j < kMaxPairsPerLane; ++j) {
        const int pair = lane + 32 * j;
        if (pair >= pairs) break;
        sums[(warp * G + g) * head_dim + 2 * pair] = acc[g][j].x;
        sums[(warp * G + g) * head_dim + 2 * pair + 1] = acc[g][j].y;
      }
    }
  }
  __syncthreads();
  for (int i = tid; i < G * head_dim; i += kAttentionThreads) {
    float total = 0;
#pragma unroll
    for (int w = 0; w < kAttentionWarps; ++w) total += sums[w * G * head_dim + i];
    partial_out[((head0 + i / head_dim) * splits + split) * head_dim + i % head_dim] = total;
  }
}

// Combines the splits of one (sequence, head): softmax over all of them, in fp32. The first warp turns the
// splits' maxima and sums into one weight per split; every thread then sums its dimensions over the splits.
template <class T>
__global__ void attention_combine_kernel(const float* partial_out, const float* partial_stats,
                                         const int64_t* positions, T* out, int heads, int head_dim,
                                         int splits, int split_tokens) {
  wait_for_previous_kernel();
  extern __shared__ float split_weights[];  // [splits]
  const int64_t head = static_cast<int64_t>(blockIdx.y) * heads + blockIdx.x;
  const int used = static_cast<int>((positions[blockIdx.y] + split_tokens) / split_tokens);
  const float* stats = partial_stats + head * splits * 2;
  if (threadIdx.x < 32) {
    const int lane = static_cast<int>(threadIdx.x);
    float highest = -INFINITY;
    for (int s = lane; s < used; s += 32) highest = fmaxf(highest, stats[2 * s]);
    highest = warp_max(highest);
    float total = 0;
    for (int s = lane; s < used; s += 32) total += stats[2 * s + 1] * expf(stats[2 * s] - highest);
    total = warp_sum(total);
    for (int s = lane; s < used; s += 32) split_weights[s] = expf(stats[2 * s] - highest) / total;
  }
  __syncthreads();
  for (int i = static_cast<int>(threadIdx.x); i < head_dim; i += static_cast<int>(blockDim.x)) {
    float value = 0;
#pragma unroll 4
    for (int s = 0; s < used; ++s)
      value += partial_out[(head * splits + s) * head_dim + i] * split_weights[s];
    out[head * head_dim + i] = Element<T>::from_float(value);
  }
}

template <class T, int G, int kDim>
void launch_attention(const void* q, int64_t q_stride, const void* key_pool, const void* value_pool,
                      const int32_t* block_tables, const int64_t* positions, void* out, float* workspace,
                      const AttentionShape& shape, float scale, cudaStream_t stream) {
  const int64_t split = split_tokens(shape);
  const int64_t splits = attention_splits(shape);
  const size_t shared_bytes = sizeof(float) * static_cast<size_t>(G * shape.head_dim + G * split +
                                                                  kAttentionWarps * G * shape.head_dim);
  float* partial_out = workspace;
  float* partial_stats = workspace + shape.batch * shape.heads * splits * shape.head_dim;
  const dim3 grid(static_cast<unsigned>(splits), static_cast<unsigned>(shape.kv_heads),
                  static_cast<unsigned>(shape.batch));
  if (shared_bytes > 48 * 1024) {  // beyond the default: large heads with many queries per key head
    cudaFuncSetAttribute(attention_split_kernel<T, G, kDim>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                         static_cast<int>(shared_bytes));
  }
  launch(attention_split_kernel<T, G, kDim>, grid, kAttentionThreads, shared_bytes, stream,
         static_cast<const T*>(q), q_stride, static_cast<const T*>(key_pool),
         static_cast<const T*>(value_pool), block_tables, positions, partial_out, partial_stats,
         static_cast<int>(shape.heads), static_cast<int>(shape.kv_heads), static_cast<int>(shape.head_dim),
         static_cast<int>(shape.block_size), static_cast<int>(shape.table_width), static_cast<int>(split),
         static_cast<int>(splits), scale);
  const dim3 combine_grid(static_cast<unsigned>(shape.heads), static_cast<unsigned>(shape.batch));
  launch(attention_combine_kernel<T>, combine_grid, 128, sizeof(float) * static_cast<size_t>(splits), stream,
         partial_out, partial_stats, positions, static_cast<T*>(out), static_cast<int>(shape.heads),
         static_cast<int>(shape.head_dim), static_cast<int>(splits), static_cast<int>(split));
}

template <class T, int G>
void launch_attention_for(const void* q, int64_t q_stride, const void* key_pool, const void* value_pool,
                          const int32_t* block_tables, const int64_t* positions, void* out, float* workspace,
                          const AttentionShape& shape, float scale, cudaStream_t stream) {
  switch (shape.head_dim) {
    case 128:
      return launch_attention<T, G, 128>(q, q_stride, key_pool, value_pool, block_tables, positions, out,
                                         workspace, shape, scale, stream);
    case 64:
      return launch_attention<T, G, 64>(q, q_stride, key_pool, value_pool, block_tables, positions, out,
                                        workspace, shape, scale, stream);
    default:
      return launch_attention<T, G, 0>(q, q_stride, key_pool, value_pool, block_tables, positions, out,
                                       workspace, shape, scale, stream);
  }
}

template <class T>
void dispatch_attention(const void* q, int64_t q_stride, const void* key_pool, const void* value_pool,
                        const int32_t* block_tables, const int64_t* positions, void* out, float* workspace,
                        const AttentionShape& shape, float scale, cudaStream_t stream) {
  const int64_t group = shape.heads / shape.kv_heads;
  const bool launched = with_constant<8>(group, [&](auto queries_per_key_head) {
    launch_attention_for<T, decltype(queries_per_key_head)::value>(
        q, q_stride, key_pool, value_pool, block_tables, positions, out, workspace, shape, scale, stream);
  });
  if (!launched) {
    throw std::invalid_argument("paged attention takes 1 to 8 query heads per key/value head, got " +
                                std::to_string(group));
  }
}

}  // namespace

void add_rms_norm(void* residual, const void* delta, const void* weight, void* out, RowShape shape, float eps,
                  bool half, cudaStream_t stream) {
  const auto grid = static_cast<unsigned>(shape.rows);
  const int64_t vectors = shape.width / 8;
  const auto aligned = [](const void* pointer) { return reinterpret_cast<uintptr_t>(pointer) % 16 == 0; };
  const bool vectorised = shape.width % 8 == 0 && vectors <= 1024 * kNormVectors && aligned(residual) &&
                          aligned(weight) && aligned(out) && (delta == nullptr || aligned(delta));
  with_element(half, [&](auto element) {
    using T = decltype(element);
    if (vectorised) {
      const int threads = static_cast<int>(
          std::min<int64_t>(1024, ((vectors + kNormVectors - 1) / kNormVectors + 31) / 32 * 32));
      launch(add_rms_norm_vector_kernel<T>, grid, threads, 0, stream, static_cast<T*>(residual),
             static_cast<const T*>(delta), static_cast<const T*>(weight), static_cast<T*>(out), shape.width,
             eps);
    } else {
      launch(add_rms_norm_kernel<T>, grid, shape.width >= 4096 ? 1024 : 256, 0, stream,
             static_cast<T*>(residual), static_cast<const T*>(delta), static_cast<const T*>(weight),
             static_cast<T*>(out), shape.width, eps);
    }
  });
}

void silu_mul(const void* gate_up, void* out, RowShape shape, bool half, cudaStream_t stream) {
  const int64_t total = shape.rows * shape.width;
  const auto grid = static_cast<unsigned>(std::min<int64_t>((total + 255) / 256, 65535));
  with_element(half, [&](auto element) {
    using T = decltype(element);
    launch(silu_mul_kernel<T>, grid, 256, 0, stream, static_cast<const T*>(gate_up), static_cast<T*>(out),
           shape.rows, shape.width);
  });
}

void gemv(const void* x, const void* w, const void* bias, void* y, GemvShape shape, bool gated, bool half,
          cudaStream_t stream) {
  with_element(half,
               [&](auto element) { dispatch_gemv<decltype(element)>(x, w, bias, y, shape, gated, stream); });
}

void rotary_store(void* qkv, int64_t tokens, int64_t row_stride, const int64_t* positions, const float* cos,
                  const float* sin, const int64_t* slots, void* key_pool, void* value_pool,
                  const AttentionShape& shape, bool half, cudaStream_t stream) {
  with_element(half, [&](auto element) {
    using T = decltype(element);
    launch(rotary_store_kernel<T>, static_cast<unsigned>(tokens), 256, 0, stream, static_cast<T*>(qkv),
           row_stride, positions, cos, sin, slots, static_cast<T*>(key_pool), static_cast<T*>(value_pool),
           static_cast<int>(shape.heads), static_cast<int>(shape.kv_heads), static_cast<int>(shape.head_dim),
           static_cast<int>(shape.block_size));
  });
}

int64_t attention_splits(const AttentionShape& shape) {
  const int64_t length = shape.table_width * shape.block_size;
  const int64_t split = split_tokens(shape);
  return (length + split - 1) / split;
}

int64_t attention_workspace_floats(const AttentionShape& shape) {
  return shape.batch * shape.heads * attention_splits(shape) * (shape.head_dim + 2);
}

void paged_decode_attention(const void* q, int64_t q_stride, const void* key_pool, const void* value_pool,
                            const int32_t* block_tables, const int64_t* positions, void* out,
                            float* workspace, const AttentionShape& shape, float scale, bool half,
                            cudaStream_t stream) {
  with_element(half, [&](auto element) {
    dispatch_attention<decltype(element)>(q, q_stride, key_pool, value_pool, block_tables, positions, out,
                                          workspace, shape, scale, stream);
  });
}

}  // namespace evalflow::torch_local::kernels
