#include "tools/proto_json.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include <cmath>

#include "daemon/topics.hpp"
#include "plinth/proto/plinth.pb.h"

namespace plinth::tools {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using nlohmann::json;

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json scalar(const Message& m, const Reflection& r, const FieldDescriptor& f, int index, bool arrays) {
  const bool rep = f.is_repeated();
  switch (f.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: return rep ? r.GetRepeatedInt32(m, &f, index) : r.GetInt32(m, &f);
    case FieldDescriptor::CPPTYPE_INT64: return rep ? r.GetRepeatedInt64(m, &f, index) : r.GetInt64(m, &f);
    case FieldDescriptor::CPPTYPE_UINT32: return rep ? r.GetRepeatedUInt32(m, &f, index) : r.GetUInt32(m, &f);
    case FieldDescriptor::CPPTYPE_UINT64: return rep ? r.GetRepeatedUInt64(m, &f, index) : r.GetUInt64(m, &f);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return number_or_null(rep ? r.GetRepeatedDouble(m, &f, index) : r.GetDouble(m, &f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return number_or_null(rep ? r.GetRepeatedFloat(m, &f, index) : r.GetFloat(m, &f));
    case FieldDescriptor::CPPTYPE_BOOL: return rep ? r.GetRepeatedBool(m, &f, index) : r.GetBool(m, &f);
    case FieldDescriptor::CPPTYPE_ENUM:
      return rep ? r.GetRepeatedEnum(m, &f, index)->name() : r.GetEnum(m, &f)->name();
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string s = rep ? r.GetRepeatedString(m, &f, index) : r.GetString(m, &f);
      if (f.type() != FieldDescriptor::TYPE_BYTES) return s;
      if (f.name() != "raw") return json::binary(std::vector<std::uint8_t>(s.begin(), s.end()));
      // `raw` holds the pressure frame's little-endian uint16 values.
      json values = json::array();
      for (std::size_t i = 0; i + 1 < s.size(); i += 2)
        values.push_back(static_cast<unsigned>(static_cast<unsigned char>(s[i])) |
                         (static_cast<unsigned>(static_cast<unsigned char>(s[i + 1])) << 8));
      return values;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return message_to_json(rep ? r.GetRepeatedMessage(m, &f, index) : r.GetMessage(m, &f), arrays);
  }
  return nullptr;
}

}  // namespace

json message_to_json(const Message& message, bool include_arrays) {
  json out = json::object();
  const auto* descriptor = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const bool is_array = field->is_repeated() || field->type() == FieldDescriptor::TYPE_BYTES;
    const bool is_bulky = is_array && field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE;
    if (is_bulky && !include_arrays) continue;
    if (field->is_repeated()) {
      json values = json::array();
      for (int k = 0; k < reflection->FieldSize(message, field); ++k)
        values.push_back(scalar(message, *reflection, *field, k, include_arrays));
      out[field->name()] = std::move(values);
    } else {
      out[field->name()] = scalar(message, *reflection, *field, 0, include_arrays);
    }
  }
  return out;
}

std::unique_ptr<Message> message_for_topic(std::string_view topic) {
  auto starts = [&](std::string_view prefix) { return topic.substr(0, prefix.size()) == prefix; };
  if (starts(topics::pressure_frame)) return std::make_unique<v1::PressureFrame>();
  if (starts(topics::pressure_metrics)) return std::make_unique<v1::PressureMetrics>();
  if (starts(topics::pressure_exposure)) return std::make_unique<v1::PressureExposure>();
  if (starts(topics::pressure_risk)) return std::make_unique<v1::PressureExposure>();  // before v1.1, same bytes
  if (starts(topics::heart_beat) || starts(topics::heart_beat_final)) return std::make_unique<v1::HeartBeat>();
  if (starts(topics::heart_hrv)) return std::make_unique<v1::HeartHrv>();
  if (topic == topics::relaxation) return std::make_unique<v1::Relaxation>();
  if (topic == topics::session_event) return std::make_unique<v1::SessionEvent>();
  if (topic == topics::status) return std::make_unique<v1::Status>();
  if (topic == topics::hub_status) return std::make_unique<v1::HubStatus>();
  return nullptr;
}

}  // namespace plinth::tools
