// plinth analyze FILE: the daemon's pressure pipeline over a recording, metrics per frame.
#include <iostream>
#include <memory>

#include "tools/analyze/analyze_command.hpp"
#include "tools/commands.hpp"

namespace plinth::tools {

void add_analyze_command(CLI::App& app) {
  auto o = std::make_shared<AnalyzeOptions>();
  auto* cmd = app.add_subcommand(
      "analyze",
      "Run the pressure pipeline offline over an archive (.h5), a recording (text) or a wire capture; print "
      "per-frame metrics");
  cmd->add_option("file", o->file, "archive, recording or capture")->required();
  cmd->add_option("--config,-c", o->config_path, "plinthd config whose [[mat]] gives calibration and geometry");
  cmd->add_option("--device,-d", o->device, "the config's mat / the archive's mat (when there are several)");
  cmd->add_option("--format,-f", o->format, "jsonl or csv")->capture_default_str()->check(CLI::IsMember({"jsonl", "csv"}));
  cmd->add_option("--input", o->input, "auto, archive, recording, or the mat driver a capture was spoken in")
      ->capture_default_str();
  cmd->add_option("--rows", o->rows, "rows, for data that does not carry them");
  cmd->add_option("--cols", o->cols, "columns, for data that does not carry them");
  cmd->add_option("--pitch", o->pitch_cm, "sensel pitch in cm (without --config)");
  cmd->add_option("--scale", o->scale, "linear calibration without --config: pressure per raw count");
  cmd->add_option("--unit", o->unit, "unit of --scale: kPa or mmHg")->capture_default_str();
  cmd->add_option("--saturation-raw", o->saturation_raw, "raw value at which a sensel saturates (without --config)");
  cmd->add_option("--noise-mmhg", o->noise_threshold_mmhg, "noise threshold in mmHg (without --config; default 5)");
  cmd->add_option("--rate", o->rate_hz, "frame rate in Hz, for data without frame times");
  cmd->callback([o] {
    const PreparedAnalysis analysis = prepare_analysis(*o);
    // stdout carries the data; what the tool assumed goes to stderr.
    for (const std::string& warning : analysis.warnings) std::cerr << "plinth analyze: warning: " << warning << "\n";
    std::cerr << "plinth analyze: " << analysis.data.source << ": " << analysis.data.frames.size() << " frames "
              << analysis.data.rows << "x" << analysis.data.cols << " (" << analysis.data.kind << "); "
              << analysis.data.timing << "; calibration from " << analysis.config_origin << "\n";
    if (!analysis.data.decode_summary.empty())
      std::cerr << "plinth analyze: decoder: " << analysis.data.decode_summary << "\n";
    std::ios::sync_with_stdio(false);
    write_analysis(analysis, o->format, std::cout);
    std::cout.flush();
  });
}

}  // namespace plinth::tools
