#include "tools/web/web_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <iostream>
#include <stdexcept>

#include "tools/web/clinic_board.hpp"
#include "tools/web/control_client.hpp"
#include "tools/web/data_subscriber.hpp"
#include "tools/web/hub.hpp"
#include "tools/web/listener.hpp"
#include "tools/web/session_reports.hpp"

namespace plinth::web {
namespace {

void tick_every_second(net::steady_timer& timer, Hub& hub) {
  timer.expires_after(std::chrono::seconds(1));
  timer.async_wait([&timer, &hub](error_code ec) {
    if (ec) return;
    hub.publish_server_stats();
    tick_every_second(timer, hub);
  });
}

std::string join_endpoints(const std::vector<std::string>& endpoints) {
  std::string out;
  for (const auto& e : endpoints) out += (out.empty() ? "" : ", ") + e;
  return out;
}

tcp::endpoint resolve_listen(net::io_context& ioc, const ListenAddress& address) {
  error_code ec;
  const auto ip = net::ip::make_address(address.host, ec);
  if (!ec) return {ip, address.port};
  tcp::resolver resolver(ioc);
  const auto results = resolver.resolve(address.host, std::to_string(address.port), ec);
  if (ec || results.empty()) throw std::invalid_argument("cannot resolve listen host '" + address.host + "'");
  return *results.begin();
}

}  // namespace

ListenAddress parse_listen_address(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw std::invalid_argument("--listen wants host:port, e.g. 127.0.0.1:7480 (got '" + text + "')");
  ListenAddress address;
  address.host = text.substr(0, colon);
  if (address.host.front() == '[' && address.host.back() == ']') address.host = address.host.substr(1, address.host.size() - 2);
  const std::string port = text.substr(colon + 1);
  unsigned value = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (error != std::errc() || end != port.data() + port.size() || value > 65535)
    throw std::invalid_argument("--listen: '" + port + "' is not a port number (0-65535)");
  address.port = static_cast<std::uint16_t>(value);
  return address;
}

int run_web(const WebOptions& options) {
  const ListenAddress address = parse_listen_address(options.listen);
  net::io_context ioc{1};
  const std::string data_endpoints = join_endpoints(options.data_endpoints);
  HubSettings hub_settings;
  hub_settings.data_endpoint = data_endpoints;
  hub_settings.control_endpoint = options.control_endpoint;
  hub_settings.techniques = options.techniques;
  Hub hub(std::move(hub_settings));
  ControlForwarder control(options.control_endpoint, std::chrono::milliseconds(options.control_timeout_ms));
  SessionReports reports(SessionReportsOptions{options.archive_dir});
  ClinicBoard clinic;
  std::shared_ptr<Listener> listener;
  try {
    listener = std::make_shared<Listener>(ioc, resolve_listen(ioc, address), ServerContext{hub, control, reports, clinic});
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("plinth web: cannot listen on " + options.listen + ": " + e.code().message());
  }
  listener->run();
  const tcp::endpoint bound = listener->local_endpoint();
  const std::string host = bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string();
  std::cout << "http://" << host << ':' << bound.port() << "/" << std::endl;
  if (!bound.address().is_loopback())
    spdlog::warn("plinth web: listening on {} — anyone on that network can see the dashboard and add markers", host);

  DataSubscriber subscriber(options.data_endpoints, hub, &reports, &clinic);
  spdlog::info("plinth web: data {}, control {}", data_endpoints, options.control_endpoint);

  net::steady_timer ticker(ioc);
  tick_every_second(ticker, hub);
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](error_code, int) { ioc.stop(); });
  ioc.run();
  spdlog::info("plinth web: stopped");
  return 0;
}

}  // namespace plinth::web
