#pragma once
// Protobuf message → JSON for `plinth sub` and the dashboard. Unlike protobuf's own JSON
// mapping, 64-bit integers stay numbers (jq and pandas want numbers) and the `raw` pressure
// bytes become an array of uint16 values.
#include <google/protobuf/message.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

namespace plinth::tools {

nlohmann::json message_to_json(const google::protobuf::Message& message, bool include_arrays = true);

// The message type a topic carries (schemas/topics.md); nullptr for an unknown topic.
std::unique_ptr<google::protobuf::Message> message_for_topic(std::string_view topic);

}  // namespace plinth::tools
