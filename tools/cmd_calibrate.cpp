// plinth calibrate: the per-sensel equilibration procedure (schemas/calibration.md), either
// live from a running plinthd (unloaded mat, then known uniform loads) or offline from
// recorded files (--unloaded FILE --loaded FILE:KPA ...).
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>
#include <zmq.hpp>

#include "daemon/topics.hpp"
#include "plinth/proto/plinth.pb.h"
#include "tools/analyze/calibration_procedure.hpp"
#include "tools/commands.hpp"

namespace plinth::tools {
namespace {

struct CalibrateOptions {
  OfflineCalibrationOptions offline;
  std::string endpoint = "tcp://127.0.0.1:7460";
  std::string device;            // live: the mat's id
  double seconds = 10.0;         // live: recording time per stage
  double settle_s = 0.0;         // live, non-interactive: wait before each stage
  std::vector<double> loads_kpa; // live: the known loads, in order
  bool non_interactive = false;
};

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// Frames of one mat from the daemon's pressure.frame.<id> topic.
class LiveFrames {
 public:
  LiveFrames(const std::string& endpoint, const std::string& device) : socket_(context_, zmq::socket_type::sub) {
    topic_ = topics::for_device(topics::pressure_frame, device);
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::rcvhwm, 100000);
    socket_.set(zmq::sockopt::subscribe, topic_);
    socket_.connect(endpoint);
  }

  // Frames arriving during `seconds` from now; earlier queued ones are discarded first, so a
  // stage holds only what the mat measured under its load.
  std::vector<MatFrame> record(double seconds) {
    zmq::message_t part;
    while (socket_.recv(part, zmq::recv_flags::dontwait)) {
    }
    std::vector<MatFrame> frames;
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) <= 0) continue;
      zmq::message_t topic, payload;
      if (!socket_.recv(topic, zmq::recv_flags::dontwait) || !topic.more()) continue;
      if (!socket_.recv(payload, zmq::recv_flags::dontwait) || topic.to_string_view() != topic_) continue;
      v1::PressureFrame m;
      if (!m.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) continue;
      const std::size_t n = std::size_t{m.rows()} * m.cols();
      if (n == 0 || m.raw().size() != 2 * n || m.rows() > 65535 || m.cols() > 65535) continue;
      MatFrame f;
      f.rows = static_cast<std::uint16_t>(m.rows());
      f.cols = static_cast<std::uint16_t>(m.cols());
      f.device_seq = static_cast<std::uint32_t>(m.header().device_seq());
      f.device_time_us = m.header().device_time_us();
      f.suspect = m.suspect();
      f.raw.resize(n);
      const auto* bytes = reinterpret_cast<const unsigned char*>(m.raw().data());
      for (std::size_t i = 0; i < n; ++i)
        f.raw[i] = static_cast<std::uint16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
      frames.push_back(std::move(f));
    }
    if (frames.empty())
      throw std::runtime_error("no frames on " + topic_ + " within " + std::to_string(seconds) +
                               " s: is plinthd running and is the device id right?");
    return frames;
  }

 private:
  zmq::context_t context_;
  zmq::socket_t socket_;
  std::string topic_;
};

bool prompt(const std::string& text) {
  std::cerr << text << std::flush;
  std::string line;
  return static_cast<bool>(std::getline(std::cin, line));
}

std::vector<MatFrame> stage(LiveFrames& live, const CalibrateOptions& o, const std::string& what) {
  if (o.non_interactive) {
    if (o.settle_s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(o.settle_s));
  } else if (!prompt(what + ", then press Enter ")) {
    throw std::runtime_error("calibration cancelled");
  }
  std::cerr << "recording " << o.seconds << " s...\n";
  std::vector<MatFrame> frames = live.record(o.seconds);
  std::cerr << "  " << frames.size() << " frames\n";
  return frames;
}

