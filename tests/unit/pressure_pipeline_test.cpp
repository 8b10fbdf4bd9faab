// PressurePipeline: the pieces combined, deterministic, and flat for the archive.
#include <gtest/gtest.h>

#include <cmath>

#include "daemon/pressure/pressure_pipeline.hpp"
#include "pressure_test_support.hpp"

namespace plinth {
namespace {

using pressure_test::frame_of;
using pressure_test::identity_config;

constexpr std::int64_t kSecond = 1'000'000'000;

TEST(PressurePipeline, HandGridThroughThePipeline) {
  PressureConfig c = identity_config(4, 4, 2.0);
  c.saturation_raw = 40;
  c.regions.push_back(rect_region("lower", c.geometry, 2, 0, 2, 4));
  c.dispersion_region = "lower";
  PressurePipeline p(c);
  const PressureResult& r = p.process(frame_of(4, 4, {0, 0, 0, 0, 0, 10, 20, 0, 0, 30, 40, 0, 0, 0, 0, 0}), 0);
  EXPECT_FLOAT_EQ(r.pressure_mmhg[5], 10.0f);
  EXPECT_NEAR(r.frame.total_load_n, 5.33288, 1e-9);
  EXPECT_DOUBLE_EQ(r.frame.contact_area_cm2, 16.0);
  EXPECT_DOUBLE_EQ(r.frame.mean_pressure_mmhg, 25.0);
  EXPECT_DOUBLE_EQ(r.frame.peak_pressure_mmhg, 40.0);
  EXPECT_NEAR(r.frame.cop_row_cm, 4.4, 1e-12);
  EXPECT_NEAR(r.frame.cop_col_cm, 4.2, 1e-12);
  EXPECT_EQ(r.frame.saturated_count, 1u);
  EXPECT_EQ(r.saturated[10], 1);
  ASSERT_EQ(r.regions.size(), 1u);
  EXPECT_EQ(r.regions[0].name, "lower");
  EXPECT_DOUBLE_EQ(r.dispersion_index_pct, 70.0);
  EXPECT_NEAR(r.symmetry.symmetry_index_pct, -40.0, 1e-9);
  EXPECT_FALSE(r.suspect);
}

TEST(PressurePipeline, RejectsFramesOfTheWrongGeometry) {
  PressurePipeline p(identity_config(4, 4, 2.0));
  EXPECT_THROW(p.process(frame_of(2, 2, {1, 2, 3, 4}), 0), std::invalid_argument);
  MatFrame short_frame = frame_of(4, 4, {1, 2, 3});
  EXPECT_THROW(p.process(short_frame, 0), std::invalid_argument);
}

TEST(PressurePipeline, RejectsInvalidConfig) {
  PressureConfig c = identity_config(4, 4, 0.0);
  EXPECT_THROW(PressurePipeline{c}, std::invalid_argument);
  c = identity_config(4, 4, 1.0);
  c.dispersion_region = "nowhere";
  EXPECT_THROW(PressurePipeline{c}, std::invalid_argument);
}

MatFrame wobbling_frame(int k) {
  MatFrame f;
  f.rows = 8;
  f.cols = 8;
  f.raw.assign(64, 0);
  for (int r = 1; r < 7; ++r)
    for (int c = 2; c < 6; ++c) f.raw[static_cast<std::size_t>(r * 8 + c)] = static_cast<std::uint16_t>(100 + (r * 13 + c * 7 + k * 5) % 40);
  return f;
}

TEST(PressurePipeline, SameFramesAndTimesGiveIdenticalMetrics) {
  PressureConfig c = identity_config(8, 8, 2.54);
  c.occupancy.on_load_n = 1.0;
  c.occupancy.off_load_n = 0.5;
  c.occupancy.on_hold_s = 0.0;
  PressurePipeline a(c), b(c);
  const auto& names = PressurePipeline::metric_field_names();
  std::vector<double> va(names.size()), vb(names.size());
  for (int k = 0; k < 300; ++k) {
    const std::int64_t t = k * kSecond / 15;
    flatten_metrics(a.process(wobbling_frame(k), t), va);
    flatten_metrics(b.process(wobbling_frame(k), t), vb);
    for (std::size_t i = 0; i < va.size(); ++i)
      ASSERT_TRUE(va[i] == vb[i] || (std::isnan(va[i]) && std::isnan(vb[i]))) << names[i] << " at frame " << k;
  }
  EXPECT_TRUE(a.result().occupied);
  EXPECT_GT(a.result().sway.path_length_cm, 0.0);
  EXPECT_GT(a.result().movement_index_per_s, 0.0);
}

// process() leaves each frame's exposure for later (the daemon settles it after publishing):
// settled at once, left to the accessors, or fed to an accumulator directly, the map is the same.
TEST(PressurePipeline, ExposureIsTheSameWhetherSettledAtOnceOrLater) {
  PressureConfig c = identity_config(8, 8, 2.54);
  c.exposure_threshold_mmhg = 110.0;
  PressurePipeline settled(c), lazy(c);
  ExposureAccumulator direct(8, 8, c.exposure_threshold_mmhg, c.exposure_max_gap_s);
  ExposureMap from_settled, from_lazy;
  for (int k = 0; k < 60; ++k) {
    const std::int64_t t = k * kSecond / 10;
    const MatFrame f = wobbling_frame(k);
    settled.process(f, t);
    settled.settle_exposure();
    settled.settle_exposure();  // a second call adds nothing
    const PressureResult& r = lazy.process(f, t);
    direct.add(r.pressure_mmhg, t);
    if (k % 7 == 3) {
      settled.exposure_snapshot(from_settled);
      lazy.exposure_snapshot(from_lazy);  // includes frame k
      ASSERT_EQ(from_lazy.duration_s, direct.current().duration_s) << k;
      ASSERT_EQ(from_settled.duration_s, direct.current().duration_s) << k;
      ASSERT_EQ(from_lazy.pti_mmhg_s, direct.current().pti_mmhg_s) << k;
      ASSERT_EQ(from_settled.pti_mmhg_s, direct.current().pti_mmhg_s) << k;
      ASSERT_EQ(from_lazy.time_above_s, direct.current().time_above_s) << k;
    }
  }
  EXPECT_NEAR(lazy.exposure_map().duration_s, 5.9, 1e-9);
  EXPECT_GT(lazy.exposure_map().max_time_above_s, 0.0);
  // A frame still pending when a session starts belongs to the old one.
  lazy.process(wobbling_frame(60), 6 * kSecond);
  lazy.reset_session();
  lazy.process(wobbling_frame(61), 6 * kSecond + kSecond / 10);
  EXPECT_EQ(lazy.exposure_map().duration_s, 0.0);
}

TEST(PressurePipeline, FlattenFollowsTheFieldNames) {
  PressureConfig c = identity_config(4, 4, 2.0);
  c.regions.push_back(rect_region("all", c.geometry, 0, 0, 4, 4));
  PressurePipeline p(c);
  const PressureResult& r = p.process(frame_of(4, 4, {0, 0, 0, 0, 0, 10, 20, 0, 0, 30, 40, 0, 0, 0, 0, 0}), 0);
  const auto& names = PressurePipeline::metric_field_names();
  std::vector<double> v(names.size());
  flatten_metrics(r, v);
  auto field = [&](const std::string& name) {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return v[i];
    ADD_FAILURE() << "no field " << name;
    return 0.0;
  };
  EXPECT_DOUBLE_EQ(field("peak_pressure_mmhg"), 40.0);
  EXPECT_DOUBLE_EQ(field("contact_sensels"), 4.0);
  EXPECT_DOUBLE_EQ(field("ppi_mmhg"), 35.0);
  EXPECT_NEAR(field("cop_col_cm"), 4.2, 1e-12);
  EXPECT_NEAR(field("symmetry_index_pct"), -40.0, 1e-9);
  std::vector<double> too_small(names.size() - 1);
  EXPECT_THROW(flatten_metrics(r, too_small), std::invalid_argument);

  EXPECT_EQ(p.region_field_names(), (std::vector<std::string>{"region.all.load_n", "region.all.contact_area_cm2",
                                                              "region.all.peak_pressure_mmhg", "region.all.mean_pressure_mmhg"}));
  std::vector<double> rv(4);
  flatten_region_metrics(r, rv);
  EXPECT_NEAR(rv[0], 5.33288, 1e-9);
  EXPECT_DOUBLE_EQ(rv[2], 40.0);
}

}  // namespace
}  // namespace plinth
