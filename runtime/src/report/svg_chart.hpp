// Charts as inline SVG written here: a handful of histograms and bar charts per lane need no charting
// library (Chart.js 3.9 from libjs-chart.js would add 200 KB of script to every report, and a version to
// track), render with scripting off, and read the same in the browser test and in a screenshot.
#pragma once

#include <string>
#include <vector>

#include "report/statistics.hpp"

namespace evalflow::report {

struct ChartSeries {
  std::string name;
  std::string css_class;  // the colour: series-right, series-wrong, series-cut, series-plain
  stats::Histogram histogram;
};

// Stacked bars, one per bin, with the series' counts on top of each other; each bar's tooltip gives the
// bin's range and the counts.
std::string histogram_svg(const std::string& title, const std::string& x_label,
                          const std::vector<ChartSeries>& series);

struct Bar {
  std::string label;
  double value = 0;  // a share, 0-1
  stats::Interval ci;
  long count = 0;  // samples behind the bar
};
// Horizontal bars in percent with their 95% intervals as whiskers.
std::string bar_chart_svg(const std::string& title, const std::vector<Bar>& bars);

// Text for HTML element content and attribute values.
std::string html_escape(const std::string& text);

}  // namespace evalflow::report
