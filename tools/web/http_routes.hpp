#pragma once
// What the dashboard's HTTP side answers, as a pure function of the request line, so every
// route is testable without sockets. The WebSocket upgrade on /ws is decided by the session.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace plinth::web {

struct HttpAnswer {
  unsigned status = 200;
  std::string_view content_type;
  std::string_view static_body;  // an embedded asset (no copy) ...
  std::string dynamic_body;      // ... or text made for this request (used when static_body is empty)
  std::string_view allow;        // for 405: the methods allowed
  std::string_view content_security_policy;  // "" = the dashboard's own
  std::string content_disposition;           // e.g. attachment; filename="report.html"
  std::string_view retry_after;              // seconds, for 503
  std::string_view body() const { return static_body.empty() ? std::string_view(dynamic_body) : static_body; }
};

inline constexpr std::string_view kWebSocketPath = "/ws";

// GET/HEAD of an embedded asset, /healthz (whose JSON `health` makes) or /clinic.json (whose
// JSON `clinic` makes; 404 without it); 404 otherwise; 405 for other methods. The query string
// is ignored.
HttpAnswer route_request(std::string_view method, std::string_view target, const std::function<std::string()>& health,
                         const std::function<std::string()>& clinic = {});

// The page's `?station=room3`: nullopt when absent or empty. Taken as written, without percent
// decoding: station names are letters, digits, '_' and '-' (schemas/config-reference.md), and
// anything else simply matches no station.
std::optional<std::string> station_parameter(std::string_view target);

}  // namespace plinth::web
