#include "report/html_report.hpp"

#include <fmt/format.h>

#include <fstream>

#include "embedded/kReportScript.hpp"
#include "embedded/kReportStyle.hpp"
#include "report/report_sections.hpp"
#include "report/svg_chart.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace evalflow::report {

namespace {

// JSON inside <script>: "</" would end the element early; "<\/" is the same JSON string.
std::string script_json(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') out += '\\';
  }
  return out;
}

std::string source_of(const RunFiles& run, const fs::path& file, int64_t line) {
  return fmt::format("{}:{}", fs::relative(file, run.root).string(), line);
}

std::string run_line(const RunFiles& run) {
  std::string line = fmt::format("<li><b>{}</b>", html_escape(run.label));
  if (!run.pipeline.empty()) line += " · pipeline " + html_escape(run.pipeline);
  if (run.run.contains("mode")) line += " · mode " + html_escape(run.run["mode"].get<std::string>());
  if (run.run.contains("started")) line += " · started " + html_escape(run.run["started"].get<std::string>());
  line +=
      fmt::format(" · <code>{}</code></li>", html_escape(fs::absolute(run.root).lexically_normal().string()));
  return line;
}

}  // namespace

Result<std::vector<LaneSummary>> summarize_run(const RunFiles& run) {
  std::vector<LaneSummary> lanes;
  for (const auto& files : run.lanes) {
    LaneSummary& summary = lanes.emplace_back(files.model, files.dataset);
    auto read = for_each_lane_row(
        files, [&](json&& row, bool failed, const fs::path&, int64_t) { summary.add(row, failed); });
    if (!read) return Error{read.error()};
  }
  return lanes;
}

Result<ReportStatistics> write_html_report(const std::vector<fs::path>& run_dirs, const fs::path& output,
                                           const ReportOptions& options) {
  std::vector<RunFiles> runs;
  int64_t expected_samples = 0;
  for (const auto& dir : run_dirs) {
    auto run = find_run_files(dir);
    if (!run) return Error{run.error()};
    for (const auto& lane : run->lanes)
      expected_samples += count_lines(lane.predictions) + count_lines(lane.failed);
    runs.push_back(std::move(*run));
  }

  // One pass over every row: the figures and the browser's pages together.
  SamplePages pages(options.pages, expected_samples);
  std::vector<std::vector<LaneSummary>> summaries(runs.size());
  json lane_labels = json::array();
  for (size_t r = 0; r < runs.size(); ++r) {
    for (const auto& files : runs[r].lanes) {
      const int lane_number = static_cast<int>(lane_labels.size());
      LaneSummary& summary = summaries[r].emplace_back(files.model, files.dataset);
      lane_labels.push_back((runs.size() > 1 ? runs[r].label + " · " : std::string()) + files.model + " · " +
                            files.dataset);
      auto read = for_each_lane_row(files, [&](json&& row, bool failed, const fs::path& file, int64_t line) {
        summary.add(row, failed);
        pages.add(lane_number, row, failed, source_of(runs[r], file, line));
      });
      if (!read) return Error{read.error()};
    }
  }
  pages.finish();
  const json index = pages.index();

  std::vector<ReportLane> lanes;
  for (size_t r = 0; r < runs.size(); ++r) {
    for (size_t l = 0; l < runs[r].lanes.size(); ++l)
      lanes.push_back({r, &runs[r].lanes[l], &summaries[r][l]});
  }
  std::vector<std::vector<LaneComparison>> comparisons;
  std::vector<std::vector<std::pair<size_t, size_t>>> lane_numbers;
  const auto number_of = [&](const LaneSummary* summary) {
    return static_cast<size_t>(
        std::find_if(lanes.begin(), lanes.end(), [&](const ReportLane& l) { return l.summary == summary; }) -
        lanes.begin());
  };
  for (size_t r = 1; r < runs.size(); ++r) {
    auto& found = comparisons.emplace_back();
    auto& numbers = lane_numbers.emplace_back();
    for (const auto& [a, b] : pair_lanes(summaries[0], summaries[r])) {
      found.push_back(compare_lanes(*a, *b));
      numbers.emplace_back(number_of(a), number_of(b));
    }
  }

  std::string html =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      // Nothing may be fetched: the file must work offline and leak nothing.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">";
  html += fmt::format("<title>evalflow report: {}</title><style>{}</style></head><body>",
                      html_escape(runs.size() == 1 ? runs[0].label : runs[0].label + " and others"),
                      kReportStyle);
  html += "<header><h1>evalflow report</h1><ul class=\"runs\">";
  for (const auto& run : runs) html += run_line(run);
  html += "</ul><nav><a href=\"#summary\">summary</a>";
  if (runs.size() > 1) html += "<a href=\"#compare\">comparison</a>";
  html += "<a href=\"#lanes\">charts</a><a href=\"#samples\">samples</a></nav></header><main>";
  html += summary_section(runs, lanes);
  if (runs.size() > 1) html += comparison_section(runs, comparisons, lane_numbers);
  html += "<section id=\"lanes\"><h2>Per model and dataset</h2>";
  for (size_t i = 0; i < lanes.size(); ++i) html += lane_section(i, lanes[i], lane_labels[i], index);
  html += "</section>";
  html += R"(<section id="samples"><h2>Samples</h2><div class="filters" id="filters"></div>)"
          R"(<p class="status"><span id="visible-count">0</span> of <span id="total-count">0</span> samples)"
          R"( <span id="busy"></span></p><table class="samples"><thead id="sample-head"></thead>)"
          R"(<tbody id="sample-rows"></tbody></table><div class="pager" id="pager"></div></section>)";
  html += "</main>";
  if (pages.shortened_texts() > 0) {
    html += fmt::format(
        "<footer>{} long text(s) are shortened to {} characters (beginning and end kept); each "
        "says where the whole text is.</footer>",
        pages.shortened_texts(), pages.text_limit());
  }
  html += "<script type=\"application/json\" id=\"ef-lanes\">" + script_json(lane_labels) + "</script>";
  html += "<script type=\"application/json\" id=\"ef-index\">" + script_json(index) + "</script>";
  for (size_t i = 0; i < pages.pages().size(); ++i) {
    html += fmt::format("<script type=\"text/plain\" id=\"ef-page-{}\">{}</script>", i, pages.pages()[i]);
  }
  html += fmt::format("<script>{}</script></body></html>\n", kReportScript);

  std::error_code error;
  if (output.has_parent_path()) fs::create_directories(output.parent_path(), error);
  const fs::path temporary = output.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary);
    out.write(html.data(), static_cast<std::streamsize>(html.size()));
    if (!out) return Error{fmt::format("{}: cannot write the report (disk full?)", temporary.string())};
  }
  fs::rename(temporary, output, error);
  if (error) return Error{fmt::format("{}: cannot write the report: {}", output.string(), error.message())};
  return ReportStatistics{static_cast<int64_t>(html.size()), static_cast<int64_t>(index["rows"].size()),
                          static_cast<int64_t>(pages.pages().size()), pages.shortened_texts(),
                          pages.text_limit()};
}

}  // namespace evalflow::report
