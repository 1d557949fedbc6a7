#include "aisbench_references.hpp"

#include <evalflow/data_io/jsonl_reader.hpp>
#include <evalflow/data_io/row_visitor.hpp>
#include <evalflow/plugin.hpp>

#include <map>

namespace evalflow::math_verify::testing {
namespace {

// MATH-500's `solution` text by `unique_id`.
class Math500Solutions : public data_io::RowVisitor {
 public:
  void begin_row(size_t /*line*/) override {
    unique_id_.clear();
    solution_.clear();
  }
  void string_value(std::string_view key, std::string_view value) override {
    if (key == "unique_id") unique_id_ = value;
    if (key == "solution") solution_ = value;
  }
  void int_value(std::string_view /*key*/, int64_t /*value*/) override {}
  void double_value(std::string_view /*key*/, double /*value*/) override {}
  void bool_value(std::string_view /*key*/, bool /*value*/) override {}
  void null_value(std::string_view /*key*/) override {}
  void nested_value(std::string_view /*key*/, std::string_view /*json_text*/, ef_type /*type*/) override {}
  void end_row() override {
    if (unique_id_.empty() || solution_.empty())
      throw data_io::RowError("every row needs `unique_id` and `solution`");
    solutions_.insert_or_assign(unique_id_, solution_);
  }

  const std::string& solution(const real_outputs::RealOutput& output) const {
    const auto found = output.unique_id ? solutions_.find(*output.unique_id) : solutions_.end();
    if (found == solutions_.end()) {
      throw sdk::invalid_argument(output.file + " id `" + output.id +
                                  "`: no MATH-500 problem with unique_id `" +
                                  output.unique_id.value_or("(none)") + "` in data/math500/test.jsonl");
    }
    return found->second;
  }

 private:
  std::string unique_id_;
  std::string solution_;
  std::map<std::string, std::string> solutions_;
};

}  // namespace

std::vector<ReferencedOutput> load_referenced_outputs(const std::filesystem::path& source_dir) {
  Math500Solutions solutions;
  data_io::read_jsonl_file(source_dir / "data/math500/test.jsonl", "source_dir", solutions);
  std::vector<ReferencedOutput> referenced;
  for (real_outputs::RealOutput& output :
       real_outputs::load_judged_outputs(source_dir / "tests/data/predictions")) {
    if (!output.verdicts->mv_aisbench) {
      throw sdk::invalid_argument(output.file + " id `" + output.id +
                                  "`: its verdict row has no boolean mv_aisbench");
    }
    const bool mv_aisbench = *output.verdicts->mv_aisbench;
    std::string reference = output.benchmark == "math500" ? solutions.solution(output) : output.gold_answer;
    referenced.push_back({std::move(output), std::move(reference), mv_aisbench});
  }
  return referenced;
}

}  // namespace evalflow::math_verify::testing
