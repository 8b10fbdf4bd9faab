#pragma once
// The words of a report: data-quality lines and the plain-language summary line, from the
// computed numbers only (pure).
#include <string>

#include "tools/report/report_model.hpp"

namespace plinth::report {

struct PainScores {
  double before = kNaN;  // the session's first pain score
  double after = kNaN;   // its last, if there were two or more
  std::size_t count = 0;
};
PainScores pain_before_after(const SessionReport& r);

// Fills r.quality and r.notices.
void describe_quality(SessionReport& r);

// One or two sentences a client can read: length, pain, heart rate and RMSSD first vs last,
// the relaxation readout at the end, where the pressure was highest, and the data quality.
std::string summary_line(const SessionReport& r);

}  // namespace plinth::report
