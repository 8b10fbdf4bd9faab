#pragma once
// The control protocol's requests (schemas/control-protocol.md), parsed and validated by a
// pure function so that any bytes a client sends get an error reply, never a crash.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace plinth {

inline constexpr std::size_t kMaxControlRequestBytes = 16 * 1024;

struct StatusRequest {};
struct SessionStartRequest {
  std::optional<std::string> subject;  // pseudonym; defaults to the configured one
};
struct SessionStopRequest {};
struct MarkerRequest {
  std::string label;                   // e.g. a technique name
  std::optional<double> value;
  std::string detail;                  // free text
};
struct PainRequest {
  double score = 0;                    // 0-10
  std::string detail;
};

// The last `seconds` are the relaxation baseline (instead of the session's first minutes).
struct BaselineRequest {
  double seconds = 0;
};

// HRV now, over the last `window_s` (published on heart.hrv.<id> as an on_demand update).
struct HrvRequest {
  double window_s = 60;
};

using ControlRequest = std::variant<StatusRequest, SessionStartRequest, SessionStopRequest, MarkerRequest, PainRequest,
                                    BaselineRequest, HrvRequest>;

struct ControlParseError {
  std::string message;
};

std::variant<ControlRequest, ControlParseError> parse_control_request(std::string_view bytes);

// {"ok":false,"error":...} as text.
std::string control_error_reply(const std::string& message);

}  // namespace plinth
