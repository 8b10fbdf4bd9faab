#pragma once
// The hub's data path: ZeroMQ's own zmq_proxy_steerable between the daemons' XSUB and the
// consumers' XPUB, on its own thread. Subscriptions travel upstream by themselves, so each
// daemon sends only what some consumer wants. Every forwarded message is also copied to
// kCaptureEndpoint (a PUB: a slow statistics reader loses copies, never slows the stream).
#include <thread>

#include <zmq.hpp>

#include "tools/hub/proxy_statistics.hpp"

namespace plinth::hub {

inline constexpr const char* kCaptureEndpoint = "inproc://plinth-hub-capture";

class DataProxy {
 public:
  // `context` holds the capture and steering sockets (inproc); the two data sockets are bound
  // and set up already, and belong to the proxy's thread from here on.
  DataProxy(zmq::context_t& context, zmq::socket_t& daemons_xsub, zmq::socket_t& consumers_xpub);
  ~DataProxy();  // terminates the proxy and joins its thread
  DataProxy(const DataProxy&) = delete;
  DataProxy& operator=(const DataProxy&) = delete;

  // Asks the proxy thread; call from one thread only (the owner's).
  ProxyStatistics statistics();

 private:
  zmq::socket_t capture_;
  zmq::socket_t steering_;  // the proxy's end (REP)
  zmq::socket_t steer_;     // ours (REQ)
  std::thread thread_;
};

}  // namespace plinth::hub
