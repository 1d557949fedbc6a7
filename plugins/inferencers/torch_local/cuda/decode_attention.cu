// Paged decode attention (flash-decoding): one query token per sequence against its cached keys and values,
// the positions split across thread blocks whose partial softmax results a second kernel combines. Heads of
// 64 or 128 dimensions run the tensor-core kernel; other head sizes the general one.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "device_common.cuh"
#include "kernels.hpp"

namespace evalflow::torch_local::kernels {
namespace {

using namespace detail;

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

// ---- Tensor-core kernel: heads of 64 or 128 dimensions, up to 16 query heads per key/value head ----------
//
// One thread block per (sequence, key/value head, split of positions), kTcWarps warps. Each warp streams its
// own 16-position tiles of the split (tiles w, w + kTcWarps, ...) of keys and values from the paged pools
// through a kTcStages-deep ring in shared memory with cp.async, so the loads of the next tiles are in flight
// while it computes one. Scores and value sums are m16n8k16 tensor-core products whose 16 A rows are the
// key/value head's query heads (rows past the group are zero): each key and value row is read once for all
// of them. Softmax is online per warp, in fp32 (scores scaled in fp32, exp2); the block's warps then merge
// their (max, sum, output) and write the split's partial result, as the general kernel does.

constexpr int kTcWarps = 4;
constexpr int kTcStages = 3;
constexpr int kTcTile = 16;  // positions per tile: n of the score product, k of the value product
constexpr int kTcMaxGroup = 16;
constexpr int64_t kTcMinSplitTokens = 256;
constexpr int64_t kTcMaxSplitTokens = 8192;  // bounds the block-table entries kept in shared memory

template <int kDim>
constexpr int kTcTileBytes = kTcTile* kDim * 2;  // one tile of keys (or of values)

template <int kDim>
constexpr size_t kTcRingBytes = size_t{kTcWarps} * kTcStages * 2 * kTcTileBytes<kDim>;

// Shared memory: the warps' rings, then the split's block-table entries. The ring is reused to merge the
// warps.
template <int kDim>
size_t tc_shared_bytes(int64_t split_tokens, int64_t block_size) {
  static_assert(kTcRingBytes<kDim> >= sizeof(float) * kTcWarps * kTcMaxGroup * (kDim + 2));
  return kTcRingBytes<kDim> + sizeof(int32_t) * static_cast<size_t>(split_tokens / block_size + 2);
}

__device__ inline uint32_t shared_address(const void* pointer) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(pointer));
}

// 16 bytes from global to shared memory, bypassing L1; zeros where !valid (the source is then not read).
__device__ inline void copy16_async(uint32_t destination, const void* source, bool valid) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(destination), "l"(source),
               "r"(valid ? 16 : 0)
               : "memory");
}

__device__ inline void commit_copies() {
  asm volatile("cp.async.commit_group;\n" ::: "memory");
}

template <int kPending>
__device__ inline void wait_copies() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending) : "memory");
}

// Four 8x8 b16 matrices from shared memory: lanes 8i..8i+7 give the row addresses of matrix i.
__device__ inline void load_matrices(uint32_t address, uint32_t (&r)[4]) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(address)
               : "memory");
}

__device__ inline void load_matrices_transposed(uint32_t address, uint32_t (&r)[4]) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(address)
               : "memory");
}

// d += a (16x16, row-major) * b (16x8, column-major), fp32 accumulators.
template <class T>
__device__ inline void mma_16x8x16(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  if constexpr (std::is_same_v<T, __half>) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  } else {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
}

// Byte offset of 16-byte chunk `chunk` of row `row` in a tile: chunks are XOR-swizzled by the row so that the
// eight rows one ldmatrix phase reads fall in distinct banks.
template <int kDim>
__device__ inline uint32_t swizzled(int row, int chunk) {
  return static_cast<uint32_t>(row * kDim * 2 + ((chunk ^ (row & 7)) << 4));
}

