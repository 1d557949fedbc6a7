#include <evalflow/python_random/python_random.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace evalflow::python_random {

PythonRandom::PythonRandom(uint64_t seed) {
  // CPython splits abs(seed) into 32-bit words, least significant first; 0 is the one-word key {0}.
  std::vector<uint32_t> key{static_cast<uint32_t>(seed)};
  if ((seed >> 32) != 0) key.push_back(static_cast<uint32_t>(seed >> 32));
  init_by_array(key);
}

PythonRandom::PythonRandom(std::span<const uint32_t> key) {
  if (key.empty()) throw std::invalid_argument("PythonRandom: the seed's key needs at least one word");
  init_by_array(key);
}

void PythonRandom::init_genrand(uint32_t seed) {
  state_[0] = seed;
  for (size_t i = 1; i < kStateSize; ++i) {
    state_[i] = 1812433253U * (state_[i - 1] ^ (state_[i - 1] >> 30)) + static_cast<uint32_t>(i);
  }
  position_ = kStateSize;
}

// Matsumoto and Nishimura's init_by_array (mt19937ar.c), which CPython's random_seed calls.
void PythonRandom::init_by_array(std::span<const uint32_t> key) {
  init_genrand(19650218U);
  size_t i = 1;
  size_t j = 0;
  for (size_t k = std::max(kStateSize, key.size()); k > 0; --k) {
    state_[i] = (state_[i] ^ ((state_[i - 1] ^ (state_[i - 1] >> 30)) * 1664525U)) + key[j] +
                static_cast<uint32_t>(j);
    ++i;
    ++j;
    if (i >= kStateSize) {
      state_[0] = state_[kStateSize - 1];
      i = 1;
    }
    if (j >= key.size()) j = 0;
  }
  for (size_t k = kStateSize - 1; k > 0; --k) {
    state_[i] =
        (state_[i] ^ ((state_[i - 1] ^ (state_[i - 1] >> 30)) * 1566083941U)) - static_cast<uint32_t>(i);
    ++i;
    if (i >= kStateSize) {
      state_[0] = state_[kStateSize - 1];
      i = 1;
    }
  }
  state_[0] = 0x80000000U;  // non-zero initial state
}

void PythonRandom::twist() {
  constexpr size_t kShift = 397;
  constexpr uint32_t kMatrix = 0x9908b0dfU;
  for (size_t i = 0; i < kStateSize; ++i) {
    const uint32_t y = (state_[i] & 0x80000000U) | (state_[(i + 1) % kStateSize] & 0x7fffffffU);
    state_[i] = state_[(i + kShift) % kStateSize] ^ (y >> 1) ^ ((y & 1U) != 0 ? kMatrix : 0U);
  }
  position_ = 0;
}

uint32_t PythonRandom::next_uint32() {
  if (position_ >= kStateSize) twist();
  uint32_t y = state_[position_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= y >> 18;
  return y;
}

uint32_t PythonRandom::getrandbits(int bits) {
  if (bits < 1 || bits > 32)
    throw std::invalid_argument("getrandbits: bits must be 1..32, got " + std::to_string(bits));
  return next_uint32() >> (32 - bits);
}

double PythonRandom::random() {
  const uint32_t high = next_uint32() >> 5;
  const uint32_t low = next_uint32() >> 6;
  return (high * 67108864.0 + low) * (1.0 / 9007199254740992.0);
}

uint32_t PythonRandom::randbelow(uint32_t n) {
  if (n == 0) throw std::invalid_argument("randbelow: n must be at least 1");
  const int bits = std::bit_width(n);  // Python's n.bit_length(): not of n - 1, so that n == 1 works
  uint32_t value = getrandbits(bits);
  while (value >= n) value = getrandbits(bits);
  return value;
}

std::vector<size_t> PythonRandom::sample_indices(size_t n, size_t k) {
  if (k > n)
    throw std::invalid_argument("sample: k (" + std::to_string(k) + ") is larger than n (" +
                                std::to_string(n) + ")");
  size_t set_size = 21;
  if (k > 5)
    set_size +=
        static_cast<size_t>(std::pow(4, std::ceil(std::log(static_cast<double>(k * 3)) / std::log(4.0))));
  if (n > set_size) {
    throw std::invalid_argument("sample: n = " + std::to_string(n) + " with k = " + std::to_string(k) +
                                " takes CPython's set-based path, which is not reproduced");
  }
  std::vector<size_t> pool(n);
  for (size_t i = 0; i < n; ++i) pool[i] = i;
  std::vector<size_t> result(k);
  for (size_t i = 0; i < k; ++i) {
    const size_t j = randbelow(static_cast<uint32_t>(n - i));
    result[i] = pool[j];
    pool[j] = pool[n - i - 1];  // the unselected last item moves into the vacancy
  }
  return result;
}

}  // namespace evalflow::python_random
