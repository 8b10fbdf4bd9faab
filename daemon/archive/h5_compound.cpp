#include "daemon/archive/h5_compound.hpp"

#include <algorithm>

namespace plinth::h5 {

void CompoundLayout::add(const std::string& name, hid_t memory_type, hid_t file_type,
                         const std::string& units) {
  const std::size_t size = H5Tget_size(memory_type);
  fields_.push_back({name, memory_type, file_type, size_, size});
  units_.push_back(units);
  size_ += size;
}

void CompoundLayout::add_text(const std::string& name, std::size_t width) {
  fields_.push_back({name, H5I_INVALID_HID, H5I_INVALID_HID, size_, width});
  units_.push_back("UTF-8 text");
  size_ += width;
}

Handle CompoundLayout::build(bool memory) const {
  const std::string what = "cannot build compound type";
  Handle type = datatype(H5Tcreate(H5T_COMPOUND, size_), what);
  for (const Field& f : fields_) {
    if (f.memory_type == H5I_INVALID_HID) {
      const Handle text = datatype(H5Tcopy(H5T_C_S1), what);
      check_status(H5Tset_size(text.get(), f.size), what);
      check_status(H5Tset_strpad(text.get(), H5T_STR_NULLPAD), what);
      check_status(H5Tset_cset(text.get(), H5T_CSET_UTF8), what);
      check_status(H5Tinsert(type.get(), f.name.c_str(), f.offset, text.get()), what);
    } else {
      check_status(H5Tinsert(type.get(), f.name.c_str(), f.offset, memory ? f.memory_type : f.file_type),
                   what);
    }
  }
  return type;
}

RecordPacker& RecordPacker::put_text(std::string_view text, std::size_t width) {
  std::size_t n = std::min(text.size(), width);
  // Back off over UTF-8 continuation bytes (10xxxxxx) so a character is never split.
  if (n < text.size()) {
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0u) == 0x80u) --n;
  }
  if (n > 0) std::memcpy(out_, text.data(), n);
  std::memset(out_ + n, 0, width - n);
  out_ += width;
  return *this;
}

}  // namespace plinth::h5
