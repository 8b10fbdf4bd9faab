#pragma once
// Internal to the archive: packed compound types (fields back to back, no padding) described
// once and built twice, as a native memory type and a little-endian file type with the same
// offsets, plus a cursor that packs one record into a byte buffer in the same order.
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/archive/h5_support.hpp"

namespace plinth::h5 {

class CompoundLayout {
 public:
  void add(const std::string& name, hid_t memory_type, hid_t file_type, const std::string& units);
  // Fixed-width UTF-8 text, padded with NULs.
  void add_text(const std::string& name, std::size_t width);

  Handle build_memory_type() const { return build(true); }
  Handle build_file_type() const { return build(false); }
  std::size_t size() const { return size_; }
  const std::vector<std::string>& units() const { return units_; }

 private:
  struct Field {
    std::string name;
    hid_t memory_type;  // predefined types, or -1 for text
    hid_t file_type;
    std::size_t offset;
    std::size_t size;
  };
  Handle build(bool memory) const;
  std::vector<Field> fields_;
  std::vector<std::string> units_;
  std::size_t size_ = 0;
};

// Packs values in field order into a buffer sized for one record.
class RecordPacker {
 public:
  explicit RecordPacker(std::vector<std::byte>& buffer) : out_(buffer.data()) {}
  template <typename T>
  RecordPacker& put(const T& value) {
    std::memcpy(out_, &value, sizeof value);
    out_ += sizeof value;
    return *this;
  }
  // Copies at most `width` bytes, cut at a UTF-8 character boundary, NUL-padded.
  RecordPacker& put_text(std::string_view text, std::size_t width);

 private:
  std::byte* out_;
};

}  // namespace plinth::h5
