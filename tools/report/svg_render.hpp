#pragma once
// Pictures of a report as inline SVG text (no scripts, no external references): heat maps on
// the dashboard's clinical colour scale and time charts with the session's markers and pain
// scores on the time axis. Pure string building.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "tools/report/report_model.hpp"

namespace plinth::report {

// The dashboard's fixed clinical scale (tools/web/assets/js/colour-scale.js, schemas/dashboard.md):
// below 1 mmHg light grey; 1 dark blue, 10 blue, 20 cyan, 32 green (capillary-closing
// reference), 50 yellow, 75 orange, 100 red, 150+ dark red; linear in between.
struct ColourStop {
  double value;
  std::array<int, 3> rgb;
};
inline constexpr std::array<ColourStop, 8> kClinicalStops{{{1, {38, 62, 168}},
                                                           {10, {30, 110, 214}},
                                                           {20, {22, 170, 214}},
                                                           {32, {40, 178, 74}},
                                                           {50, {240, 210, 40}},
                                                           {75, {242, 135, 28}},
                                                           {100, {215, 25, 28}},
                                                           {150, {128, 0, 16}}}};
inline constexpr std::array<int, 3> kNoContact{223, 229, 235};

std::array<int, 3> clinical_rgb(double mmhg);
std::string hex_colour(std::array<int, 3> rgb);

std::string escape_html(std::string_view text);

struct HeatmapStyle {
  // clinical: the value is mmHg on the fixed scale. relative: the same colours spread over
  // (0, scale_max] (for mmHg*s and seconds), with `scale_max` labelled in the legend.
  bool clinical = true;
  double scale_max = 100.0;
  std::string legend_unit = "mmHg";
  double legend_factor = 1.0;  // legend labels = value * factor (e.g. s -> min)
  std::string title;
  std::string id;              // the svg element's id
};

// A heat map, head (row 0) at the top, column 0 on the left, with an optional CoP trail
// (cm from the row-0 and column-0 edges) and a colour legend.
std::string heatmap_svg(const MapImage& map, const HeatmapStyle& style, const std::vector<double>& cop_row_cm = {},
                        const std::vector<double>& cop_col_cm = {});

struct ChartLine {
  Series series;
  std::string colour;
};

struct ChartSpec {
  std::string id;
  std::string title;
  std::string unit;
  std::vector<ChartLine> lines;
  double duration_s = 0.0;             // x axis: 0 .. duration
  std::vector<TimedEvent> marks;       // markers and pain scores: vertical lines with labels
  double reference = kNaN;             // a horizontal reference line (e.g. 50 for the readout)
  std::string reference_label;
  double y_min = kNaN, y_max = kNaN;   // fixed range; NaN = from the data
};

std::string line_chart_svg(const ChartSpec& spec);

// Across sessions: one point per session at its date; consecutive points are joined only
// within one group (a calibration or device), and each group has its own marker shape.
struct TrendLine {
  std::string name;
  std::string colour;
  std::vector<double> value;         // per session, NaN = none
  std::vector<std::string> group;    // per session; empty = one group
};

struct TrendSpec {
  std::string id;
  std::string title;
  std::string unit;
  std::vector<double> x_days;        // per session, days since the first
  std::vector<std::string> x_labels; // per session, e.g. "11-23"
  std::vector<TrendLine> lines;
};

std::string trend_chart_svg(const TrendSpec& spec);

// Round tick values covering [lo, hi], about `count` of them.
std::vector<double> nice_ticks(double lo, double hi, int count);

}  // namespace plinth::report