template <class T, int kDim>
__global__ void __launch_bounds__(kTcWarps * 32)
    tensor_core_attention_kernel(const T* q, int64_t q_stride, const T* key_pool, const T* value_pool,
                                 const int32_t* block_tables, const int64_t* positions, float* partial_out,
                                 float* partial_stats, int heads, int kv_heads, int group, int block_size,
                                 int table_width, int split_tokens, int splits, float scale_log2) {
  constexpr int kChunks = kDim / 8;                // 16-byte chunks per row
  constexpr int kRowsPerCopy = 32 / kChunks;       // rows the warp's lanes copy in one instruction
  constexpr int kCopies = kTcTile / kRowsPerCopy;  // copy instructions per tile, per pool
  constexpr int kSteps = kDim / 16;                // k steps of the scores, n-tile pairs of the values
  constexpr float kLn2 = 0.6931471805599453F;
  using E = Element<T>;
  wait_for_previous_kernel();
  extern __shared__ __align__(16) unsigned char memory[];
  const int tid = static_cast<int>(threadIdx.x);
  const int warp = tid / 32;
  const int lane = tid % 32;
  const int batch_row = static_cast<int>(blockIdx.z);
  const int kv_head = static_cast<int>(blockIdx.y);
  const int split = static_cast<int>(blockIdx.x);
  const auto context = static_cast<int>(positions[batch_row] + 1);
  const int first = split * split_tokens;
  const int last = min(first + split_tokens, context);
  const int64_t head0 = static_cast<int64_t>(batch_row) * heads + static_cast<int64_t>(kv_head) * group;
  if (first >= context) {
    if (tid < group) {
      partial_stats[((head0 + tid) * splits + split) * 2] = -INFINITY;
      partial_stats[((head0 + tid) * splits + split) * 2 + 1] = 0;
    }
    return;
  }
  // The split's block-table entries, read once for the whole block.
  auto* table = reinterpret_cast<int32_t*>(memory + kTcRingBytes<kDim>);
  const int first_block = first / block_size;
  const int table_entries = (last - 1) / block_size - first_block + 1;
  const int32_t* row_table = block_tables + static_cast<int64_t>(batch_row) * table_width + first_block;
  for (int i = tid; i < table_entries; i += kTcWarps * 32) table[i] = row_table[i];

  // Fragment coordinates: row (query head) g and g + 8, columns 2t and 2t + 1 of each 8 (PTX's groupID and
  // threadID_in_group).
  const int g = lane / 4;
  const int t = lane % 4;
  // A of the scores: the queries, rows past the group zero.
  const T* queries = q + batch_row * q_stride + static_cast<int64_t>(kv_head) * group * kDim;
  auto query_pair = [&](int row, int column) {
    return row < group ? *reinterpret_cast<const uint32_t*>(queries + row * kDim + column) : 0U;
  };
  uint32_t query[kSteps][4];
#pragma unroll
  for (int s = 0; s < kSteps; ++s) {
    query[s][0] = query_pair(g, 16 * s + 2 * t);
    query[s][1] = query_pair(g + 8, 16 * s + 2 * t);
    query[s][2] = query_pair(g, 16 * s + 8 + 2 * t);
    query[s][3] = query_pair(g + 8, 16 * s + 8 + 2 * t);
  }
  __syncthreads();  // the table entries

  unsigned char* ring = memory + static_cast<size_t>(warp) * kTcStages * 2 * kTcTileBytes<kDim>;
  auto stage_keys = [&](int tile) {
    return shared_address(ring + (tile % kTcStages) * 2 * kTcTileBytes<kDim>);
  };
  auto tile_first = [&](int tile) { return first + (warp + tile * kTcWarps) * kTcTile; };
  const int tiles = (last - first + kTcTile - 1) / kTcTile;
  const int warp_tiles = tiles > warp ? (tiles - warp + kTcWarps - 1) / kTcWarps : 0;
  // Starts copying this warp's tile `tile` into its ring stage: lanes 0-15 find the pool row of the tile's
  // positions, and each lane copies chunk lane % kChunks of rows lane / kChunks + kRowsPerCopy * c from both
  // pools. Positions past the split are zero-filled (their scores are masked, their values must not be NaN).
  auto start_copies = [&](int tile) {
    const int position = tile_first(tile) + lane % kTcTile;
    int64_t row_offset = -1;
    if (position < last) {
      const int64_t block = table[position / block_size - first_block];
      row_offset = ((block * kv_heads + kv_head) * block_size + position % block_size) * kDim;
    }
    const uint32_t keys = stage_keys(tile);
    const uint32_t values = keys + kTcTileBytes<kDim>;
    const int chunk = lane % kChunks;
#pragma unroll
    for (int c = 0; c < kCopies; ++c) {
      const int row = lane / kChunks + kRowsPerCopy * c;
      const int64_t offset = __shfl_sync(0xffffffffU, row_offset, row);
      const bool valid = offset >= 0;
      const int64_t element = valid ? offset + chunk * 8 : 0;
      copy16_async(keys + swizzled<kDim>(row, chunk), key_pool + element, valid);
      copy16_async(values + swizzled<kDim>(row, chunk), value_pool + element, valid);
    }
  };

  float out[2 * kSteps][4] = {};              // C fragments: n-tile j holds dimensions 8j..8j+7
  float highest[2] = {-INFINITY, -INFINITY};  // rows g and g + 8, in log2 units
  float total[2] = {0.0F, 0.0F};              // this lane's share of the rows' sums
  // Each iteration commits one group (empty near the end), so waiting for all but kTcStages - 1 groups
  // means the tile about to be read has landed.
#pragma unroll
  for (int tile = 0; tile < kTcStages - 1; ++tile) {
    if (tile < warp_tiles) start_copies(tile);
    commit_copies();
  }
  for (int tile = 0; tile < warp_tiles; ++tile) {
    if (tile + kTcStages - 1 < warp_tiles) start_copies(tile + kTcStages - 1);
    commit_copies();
    wait_copies<kTcStages - 1>();
    __syncwarp();
    const uint32_t keys = stage_keys(tile);
    const uint32_t values = keys + kTcTileBytes<kDim>;
    const int matrix = lane / 8;
    // Scores of 16 positions, two n-tiles of 8. ldmatrix's four matrices: positions 0-7 at dimensions
    // 16s..16s+7, the same at 16s+8.., then positions 8-15 likewise (B fragments of both n-tiles).
    float score[2][4] = {};
#pragma unroll
    for (int s = 0; s < kSteps; ++s) {
      uint32_t b[4];
      load_matrices(keys + swizzled<kDim>(lane % 8 + (matrix / 2) * 8, 2 * s + matrix % 2), b);
      mma_16x8x16<T>(score[0], query[s], b[0], b[1]);
      mma_16x8x16<T>(score[1], query[s], b[2], b[3]);
    }
    // Online softmax: c0, c1 of each n-tile are row g, c2, c3 row g + 8; positions 8n + 2t + (j % 2).
    const int base = tile_first(tile);
    float tile_max[2] = {-INFINITY, -INFINITY};
#pragma unroll
    for (int n = 0; n < 2; ++n) {
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const bool inside = base + 8 * n + 2 * t + j % 2 < last;
        score[n][j] = inside ? score[n][j] * scale_log2 : -INFINITY;
        tile_max[j / 2] = fmaxf(tile_max[j / 2], score[n][j]);
      }
    }
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      tile_max[h] = fmaxf(tile_max[h], __shfl_xor_sync(0xffffffffU, tile_max[h], 1));
      tile_max[h] = fmaxf(tile_max[h], __shfl_xor_sync(0xffffffffU, tile_max[h], 2));
      const float next = fmaxf(highest[h], tile_max[h]);  // finite: every tile has a position inside
      const float correction = exp2f(highest[h] - next);
      highest[h] = next;
      total[h] *= correction;
#pragma unroll
      for (int j = 0; j < 2 * kSteps; ++j) {
        out[j][2 * h] *= correction;
        out[j][2 * h + 1] *= correction;
      }
    }
