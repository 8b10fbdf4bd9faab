// Every row of the per-frame metrics table reaches pressure.metrics: a typed PressureMetrics field
// where there is one, otherwise PressureMetrics.extra under its archive column name.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "daemon/messages.hpp"
#include "daemon/pressure/pressure_pipeline.hpp"
#include "plinth/proto/plinth.pb.h"

namespace plinth {
namespace {

v1::PressureMetrics encode_decode(const PressureResult& result) {
  std::string bytes;
  encode_pressure_metrics(MessageHeader{.session_id = "s", .host_time_ns = 1, .device_id = "mat0"}, result, bytes);
  v1::PressureMetrics decoded;
  EXPECT_TRUE(decoded.ParseFromString(bytes));
  return decoded;
}

TEST(MetricsMessage, RowsWithoutATypedFieldGoInExtraWithTheirArchivedValues) {
  PressureResult result;
  double v = 1.0;
  for (const auto& field : pressure_metric_fields())
    if (field.restore) field.restore(result, v++);
  const v1::PressureMetrics m = encode_decode(result);
  std::map<std::string, double> extra;
  for (const auto& named : m.extra()) EXPECT_TRUE(extra.emplace(named.name(), named.value()).second) << named.name();
  // The rows v1 of the message has no field for (schemas/pressure-metrics.md).
  const std::set<std::string> untyped = {"peak_row", "peak_col", "suspect", "dispersion_index_pct", "sway_samples"};
  std::set<std::string> names;
  for (const auto& [name, value] : extra) names.insert(name);
  EXPECT_EQ(names, untyped);
  for (const auto& field : pressure_metric_fields()) {
    const auto it = extra.find(std::string(field.name));
    if (it != extra.end()) {
      EXPECT_EQ(it->second, field.value(result)) << field.name;
    }
  }
  // Typed fields keep their values (a sample of each kind of row).
  EXPECT_EQ(m.total_load_n(), result.frame.total_load_n);
  EXPECT_EQ(m.peak_pressure_index_mmhg(), result.frame.ppi_mmhg);
  EXPECT_EQ(m.sway().ellipse95_area_cm2(), result.sway.ellipse95_area_cm2);
  EXPECT_EQ(m.movement_index(), result.movement_index_per_s);
}

TEST(MetricsMessage, AReusedMessageKeepsExactlyOneEntryPerUntypedRow) {
  PressureResult result;
  const auto first = encode_decode(result);
  result.dispersion_index_pct = 12.5;
  const auto second = encode_decode(result);
  ASSERT_EQ(first.extra_size(), second.extra_size());
  for (const auto& named : second.extra()) {
    if (named.name() == "dispersion_index_pct") {
      EXPECT_EQ(named.value(), 12.5);
    }
  }
}

}  // namespace
}  // namespace plinth
