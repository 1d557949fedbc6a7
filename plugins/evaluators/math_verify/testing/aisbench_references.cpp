#include "aisbench_references.hpp"

#include <evalflow/data_io/jsonl_reader.hpp>
#include <evalflow/data_io/scalar_fields.hpp>
#include <evalflow/plugin.hpp>

#include <map>

namespace evalflow::math_verify::testing {
namespace {

// MATH-500's `solution` text by `unique_id`.
class Math500Solutions : public data_io::ScalarFields {
 public:
  void end_row() override {
    const auto unique_id = optional<std::string>("unique_id");
    const auto solution = optional<std::string>("solution");
    if (!unique_id || !solution || unique_id->empty() || solution->empty())
      throw data_io::RowError("every row needs `unique_id` and `solution`");
    solutions_.insert_or_assign(*unique_id, *solution);
  }

  [[nodiscard]] const std::string& solution(const real_outputs::RealOutput& output) const {
    const auto found = output.unique_id ? solutions_.find(*output.unique_id) : solutions_.end();
    if (found == solutions_.end()) {
      throw sdk::invalid_argument(output.file + " id `" + output.id +
                                  "`: no MATH-500 problem with unique_id `" +
                                  output.unique_id.value_or("(none)") + "` in data/math500/test.jsonl");
    }
    return found->second;
  }

 private:
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
