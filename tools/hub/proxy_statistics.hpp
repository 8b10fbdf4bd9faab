#pragma once
#include <array>
#include <cstdint>

namespace plinth::hub {

// zmq_proxy_steerable's STATISTICS reply, in its order: frontend (the daemons' XSUB) messages
// in, bytes in, messages out, bytes out, then the same four for the backend (the consumers' XPUB).
using ProxyStatistics = std::array<std::uint64_t, 8>;

}  // namespace plinth::hub
