#include "daemon/control_request.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

namespace plinth {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxLabel = 200;
constexpr std::size_t kMaxDetail = 2000;

std::string show(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  return json(v).dump();
}

// At most `max` bytes of `s` without splitting a UTF-8 sequence: a cut one would make the
// error reply invalid JSON (nlohmann's dump throws on it).
std::string utf8_prefix(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

struct Fields {
  const json& object;
  std::optional<std::string> error;

  void only(std::initializer_list<const char*> allowed) {
    for (auto it = object.begin(); it != object.end(); ++it) {
      bool known = false;
      for (const char* a : allowed) known = known || it.key() == a;
      if (!known && !error) error = "unknown field '" + it.key() + "'";
    }
  }
  std::optional<std::string> text(const char* key, bool required, std::size_t max) {
    auto it = object.find(key);
    if (it == object.end()) {
      if (required && !error) error = std::string("missing field '") + key + "'";
      return std::nullopt;
    }
    if (!it->is_string()) {
      if (!error) error = std::string("field '") + key + "' must be a string";
      return std::nullopt;
    }
    std::string s = it->get<std::string>();
    if (s.size() > max && !error) error = std::string("field '") + key + "' is longer than " + std::to_string(max);
    if (required && s.empty() && !error) error = std::string("field '") + key + "' must not be empty";
    return s;
  }
  std::optional<double> number(const char* key, bool required, double min, double max) {
    auto it = object.find(key);
    if (it == object.end()) {
      if (required && !error) error = std::string("missing field '") + key + "'";
      return std::nullopt;
    }
    if (!it->is_number()) {
      if (!error) error = std::string("field '") + key + "' must be a number";
      return std::nullopt;
    }
    double v = it->get<double>();
    if ((!std::isfinite(v) || v < min || v > max) && !error)
      error = std::string("field '") + key + "' must be between " + show(min) + " and " + show(max);
    return v;
  }
};

}  // namespace

std::variant<ControlRequest, ControlParseError> parse_control_request(std::string_view bytes) {
  if (bytes.size() > kMaxControlRequestBytes)
    return ControlParseError{"request larger than " + std::to_string(kMaxControlRequestBytes) + " bytes"};
  json doc = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return ControlParseError{"request is not valid JSON"};
  if (!doc.is_object()) return ControlParseError{"request must be a JSON object"};
  auto cmd_it = doc.find("cmd");
  if (cmd_it == doc.end() || !cmd_it->is_string())
    return ControlParseError{"request needs a string field 'cmd' (status, session.start, session.stop, marker, pain, baseline, hrv)"};
  const std::string cmd = cmd_it->get<std::string>();
  Fields f{doc, std::nullopt};
  ControlRequest request;
  if (cmd == "status") {
    f.only({"cmd"});
    request = StatusRequest{};
  } else if (cmd == "session.start") {
    f.only({"cmd", "subject"});
    request = SessionStartRequest{f.text("subject", false, kMaxLabel)};
  } else if (cmd == "session.stop") {
    f.only({"cmd"});
    request = SessionStopRequest{};
  } else if (cmd == "marker") {
    f.only({"cmd", "label", "value", "detail"});
    MarkerRequest m;
    m.label = f.text("label", true, kMaxLabel).value_or("");
    m.value = f.number("value", false, -1e12, 1e12);
    m.detail = f.text("detail", false, kMaxDetail).value_or("");
    request = m;
  } else if (cmd == "pain") {
    f.only({"cmd", "score", "detail"});
    PainRequest p;
    p.score = f.number("score", true, 0, 10).value_or(0);
    p.detail = f.text("detail", false, kMaxDetail).value_or("");
    request = p;
  } else if (cmd == "baseline") {
    f.only({"cmd", "seconds"});
    request = BaselineRequest{f.number("seconds", true, 10, 900).value_or(0)};
  } else if (cmd == "hrv") {
    f.only({"cmd", "window_s"});
    request = HrvRequest{f.number("window_s", false, 10, 600).value_or(60)};
  } else {
    return ControlParseError{"unknown cmd '" + utf8_prefix(cmd, 64) +
                             "' (known: status, session.start, session.stop, marker, pain, baseline, hrv)"};
  }
  if (f.error) return ControlParseError{*f.error};
  return request;
}

std::string control_error_reply(const std::string& message) {
  // Messages can quote what a client sent or what an exception says; bytes that are not
  // UTF-8 become U+FFFD rather than an exception on the control thread.
  return json{{"ok", false}, {"error", message}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace plinth
