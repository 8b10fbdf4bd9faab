#include "daemon/clock/lower_envelope.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace plinth {
namespace {

// > 0 when o → a → b turns left (counter-clockwise), i.e. a lies below the chord o–b.
double turn(const EnvelopePoint& o, const EnvelopePoint& a, const EnvelopePoint& b) {
  return (a.u - o.u) * (b.v - o.v) - (a.v - o.v) * (b.u - o.u);
}

}  // namespace

std::optional<EnvelopeLine> LowerEnvelopeFit::hull_edge(std::span<const EnvelopePoint> points) {
  if (points.size() < 2 || !(points.back().u > points.front().u)) return std::nullopt;
  // Andrew's monotone chain, lower half: points already come sorted by u.
  hull_.clear();
  double sum_u = 0.0;
  for (const EnvelopePoint& p : points) {
    sum_u += p.u;
    while (hull_.size() >= 2 && turn(hull_[hull_.size() - 2], hull_.back(), p) <= 0.0) hull_.pop_back();
    hull_.push_back(p);
  }
  const double mean_u = sum_u / static_cast<double>(points.size());
  std::size_t edge = 0;
  while (edge + 2 < hull_.size() && hull_[edge + 1].u < mean_u) ++edge;
  const EnvelopePoint& a = hull_[edge];
  const EnvelopePoint& b = hull_[edge + 1];
  const double slope = (b.v - a.v) / (b.u - a.u);
  return EnvelopeLine{a.v - slope * a.u, slope};
}

std::optional<EnvelopeLine> LowerEnvelopeFit::fit(std::span<const EnvelopePoint> points, double keep_fraction,
                                                  std::optional<double> start_slope) {
  std::optional<EnvelopeLine> line = hull_edge(points);
  if (line && start_slope) line = under(points, *start_slope);
  for (int pass = 0; pass < 2 && line; ++pass) line = refit_slope(points, *line, keep_fraction);
  if (!line) return std::nullopt;
  return under(points, line->slope);
}

std::optional<EnvelopeLine> LowerEnvelopeFit::refit_slope(std::span<const EnvelopePoint> points,
                                                          const EnvelopeLine& line, double keep_fraction) {
  // The lowest points of each stretch of the window, not of the whole: a tilted reference line
  // would otherwise pick its low end only and keep its own tilt.
  const double u0 = points.front().u;  // centred: sums of squared raw nanoseconds lose the slope
  double n = 0.0, su = 0.0, sv = 0.0, suu = 0.0, suv = 0.0;
  const std::size_t groups = std::min(kGroups, points.size());
  for (std::size_t g = 0; g < groups; ++g) {
    const std::span<const EnvelopePoint> stretch =
        points.subspan(g * points.size() / groups, (g + 1) * points.size() / groups - g * points.size() / groups);
    heights_.clear();
    for (const EnvelopePoint& p : stretch) heights_.push_back(p.v - line.at(p.u));
    const auto keep = std::clamp<std::size_t>(
        static_cast<std::size_t>(std::lround(keep_fraction * static_cast<double>(stretch.size()))), 1, stretch.size());
    std::nth_element(heights_.begin(), heights_.begin() + static_cast<std::ptrdiff_t>(keep - 1), heights_.end());
    const double limit = heights_[keep - 1];
    for (const EnvelopePoint& p : stretch) {
      if (p.v - line.at(p.u) > limit) continue;
      const double u = p.u - u0;
      n += 1.0;
      su += u;
      sv += p.v;
      suu += u * u;
      suv += u * p.v;
    }
  }
  const double spread = n * suu - su * su;
  if (n < 2.0 || !(spread > 0.0)) return line;
  const double slope = (n * suv - su * sv) / spread;
  return EnvelopeLine{(sv - slope * su) / n - slope * u0, slope};
}

EnvelopeLine LowerEnvelopeFit::under(std::span<const EnvelopePoint> points, double slope) {
  double intercept = std::numeric_limits<double>::infinity();
  for (const EnvelopePoint& p : points) {
    const double c = p.v - slope * p.u;
    if (c < intercept) intercept = c;
  }
  return EnvelopeLine{intercept, slope};
}

}  // namespace plinth
