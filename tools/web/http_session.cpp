#include "tools/web/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>

#include "tools/web/clinic_board.hpp"
#include "tools/web/http_routes.hpp"
#include "tools/web/session_reports.hpp"
#include "tools/web/websocket_session.hpp"

namespace plinth::web {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// The page only ever sends GETs and the WebSocket upgrade: anything larger is not ours.
constexpr std::uint32_t kMaxHeaderBytes = 8 * 1024;
constexpr std::uint64_t kMaxBodyBytes = 4 * 1024;
constexpr auto kReadTimeout = std::chrono::seconds(30);

// Only a page served by this server may open the WebSocket: another site open in the
// therapist's browser must not be able to post markers. Browsers always send Origin on
// WebSocket requests; tools that send none (curl, tests) are let through.
bool same_origin(const http::request<http::string_body>& request) {
  const auto origin = request.find(http::field::origin);
  if (origin == request.end()) return true;
  const auto host = request.find(http::field::host);
  if (host == request.end()) return false;
  return origin->value() == "http://" + std::string(host->value());
}

}  // namespace

HttpSession::HttpSession(tcp::socket&& socket, ServerContext context) : stream_(std::move(socket)), context_(context) {}

void HttpSession::run() {
  net::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
}

void HttpSession::do_read() {
  parser_.emplace();
  parser_->header_limit(kMaxHeaderBytes);
  parser_->body_limit(kMaxBodyBytes);
  stream_.expires_after(kReadTimeout);
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) return do_close();
  if (ec == http::error::body_limit || ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    Response response{http::status::payload_too_large, 11};
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    response.body() = "Request too large\n";
    response.keep_alive(false);
    response.prepare_payload();
    return send(std::move(response));
  }
  if (ec) return;  // timeout or a broken request: drop the connection
  Request request = parser_->release();
  if (beast::websocket::is_upgrade(request)) {
    const std::string_view target(request.target().data(), request.target().size());
    if (target.substr(0, target.find('?')) != kWebSocketPath)
      return send(plain(request, http::status::not_found, "Not found\n"));
    if (!same_origin(request)) return send(plain(request, http::status::forbidden, "Cross-origin WebSocket refused\n"));
    stream_.expires_never();  // the WebSocket stream has its own timeouts
    std::make_shared<WebSocketSession>(stream_.release_socket(), context_)->run(std::move(request));
    return;
  }
  send(answer(request));
}

HttpSession::Response HttpSession::answer(const Request& request) const {
  const std::string_view method(request.method_string().data(), request.method_string().size());
  const std::string_view target(request.target().data(), request.target().size());
  const HttpAnswer routed = SessionReports::handles(target)
                                ? context_.reports.answer(method, target)
                                : route_request(
                                      method, target, [this] { return context_.hub.health_json(); },
                                      [this] { return context_.clinic.to_json(steady_seconds()).dump(); });
  Response response{static_cast<http::status>(routed.status), request.version()};
  response.set(http::field::server, "plinth-web");
  response.set(http::field::content_type, std::string(routed.content_type));
  response.set(http::field::cache_control, "no-cache");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Content-Security-Policy",
               std::string(routed.content_security_policy.empty()
                               ? std::string_view("default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'")
                               : routed.content_security_policy));
  if (!routed.allow.empty()) response.set(http::field::allow, std::string(routed.allow));
  if (!routed.content_disposition.empty()) response.set(http::field::content_disposition, routed.content_disposition);
  if (!routed.retry_after.empty()) response.set(http::field::retry_after, std::string(routed.retry_after));
  response.keep_alive(request.keep_alive());
  response.body() = std::string(routed.body());
  response.prepare_payload();
  if (request.method() == http::verb::head) response.body().clear();  // Content-Length stays that of GET
  return response;
}

HttpSession::Response HttpSession::plain(const Request& request, http::status status, std::string text) const {
  Response response{status, request.version()};
  response.set(http::field::server, "plinth-web");
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.keep_alive(false);
  response.body() = std::move(text);
  response.prepare_payload();
  return response;
}

void HttpSession::send(Response response) {
  response_ = std::make_shared<Response>(std::move(response));
  const bool close = response_->need_eof();
  http::async_write(stream_, *response_,
                    beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), close));
}

void HttpSession::on_write(bool close, error_code ec, std::size_t) {
  response_.reset();
  if (ec) return;
  if (close) return do_close();
  do_read();
}

void HttpSession::do_close() {
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace plinth::web
