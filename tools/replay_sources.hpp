#pragma once
// What a replay plays, read from a session archive (schemas/archive-layout.md): per mat its
// frames, metrics rows and exposure snapshots with what rebuilds their messages; per strap its
// beats, final decisions and HRV updates; and the session's events.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "daemon/pressure/pressure_pipeline.hpp"
#include "daemon/sequence_tracker.hpp"
#include "tools/archive_reader.hpp"
#include "tools/replay_options.hpp"

namespace plinth::tools {

struct MatSource {
  std::string id, frame_topic, metrics_topic, exposure_topic;
  PressureConfig config;
  std::vector<std::int64_t> times;
  std::vector<std::int64_t> timeline;  // the recorded timeline (clock model); `times` where absent
  std::vector<std::uint32_t> seqs;
  std::vector<std::uint64_t> device_times;
  ArchiveTable metrics;
  std::vector<std::int64_t> metrics_frame;  // metrics row -> frame index (-1: none)
  std::vector<std::int64_t> frame_metrics;  // frame index -> metrics row (-1: none)
  std::unique_ptr<PressurePipeline> pipeline;  // --recompute
  std::unique_ptr<Calibrator> calibrator;      // as recorded: only the map is recomputed
  PressureResult recorded;                     // as recorded: the message being rebuilt
  MatFrame frame;
  SequenceTracker tracker;
  // Exposure snapshots at the archived times: as recorded, the archived maps; with --recompute,
  // the pipeline's own (the frame times, hence live's schedule, are the same).
  std::vector<std::int64_t> exposure_times;
  std::vector<double> exposure_durations;
  ExposureMap exposure;
  std::vector<float> pti, time_above;
};

struct HeartSource {
  std::string id, beat_topic, final_topic, hrv_topic;
  ArchiveTable beats, finals, hrv;       // finals: /heart/<id>/beats_final (empty before format 2)
  std::vector<std::int64_t> final_times;  // when each final decision was made live
};

struct ReplaySources {
  std::string session_id;
  std::string station;  // as recorded (schemas/hub.md); empty in older archives
  std::vector<std::unique_ptr<MatSource>> mats;
  std::vector<HeartSource> hearts;
  std::vector<ArchiveEvent> events;
};

// The devices options.devices names (all if none), calibrated with options.config_path or the
// config archived with the session. Throws for a device the archive lacks or a mat the config
// does not describe as archived.
ReplaySources load_replay_sources(const ArchiveReader& reader, const ReplayOptions& options);

}  // namespace plinth::tools
