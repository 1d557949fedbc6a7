#include "choice_order.hpp"

#include <algorithm>
#include <evalflow/python_random/python_random.hpp>
#include <numeric>
#include <stdexcept>

namespace evalflow::choice_shuffle {
namespace {

using python_random::PythonRandom;

// The reference loaders mark the gold by text: the first letter whose option equals the correct one.
size_t first_letter_with_text(const Question& question, const std::vector<size_t>& permutation,
                              size_t correct) {
  for (size_t letter_index = 0; letter_index < permutation.size(); ++letter_index) {
    if (question.choices[permutation[letter_index]] == question.choices[correct]) return letter_index;
  }
  return 0;  // unreachable: the correct option is one of them
}

size_t position_of(const std::vector<size_t>& permutation, size_t source) {
  for (size_t i = 0; i < permutation.size(); ++i) {
    if (permutation[i] == source) return i;
  }
  return 0;
}

}  // namespace

uint64_t fnv1a64(std::string_view bytes, uint64_t hash) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

std::string letter(size_t index) {
  return std::string(1, static_cast<char>('A' + index));
}

ChoiceOrder::ChoiceOrder(const OrderOptions& options) : options_(options) {
  if (options.order != Order::kSimpleEvalsGpqa) return;
  if (options.rows <= 0 || options.repeats <= 0) {
    throw std::invalid_argument(
        "order simple_evals_gpqa needs `rows`: the dataset's row count (198 for GPQA Diamond), since "
        "simple-evals draws the permutations of all rows of repeat 1, then of repeat 2, ...");
  }
  PythonRandom rng(0);
  const auto examples = static_cast<size_t>(options.rows * options.repeats);
  simple_evals_table_.reserve(examples);
  for (size_t i = 0; i < examples; ++i) simple_evals_table_.push_back(rng.sample_indices(4, 4));
}

Ordered ChoiceOrder::order(const Question& question, size_t correct) const {
  const size_t count = question.choices.size();
  Ordered result;
  switch (options_.order) {
    case Order::kKeep: {
      result.permutation.resize(count);
      std::iota(result.permutation.begin(), result.permutation.end(), 0);
      result.correct_letter = correct;
      return result;
    }
    case Order::kSeeded: {
      // random.Random(fnv1a64(seed \x1f question \x1f choice... [\x1f replica])).shuffle(list(range(n)))
      uint64_t hash = fnv1a64(std::to_string(options_.seed));
      hash = fnv1a64(question.text, fnv1a64("\x1f", hash));
      for (const std::string_view choice : question.choices) hash = fnv1a64(choice, fnv1a64("\x1f", hash));
      if (options_.vary_by_replica) hash = fnv1a64(std::to_string(question.replica), fnv1a64("\x1f", hash));
      result.permutation.resize(count);
      std::iota(result.permutation.begin(), result.permutation.end(), 0);
      PythonRandom(hash).shuffle(std::span<size_t>(result.permutation));
      result.correct_letter = position_of(result.permutation, correct);
      return result;
    }
    case Order::kAisbenchGpqaRotation: {
      if (count != 4) {
        throw std::invalid_argument(
            "order aisbench_gpqa_rotation rotates exactly 4 options; this question has " +
            std::to_string(count));
      }
      // cnt counts data rows from 1; the letters take options cnt % 4, cnt % 4 + 1, ... (mod 4).
      const auto shift = static_cast<size_t>((question.row + 1) % 4);
      for (size_t i = 0; i < count; ++i) result.permutation.push_back((i + shift) % count);
      result.correct_letter = first_letter_with_text(question, result.permutation, correct);
      return result;
    }
    case Order::kSimpleEvalsGpqa: {
      if (count != 4) {
        throw std::invalid_argument("order simple_evals_gpqa permutes exactly 4 options; this question has " +
                                    std::to_string(count));
      }
      if (question.row < 0 || question.row >= options_.rows || question.replica >= options_.repeats) {
        throw std::invalid_argument(
            "order simple_evals_gpqa has permutations for " + std::to_string(options_.rows) + " rows x " +
            std::to_string(options_.repeats) + " repeats; row " + std::to_string(question.row) +
            ", replica " + std::to_string(question.replica) +
            " is outside: set `rows` to the dataset's row count and run at most " +
            std::to_string(options_.repeats) + " samples");
      }
      result.permutation =
          simple_evals_table_[static_cast<size_t>(question.replica * options_.rows + question.row)];
      result.correct_letter = first_letter_with_text(question, result.permutation, correct);
      return result;
    }
  }
  return result;
}

std::string render_choice_list(const std::vector<std::string_view>& texts, std::string_view format,
                               const std::vector<std::string>& skip) {
  std::string out;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (std::find(skip.begin(), skip.end(), texts[i]) != skip.end()) continue;
    if (!out.empty()) out.push_back('\n');
    for (size_t at = 0; at < format.size();) {
      if (format.substr(at, 8) == "{letter}") {
        out += letter(i);
        at += 8;
      } else if (format.substr(at, 6) == "{text}") {
        out += texts[i];
        at += 6;
      } else {
        out.push_back(format[at++]);
      }
    }
  }
  return out;
}

}  // namespace evalflow::choice_shuffle
