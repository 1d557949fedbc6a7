// CPython's `random.Random`, bit for bit, for the parts benchmarks use to order choices and pick examples:
// seeding from an integer (init_by_array over its 32-bit words), getrandbits, random(), _randbelow,
// shuffle and sample. References shuffle options with it (simple-evals' GPQA: `random.Random(0)`), so
// reproducing their rows needs the same stream and the same way of turning it into indices.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace evalflow::python_random {

class PythonRandom {
 public:
  // random.Random(seed) for a non-negative integer seed (Python seeds with abs(seed)).
  explicit PythonRandom(uint64_t seed);
  // random.Random(n) for the integer n whose 32-bit words, least significant first, are `key`.
  explicit PythonRandom(std::span<const uint32_t> key);

  // The next MT19937 output (CPython's genrand_uint32).
  uint32_t next_uint32();
  // random.getrandbits(bits) for 1 <= bits <= 32: the top `bits` bits of one output.
  uint32_t getrandbits(int bits);
  // random.random(): 53 bits from two outputs.
  double random();
  // random._randbelow(n) for n >= 1: getrandbits(n.bit_length()) until the value is below n.
  uint32_t randbelow(uint32_t n);

  // random.shuffle(items): Fisher-Yates from the end, j = _randbelow(i + 1).
  template <class T>
  void shuffle(std::span<T> items) {
    for (size_t i = items.size(); i-- > 1;) {
      const size_t j = randbelow(static_cast<uint32_t>(i + 1));
      std::swap(items[i], items[j]);
    }
  }
  // random.sample(range(n), k): CPython's pool selection. CPython switches to set-based selection when n
  // exceeds 21 + 4 ** ceil(log(3k, 4)) (k > 5); a full permutation (k == n) never does, and such n throws.
  std::vector<size_t> sample_indices(size_t n, size_t k);

 private:
  void init_genrand(uint32_t seed);
  void init_by_array(std::span<const uint32_t> key);
  void twist();

  static constexpr size_t kStateSize = 624;
  std::array<uint32_t, kStateSize> state_{};
  size_t position_ = kStateSize;
};

}  // namespace evalflow::python_random
