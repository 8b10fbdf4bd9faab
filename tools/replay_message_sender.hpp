#pragma once
// Turns each replay timeline item into the message(s) live sent at that moment: the same
// topics, headers and payloads (schemas/topics.md, schemas/proto/plinth.proto), either as
// recorded or recomputed from the raw frames.
#include <string>
#include <vector>

#include "daemon/publisher.hpp"
#include "tools/replay_sources.hpp"
#include "tools/replay_timeline.hpp"

namespace plinth::tools {

class ReplayMessageSender {
 public:
  // `devices`: those replayed (all if empty); events of the others are left out.
  ReplayMessageSender(const ArchiveReader& reader, ReplaySources& sources, const std::vector<std::string>& devices,
                      Publisher& publisher);

  // Before --start (warm_up) only frames go through, for a recomputing pipeline; nothing is sent.
  void send(const ReplayItem& item, bool warm_up);

 private:
  void send_frame(MatSource& m, std::size_t i, bool warm_up);
  void send_metrics(MatSource& m, std::size_t row);
  void send_exposure(MatSource& m, std::size_t row);
  void send_beat(const HeartSource& s, bool final_decision, std::size_t row);
  void send_hrv(const HeartSource& s, std::size_t row);
  void send_event(const ArchiveEvent& e);

  const ArchiveReader& reader_;
  ReplaySources& sources_;
  const std::vector<std::string>& devices_;
  Publisher& publisher_;
  std::string buffer_;
};

}  // namespace plinth::tools
