#pragma once
// Consumers connected to the hub's XPUB, from its socket monitor's events: a connection counts
// once its handshake succeeded (with CURVE: once the key was accepted), until it disconnects.
// Pure; events are keyed by the connection's file descriptor.
#include <cstddef>
#include <set>

namespace plinth::hub {

class SubscriberCount {
 public:
  void handshake_succeeded(int fd) { connected_.insert(fd); }
  void disconnected(int fd) { connected_.erase(fd); }  // a refused handshake was never counted
  std::size_t count() const { return connected_.size(); }

 private:
  std::set<int> connected_;
};

}  // namespace plinth::hub
