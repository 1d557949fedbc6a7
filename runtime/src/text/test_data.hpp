// Where the text tests find their data (tests/data/tokenizers), and a reader for its JSONL reference files.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace evalflow::text::testing {

inline const std::string kTokenizerData = std::string(EVALFLOW_SOURCE_DIR) + "/tests/data/tokenizers/";

// One parsed row per non-empty line; `Json` is nlohmann::json or nlohmann::ordered_json (to keep key order).
template <typename Json>
std::vector<Json> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::vector<Json> rows;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) rows.push_back(Json::parse(line));
  }
  return rows;
}

}  // namespace evalflow::text::testing
