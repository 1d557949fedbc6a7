#include "report/results.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <string_view>

namespace fs = std::filesystem;
using nlohmann::json;

namespace evalflow {

namespace {

// Counts an aggregator reports beside its metrics; not shown as rows of the summary.
bool is_count(const std::string& key) {
  return key == "correct" || key == "total" || key.starts_with("num_");
}

// The statistics of a distribution (perf mode's ttft_ms, tpot_ms, itl_ms, e2e_ms), in the order shown.
constexpr std::array<const char*, 8> kDistributionColumns = {"avg", "min", "p50", "p75",
                                                             "p90", "p99", "max", "count"};

// A distribution is an object with an average and a count: it gets a row of the latency table, not rows of
// the summary.
bool is_distribution(const json& value) {
  return value.is_object() && value.contains("avg") && value.contains("count");
}

// Calls visit(path, value) for each of a lane's metrics and, one level into objects that are not
// distributions (perf mode's perf: {request_throughput, ...}), for each of their entries
// ("perf.request_throughput").
template <typename Visit>
void for_each_metric(const json& metrics, Visit visit) {
  for (const auto& [key, value] : metrics.items()) {
    visit(key, value);
    if (!value.is_object() || is_distribution(value)) continue;
    for (const auto& [sub, item] : value.items()) visit(std::string(key).append(".").append(sub), item);
  }
}

// The rows a lane's metrics give in the summary: its numbers; distributions go to the latency table.
std::vector<std::string> metric_keys(const json& metrics) {
  std::vector<std::string> keys;
  for_each_metric(metrics, [&](const std::string& path, const json& value) {
    if (value.is_number() && !is_count(path)) keys.push_back(path);
  });
  return keys;
}

// Known distributions in the order a reader follows a request (first token, then each token, then the whole);
// others after them, by name.
constexpr std::array<std::string_view, 4> kDistributionOrder = {"ttft_ms", "tpot_ms", "itl_ms", "e2e_ms"};

size_t distribution_rank(const std::string& path) {
  const std::string_view name = std::string_view(path).substr(path.rfind('.') + 1);
  return static_cast<size_t>(std::find(kDistributionOrder.begin(), kDistributionOrder.end(), name) -
                             kDistributionOrder.begin());
}

// The distributions among a lane's metrics, by their dotted path.
std::vector<std::pair<std::string, const json*>> distributions(const json& metrics) {
  std::vector<std::pair<std::string, const json*>> found;
  for_each_metric(metrics, [&](const std::string& path, const json& value) {
    if (is_distribution(value)) found.emplace_back(path, &value);
  });
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return distribution_rank(a.first) < distribution_rank(b.first);
  });
  return found;
}

const json* metric_value(const json& metrics, const std::string& key) {
  if (metrics.contains(key)) return &metrics[key];
  const size_t dot = key.find('.');
  if (dot == std::string::npos || !metrics.contains(key.substr(0, dot))) return nullptr;
  const json& group = metrics[key.substr(0, dot)];
  return group.is_object() && group.contains(key.substr(dot + 1)) ? &group[key.substr(dot + 1)] : nullptr;
}

std::string format_value(const json& value) {
  if (value.is_null()) return "-";  // e.g. accuracy when every sample failed
  if (value.is_number_float()) return fmt::format("{:.2f}", value.get<double>());
  if (value.is_number()) return value.dump();
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

void emit(YAML::Emitter& out, const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key << key << YAML::Value;
        emit(out, item);
      }
      out << YAML::EndMap;
      break;
    case json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& item : value) emit(out, item);
      out << YAML::EndSeq;
      break;
    case json::value_t::string:
      out << YAML::DoubleQuoted << value.get<std::string>();
      break;
    case json::value_t::null:
      out << YAML::Null;
      break;
    default:
      out << value.dump();
  }
}

