#pragma once
// A line under a set of points, for clock skew under one-sided delay. The start is the linear
// program of Moon, Skelly & Towsley (INFOCOM 1999), whose optimum is the lower convex hull's
// edge above the points' mean abscissa. One edge's slope rests on two points, though, so the
// slope is refitted by least squares through the lowest points of each of six stretches of the
// window (piecewise minima, as Paxson, SIGMETRICS 1998, calibrates transit times) and the line
// then lowered until no point lies below it.
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace plinth {

struct EnvelopePoint {
  double u = 0.0;  // abscissa, increasing from point to point
  double v = 0.0;  // ordinate
};

struct EnvelopeLine {
  double intercept = 0.0;  // v at u = 0
  double slope = 0.0;
  double at(double u) const { return intercept + slope * u; }
};

class LowerEnvelopeFit {
 public:
  explicit LowerEnvelopeFit(std::size_t max_points) {
    hull_.reserve(max_points);
    heights_.reserve(max_points);
  }

  // The hull edge above the points' mean u; empty with fewer than two distinct u.
  std::optional<EnvelopeLine> hull_edge(std::span<const EnvelopePoint> points);

  // A slope refitted through the lowest keep_fraction of each stretch's points (measured from the line
  // of the previous slope: start_slope if given, else the hull edge's), twice, then the line
  // under all points at that slope. Empty with fewer than two distinct u.
  std::optional<EnvelopeLine> fit(std::span<const EnvelopePoint> points, double keep_fraction,
                                  std::optional<double> start_slope = std::nullopt);

  // The highest line of the given slope that no point lies below.
  static EnvelopeLine under(std::span<const EnvelopePoint> points, double slope);

 private:
  std::optional<EnvelopeLine> refit_slope(std::span<const EnvelopePoint> points, const EnvelopeLine& line,
                                          double keep_fraction);

  static constexpr std::size_t kGroups = 6;

  std::vector<EnvelopePoint> hull_;  // reused, as heights_: no allocation once sized
  std::vector<double> heights_;
};

}  // namespace plinth
