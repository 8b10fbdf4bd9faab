#pragma once
// Pressure frames from a file, whatever made it: a Plinth session archive (.h5), a recorded
// data set in text form (drivers/sim/recording_reader.hpp: the Vista FSA and BodiTrak
// exports, and what text-mat devices print), or a raw byte capture of a mat's wire protocol
// (plinth-mat, text-mat, row-matrix), decoded by the registered driver's own step.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "drivers/driver_registry.hpp"
#include "drivers/samples.hpp"

namespace plinth {

class MatDataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MatDataOptions {
  // "auto", "archive", "recording", or a mat driver name (the bytes are a capture of it).
  // auto: the HDF5 signature means an archive; text means a recording; binary means a
  // capture in `driver_hint`'s protocol, else in the first mat driver whose sniff hook
  // recognises it (plinth-mat: its sync word occurs; row-matrix: the data starts with its
  // frame-start byte).
  std::string input = "auto";
  std::string driver_hint;   // e.g. the configured mat's driver
  std::string device;        // archive: which mat ("" = the only one)
  std::uint16_t rows = 0;    // geometry where the data does not carry it (0 = from the data)
  std::uint16_t cols = 0;
  double rate_hz = 0.0;      // frame times when > 0; else the data's own (see MatData::timing)
};

struct MatData {
  std::string source;
  std::string kind;          // "archive", "recording", "capture:<driver>"
  std::string device_id;     // archive: the mat read
  std::uint16_t rows = 0;
  std::uint16_t cols = 0;
  double pitch_row_cm = 0.0; // 0 if the data does not say
  double pitch_col_cm = 0.0;
  std::vector<MatFrame> frames;
  std::vector<std::int64_t> time_ns;  // one per frame; archives: host time, others: from 0
  std::string timing;                 // how time_ns was obtained, for the user
  std::string archived_config;        // archive: the session's effective TOML
  std::optional<DeviceInfo> info;     // capture: what the device said about itself
  std::string decode_summary;         // capture: the decoder's error counters, if any
};

MatData load_mat_data(const std::filesystem::path& path, const MatDataOptions& options);

// Pure: decode a byte capture with one driver; times follow the rules of load_mat_data.
MatData decode_capture(std::span<const std::uint8_t> bytes, const DriverDescriptor& driver,
                       const DriverOptions& driver_options, double rate_hz);

// Pure: fills data.time_ns and data.timing. rate_hz > 0 wins; else device times when they
// strictly increase; else `nominal_rate_hz` if > 0; else 1 Hz (said in `timing`).
void assign_frame_times(MatData& data, double rate_hz, double nominal_rate_hz);

}  // namespace plinth
