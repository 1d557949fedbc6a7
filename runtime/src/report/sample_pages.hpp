// The sample browser's data: a small index of every sample (what the filters and the table need) as plain
// JSON, and the texts (prompt, output, gold, error) in gzip-compressed pages of a few hundred samples,
// base64 in the HTML. The page decompresses a page only when a row of it is opened or searched
// (DecompressionStream), so a run of 32,000 long outputs opens without building 32,000 texts into the DOM.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace evalflow::report {

struct PageOptions {
  int64_t samples_per_page = 200;
  // Raw text the report may embed over all samples; a long text beyond its share (at least
  // min_text_chars) keeps its beginning and its end (where the answer is) and says what was left out.
  int64_t text_budget_chars = int64_t{128} << 20;
  int64_t min_text_chars = 4000;
};

class SamplePages {
 public:
  SamplePages(PageOptions options, int64_t expected_samples);
  // `source` names the file and line the full row is in, for the note on a shortened text.
  void add(int lane, const nlohmann::json& row, bool from_failed_file, const std::string& source);
  // Compresses the last, partly filled page.
  void finish();

  // {"columns": [dataset columns shown as filters], "rows": [[lane, id, replica, state, flags, length,
  //  answer, gold, [column values]], ...]}: state 0 right, 1 wrong, 2 unscored, 3 failed; flags bit 0 cut by
  //  length, bit 1 unclosed <think>.
  [[nodiscard]] nlohmann::json index() const;
  [[nodiscard]] const std::vector<std::string>& pages() const { return pages_; }  // base64 of gzip of JSON
  [[nodiscard]] int64_t samples_per_page() const { return options_.samples_per_page; }
  [[nodiscard]] int64_t text_limit() const { return text_limit_; }
  [[nodiscard]] int64_t shortened_texts() const { return shortened_; }

 private:
  std::string fit(const std::string& text, const std::string& source);
  void compress_page();

  PageOptions options_;
  int64_t text_limit_;
  int64_t shortened_ = 0;
  nlohmann::json rows_ = nlohmann::json::array();
  std::vector<std::map<std::string, std::string>> row_columns_;
  std::map<std::string, std::set<std::string>> column_values_;
  std::set<std::string> too_varied_;
  nlohmann::json page_ = nlohmann::json::array();
  std::vector<std::string> pages_;
};

// gzip (RFC 1952) of `data` with zlib, and standard base64: what the page's DecompressionStream("gzip") and
// atob() undo.
std::string gzip(const std::string& data);
std::string base64(const std::string& data);

}  // namespace evalflow::report
