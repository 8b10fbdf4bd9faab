#pragma once
// Owning HDF5 identifiers and HDF5 errors turned into exceptions, for the archive (which catches
// them at SessionArchive's public boundary) and the tools that read or repair archives. Only .cpp
// files include this (it pulls in hdf5.h).
#include <hdf5.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace plinth::h5 {

// Thrown inside the archive implementation only; never escapes SessionArchive.
class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Stops HDF5 printing its error stack to stderr; errors are reported through Failure instead.
// The setting is per thread in thread-safe builds, so every public entry point calls it.
void silence_automatic_error_printing();

// HDF5 1.10 frees a file's state when closing it fails (e.g. on a full disk) but keeps its id,
// and its atexit handler then crashes closing that id again (HDFFV-11052, fixed in 1.14.1).
// The archive never closes a failed file, and asks HDF5 not to close files at exit; this must
// run before anything else initialises HDF5 in the process, or it has no effect.
void disable_close_at_exit();

// Describes and clears the current thread's HDF5 error stack: "what: detail; detail".
std::string take_error_stack(const std::string& what);

inline hid_t check(hid_t id, const std::string& what) {
  if (id < 0) throw Failure(take_error_stack(what));
  return id;
}
inline void check_status(herr_t status, const std::string& what) {
  if (status < 0) throw Failure(take_error_stack(what));
}

// Owns one HDF5 identifier and closes it with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer, const std::string& what) : id_(check(id, what)), closer_(closer) {}
  // Takes `id` as it is, possibly invalid (test with operator bool), for callers with their own errors.
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  // Forgets the identifier without closing it (see SessionArchive's abandon on failure).
  hid_t release() { return std::exchange(id_, H5I_INVALID_HID); }
  explicit operator bool() const { return id_ >= 0; }
  // Closes now; returns false (error stack left for the caller) if HDF5 refused.
  bool reset() {
    if (id_ < 0) return true;
    const herr_t status = closer_(std::exchange(id_, H5I_INVALID_HID));
    return status >= 0;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

inline Handle group(hid_t id, const std::string& what) { return Handle(id, H5Gclose, what); }
inline Handle dataset(hid_t id, const std::string& what) { return Handle(id, H5Dclose, what); }
inline Handle dataspace(hid_t id, const std::string& what) { return Handle(id, H5Sclose, what); }
inline Handle datatype(hid_t id, const std::string& what) { return Handle(id, H5Tclose, what); }
inline Handle plist(hid_t id, const std::string& what) { return Handle(id, H5Pclose, what); }
inline Handle attribute(hid_t id, const std::string& what) { return Handle(id, H5Aclose, what); }

}  // namespace plinth::h5
