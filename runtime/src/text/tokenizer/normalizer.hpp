// The Unicode normalisation step of a tokenizer.json ("NFC", "NFKC", ... or a Sequence of them).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace evalflow::text::detail {

enum class NormalForm { kNfc, kNfd, kNfkc, kNfkd };

class Normalizer {
 public:
  Normalizer() = default;
  explicit Normalizer(std::vector<NormalForm> steps) : steps_(std::move(steps)) {}

  [[nodiscard]] bool is_identity() const { return steps_.empty(); }
  // `text` (valid UTF-8) after every step in order: `text` itself when no step changes it, else a view of
  // `storage`, which receives the normalised text.
  [[nodiscard]] std::string_view apply(std::string_view text, std::string& storage) const;

 private:
  std::vector<NormalForm> steps_;
};

}  // namespace evalflow::text::detail
