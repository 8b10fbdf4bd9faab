#include "tools/web/data_subscriber.hpp"

#include <spdlog/spdlog.h>

#include <zmq.hpp>

#include "daemon/topics.hpp"
#include "tools/web/clinic_board.hpp"
#include "tools/web/dashboard_json.hpp"
#include "tools/web/hub.hpp"
#include "tools/web/session_reports.hpp"

namespace plinth::web {

DataSubscriber::DataSubscriber(std::vector<std::string> endpoints, Hub& hub, SessionReports* reports, ClinicBoard* clinic)
    : endpoints_(std::move(endpoints)), hub_(hub), reports_(reports), clinic_(clinic), thread_([this] { run(); }) {}

DataSubscriber::~DataSubscriber() {
  stop_ = true;
  thread_.join();
}

void DataSubscriber::run() {
  try {
    zmq::context_t context;
    zmq::socket_t socket(context, zmq::socket_type::sub);
    socket.set(zmq::sockopt::linger, 0);
    // Bounded: if this thread ever falls behind, ZeroMQ drops at the high-water mark
    // instead of growing; the browsers only ever need the newest frame anyway.
    socket.set(zmq::sockopt::rcvhwm, 1000);
    for (const auto& endpoint : endpoints_) socket.connect(endpoint);
    socket.set(zmq::sockopt::subscribe, "");
    std::uint64_t bad_logged = 0;
    while (!stop_) {
      zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
      try {
        if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) <= 0) continue;
      } catch (const zmq::error_t& e) {
        if (e.num() == EINTR) continue;  // a signal meant for the main thread
        throw;
      }
      zmq::message_t topic, payload;
      if (!socket.recv(topic, zmq::recv_flags::dontwait)) continue;
      if (!topic.more()) {
        hub_.count_bad_message();
        continue;
      }
      if (!socket.recv(payload, zmq::recv_flags::dontwait)) continue;
      while (payload.more()) {  // never expected: skip any extra frames of this message
        zmq::message_t extra;
        if (!socket.recv(extra, zmq::recv_flags::dontwait)) break;
        payload.move(extra);
      }
      const std::string topic_text = topic.to_string();
      // hub.status describes the hub, not a treatment table: it must not become a station tile.
      if (topic_text == topics::hub_status) continue;
      try {
        DashboardMessage message = decode_for_dashboard(topic_text, payload.to_string_view());
        if (clinic_) clinic_->observe(message.station, topic_text, *message.message, steady_seconds());
        hub_.publish(topic_text, message.session_id, message.station, std::move(message.envelope));
        if (reports_ && topic_text == topics::session_event) reports_->on_session_event(payload.to_string_view());
      } catch (const std::exception& e) {
        hub_.count_bad_message();
        if (bad_logged++ < 10) spdlog::warn("plinth web: skipped a message: {}", e.what());
      }
    }
  } catch (const std::exception& e) {
    spdlog::error("plinth web: data subscriber stopped: {}", e.what());
  }
}

}  // namespace plinth::web