// Characters, not bytes: the ± sign takes two bytes but one column.
size_t display_width(const std::string& text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string pad(const std::string& text, size_t width) {
  return text + std::string(width - display_width(text), ' ');
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

json results_json(const LaneResult& lane) {
  json results = lane.metrics;
  results["num_samples"] = lane.total;
  results["num_failed"] = lane.failed;
  results["num_eval_failed"] = lane.eval_failed;
  results["num_resumed"] = lane.resumed;
  results["num_scored"] = lane.scored();
  if (lane.planned >= 0) results["num_planned"] = lane.planned;
  results["complete"] = lane.complete();
  if (lane.expected) {
    results["expected"] = {{"metric", lane.expected->metric},
                           {"value", lane.expected->value},
                           {"tolerance", lane.expected->tolerance}};
  }
  return results;
}

Status write_results(const fs::path& file, const LaneResult& lane) {
  std::error_code error;
  fs::create_directories(file.parent_path(), error);
  std::ofstream out(file);
  out << results_json(lane).dump(4) << "\n";
  if (!out) return Error{fmt::format("{}: cannot write results", file.string())};
  return ok_status();
}

SummaryTable summarize(const RunReport& report, const std::string& mode) {
  SummaryTable table;
  std::vector<std::string> models;
  std::vector<std::string> datasets;
  for (const auto& lane : report.lanes) {
    if (std::find(models.begin(), models.end(), lane.model) == models.end()) models.push_back(lane.model);
    if (std::find(datasets.begin(), datasets.end(), lane.dataset) == datasets.end())
      datasets.push_back(lane.dataset);
  }
  const bool any_expected = std::any_of(report.lanes.begin(), report.lanes.end(),
                                        [](const auto& lane) { return lane.expected.has_value(); });
  table.header = {"dataset", "version", "metric", "mode"};
  table.header.insert(table.header.end(), models.begin(), models.end());
  if (any_expected) {
    table.header.emplace_back("expected");
    table.header.emplace_back("check");
  }
  auto lane_of = [&](const std::string& model, const std::string& dataset) -> const LaneResult* {
    for (const auto& lane : report.lanes) {
      if (lane.model == model && lane.dataset == dataset) return &lane;
    }
    return nullptr;
  };
  for (const auto& dataset : datasets) {
    std::vector<std::string> metrics;
    std::string version;
    for (const auto& model : models) {
      const LaneResult* lane = lane_of(model, dataset);
      if (lane == nullptr) continue;
      version = lane->version;
      for (const auto& key : metric_keys(lane->metrics)) {
        if (std::find(metrics.begin(), metrics.end(), key) == metrics.end()) metrics.push_back(key);
      }
    }
    const bool any_failed = std::any_of(models.begin(), models.end(), [&](const auto& model) {
      const LaneResult* lane = lane_of(model, dataset);
      return lane != nullptr && (lane->failed > 0 || lane->eval_failed > 0);
    });
    if (any_failed) metrics.emplace_back("failed");
    for (const auto& metric : metrics) {
      std::vector<std::string> row = {dataset, version, metric, mode};
      const LaneResult* first = nullptr;
      for (const auto& model : models) {
        const LaneResult* lane = lane_of(model, dataset);
        if (lane != nullptr && first == nullptr) first = lane;
        if (lane == nullptr) {
          row.emplace_back("-");
        } else if (metric == "failed") {
          row.push_back(std::to_string(lane->failed + lane->eval_failed));
        } else {
          const json* value = metric_value(lane->metrics, metric);
          std::string cell = value != nullptr ? format_value(*value) : "-";
          // A figure over part of the dataset must not pass for the dataset's.
          if (!lane->complete()) {
            cell += fmt::format(" ({}/{} scored: INCOMPLETE)", lane->scored(),
                                lane->planned >= 0 ? std::to_string(lane->planned) : "?");
          }
          row.push_back(std::move(cell));
        }
      }
      if (any_expected) {
        std::string expected = "-";
        std::string check = "-";
        if (first != nullptr && first->expected && first->expected->metric == metric) {
          expected = fmt::format("{:.2f}±{:.2f}", first->expected->value, first->expected->tolerance);
          bool all_pass = true;
          for (const auto& model : models) {
            const LaneResult* lane = lane_of(model, dataset);
            const json* value = lane != nullptr ? metric_value(lane->metrics, metric) : nullptr;
            if (value == nullptr || !value->is_number()) {
              all_pass = false;
              continue;
            }
            const double got = value->get<double>();
            all_pass = all_pass && lane->complete() &&
                       std::abs(got - first->expected->value) <= first->expected->tolerance + 1e-9;
          }
          check = all_pass ? "PASS" : "FAIL";
        }
        row.push_back(expected);
        row.push_back(check);
      }
      table.rows.push_back(std::move(row));
    }
  }
  return table;
}

SummaryTable latency_table(const RunReport& report) {
  SummaryTable table;
  table.header = {"dataset", "model", "metric"};
  table.header.insert(table.header.end(), kDistributionColumns.begin(), kDistributionColumns.end());
  for (const auto& lane : report.lanes) {
    for (const auto& [name, distribution] : distributions(lane.metrics)) {
      std::vector<std::string> row = {lane.dataset, lane.model, name};
      for (const char* column : kDistributionColumns) {
        row.push_back(distribution->contains(column) ? format_value((*distribution)[column]) : "-");
      }
      table.rows.push_back(std::move(row));
    }
  }
  return table;
}

std::string SummaryTable::text() const {
  std::vector<size_t> widths(header.size());
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  };
  measure(header);
  for (const auto& row : rows) measure(row);
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) out += (i ? "  " : "") + pad(row[i], widths[i]);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  };
  line(header);
  std::vector<std::string> rule;
  rule.reserve(widths.size());
  for (size_t width : widths) rule.emplace_back(width, '-');
  line(rule);
  for (const auto& row : rows) line(row);
  return out;
}

std::string SummaryTable::csv() const {
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + csv_field(row[i]);
    out += "\n";
  };
  line(header);
  for (const auto& row : rows) line(row);
  return out;
}

std::string SummaryTable::markdown() const {
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    out += "|";
    for (const auto& cell : row) out += " " + cell + " |";
    out += "\n";
  };
  line(header);
  out += "|";
  for (size_t i = 0; i < header.size(); ++i) out += " --- |";
  out += "\n";
  for (const auto& row : rows) line(row);
  return out;
}

Status write_summary(const fs::path& directory, const std::string& name, const SummaryTable& table) {
  std::error_code error;
  fs::create_directories(directory, error);
  for (const auto& [extension, text] : {std::pair{".txt", table.text()}, std::pair{".csv", table.csv()},
                                        std::pair{".md", table.markdown()}}) {
    const fs::path file = directory / (name + extension);
    std::ofstream out(file);
    out << text;
    if (!out) return Error{fmt::format("{}: cannot write", file.string())};
  }
  return ok_status();
}

std::string pipeline_yaml(const json& value) {
  YAML::Emitter out;
  emit(out, value);
  return std::string(out.c_str()) + "\n";
}

}  // namespace evalflow