#pragma unroll
    for (int n = 0; n < 2; ++n) {
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        score[n][j] = exp2f(score[n][j] - highest[j / 2]);
        total[j / 2] += score[n][j];
      }
    }
    // The accumulators' layout is the A fragment's: probabilities for 16 positions, rounded to T.
    const uint32_t probabilities[4] = {E::pack(score[0][0], score[0][1]), E::pack(score[0][2], score[0][3]),
                                       E::pack(score[1][0], score[1][1]), E::pack(score[1][2], score[1][3])};
    // Values, transposed by ldmatrix: positions 0-7 then 8-15 at dimensions 16s..16s+7, then the same at
    // 16s+8.. (B fragments of n-tiles 2s and 2s + 1).
#pragma unroll
    for (int s = 0; s < kSteps; ++s) {
      uint32_t b[4];
      load_matrices_transposed(values + swizzled<kDim>(lane % 8 + (matrix % 2) * 8, 2 * s + matrix / 2), b);
      mma_16x8x16<T>(out[2 * s], probabilities, b[0], b[1]);
      mma_16x8x16<T>(out[2 * s + 1], probabilities, b[2], b[3]);
    }
    __syncwarp();  // the stage is refilled by the next iteration's copies
  }
  wait_copies<0>();
  __syncthreads();  // every warp is done with its ring: reuse it to merge

  auto* merged = reinterpret_cast<float*>(memory);         // [warps][kTcMaxGroup][kDim]
  float* maxima = merged + kTcWarps * kTcMaxGroup * kDim;  // [warps][kTcMaxGroup]
  float* sums = maxima + kTcWarps * kTcMaxGroup;           // [warps][kTcMaxGroup]
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    total[h] += __shfl_xor_sync(0xffffffffU, total[h], 1);
    total[h] += __shfl_xor_sync(0xffffffffU, total[h], 2);
    const int row = g + 8 * h;
    if (row >= group) continue;
    float* warp_row = merged + (warp * kTcMaxGroup + row) * kDim;
