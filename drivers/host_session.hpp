#pragma once
// A set-up conversation for protocols that must see each answer before sending the next
// request (the ANT stick's channel set-up). Protocols whose set-up is a fixed byte string
// use DriverDescriptor::open_request instead and leave make_host_session null.
//
// How the daemon drives one (all calls on the device's own strand; no clocks inside):
//   1. After opening the port, write open_request(options) (empty for such protocols), then
//      session = driver->make_host_session(options) and write session->start().
//   2. For every decoded StepOutcome::control message, write session->on_control(out).
//      DecodedOutput::control_code is the message type, control_payload its body.
//   3. While status() == in_progress and nothing answered for answer_timeout(), write
//      session->on_timeout() (a retry, or the next step where the protocol allows it).
//   4. status() == failed: log error() (it names the step and the device's answer), close
//      the port and treat it as a device error (reopen on the usual retry schedule).
//      A session can be failed straight from make_host_session (e.g. a missing key); then
//      start() returns nothing and error() says what to configure.
//   5. Samples count as live once status() == ready. Keep passing control messages after
//      that: the session may answer device events (e.g. re-open a channel the stick closed).
// The session never throws and never blocks.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "drivers/stream_decoder.hpp"

namespace plinth {

class HostSession {
 public:
  enum class Status { in_progress, ready, failed };

  virtual ~HostSession() = default;
  virtual std::vector<std::uint8_t> start() = 0;
  virtual std::vector<std::uint8_t> on_control(const DecodedOutput& message) = 0;
  virtual std::vector<std::uint8_t> on_timeout() = 0;
  virtual Status status() const = 0;
  virtual const std::string& error() const = 0;
  virtual std::chrono::milliseconds answer_timeout() const { return std::chrono::milliseconds(1000); }
};

}  // namespace plinth
