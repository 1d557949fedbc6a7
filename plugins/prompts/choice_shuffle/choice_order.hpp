// choice_shuffle's logic, independent of the plugin ABI: in which order a question's options are shown
// under letters, and which letter is then the correct one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace evalflow::choice_shuffle {

enum class Order {
  kSeeded,                // random.Random(hash of the question's content).shuffle: per question, never global
  kKeep,                  // as given (MMLU-Pro's options are already in letter order)
  kAisbenchGpqaRotation,  // AISBench GPQADataset: rotation by (row number + 1) % 4: ABCD, BCDA, CDAB, DABC
  kSimpleEvalsGpqa,       // simple-evals GPQAEval: random.Random(0).sample(range(4), 4) per example in order
};

struct OrderOptions {
  Order order = Order::kSeeded;
  uint64_t seed = 0;             // kSeeded: mixed into the content hash
  bool vary_by_replica = false;  // kSeeded: each replica (sample) gets its own order
  int64_t rows = 0;              // kSimpleEvalsGpqa: the dataset's row count (its examples * repeats)
  int64_t repeats = 4;           // kSimpleEvalsGpqa: simple-evals' n_repeats
};

// Where one question stands: its content (for kSeeded) and its position (for the reference orders).
struct Question {
  std::string_view text;                  // the question field
  std::vector<std::string_view> choices;  // options in source order
  int64_t row = 0;                        // the record index: the row number from 0
  int32_t replica = 0;
};

struct Ordered {
  std::vector<size_t> permutation;  // permutation[letter] = source index of the option shown under it
  size_t correct_letter = 0;        // index of the letter whose option is the correct one
};

class ChoiceOrder {
 public:
  // Throws std::invalid_argument when the options cannot work (kSimpleEvalsGpqa without rows).
  explicit ChoiceOrder(const OrderOptions& options);

  // `correct` is the source index of the correct option. Throws std::invalid_argument when the question
  // is outside what the order covers (a row or replica beyond simple-evals' table, a rotation of other
  // than 4 options).
  [[nodiscard]] Ordered order(const Question& question, size_t correct) const;

 private:
  OrderOptions options_;
  std::vector<std::vector<size_t>> simple_evals_table_;  // drawn once, in the reference's order
};

// FNV-1a, 64 bits: stable across platforms and runs (std::hash is neither).
uint64_t fnv1a64(std::string_view bytes, uint64_t hash = 14695981039346656037ULL);

// "A".."Z" for 0..25.
std::string letter(size_t index);

// The options as lines of `format` ({letter} and {text} replaced), joined by '\n'; texts listed in `skip`
// are left out with their letters kept (AISBench's MMLU-Pro drops "N/A" placeholders so).
std::string render_choice_list(const std::vector<std::string_view>& texts, std::string_view format,
                               const std::vector<std::string>& skip);

}  // namespace evalflow::choice_shuffle
