#pragma once
// The ZeroMQ SUB side of `plinth web`, on its own thread: every message from the data
// endpoint is decoded to the dashboard's JSON here (so the network thread only copies
// bytes) and handed to the hub.
#include <atomic>
#include <string>
#include <thread>

namespace plinth::web {

class Hub;
class SessionReports;

class DataSubscriber {
 public:
  // `reports` (may be null) also gets every session.event: it learns where sessions are archived.
  DataSubscriber(std::string endpoint, Hub& hub, SessionReports* reports = nullptr);
  ~DataSubscriber();  // stops and joins the thread
  DataSubscriber(const DataSubscriber&) = delete;
  DataSubscriber& operator=(const DataSubscriber&) = delete;

 private:
  void run();

  std::string endpoint_;
  Hub& hub_;
  SessionReports* reports_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace plinth::web
