// libFuzzer target: the control endpoint's request parser, as the control server uses it.
// Promises: any bytes a client sends get either a request within the schema's limits or an
// error whose reply (control_error_reply) is valid JSON; nothing throws, crashes or leaks.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "daemon/control_request.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using namespace plinth;

void check_request(const ControlRequest& request) {
  std::visit(
      [](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, SessionStartRequest>) {
          if (r.subject) PLINTH_FUZZ_CHECK(r.subject->size() <= 200);
        } else if constexpr (std::is_same_v<T, MarkerRequest>) {
          PLINTH_FUZZ_CHECK(!r.label.empty() && r.label.size() <= 200);
          PLINTH_FUZZ_CHECK(r.detail.size() <= 2000);
          if (r.value) PLINTH_FUZZ_CHECK(std::isfinite(*r.value));
        } else if constexpr (std::is_same_v<T, PainRequest>) {
          PLINTH_FUZZ_CHECK(r.score >= 0 && r.score <= 10);
          PLINTH_FUZZ_CHECK(r.detail.size() <= 2000);
        } else if constexpr (std::is_same_v<T, BaselineRequest>) {
          PLINTH_FUZZ_CHECK(r.seconds >= 10 && r.seconds <= 900);
        } else if constexpr (std::is_same_v<T, HrvRequest>) {
          PLINTH_FUZZ_CHECK(r.window_s >= 10 && r.window_s <= 600);
        }
      },
      request);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_control_request(bytes);
  if (const auto* request = std::get_if<ControlRequest>(&parsed)) {
    check_request(*request);
    return 0;
  }
  const std::string& message = std::get<ControlParseError>(parsed).message;
  PLINTH_FUZZ_CHECK(!message.empty());
  // The server sends this reply; it must be JSON a client can read back.
  const std::string reply = control_error_reply(message);
  const auto doc = nlohmann::json::parse(reply, nullptr, /*allow_exceptions=*/false);
  PLINTH_FUZZ_CHECK(!doc.is_discarded());
  PLINTH_FUZZ_CHECK(doc.at("ok") == false);
  PLINTH_FUZZ_CHECK(doc.at("error").get<std::string>() == message);
  return 0;
}
