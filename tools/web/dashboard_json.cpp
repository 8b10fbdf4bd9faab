#include "tools/web/dashboard_json.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "daemon/topics.hpp"
#include "plinth/proto/plinth.pb.h"
#include "tools/proto_json.hpp"

namespace plinth::web {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Whole mmHg is finer than any clinical reading of a map and keeps a 64x32 frame near 6 KB.
nlohmann::json rounded_map(const v1::PressureFrame& frame) {
  nlohmann::json values = nlohmann::json::array();
  for (float v : frame.pressure_mmhg()) {
    const double clamped = std::isfinite(v) ? std::clamp(static_cast<double>(v), 0.0, 65535.0) : 0.0;
    values.push_back(static_cast<unsigned>(std::lround(clamped)));
  }
  return values;
}

}  // namespace

Delivery delivery_for_topic(std::string_view topic) {
  return topic == topics::session_event ? Delivery::every_message : Delivery::latest_only;
}

std::string dashboard_data_json(std::string_view topic, const google::protobuf::Message& message) {
  nlohmann::json data = tools::message_to_json(message, /*include_arrays=*/false);
  if (starts_with(topic, topics::pressure_frame)) {
    const auto* frame = dynamic_cast<const v1::PressureFrame*>(&message);
    if (!frame) throw std::invalid_argument("pressure frame topic without a PressureFrame message");
    if (static_cast<std::size_t>(frame->pressure_mmhg_size()) != std::size_t{frame->rows()} * frame->cols())
      throw std::invalid_argument("pressure frame: pressure_mmhg does not hold rows x cols values");
    data["mmhg"] = rounded_map(*frame);
  }
  return data.dump();
}

std::string data_envelope(std::string_view topic, std::string_view data_json) {
  std::string out = R"({"type":"data","topic":)";
  out += nlohmann::json(topic).dump();
  out += R"(,"data":)";
  out += data_json;
  out += '}';
  return out;
}

const v1::Header* header_of(const google::protobuf::Message& message) {
  // Every stream message has `Header header = 1` (schemas/proto/plinth.proto).
  const auto* field = message.GetDescriptor()->FindFieldByName("header");
  if (!field || field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) return nullptr;
  return dynamic_cast<const v1::Header*>(&message.GetReflection()->GetMessage(message, field));
}

DashboardMessage decode_for_dashboard(std::string_view topic, std::string_view payload) {
  auto message = tools::message_for_topic(topic);
  if (!message) throw std::invalid_argument("unknown topic '" + std::string(topic) + "'");
  if (!message->ParseFromArray(payload.data(), static_cast<int>(payload.size())))
    throw std::invalid_argument("payload on '" + std::string(topic) + "' does not parse as " + message->GetTypeName());
  DashboardMessage out;
  out.envelope = data_envelope(topic, dashboard_data_json(topic, *message));
  if (const v1::Header* header = header_of(*message)) {
    out.session_id = header->session_id();
    out.station = header->station();
  }
  out.message = std::move(message);
  return out;
}

}  // namespace plinth::web
