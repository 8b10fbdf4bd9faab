// Calibration curves, equilibration and the calibration file (schemas/calibration.md).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "daemon/pressure/calibration.hpp"
#include "daemon/pressure/calibration_fit.hpp"
#include "daemon/pressure/corrupt_frame.hpp"

namespace plinth {
namespace {

CalibrationCurve linear(double scale, PressureUnit unit) {
  CalibrationCurve c;
  c.kind = CurveKind::linear;
  c.scale = scale;
  c.unit = unit;
  return c;
}

TEST(PressureCalibration, LinearCurveScalesAndIsZeroAtOrBelowZero) {
  CalibrationCurve c = linear(0.5, PressureUnit::kpa);
  EXPECT_DOUBLE_EQ(evaluate_curve(c, 100.0), 50.0);
  EXPECT_DOUBLE_EQ(evaluate_curve(c, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(evaluate_curve(c, -7.0), 0.0);
}

TEST(PressureCalibration, PowerCurve) {
  CalibrationCurve c;
  c.kind = CurveKind::power;
  c.a = 2.0;
  c.b = 0.5;
  EXPECT_DOUBLE_EQ(evaluate_curve(c, 16.0), 8.0);  // 2 * sqrt(16)
  EXPECT_DOUBLE_EQ(evaluate_curve(c, 0.0), 0.0);
}

TEST(PressureCalibration, TableCurveInterpolatesFromOriginAndExtrapolatesLastSegment) {
  CalibrationCurve c;
  c.kind = CurveKind::table;
  c.table_x = {10.0, 20.0};
  c.table_p = {1.0, 3.0};
  ASSERT_NO_THROW(validate_curve(c));
  EXPECT_DOUBLE_EQ(evaluate_curve(c, 5.0), 0.5);   // (0,0)-(10,1)
  EXPECT_DOUBLE_EQ(evaluate_curve(c, 10.0), 1.0);
  EXPECT_DOUBLE_EQ(evaluate_curve(c, 15.0), 2.0);
  EXPECT_DOUBLE_EQ(evaluate_curve(c, 30.0), 5.0);  // slope 0.2 beyond the last point: no clipping
}

TEST(PressureCalibration, RejectsBadCurves) {
  CalibrationCurve c = linear(0.0, PressureUnit::kpa);
  EXPECT_THROW(validate_curve(c), std::invalid_argument);
  c.kind = CurveKind::table;
  c.table_x = {10.0, 5.0};
  c.table_p = {1.0, 2.0};
  EXPECT_THROW(validate_curve(c), std::invalid_argument);
  c.table_x = {5.0, 10.0};
  c.table_p = {2.0, 1.0};
  EXPECT_THROW(validate_curve(c), std::invalid_argument);
  c.kind = CurveKind::power;
  c.a = 1.0;
  c.b = std::nan("");
  EXPECT_THROW(validate_curve(c), std::invalid_argument);
}

TEST(PressureCalibration, CalibratorConvertsKpaToMmhgAndFlagsSaturationWithoutClipping) {
  Calibration cal;
  cal.curve = linear(0.5, PressureUnit::kpa);
  Calibrator calibrator(cal, 4, 1000, 0.0, 0.0);
  std::vector<std::uint16_t> raw = {0, 100, 1000, 2000};
  std::vector<float> out(4);
  std::vector<std::uint8_t> sat(4);
  EXPECT_EQ(calibrator.apply(raw, out, sat), 2u);
  EXPECT_FLOAT_EQ(out[0], 0.0f);
  EXPECT_NEAR(out[1], 50.0 / 0.133322, 1e-3);     // 375.03 mmHg
  EXPECT_NEAR(out[2], 500.0 / 0.133322, 1e-2);
  EXPECT_NEAR(out[3], 1000.0 / 0.133322, 1e-2);   // above saturation: still raw's value
  EXPECT_EQ(sat, (std::vector<std::uint8_t>{0, 0, 1, 1}));
}

TEST(PressureCalibration, NoiseThresholdZeroesSmallPressures) {
  Calibration cal;
  cal.curve = linear(1.0, PressureUnit::mmhg);
  Calibrator calibrator(cal, 4, 65535, 5.0, 0.0);
  std::vector<std::uint16_t> raw = {4, 5, 6, 100};
  std::vector<float> out(4);
  std::vector<std::uint8_t> sat(4);
  calibrator.apply(raw, out, sat);
  EXPECT_EQ(out, (std::vector<float>{0.0f, 0.0f, 6.0f, 100.0f}));
}

TEST(PressureCalibration, CalibratorRejectsWrongFrameSize) {
  Calibration cal;
  cal.curve = linear(1.0, PressureUnit::mmhg);
  Calibrator calibrator(cal, 4, 65535, 0.0, 0.0);
  std::vector<std::uint16_t> raw = {1, 2, 3};
  std::vector<float> out(4);
  std::vector<std::uint8_t> sat(4);
  EXPECT_THROW(calibrator.apply(raw, out, sat), std::invalid_argument);
}

// A 2x2 mat whose sensels have offsets {5, 10, 2, 20} and sensitivities {1, 2, 0.5, 0}
// counts per (10 counts/kPa): the fourth is dead.
MatFrame synthetic_frame(double kpa, int jitter) {
  const double offset[] = {5, 10, 2, 20};
  const double sensitivity[] = {1.0, 2.0, 0.5, 0.0};
  MatFrame f;
  f.rows = 2;
  f.cols = 2;
  for (int i = 0; i < 4; ++i)
    f.raw.push_back(static_cast<std::uint16_t>(std::lround(offset[i] + sensitivity[i] * 10.0 * kpa + jitter)));
  return f;
}

TEST(PressureCalibration, EquilibrationRecoversOffsetsAndGainsFromSyntheticFrames) {
  // Jitter +1/-1 averages out, so the means are exact.
  std::vector<MatFrame> unloaded = {synthetic_frame(0, 1), synthetic_frame(0, -1)};
  std::vector<LoadedSet> loaded = {{{synthetic_frame(10, 1), synthetic_frame(10, -1)}, 10.0},
                                   {{synthetic_frame(20, 0)}, 20.0}};
  EquilibrationFit fit = compute_equilibration(unloaded, loaded);
  EXPECT_EQ(fit.equilibration.offset, (std::vector<float>{5, 10, 2, 20}));
  // Unloaded values offset +1 and -1: sample SD sqrt((1 + 1) / (2 - 1)) = sqrt(2) everywhere.
  ASSERT_EQ(fit.equilibration.spread.size(), 4u);
  for (float sd : fit.equilibration.spread) EXPECT_FLOAT_EQ(sd, std::sqrt(2.0f));
  // Responses at 10 kPa: {100, 200, 50, 0}, mean 87.5; at 20 kPa: mean 175.
  ASSERT_EQ(fit.response.size(), 2u);
  EXPECT_DOUBLE_EQ(fit.response[0], 87.5);
  EXPECT_DOUBLE_EQ(fit.response[1], 175.0);
  EXPECT_FLOAT_EQ(fit.equilibration.gain[0], 0.875f);   // 87.5 / 100
  EXPECT_FLOAT_EQ(fit.equilibration.gain[1], 0.4375f);  // 87.5 / 200
  EXPECT_FLOAT_EQ(fit.equilibration.gain[2], 1.75f);    // 87.5 / 50
  EXPECT_FLOAT_EQ(fit.equilibration.gain[3], 0.0f);
  EXPECT_EQ(fit.dead_sensels, 1u);

  // With a linear curve through the two points, a 15 kPa load reads 15 kPa everywhere alive.
  Calibration cal;
  cal.equilibration = fit.equilibration;
  cal.curve = fit_linear_curve(fit.response, fit.known_kpa);
  EXPECT_NEAR(cal.curve.scale, 10.0 / 87.5, 1e-12);
  Calibrator calibrator(cal, 4, 65535, 0.0, 0.0);
  MatFrame probe = synthetic_frame(15, 0);
  std::vector<float> out(4);
  std::vector<std::uint8_t> sat(4);
  calibrator.apply(probe.raw, out, sat);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(out[static_cast<std::size_t>(i)], 15.0 / kKpaPerMmhg, 1e-3) << "sensel " << i;
  EXPECT_FLOAT_EQ(out[3], 0.0f);
}

TEST(PressureCalibration, ASingleUnloadedFrameMeasuresNoSpread) {
  std::vector<MatFrame> unloaded = {synthetic_frame(0, 0)};
  std::vector<LoadedSet> loaded = {{{synthetic_frame(10, 0)}, 10.0}};
  EXPECT_FALSE(compute_equilibration(unloaded, loaded).equilibration.has_spread());
}

// offset + k * spread: with offsets {5, 10, 2, 20}, spreads {1, 2, 0, 4} and k = 3 the floors
// are raw 8, 16, 2, 32; at or below them a sensel reads 0, above it keeps its full value
// (raw - offset), not the part above the floor.
TEST(PressureCalibration, PerSenselNoiseFloorZeroesRawWithinKSpreadsOfTheOffset) {
  Calibration cal;
  cal.curve = linear(1.0, PressureUnit::mmhg);
  cal.equilibration = Equilibration{2, 2, {5, 10, 2, 20}, {1, 1, 1, 1}, {1, 2, 0, 4}};
  std::vector<float> out(4);
  std::vector<std::uint8_t> sat(4);
  Calibrator k3(cal, 4, 65535, 0.0, 3.0);
  k3.apply(std::vector<std::uint16_t>{8, 16, 2, 32}, out, sat);
  EXPECT_EQ(out, (std::vector<float>{0, 0, 0, 0}));
  k3.apply(std::vector<std::uint16_t>{9, 17, 3, 33}, out, sat);
  EXPECT_EQ(out, (std::vector<float>{4, 7, 1, 13}));
  // k = 0 turns the per-sensel floor off: anything above the offset counts.
  Calibrator k0(cal, 4, 65535, 0.0, 0.0);
  k0.apply(std::vector<std::uint16_t>{6, 11, 3, 21}, out, sat);
  EXPECT_EQ(out, (std::vector<float>{1, 1, 1, 1}));
  // The mmHg threshold applies on top of it.
  Calibrator both(cal, 4, 65535, 5.0, 3.0);
  both.apply(std::vector<std::uint16_t>{9, 17, 8, 33}, out, sat);
  EXPECT_EQ(out, (std::vector<float>{0, 7, 6, 13}));
  EXPECT_THROW(Calibrator(cal, 4, 65535, 0.0, -1.0), std::invalid_argument);
  cal.equilibration.spread.pop_back();
  EXPECT_THROW(Calibrator(cal, 4, 65535, 0.0, 3.0), std::invalid_argument);
}

TEST(PressureCalibration, EquilibrationRejectsMixedGeometryAndBadLoads) {
  std::vector<MatFrame> unloaded = {synthetic_frame(0, 0)};
  MatFrame other;
  other.rows = 1;
  other.cols = 4;
  other.raw = {1, 2, 3, 4};
  std::vector<LoadedSet> mixed = {{{other}, 10.0}};
  EXPECT_THROW(compute_equilibration(unloaded, mixed), std::invalid_argument);
  std::vector<LoadedSet> zero = {{{synthetic_frame(10, 0)}, 0.0}};
  EXPECT_THROW(compute_equilibration(unloaded, zero), std::invalid_argument);
  EXPECT_THROW(compute_equilibration({}, zero), std::invalid_argument);
}

TEST(PressureCalibration, PowerFitRecoversExactPowerLaw) {
  std::vector<double> x = {10, 40, 90};
  std::vector<double> p;
  for (double v : x) p.push_back(3.0 * std::pow(v, 0.5));
  CalibrationCurve c = fit_power_curve(x, p);
  EXPECT_NEAR(c.a, 3.0, 1e-9);
  EXPECT_NEAR(c.b, 0.5, 1e-9);
  CalibrationCurve t = table_curve(std::vector<double>{40, 10}, std::vector<double>{4, 1});
  EXPECT_EQ(t.table_x, (std::vector<double>{10, 40}));
}

TEST(PressureCalibration, FileRoundTripsAndRejectsWrongSizes) {
  CalibrationFile f;
  f.equilibration = Equilibration{1, 2, {1.5f, 2.0f}, {1.0f, 0.5f}, {}};
  f.has_curve = true;
  f.curve.kind = CurveKind::table;
  f.curve.table_x = {1, 2};
  f.curve.table_p = {3, 4};
  f.device_serial = "SN1";
  const auto path = std::filesystem::temp_directory_path() / ("plinth_cal_" + std::to_string(::getpid()) + ".json");
  save_calibration_file(path.string(), f);
  CalibrationFile back = load_calibration_file(path.string());
  std::filesystem::remove(path);
  EXPECT_EQ(back.equilibration.offset, f.equilibration.offset);
  EXPECT_EQ(back.equilibration.gain, f.equilibration.gain);
  EXPECT_TRUE(back.has_curve);
  EXPECT_EQ(back.curve.kind, CurveKind::table);
  EXPECT_EQ(back.curve.table_p, f.curve.table_p);
  EXPECT_EQ(back.device_serial, "SN1");
  EXPECT_FALSE(back.equilibration.has_spread());  // a file without `spread` stays valid

  f.equilibration.spread = {0.5f, 2.25f};
  const CalibrationFile with_spread = parse_calibration_json(calibration_json(f));
  EXPECT_EQ(with_spread.equilibration.spread, f.equilibration.spread);
  EXPECT_THROW(parse_calibration_json(R"({"format":"plinth-calibration","format_version":1,"rows":1,"cols":2,
      "offset":[1,1],"gain":[1,1],"spread":[1]})"), CalibrationError);
  EXPECT_THROW(parse_calibration_json(R"({"format":"plinth-calibration","format_version":1,"rows":1,"cols":2,
      "offset":[1,1],"gain":[1,1],"spread":[1,-0.5]})"), CalibrationError);

  EXPECT_THROW(parse_calibration_json(R"({"format":"plinth-calibration","format_version":1,"rows":1,"cols":2,
      "offset":[1],"gain":[1,1]})"), CalibrationError);
  EXPECT_THROW(parse_calibration_json(R"({"format":"plinth-calibration","format_version":2,"rows":1,"cols":1,
      "offset":[1],"gain":[1]})"), CalibrationError);
  EXPECT_THROW(parse_calibration_json(R"({"format":"plinth-calibration","format_version":1,"rows":1,"cols":1,
      "offset":[1],"gain":[1],"curve":{"kind":"cubic"}})"), CalibrationError);
  EXPECT_THROW(parse_calibration_json("not json"), CalibrationError);
  EXPECT_THROW(load_calibration_file("/nonexistent/cal.json"), CalibrationError);
}

TEST(PressureCorruptFrame, FlagsHighByteOnlyFramesNotGenuineOnes) {
  std::vector<std::uint16_t> genuine(64);
  for (std::size_t i = 0; i < genuine.size(); ++i) genuine[i] = static_cast<std::uint16_t>(i * 7 % 300);
  genuine[3] = 256;  // one exact multiple happens in real data
  EXPECT_FALSE(looks_corrupt(genuine));
  std::vector<std::uint16_t> high_byte(genuine.size());
  for (std::size_t i = 0; i < genuine.size(); ++i) high_byte[i] = static_cast<std::uint16_t>((i % 15) * 256);
  EXPECT_TRUE(looks_corrupt(high_byte));
  EXPECT_FALSE(looks_corrupt(std::vector<std::uint16_t>(64, 0)));  // an empty mat is not corrupt
}

}  // namespace
}  // namespace plinth
