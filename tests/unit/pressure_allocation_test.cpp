// The pipeline allocates nothing per frame once it has seen its first frame.
#include <gtest/gtest.h>

#include "daemon/pressure/pressure_pipeline.hpp"

#include "tests/unit/counting_allocator.hpp"
#if defined(PLINTH_COUNTING_ALLOCATOR)

namespace plinth {
namespace {

TEST(PressureAllocation, NoHeapAllocationPerFrameAfterTheFirst) {
  for (double pitch : {2.54, 1.0}) {
    PressureConfig c;
    c.geometry = MatGeometry{64, 32, pitch, pitch};
    c.calibration.curve.kind = CurveKind::power;  // the per-sensel path, with equilibration
    c.calibration.curve.a = 0.2;
    c.calibration.curve.b = 0.9;
    c.calibration.equilibration = Equilibration{64, 32, std::vector<float>(2048, 3.0f), std::vector<float>(2048, 1.1f), {}};
    c.regions.push_back(rect_region("pelvis", c.geometry, 24, 4, 12, 24));
    c.dispersion_region = "pelvis";
    c.symmetry_axis = SymmetryAxis::principal;
    c.occupancy.on_hold_s = 0.0;
    PressurePipeline pipeline(c);
    MatFrame f;
    f.rows = 64;
    f.cols = 32;
    f.raw.assign(2048, 0);
    auto fill = [&](int k) {
      for (int r = 4; r < 60; ++r)
        for (int col = 6; col < 26; ++col)
          f.raw[static_cast<std::size_t>(r * 32 + col)] = static_cast<std::uint16_t>(200 + (r * 31 + col * 17 + k * 7) % 900);
    };
    fill(0);
    pipeline.process(f, 0);
    const long before = plinth::testing::allocations_on_this_thread;
    // 60 s at 20 Hz: the sway ring wraps many times, the exposure map keeps integrating.
    for (int k = 1; k <= 1200; ++k) {
      fill(k);
      pipeline.process(f, static_cast<std::int64_t>(k) * 50'000'000);
    }
    EXPECT_EQ(plinth::testing::allocations_on_this_thread - before, 0) << "pitch " << pitch;
    EXPECT_TRUE(pipeline.result().occupied);
    EXPECT_GT(pipeline.result().sway.samples, 100u);
  }
}

}  // namespace
}  // namespace plinth
#endif  // PLINTH_COUNTING_ALLOCATOR
