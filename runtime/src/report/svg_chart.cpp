#include "report/svg_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace evalflow::report {

namespace {

constexpr double kWidth = 420;
constexpr double kHeight = 220;
constexpr double kLeft = 46;
constexpr double kRight = 12;
constexpr double kTop = 40;  // the title, then the legend
constexpr double kBottom = 40;

std::string number_label(double value) {
  if (std::abs(value) >= 1000) return fmt::format("{:.0f}", value);
  if (std::abs(value) >= 10 || value == std::floor(value)) return fmt::format("{:.0f}", value);
  return fmt::format("{:.2g}", value);
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string histogram_svg(const std::string& title, const std::string& x_label,
                          const std::vector<ChartSeries>& series) {
  if (series.empty() || series.front().histogram.counts.empty()) return "";
  const stats::Histogram& axis = series.front().histogram;
  const size_t bins = axis.counts.size();
  std::vector<int64_t> totals(bins, 0);
  for (const auto& s : series) {
    for (size_t i = 0; i < bins; ++i) totals[i] += s.histogram.counts[i];
  }
  const int64_t highest = std::max<int64_t>(1, *std::max_element(totals.begin(), totals.end()));
  const double plot_width = kWidth - kLeft - kRight;
  const double plot_height = kHeight - kTop - kBottom;
  const double bar_width = plot_width / bins;
  std::string svg = fmt::format(
      R"(<svg class="chart" role="img" viewBox="0 0 {} {}" width="{}" height="{}" data-title="{}">)"
      R"(<title>{}</title><text class="chart-title" x="{}" y="16">{}</text>)",
      kWidth, kHeight, kWidth, kHeight, html_escape(title), html_escape(title), kLeft, html_escape(title));
  int bars = 0;
  for (size_t i = 0; i < bins; ++i) {
    double stacked = 0;
    const double low = axis.low + i * axis.bin_width();
    std::string tip = fmt::format("{} – {}", number_label(low), number_label(low + axis.bin_width()));
    for (const auto& s : series) tip += fmt::format("\n{}: {}", s.name, s.histogram.counts[i]);
    for (const auto& s : series) {
      const int64_t count = s.histogram.counts[i];
      if (count == 0) continue;
      const double height = plot_height * static_cast<double>(count) / static_cast<double>(highest);
      svg += fmt::format(
          R"(<rect class="{}" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}"><title>{}</title></rect>)",
          s.css_class, kLeft + i * bar_width + 0.5, kTop + plot_height - stacked - height,
          std::max(bar_width - 1, 1.0), height, html_escape(tip));
      stacked += height;
      ++bars;
    }
  }
  const double base = kTop + plot_height;
  svg += fmt::format(R"(<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>)", kLeft, base, kWidth - kRight,
                     base);
  svg += fmt::format(R"(<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>)", kLeft, kTop, kLeft, base);
  svg += fmt::format(R"(<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>)", kLeft - 4, kTop + 8,
                     highest);
  svg += fmt::format(R"(<text class="tick" x="{}" y="{}" text-anchor="end">0</text>)", kLeft - 4, base);
  svg +=
      fmt::format(R"(<text class="tick" x="{}" y="{}">{}</text>)", kLeft, base + 14, number_label(axis.low));
  svg += fmt::format(R"(<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>)", kWidth - kRight,
                     base + 14, number_label(axis.high));
  svg += fmt::format(R"(<text class="label" x="{}" y="{}" text-anchor="middle">{}</text>)",
                     kLeft + plot_width / 2, base + 30, html_escape(x_label));
  // Legend, right-aligned in the title row.
  double x = kWidth - kRight;
  for (auto s = series.rbegin(); s != series.rend(); ++s) {
    const std::string label =
        fmt::format("{} ({})", s->name,
                    std::accumulate(s->histogram.counts.begin(), s->histogram.counts.end(), int64_t{0}));
    x -= 7.0 * label.size() + 16;
    svg += fmt::format(
        R"(<rect class="{}" x="{:.0f}" y="23" width="10" height="10"/><text class="legend" x="{:.0f}" y="32">{}</text>)",
        s->css_class, x, x + 13, html_escape(label));
  }
  svg += fmt::format(R"(<desc data-bars="{}"></desc></svg>)", bars);
  return svg;
}

std::string bar_chart_svg(const std::string& title, const std::vector<Bar>& bars) {
  if (bars.empty()) return "";
  constexpr double kRow = 22;
  constexpr double kLabel = 130;
  const double height = kTop + kRow * bars.size() + 24;
  const double plot_width = kWidth - kLabel - kRight - 40;
  std::string svg = fmt::format(
      R"(<svg class="chart" role="img" viewBox="0 0 {} {}" width="{}" height="{}" data-title="{}">)"
      R"(<title>{}</title><text class="chart-title" x="4" y="16">{}</text>)",
      kWidth, height, kWidth, height, html_escape(title), html_escape(title), html_escape(title));
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& bar = bars[i];
    const double y = kTop + i * kRow;
    const auto at = [&](double share) { return kLabel + plot_width * std::clamp(share, 0.0, 1.0); };
    svg += fmt::format(R"(<text class="tick" x="{}" y="{:.0f}" text-anchor="end">{}</text>)", kLabel - 6,
                       y + 14, html_escape(bar.label));
    svg += fmt::format(
        R"(<rect class="series-plain" x="{}" y="{:.0f}" width="{:.1f}" height="{}"><title>{}: {:.1f}% [{:.1f}, {:.1f}], {} samples</title></rect>)",
        kLabel, y + 3, std::max(at(bar.value) - kLabel, 0.5), kRow - 8, html_escape(bar.label),
        100 * bar.value, 100 * bar.ci.low, 100 * bar.ci.high, bar.count);
    svg += fmt::format(R"(<line class="whisker" x1="{:.1f}" y1="{:.0f}" x2="{:.1f}" y2="{:.0f}"/>)",
                       at(bar.ci.low), y + kRow / 2 - 1, at(bar.ci.high), y + kRow / 2 - 1);
    svg += fmt::format(R"(<text class="tick" x="{:.1f}" y="{:.0f}">{:.1f}</text>)", at(bar.ci.high) + 4,
                       y + 14, 100 * bar.value);
  }
  const double base = kTop + kRow * bars.size();
  svg += fmt::format(R"(<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>)", kLabel, base,
                     kLabel + plot_width, base);
  for (int percent : {0, 50, 100}) {
    svg += fmt::format(R"(<text class="tick" x="{:.0f}" y="{:.0f}" text-anchor="middle">{}%</text>)",
                       kLabel + plot_width * percent / 100.0, base + 14, percent);
  }
  svg += fmt::format(R"(<desc data-bars="{}"></desc></svg>)", bars.size());
  return svg;
}

}  // namespace evalflow::report
