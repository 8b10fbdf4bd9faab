// The pure look-ups in BlueZ's object tree: which adapter, device and characteristic.
#include <gtest/gtest.h>

#include "drivers/bluez/bluez_objects.hpp"

namespace plinth::bluez {
namespace {

const std::string kAdapter = "/org/bluez/hci0";
const std::string kStrap = "/org/bluez/hci0/dev_A0_9E_1A_00_00_01";

void add_device(ManagedObjects& objects, const std::string& path, const std::string& address,
                const std::string& name, const std::string& alias, const std::string& adapter = kAdapter) {
  objects[path][std::string(kDeviceInterface)] = PropertyMap{
      {"Address", address}, {"Name", name}, {"Alias", alias}, {"Adapter", adapter}, {"Connected", false}};
}

void add_service(ManagedObjects& objects, const std::string& path, std::string_view uuid, const std::string& device) {
  objects[path][std::string(kGattServiceInterface)] = PropertyMap{{"UUID", std::string(uuid)}, {"Device", device}};
}

void add_characteristic(ManagedObjects& objects, const std::string& path, std::string_view uuid,
                        const std::string& service, std::vector<std::string> flags) {
  objects[path][std::string(kGattCharacteristicInterface)] =
      PropertyMap{{"UUID", std::string(uuid)}, {"Service", service}, {"Flags", std::move(flags)}};
}

ManagedObjects two_adapters_three_devices() {
  ManagedObjects objects;
  objects[kAdapter][std::string(kAdapterInterface)] = PropertyMap{{"Address", std::string("00:01:02:03:04:05")}};
  objects["/org/bluez/hci1"][std::string(kAdapterInterface)] = PropertyMap{};
  add_device(objects, "/org/bluez/hci0/dev_11_22_33_44_55_66", "11:22:33:44:55:66", "Headphones", "My headphones");
  add_device(objects, kStrap, "A0:9E:1A:00:00:01", "Polar H10 1234ABCD", "chest strap");
  add_device(objects, "/org/bluez/hci1/dev_A0_9E_1A_00_00_02", "A0:9E:1A:00:00:02", "Polar H10 99999999",
             "Polar H10 99999999", "/org/bluez/hci1");
  return objects;
}

TEST(BluezObjects, RecognisesBluetoothAddresses) {
  EXPECT_TRUE(looks_like_bluetooth_address("A0:9E:1A:12:34:56"));
  EXPECT_TRUE(looks_like_bluetooth_address("a0:9e:1a:12:34:56"));
  EXPECT_FALSE(looks_like_bluetooth_address("A0:9E:1A:12:34"));
  EXPECT_FALSE(looks_like_bluetooth_address("A0-9E-1A-12-34-56"));
  EXPECT_FALSE(looks_like_bluetooth_address("G0:9E:1A:12:34:56"));
  EXPECT_FALSE(looks_like_bluetooth_address("Polar H10 1234ABC"));
}

TEST(BluezObjects, FindsTheAdapterByName) {
  const auto objects = two_adapters_three_devices();
  EXPECT_EQ(find_adapter(objects, "hci0"), kAdapter);
  EXPECT_EQ(find_adapter(objects, "hci1"), "/org/bluez/hci1");
  EXPECT_EQ(find_adapter(objects, "hci2"), std::nullopt);
}

TEST(BluezObjects, FindsADeviceByAddressInAnyCaseOnlyOnItsAdapter) {
  const auto objects = two_adapters_three_devices();
  auto lookup = find_device(objects, kAdapter, "a0:9e:1a:00:00:01");
  EXPECT_EQ(lookup.path, kStrap);
  EXPECT_EQ(lookup.devices_seen, 2u);
  EXPECT_FALSE(find_device(objects, kAdapter, "A0:9E:1A:00:00:02").path);  // that one is on hci1
}

TEST(BluezObjects, FindsADeviceByNamePrefixOrAlias) {
  const auto objects = two_adapters_three_devices();
  EXPECT_EQ(find_device(objects, kAdapter, "Polar H10").path, kStrap);
  EXPECT_EQ(find_device(objects, kAdapter, "Polar H10 1234ABCD").path, kStrap);
  EXPECT_EQ(find_device(objects, kAdapter, "chest strap").path, kStrap);
  EXPECT_FALSE(find_device(objects, kAdapter, "H10").path);  // a prefix, not a substring
  EXPECT_FALSE(find_device(objects, kAdapter, "Polar H10 9").path);
}

TEST(BluezObjects, CountsAmbiguousNamesAndTakesTheFirstPath) {
  auto objects = two_adapters_three_devices();
  add_device(objects, "/org/bluez/hci0/dev_A0_9E_1A_00_00_00", "A0:9E:1A:00:00:00", "Polar H10 00000000", "x");
  const auto lookup = find_device(objects, kAdapter, "Polar H10");
  EXPECT_EQ(lookup.candidates, 2u);
  EXPECT_EQ(lookup.path, "/org/bluez/hci0/dev_A0_9E_1A_00_00_00");
}

TEST(BluezObjects, FindsTheHeartRateMeasurementOfTheRightDevice) {
  auto objects = two_adapters_three_devices();
  const std::string other = "/org/bluez/hci0/dev_11_22_33_44_55_66";
  // The other device has a heart-rate service too; a battery service sits on the strap.
  add_service(objects, other + "/service0010", kHeartRateServiceUuid, other);
  add_characteristic(objects, other + "/service0010/char0011", kHeartRateMeasurementUuid, other + "/service0010", {"notify"});
  add_service(objects, kStrap + "/service0008", "0000180f-0000-1000-8000-00805f9b34fb", kStrap);
  add_characteristic(objects, kStrap + "/service0008/char0009", "00002a19-0000-1000-8000-00805f9b34fb",
                     kStrap + "/service0008", {"read", "notify"});
  add_service(objects, kStrap + "/service000c", "0000180D-0000-1000-8000-00805F9B34FB", kStrap);
  add_characteristic(objects, kStrap + "/service000c/char000f", "00002a38-0000-1000-8000-00805f9b34fb",
                     kStrap + "/service000c", {"read"});
  add_characteristic(objects, kStrap + "/service000c/char000d", kHeartRateMeasurementUuid,
                     kStrap + "/service000c", {"notify"});

  const auto lookup = find_heart_rate_characteristic(objects, kStrap);
  EXPECT_TRUE(lookup.service_found);
  EXPECT_EQ(lookup.path, kStrap + "/service000c/char000d");
  EXPECT_TRUE(lookup.notify_supported);
}

TEST(BluezObjects, TellsAMissingServiceFromAMissingCharacteristicAndNoNotify) {
  auto objects = two_adapters_three_devices();
  auto lookup = find_heart_rate_characteristic(objects, kStrap);
  EXPECT_FALSE(lookup.service_found);
  EXPECT_FALSE(lookup.path);

  add_service(objects, kStrap + "/service000c", kHeartRateServiceUuid, kStrap);
  lookup = find_heart_rate_characteristic(objects, kStrap);
  EXPECT_TRUE(lookup.service_found);
  EXPECT_FALSE(lookup.path);

  add_characteristic(objects, kStrap + "/service000c/char000d", kHeartRateMeasurementUuid, kStrap + "/service000c",
                     {"read"});
  lookup = find_heart_rate_characteristic(objects, kStrap);
  EXPECT_TRUE(lookup.path);
  EXPECT_FALSE(lookup.notify_supported);
}

TEST(BluezObjects, AppliesPropertyChangesWithoutLosingOthers) {
  auto objects = two_adapters_three_devices();
  apply_properties(objects, kStrap, std::string(kDeviceInterface), PropertyMap{{"Connected", true}});
  const PropertyMap* device = interface_properties(objects, kStrap, kDeviceInterface);
  ASSERT_NE(device, nullptr);
  EXPECT_EQ(bool_property(*device, "Connected"), true);
  ASSERT_NE(string_property(*device, "Name"), nullptr);
  EXPECT_EQ(*string_property(*device, "Name"), "Polar H10 1234ABCD");
  EXPECT_EQ(bool_property(*device, "Name"), std::nullopt);  // wrong type reads as absent
}

TEST(BluezObjects, PathIsUnderComparesWholeSegments) {
  EXPECT_TRUE(path_is_under("/org/bluez/hci0/dev_A", "/org/bluez/hci0"));
  EXPECT_TRUE(path_is_under("/org/bluez/hci0", "/org/bluez/hci0"));
  EXPECT_FALSE(path_is_under("/org/bluez/hci01/dev_A", "/org/bluez/hci0"));
  EXPECT_FALSE(path_is_under("/org/bluez", "/org/bluez/hci0"));
}

}  // namespace
}  // namespace plinth::bluez
