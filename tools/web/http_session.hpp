#pragma once
// One HTTP connection (Beast's HTTP server example shape): reads a size-limited request,
// answers it from http_routes, or hands the socket to a WebSocketSession on /ws.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>

#include "tools/web/server_context.hpp"

namespace plinth::web {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, ServerContext context);
  void run();

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  void do_read();
  void on_read(error_code ec, std::size_t bytes);
  void send(Response response);
  void on_write(bool close, error_code ec, std::size_t bytes);
  void do_close();
  Response answer(const Request& request) const;
  Response plain(const Request& request, boost::beast::http::status status, std::string text) const;

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  ServerContext context_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<Response> response_;  // alive until written
};

}  // namespace plinth::web
