#include "tools/report/svg_render.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tools/report/report_numbers.hpp"

namespace plinth::report {
namespace {

std::string fmt(const char* pattern, auto... values) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, pattern, values...);
  return buffer;
}

// As many decimals as the tick step needs (0.25 -> 2, 0.1 -> 1, 5 -> 0).
std::string tick_label(double v, double step) {
  int decimals = 0;
  while (decimals < 6 && std::abs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-6)
    ++decimals;
  return fmt("%.*f", decimals, std::abs(v) < 1e-12 ? 0.0 : v);
}

double tick_step(const std::vector<double>& ticks) { return ticks.size() >= 2 ? ticks[1] - ticks[0] : 1.0; }

}  // namespace

std::array<int, 3> clinical_rgb(double v) {
  if (!(v >= kClinicalStops[0].value)) return kNoContact;
  for (std::size_t i = 1; i < kClinicalStops.size(); ++i) {
    const ColourStop& hi = kClinicalStops[i];
    if (v <= hi.value) {
      const ColourStop& lo = kClinicalStops[i - 1];
      const double t = (v - lo.value) / (hi.value - lo.value);
      std::array<int, 3> c{};
      for (int k = 0; k < 3; ++k)
        c[static_cast<std::size_t>(k)] = static_cast<int>(std::lround(lo.rgb[static_cast<std::size_t>(k)] +
                                                                      (hi.rgb[static_cast<std::size_t>(k)] - lo.rgb[static_cast<std::size_t>(k)]) * t));
      return c;
    }
  }
  return kClinicalStops.back().rgb;
}

std::string hex_colour(std::array<int, 3> c) { return fmt("#%02x%02x%02x", c[0], c[1], c[2]); }

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double lo, double hi, int count) {
  std::vector<double> ticks;
  if (!std::isfinite(lo) || !std::isfinite(hi) || count < 1) return ticks;
  if (hi <= lo) hi = lo + 1.0;
  const double raw = (hi - lo) / count;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return ticks;
}

