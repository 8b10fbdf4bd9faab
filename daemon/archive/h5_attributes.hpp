#pragma once
// Internal to the archive: attributes as h5py reads them cleanly — text as variable-length
// UTF-8 strings (h5py returns str), integers as int64, reals as float64.
#include <string>
#include <vector>

#include "daemon/archive/archive_layout.hpp"
#include "daemon/archive/h5_support.hpp"

namespace plinth::h5 {

void write_attribute(hid_t object, const std::string& name, const ArchiveAttribute& value);
void write_attributes(hid_t object, const ArchiveAttributes& attributes);
// A 1-D array of strings (e.g. per-field units of a compound dataset).
void write_string_array_attribute(hid_t object, const std::string& name,
                                  const std::vector<std::string>& values);

}  // namespace plinth::h5
