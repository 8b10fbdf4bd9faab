// The status message follows kDeviceCounters: every counter is a DeviceStatus field of the same
// name and reaches the wire with its value.
#include <gtest/gtest.h>

#include "daemon/messages.hpp"
#include "plinth/proto/plinth.pb.h"

namespace plinth {
namespace {

TEST(StatusMessage, EveryDeviceCounterIsADeviceStatusField) {
  for (const DeviceCounter& c : kDeviceCounters) {
    const auto* field = v1::DeviceStatus::descriptor()->FindFieldByName(std::string(c.name));
    ASSERT_NE(field, nullptr) << c.name << " has no DeviceStatus field (schemas/proto/plinth.proto)";
    EXPECT_EQ(field->cpp_type(), google::protobuf::FieldDescriptor::CPPTYPE_UINT64) << c.name;
  }
}

TEST(StatusMessage, DeviceCountersReachTheWire) {
  DaemonHealth health;
  DeviceHealth d;
  d.id = "mat0";
  std::uint64_t value = 101;
  for (const DeviceCounter& c : kDeviceCounters) d.*c.value = value++;
  health.devices.push_back(d);
  std::string bytes;
  encode_status(MessageHeader{"s", 0, 1, {}, 0, 0}, health, bytes);
  v1::Status decoded;
  ASSERT_TRUE(decoded.ParseFromString(bytes));
  ASSERT_EQ(decoded.devices_size(), 1);
  const auto& status = decoded.devices(0);
  const auto* reflection = status.GetReflection();
  for (const DeviceCounter& c : kDeviceCounters) {
    const auto* field = v1::DeviceStatus::descriptor()->FindFieldByName(std::string(c.name));
    EXPECT_EQ(reflection->GetUInt64(status, field), d.*c.value) << c.name;
  }
}

}  // namespace
}  // namespace plinth
