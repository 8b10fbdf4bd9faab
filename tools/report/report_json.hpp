#pragma once
// A session report as JSON (schemas/report.md §JSON): what `plinth report --json` prints and
// the dashboard's session summary fetches. NaN is null. `with_maps` adds the three maps and
// the chart series (large); without them it is a few kilobytes.
#include <string>

#include "tools/report/report_model.hpp"

namespace plinth::report {

std::string report_json(const SessionReport& report, bool with_maps);

}  // namespace plinth::report
