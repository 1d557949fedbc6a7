#include "config/document.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <fstream>
#include <regex>
#include <sstream>

namespace evalflow {

std::string SourceLocation::str() const {
  if (line == 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

std::string pointer_child(const std::string& pointer, const std::string& key) {
  std::string escaped;
  escaped.reserve(key.size());
  for (char c : key) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return pointer + "/" + escaped;
}

std::string pointer_child(const std::string& pointer, size_t index) {
  return pointer + "/" + std::to_string(index);
}

SourceLocation Document::locate(const std::string& pointer) const {
  std::string current = pointer;
  while (true) {
    if (auto it = locations_.find(current); it != locations_.end()) return it->second;
    if (current.empty()) return {};
    current.erase(current.rfind('/'));
  }
}

void Document::graft(const std::string& destination, const Document& other, const std::string& source) {
  value[nlohmann::json::json_pointer(destination)] = other.value.at(nlohmann::json::json_pointer(source));
  for (const auto& [pointer, location] : other.locations_) {
    if (pointer == source || pointer.starts_with(source + "/")) {
      locations_[destination + pointer.substr(source.size())] = location;
    }
  }
}

nlohmann::json typed_scalar(const std::string& text) {
  static const std::regex kInt(R"([-+]?[0-9]+)");
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (std::regex_match(text, kInt)) {
    int64_t number = 0;
    const char* begin = text.data() + (text[0] == '+' ? 1 : 0);
    auto [end, error] = std::from_chars(begin, text.data() + text.size(), number);
    if (error == std::errc() && end == text.data() + text.size()) return number;
  }
  if (std::regex_match(text, kFloat)) {
    // A number no double holds (1e400) stays text, so the schema names the field instead of a crash.
    double number = 0;
    const char* begin = text.data() + (text[0] == '+' ? 1 : 0);
    auto [end, error] = std::from_chars(begin, text.data() + text.size(), number);
    if (error == std::errc() && end == text.data() + text.size()) return number;
    return text;
  }
  if (text == ".inf" || text == ".Inf" || text == "+.inf") return std::numeric_limits<double>::infinity();
  if (text == "-.inf" || text == "-.Inf") return -std::numeric_limits<double>::infinity();
  return text;
}

namespace {

class Converter {
 public:
  Converter(std::string origin, std::map<std::string, SourceLocation>& locations)
      : origin_(std::move(origin)), locations_(locations) {}

  nlohmann::json convert(const YAML::Node& node, const std::string& pointer) {
    const YAML::Mark mark = node.Mark();
    // Aliases are expanded here: nested ones (a "billion laughs" file) would grow without bound.
    if (++values_ > kMaxValues) {
      throw YAML::Exception(mark, fmt::format("more than {} values once aliases are expanded: nested aliases "
                                              "(*name) multiply; a pipeline needs far fewer",
                                              kMaxValues));
    }
    if (node.Type() == YAML::NodeType::Scalar && (text_bytes_ += node.Scalar().size()) > kMaxTextBytes) {
      throw YAML::Exception(mark, fmt::format("more than {} MiB of text once aliases are expanded: nested "
                                              "aliases (*name) multiply; keep large data in data files",
                                              kMaxTextBytes >> 20));
    }
    if (mark.line >= 0) locations_[pointer] = {origin_, mark.line + 1, mark.column + 1};
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return nullptr;
      case YAML::NodeType::Scalar:
        // A quoted scalar carries the tag "!": it is always a string.
        return node.Tag() == "!" ? nlohmann::json(node.Scalar()) : typed_scalar(node.Scalar());
      case YAML::NodeType::Sequence: {
        nlohmann::json list = nlohmann::json::array();
        for (size_t i = 0; i < node.size(); ++i) list.push_back(convert(node[i], pointer_child(pointer, i)));
        return list;
      }
      case YAML::NodeType::Map: {
        nlohmann::json object = nlohmann::json::object();
        for (const auto& entry : node) {
          const std::string key = entry.first.as<std::string>();
          object[key] = convert(entry.second, pointer_child(pointer, key));
        }
        return object;
      }
    }
    return nullptr;
  }

 private:
  static constexpr size_t kMaxValues = 200'000;
  static constexpr size_t kMaxTextBytes = size_t{64} << 20;

  std::string origin_;
  std::map<std::string, SourceLocation>& locations_;
  size_t values_ = 0;
  size_t text_bytes_ = 0;
};

}  // namespace

Result<Document> read_yaml_text(const std::string& text, const std::string& origin) {
  Document document;
  try {
    const YAML::Node root = YAML::Load(text);
    Converter converter(origin, document.locations_);
    document.value = converter.convert(root, "");
    if (document.value.is_null()) document.value = nlohmann::json::object();
  } catch (const YAML::Exception& error) {
    return Error{fmt::format("{}:{}:{}: invalid YAML: {}", origin, error.mark.line + 1, error.mark.column + 1,
                             error.msg)};
  }
  return document;
}

Result<Document> read_yaml_file(const std::filesystem::path& file) {
  std::ifstream stream(file);
  if (!stream) return Error{fmt::format("{}: cannot open file", file.string())};
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return read_yaml_text(buffer.str(), file.string());
}

}  // namespace evalflow