std::string heatmap_svg(const MapImage& map, const HeatmapStyle& style, const std::vector<double>& cop_row_cm,
                        const std::vector<double>& cop_col_cm) {
  if (map.rows == 0 || map.cols == 0 || map.values.size() != std::size_t{map.rows} * map.cols)
    return "<p class=\"missing\">no map</p>";
  constexpr double kPxPerCm = 2.0;
  const double pr = std::isfinite(map.pitch_row_cm) && map.pitch_row_cm > 0 ? map.pitch_row_cm : 1.0;
  const double pc = std::isfinite(map.pitch_col_cm) && map.pitch_col_cm > 0 ? map.pitch_col_cm : 1.0;
  const double cw = pc * kPxPerCm, ch = pr * kPxPerCm;
  const double map_w = cw * map.cols, map_h = ch * map.rows;
  const double top = 16.0, legend_x = map_w + 14.0, width = map_w + 78.0, height = map_h + top + 16.0;
  auto colour = [&](double v) {
    if (style.clinical) return clinical_rgb(v);
    if (!(v > 0) || !(style.scale_max > 0)) return kNoContact;
    return clinical_rgb(1.0 + 99.0 * std::min(1.0, v / style.scale_max));
  };
  std::string s = fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heatmap\" viewBox=\"0 0 %.1f %.1f\" role=\"img\"",
                      width, height);
  s += " id=\"" + escape_html(style.id) + "\" data-rows=\"" + std::to_string(map.rows) + "\" data-cols=\"" +
       std::to_string(map.cols) + "\" aria-label=\"" + escape_html(style.title) + "\">";
  s += fmt("<text x=\"%.1f\" y=\"11\" class=\"edge\" text-anchor=\"middle\">HEAD</text>", map_w / 2);
  s += fmt("<g transform=\"translate(0 %.1f)\">", top);
  s += fmt("<rect x=\"0\" y=\"0\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>", map_w, map_h, hex_colour(kNoContact).c_str());
  for (std::uint16_t r = 0; r < map.rows; ++r) {
    // One rect per run of equal colour along the row keeps the page small.
    std::uint16_t c = 0;
    while (c < map.cols) {
      const auto rgb = colour(map.values[std::size_t{r} * map.cols + c]);
      std::uint16_t end = c + 1;
      while (end < map.cols && colour(map.values[std::size_t{r} * map.cols + end]) == rgb) ++end;
      if (rgb != kNoContact)
        s += fmt("<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>", c * cw, r * ch,
                 (end - c) * cw + 0.05, ch + 0.05, hex_colour(rgb).c_str());
      c = end;
    }
  }
  if (cop_row_cm.size() >= 2 && cop_row_cm.size() == cop_col_cm.size()) {
    std::string points;
    for (std::size_t i = 0; i < cop_row_cm.size(); ++i)
      points += fmt("%.1f,%.1f ", cop_col_cm[i] * kPxPerCm * cw / (pc * kPxPerCm), cop_row_cm[i] * kPxPerCm * ch / (pr * kPxPerCm));
    s += "<polyline class=\"cop-halo\" points=\"" + points + "\"/><polyline class=\"cop\" points=\"" + points + "\"/>";
    s += fmt("<circle class=\"cop-end\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\"/>", cop_col_cm.back() * kPxPerCm,
             cop_row_cm.back() * kPxPerCm);
  }
  s += fmt("<rect x=\"0\" y=\"0\" width=\"%.2f\" height=\"%.2f\" class=\"frame\"/>", map_w, map_h);
  // Legend: a bar of 60 steps, labels in the legend's unit.
  const double bar_h = map_h * 0.8, bar_top = map_h * 0.1;
  const double max = style.clinical ? 100.0 : style.scale_max;
  for (int k = 0; k < 60; ++k) {
    const double v0 = max * k / 60.0, v1 = max * (k + 1) / 60.0;
    const auto rgb = style.clinical ? clinical_rgb(std::max(v1, 0.5)) : colour(std::max(v1, 1e-9));
    s += fmt("<rect x=\"%.1f\" y=\"%.2f\" width=\"12\" height=\"%.2f\" fill=\"%s\"/>", legend_x,
             bar_top + bar_h * (1.0 - v1 / max), bar_h * (v1 - v0) / max + 0.3, hex_colour(rgb).c_str());
  }
  std::vector<double> labels = style.clinical ? std::vector<double>{0, 10, 20, 32, 50, 75, 100}
                                              : nice_ticks(0.0, max * style.legend_factor, 4);
  const double label_step = style.clinical ? 1.0 : tick_step(labels);
  for (double v : labels) {
    const double value = style.clinical ? v : v / style.legend_factor;
    if (value > max * 1.0001) continue;
    const double y = bar_top + bar_h * (1.0 - value / max);
    const bool reference = style.clinical && v == 32;
    s += fmt("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.2f\" y2=\"%.2f\" class=\"%s\"/>", legend_x - (reference ? 3 : 0),
             legend_x + 15, y, y, reference ? "tick ref" : "tick");
    s += fmt("<text x=\"%.1f\" y=\"%.2f\" class=\"legend\">%s%s</text>", legend_x + 17, y + 3,
             tick_label(v, label_step).c_str(), style.clinical && v == 100 ? "+" : "");
  }
  s += fmt("<text x=\"%.1f\" y=\"%.1f\" class=\"legend\">%s</text>", legend_x, bar_top - 5,
           escape_html(style.legend_unit).c_str());
  s += fmt("</g><text x=\"%.1f\" y=\"%.1f\" class=\"edge\" text-anchor=\"middle\">FEET</text></svg>", map_w / 2,
           height - 3);
  return s;
}