#pragma unroll
    for (int j = 0; j < 2 * kSteps; ++j) {
      warp_row[8 * j + 2 * t] = out[j][2 * h];
      warp_row[8 * j + 2 * t + 1] = out[j][2 * h + 1];
    }
    if (t == 0) {
      maxima[warp * kTcMaxGroup + row] = highest[h];  // -inf for a warp that had no tile
      sums[warp * kTcMaxGroup + row] = total[h];
    }
  }
  __syncthreads();
  for (int i = tid; i < group * kDim; i += kTcWarps * 32) {
    const int row = i / kDim;
    const int dim = i % kDim;
    float best = -INFINITY;
#pragma unroll
    for (int w = 0; w < kTcWarps; ++w) best = fmaxf(best, maxima[w * kTcMaxGroup + row]);
    float value = 0;
    float sum = 0;
#pragma unroll
    for (int w = 0; w < kTcWarps; ++w) {
      const float weight = exp2f(maxima[w * kTcMaxGroup + row] - best);
      value += weight * merged[(w * kTcMaxGroup + row) * kDim + dim];
      sum += weight * sums[w * kTcMaxGroup + row];
    }
    const int64_t head = head0 + row;
    partial_out[(head * splits + split) * kDim + dim] = value;
    if (dim == 0) {  // the combine kernel takes maxima in natural-log units
      partial_stats[(head * splits + split) * 2] = best * kLn2;
      partial_stats[(head * splits + split) * 2 + 1] = sum;
    }
  }
}

// Lets the kernel take the shared memory of the longest split (the default limit is 48 KB), on the current
// device.
template <class T, int kDim>
void allow_shared_memory() {
  cudaFuncSetAttribute(tensor_core_attention_kernel<T, kDim>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                       static_cast<int>(tc_shared_bytes<kDim>(kTcMaxSplitTokens, 1)));
}

// Blocks of the kernel resident at once on the whole GPU, at the shared memory of a split of the longest
// kind.
template <class T, int kDim>
int64_t tensor_core_slots(int64_t block_size) {
  allow_shared_memory<T, kDim>();
  int per_multiprocessor = 0;
  cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_multiprocessor, tensor_core_attention_kernel<T, kDim>,
                                                kTcWarps * 32,
                                                tc_shared_bytes<kDim>(kTcMaxSplitTokens, block_size));
  return std::max(1, per_multiprocessor) * static_cast<int64_t>(multiprocessors());
}

