// The option-named fields of a text postprocessor: it reads the string field named by the option
// "input" and writes the string field named by the option "output".
#pragma once

#include <evalflow/plugin.hpp>
#include <string>

namespace evalflow::text_fields {

struct InputOutputFields {
  std::string input;
  std::string output;

  InputOutputFields(const sdk::json& options, const char* default_input, const char* default_output)
      : input(options.value("input", default_input)), output(options.value("output", default_output)) {}

  // For a node type's resolve_fields.
  void declare(sdk::FieldList& reads, sdk::FieldList& writes) const {
    reads.add(input, EF_TYPE_STRING);
    writes.add(output, EF_TYPE_STRING);
  }
};

}  // namespace evalflow::text_fields
