#include "drivers/plinth_mat.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <boost/crc.hpp>
#include <cstring>

namespace plinth::mat_protocol {
namespace {

std::uint16_t get_u16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t get_u32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint64_t get_u64(const std::uint8_t* p) {
  return static_cast<std::uint64_t>(get_u32(p)) | (static_cast<std::uint64_t>(get_u32(p + 4)) << 32);
}
void put_u16(std::vector<std::uint8_t>& o, std::uint16_t v) {
  o.push_back(static_cast<std::uint8_t>(v));
  o.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put_u32(std::vector<std::uint8_t>& o, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) o.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_u64(std::vector<std::uint8_t>& o, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) o.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_string(std::vector<std::uint8_t>& o, const std::string& s) {
  std::size_t n = std::min<std::size_t>(s.size(), 255);
  o.push_back(static_cast<std::uint8_t>(n));
  o.insert(o.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
}

bool decode_frame(std::span<const std::uint8_t> p, MatFrame& f) {
  if (p.size() < kFrameFixedSize) return false;
  const std::uint16_t rows = get_u16(&p[12]);
  const std::uint16_t cols = get_u16(&p[14]);
  const std::uint8_t encoding = p[16];
  if (rows == 0 || cols == 0) return false;
  const std::size_t n = std::size_t{rows} * cols;
  std::size_t width = 0;
  if (encoding == static_cast<std::uint8_t>(Encoding::raw16)) width = 2;
  else if (encoding == static_cast<std::uint8_t>(Encoding::raw8)) width = 1;
  else return false;
  if (p.size() != kFrameFixedSize + n * width) return false;
  f.device_seq = get_u32(&p[0]);
  f.device_time_us = get_u64(&p[4]);
  f.rows = rows;
  f.cols = cols;
  f.suspect = false;
  f.raw.resize(n);
  const std::uint8_t* v = p.data() + kFrameFixedSize;
  if (width == 2) {
    // The wire is little-endian like the host: one block copy instead of a loop per value.
    if constexpr (std::endian::native == std::endian::little) std::memcpy(f.raw.data(), v, 2 * n);
    else for (std::size_t i = 0; i < n; ++i) f.raw[i] = get_u16(v + 2 * i);
  } else {
    for (std::size_t i = 0; i < n; ++i) f.raw[i] = v[i];
  }
  return true;
}

bool read_string(std::span<const std::uint8_t> p, std::size_t& at, std::string& s) {
  if (at >= p.size()) return false;
  std::size_t n = p[at++];
  if (at + n > p.size()) return false;
  s.assign(reinterpret_cast<const char*>(p.data() + at), n);
  at += n;
  return true;
}

bool decode_info(std::span<const std::uint8_t> p, DeviceInfo& info) {
  if (p.size() < 13) return false;
  info.rows = get_u16(&p[0]);
  info.cols = get_u16(&p[2]);
  info.adc_bits = p[4];
  info.pitch_mm = static_cast<float>(get_u32(&p[5])) / 1000.0f;
  info.frame_rate_mhz = get_u32(&p[9]);
  std::size_t at = 13;
  return read_string(p, at, info.model) && read_string(p, at, info.serial) &&
         read_string(p, at, info.firmware);
}

}  // namespace

std::uint16_t crc16_ccitt_false(std::span<const std::uint8_t> bytes) {
  boost::crc_optimal<16, 0x1021, 0xFFFF, 0, false, false> crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

// zlib's CRC-32 is the same CRC (IEEE 802.3, reflected, init and xor-out 0xFFFFFFFF) and
// processes several bytes per step; Boost's byte table took a third of the CPU per frame.
std::uint32_t crc32_ieee(std::span<const std::uint8_t> bytes) {
  return static_cast<std::uint32_t>(::crc32_z(0, bytes.data(), bytes.size()));
}

void encode_message(Type type, std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out) {
  const std::size_t begin = out.size();
  out.push_back(kSync0);
  out.push_back(kSync1);
  out.push_back(kVersion);
  out.push_back(static_cast<std::uint8_t>(type));
  put_u16(out, static_cast<std::uint16_t>(payload.size()));
  put_u16(out, crc16_ccitt_false({out.data() + begin, 6}));
  out.insert(out.end(), payload.begin(), payload.end());
  put_u32(out, crc32_ieee({out.data() + begin, out.size() - begin}));
}

void encode_frame(const MatFrame& frame, Encoding encoding, std::vector<std::uint8_t>& out,
                  bool saturation_flag) {
  const std::size_t n = std::size_t{frame.rows} * frame.cols;
  const std::size_t payload_size = kFrameFixedSize + n * (encoding == Encoding::raw16 ? 2 : 1);
  // Build the message in place to avoid a payload copy: header, payload, then both CRCs.
  const std::size_t begin = out.size();
  out.reserve(begin + kHeaderSize + payload_size + kTrailerSize);
  out.push_back(kSync0);
  out.push_back(kSync1);
  out.push_back(kVersion);
  out.push_back(static_cast<std::uint8_t>(Type::frame));
  put_u16(out, static_cast<std::uint16_t>(payload_size));
  put_u16(out, crc16_ccitt_false({out.data() + begin, 6}));
  put_u32(out, frame.device_seq);
  put_u64(out, frame.device_time_us);
  put_u16(out, frame.rows);
  put_u16(out, frame.cols);
  out.push_back(static_cast<std::uint8_t>(encoding));
  out.push_back(saturation_flag ? 1 : 0);
  const std::size_t values_at = out.size();
  out.resize(values_at + (payload_size - kFrameFixedSize));
  std::uint8_t* v = out.data() + values_at;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint16_t value = i < frame.raw.size() ? frame.raw[i] : 0;
    if (encoding == Encoding::raw16) {
      v[2 * i] = static_cast<std::uint8_t>(value);
      v[2 * i + 1] = static_cast<std::uint8_t>(value >> 8);
    } else {
      v[i] = static_cast<std::uint8_t>(std::min<std::uint16_t>(value, 255));
    }
  }
  put_u32(out, crc32_ieee({out.data() + begin, out.size() - begin}));
}

void encode_info(const DeviceInfo& info, std::vector<std::uint8_t>& out) {
  std::vector<std::uint8_t> p;
  put_u16(p, info.rows);
  put_u16(p, info.cols);
  p.push_back(info.adc_bits);
  put_u32(p, static_cast<std::uint32_t>(info.pitch_mm * 1000.0f + 0.5f));
  put_u32(p, info.frame_rate_mhz);
  put_string(p, info.model);
  put_string(p, info.serial);
  put_string(p, info.firmware);
  encode_message(Type::info, p, out);
}

StepResult step(std::span<const std::uint8_t> in, DecodedOutput& out) {
  // 1. Hunt for the sync word; everything before it is garbage.
  std::size_t sync = 0;
  while (sync < in.size()) {
    if (in[sync] == kSync0 && (sync + 1 == in.size() || in[sync + 1] == kSync1)) break;
    ++sync;
  }
  if (sync > 0) return {StepOutcome::skip, sync, SkipReason::garbage};
  if (in.size() < kHeaderSize) return {StepOutcome::need_more, 0};

  // 2. Header CRC and version, so that a corrupt length is never waited for.
  if (get_u16(&in[6]) != crc16_ccitt_false(in.first(6))) return {StepOutcome::skip, 1, SkipReason::bad_crc};
  if (in[2] != kVersion) return {StepOutcome::skip, 1, SkipReason::bad_version};
  const std::size_t length = get_u16(&in[4]);
  const std::size_t total = kHeaderSize + length + kTrailerSize;
  if (in.size() < total) return {StepOutcome::need_more, 0};

  // 3. Whole-message CRC; on failure drop one byte only (see the resync rules).
  if (get_u32(&in[kHeaderSize + length]) != crc32_ieee(in.first(kHeaderSize + length)))
    return {StepOutcome::skip, 1, SkipReason::bad_crc};

  const auto payload = in.subspan(kHeaderSize, length);
  switch (static_cast<Type>(in[3])) {
    case Type::frame:
      if (!decode_frame(payload, out.frame)) return {StepOutcome::skip, total, SkipReason::bad_payload};
      return {StepOutcome::mat_frame, total};
    case Type::info:
      if (!decode_info(payload, out.info)) return {StepOutcome::skip, total, SkipReason::bad_payload};
      return {StepOutcome::device_info, total};
    case Type::identify:
    case Type::start:
    case Type::stop:
      out.control_code = in[3];
      return {StepOutcome::control, total};
  }
  return {StepOutcome::skip, total, SkipReason::bad_type};
}

}  // namespace plinth::mat_protocol

namespace plinth {
namespace {

using namespace mat_protocol;

// The sync word anywhere: a capture may start in the middle of a message.
bool contains_sync_word(std::span<const std::uint8_t> bytes) {
  for (std::size_t i = 0; i + 1 < bytes.size(); ++i)
    if (bytes[i] == kSync0 && bytes[i + 1] == kSync1) return true;
  return false;
}

std::vector<std::uint8_t> command(Type type) {
  std::vector<std::uint8_t> out;
  encode_message(type, {}, out);
  return out;
}

// The device side, as `plinth sim` plays it: answers IDENTIFY, obeys START/STOP.
class PlinthMatSim final : public SimEncoder {
 public:
  explicit PlinthMatSim(const DeviceInfo& info) : info_(info), host_(&mat_protocol::step) {}
  void encode_frame(const MatFrame& frame, std::vector<std::uint8_t>& out) override {
    const bool eight_bit = info_.adc_bits > 0 && info_.adc_bits <= 8;
    mat_protocol::encode_frame(frame, eight_bit ? Encoding::raw8 : Encoding::raw16, out);
  }
  void on_host_bytes(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out) override {
    host_.feed(in, [&](StepOutcome outcome, const DecodedOutput& d) {
      if (outcome != StepOutcome::control) return;
      if (d.control_code == static_cast<std::uint8_t>(Type::identify)) encode_info(info_, out);
      if (d.control_code == static_cast<std::uint8_t>(Type::start)) streaming_ = true;
      if (d.control_code == static_cast<std::uint8_t>(Type::stop)) streaming_ = false;
    });
  }
  bool streaming() const override { return streaming_; }

 private:
  DeviceInfo info_;
  StreamDecoder host_;
  bool streaming_ = true;
};

}  // namespace

const DriverDescriptor plinth_mat_driver = {
    .name = "plinth-mat",
    .kind = DeviceKind::mat,
    .summary = "Plinth mat protocol v1 (schemas/mat-protocol.md)",
    .default_baud = 921600,
    .make_step = [](const DriverOptions&) -> StepFunction { return &mat_protocol::step; },
    .open_request = [](const DriverOptions&) {
      auto out = command(Type::identify);
      auto start = command(Type::start);
      out.insert(out.end(), start.begin(), start.end());
      return out;
    },
    .close_request = [](const DriverOptions&) { return command(Type::stop); },
    .make_sim = [](const DriverOptions&, const DeviceInfo& info) -> std::unique_ptr<SimEncoder> {
      return std::make_unique<PlinthMatSim>(info);
    },
    .sniff = &contains_sync_word,
};

}  // namespace plinth
