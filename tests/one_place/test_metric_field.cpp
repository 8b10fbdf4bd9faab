// The one-place claim for a per-frame metric (README "Code layout and the data path"): this file
// adds one row to the metrics table and nothing else. Linked into plinthd_test_metric only;
// tests/one_place/one_place_metric_test.py finds the metric in the archive's metrics columns,
// on the stream (PressureMetrics.extra) and in `plinth export`'s CSV, with the value below.
#include "daemon/pressure/pressure_pipeline.hpp"

namespace plinth {
namespace {

// A value the test can recompute from a typed metric of the same frame.
constexpr Field<PressureResult> kTestMetric[] = {
    {"test_twice_load_plus_one", [](const PressureResult& r) { return 2.0 * r.frame.total_load_n + 1.0; }, nullptr},
};

const MetricFieldExtension kRegistered(kTestMetric);

}  // namespace
}  // namespace plinth
