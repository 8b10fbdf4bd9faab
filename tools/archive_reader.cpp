#include "tools/archive_reader.hpp"

#include <hdf5.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <utility>

#include "daemon/archive/archive_paths.hpp"
#include "daemon/archive/h5_support.hpp"
#include "daemon/archive/lz4_filter.hpp"

namespace plinth {

namespace {

[[noreturn]] void fail(const std::string& what) { throw ArchiveReadError(h5::take_error_stack(what)); }

using Id = h5::Handle;

Id checked(hid_t id, Id::Closer closer, const std::string& what) {
  if (id < 0) fail(what);
  return Id(id, closer);
}
Id type_id(hid_t id, const std::string& what) { return checked(id, H5Tclose, what); }
Id space_id(hid_t id, const std::string& what) { return checked(id, H5Sclose, what); }

bool link_exists(hid_t file, const std::string& path) {
  // H5Lexists fails (rather than saying no) when an intermediate group is missing.
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
  }
  return true;
}

std::vector<std::string> child_names(hid_t file, const std::string& group) {
  std::vector<std::string> names;
  if (!link_exists(file, group)) return names;
  const Id g = checked(H5Gopen2(file, group.c_str(), H5P_DEFAULT), H5Gclose, "cannot open group " + group);
  H5G_info_t info;
  if (H5Gget_info(g.get(), &info) < 0) fail("cannot list group " + group);
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t size = H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (size < 0) fail("cannot list group " + group);
    std::string name(static_cast<std::size_t>(size), '\0');
    H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1, H5P_DEFAULT);
    names.push_back(std::move(name));
  }
  return names;
}

std::vector<std::string> read_strings(hid_t attr, hid_t file_type, hid_t space) {
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  std::vector<std::string> out;
  if (n <= 0) return out;
  if (H5Tis_variable_str(file_type) > 0) {
    const Id mem = type_id(H5Tcopy(H5T_C_S1), "string type");
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(file_type));
    std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
    if (H5Aread(attr, mem.get(), ptrs.data()) < 0) fail("cannot read a text attribute");
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    H5Dvlen_reclaim(mem.get(), space, H5P_DEFAULT, ptrs.data());
  } else {
    const std::size_t width = H5Tget_size(file_type);
    std::vector<char> buffer(width * static_cast<std::size_t>(n));
    if (H5Aread(attr, file_type, buffer.data()) < 0) fail("cannot read a text attribute");
    for (hssize_t i = 0; i < n; ++i) {
      const char* p = buffer.data() + static_cast<std::size_t>(i) * width;
      out.emplace_back(p, strnlen(p, width));
    }
  }
  return out;
}

// Scalar attributes of one object; arrays and other kinds are left out.
ArchiveValues read_attributes(hid_t object) {
  ArchiveValues values;
  std::vector<std::string> names;
  hsize_t position = 0;
  if (H5Aiterate2(
          object, H5_INDEX_NAME, H5_ITER_INC, &position,
          [](hid_t, const char* attr_name, const H5A_info_t*, void* data) -> herr_t {
            static_cast<std::vector<std::string>*>(data)->emplace_back(attr_name);
            return 0;
          },
          &names) < 0)
    fail("cannot list attributes");
  for (const std::string& name : names) {
    const Id attr = checked(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "cannot open attribute " + name);
    const Id type = type_id(H5Aget_type(attr.get()), "attribute type");
    const Id space = space_id(H5Aget_space(attr.get()), "attribute space");
    if (H5Sget_simple_extent_npoints(space.get()) != 1) continue;
    switch (H5Tget_class(type.get())) {
      case H5T_STRING: {
        auto text = read_strings(attr.get(), type.get(), space.get());
        values[name] = text.empty() ? std::string() : text.front();
        break;
      }
      case H5T_INTEGER: {
        std::int64_t v = 0;
        if (H5Aread(attr.get(), H5T_NATIVE_INT64, &v) < 0) fail("cannot read attribute " + name);
        values[name] = v;
        break;
      }
      case H5T_FLOAT: {
        double v = 0;
        if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &v) < 0) fail("cannot read attribute " + name);
        values[name] = v;
        break;
      }
      default:
        break;
    }
  }
  return values;
}

