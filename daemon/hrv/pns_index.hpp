#pragma once
// Parasympathetic (PNS) index in the manner of Kubios HRV: the mean of the z-scores of
// MeanRR, RMSSD and SD1 (normalised, % of MeanRR) against resting norms. The norms and
// where they come from: schemas/hrv.md ("PNS index").
namespace plinth {

struct PnsNorms {
  // Nunan, Sandercock & Brodie (2010), Pacing Clin Electrophysiol 33(11):1407-1417.
  double mean_rr_ms = 926.0, mean_rr_sd_ms = 90.0;
  double rmssd_ms = 42.0, rmssd_sd_ms = 15.0;
  // Derived from the RMSSD norm (SD1 = RMSSD / sqrt 2, as % of MeanRR 926 ms); see the spec.
  double sd1_pct = 3.207, sd1_sd_pct = 1.145;
};

// NaN if any input is NaN or MeanRR <= 0.
double pns_index(double mean_rr_ms, double rmssd_ms, double sd1_ms, const PnsNorms& norms = {});

}  // namespace plinth
