// How fast jsonl_loader's create reads a dataset: 100,000 synthetic MATH-like rows parsed into a Table.
#include <benchmark/benchmark.h>
#include <evalflow/data_io/jsonl_reader.hpp>
#include <evalflow/dataset_table/table.hpp>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

constexpr int kRows = 100'000;

const std::filesystem::path& synthetic_file() {
  static const std::filesystem::path path = [] {
    auto file = std::filesystem::temp_directory_path() / "evalflow_jsonl_loader_bench.jsonl";
    std::ofstream out(file);
    for (int row = 0; row < kRows; ++row) {
      out << R"({"problem": "Problem )" << row
          << R"(: Let $f(x) = \\frac{x^2 + 1}{x - 3}$. Find every real $x$ such that $f(f(x)) = x$, and give the sum \"in full\".", "answer": ")"
          << row % 1000 << R"(", "level": )" << row % 5 + 1 << R"(, "unique_id": "test/algebra/)" << row
          << R"(.json"})" << '\n';
    }
    return file;
  }();
  return path;
}

void BM_LoadJsonl(benchmark::State& state) {
  const auto& path = synthetic_file();
  const auto mapping = evalflow::dataset_table::FieldMapping::from_options(
      {{"input_columns", {"problem", "level"}}, {"output_column", "answer"}});
  for (auto _ : state) {
    evalflow::dataset_table::TableBuilder builder(mapping);
    evalflow::data_io::read_jsonl_file(path, "path", builder);
    benchmark::DoNotOptimize(std::move(builder).finish());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(std::filesystem::file_size(path)));
}
BENCHMARK(BM_LoadJsonl)->Unit(benchmark::kMillisecond);

}  // namespace