std::vector<std::string> read_string_list_attribute(hid_t object, const char* name) {
  if (H5Aexists(object, name) <= 0) return {};
  const Id attr = checked(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, std::string("attribute ") + name);
  const Id type = type_id(H5Aget_type(attr.get()), "attribute type");
  if (H5Tget_class(type.get()) != H5T_STRING) return {};
  const Id space = space_id(H5Aget_space(attr.get()), "attribute space");
  return read_strings(attr.get(), type.get(), space.get());
}

bool has_hdf5_signature(const std::filesystem::path& path) {
  static constexpr char kSignature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  std::ifstream in(path, std::ios::binary);
  // HDF5 also looks for the signature at 512, 1024, ... (a user block); the daemon writes none.
  for (std::streamoff offset = 0; offset <= 8192; offset = offset == 0 ? 512 : offset * 2) {
    std::array<char, 8> head{};
    in.seekg(offset);
    if (!in.read(head.data(), head.size())) return false;
    if (std::memcmp(head.data(), kSignature, 8) == 0) return true;
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string to_text(const ArchiveValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.10g", std::get<double>(value));
  return buffer;
}

std::string text_of(const ArchiveValues& values, const std::string& name, const std::string& fallback) {
  auto it = values.find(name);
  if (it == values.end()) return fallback;
  if (const auto* s = std::get_if<std::string>(&it->second)) return *s;
  return fallback;
}

std::optional<std::int64_t> integer_of(const ArchiveValues& values, const std::string& name) {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  if (const auto* i = std::get_if<std::int64_t>(&it->second)) return *i;
  return std::nullopt;
}

std::optional<double> number_of(const ArchiveValues& values, const std::string& name) {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  if (const auto* i = std::get_if<std::int64_t>(&it->second)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&it->second)) return *d;
  return std::nullopt;
}

const std::vector<double>* ArchiveTable::column(std::string_view name) const {
  for (std::size_t k = 0; k < names.size(); ++k)
    if (names[k] == name) return &columns[k];
  return nullptr;
}

double ArchiveTable::value(std::string_view name, std::size_t row, double fallback) const {
  const auto* c = column(name);
  return c && row < c->size() ? (*c)[row] : fallback;
}

// ---------------------------------------------------------------------------------------------

struct ArchiveReader::Impl {
  std::filesystem::path path;
  Id file;
  bool swmr = false;
  ArchiveValues attributes;
  std::vector<ArchiveDevice> devices;
  mutable std::map<std::string, Id, std::less<>> raw_datasets;  // read_frame is called per frame

  Id open_dataset(const std::string& name) const {
    Id d = checked(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT), H5Dclose, "cannot open " + name);
    if (swmr && H5Drefresh(d.get()) < 0) fail("cannot refresh " + name);
    return d;
  }

  std::optional<Id> open_if_exists(const std::string& name) const {
    if (!link_exists(file.get(), name)) return std::nullopt;
    return open_dataset(name);
  }

  static hsize_t length(hid_t dataset) {
    const Id space = space_id(H5Dget_space(dataset), "dataset space");
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 1) return 0;
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    return dims[0];
  }

  std::size_t length_of(const std::string& name) const {
    auto d = open_if_exists(name);
    return d ? static_cast<std::size_t>(length(d->get())) : 0;
  }

  // The first n records of a dataset, converted by HDF5 to `memory_type` (a compound memory
  // type with a subset of the fields selects those fields by name).
  static void read_rows(hid_t dataset, hid_t memory_type, hsize_t n, void* out, const std::string& what) {
    if (n == 0) return;
    const Id file_space = space_id(H5Dget_space(dataset), what);
    const int rank = H5Sget_simple_extent_ndims(file_space.get());
    std::vector<hsize_t> start(static_cast<std::size_t>(rank), 0), count(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(file_space.get(), count.data(), nullptr);
    count[0] = n;
    if (H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr) < 0)
      fail("cannot select " + what);
    const Id memory_space = space_id(H5Screate_simple(rank, count.data(), nullptr), what);
    if (H5Dread(dataset, memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT, out) < 0)
      fail("cannot read " + what);
  }

  template <typename T>
  std::vector<T> read_series(const std::string& name, hid_t memory_type, std::size_t n) const {
    std::vector<T> out(n);
    auto d = open_if_exists(name);
    if (!d) return std::vector<T>(n, T{});
    n = std::min<std::size_t>(n, static_cast<std::size_t>(length(d->get())));
    out.resize(n);
    read_rows(d->get(), memory_type, n, out.data(), name);
    return out;
  }

  template <typename T>
  static std::vector<T> read_member(hid_t dataset, const char* member, hid_t memory_type, hsize_t n,
                                    const std::string& what) {
    std::vector<T> out(static_cast<std::size_t>(n));
    const Id compound = type_id(H5Tcreate(H5T_COMPOUND, sizeof(T)), what);
    H5Tinsert(compound.get(), member, 0, memory_type);
    read_rows(dataset, compound.get(), n, out.data(), what + "." + member);
    return out;
  }

  static std::vector<std::string> read_text_member(hid_t dataset, hid_t file_member_type, const char* member,
                                                   hsize_t n, const std::string& what) {
    const std::size_t width = H5Tget_size(file_member_type);
    std::vector<char> buffer(width * static_cast<std::size_t>(n));
    const Id text = type_id(H5Tcopy(file_member_type), what);
    const Id compound = type_id(H5Tcreate(H5T_COMPOUND, width), what);
    H5Tinsert(compound.get(), member, 0, text.get());
    read_rows(dataset, compound.get(), n, buffer.data(), what + "." + member);
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(n));
    for (hsize_t i = 0; i < n; ++i) {
      const char* p = buffer.data() + i * width;
      out.emplace_back(p, strnlen(p, width));
    }
    return out;
  }

  ArchiveTable read_table(const std::string& name, std::span<const std::string> only = {}) const {
    ArchiveTable table;
    auto d = open_if_exists(name);
    if (!d) return table;
    const Id type = type_id(H5Dget_type(d->get()), name);
    if (H5Tget_class(type.get()) != H5T_COMPOUND) throw ArchiveReadError(name + " is not a compound dataset");
    const hsize_t n = length(d->get());
    const std::vector<std::string> units = read_string_list_attribute(d->get(), "units");
    const int members = H5Tget_nmembers(type.get());
    for (int k = 0; k < members; ++k) {
      char* raw_name = H5Tget_member_name(type.get(), static_cast<unsigned>(k));
      const std::string member = raw_name ? raw_name : "";
      H5free_memory(raw_name);
      const H5T_class_t cls = H5Tget_member_class(type.get(), static_cast<unsigned>(k));
      if (member != "time_ns" && !only.empty() && std::find(only.begin(), only.end(), member) == only.end()) continue;
      if (member == "time_ns") {
        table.time_ns = read_member<std::int64_t>(d->get(), "time_ns", H5T_NATIVE_INT64, n, name);
      } else if (member == archive_paths::kTimelineNs) {  // exact: UNIX ns do not fit a double
        table.timeline_ns = read_member<std::int64_t>(d->get(), member.c_str(), H5T_NATIVE_INT64, n, name);
      } else if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
        table.names.push_back(member);
        table.columns.push_back(read_member<double>(d->get(), member.c_str(), H5T_NATIVE_DOUBLE, n, name));
        table.units.push_back(static_cast<std::size_t>(k) < units.size() ? units[static_cast<std::size_t>(k)] : "");
      }
    }
    if (table.time_ns.size() != n) table.time_ns.assign(static_cast<std::size_t>(n), 0);
    return table;
  }

  hid_t raw_dataset(std::string_view mat) const {
    auto it = raw_datasets.find(mat);
    if (it == raw_datasets.end()) {
      const std::string name = archive_paths::mat(mat, archive_paths::kRaw);
      if (!link_exists(file.get(), name)) throw ArchiveReadError("the archive has no mat '" + std::string(mat) + "'");
      it = raw_datasets.emplace(std::string(mat), open_dataset(name)).first;
    }
    return it->second.get();
  }
};

