#pragma once
// Reads only the Header of a stream payload: every message of schemas/proto/plinth.proto has
// `Header header = 1`, so the hub needs no table of topics and does not decode frames.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plinth::hub {

struct PeekedHeader {
  std::string station;
  std::uint64_t seq = 0;
  std::int64_t host_time_ns = 0;
};

// nullopt if the payload is not a protobuf message or has no header.
std::optional<PeekedHeader> peek_header(std::string_view payload);

}  // namespace plinth::hub
