#include "tools/web/listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "tools/web/http_session.hpp"

namespace plinth::web {

Listener::Listener(net::io_context& ioc, tcp::endpoint endpoint, ServerContext context)
    : ioc_(ioc), acceptor_(net::make_strand(ioc)), context_(context) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
}

void Listener::run() { do_accept(); }

void Listener::do_accept() {
  // Each connection gets its own strand: its handlers never run concurrently.
  acceptor_.async_accept(net::make_strand(ioc_),
                         boost::beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted) return;
  if (ec) {
    spdlog::warn("plinth web: accept: {}", ec.message());
  } else {
    std::make_shared<HttpSession>(std::move(socket), context_)->run();
  }
  do_accept();
}

}  // namespace plinth::web
