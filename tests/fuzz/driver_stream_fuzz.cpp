// libFuzzer target: one device protocol's decoder fed arbitrary bytes in arbitrary reads.
// Built once per registered driver (PLINTH_FUZZ_DRIVER names it) and once without a name,
// where the first input byte picks from all_drivers(), so a newly registered protocol is
// fuzzed before anyone writes a target for it.
//
// Promises checked (tests/fuzz/README.md): no crash, UB or leak; each step accounts for
// 1..in.size() bytes; the decoder's counters add up (bytes fed, frames and infos delivered);
// a frame carries rows*cols values; and what is delivered does not depend on how the bytes
// were cut into reads (the same input decoded in one read and in the fuzzer's chunks yields
// the same frames, infos and beats). A driver with a set-up session gets every control
// message and a timeout after every read, and must never throw or fail without a reason.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "drivers/driver_registry.hpp"
#include "drivers/stream_decoder.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/stream_fuzz_input.hpp"

namespace plinth::fuzz {
namespace {

// What a run delivered that the pipeline would see, flattened so two runs compare with ==.
struct Delivered {
  std::vector<std::uint8_t> log;
  std::uint64_t frames = 0;  // mat frames + heart samples, as DecodeCounters counts them
  std::uint64_t infos = 0;

  template <typename T>
  void put(const T& v) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    log.insert(log.end(), p, p + sizeof v);
  }
  void put_text(const std::string& s) {
    put(s.size());
    log.insert(log.end(), s.begin(), s.end());
  }
};

void record(StepOutcome outcome, const DecodedOutput& out, DeviceKind kind, Delivered& d) {
  switch (outcome) {
    case StepOutcome::mat_frame: {
      const MatFrame& f = out.frame;
      PLINTH_FUZZ_CHECK(kind == DeviceKind::mat);
      PLINTH_FUZZ_CHECK(f.rows > 0 && f.cols > 0);
      PLINTH_FUZZ_CHECK(f.raw.size() == std::size_t{f.rows} * f.cols);
      ++d.frames;
      d.put(outcome);
      d.put(f.device_seq);
      d.put(f.device_time_us);
      d.put(f.rows);
      d.put(f.cols);
      d.put(f.suspect);
      d.log.insert(d.log.end(), reinterpret_cast<const std::uint8_t*>(f.raw.data()),
                   reinterpret_cast<const std::uint8_t*>(f.raw.data() + f.raw.size()));
      break;
    }
    case StepOutcome::device_info: {
      const DeviceInfo& i = out.info;
      ++d.infos;
      d.put(outcome);
      d.put_text(i.model);
      d.put_text(i.serial);
      d.put_text(i.firmware);
      d.put(i.rows);
      d.put(i.cols);
      d.put(i.adc_bits);
      d.put(i.frame_rate_mhz);
      break;
    }
    case StepOutcome::heart_sample: {
      PLINTH_FUZZ_CHECK(kind == DeviceKind::heart);
      PLINTH_FUZZ_CHECK(!out.heart_samples.empty());
      d.frames += out.heart_samples.size();
      d.put(outcome);
      for (const HeartSample& s : out.heart_samples) {
        d.put(s.rr_1024);
        d.put(s.sensor_time_1024.value_or(~std::uint64_t{0}));
        d.put(s.missing_beats);
        d.put(s.hr_bpm.value_or(0xFFFF));
        d.put(static_cast<int>(s.contact ? *s.contact : 2));
      }
      break;
    }
    case StepOutcome::control:
    case StepOutcome::skip:
    case StepOutcome::need_more:
      break;
  }
}

// The driver's step, checked against the StreamDecoder contract (the decoder clamps
// `consumed`, which would hide a step that claims bytes it was never given).
StepFunction checked(StepFunction step) {
  return [step = std::move(step)](std::span<const std::uint8_t> in, DecodedOutput& out) {
    PLINTH_FUZZ_CHECK(!in.empty());
    const StepResult r = step(in, out);
    if (r.outcome != StepOutcome::need_more) PLINTH_FUZZ_CHECK(r.consumed >= 1 && r.consumed <= in.size());
    if (r.outcome == StepOutcome::skip) PLINTH_FUZZ_CHECK(r.reason != SkipReason::none);
    return r;
  };
}

void check_counters(const DecodeCounters& c, const Delivered& d, std::size_t fed) {
  PLINTH_FUZZ_CHECK(c.bytes == fed);
  PLINTH_FUZZ_CHECK(c.frames == d.frames);
  PLINTH_FUZZ_CHECK(c.infos == d.infos);
  PLINTH_FUZZ_CHECK(c.garbage_bytes <= c.bytes);
  PLINTH_FUZZ_CHECK(c.crc_errors + c.framing_errors <= c.bytes);
  PLINTH_FUZZ_CHECK(c.resyncs <= c.bytes);
}

void check_session(const HostSession& session) {
  if (session.status() == HostSession::Status::failed) PLINTH_FUZZ_CHECK(!session.error().empty());
}

void fuzz_driver(const DriverDescriptor& driver, std::span<const std::uint8_t> data) {
  const StreamFuzzInput in = split_stream_input(data);
  StepFunction whole_step, chunked_step;
  try {
    whole_step = driver.make_step(in.options);
    chunked_step = driver.make_step(in.options);
  } catch (const std::invalid_argument&) {
    return;  // a geometry the protocol cannot carry: the daemon reports it at config time
  }

  Delivered whole;
  StreamDecoder one_read(checked(std::move(whole_step)));
  one_read.feed(in.wire, [&](StepOutcome o, const DecodedOutput& out) {
    record(o, out, driver.kind, whole);
  });
  check_counters(one_read.counters(), whole, in.wire.size());

  std::unique_ptr<HostSession> session;
  if (driver.make_host_session) {
    session = driver.make_host_session(in.options);
    (void)session->start();
    check_session(*session);
  }
  Delivered chunked;
  StreamDecoder reads(checked(std::move(chunked_step)));
  std::size_t at = 0;
  for (std::size_t i = 0; at < in.wire.size(); ++i) {
    const std::size_t size = in.chunk_sizes.empty() ? in.wire.size() : in.chunk_sizes[i % in.chunk_sizes.size()];
    const std::size_t n = std::min(size, in.wire.size() - at);
    reads.feed(in.wire.subspan(at, n), [&](StepOutcome o, const DecodedOutput& out) {
      record(o, out, driver.kind, chunked);
      if (session && o == StepOutcome::control) {
        (void)session->on_control(out);
        check_session(*session);
      }
    });
    at += n;
    if (session) {
      (void)session->on_timeout();
      check_session(*session);
    }
  }
  check_counters(reads.counters(), chunked, in.wire.size());
  PLINTH_FUZZ_CHECK(whole.log == chunked.log);
}

}  // namespace
}  // namespace plinth::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace plinth;
  std::span<const std::uint8_t> input(data, size);
#ifdef PLINTH_FUZZ_DRIVER
  static const DriverDescriptor* driver = find_driver(PLINTH_FUZZ_DRIVER);
  PLINTH_FUZZ_CHECK(driver != nullptr);  // the target list in CMake names a driver that is gone
#else
  if (input.empty()) return 0;
  const auto& drivers = all_drivers();
  const DriverDescriptor* driver = drivers[input[0] % drivers.size()];
  input = input.subspan(1);
#endif
  fuzz::fuzz_driver(*driver, input);
  return 0;
}
