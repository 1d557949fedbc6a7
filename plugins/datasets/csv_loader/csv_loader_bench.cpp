// How fast csv_loader's create reads a dataset: 100,000 synthetic rows, a third of them with quoted
// fields holding commas, doubled quotes and line breaks, parsed into a Table.
#include <benchmark/benchmark.h>
#include <evalflow/data_io/csv_reader.hpp>
#include <evalflow/dataset_table/table.hpp>

#include <filesystem>
#include <fstream>

namespace {

constexpr int kRows = 100'000;

const std::filesystem::path& synthetic_file() {
  static const std::filesystem::path path = [] {
    auto file = std::filesystem::temp_directory_path() / "evalflow_csv_loader_bench.csv";
    std::ofstream out(file);
    out << "problem,answer,level\n";
    for (int row = 0; row < kRows; ++row) {
      if (row % 3 == 0) {
        out << "\"Problem " << row << ": let $f(x) = x^2, x > 0$.\nFind \"\"the\"\" sum.\"," << row % 1000
            << ',' << row % 5 << '\n';
      } else {
        out << "Problem " << row << ": find the sum of every real $x$ with $f(f(x)) = x$.," << row % 1000
            << ',' << row % 5 << '\n';
      }
    }
    return file;
  }();
  return path;
}

void BM_LoadCsv(benchmark::State& state) {
  const auto& path = synthetic_file();
  const auto mapping = evalflow::dataset_table::FieldMapping::from_options(
      {{"input_columns", {"problem", "level"}}, {"output_column", "answer"}});
  for (auto _ : state) {
    evalflow::dataset_table::TableBuilder builder(mapping);
    evalflow::data_io::read_csv_file(path, "path", builder);
    benchmark::DoNotOptimize(std::move(builder).finish());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(std::filesystem::file_size(path)));
}
BENCHMARK(BM_LoadCsv)->Unit(benchmark::kMillisecond);

}  // namespace
