#pragma once
// Test-only helpers: read an archive back with the plain HDF5 C API (independently of the
// writer's code), temporary directories, and a standard two-device layout.
#include <hdf5.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/archive/archive_layout.hpp"

#include "tests/unit/temp_dir.hpp"

namespace plinth::archive_test {

using test_support::TempDir;

// An open HDF5 file for reading; `swmr` opens it as a SWMR reader.
class Reader {
 public:
  explicit Reader(const std::filesystem::path& path, bool swmr = false) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const hid_t access = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(access, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    file_ = H5Fopen(path.c_str(), swmr ? (H5F_ACC_RDONLY | H5F_ACC_SWMR_READ) : H5F_ACC_RDONLY, access);
    H5Pclose(access);
  }
  ~Reader() {
    if (file_ >= 0) H5Fclose(file_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  bool ok() const { return file_ >= 0; }
  hid_t id() const { return file_; }

  bool exists(const std::string& path) const { return H5Lexists(file_, path.c_str(), H5P_DEFAULT) > 0; }

  std::string string_attr(const std::string& object, const std::string& name) const {
    const hid_t attr = H5Aopen_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    if (attr < 0) throw std::runtime_error("no attribute " + object + "@" + name);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    char* text = nullptr;
    const herr_t status = H5Aread(attr, type, &text);
    std::string result = (status >= 0 && text != nullptr) ? text : "<unreadable>";
    if (text != nullptr) H5free_memory(text);
    H5Tclose(type);
    H5Aclose(attr);
    return result;
  }

  template <typename T>
  T number_attr(const std::string& object, const std::string& name, hid_t memory_type) const {
    const hid_t attr = H5Aopen_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    if (attr < 0) throw std::runtime_error("no attribute " + object + "@" + name);
    T value{};
    H5Aread(attr, memory_type, &value);
    H5Aclose(attr);
    return value;
  }
  std::int64_t int_attr(const std::string& object, const std::string& name) const {
    return number_attr<std::int64_t>(object, name, H5T_NATIVE_INT64);
  }
  double double_attr(const std::string& object, const std::string& name) const {
    return number_attr<double>(object, name, H5T_NATIVE_DOUBLE);
  }
  bool has_attr(const std::string& object, const std::string& name) const {
    return H5Aexists_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
  }

  std::vector<hsize_t> dims(const std::string& dataset) const {
    const hid_t d = open(dataset);
    H5Drefresh(d);  // harmless outside SWMR; needed to see a live writer's growth
    const hid_t space = H5Dget_space(d);
    std::vector<hsize_t> result(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
    H5Sget_simple_extent_dims(space, result.data(), nullptr);
    H5Sclose(space);
    H5Dclose(d);
    return result;
  }

  // The whole dataset, or one field of a compound dataset when `field` is given.
  template <typename T>
  std::vector<T> read(const std::string& dataset, hid_t native_type, const std::string& field = {}) const {
    const hid_t d = open(dataset);
    H5Drefresh(d);
    const hid_t space = H5Dget_space(d);
    const auto count = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
    std::vector<T> values(count);
    hid_t memory_type = native_type;
    if (!field.empty()) {
      memory_type = H5Tcreate(H5T_COMPOUND, sizeof(T));
      H5Tinsert(memory_type, field.c_str(), 0, native_type);
    }
    const herr_t status =
        count == 0 ? 0 : H5Dread(d, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    if (!field.empty()) H5Tclose(memory_type);
    H5Sclose(space);
    H5Dclose(d);
    if (status < 0) throw std::runtime_error("cannot read " + dataset + " " + field);
    return values;
  }

  // A fixed-width text field of a compound dataset.
  std::vector<std::string> read_text(const std::string& dataset, const std::string& field,
                                     std::size_t width) const {
    const hid_t d = open(dataset);
    const hid_t space = H5Dget_space(d);
    const auto count = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
    const hid_t text = H5Tcopy(H5T_C_S1);
    H5Tset_size(text, width);
    H5Tset_strpad(text, H5T_STR_NULLPAD);
    H5Tset_cset(text, H5T_CSET_UTF8);
    const hid_t memory_type = H5Tcreate(H5T_COMPOUND, width);
    H5Tinsert(memory_type, field.c_str(), 0, text);
    std::vector<char> buffer(count * width);
    const herr_t status =
        count == 0 ? 0 : H5Dread(d, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data());
    H5Tclose(memory_type);
    H5Tclose(text);
    H5Sclose(space);
    H5Dclose(d);
    if (status < 0) throw std::runtime_error("cannot read " + dataset + " " + field);
    std::vector<std::string> result;
    for (std::size_t i = 0; i < count; ++i) {
      std::string s(buffer.data() + i * width, width);
      s.resize(s.find_last_not_of('\0') == std::string::npos ? 0 : s.find_last_not_of('\0') + 1);
      result.push_back(s);
    }
    return result;
  }

  std::vector<std::string> compound_field_names(const std::string& dataset) const {
    const hid_t d = open(dataset);
    const hid_t type = H5Dget_type(d);
    std::vector<std::string> names;
    for (int i = 0; i < H5Tget_nmembers(type); ++i) {
      char* name = H5Tget_member_name(type, static_cast<unsigned>(i));
      names.emplace_back(name);
      H5free_memory(name);
    }
    H5Tclose(type);
    H5Dclose(d);
    return names;
  }

  // Filters on a dataset's creation property list, e.g. {H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE}.
  std::vector<H5Z_filter_t> filters(const std::string& dataset) const {
    const hid_t d = open(dataset);
    const hid_t create = H5Dget_create_plist(d);
    std::vector<H5Z_filter_t> result;
    for (int i = 0; i < H5Pget_nfilters(create); ++i) {
      unsigned flags = 0;
      std::size_t n = 0;
      unsigned config = 0;
      result.push_back(
          H5Pget_filter2(create, static_cast<unsigned>(i), &flags, &n, nullptr, 0, nullptr, &config));
    }
    H5Pclose(create);
    H5Dclose(d);
    return result;
  }

 private:
  hid_t open(const std::string& dataset) const {
    const hid_t d = H5Dopen2(file_, dataset.c_str(), H5P_DEFAULT);
    if (d < 0) throw std::runtime_error("no dataset " + dataset);
    return d;
  }
  hid_t file_ = H5I_INVALID_HID;
};

inline SessionMeta sample_meta(const std::string& session_id = "20261123T091500Z-7f3a") {
  SessionMeta meta;
  meta.session_id = session_id;
  meta.subject = "P-017";
  meta.started_at_ns = 1'795'425'300'123'000'000;  // 2026-11-23T09:15:00.123Z
  meta.software_version = "0.1.0-test";
  meta.software_revision = "1a2b3c4d5e6f-dirty";
  meta.config_toml = "[session]\narchive_dir = \"sessions\"\n";
  meta.extra["site"] = std::string("clinic-a");
  return meta;
}

// Two mats of different geometry and one heart strap.
inline std::vector<ArchiveDeviceLayout> sample_devices() {
  ArchiveDeviceLayout mat0;
  mat0.id = "mat0";
  mat0.kind = DeviceKind::mat;
  mat0.rows = 4;
  mat0.cols = 3;
  mat0.attributes = {{"driver", std::string("plinth-mat")},
                     {"port", std::string("/dev/ttyACM0")},
                     {"pitch_cm", 2.54},
                     {"usb_vendor", std::int64_t{0x1209}},
                     {"calibration", std::string(R"({"model":"linear","gain":0.1})")}};
  mat0.metric_fields = {{"total_load_n", "N"}, {"contact_area_cm2", "cm^2"}, {"peak_pressure_mmhg", "mmHg"}};
  ArchiveDeviceLayout mat1;
  mat1.id = "mat1";
  mat1.kind = DeviceKind::mat;
  mat1.rows = 64;
  mat1.cols = 32;
  mat1.metric_fields = {"total_load_n"};
  ArchiveDeviceLayout strap;
  strap.id = "h10";
  strap.kind = DeviceKind::heart;
  strap.attributes = {{"driver", std::string("ble-hrs")}, {"serial", std::string("C0FFEE")}};
  strap.beat_extra_fields = {{"contact", "bool"}};
  strap.hrv_fields = {{"rmssd_ms", "ms"}, {"sdnn_ms", "ms"}};
  return {mat0, mat1, strap};
}

inline ArchiveStatusLayout sample_status() {
  return {{{"mat0.frames", "frames"}, {"mat0.crc_errors", "frames"}},
          {{"archive.queue_fill", "1"}},
          {{"index", "0-100"}, {"stillness_score", "0-100"}}};
}

inline std::vector<std::uint16_t> test_frame(std::size_t values, std::uint32_t index) {
  std::vector<std::uint16_t> frame(values);
  for (std::size_t i = 0; i < values; ++i)
    frame[i] = static_cast<std::uint16_t>((index * 131 + i * 7) % 4096);
  return frame;
}

}  // namespace plinth::archive_test
