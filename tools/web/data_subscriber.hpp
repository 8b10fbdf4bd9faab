#pragma once
// The ZeroMQ SUB side of `plinth web`, on its own thread: every message from the data
// endpoint is decoded to the dashboard's JSON here (so the network thread only copies
// bytes) and handed to the hub.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace plinth::web {

class Hub;
class SessionReports;
class ClinicBoard;

class DataSubscriber {
 public:
  // `reports` (may be null) also gets every session.event: it learns where sessions are archived.
  // `clinic` (may be null) sees every message: the clinic overview's tiles.
  DataSubscriber(std::vector<std::string> endpoints, Hub& hub, SessionReports* reports = nullptr,
                 ClinicBoard* clinic = nullptr);
  ~DataSubscriber();  // stops and joins the thread
  DataSubscriber(const DataSubscriber&) = delete;
  DataSubscriber& operator=(const DataSubscriber&) = delete;

 private:
  void run();

  std::vector<std::string> endpoints_;
  Hub& hub_;
  SessionReports* reports_;
  ClinicBoard* clinic_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace plinth::web
