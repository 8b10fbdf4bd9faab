#include "tools/report/archive_repair.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "daemon/archive/archive_paths.hpp"
#include "daemon/archive/h5_support.hpp"
#include "daemon/archive/lz4_filter.hpp"
#include "daemon/host_clock.hpp"
#include "daemon/archive/session_file.hpp"
#include "plinth/version.hpp"

namespace plinth::report {
namespace {

// Owns one HDF5 identifier.
using Handle = h5::Handle;

[[noreturn]] void fail(const std::string& what) { throw RepairError(h5::take_error_stack(what)); }

bool exists(hid_t file, const std::string& path) {
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    if (H5Lexists(file, path.substr(0, pos).c_str(), H5P_DEFAULT) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
  }
  return true;
}

std::vector<std::string> children(hid_t file, const std::string& group) {
  std::vector<std::string> names;
  if (!exists(file, group)) return names;
  const Handle g(H5Gopen2(file, group.c_str(), H5P_DEFAULT), H5Gclose);
  H5G_info_t info;
  if (!g || H5Gget_info(g.get(), &info) < 0) fail("cannot list " + group);
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t size = H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    std::string name(static_cast<std::size_t>(std::max<ssize_t>(size, 0)), '\0');
    H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1, H5P_DEFAULT);
    names.push_back(name);
  }
  return names;
}

hsize_t length(hid_t file, const std::string& path) {
  if (!exists(file, path)) return 0;
  const Handle d(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d) fail("cannot open " + path);
  const Handle space(H5Dget_space(d.get()), H5Sclose);
  hsize_t dims[4] = {0, 0, 0, 0};
  if (H5Sget_simple_extent_ndims(space.get()) < 1) return 0;
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  return dims[0];
}

void set_length(hid_t file, const std::string& path, hsize_t n) {
  if (!exists(file, path)) return;
  const Handle d(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  const Handle space(H5Dget_space(d.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 1)));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  if (dims[0] == n) return;
  dims[0] = n;
  if (H5Dset_extent(d.get(), dims.data()) < 0) fail("cannot cut " + path);
}

