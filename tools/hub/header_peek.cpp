#include "tools/hub/header_peek.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include "plinth/proto/plinth.pb.h"

namespace plinth::hub {

std::optional<PeekedHeader> peek_header(std::string_view payload) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(payload.data()),
                                            static_cast<int>(payload.size()));
  // Field 1 normally comes first, so this skips nothing; the loop only guards against writers
  // that order fields differently.
  while (const std::uint32_t tag = in.ReadTag()) {
    if (WireFormatLite::GetTagFieldNumber(tag) != 1 ||
        WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(&in, tag)) return std::nullopt;
      continue;
    }
    std::uint32_t length = 0;
    const void* data = nullptr;
    int available = 0;
    if (!in.ReadVarint32(&length)) return std::nullopt;
    if (length == 0) return PeekedHeader{};  // every header field at its default
    if (!in.GetDirectBufferPointer(&data, &available) ||
        static_cast<std::uint32_t>(available) < length)
      return std::nullopt;
    v1::Header header;
    if (!header.ParseFromArray(data, static_cast<int>(length))) return std::nullopt;
    return PeekedHeader{header.station(), header.seq(), header.host_time_ns()};
  }
  return std::nullopt;
}

}  // namespace plinth::hub
