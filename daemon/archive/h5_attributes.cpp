#include "daemon/archive/h5_attributes.hpp"

#include <type_traits>

namespace plinth::h5 {
namespace {

Handle utf8_string_type(const std::string& what) {
  Handle type = datatype(H5Tcopy(H5T_C_S1), what);
  check_status(H5Tset_size(type.get(), H5T_VARIABLE), what);
  check_status(H5Tset_cset(type.get(), H5T_CSET_UTF8), what);
  return type;
}

// Replaces an attribute of the same name so writing twice (e.g. closing attributes after a
// retried close) cannot fail.
Handle fresh_attribute(hid_t object, const std::string& name, hid_t type, hid_t space,
                       const std::string& what) {
  const htri_t exists = H5Aexists(object, name.c_str());
  check_status(exists < 0 ? -1 : 0, what);
  if (exists > 0) check_status(H5Adelete(object, name.c_str()), what);
  return attribute(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), what);
}

}  // namespace

void write_attribute(hid_t object, const std::string& name, const ArchiveAttribute& value) {
  const std::string what = "cannot write attribute " + name;
  const Handle scalar = dataspace(H5Screate(H5S_SCALAR), what);
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string>) {
          const Handle type = utf8_string_type(what);
          const Handle attr = fresh_attribute(object, name, type.get(), scalar.get(), what);
          const char* text = v.c_str();
          check_status(H5Awrite(attr.get(), type.get(), &text), what);
        } else if constexpr (std::is_same_v<V, std::int64_t>) {
          const Handle attr = fresh_attribute(object, name, H5T_STD_I64LE, scalar.get(), what);
          check_status(H5Awrite(attr.get(), H5T_NATIVE_INT64, &v), what);
        } else {
          const Handle attr = fresh_attribute(object, name, H5T_IEEE_F64LE, scalar.get(), what);
          check_status(H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &v), what);
        }
      },
      value);
}

void write_attributes(hid_t object, const ArchiveAttributes& attributes) {
  for (const auto& [name, value] : attributes) write_attribute(object, name, value);
}

void write_string_array_attribute(hid_t object, const std::string& name,
                                  const std::vector<std::string>& values) {
  const std::string what = "cannot write attribute " + name;
  const hsize_t count = values.size();
  const Handle space = dataspace(H5Screate_simple(1, &count, nullptr), what);
  const Handle type = utf8_string_type(what);
  const Handle attr = fresh_attribute(object, name, type.get(), space.get(), what);
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& v : values) pointers.push_back(v.c_str());
  check_status(H5Awrite(attr.get(), type.get(), pointers.data()), what);
}

}  // namespace plinth::h5
