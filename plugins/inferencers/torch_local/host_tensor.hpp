// A 1-D tensor of host values, copied to `device`: how the engine hands small index and parameter vectors
// (tokens, positions, cache slots, sampling settings) to the model.
#pragma once

#include <ATen/ATen.h>
#include <c10/core/ScalarTypeToTypeMeta.h>

#include <algorithm>
#include <cstdint>
#include <span>

namespace evalflow::torch_local {

template <class T>
at::Tensor host_tensor(std::span<const T> values, const at::Device& device) {
  auto tensor = at::empty({static_cast<int64_t>(values.size())}, c10::CppTypeToScalarType<T>::value);
  std::copy(values.begin(), values.end(), tensor.template data_ptr<T>());
  return tensor.to(device);
}

}  // namespace evalflow::torch_local
