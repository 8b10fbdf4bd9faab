#include "daemon/hrv/pns_index.hpp"

#include <cmath>
#include <limits>

namespace plinth {

double pns_index(double mean_rr_ms, double rmssd_ms, double sd1_ms, const PnsNorms& n) {
  if (!(mean_rr_ms > 0.0) || std::isnan(rmssd_ms) || std::isnan(sd1_ms)) return std::numeric_limits<double>::quiet_NaN();
  const double sd1_pct = 100.0 * sd1_ms / mean_rr_ms;
  const double z_rr = (mean_rr_ms - n.mean_rr_ms) / n.mean_rr_sd_ms;
  const double z_rmssd = (rmssd_ms - n.rmssd_ms) / n.rmssd_sd_ms;
  const double z_sd1 = (sd1_pct - n.sd1_pct) / n.sd1_sd_pct;
  return (z_rr + z_rmssd + z_sd1) / 3.0;
}

}  // namespace plinth
