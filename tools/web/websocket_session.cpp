#include "tools/web/websocket_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/version.hpp>
#include <boost/beast/websocket.hpp>

#include "tools/web/browser_command.hpp"
#include "tools/web/http_routes.hpp"

namespace plinth::web {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

// A command is a marker or a pain score: a few hundred bytes; the control protocol's own
// limit is 16 KiB.
constexpr std::size_t kMaxCommandBytes = 16 * 1024;

WebSocketSession::WebSocketSession(tcp::socket&& socket, ServerContext context)
    : ws_(std::move(socket)), context_(context) {}

void WebSocketSession::run(beast::http::request<beast::http::string_body> request) {
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(beast::http::field::server, "plinth-web");
  }));
  ws_.read_message_max(kMaxCommandBytes);
  station_ = station_parameter(std::string_view(request.target().data(), request.target().size()));
  ws_.async_accept(request, beast::bind_front_handler(&WebSocketSession::on_accept, shared_from_this()));
}

void WebSocketSession::on_accept(error_code ec) {
  if (ec) {
    spdlog::debug("plinth web: WebSocket accept: {}", ec.message());
    return;
  }
  context_.hub.join(shared_from_this(), station_);
  do_read();
}

void WebSocketSession::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
}

void WebSocketSession::on_read(error_code ec, std::size_t) {
  if (ec) return;  // closed (or too large a message): the hub forgets expired clients
  const std::string text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  handle_command(text);
  do_read();
}

void WebSocketSession::handle_command(std::string_view text) {
  auto reply_with = [weak = weak_from_this()](std::uint64_t id, nlohmann::json reply) {
    if (auto self = weak.lock())
      if (self->mailbox_.put_event(std::make_shared<const std::string>(control_reply_envelope(id, reply))))
        self->wake();
  };
  if (station_) {
    // --control names one daemon; a page chosen from the clinic overview may be another
    // table's, and its marker must never land in the wrong client's archive.
    reply_with(0, {{"ok", false}, {"error", "a station's page from the clinic overview is read-only: markers go through that table's own dashboard"}});
    return;
  }
  ControlCommand command;
  try {
    command = parse_browser_command(text);
  } catch (const std::exception& e) {
    reply_with(0, {{"ok", false}, {"error", e.what()}});
    return;
  }
  const std::uint64_t id = command.id;
  const bool queued = context_.control.submit(std::move(command.request),
                                              [reply_with, id](nlohmann::json reply) { reply_with(id, std::move(reply)); });
  if (!queued) reply_with(id, {{"ok", false}, {"error", "too many commands wait for the daemon; try again"}});
}

void WebSocketSession::wake() {
  net::post(ws_.get_executor(), beast::bind_front_handler(&WebSocketSession::do_write, shared_from_this()));
}

void WebSocketSession::do_write() {
  if (writing_) return;
  writing_ = mailbox_.take();
  if (!writing_) return;
  ws_.text(true);
  ws_.async_write(net::buffer(*writing_), beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
}

void WebSocketSession::on_write(error_code ec, std::size_t) {
  writing_.reset();
  if (ec) return;  // the mailbox stays "busy", so nobody wakes a dead session again
  do_write();
}

}  // namespace plinth::web