// Positions per split: the fewest splits whose blocks fill at least 90% of the last wave of resident blocks
// (one wave where the batch is small), each a whole number of the warps' tiles, within the table bound.
int64_t tensor_core_split_tokens(const AttentionShape& shape, int64_t slots) {
  const int64_t length = shape.table_width * shape.block_size;
  const int64_t items = shape.batch * shape.kv_heads;
  constexpr int64_t kRound = kTcWarps * kTcTile;
  int64_t tokens = length;
  for (int64_t splits = 1;; ++splits) {
    tokens =
        std::max<int64_t>(kTcMinSplitTokens, (length + splits * kRound - 1) / (splits * kRound) * kRound);
    const int64_t blocks = items * ((length + tokens - 1) / tokens);
    const int64_t waves = (blocks + slots - 1) / slots;
    if (tokens == kTcMinSplitTokens || 10 * blocks >= 9 * waves * slots) break;
  }
  return std::min(tokens, kTcMaxSplitTokens);
}

// ---- General kernel: any head size (a multiple of 8, at most 256), 1 to 8 query heads per key/value head

constexpr int kAttentionThreads = 128;
constexpr int kAttentionWarps = kAttentionThreads / 32;
constexpr int64_t kMaxSplitTokens = 256;
constexpr int64_t kMinSplitTokens = 32;
constexpr int kMaxPairsPerLane = 4;  // head_dim <= 256

int64_t general_split_tokens(const AttentionShape& shape) {
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
template <class T, int G>
__global__ void __launch_bounds__(kAttentionThreads)
    attention_split_kernel(const T* q, int64_t q_stride, const T* key_pool, const T* value_pool,
                           const int32_t* block_tables, const int64_t* positions, float* partial_out,
                           float* partial_stats, int heads, int kv_heads, int head_dim, int block_size,
                           int table_width, int split_tokens, int splits, float scale) {
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
        dot[g] += low.x * k[0] + low.y * k[1] + low.z * k[2] + low.w * k[3] + high.x * k[4] + high.y * k[5] +
                  high.z * k[6] + high.w * k[7];
      }
    }
#pragma unroll
    for (int g = 0; g < G; ++g) weights[g * split_tokens + i] = dot[g];
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

// ---- Choosing and launching ------------------------------------------------------------------------------

bool tensor_core_shape(const AttentionShape& shape, int64_t q_stride) {
  const int64_t group = shape.heads / shape.kv_heads;
  return (shape.head_dim == 64 || shape.head_dim == 128) && group <= kTcMaxGroup && q_stride % 2 == 0;
}

template <class Body>
void with_tensor_core_dim(int64_t head_dim, Body&& body) {
  if (head_dim == 64) {
    body(std::integral_constant<int, 64>{});
  } else {
    body(std::integral_constant<int, 128>{});
  }
}

int64_t split_tokens(const AttentionShape& shape, int64_t q_stride, bool half) {
  if (!tensor_core_shape(shape, q_stride)) return general_split_tokens(shape);
  int64_t tokens = 0;
  with_element(half, [&](auto element) {
    with_tensor_core_dim(shape.head_dim, [&](auto dim) {
      using T = decltype(element);
      tokens = tensor_core_split_tokens(shape, tensor_core_slots<T, decltype(dim)::value>(shape.block_size));
    });
  });
  return tokens;
}

int64_t splits_of(const AttentionShape& shape, int64_t split) {
  const int64_t length = shape.table_width * shape.block_size;
  return (length + split - 1) / split;
}

template <class T, int kDim>
void launch_tensor_core(const void* q, int64_t q_stride, const void* key_pool, const void* value_pool,
                        const int32_t* block_tables, const int64_t* positions, float* partial_out,
                        float* partial_stats, const AttentionShape& shape, int64_t split, int64_t splits,
                        float scale, cudaStream_t stream) {
  allow_shared_memory<T, kDim>();
  const dim3 grid(static_cast<unsigned>(splits), static_cast<unsigned>(shape.kv_heads),
                  static_cast<unsigned>(shape.batch));
  constexpr float kLog2e = 1.4426950408889634F;
  launch(tensor_core_attention_kernel<T, kDim>, grid, kTcWarps * 32,
         tc_shared_bytes<kDim>(split, shape.block_size), stream, static_cast<const T*>(q), q_stride,
         static_cast<const T*>(key_pool), static_cast<const T*>(value_pool), block_tables, positions,
         partial_out, partial_stats, static_cast<int>(shape.heads), static_cast<int>(shape.kv_heads),
         static_cast<int>(shape.heads / shape.kv_heads), static_cast<int>(shape.block_size),
         static_cast<int>(shape.table_width), static_cast<int>(split), static_cast<int>(splits),
         scale * kLog2e);
}

