#pragma once
// Raw sensel counts -> pressure, as specified in schemas/calibration.md:
//   raw <= offset[i] + k * spread[i]      reads 0 (per-sensel noise floor, when measured)
//   x = (raw - offset[i]) * gain[i]       per-sensel equilibration (identity if absent)
//   P = curve(x)                          one global curve: linear, power law or table
//   P <= noise_threshold_mmhg             reads 0
// Pure functions over plain values; the only I/O is load/save of the equilibration file.
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>


namespace plinth {

inline constexpr double kKpaPerMmhg = 0.133322;  // 1 mmHg = 133.322 Pa

enum class PressureUnit { kpa, mmhg };
enum class CurveKind { linear, power, table };

struct CalibrationCurve {
  CurveKind kind = CurveKind::linear;
  PressureUnit unit = PressureUnit::kpa;  // unit of the curve's output
  double scale = 1.0;                     // linear: P = scale * x
  double a = 1.0;                         // power:  P = a * x^b
  double b = 1.0;
  std::vector<double> table_x;            // table: strictly increasing x ...
  std::vector<double> table_p;            // ... and P at those x (piecewise linear)
};

// Pressure in the curve's unit for an equilibrated value x (x <= 0 gives 0).
double evaluate_curve(const CalibrationCurve& curve, double x);
// Throws std::invalid_argument if the curve is unusable (non-finite, not increasing...).
void validate_curve(const CalibrationCurve& curve);

// Per-sensel zero offset and gain. Empty vectors mean identity (offset 0, gain 1).
struct Equilibration {
  std::uint16_t rows = 0;
  std::uint16_t cols = 0;
  std::vector<float> offset;  // raw counts: mean of the unloaded frames
  std::vector<float> gain;    // dimensionless; 0 marks a dead sensel
  std::vector<float> spread;  // raw counts: sample SD of the unloaded frames; empty = not measured
  bool empty() const { return offset.empty(); }
  bool has_spread() const { return !spread.empty(); }
};

struct Calibration {
  Equilibration equilibration;
  CalibrationCurve curve;
  std::string source;  // where it came from (file path or "config"), for the archive
};

class CalibrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The calibration file (schemas/calibration.md): JSON with offsets, gains and optionally
// the curve. `has_curve` tells whether the file carried one.
struct CalibrationFile {
  Equilibration equilibration;
  bool has_curve = false;
  CalibrationCurve curve;
  std::string device_serial;
  std::string created_at;
};
CalibrationFile load_calibration_file(const std::string& path);       // throws CalibrationError
CalibrationFile parse_calibration_json(const std::string& text);      // throws CalibrationError
std::string calibration_json(const CalibrationFile& file);
void save_calibration_file(const std::string& path, const CalibrationFile& file);

// --- Per frame ------------------------------------------------------------------------------
// Applies a Calibration to raw frames. Construction precomputes; apply() is const, pure and
// allocation-free.
class Calibrator {
 public:
  // noise_floor_sd (k): with a measured spread, raw <= offset + k * spread reads 0; 0 turns
  // the per-sensel floor off. noise_threshold_mmhg applies on top, to every sensel.
  Calibrator(const Calibration& calibration, std::size_t sensels, std::uint16_t saturation_raw,
             double noise_threshold_mmhg, double noise_floor_sd);

  // Writes pressure in mmHg to out_mmhg and 1/0 to saturated; returns the saturated count.
  // Saturated sensels keep the pressure their raw value gives (a lower bound), never clipped.
  std::uint32_t apply(std::span<const std::uint16_t> raw, std::span<float> out_mmhg,
                      std::span<std::uint8_t> saturated) const;

  std::size_t sensels() const { return sensels_; }

 private:
  float pressure_mmhg(std::size_t i, std::uint16_t raw) const;

  Calibration calibration_;
  std::size_t sensels_;
  std::uint16_t saturation_raw_;
  double noise_threshold_mmhg_;
  double to_mmhg_;
  std::vector<float> lookup_mmhg_;  // by raw value, when there is no equilibration
  std::vector<double> floor_raw_;   // offset + k * spread per sensel; empty without a spread
};

}  // namespace plinth
