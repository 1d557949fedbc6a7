// Exact string match between a prediction and the reference, optionally ignoring surrounding white space
// and letter case.
#ifndef EVALFLOW_EXACT_MATCH_EXACT_MATCH_HPP
#define EVALFLOW_EXACT_MATCH_EXACT_MATCH_HPP

#include <string_view>

namespace evalflow::exact_match {

struct MatchOptions {
  bool trim = false;              // ignore white space at both ends
  bool case_insensitive = false;  // Unicode case folding ("Straße" matches "STRASSE")
};

[[nodiscard]] bool matches(std::string_view prediction, std::string_view gold, const MatchOptions& options);

}  // namespace evalflow::exact_match

#endif  // EVALFLOW_EXACT_MATCH_EXACT_MATCH_HPP