ArchiveReader::ArchiveReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ArchiveReader::ArchiveReader(ArchiveReader&&) noexcept = default;
ArchiveReader& ArchiveReader::operator=(ArchiveReader&&) noexcept = default;
ArchiveReader::~ArchiveReader() = default;

ArchiveReader ArchiveReader::open(const std::filesystem::path& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw ArchiveReadError(path.string() + ": no such file");
  if (std::filesystem::is_directory(path, ec)) throw ArchiveReadError(path.string() + ": is a directory");
  if (!has_hdf5_signature(path))
    throw ArchiveReadError(path.string() + ": not an HDF5 file (no HDF5 signature); is it a Plinth session archive?");

  auto impl = std::make_unique<Impl>();
  impl->path = path;
  // A complete file opens the ordinary way. One that is being recorded, or whose writer died,
  // still carries the SWMR-writing mark and opens only as a SWMR reader. A SWMR reader retries
  // metadata whose checksum fails (the writer may be half-way through a flush) with doubling
  // sleeps; HDF5's default of 100 attempts would wait for ever on a damaged file.
  h5::register_lz4_filter();  // frames of archives written with archive.compression = "lz4"
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) {
    H5Eclear2(H5E_DEFAULT);
    const Id access = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "cannot create a file access list");
    H5Pset_metadata_read_attempts(access.get(), 27);  // sleeps of 1 ns, 2 ns, ...: 0.13 s in all
    file = H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, access.get());
    impl->swmr = file >= 0;
  }
  if (file < 0) fail(path.string() + ": HDF5 cannot open the file (damaged or truncated?)");
  impl->file = Id(file, H5Fclose);

  try {
    const Id root = checked(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose, "cannot open the root group");
    impl->attributes = read_attributes(root.get());
    const std::string format = text_of(impl->attributes, "format");
    if (format != "plinth-session")
      throw ArchiveReadError("not a Plinth session archive (root attribute format is '" + format +
                             "', expected 'plinth-session')");
    const auto version = integer_of(impl->attributes, "format_version");
    if (!version || *version < 1)
      throw ArchiveReadError("the root attribute format_version is missing or invalid");
    const std::string devices_group = archive_paths::absolute(archive_paths::kDevices);
    for (const std::string& id : child_names(file, devices_group)) {
      const std::string name = devices_group + "/" + id;
      const Id group = checked(H5Gopen2(file, name.c_str(), H5P_DEFAULT), H5Gclose, "cannot open " + name);
      ArchiveDevice device;
      device.id = id;
      device.attributes = read_attributes(group.get());
      device.kind = text_of(device.attributes, "kind");
      device.rows = static_cast<std::uint16_t>(std::clamp<std::int64_t>(integer_of(device.attributes, "rows").value_or(0), 0, 65535));
      device.cols = static_cast<std::uint16_t>(std::clamp<std::int64_t>(integer_of(device.attributes, "cols").value_or(0), 0, 65535));
      impl->devices.push_back(std::move(device));
    }
  } catch (const ArchiveReadError& e) {
    throw ArchiveReadError(path.string() + ": " + e.what());
  }
  return ArchiveReader(std::move(impl));
}

