// Writes the seed corpora of tests/fuzz/corpus/ from the protocols' own encoders and
// simulators, so the fuzzers start from valid messages instead of guessing sync words and
// CRCs. Usage: fuzz_make_corpus <corpus dir> <plinthd.example.toml>. Deterministic: running
// it again rewrites the same files.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "drivers/ant_plus.hpp"
#include "drivers/ble_heart_rate.hpp"
#include "drivers/driver_registry.hpp"
#include "tests/fuzz/stream_fuzz_input.hpp"

namespace plinth::fuzz {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

void write_seed(const fs::path& dir, const std::string& name, const Bytes& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                     static_cast<std::streamsize>(bytes.size()));
}
void write_seed(const fs::path& dir, const std::string& name, const std::string& text) {
  write_seed(dir, name, Bytes(text.begin(), text.end()));
}

// What a device of this protocol sends: its answers to the host's set-up, then frames or beats.
Bytes device_stream(const DriverDescriptor& d, const DriverOptions& options, int messages) {
  DeviceInfo info;
  info.model = "fuzz";
  info.serial = "S1";
  info.firmware = "1.0";
  info.rows = options.rows;
  info.cols = options.cols;
  info.adc_bits = 12;
  info.pitch_mm = 25.4f;
  info.frame_rate_mhz = 25000;
  auto sim = d.make_sim(options, info);
  Bytes out;
  sim->on_host_bytes(d.open_request(options), out);
  if (d.make_host_session) {
    auto session = d.make_host_session(options);
    Bytes request = session->start();
    for (int i = 0; i < 16 && !request.empty(); ++i) {
      const std::size_t before = out.size();
      sim->on_host_bytes(request, out);
      // Feed the stick's answers back through the driver, as the daemon does.
      request.clear();
      StreamDecoder decoder(d.make_step(options));
      decoder.feed({out.data() + before, out.size() - before}, [&](StepOutcome o, const DecodedOutput& m) {
        if (o != StepOutcome::control) return;
        Bytes next = session->on_control(m);
        request.insert(request.end(), next.begin(), next.end());
      });
    }
  }
  for (int i = 0; i < messages; ++i) {
    if (d.kind == DeviceKind::mat) {
      MatFrame f;
      f.device_seq = static_cast<std::uint32_t>(i);
      f.device_time_us = 40000u * static_cast<std::uint64_t>(i);
      f.rows = options.rows;
      f.cols = options.cols;
      for (std::size_t k = 0; k < std::size_t{f.rows} * f.cols; ++k)
        f.raw.push_back(static_cast<std::uint16_t>((k * 37 + static_cast<std::size_t>(i) * 101) % 4096));
      sim->encode_frame(f, out);
    } else {
      HeartSample s;
      s.rr_1024 = static_cast<std::uint16_t>(820 + 17 * i);
      s.hr_bpm = static_cast<std::uint16_t>(72 + i);
      s.contact = true;
      sim->encode_heart(s, out);
    }
  }
  return out;
}

