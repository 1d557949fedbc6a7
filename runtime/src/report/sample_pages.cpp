#include "report/sample_pages.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string_view>

#include "report/lane_summary.hpp"

using nlohmann::json;

namespace evalflow::report {

namespace {

// Fields the browser shows in their own places; every other short scalar field may become a filter.
constexpr std::array<std::string_view, 20> kKnownFields = {
    "data_abbr",     "id",     "replica",   "success",    "sample_hash",   "origin_prompt",
    "prediction",    "gold",   "correct",   "extracted",  "finish_reason", "completion_tokens",
    "prompt_tokens", "timing", "truncated", "error_info", "eval_error",    "extracted_gold",
    "reasoning",     "uuid"};
// A column with more distinct values than this (ids, free text) is no use as a filter.
constexpr size_t kMaxFilterValues = 40;
constexpr size_t kMaxFilterValueChars = 60;
constexpr size_t kShortTextChars = 120;

bool is_known(const std::string& name) {
  return std::find(kKnownFields.begin(), kKnownFields.end(), name) != kKnownFields.end();
}

// Cuts at a character boundary at or before `at` (never inside a UTF-8 sequence).
size_t boundary(const std::string& text, size_t at) {
  while (at > 0 && at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;
  return at;
}

std::string shorten(const std::string& text, size_t limit) {
  if (text.size() <= limit) return text;
  return text.substr(0, boundary(text, limit)) + "…";
}

std::string scalar_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean() || value.is_number()) return value.dump();
  return "";
}

std::string string_field(const json& row, const char* name) {
  const auto it = row.find(name);
  return it != row.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

SamplePages::SamplePages(PageOptions options, int64_t expected_samples)
    : options_(options),
      text_limit_(std::max(options.min_text_chars,
                           options.text_budget_chars / std::max<int64_t>(1, expected_samples))) {}

std::string SamplePages::fit(const std::string& text, const std::string& source) {
  if (static_cast<int64_t>(text.size()) <= text_limit_) return text;
  ++shortened_;
  const auto limit = static_cast<size_t>(text_limit_);
  const size_t head = boundary(text, limit / 4);
  const size_t tail = boundary(text, text.size() - (limit - head));
  return text.substr(0, head) +
         fmt::format("\n\n[… {} characters left out of the report; the whole text is in {} …]\n\n",
                     tail - head, source) +
         text.substr(tail);
}

void SamplePages::add(int lane, const json& row, bool from_failed_file, const std::string& source) {
  const SampleState state = state_of(row, from_failed_file);
  const auto think = unclosed_think(row);
  const int flags = (cut_by_length(row) ? 1 : 0) | (think.value_or(false) ? 2 : 0);
  const auto tokens = row.find("completion_tokens");
  const double length = tokens != row.end() && tokens->is_number()
                            ? tokens->get<double>()
                            : static_cast<double>(string_field(row, "prediction").size());
  const std::string gold =
      row.contains("extracted_gold") ? scalar_text(row["extracted_gold"]) : string_field(row, "gold");
  rows_.push_back(json::array(
      {lane, row.value("id", int64_t{0}), row.value("replica", int64_t{0}), static_cast<int>(state), flags,
       length, shorten(string_field(row, "extracted"), kShortTextChars), shorten(gold, kShortTextChars)}));

  json texts = json::object();
  json fields = json::object();
  for (const auto& [name, value] : row.items()) {
    if (is_known(name)) continue;
    const std::string text = scalar_text(value);
    if (text.empty() && !value.is_string()) continue;
    fields[name] = shorten(text, kShortTextChars * 4);
    if (too_varied_.contains(name)) continue;
    if (text.size() > kMaxFilterValueChars || (value.is_string() && text.empty())) {
      too_varied_.insert(name);
      continue;
    }
    auto& values = column_values_[name];
    values.insert(text);
    if (values.size() > kMaxFilterValues) too_varied_.insert(name);
  }
  auto& columns = row_columns_.emplace_back();
  for (const auto& [name, value] : fields.items()) columns[name] = value.get<std::string>();

  if (const auto prompt = row.find("origin_prompt"); prompt != row.end()) {
    texts["prompt"] = prompt->is_string() ? json(fit(prompt->get<std::string>(), source)) : *prompt;
  }
  for (const char* name : {"prediction", "gold", "error_info", "eval_error"}) {
    if (const std::string text = string_field(row, name); !text.empty()) texts[name] = fit(text, source);
  }
  if (row.contains("extracted_gold")) texts["extracted_gold"] = scalar_text(row["extracted_gold"]);
  if (const auto timing = row.find("timing"); timing != row.end() && timing->is_object()) {
    json kept = *timing;
    if (const auto itl = kept.find("itl_ms"); itl != kept.end() && itl->is_array()) {
      kept["itl_count"] = itl->size();
      kept.erase("itl_ms");  // thousands of numbers per sample; the lane's ITL histogram has them
    }
    texts["timing"] = std::move(kept);
  }
  for (const char* name : {"finish_reason", "completion_tokens", "prompt_tokens"}) {
    if (const auto it = row.find(name); it != row.end() && !it->is_null()) texts[name] = *it;
  }
  texts["fields"] = std::move(fields);
  texts["source"] = source;
  page_.push_back(std::move(texts));
  if (static_cast<int64_t>(page_.size()) == options_.samples_per_page) compress_page();
}

void SamplePages::compress_page() {
  pages_.push_back(base64(gzip(page_.dump(-1, ' ', false, json::error_handler_t::replace))));
  page_ = json::array();
}

void SamplePages::finish() {
  if (!page_.empty()) compress_page();
}

json SamplePages::index() const {
  std::vector<std::string> columns;
  for (const auto& [name, values] : column_values_) {
    if (!too_varied_.contains(name) && values.size() > 1) columns.push_back(name);
  }
  json rows = rows_;
  for (size_t i = 0; i < rows.size(); ++i) {
    json values = json::array();
    for (const auto& name : columns) {
      const auto it = row_columns_[i].find(name);
      values.push_back(it == row_columns_[i].end() ? "" : it->second);
    }
    rows[i].push_back(std::move(values));
  }
  return {{"columns", columns}, {"rows", std::move(rows)}, {"page_size", options_.samples_per_page}};
}

std::string gzip(const std::string& data) {
  z_stream stream{};
  // 15 + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("zlib: deflate did not finish");
  return out;
}

std::string base64(const std::string& data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const uint32_t triple = static_cast<unsigned char>(data[i]) << 16 |
                            static_cast<unsigned char>(data[i + 1]) << 8 |
                            static_cast<unsigned char>(data[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[triple >> shift & 63];
  }
  if (i < data.size()) {
    uint32_t triple = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) triple |= static_cast<unsigned char>(data[i + 1]) << 8;
    out += kAlphabet[triple >> 18 & 63];
    out += kAlphabet[triple >> 12 & 63];
    out += i + 1 < data.size() ? kAlphabet[triple >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace evalflow::report