const std::filesystem::path& ArchiveReader::path() const { return impl_->path; }
bool ArchiveReader::opened_as_swmr_reader() const { return impl_->swmr; }

void ArchiveReader::refresh() {
  if (!impl_->swmr) return;
  for (auto& [id, d] : impl_->raw_datasets)
    if (H5Drefresh(d.get()) < 0) fail("cannot refresh the frames of " + id);
}

const ArchiveValues& ArchiveReader::attributes() const { return impl_->attributes; }
const std::vector<ArchiveDevice>& ArchiveReader::devices() const { return impl_->devices; }

const ArchiveDevice* ArchiveReader::device(std::string_view id) const {
  for (const auto& d : impl_->devices)
    if (d.id == id) return &d;
  return nullptr;
}

std::size_t ArchiveReader::frame_count(std::string_view mat) const {
  using archive_paths::kRaw, archive_paths::kSeq, archive_paths::kTimeNs;
  const auto path = [&](std::string_view dataset) { return archive_paths::mat(mat, dataset); };
  if (!link_exists(impl_->file.get(), path(kRaw))) return 0;
  std::size_t n = impl_->length_of(path(kRaw));
  n = std::min(n, impl_->length_of(path(kTimeNs)));
  if (link_exists(impl_->file.get(), path(kSeq))) n = std::min(n, impl_->length_of(path(kSeq)));
  return n;
}

std::vector<std::int64_t> ArchiveReader::frame_times(std::string_view mat) const {
  return impl_->read_series<std::int64_t>(archive_paths::mat(mat, archive_paths::kTimeNs), H5T_NATIVE_INT64,
                                          frame_count(mat));
}

bool ArchiveReader::has_frame_timeline(std::string_view mat) const {
  return link_exists(impl_->file.get(), archive_paths::mat(mat, archive_paths::kTimelineNs));
}

std::vector<std::int64_t> ArchiveReader::frame_timeline(std::string_view mat) const {
  if (!has_frame_timeline(mat)) return frame_times(mat);
  return impl_->read_series<std::int64_t>(archive_paths::mat(mat, archive_paths::kTimelineNs), H5T_NATIVE_INT64,
                                          frame_count(mat));
}