std::string line_chart_svg(const ChartSpec& spec) {
  constexpr double W = 760, H = 190, L = 52, R = 30, T = 42, B = 26;
  const double plot_w = W - L - R, plot_h = H - T - B;
  double lo = INFINITY, hi = -INFINITY;
  std::size_t points = 0;
  for (const ChartLine& line : spec.lines)
    for (double v : line.series.value)
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        ++points;
      }
  if (std::isfinite(spec.reference)) {
    lo = std::min(lo, spec.reference);
    hi = std::max(hi, spec.reference);
  }
  if (std::isfinite(spec.y_min)) lo = spec.y_min;
  if (std::isfinite(spec.y_max)) hi = spec.y_max;
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  } else if (!std::isfinite(spec.y_min) || !std::isfinite(spec.y_max)) {
    const double pad = 0.06 * (hi - lo);
    if (!std::isfinite(spec.y_min)) lo -= pad;
    if (!std::isfinite(spec.y_max)) hi += pad;
  }
  const double duration = spec.duration_s > 0 ? spec.duration_s : 1.0;
  auto x_of = [&](double t) { return L + plot_w * std::clamp(t / duration, 0.0, 1.0); };
  auto y_of = [&](double v) { return T + plot_h * (1.0 - (v - lo) / (hi - lo)); };

  std::string s = fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\"", W, H);
  s += " id=\"" + escape_html(spec.id) + "\" data-points=\"" + std::to_string(points) + "\" aria-label=\"" +
       escape_html(spec.title) + "\">";
  s += fmt("<text x=\"%.0f\" y=\"12\" class=\"chart-title\">%s", L, escape_html(spec.title).c_str());
  if (!spec.unit.empty()) s += " <tspan class=\"unit\">(" + escape_html(spec.unit) + ")</tspan>";
  s += "</text>";
  const std::vector<double> y_ticks = nice_ticks(lo, hi, 4);
  for (double v : y_ticks) {
    const double y = y_of(v);
    s += fmt("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>", L, W - R, y, y);
    s += fmt("<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">%s</text>", L - 5, y + 3,
             tick_label(v, tick_step(y_ticks)).c_str());
  }
  const double minutes = duration / 60.0;
  const std::vector<double> x_ticks = nice_ticks(0.0, minutes, 8);
  for (double m : x_ticks) {
    const double x = x_of(m * 60.0);
    s += fmt("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"tick\"/>", x, x, T + plot_h, T + plot_h + 4);
    s += fmt("<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"middle\">%s</text>", x, H - 10,
             tick_label(m, tick_step(x_ticks)).c_str());
  }
  s += fmt("<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"start\">min</text>", W - R + 4, H - 10);
  s += fmt("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"plot\"/>", L, T, plot_w, plot_h);
  if (std::isfinite(spec.reference)) {
    const double y = y_of(spec.reference);
    s += fmt("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"reference\"/>", L, W - R, y, y);
    if (!spec.reference_label.empty())
      s += fmt("<text x=\"%.1f\" y=\"%.1f\" class=\"axis ref-label\" text-anchor=\"end\">%s</text>", W - R - 3, y - 3,
               escape_html(spec.reference_label).c_str());
  }
  // Markers and pain scores on the time axis; labels alternate between two rows.
  int row = 0;
  for (const TimedEvent& e : spec.marks) {
    const double x = x_of(e.t_s);
    const bool pain = e.kind == "pain";
    const std::string label = pain ? fmt("pain %.0f", e.value) : e.label.substr(0, 24);
    // Two label rows between the title (y 12) and the plot (y T).
    const double label_y = T - 4 - 10.0 * (1 - row);
    s += fmt("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"%s\"/>", x, x, label_y - 7, T + plot_h,
             pain ? "mark pain" : "mark");
    s += fmt("<text x=\"%.1f\" y=\"%.1f\" class=\"mark-label%s\">%s</text>", x + 2, label_y, pain ? " pain" : "",
             escape_html(label).c_str());
    row = 1 - row;
  }
  for (const ChartLine& line : spec.lines) {
    std::string path;
    bool pen = false;
    for (std::size_t i = 0; i < line.series.value.size() && i < line.series.t_s.size(); ++i) {
      const double v = line.series.value[i];
      if (!std::isfinite(v)) {
        pen = false;
        continue;
      }
      // A new piece starts with a zero-length step, so that a lone point shows as a dot.
      path += fmt(pen ? "L%.1f %.1f " : "M%.1f %.1f l0 0 ", x_of(line.series.t_s[i]), y_of(std::clamp(v, lo, hi)));
      pen = true;
    }
    if (!path.empty())
      s += "<path class=\"line\" stroke=\"" + line.colour + "\" d=\"" + path + "\"/>";
  }
  if (points == 0)
    s += fmt("<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"middle\">no data</text>", L + plot_w / 2, T + plot_h / 2);
  return s + "</svg>";
}

