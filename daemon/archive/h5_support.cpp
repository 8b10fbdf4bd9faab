#include "daemon/archive/h5_support.hpp"

#include <string_view>

namespace plinth::h5 {

void silence_automatic_error_printing() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

void disable_close_at_exit() {
  static const bool once = [] {
    H5dont_atexit();  // fails harmlessly if HDF5 is already initialised
    return true;
  }();
  (void)once;
}

namespace {
herr_t collect_description(unsigned depth, const H5E_error2_t* error, void* client) {
  auto& text = *static_cast<std::string*>(client);
  // The innermost few entries say what went wrong (e.g. the errno text of a failed write);
  // the outer ones only repeat which API call it was.
  if (depth >= 4 || error->desc == nullptr || error->desc[0] == '\0') return 0;
  if (!text.empty()) text += "; ";
  text += error->desc;
  return 0;
}
}  // namespace

std::string take_error_stack(const std::string& what) {
  std::string detail;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_description, &detail);
  H5Eclear2(H5E_DEFAULT);
  for (char& c : detail) {
    if (c == '\n') c = ' ';
  }
  // A failed read or write names the system error deep inside a long description; put it first.
  static constexpr std::string_view kSystemText = "error message = '";
  std::string system_error;
  if (const auto at = detail.find(kSystemText); at != std::string::npos) {
    const auto start = at + kSystemText.size();
    const auto end = detail.find('\'', start);
    if (end != std::string::npos) system_error = detail.substr(start, end - start) + "; ";
  }
  return detail.empty() ? what : what + ": " + system_error + detail;
}

}  // namespace plinth::h5
