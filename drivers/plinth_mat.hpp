#pragma once
// Plinth mat protocol v1 (schemas/mat-protocol.md): pure encoders and the decoder step.
#include <cstdint>
#include <span>
#include <vector>

#include "drivers/driver.hpp"
#include "drivers/stream_decoder.hpp"

namespace plinth::mat_protocol {

inline constexpr std::uint8_t kSync0 = 0xA5;
inline constexpr std::uint8_t kSync1 = 0x5A;
inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kHeaderSize = 8;
inline constexpr std::size_t kTrailerSize = 4;
inline constexpr std::size_t kFrameFixedSize = 18;

enum class Type : std::uint8_t { frame = 1, identify = 2, info = 3, start = 4, stop = 5 };
enum class Encoding : std::uint8_t { raw16 = 0, raw8 = 1 };

std::uint16_t crc16_ccitt_false(std::span<const std::uint8_t> bytes);
std::uint32_t crc32_ieee(std::span<const std::uint8_t> bytes);

// Append one complete message with the given type and payload.
void encode_message(Type type, std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out);
// Append a FRAME. raw8 keeps the low 8 bits of each value.
void encode_frame(const MatFrame& frame, Encoding encoding, std::vector<std::uint8_t>& out,
                  bool saturation_flag = false);
void encode_info(const DeviceInfo& info, std::vector<std::uint8_t>& out);

// The decoder step (see stream_decoder.hpp): never reads past `in`, never throws.
StepResult step(std::span<const std::uint8_t> in, DecodedOutput& out);

}  // namespace plinth::mat_protocol

namespace plinth {
extern const DriverDescriptor plinth_mat_driver;
}
