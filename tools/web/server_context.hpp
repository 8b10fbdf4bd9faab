#pragma once
// What every connection of `plinth web` shares. Included by the Beast sources only.
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>

#include "tools/web/control_client.hpp"
#include "tools/web/hub.hpp"

namespace plinth::web {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::beast::error_code;

class SessionReports;
class ClinicBoard;

struct ServerContext {
  Hub& hub;
  ControlForwarder& control;
  SessionReports& reports;  // the stopped session's summary and report (tools/web/session_reports.hpp)
  ClinicBoard& clinic;      // the clinic overview's tiles (tools/web/clinic_board.hpp)
};

}  // namespace plinth::web