// The time of the last record: a 1-D int64 dataset's last value, or a compound's time_ns there.
std::int64_t last_time(hid_t file, const std::string& path) {
  const hsize_t n = length(file, path);
  if (n == 0) return 0;
  const Handle d(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  const Handle type(H5Dget_type(d.get()), H5Tclose);
  const Handle space(H5Dget_space(d.get()), H5Sclose);
  const hsize_t start[1] = {n - 1}, count[1] = {1};
  H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
  const Handle memory_space(H5Screate_simple(1, count, nullptr), H5Sclose);
  std::int64_t value = 0;
  if (H5Tget_class(type.get()) == H5T_COMPOUND) {
    if (H5Tget_member_index(type.get(), "time_ns") < 0) {
      H5Eclear2(H5E_DEFAULT);
      return 0;
    }
    const Handle memory(H5Tcreate(H5T_COMPOUND, sizeof value), H5Tclose);
    H5Tinsert(memory.get(), "time_ns", 0, H5T_NATIVE_INT64);
    if (H5Dread(d.get(), memory.get(), memory_space.get(), space.get(), H5P_DEFAULT, &value) < 0) fail("cannot read " + path);
  } else if (H5Dread(d.get(), H5T_NATIVE_INT64, memory_space.get(), space.get(), H5P_DEFAULT, &value) < 0) {
    fail("cannot read " + path);
  }
  return value;
}

void copy_attributes(hid_t from, hid_t to) {
  std::vector<std::string> names;
  hsize_t position = 0;
  H5Aiterate2(
      from, H5_INDEX_NAME, H5_ITER_INC, &position,
      [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
      },
      &names);
  for (const std::string& name : names) {
    const Handle attr(H5Aopen(from, name.c_str(), H5P_DEFAULT), H5Aclose);
    const Handle type(H5Aget_type(attr.get()), H5Tclose);
    const Handle space(H5Aget_space(attr.get()), H5Sclose);
    const Handle memory(H5Tget_native_type(type.get(), H5T_DIR_ASCEND), H5Tclose);
    if (!attr || !type || !space || !memory) fail("cannot read the attribute " + name);
    const auto points = static_cast<std::size_t>(std::max<hssize_t>(1, H5Sget_simple_extent_npoints(space.get())));
    std::vector<unsigned char> buffer(points * H5Tget_size(memory.get()));
    if (H5Aread(attr.get(), memory.get(), buffer.data()) < 0) fail("cannot read the attribute " + name);
    const Handle copy(H5Acreate2(to, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const bool written = static_cast<bool>(copy) && H5Awrite(copy.get(), memory.get(), buffer.data()) >= 0;
    const bool variable = H5Tis_variable_str(memory.get()) > 0 || H5Tdetect_class(memory.get(), H5T_VLEN) > 0;
    if (variable) H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, buffer.data());
    if (!written) fail("cannot write the attribute " + name);
  }
}

void write_text(hid_t object, const char* name, const std::string& value) {
  const Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  const Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  if (H5Aexists(object, name) > 0) H5Adelete(object, name);
  const Handle attr(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  const char* text = value.c_str();
  if (!attr || H5Awrite(attr.get(), type.get(), &text) < 0) fail(std::string("cannot write the attribute ") + name);
}

void write_int(hid_t object, const char* name, std::int64_t value) {
  const Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  if (H5Aexists(object, name) > 0) H5Adelete(object, name);
  const Handle attr(H5Acreate2(object, name, H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!attr || H5Awrite(attr.get(), H5T_NATIVE_INT64, &value) < 0) fail(std::string("cannot write the attribute ") + name);
}

bool has_attribute(hid_t object, const char* name) {
  const htri_t e = H5Aexists(object, name);
  H5Eclear2(H5E_DEFAULT);
  return e > 0;
}

std::string text_attribute(hid_t object, const char* name) {
  if (!has_attribute(object, name)) return "";
  const Handle attr(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
  const Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  char* text = nullptr;
  std::string out;
  if (H5Aread(attr.get(), type.get(), &text) >= 0 && text) out = text;
  if (text) H5free_memory(text);
  H5Eclear2(H5E_DEFAULT);
  return out;
}

// Groups are made anew and their attributes copied one by one; datasets are copied by HDF5
// without their attributes, which follow the same way. H5Ocopy of a whole group crashes in
// HDF5 1.10.8 when the group keeps many variable-length string attributes (dense attribute
// storage: H5A__dense_post_copy_file_all -> H5T__conv_vlen), which every /devices/<id> does.
void copy_group(hid_t from, hid_t to, const std::string& group) {
  {
    const Handle source(H5Gopen2(from, group.c_str(), H5P_DEFAULT), H5Gclose);
    const Handle target(group == "/" ? H5Gopen2(to, "/", H5P_DEFAULT)
                                     : H5Gcreate2(to, group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                        H5Gclose);
    if (!source || !target) fail("cannot copy the group " + group);
    copy_attributes(source.get(), target.get());
  }
  const Handle without_attributes(H5Pcreate(H5P_OBJECT_COPY), H5Pclose);
  H5Pset_copy_object(without_attributes.get(), H5O_COPY_WITHOUT_ATTR_FLAG);
  for (const std::string& name : children(from, group)) {
    const std::string path = (group == "/" ? "/" : group + "/") + name;
    H5O_info_t info;
    if (H5Oget_info_by_name(from, path.c_str(), &info, H5P_DEFAULT) < 0) fail("cannot read " + path);
    if (info.type == H5O_TYPE_GROUP) {
      copy_group(from, to, path);
    } else if (info.type == H5O_TYPE_DATASET) {
      if (H5Ocopy(from, path.c_str(), to, path.c_str(), without_attributes.get(), H5P_DEFAULT) < 0)
        fail("cannot copy " + path);
      const Handle source(H5Dopen2(from, path.c_str(), H5P_DEFAULT), H5Dclose);
      const Handle target(H5Dopen2(to, path.c_str(), H5P_DEFAULT), H5Dclose);
      if (!source || !target) fail("cannot copy the attributes of " + path);
      copy_attributes(source.get(), target.get());
    }
  }
}

// The session's frame datasets grow one after the other: cut them to the length all reached.
void trim_frames(hid_t file, const std::string& mat, RepairResult& result) {
  using namespace archive_paths;
  const auto path = [&](std::string_view dataset) { return absolute(archive_paths::mat(mat, dataset)); };
  hsize_t n = length(file, path(kRaw));
  const hsize_t raw = n;
  for (const std::string_view name : {kTimeNs, kSeq, kDeviceTimeUs})
    if (exists(file, path(name))) n = std::min(n, length(file, path(name)));
  for (const std::string_view name : {kRaw, kTimeNs, kSeq, kDeviceTimeUs}) set_length(file, path(name), n);
  result.frames += n;
  result.frames_cut += raw - n;
  if (n > 0) result.last_frame_ns = std::max(result.last_frame_ns, last_time(file, path(kTimeNs)));
  for (const std::string_view prefix : {kExposurePrefix, kExposurePrefixV1}) {
    const auto dataset = [&](std::string_view name) { return path(exposure(name, prefix)); };
    const std::string pti = dataset(kExposurePti), above = dataset(kExposureTimeAbove), times = dataset(kExposureTimeNs);
    if (!exists(file, pti)) continue;
    const hsize_t m = std::min({length(file, pti), length(file, above), length(file, times)});
    for (const std::string& name : {pti, above, times}) set_length(file, name, m);
  }
}

}  // namespace

RepairResult repair_archive(const std::filesystem::path& source, std::filesystem::path output) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  RepairResult result;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(source, ec)) throw RepairError(source.string() + ": no such file");
  if (output.empty()) {
    output = source;
    output.replace_extension(".repaired.h5");
  }
  if (std::filesystem::equivalent(source, output, ec)) throw RepairError("the output must not be the original");
  if (std::filesystem::exists(output, ec))
    throw RepairError(output.string() + " exists; plinth repair never overwrites a file (give -o)");
  result.output = output;

  // A complete file opens the ordinary way; one whose writer died only as a SWMR reader.
  h5::register_lz4_filter();  // frames of archives written with archive.compression = "lz4"
  hid_t src = H5Fopen(source.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (src < 0) {
    H5Eclear2(H5E_DEFAULT);
    const Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    H5Pset_metadata_read_attempts(access.get(), 27);
    src = H5Fopen(source.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, access.get());
  }
  if (src < 0)
    fail(source.string() + ": HDF5 cannot open it even as a SWMR reader (after a full disk the recorded end of file "
         "may lie beyond its real end: try `h5clear -s --increment=0` on a copy, Debian package hdf5-tools)");
  const Handle from(src, H5Fclose);
  const Handle from_root(H5Gopen2(from.get(), "/", H5P_DEFAULT), H5Gclose);
  if (text_attribute(from_root.get(), "format") != "plinth-session")
    throw RepairError(source.string() + " is not a Plinth session archive");
  if (has_attribute(from_root.get(), "ended_at_ns")) {
    result.needed = false;
    return result;
  }

  // Created 0600 before HDF5 touches it, as the daemon creates archives (never overwriting).
  const int fd = ::open(output.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) throw RepairError("cannot create " + output.string());
  ::close(fd);
  try {
    const Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    H5Pset_libver_bounds(access.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    const Handle to(H5Fcreate(output.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()), H5Fclose);
    if (!to) fail("cannot create " + output.string());
    copy_group(from.get(), to.get(), "/");
    const Handle to_root(H5Gopen2(to.get(), "/", H5P_DEFAULT), H5Gclose);

    using namespace archive_paths;
    for (const std::string& mat : children(to.get(), absolute(kPressure))) trim_frames(to.get(), mat, result);
    std::int64_t last = result.last_frame_ns;
    for (const std::string& heart_id : children(to.get(), absolute(kHeart)))
      for (const std::string_view table : {kBeats, kBeatsFinal, kHrv})
        last = std::max(last, last_time(to.get(), absolute(heart(heart_id, table))));
    for (const std::string_view table : {kEvents, kStatus, kRelaxation})
      last = std::max(last, last_time(to.get(), absolute(table)));
    if (last == 0 && has_attribute(to_root.get(), "started_at_ns")) {
      const Handle attr(H5Aopen(to_root.get(), "started_at_ns", H5P_DEFAULT), H5Aclose);
      H5Aread(attr.get(), H5T_NATIVE_INT64, &last);
    }
    result.ended_at_ns = last;
    write_int(to_root.get(), "ended_at_ns", last);
    write_text(to_root.get(), "ended_at", iso8601_utc(last));
    write_text(to_root.get(), "ended", "crash");
    if (result.last_frame_ns > 0) {
      write_int(to_root.get(), "last_frame_ns", result.last_frame_ns);
      write_text(to_root.get(), "last_frame_at", iso8601_utc(result.last_frame_ns));
    }
    write_text(to_root.get(), "repaired_from", std::filesystem::absolute(source).string());
    write_text(to_root.get(), "repaired_at",
               iso8601_utc(wall_clock_unix_ns()));
    write_text(to_root.get(), "repaired_by", std::string("plinth repair ") + kSoftwareVersion);
    if (H5Fflush(to.get(), H5F_SCOPE_GLOBAL) < 0) fail("cannot write " + output.string());
  } catch (...) {
    std::filesystem::remove(output, ec);
    throw;
  }
  // The copy must open the ordinary way: that is what it is for.
  const hid_t check = H5Fopen(output.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (check < 0) {
    std::filesystem::remove(output, ec);
    fail("the repaired copy does not open: " + output.string());
  }
  H5Fclose(check);
  return result;
}

}  // namespace plinth::report
