#pragma once
// Where an encoder (daemon/messages.hpp) writes one serialized message: a std::string (tests,
// tools, anything that keeps the bytes), or a buffer that the Publisher hands to ZeroMQ as it
// is (Publisher::payload()), which saves copying each frame once more on the acquisition thread.
#include <cstddef>
#include <string>

namespace plinth {

class PayloadOut {
 public:
  using Reserve = std::byte* (*)(void* owner, std::size_t bytes);

  // Implicit, so that code encoding into a std::string reads as before.
  PayloadOut(std::string& text) : text_(&text) {}  // NOLINT(google-explicit-constructor)
  PayloadOut(void* owner, Reserve reserve_fn) : owner_(owner), reserve_(reserve_fn) {}

  // Room for exactly `bytes`, which the encoder fills entirely; called once per message.
  std::byte* reserve(std::size_t bytes) {
    if (text_ != nullptr) {
      text_->resize(bytes);
      return reinterpret_cast<std::byte*>(text_->data());
    }
    return reserve_(owner_, bytes);
  }

 private:
  std::string* text_ = nullptr;
  void* owner_ = nullptr;
  Reserve reserve_ = nullptr;
};

}  // namespace plinth