void driver_seeds(const fs::path& corpus) {
  const auto& drivers = all_drivers();
  for (std::size_t index = 0; index < drivers.size(); ++index) {
    const DriverDescriptor& d = *drivers[index];
    std::string id(d.name);
    for (char& c : id)
      if (c == '-') c = '_';
    const fs::path dir = corpus / ("driver_" + id);
    const fs::path any = corpus / "driver_any";
    int n = 0;
    for (auto [rows, cols] : {std::pair<std::uint16_t, std::uint16_t>{3, 4}, {2, 2}, {1, 5}}) {
      DriverOptions options;
      options.rows = rows;
      options.cols = cols;
      options.values["ant_network_key"] = std::string(kDummyAntKey);
      const Bytes wire = device_stream(d, options, rows == 3 ? 4 : 2);
      Bytes broken = wire;  // garbage in front, a flipped bit, a dropped byte
      broken.insert(broken.begin(), {0x00, 0xA5, 0xFE, 0xA4, '\n', '7'});
      if (broken.size() > 20) broken[broken.size() / 2] ^= 0x10;
      if (broken.size() > 40) broken.erase(broken.begin() + static_cast<std::ptrdiff_t>(broken.size() / 3));
      const Bytes one_read{};
      const Bytes odd_reads{0, 1, 6, 30};  // chunk sizes 1, 2, 7, 31
      const std::vector<Bytes> inputs = {make_stream_input(rows, cols, one_read, wire),
                                         make_stream_input(rows, cols, odd_reads, wire),
                                         make_stream_input(rows, cols, odd_reads, broken)};
      for (const Bytes& input : inputs) {
        const std::string name = "seed-" + std::to_string(n++);
        write_seed(dir, name, input);
        Bytes tagged{static_cast<std::uint8_t>(index)};
        tagged.insert(tagged.end(), input.begin(), input.end());
        write_seed(any, id + "-" + name, tagged);
      }
    }
  }
}

void ble_seeds(const fs::path& dir) {
  HeartRateMeasurement rate_only;
  rate_only.hr_bpm = 64;
  HeartRateMeasurement full;
  full.hr_bpm = 300;
  full.contact = true;
  full.energy_kj = 1234;
  full.rr_1024 = {800, 812, 790};
  HeartRateMeasurement many;
  many.hr_bpm = 72;
  many.contact = false;
  many.rr_1024 = {850, 851, 852, 853, 854, 855, 856, 857, 858};
  write_seed(dir, "rate-only", encode_heart_rate_measurement(rate_only));
  write_seed(dir, "rate16-contact-energy-rr", encode_heart_rate_measurement(full));
  write_seed(dir, "nine-rr", encode_heart_rate_measurement(many));
  write_seed(dir, "forced-rate16", encode_heart_rate_measurement(many, true));
}

// The ANT session target's operations (ant_session_fuzz.cpp): a stick answering every set-up
// step, then pages of a strap, a dropout with missed beats, a stick reset and a key.
void ant_session_seeds(const fs::path& dir) {
  using namespace ant;
  auto answer = [](Bytes& ops, std::uint8_t id, Bytes payload) {
    ops.push_back(2);
    ops.push_back(id);
    ops.push_back(static_cast<std::uint8_t>(payload.size()));
    ops.insert(ops.end(), payload.begin(), payload.end());
  };
  auto page = [](Bytes& ops, std::uint8_t number, std::uint16_t previous, std::uint16_t time, std::uint8_t count) {
    ops.insert(ops.end(), {0, number, 0xFF, static_cast<std::uint8_t>(previous), static_cast<std::uint8_t>(previous >> 8),
                           static_cast<std::uint8_t>(time), static_cast<std::uint8_t>(time >> 8), count, 72});
  };
  Bytes ops{0};  // channel 0, network 0, any strap
  answer(ops, msg::kStartup, {0x20});
  for (std::uint8_t id : {msg::kSetNetworkKey, msg::kAssignChannel, msg::kChannelId, msg::kChannelPeriod,
                          msg::kRfFrequency, msg::kOpenChannel})
    answer(ops, msg::kChannelEvent, {0, id, kResponseNoError});
  std::uint16_t time = 1000;
  std::uint8_t count = 10;
  for (int i = 0; i < 12; ++i) {
    const std::uint16_t previous = time;
    time = static_cast<std::uint16_t>(time + 830);
    ++count;
    page(ops, static_cast<std::uint8_t>(4 | ((i / 4) & 1) << 7), previous, time, count);
    if (i % 3 == 0) page(ops, static_cast<std::uint8_t>(4 | ((i / 4) & 1) << 7), previous, time, count);  // repeat
  }
  write_seed(dir, "setup-and-beats", ops);

  Bytes dropout = ops;
  page(dropout, 0x84, static_cast<std::uint16_t>(time + 2400), static_cast<std::uint16_t>(time + 3300), count + 4);
  answer(dropout, msg::kChannelEvent, {0, kEventMarker, kEventChannelClosed});
  dropout.push_back(1);  // tracker reset
  answer(dropout, msg::kStartup, {0x01});
  dropout.insert(dropout.end(), {3, 3, 3, 3});  // timeouts until the set-up gives up
  answer(dropout, msg::kChannelEvent, {0, msg::kAssignChannel, kChannelInWrongState});
  dropout.push_back(4);
  const std::string key = "01:23:45:67:89:AB:CD:EF";
  dropout.push_back(5);
  dropout.push_back(static_cast<std::uint8_t>(key.size()));
  dropout.insert(dropout.end(), key.begin(), key.end());
  write_seed(dir, "dropout-reset-timeouts", dropout);

  Bytes rejected{9};  // channel 1, network 1
  answer(rejected, msg::kStartup, {0x20});
  answer(rejected, msg::kChannelEvent, {1, msg::kSetNetworkKey, 0x29});
  write_seed(dir, "rejected-key", rejected);
}

