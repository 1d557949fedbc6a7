#include <evalflow/data_io/jsonl_reader.hpp>

#include <simdjson.h>
#include <evalflow/plugin.hpp>

#include <cstdint>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include <evalflow/data_io/data_file.hpp>

namespace evalflow::data_io {
namespace {

namespace ondemand = simdjson::ondemand;

constexpr std::string_view kFixLine = ": fix or remove this line";

// simdjson's messages are coarse; nlohmann points at the column where the syntax breaks. Only called on
// the error path, so the second parse costs nothing on valid files.
std::string describe_invalid_json(std::string_view line, simdjson::error_code code) {
  try {
    [[maybe_unused]] const auto parsed = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& error) {
    std::string message = error.what();
    // "[json.exception.parse_error.101] parse error at line 1, column N: ..." becomes "parse error at column
    // N:
    // ...": the line number that matters is the file's, given by the caller.
    if (const size_t tag_end = message.find("] "); tag_end != std::string::npos)
      message.erase(0, tag_end + 2);
    constexpr std::string_view kLineOne = "line 1, ";
    if (const size_t at = message.find(kLineOne); at != std::string::npos) message.erase(at, kLineOne.size());
    return "invalid JSON (" + message + ")" + std::string(kFixLine);
  }
  return "invalid JSON (" + std::string(simdjson::error_message(code)) + ")" + std::string(kFixLine);
}

const char* type_name(ondemand::json_type type) {
  switch (type) {
    case ondemand::json_type::array:
      return "an array";
    case ondemand::json_type::object:
      return "an object";
    case ondemand::json_type::number:
      return "a number";
    case ondemand::json_type::string:
      return "a string";
    case ondemand::json_type::boolean:
      return "a boolean";
    case ondemand::json_type::null:
      return "null";
  }
  return "not JSON";
}

class LineParser {
 public:
  LineParser(std::string_view line, RowVisitor& visitor) : line_(line), visitor_(visitor) {}

  // `capacity`: readable bytes from line.data(), at least line.size() + SIMDJSON_PADDING.
  void parse(size_t line_number, size_t capacity) {
    ondemand::document document;
    check(parser().iterate(line_.data(), line_.size(), capacity).get(document));
    ondemand::json_type type{};
    check(document.type().get(type));
    if (type != ondemand::json_type::object) {
      throw RowError(std::string("the line is ") + type_name(type) +
                     ", not a JSON object: write one object per line, such as {\"question\": \"...\", "
                     "\"answer\": \"...\"}");
    }
    ondemand::object object;
    check(document.get_object().get(object));
    visitor_.begin_row(line_number);
    for (auto field_result : object) {
      ondemand::field field;
      check(std::move(field_result).get(field));
      std::string_view key;
      check(field.unescaped_key().get(key));
      visit_value(key, field.value());
    }
    if (document.current_location().error() != simdjson::OUT_OF_BOUNDS)
      throw RowError(describe_invalid_json(line_, simdjson::TRAILING_CONTENT));
    visitor_.end_row();
  }

 private:
  // One parser per thread: it keeps its buffers between lines and files.
  static ondemand::parser& parser() {
    thread_local ondemand::parser instance;
    return instance;
  }

  void check(simdjson::error_code code) const {
    if (code != simdjson::SUCCESS) throw RowError(describe_invalid_json(line_, code));
  }

  void visit_value(std::string_view key, ondemand::value value) {
    ondemand::json_type type{};
    check(value.type().get(type));
    switch (type) {
      case ondemand::json_type::string: {
        std::string_view text;
        check(value.get_string().get(text));
        visitor_.string_value(key, text);
        return;
      }
      case ondemand::json_type::number:
        visit_number(key, value);
        return;
      case ondemand::json_type::boolean: {
        bool flag = false;
        check(value.get_bool().get(flag));
        visitor_.bool_value(key, flag);
        return;
      }
      case ondemand::json_type::null: {
        bool is_null = false;
        check(value.is_null().get(is_null));
        if (!is_null) check(simdjson::INCORRECT_TYPE);
        visitor_.null_value(key);
        return;
      }
      case ondemand::json_type::array: {
        ondemand::array array;
        check(value.get_array().get(array));
        std::string_view raw;
        check(array.raw_json().get(raw));
        visit_nested(key, raw, EF_TYPE_LIST);
        return;
      }
      case ondemand::json_type::object: {
        ondemand::object object;
        check(value.get_object().get(object));
        std::string_view raw;
        check(object.raw_json().get(raw));
        visit_nested(key, raw, EF_TYPE_MAP);
        return;
      }
    }
  }

  void visit_number(std::string_view key, ondemand::value value) {
    ondemand::number_type number_type{};
    if (value.get_number_type().get(number_type) != simdjson::SUCCESS) {
      // nlohmann accepts big integers, so describe_invalid_json would not say what is wrong.
      throw RowError("the number in '" + std::string(key) +
                     "' does not fit in 64 bits: write it as a string if it is an identifier");
    }
    switch (number_type) {
      case ondemand::number_type::signed_integer: {
        int64_t number = 0;
        check(value.get_int64().get(number));
        visitor_.int_value(key, number);
        return;
      }
      case ondemand::number_type::unsigned_integer: {
        uint64_t number = 0;
        check(value.get_uint64().get(number));
        visitor_.double_value(key, static_cast<double>(number));
        return;
      }
      case ondemand::number_type::floating_point_number: {
        double number = 0;
        check(value.get_double().get(number));
        visitor_.double_value(key, number);
        return;
      }
    }
  }

  // On-Demand skips over nested values without validating them; check them once here so that the host's
  // set_json never meets invalid text later.
  void visit_nested(std::string_view key, std::string_view raw, ef_type type) {
    if (!nlohmann::json::accept(raw)) {
      throw RowError("the value of '" + std::string(key) + "' is invalid JSON" + std::string(kFixLine));
    }
    visitor_.nested_value(key, raw, type);
  }

  std::string_view line_;
  RowVisitor& visitor_;
};

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// `data` holds `size` bytes followed by at least SIMDJSON_PADDING readable bytes.
void read_lines(const char* data, size_t size, std::string_view source_name, RowVisitor& visitor) {
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
  size_t position = std::string_view(data, size).starts_with(kUtf8Bom) ? kUtf8Bom.size() : 0;
  size_t line_number = 0;
  while (position < size) {
    ++line_number;
    const auto* newline = static_cast<const char*>(std::memchr(data + position, '\n', size - position));
    const size_t end = newline != nullptr ? static_cast<size_t>(newline - data) : size;
    std::string_view line(data + position, end - position);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!is_blank(line)) {
      try {
        LineParser(line, visitor).parse(line_number, size + simdjson::SIMDJSON_PADDING - position);
      } catch (const RowError& error) {
        throw sdk::Error(EF_INVALID_ARGUMENT,
                         std::string(source_name) + ":" + std::to_string(line_number) + ": " + error.what());
      }
    }
    position = end + 1;
  }
}

}  // namespace

void read_jsonl_file(const std::filesystem::path& path, std::string_view option_name, RowVisitor& visitor) {
  const FileText file = read_data_file(path, option_name, simdjson::SIMDJSON_PADDING);
  read_lines(file.bytes.data(), file.size, path.string(), visitor);
}

void read_jsonl_text(std::string_view text, std::string_view source_name, RowVisitor& visitor) {
  std::string padded(text);
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  read_lines(padded.data(), text.size(), source_name, visitor);
}

}  // namespace evalflow::data_io
