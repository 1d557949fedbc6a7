// The decode step's fused kernels other than attention (decode_attention.cu): residual add + RMSNorm,
// SiLU x up, the few-row GEMV, rotary + cache store.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "device_common.cuh"
#include "kernels.hpp"

namespace evalflow::torch_local::kernels {
namespace {

using namespace detail;

// The value `v` takes once stored in T: transformers rounds after every operation in the model dtype.
template <class T>
__device__ float rounded(float v) {
  return Element<T>::to_float(Element<T>::from_float(v));
}

__device__ float silu(float v) {
  return v / (1.0F + expf(-v));
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

}  // namespace evalflow::torch_local::kernels