void control_seeds(const fs::path& dir) {
  const std::vector<std::pair<std::string, std::string>> requests = {
      {"status", R"({"cmd":"status"})"},
      {"start", R"({"cmd":"session.start","subject":"client-0042"})"},
      {"stop", R"({"cmd":"session.stop"})"},
      {"marker", R"({"cmd":"marker","label":"effleurage","value":2.5,"detail":"upper back"})"},
      {"pain", R"({"cmd":"pain","score":7,"detail":"lower back, left"})"},
      {"pain-out-of-range", R"({"cmd":"pain","score":11})"},
      {"baseline", R"({"cmd":"baseline","seconds":120})"},
      {"hrv", R"({"cmd":"hrv","window_s":60})"},
      {"unknown", R"({"cmd":"reboot","x":[1,2,{"y":null}]})"},
      {"unicode", "{\"cmd\":\"marker\",\"label\":\"p\\u00e9trissage \xc3\xa9\"}"},
  };
  for (const auto& [name, text] : requests) write_seed(dir, name, text);
}

void config_seeds(const fs::path& dir, const fs::path& example) {
  std::ifstream in(example, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  write_seed(dir, "example", text.str());
  write_seed(dir, "text-mat-table", R"(subject = "c-001"
archive_dir = "/tmp/plinth-fuzz"
[[mat]]
id = "diy"
driver = "text-mat"
port = "/dev/ttyUSB0"
baud = 115200
rows = 16
cols = 16
pitch_cm = 1.5
[mat.calibration]
curve = "table"
unit = "mmHg"
points = [[10, 1.0], [20, 3.0], [400, 60.0]]
)");
  write_seed(dir, "ant-strap-power", R"(auto_start = false
[network]
data = "ipc:///tmp/plinth-data"
control = "tcp://127.0.0.1:7461"
[[mat]]
id = "seat"
driver = "row-matrix"
usb_vid = 0x0403
usb_pid = 0x6001
rows = 32
cols = 32
pitch_cm = 1.27
[mat.calibration]
curve = "power"
unit = "kPa"
a = 0.01
b = 1.2
[[heart]]
id = "ant"
driver = "ant-hrm"
port = "/dev/ttyUSB1"
ant_network_key = "00 11 22 33 44 55 66 77"
ant_device_number = 4242
)");
}

}  // namespace
}  // namespace plinth::fuzz

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz_make_corpus <corpus dir> <plinthd.example.toml>\n";
    return 2;
  }
  using namespace plinth::fuzz;
  const std::filesystem::path corpus = argv[1];
  driver_seeds(corpus);
  ble_seeds(corpus / "ble_heart_rate");
  ant_session_seeds(corpus / "ant_session");
  control_seeds(corpus / "control_request");
  config_seeds(corpus / "daemon_config", argv[2]);
  return 0;
}