std::vector<std::uint32_t> ArchiveReader::frame_seqs(std::string_view mat) const {
  return impl_->read_series<std::uint32_t>(archive_paths::mat(mat, archive_paths::kSeq), H5T_NATIVE_UINT32,
                                           frame_count(mat));
}

std::vector<std::uint64_t> ArchiveReader::frame_device_times(std::string_view mat) const {
  return impl_->read_series<std::uint64_t>(archive_paths::mat(mat, archive_paths::kDeviceTimeUs), H5T_NATIVE_UINT64,
                                           frame_count(mat));
}

void ArchiveReader::read_frame(std::string_view mat, std::size_t index, std::vector<std::uint16_t>& out) const {
  const hid_t d = impl_->raw_dataset(mat);
  const Id space = space_id(H5Dget_space(d), "frames");
  hsize_t dims[3] = {0, 0, 0};
  if (H5Sget_simple_extent_ndims(space.get()) != 3) throw ArchiveReadError("pressure frames of '" + std::string(mat) + "' are not 3-D");
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  if (index >= dims[0])
    throw ArchiveReadError("frame " + std::to_string(index) + " of '" + std::string(mat) + "' is beyond the " +
                           std::to_string(dims[0]) + " frames in the file");
  out.resize(static_cast<std::size_t>(dims[1] * dims[2]));
  const hsize_t start[3] = {index, 0, 0};
  const hsize_t count[3] = {1, dims[1], dims[2]};
  if (H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) < 0) fail("cannot select a frame");
  const Id memory = space_id(H5Screate_simple(3, count, nullptr), "frame");
  if (H5Dread(d, H5T_NATIVE_UINT16, memory.get(), space.get(), H5P_DEFAULT, out.data()) < 0)
    fail("cannot read frame " + std::to_string(index) + " of '" + std::string(mat) + "'");
}

void ArchiveReader::read_frames(std::string_view mat, std::size_t first, std::size_t count,
                                std::vector<std::uint16_t>& out) const {
  const hid_t d = impl_->raw_dataset(mat);
  const Id space = space_id(H5Dget_space(d), "frames");
  hsize_t dims[3] = {0, 0, 0};
  if (H5Sget_simple_extent_ndims(space.get()) != 3) throw ArchiveReadError("pressure frames of '" + std::string(mat) + "' are not 3-D");
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  if (first + count > dims[0])
    throw ArchiveReadError("frames " + std::to_string(first) + ".." + std::to_string(first + count) + " of '" +
                           std::string(mat) + "' go beyond the " + std::to_string(dims[0]) + " frames in the file");
  out.resize(static_cast<std::size_t>(count * dims[1] * dims[2]));
  if (count == 0) return;
  const hsize_t start[3] = {first, 0, 0};
  const hsize_t block[3] = {count, dims[1], dims[2]};
  if (H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, block, nullptr) < 0) fail("cannot select frames");
  const Id memory = space_id(H5Screate_simple(3, block, nullptr), "frames");
  if (H5Dread(d, H5T_NATIVE_UINT16, memory.get(), space.get(), H5P_DEFAULT, out.data()) < 0)
    fail("cannot read frames " + std::to_string(first) + ".." + std::to_string(first + count) + " of '" +
         std::string(mat) + "'");
}

namespace {
// Format 2 names the exposure datasets exposure_*, format 1 risk_* (schemas/archive-layout.md).
std::string exposure_dataset(hid_t file, std::string_view mat, std::string_view name) {
  const std::string current = archive_paths::mat(mat, archive_paths::exposure(name));
  if (link_exists(file, current)) return current;
  const std::string old = archive_paths::mat(mat, archive_paths::exposure(name, archive_paths::kExposurePrefixV1));
  return link_exists(file, old) ? old : std::string();
}
}  // namespace

std::size_t ArchiveReader::exposure_count(std::string_view mat) const {
  std::size_t n = std::numeric_limits<std::size_t>::max();
  for (const std::string_view dataset : {archive_paths::kExposurePti, archive_paths::kExposureTimeAbove,
                                         archive_paths::kExposureTimeNs}) {
    const std::string name = exposure_dataset(impl_->file.get(), mat, dataset);
    if (name.empty()) return 0;
    n = std::min(n, impl_->length_of(name));
  }
  return n;
}

std::vector<std::int64_t> ArchiveReader::exposure_times(std::string_view mat) const {
  const std::size_t n = exposure_count(mat);
  if (n == 0) return {};
  return impl_->read_series<std::int64_t>(exposure_dataset(impl_->file.get(), mat, archive_paths::kExposureTimeNs), H5T_NATIVE_INT64, n);
}

