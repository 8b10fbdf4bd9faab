#include "tools/web/browser_command.hpp"

#include <cmath>
#include <stdexcept>

namespace plinth::web {
namespace {

using nlohmann::json;

// Limits of schemas/control-protocol.md.
constexpr std::size_t kMaxLabelBytes = 200;
constexpr std::size_t kMaxDetailBytes = 2000;

[[noreturn]] void refuse(const std::string& why) { throw std::invalid_argument(why); }

std::string text_field(const json& request, const char* name, std::size_t max_bytes, bool required) {
  if (!request.contains(name)) {
    if (required) refuse(std::string("field '") + name + "' is required");
    return {};
  }
  const json& value = request.at(name);
  if (!value.is_string()) refuse(std::string("field '") + name + "' must be text");
  std::string s = value.get<std::string>();
  if (s.size() > max_bytes) refuse(std::string("field '") + name + "' is longer than " + std::to_string(max_bytes) + " bytes");
  return s;
}

double number_field(const json& request, const char* name) {
  const json& value = request.at(name);
  if (!value.is_number() || !std::isfinite(value.get<double>())) refuse(std::string("field '") + name + "' must be a number");
  return value.get<double>();
}

void only_fields(const json& request, std::initializer_list<const char*> allowed) {
  for (const auto& [key, value] : request.items()) {
    bool known = false;
    for (const char* name : allowed) known = known || key == name;
    if (!known) refuse("unknown field '" + key + "'");
  }
}

json marker_request(const json& r) {
  only_fields(r, {"cmd", "label", "detail", "value"});
  json out{{"cmd", "marker"}};
  std::string label = text_field(r, "label", kMaxLabelBytes, true);
  if (label.find_first_not_of(" \t") == std::string::npos) refuse("a marker needs a label");
  out["label"] = std::move(label);
  if (r.contains("detail")) out["detail"] = text_field(r, "detail", kMaxDetailBytes, false);
  if (r.contains("value")) out["value"] = number_field(r, "value");
  return out;
}

json pain_request(const json& r) {
  only_fields(r, {"cmd", "score", "detail"});
  if (!r.contains("score")) refuse("field 'score' is required");
  const double score = number_field(r, "score");
  if (score < 0 || score > 10) refuse("field 'score' must be between 0 and 10");
  json out{{"cmd", "pain"}, {"score", score}};
  if (r.contains("detail")) out["detail"] = text_field(r, "detail", kMaxDetailBytes, false);
  return out;
}

}  // namespace

ControlCommand parse_browser_command(std::string_view text) {
  const json message = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (message.is_discarded() || !message.is_object()) refuse("the command is not a JSON object");
  if (message.value("type", json()) != "control") refuse("unknown message type");
  ControlCommand command;
  if (const auto id = message.find("id"); id != message.end()) {
    if (!id->is_number_unsigned()) refuse("field 'id' must be a non-negative integer");
    command.id = id->get<std::uint64_t>();
  }
  const auto request = message.find("request");
  if (request == message.end() || !request->is_object()) refuse("field 'request' must be an object");
  const json cmd = request->value("cmd", json());
  if (cmd == "marker") {
    command.request = marker_request(*request);
  } else if (cmd == "pain") {
    command.request = pain_request(*request);
  } else {
    refuse("the dashboard only sends markers and pain scores");
  }
  return command;
}

std::string control_reply_envelope(std::uint64_t id, const nlohmann::json& reply) {
  return json{{"type", "control_reply"}, {"id", id}, {"reply", reply}}.dump();
}

}  // namespace plinth::web
