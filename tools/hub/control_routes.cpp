#include "tools/hub/control_routes.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "daemon/control_request.hpp"

namespace plinth::hub {

void ControlRoutes::heard_from(std::string_view station, std::int64_t now_ns) {
  auto it = last_heard_ns_.find(station);
  if (it == last_heard_ns_.end()) it = last_heard_ns_.emplace(std::string(station), now_ns).first;
  it->second = now_ns;
}

bool ControlRoutes::reachable(std::string_view station, std::int64_t now_ns) const {
  const auto it = last_heard_ns_.find(station);
  return it != last_heard_ns_.end() && now_ns - it->second <= kControlSilenceNs;
}

std::vector<std::string> ControlRoutes::reachable_stations(std::int64_t now_ns) const {
  std::vector<std::string> names;
  for (const auto& [name, heard] : last_heard_ns_)
    if (now_ns - heard <= kControlSilenceNs) names.push_back(name);
  return names;
}

namespace {

std::string listed(const std::vector<std::string>& stations) {
  if (stations.empty()) return "none";
  std::string text;
  for (const auto& s : stations) text += (text.empty() ? "" : ", ") + s;
  return text;
}

}  // namespace

RouteDecision route_request(std::string_view request, const std::vector<std::string>& reachable_stations) {
  if (request.size() > kMaxControlRequestBytes)
    return ReplyNow{control_error_reply("request larger than " + std::to_string(kMaxControlRequestBytes) + " bytes")};
  auto parsed = nlohmann::json::parse(request, nullptr, false);
  if (!parsed.is_object()) return ReplyNow{control_error_reply("request is not a JSON object")};
  const auto cmd = parsed.find("cmd");
  if (cmd != parsed.end() && *cmd == "stations") {
    if (parsed.size() != 1) return ReplyNow{control_error_reply("'stations' takes no fields")};
    return ReplyNow{nlohmann::json{{"ok", true}, {"stations", reachable_stations}}.dump()};
  }
  const auto station = parsed.find("station");
  if (station == parsed.end())
    return ReplyNow{control_error_reply("the hub needs \"station\": one of " + listed(reachable_stations) +
                                        " (plinth ctl --station NAME)")};
  if (!station->is_string()) return ReplyNow{control_error_reply("field 'station' must be a string")};
  std::string name = station->get<std::string>();
  if (std::find(reachable_stations.begin(), reachable_stations.end(), name) == reachable_stations.end())
    return ReplyNow{control_error_reply("station '" + name + "' is not connected to the hub (connected: " +
                                        listed(reachable_stations) + ")")};
  parsed.erase("station");
  return ForwardRequest{std::move(name), parsed.dump()};
}

void PendingReplies::add(std::string client, std::string station, std::int64_t deadline_ns) {
  waiting_.insert_or_assign(std::move(client), Waiting{std::move(station), deadline_ns});
}

bool PendingReplies::take(std::string_view client) {
  const auto it = waiting_.find(client);
  if (it == waiting_.end()) return false;
  waiting_.erase(it);
  return true;
}

std::vector<std::pair<std::string, std::string>> PendingReplies::expire(std::int64_t now_ns) {
  std::vector<std::pair<std::string, std::string>> expired;
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->second.deadline_ns > now_ns) {
      ++it;
      continue;
    }
    expired.emplace_back(it->first, std::move(it->second.station));
    it = waiting_.erase(it);
  }
  return expired;
}

}  // namespace plinth::hub
