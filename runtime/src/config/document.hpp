// A YAML document as JSON, remembering where every value came from (file:line:column), so that
// every later error can point at the exact spot.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.hpp"

namespace evalflow {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 when the value did not come from a file
  int column = 0;  // 1-based

  [[nodiscard]] std::string str() const;
};

// JSON values keyed by JSON pointer ("/datasets/0/nodes/1/options/path") to their location.
class Document {
 public:
  nlohmann::json value = nlohmann::json::object();

  // The location of the value at `pointer`, or of its nearest ancestor that has one.
  [[nodiscard]] SourceLocation locate(const std::string& pointer) const;
  void mark(const std::string& pointer, SourceLocation location) {
    locations_[pointer] = std::move(location);
  }
  // Copies the value at `source` in `other` to `destination` here, locations included.
  void graft(const std::string& destination, const Document& other, const std::string& source);

 private:
  std::map<std::string, SourceLocation> locations_;
  friend Result<Document> read_yaml_file(const std::filesystem::path& file);
  friend Result<Document> read_yaml_text(const std::string& text, const std::string& origin);
};

Result<Document> read_yaml_file(const std::filesystem::path& file);
Result<Document> read_yaml_text(const std::string& text, const std::string& origin);

// A plain YAML scalar typed as YAML 1.2's core schema does: null, bool, int, float, else string.
nlohmann::json typed_scalar(const std::string& text);

// "/a/b" + "c" -> "/a/b/c", escaping as JSON pointers require.
std::string pointer_child(const std::string& pointer, const std::string& key);
std::string pointer_child(const std::string& pointer, size_t index);

}  // namespace evalflow