void ArchiveReader::read_exposure(std::string_view mat, std::size_t index, std::vector<float>& pti_mmhg_s,
                                  std::vector<float>& time_above_s) const {
  if (index >= exposure_count(mat))
    throw ArchiveReadError("exposure snapshot " + std::to_string(index) + " of '" + std::string(mat) + "' is not in the file");
  for (auto [dataset, out] : {std::pair{archive_paths::kExposurePti, &pti_mmhg_s},
                              std::pair{archive_paths::kExposureTimeAbove, &time_above_s}}) {
    const std::string name = exposure_dataset(impl_->file.get(), mat, dataset);
    const Id d = impl_->open_dataset(name);
    const Id space = space_id(H5Dget_space(d.get()), name);
    hsize_t dims[3] = {0, 0, 0};
    if (H5Sget_simple_extent_ndims(space.get()) != 3) throw ArchiveReadError(name + " is not 3-D");
    H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    out->resize(static_cast<std::size_t>(dims[1] * dims[2]));
    const hsize_t start[3] = {index, 0, 0};
    const hsize_t count[3] = {1, dims[1], dims[2]};
    if (H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) < 0) fail("cannot select " + name);
    const Id memory = space_id(H5Screate_simple(3, count, nullptr), name);
    if (H5Dread(d.get(), H5T_NATIVE_FLOAT, memory.get(), space.get(), H5P_DEFAULT, out->data()) < 0)
      fail("cannot read " + name);
  }
}

ArchiveTable ArchiveReader::metrics(std::string_view mat, std::span<const std::string> only) const {
  return impl_->read_table(archive_paths::mat(mat, archive_paths::kMetrics), only);
}
ArchiveTable ArchiveReader::beats(std::string_view heart) const {
  return impl_->read_table(archive_paths::heart(heart, archive_paths::kBeats));
}
ArchiveTable ArchiveReader::beats_final(std::string_view heart) const {
  return impl_->read_table(archive_paths::heart(heart, archive_paths::kBeatsFinal));
}
ArchiveTable ArchiveReader::hrv(std::string_view heart) const {
  return impl_->read_table(archive_paths::heart(heart, archive_paths::kHrv));
}
ArchiveTable ArchiveReader::status() const { return impl_->read_table(std::string(archive_paths::kStatus)); }
ArchiveTable ArchiveReader::relaxation() const { return impl_->read_table(std::string(archive_paths::kRelaxation)); }

std::vector<ArchiveEvent> ArchiveReader::events() const {
  std::vector<ArchiveEvent> events;
  auto d = impl_->open_if_exists(std::string(archive_paths::kEvents));
  if (!d) return events;
  const hsize_t n = Impl::length(d->get());
  const Id type = type_id(H5Dget_type(d->get()), "events");
  std::vector<std::int64_t> times;
  std::vector<double> values;
  std::vector<std::string> kinds, labels, details;
  for (const char* member : {"time_ns", "kind", "label", "value", "detail"}) {
    const int k = H5Tget_member_index(type.get(), member);
    if (k < 0) {
      H5Eclear2(H5E_DEFAULT);
      continue;
    }
    const Id member_type = type_id(H5Tget_member_type(type.get(), static_cast<unsigned>(k)), "events");
    const std::string m = member;
    if (m == "time_ns") times = Impl::read_member<std::int64_t>(d->get(), member, H5T_NATIVE_INT64, n, "events");
    else if (m == "value") values = Impl::read_member<double>(d->get(), member, H5T_NATIVE_DOUBLE, n, "events");
    else if (H5Tget_class(member_type.get()) == H5T_STRING && H5Tis_variable_str(member_type.get()) <= 0) {
      auto text = Impl::read_text_member(d->get(), member_type.get(), member, n, "events");
      (m == "kind" ? kinds : m == "label" ? labels : details) = std::move(text);
    }
  }
  events.resize(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < events.size(); ++i) {
    ArchiveEvent& e = events[i];
    if (i < times.size()) e.time_ns = times[i];
    e.value = i < values.size() ? values[i] : std::numeric_limits<double>::quiet_NaN();
    if (i < kinds.size()) e.kind = std::move(kinds[i]);
    if (i < labels.size()) e.label = std::move(labels[i]);
    if (i < details.size()) e.detail = std::move(details[i]);
  }
  return events;
}

}  // namespace plinth
