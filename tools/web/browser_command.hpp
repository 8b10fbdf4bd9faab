#pragma once
// Commands a browser may send over the WebSocket (schemas/dashboard.md), checked here before
// anything reaches the daemon: only markers and pain scores, with the control protocol's
// limits, so a page (or anything else that reaches the port) cannot start or stop sessions.
#include <nlohmann/json.hpp>
#include <string>

namespace plinth::web {

struct ControlCommand {
  std::uint64_t id = 0;      // the browser's own request number, echoed in the reply
  nlohmann::json request;    // the control-protocol request to forward
};

// Parses {"type":"control","id":N,"request":{"cmd":"marker"|"pain",...}}.
// Throws std::invalid_argument with a sentence for the therapist.
ControlCommand parse_browser_command(std::string_view text);

// The reply for the browser: {"type":"control_reply","id":N,"reply":{...}}.
std::string control_reply_envelope(std::uint64_t id, const nlohmann::json& reply);

}  // namespace plinth::web
