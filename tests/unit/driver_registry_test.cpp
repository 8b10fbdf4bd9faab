// The driver table answers what the tools would otherwise hard-code: which protocol a capture is in.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "drivers/driver_registry.hpp"
#include "drivers/plinth_mat.hpp"
#include "drivers/row_matrix_mat.hpp"

namespace plinth {
namespace {

TEST(DriverRegistry, SniffTellsTheMatProtocolOfACapture) {
  // A capture may start mid-message: plinth-mat is recognised by its sync word anywhere.
  const std::vector<std::uint8_t> plinth = {0x00, 0x13, mat_protocol::kSync0, mat_protocol::kSync1, 0x01};
  const DriverDescriptor* found = sniff_driver(DeviceKind::mat, plinth);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->name, "plinth-mat");

  const std::vector<std::uint8_t> seat = {row_matrix::kFrameStart, 0x02, 0x03, 0x00};
  found = sniff_driver(DeviceKind::mat, seat);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->name, "row-matrix");

  const std::vector<std::uint8_t> unknown = {0x01, 0x02, 0x03};
  EXPECT_EQ(sniff_driver(DeviceKind::mat, unknown), nullptr);
  EXPECT_EQ(sniff_driver(DeviceKind::mat, {}), nullptr);
  // Only drivers of the asked kind answer.
  EXPECT_EQ(sniff_driver(DeviceKind::heart, plinth), nullptr);
}

TEST(DriverOptions, AKeyNotGivenReadsAsTheDriversFallback) {
  DriverOptions o;
  EXPECT_EQ(o.text_or("ant_network_key", ""), "");
  EXPECT_EQ(o.integer_or("ant_device_number", 0), 0);
  o.values["ant_network_key"] = std::string("0011223344556677");
  o.values["ant_device_number"] = std::int64_t{4242};
  EXPECT_EQ(o.text_or("ant_network_key", ""), "0011223344556677");
  EXPECT_EQ(o.integer_or("ant_device_number", 0), 4242);
}

}  // namespace
}  // namespace plinth
