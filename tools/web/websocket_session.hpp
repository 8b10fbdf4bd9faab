#pragma once
// One browser's WebSocket (Beast's websocket server example shape): owns its stream, reads
// commands and writes from its mailbox, one asynchronous step at a time, all on its strand.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <memory>
#include <optional>
#include <string>

#include "tools/web/server_context.hpp"

namespace plinth::web {

class WebSocketSession : public WebClient, public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(tcp::socket&& socket, ServerContext context);

  // Accepts the upgrade request the HTTP session already read.
  void run(boost::beast::http::request<boost::beast::http::string_body> request);

  ClientMailbox& mailbox() override { return mailbox_; }
  void wake() override;

 private:
  void on_accept(error_code ec);
  void do_read();
  void on_read(error_code ec, std::size_t bytes);
  void handle_command(std::string_view text);
  void do_write();
  void on_write(error_code ec, std::size_t bytes);

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  ServerContext context_;
  ClientMailbox mailbox_;
  SharedText writing_;  // the message being written; keeps its bytes alive
  std::optional<std::string> station_;  // the page's ?station=; nullopt: the current station
};

}  // namespace plinth::web