void run_live(CalibrateOptions& o) {
  if (o.offline.output.empty()) throw std::runtime_error("give --output for the calibration file");
  if (o.non_interactive && o.loads_kpa.empty()) throw std::runtime_error("--non-interactive needs --load KPA");
  if (!o.offline.overwrite && std::filesystem::exists(o.offline.output))
    throw std::runtime_error(o.offline.output + " exists: choose another name or pass --force");
  LiveFrames live(o.endpoint, o.device);
  const std::vector<MatFrame> unloaded = stage(live, o, "Remove everything from the mat");
  std::vector<LoadedSet> sets;
  std::vector<double> loads = o.loads_kpa;
  for (std::size_t k = 0;; ++k) {
    if (k == loads.size()) {
      if (o.non_interactive) break;
      std::cerr << "Uniform pressure of the next load in kPa (empty to finish): " << std::flush;
      std::string line;
      if (!std::getline(std::cin, line) || line.empty()) break;
      loads.push_back(std::stod(line));
    }
    if (!(loads[k] > 0)) throw std::runtime_error("a load must be a pressure in kPa > 0");
    sets.push_back({stage(live, o, "Apply a uniform " + std::to_string(loads[k]) + " kPa over the whole mat"), loads[k]});
  }
  if (sets.empty()) throw std::runtime_error("no loads recorded: nothing to calibrate against");
  const CalibrationOutcome outcome =
      calibrate_from_frames(unloaded, sets, o.offline.curve, o.offline.device_serial, o.offline.created_at);
  save_calibration_file(o.offline.output, outcome.file);
  std::cout << calibration_report(outcome).dump() << '\n';
}

}  // namespace

void add_calibrate_command(CLI::App& app) {
  auto o = std::make_shared<CalibrateOptions>();
  auto* cmd = app.add_subcommand(
      "calibrate",
      "Make a per-sensel calibration file: live from plinthd (unloaded, then known uniform loads) or offline "
      "from recordings (--unloaded FILE --loaded FILE:KPA ...)");
  cmd->add_option("--output,-o", o->offline.output, "calibration file to write (JSON)")->required();
  cmd->add_flag("--force", o->offline.overwrite, "overwrite an existing output file");
  cmd->add_option("--curve", o->offline.curve, "global curve to fit: linear, power (needs 2+ loads) or table")
      ->capture_default_str()
      ->check(CLI::IsMember({"linear", "power", "table"}));
  cmd->add_option("--serial", o->offline.device_serial, "the mat's serial number, stored in the file");
  // Offline.
  cmd->add_option("--unloaded", o->offline.unloaded, "offline: recording of the unloaded mat");
  cmd->add_option("--loaded", o->offline.loaded, "offline: FILE:KPA, a recording under a known uniform load");
  cmd->add_option("--input", o->offline.data.input, "offline: auto, archive, recording or a mat driver name")
      ->capture_default_str();
  cmd->add_option("--rows", o->offline.data.rows, "offline: rows, for data that does not carry them");
  cmd->add_option("--cols", o->offline.data.cols, "offline: columns, for data that does not carry them");
  cmd->add_option("--archive-device", o->offline.data.device, "offline: which mat of an archive");
  // Live.
  cmd->add_option("--endpoint,-e", o->endpoint, "live: plinthd's data endpoint")->capture_default_str();
  cmd->add_option("--device,-d", o->device, "live: the mat's id (subscribes to pressure.frame.<id>)");
  cmd->add_option("--seconds", o->seconds, "live: recording time per stage")->capture_default_str();
  cmd->add_option("--load", o->loads_kpa, "live: known uniform loads in kPa, in order (else asked for)");
  cmd->add_flag("--non-interactive", o->non_interactive, "live: no prompts; record the stages back to back");
  cmd->add_option("--settle", o->settle_s, "live, non-interactive: seconds to wait before each stage");
  cmd->callback([o] {
    o->offline.created_at = utc_now_iso8601();
    if (!o->offline.unloaded.empty()) {
      if (!o->device.empty()) throw std::runtime_error("give either --unloaded (offline) or --device (live), not both");
      const CalibrationOutcome outcome = run_offline_calibration(o->offline);
      std::cout << calibration_report(outcome).dump() << '\n';
    } else if (!o->device.empty()) {
      run_live(*o);
    } else {
      throw std::runtime_error("give --unloaded FILE --loaded FILE:KPA (offline) or --device ID (live)");
    }
  });
}

}  // namespace plinth::tools
