#pragma once
// Data-stream messages as the dashboard's compact JSON (schemas/dashboard.md): the same
// fields as `plinth sub`, except that a pressure frame carries only its calibrated map as
// whole mmHg, never the raw bytes.
#include <google/protobuf/message.h>

#include <memory>
#include <string>
#include <string_view>

namespace plinth::v1 {
class Header;
}

namespace plinth::web {

// How a client's mailbox treats a topic: only the latest message matters (frames, metrics,
// status, ...), or every message does (session events: a marker must never be skipped).
enum class Delivery { latest_only, every_message };

Delivery delivery_for_topic(std::string_view topic);

// The `data` object for one message, e.g. {"header":{...},"rows":64,"cols":32,"mmhg":[...]}.
std::string dashboard_data_json(std::string_view topic, const google::protobuf::Message& message);

// The WebSocket envelope {"type":"data","topic":...,"data":...}.
std::string data_envelope(std::string_view topic, std::string_view data_json);

struct DashboardMessage {
  std::string envelope;    // the WebSocket text
  std::string session_id;  // from the message's header (empty between sessions)
  std::string station;     // from the message's header: which table's daemon (empty before stream v1.2)
  std::unique_ptr<google::protobuf::Message> message;  // the parsed payload, for the clinic overview
};

// The `Header header = 1` every stream message carries, or null.
const v1::Header* header_of(const google::protobuf::Message& message);

// Parses one payload for a topic. Throws std::invalid_argument for an unknown topic or a
// payload that does not parse.
DashboardMessage decode_for_dashboard(std::string_view topic, std::string_view payload);

}  // namespace plinth::web