template <class T, int G>
void launch_general(const void* q, int64_t q_stride, const void* key_pool, const void* value_pool,
                    const int32_t* block_tables, const int64_t* positions, float* partial_out,
                    float* partial_stats, const AttentionShape& shape, int64_t split, int64_t splits,
                    float scale, cudaStream_t stream) {
  const size_t shared_bytes = sizeof(float) * static_cast<size_t>(G * shape.head_dim + G * split +
                                                                  kAttentionWarps * G * shape.head_dim);
  const dim3 grid(static_cast<unsigned>(splits), static_cast<unsigned>(shape.kv_heads),
                  static_cast<unsigned>(shape.batch));
  if (shared_bytes > 48 * 1024) {  // beyond the default: large heads with many queries per key head
    cudaFuncSetAttribute(attention_split_kernel<T, G>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                         static_cast<int>(shared_bytes));
  }
  launch(attention_split_kernel<T, G>, grid, kAttentionThreads, shared_bytes, stream,
         static_cast<const T*>(q), q_stride, static_cast<const T*>(key_pool),
         static_cast<const T*>(value_pool), block_tables, positions, partial_out, partial_stats,
         static_cast<int>(shape.heads), static_cast<int>(shape.kv_heads), static_cast<int>(shape.head_dim),
         static_cast<int>(shape.block_size), static_cast<int>(shape.table_width), static_cast<int>(split),
         static_cast<int>(splits), scale);
}

template <class T>
void dispatch_attention(const void* q, int64_t q_stride, const void* key_pool, const void* value_pool,
                        const int32_t* block_tables, const int64_t* positions, void* out, float* workspace,
                        const AttentionShape& shape, float scale, cudaStream_t stream) {
  const int64_t split = split_tokens(shape, q_stride, std::is_same_v<T, __half>);
  const int64_t splits = splits_of(shape, split);
  float* partial_out = workspace;
  float* partial_stats = workspace + shape.batch * shape.heads * splits * shape.head_dim;
  const int64_t group = shape.heads / shape.kv_heads;
  if (tensor_core_shape(shape, q_stride)) {
    with_tensor_core_dim(shape.head_dim, [&](auto dim) {
      launch_tensor_core<T, decltype(dim)::value>(q, q_stride, key_pool, value_pool, block_tables, positions,
                                                  partial_out, partial_stats, shape, split, splits, scale,
                                                  stream);
    });
  } else {
    const bool launched = with_constant<8>(group, [&](auto queries_per_key_head) {
      launch_general<T, decltype(queries_per_key_head)::value>(
          q, q_stride, key_pool, value_pool, block_tables, positions, partial_out, partial_stats, shape,
          split, splits, scale, stream);
    });
    if (!launched) {
      throw std::invalid_argument(
          "paged attention takes 1 to 8 query heads per key/value head (up to 16 for "
          "heads of 64 or 128), got " +
          std::to_string(group));
    }
  }
  const dim3 combine_grid(static_cast<unsigned>(shape.heads), static_cast<unsigned>(shape.batch));
  launch(attention_combine_kernel<T>, combine_grid, 128, sizeof(float) * static_cast<size_t>(splits), stream,
         static_cast<const float*>(partial_out), static_cast<const float*>(partial_stats), positions,
         static_cast<T*>(out), static_cast<int>(shape.heads), static_cast<int>(shape.head_dim),
         static_cast<int>(splits), static_cast<int>(split));
}

}  // namespace

int64_t attention_splits(const AttentionShape& shape, int64_t q_stride, bool half) {
  return splits_of(shape, split_tokens(shape, q_stride, half));
}

int64_t attention_workspace_floats(const AttentionShape& shape, int64_t q_stride, bool half) {
  return shape.batch * shape.heads * attention_splits(shape, q_stride, half) * (shape.head_dim + 2);
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
