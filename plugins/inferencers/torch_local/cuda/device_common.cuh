// Device helpers shared by the decode kernels (kernels.cu, decode_attention.cu): bf16/fp16 behind one
// interface, warp reductions, programmatic dependent launch and compile-time dispatch on run-time counts.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime_api.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace evalflow::torch_local::kernels::detail {

// bf16 and fp16 behind one interface: scalar and pair conversions to and from fp32, and two fp32 values
// rounded into the 32-bit register a tensor-core fragment takes (the first in the low half).
template <class T>
struct Element;

template <>
struct Element<__nv_bfloat16> {
  using Pair = __nv_bfloat162;
  static __device__ float to_float(__nv_bfloat16 v) { return __bfloat162float(v); }
  static __device__ __nv_bfloat16 from_float(float v) { return __float2bfloat16(v); }
  static __device__ float2 to_float2(Pair v) { return __bfloat1622float2(v); }
  static __device__ uint32_t pack(float low, float high) {
    const Pair pair = __floats2bfloat162_rn(low, high);
    return *reinterpret_cast<const uint32_t*>(&pair);
  }
};

template <>
struct Element<__half> {
  using Pair = __half2;
  static __device__ float to_float(__half v) { return __half2float(v); }
  static __device__ __half from_float(float v) { return __float2half(v); }
  static __device__ float2 to_float2(Pair v) { return __half22float2(v); }
  static __device__ uint32_t pack(float low, float high) {
    const Pair pair = __floats2half2_rn(low, high);
    return *reinterpret_cast<const uint32_t*>(&pair);
  }
};

__device__ inline float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffU, v, offset);
  return v;
}

__device__ inline float warp_max(float v) {
  for (int offset = 16; offset > 0; offset /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffU, v, offset));
  return v;
}

// Programmatic dependent launch (Hopper and later): a kernel may start while the one before it in the
// stream drains, and waits here before touching anything that kernel writes or reads. Work on data no
// kernel writes (weights) can come before the wait. Once past it, the kernel lets the next one launch at
// once rather than when its last block exits, so the next kernel's blocks are resident and reading their
// weights while this one runs (the next kernel's own wait still holds it until this one has finished and
// its writes are visible). Without the launch attribute both return at once.
__device__ inline void wait_for_previous_kernel() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  cudaGridDependencySynchronize();
  cudaTriggerProgrammaticLaunchCompletion();
#endif
}

inline bool dependent_launch_supported() {
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

}  // namespace evalflow::torch_local::kernels::detail
