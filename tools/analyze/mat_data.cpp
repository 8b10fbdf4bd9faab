#include "tools/analyze/mat_data.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>

#include "drivers/sim/recording_reader.hpp"
#include "drivers/stream_decoder.hpp"
#include "tools/archive_reader.hpp"
#include "drivers/driver_registry.hpp"

namespace plinth {
namespace {

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw MatDataError("cannot open " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Text as recordings and text mats write it: printable ASCII, whitespace, a UTF-8 BOM.
bool looks_like_text(std::span<const std::uint8_t> bytes) {
  std::size_t start = 0;
  if (bytes.size() >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) start = 3;
  const std::size_t end = std::min<std::size_t>(bytes.size(), 1 << 16);
  for (std::size_t i = start; i < end; ++i) {
    const std::uint8_t b = bytes[i];
    const bool text = (b >= 0x20 && b < 0x7F) || b == '\n' || b == '\r' || b == '\t' || b == '\v' || b == '\f';
    if (!text) return false;
  }
  return true;
}

const DriverDescriptor& mat_driver(const std::string& name) {
  const DriverDescriptor* d = find_driver(name);
  if (!d || d->kind != DeviceKind::mat) {
    std::string known;
    for (const DriverDescriptor* dd : all_drivers())
      if (dd->kind == DeviceKind::mat) known += (known.empty() ? "" : ", ") + std::string(dd->name);
    throw MatDataError("unknown input '" + name + "' (auto, archive, recording, or a mat driver: " + known + ")");
  }
  return *d;
}

bool looks_like_hdf5(const std::filesystem::path& path) {
  static constexpr std::array<char, 8> kSignature = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  std::ifstream in(path, std::ios::binary);
  std::array<char, 8> head{};
  return in.read(head.data(), head.size()) && head == kSignature;
}

MatData load_archive(const std::filesystem::path& path, const MatDataOptions& options) {
  try {
    const ArchiveReader archive = ArchiveReader::open(path);
    std::vector<std::string> ids;
    for (const ArchiveDevice& d : archive.devices())
      if (d.kind == "mat") ids.push_back(d.id);
    std::string id = options.device;
    if (id.empty()) {
      if (ids.size() != 1) {
        std::string list;
        for (const auto& i : ids) list += (list.empty() ? "" : ", ") + i;
        throw MatDataError(path.string() + " holds " + std::to_string(ids.size()) + " mats (" + list +
                           "): choose one with --device");
      }
      id = ids.front();
    } else if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
      throw MatDataError(path.string() + " has no mat '" + id + "'");
    }
    const ArchiveDevice& device = *archive.device(id);
    MatData data;
    data.source = path.string();
    data.kind = "archive";
    data.device_id = id;
    data.rows = device.rows;
    data.cols = device.cols;
    const double pitch = number_of(device.attributes, "pitch_cm").value_or(0.0);
    data.pitch_row_cm = number_of(device.attributes, "pitch_row_cm").value_or(pitch);
    data.pitch_col_cm = number_of(device.attributes, "pitch_col_cm").value_or(pitch);
    data.archived_config = text_of(archive.attributes(), "config");
    const std::size_t n = archive.frame_count(id);
    // The one timeline where the archive has it: arrival jitter would show up as sway and speed.
    const std::vector<std::int64_t> times = archive.frame_timeline(id);
    const std::vector<std::uint32_t> seqs = archive.frame_seqs(id);
    const std::vector<std::uint64_t> device_times = archive.frame_device_times(id);
    data.frames.resize(n);
    data.time_ns.assign(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(std::min(n, times.size())));
    for (std::size_t i = 0; i < n; ++i) {
      MatFrame& f = data.frames[i];
      f.rows = data.rows;
      f.cols = data.cols;
      f.device_seq = i < seqs.size() ? seqs[i] : static_cast<std::uint32_t>(i);
      f.device_time_us = i < device_times.size() ? device_times[i] : 0;
      archive.read_frame(id, i, f.raw);
    }
    if (data.time_ns.size() != n) throw MatDataError(path.string() + ": fewer frame times than frames");
    data.timing = archive.has_frame_timeline(id)
                      ? "the archive's timeline (device clock mapped to host time, schemas/clock-model.md)"
                      : "host arrival times from the archive";
    if (options.rate_hz > 0) assign_frame_times(data, options.rate_hz, 0.0);
    return data;
  } catch (const ArchiveReadError& e) {
    throw MatDataError(e.what());
  }
}

MatData load_recording(const std::filesystem::path& path, const MatDataOptions& options) {
  sim::RecordingReadOptions read;
  read.rows = options.rows;
  read.cols = options.cols;
  sim::Recording rec;
  try {
    rec = sim::read_recording(path, read);
  } catch (const std::exception& e) {
    throw MatDataError(e.what());
  }
  MatData data;
  data.source = path.string();
  data.kind = "recording (" + std::string(sim::format_name(rec.format)) + ")";
  data.rows = rec.rows;
  data.cols = rec.cols;
  data.pitch_row_cm = data.pitch_col_cm = rec.pitch_cm;
  data.frames = std::move(rec.frames);
  // The reader derives device times from the nominal rate; say so rather than "device clock".
  if (options.rate_hz <= 0 && rec.nominal_rate_hz > 0) {
    assign_frame_times(data, rec.nominal_rate_hz, 0.0);
    data.timing = "frame times from the data set's nominal rate, " + std::to_string(rec.nominal_rate_hz) + " Hz";
  } else {
    assign_frame_times(data, options.rate_hz, 0.0);
  }
  return data;
}

}  // namespace

void assign_frame_times(MatData& data, double rate_hz, double nominal_rate_hz) {
  const std::size_t n = data.frames.size();
  data.time_ns.assign(n, 0);
  auto from_rate = [&](double hz) {
    for (std::size_t i = 0; i < n; ++i) data.time_ns[i] = static_cast<std::int64_t>(static_cast<double>(i) * 1e9 / hz);
  };
  if (rate_hz > 0) {
    from_rate(rate_hz);
    data.timing = "frame times from --rate " + std::to_string(rate_hz) + " Hz";
    return;
  }
  bool increasing = n >= 2;
  for (std::size_t i = 1; i < n && increasing; ++i)
    increasing = data.frames[i].device_time_us > data.frames[i - 1].device_time_us;
  if (increasing) {
    const std::uint64_t t0 = data.frames.front().device_time_us;
    for (std::size_t i = 0; i < n; ++i)
      data.time_ns[i] = static_cast<std::int64_t>(data.frames[i].device_time_us - t0) * 1000;
    data.timing = "frame times from the device clock";
  } else if (nominal_rate_hz > 0) {
    from_rate(nominal_rate_hz);
    data.timing = "frame times from the data's nominal rate, " + std::to_string(nominal_rate_hz) + " Hz";
  } else {
    from_rate(1.0);
    data.timing = "the data has no frame times: assumed 1 Hz (give --rate)";
  }
}

MatData decode_capture(std::span<const std::uint8_t> bytes, const DriverDescriptor& driver,
                       const DriverOptions& driver_options, double rate_hz) {
  MatData data;
  data.kind = "capture:" + std::string(driver.name);
  StepFunction step;
  try {
    step = driver.make_step(driver_options);
  } catch (const std::invalid_argument& e) {
    throw MatDataError(std::string(driver.name) + ": " + e.what() + " (give the mat's rows and cols)");
  }
  StreamDecoder decoder(std::move(step));
  decoder.feed(bytes, [&](StepOutcome outcome, const DecodedOutput& out) {
    if (outcome == StepOutcome::mat_frame) {
      if (!data.frames.empty() && (out.frame.rows != data.rows || out.frame.cols != data.cols))
        throw MatDataError("the capture changes geometry at frame " + std::to_string(data.frames.size()) + ": " +
                           std::to_string(out.frame.rows) + "x" + std::to_string(out.frame.cols) + " after " +
                           std::to_string(data.rows) + "x" + std::to_string(data.cols));
      data.rows = out.frame.rows;
      data.cols = out.frame.cols;
      data.frames.push_back(out.frame);
    } else if (outcome == StepOutcome::device_info) {
      data.info = out.info;
    }
  });
  const DecodeCounters& c = decoder.counters();
  if (c.crc_errors || c.framing_errors || c.garbage_bytes)
    data.decode_summary = std::to_string(c.crc_errors) + " CRC errors, " + std::to_string(c.framing_errors) +
                          " framing errors, " + std::to_string(c.garbage_bytes) + " garbage bytes";
  double nominal = 0.0;
  if (data.info) {
    if (data.info->pitch_mm > 0) data.pitch_row_cm = data.pitch_col_cm = data.info->pitch_mm / 10.0;
    nominal = data.info->frame_rate_mhz / 1000.0;
  }
  assign_frame_times(data, rate_hz, nominal);
  return data;
}

MatData load_mat_data(const std::filesystem::path& path, const MatDataOptions& options) {
  if (!std::filesystem::exists(path)) throw MatDataError(path.string() + ": no such file");
  std::string input = options.input.empty() ? "auto" : options.input;
  if (input == "archive" || (input == "auto" && looks_like_hdf5(path))) return load_archive(path, options);
  if (input == "recording") return load_recording(path, options);
  const std::vector<std::uint8_t> bytes = read_bytes(path);
  if (input == "auto") {
    if (looks_like_text(bytes)) return load_recording(path, options);
    if (!options.driver_hint.empty()) {
      input = options.driver_hint;
    } else if (const DriverDescriptor* sniffed = sniff_driver(DeviceKind::mat, bytes)) {
      input = std::string(sniffed->name);
    } else {
      throw MatDataError(path.string() +
                         ": cannot tell the format (binary, no plinth-mat sync word): give --input <driver>");
    }
  }
  const DriverDescriptor& driver = mat_driver(input);
  DriverOptions driver_options;
  driver_options.rows = options.rows;
  driver_options.cols = options.cols;
  MatData data = decode_capture(bytes, driver, driver_options, options.rate_hz);
  data.source = path.string();
  if (data.frames.empty())
    throw MatDataError(path.string() + ": no " + std::string(driver.name) + " frames in " +
                       std::to_string(bytes.size()) + " bytes" +
                       (data.decode_summary.empty() ? "" : " (" + data.decode_summary + ")"));
  return data;
}

}  // namespace plinth
