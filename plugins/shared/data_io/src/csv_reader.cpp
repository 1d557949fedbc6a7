#include <csv.h>
#include <evalflow/data_io/csv_reader.hpp>
#include <evalflow/data_io/data_file.hpp>
#include <evalflow/plugin.hpp>

#include <cstring>
#include <exception>
#include <string>
#include <unordered_set>
#include <vector>

namespace evalflow::data_io {
namespace {

// Drives libcsv one physical line at a time, so that every row knows the line it starts on.
// libcsv is C: exceptions must not unwind through it, so callbacks park them in `pending_error_`.
class CsvParser {
 public:
  CsvParser(std::string_view source_name, RowVisitor& visitor, char delimiter)
      : source_name_(source_name), visitor_(visitor) {
    if (csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI) != 0) {
      throw sdk::Error(EF_RESOURCE_EXHAUSTED, "out of memory initialising the CSV parser");
    }
    csv_set_delim(&parser_, static_cast<unsigned char>(delimiter));
    // RFC 4180: spaces are part of a field. libcsv trims them unless told that nothing is a space.
    csv_set_space_func(&parser_, [](unsigned char /*c*/) { return 0; });
  }
  ~CsvParser() { csv_free(&parser_); }
  CsvParser(const CsvParser&) = delete;
  CsvParser& operator=(const CsvParser&) = delete;

  void parse(std::string_view text) {
    constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
    if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
    size_t position = 0;
    while (position < text.size()) {
      ++line_;
      const size_t newline = text.find('\n', position);
      const size_t end = newline == std::string_view::npos ? text.size() : newline + 1;
      const std::string_view line = text.substr(position, end - position);
      if (between_rows_ && line != "\n" && line != "\r\n") {
        row_line_ = line_;
        between_rows_ = false;
      }
      if (csv_parse(&parser_, line.data(), line.size(), &on_field, &on_row_end, this) != line.size()) {
        fail_malformed(line_);
      }
      rethrow_pending();
      position = end;
    }
    if (csv_fini(&parser_, &on_field, &on_row_end, this) != 0) {
      throw located(row_line_, "a quoted field starting in this row is never closed: add the closing quote");
    }
    rethrow_pending();
    if (header_.empty()) {
      throw located(1,
                    "the file is empty: the first row must name the columns (for example: question,answer)");
    }
  }

 private:
  static void on_field(void* data, size_t size, void* context) {
    auto& self = *static_cast<CsvParser*>(context);
    if (self.pending_error_) return;
    auto& slot = self.fields_.size() > self.field_count_ ? self.fields_[self.field_count_]
                                                         : self.fields_.emplace_back();
    slot.assign(static_cast<const char*>(data), size);
    ++self.field_count_;
  }

  static void on_row_end(int /*terminator*/, void* context) {
    auto& self = *static_cast<CsvParser*>(context);
    if (!self.pending_error_) {
      try {
        self.finish_row();
      } catch (...) {
        self.pending_error_ = std::current_exception();
      }
    }
    self.field_count_ = 0;
    self.between_rows_ = true;
  }

  void finish_row() {
    if (header_.empty()) {
      take_header();
      return;
    }
    if (field_count_ != header_.size()) {
      throw located(row_line_, "the row has " + std::to_string(field_count_) +
                                   " fields but the header names " + std::to_string(header_.size()) +
                                   " columns: quote every field that contains the delimiter, a quote or a "
                                   "line break, or fix the number of fields");
    }
    try {
      visitor_.begin_row(row_line_);
      for (size_t i = 0; i < field_count_; ++i) visitor_.string_value(header_[i], fields_[i]);
      visitor_.end_row();
    } catch (const RowError& error) {
      throw located(row_line_, error.what());
    }
  }

  void take_header() {
    std::unordered_set<std::string_view> seen;
    for (size_t i = 0; i < field_count_; ++i) {
      if (fields_[i].empty()) {
        throw located(row_line_, "column " + std::to_string(i + 1) +
                                     " of the header has no name: the first row must name every column");
      }
      header_.push_back(fields_[i]);
    }
    for (const std::string& name : header_) {
      if (!seen.insert(name).second) {
        throw located(row_line_,
                      "the header names column '" + name + "' twice: give each column its own name");
      }
    }
  }

  [[noreturn]] void fail_malformed(size_t line) {
    rethrow_pending();
    throw located(line,
                  std::string(csv_strerror(csv_error(&parser_))) +
                      " (a quote inside an unquoted field, or text after a closing quote): quote the whole "
                      "field and double the quotes inside it (\"say \"\"hi\"\"\")");
  }

  void rethrow_pending() {
    if (pending_error_) std::rethrow_exception(std::exchange(pending_error_, nullptr));
  }

  [[nodiscard]] sdk::Error located(size_t line, const std::string& message) const {
    return {EF_INVALID_ARGUMENT, source_name_ + ":" + std::to_string(line) + ": " + message};
  }

  std::string source_name_;
  RowVisitor& visitor_;
  csv_parser parser_{};
  std::vector<std::string> header_;
  std::vector<std::string> fields_;  // reused between rows; the first field_count_ are the current row
  size_t field_count_ = 0;
  size_t line_ = 0;      // the physical line being fed
  size_t row_line_ = 1;  // the line where the current row starts
  bool between_rows_ = true;
  std::exception_ptr pending_error_;
};

}  // namespace

void read_csv_file(const std::filesystem::path& path, std::string_view option_name, RowVisitor& visitor,
                   char delimiter) {
  const FileText file = read_data_file(path, option_name);
  CsvParser(path.string(), visitor, delimiter).parse(file.text());
}

void read_csv_text(std::string_view text, std::string_view source_name, RowVisitor& visitor, char delimiter) {
  CsvParser(source_name, visitor, delimiter).parse(text);
}

}  // namespace evalflow::data_io
