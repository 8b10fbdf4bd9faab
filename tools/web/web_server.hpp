#pragma once
// `plinth web`: the therapist's dashboard. Subscribes to a data endpoint, serves the page
// and its assets over HTTP and live updates over WebSocket, forwards markers and pain
// scores to the control endpoint. schemas/dashboard.md describes the page and the protocol.
#include <cstdint>
#include <string>
#include <vector>

namespace plinth::web {

struct WebOptions {
  // Every endpoint is subscribed to by one socket: a daemon, a replay, a `plinth hub`, or several
  // daemons directly (their stations are told apart by Header.station).
  std::vector<std::string> data_endpoints = {"tcp://127.0.0.1:7460"};
  std::string control_endpoint = "tcp://127.0.0.1:7461";
  std::string listen = "127.0.0.1:7480";  // host:port; port 0 picks a free one
  std::vector<std::string> techniques = {"effleurage", "petrissage", "friction", "tapotement", "stretch", "trigger point"};
  int control_timeout_ms = 6000;  // the daemon itself answers within 5 s
  std::string archive_dir;        // --archives: where session summaries may read archives ("" = as announced)
};

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

// "127.0.0.1:7480", "[::1]:7480", "localhost:0". Throws std::invalid_argument.
ListenAddress parse_listen_address(const std::string& text);

// Runs until SIGINT/SIGTERM. Prints the page's URL as the first line on stdout once
// listening. Returns the process exit code.
int run_web(const WebOptions& options);

}  // namespace plinth::web
