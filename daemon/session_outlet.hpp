#pragma once
// What a device channel needs from the daemon to publish and archive within the current
// session. The daemon implements the accessors; channels never see sessions start or stop.
// Every message goes out through send() (or publish(), which also archives), so the header's
// session and per-topic sequence number are set in one place.
#include <string>
#include <string_view>

#include "daemon/archive/archive_writer.hpp"
#include "daemon/messages.hpp"
#include "daemon/publisher.hpp"

namespace plinth {

class SessionOutlet {
 public:
  virtual ~SessionOutlet() = default;
  virtual const std::string& session_id() const = 0;
  virtual const std::string& station() const = 0;  // config `station`: on every message's header
  virtual Publisher& publisher() = 0;
  virtual ArchiveWriter* archive() = 0;  // null between sessions or when the archive failed
  virtual void event(std::string_view kind, std::string_view label, double value, std::string_view detail,
                     std::string_view device_id) = 0;

  // One message on `topic`: `header` (time and device fields) gets the session and the topic's
  // next sequence number, encode(header, payload) serializes it (schemas/proto) straight into
  // the buffer that goes to ZeroMQ, and it is sent.
  template <typename Encode>
  void send(std::string_view topic, MessageHeader header, Encode&& encode) {
    Publisher& out = publisher();
    header.session_id = session_id();
    header.station = station();
    header.seq = out.next_seq(topic);
    encode(header, out.payload());
    out.send_payload(topic);
  }

  // One record to the session's archive, if there is one: fill(Record&) fills it in place
  // (ArchiveWriter::submit). Not called without an archive, so its work is skipped too.
  template <typename Record, typename Fill>
  void archive_record(Fill&& fill) {
    if (ArchiveWriter* writer = archive()) writer->submit<Record>(std::forward<Fill>(fill));
  }

  // The common case: send() the message, then archive_record() what it carried.
  template <typename Record, typename Encode, typename Fill>
  void publish(std::string_view topic, const MessageHeader& header, Encode&& encode, Fill&& fill) {
    send(topic, header, std::forward<Encode>(encode));
    archive_record<Record>(std::forward<Fill>(fill));
  }
};

}  // namespace plinth
