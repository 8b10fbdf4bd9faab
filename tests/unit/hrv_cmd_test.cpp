#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "tools/cmd_hrv.hpp"
#include "hrv_test_data.hpp"

namespace plinth {
namespace {

class TempFile {
 public:
  explicit TempFile(const std::string& text)
      : path_(std::filesystem::temp_directory_path() / ("hrv_cmd_test_" + std::to_string(::getpid()) + "_" +
                                                       std::to_string(counter_++) + ".txt")) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

TEST(HrvCommand, ReadsIntervalFilesAndRejectsGarbage) {
  TempFile good("# comment\n800\n 810.5 \n\n790\r\n");
  EXPECT_EQ(read_rr_file(good.path()), (std::vector<double>{800, 810.5, 790}));
  TempFile bad("800\n81O\n");
  try {
    read_rr_file(bad.path());
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(":2:"), std::string::npos) << e.what();
  }
  TempFile negative("800\n-5\n");
  EXPECT_THROW(read_rr_file(negative.path()), std::runtime_error);
  TempFile empty("\n");
  EXPECT_THROW(read_rr_file(empty.path()), std::runtime_error);
  EXPECT_THROW(read_rr_file("/nonexistent/rr.txt"), std::runtime_error);
}

TEST(HrvCommand, ReportOnTheCleanFiveMinuteSeries) {
  HrvCommandOptions options;
  options.correction = CorrectionMode::none;
  options.window_s = 120;
  options.step_s = 60;
  const auto report = hrv_report(test::nn_5min(), options);
  EXPECT_EQ(report["correction"]["mode"], "none");
  EXPECT_EQ(report["correction"]["input_intervals"], 337);
  EXPECT_EQ(report["correction"]["nn_intervals"], 337);
  EXPECT_NEAR(report["whole"]["rmssd_ms"].get<double>(), 101.30, 0.5);
  EXPECT_NEAR(report["whole"]["hf_ms2"].get<double>(), 4837.0, 0.02 * 4837.0);
  // 299.6 s: windows (0,120], (60,180], (120,240] and (180,300] (the last within 1 %).
  ASSERT_EQ(report["windows"].size(), 4u);
  EXPECT_EQ(report["windows"][1]["start_s"], 60.0);
  EXPECT_NEAR(report["windows"][0]["duration_s"].get<double>(), 120.0, 2.0);
  EXPECT_TRUE(report["windows"][0]["hf_ms2"].is_number());
}

TEST(HrvCommand, ReportsWhatTheCorrectionChanged) {
  auto rr = test::nn_5min();
  rr[100] += rr[101];  // missed beat at index 100
  rr.erase(rr.begin() + 101);
  rr[200] *= 0.4;      // extra beat: split interval 200
  rr.insert(rr.begin() + 201, rr[200] * 1.5);
  HrvCommandOptions options;
  const auto report = hrv_report(rr, options);
  const auto clean_report = hrv_report(test::nn_5min(), options);
  EXPECT_EQ(report["correction"]["mode"], "lipponen");
  EXPECT_EQ(report["correction"]["counts"]["missed"], 1);
  EXPECT_EQ(report["correction"]["indices"]["missed"][0], 100);
  EXPECT_EQ(report["correction"]["counts"]["extra"], 1);
  EXPECT_EQ(report["correction"]["indices"]["extra"][0], 200);
  EXPECT_EQ(report["correction"]["nn_intervals"], 337);
  // The two injected artifacts are undone: same result as correcting the clean series.
  const double clean_rmssd = clean_report["whole"]["rmssd_ms"].get<double>();
  EXPECT_NEAR(report["whole"]["rmssd_ms"].get<double>(), clean_rmssd, 0.02 * clean_rmssd);
}

TEST(HrvCommand, CliParsesAndRejectsBadOptions) {
  TempFile file("800\n810\n790\n");
  CLI::App app;
  add_hrv_command(app);
  EXPECT_THROW(app.parse(std::vector<std::string>{file.path(), "--correction", "magic", "hrv"}), CLI::ValidationError);
  HrvCommandOptions options;
  options.window_s = 1;
  EXPECT_THROW(hrv_report(std::vector<double>{800, 810}, options), std::invalid_argument);
  options = {};
  options.spectrum = "lomb-scargle";  // not a preset
  EXPECT_THROW(hrv_report(std::vector<double>{800, 810}, options), std::invalid_argument);
}

}  // namespace
}  // namespace plinth
