#pragma once
// Accepts TCP connections and starts an HttpSession for each, on its own strand.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "tools/web/server_context.hpp"

namespace plinth::web {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens; throws boost::system::system_error with the address on failure.
  Listener(net::io_context& ioc, tcp::endpoint endpoint, ServerContext context);
  void run();
  tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

 private:
  void do_accept();
  void on_accept(error_code ec, tcp::socket socket);

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  ServerContext context_;
};

}  // namespace plinth::web
