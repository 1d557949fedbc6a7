// Validates JSON values against JSON Schemas (draft 7, through valijson).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace evalflow {

struct SchemaViolation {
  std::string pointer;  // JSON pointer of the offending value, relative to the validated value
  std::string message;
};

class JsonSchema {
 public:
  // Fails when the schema text is not JSON or not a schema.
  static Result<std::shared_ptr<const JsonSchema>> parse(const std::string& schema_text);

  // The most specific violations (an error on a child hides the generic one on its parent); text that is
  // not UTF-8 is reported alone, before the schema is consulted.
  [[nodiscard]] std::vector<SchemaViolation> validate(const nlohmann::json& value) const;

  ~JsonSchema();
  JsonSchema(const JsonSchema&) = delete;
  JsonSchema& operator=(const JsonSchema&) = delete;

 private:
  JsonSchema();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace evalflow
