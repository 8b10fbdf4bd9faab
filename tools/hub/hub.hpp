#pragma once
// `plinth hub`: one address for every station of a clinic (schemas/hub.md). Binds the four
// endpoints, forwards data with ZeroMQ's proxy, routes control requests by station and
// publishes hub.status.
#include <atomic>
#include <memory>

#include "tools/hub/hub_options.hpp"

namespace plinth::hub {

class Hub {
 public:
  explicit Hub(const HubOptions& options);  // binds everything; throws on a bad key or a busy port
  ~Hub();
  // Serves until `stop` becomes true (checked every 100 ms).
  void run(const std::atomic<bool>& stop);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace plinth::hub