std::string trend_chart_svg(const TrendSpec& spec) {
  constexpr double W = 760, H = 200, L = 52, R = 120, T = 22, B = 34;
  const double plot_w = W - L - R, plot_h = H - T - B;
  double lo = INFINITY, hi = -INFINITY;
  std::size_t points = 0;
  for (const TrendLine& line : spec.lines)
    for (double v : line.value)
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        ++points;
      }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  } else {
    const double pad = 0.08 * (hi - lo);
    lo -= pad;
    hi += pad;
  }
  double x_max = 0.0;
  for (double d : spec.x_days) x_max = std::max(x_max, d);
  auto x_of = [&](double d) { return x_max > 0 ? L + 10 + (plot_w - 20) * d / x_max : L + plot_w / 2; };
  auto y_of = [&](double v) { return T + plot_h * (1.0 - (v - lo) / (hi - lo)); };
  std::string s = fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart trend\" viewBox=\"0 0 %.0f %.0f\" role=\"img\"", W, H);
  s += " id=\"" + escape_html(spec.id) + "\" data-points=\"" + std::to_string(points) + "\" aria-label=\"" +
       escape_html(spec.title) + "\">";
  s += fmt("<text x=\"%.0f\" y=\"12\" class=\"chart-title\">%s", L, escape_html(spec.title).c_str());
  if (!spec.unit.empty()) s += " <tspan class=\"unit\">(" + escape_html(spec.unit) + ")</tspan>";
  s += "</text>";
  const std::vector<double> y_ticks = nice_ticks(lo, hi, 4);
  for (double v : y_ticks) {
    const double y = y_of(v);
    s += fmt("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>", L, L + plot_w, y, y);
    s += fmt("<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">%s</text>", L - 5, y + 3,
             tick_label(v, tick_step(y_ticks)).c_str());
  }
  s += fmt("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"plot\"/>", L, T, plot_w, plot_h);
  const std::size_t label_every = spec.x_labels.size() > 12 ? (spec.x_labels.size() + 11) / 12 : 1;
  for (std::size_t i = 0; i < spec.x_days.size() && i < spec.x_labels.size(); i += label_every) {
    const double x = x_of(spec.x_days[i]);
    s += fmt("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"tick\"/>", x, x, T + plot_h, T + plot_h + 4);
    s += fmt("<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"middle\">%s</text>", x, T + plot_h + 15,
             escape_html(spec.x_labels[i]).c_str());
  }
  // Marker shapes per group, in order of first appearance.
  std::vector<std::string> groups;
  for (const TrendLine& line : spec.lines)
    for (const std::string& g : line.group)
      if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
  auto marker = [&](double x, double y, const std::string& group, const std::string& colour) {
    const auto k = static_cast<std::size_t>(std::find(groups.begin(), groups.end(), group) - groups.begin());
    switch (k % 3) {
      case 0: return fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.4\" fill=\"%s\"/>", x, y, colour.c_str());
      case 1: return fmt("<rect x=\"%.1f\" y=\"%.1f\" width=\"6.4\" height=\"6.4\" fill=\"#fff\" stroke=\"%s\" stroke-width=\"1.6\"/>",
                         x - 3.2, y - 3.2, colour.c_str());
      default: return fmt("<path d=\"M%.1f %.1f l3.8 6.6 h-7.6 z\" fill=\"%s\"/>", x, y - 4.4, colour.c_str());
    }
  };
  double legend_y = T + 8;
  for (const TrendLine& line : spec.lines) {
    std::string path;
    std::string marks;
    bool pen = false;
    std::string last_group;
    for (std::size_t i = 0; i < line.value.size() && i < spec.x_days.size(); ++i) {
      const double v = line.value[i];
      const std::string group = i < line.group.size() ? line.group[i] : std::string();
      if (!std::isfinite(v)) continue;
      const double x = x_of(spec.x_days[i]), y = y_of(v);
      path += fmt(pen && group == last_group ? "L%.1f %.1f " : "M%.1f %.1f ", x, y);
      pen = true;
      last_group = group;
      marks += marker(x, y, group, line.colour);
    }
    if (!path.empty()) s += "<path class=\"line\" stroke=\"" + line.colour + "\" d=\"" + path + "\"/>";
    s += marks;
    s += fmt("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>", L + plot_w + 10,
             L + plot_w + 24, legend_y, legend_y, line.colour.c_str());
    s += fmt("<text x=\"%.1f\" y=\"%.1f\" class=\"axis\">%s</text>", L + plot_w + 28, legend_y + 3,
             escape_html(line.name).c_str());
    legend_y += 13;
  }
  if (groups.size() > 1)
    for (const std::string& g : groups) {
      legend_y += 2;
      s += marker(L + plot_w + 17, legend_y, g, "#5b6b7b");
      s += fmt("<text x=\"%.1f\" y=\"%.1f\" class=\"axis\">%s</text>", L + plot_w + 28, legend_y + 3, escape_html(g).c_str());
      legend_y += 12;
    }
  if (points == 0)
    s += fmt("<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"middle\">no data</text>", L + plot_w / 2, T + plot_h / 2);
  return s + "</svg>";
}

}  // namespace plinth::report
