// The pure parts of `plinth report` / `history` (tools/report): numbers, HRV windows on the
// real NN series of ../shared/data/hrv, the clinical colour scale against the dashboard's,
// calibration identity, history groups, HTML safety.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <regex>
#include <sstream>

#include "daemon/hrv/beat_record.hpp"
#include "daemon/hrv/frequency_domain.hpp"
#include "drivers/rr_file.hpp"
#include "tools/report/history.hpp"
#include "tools/report/hrv_windows.hpp"
#include "tools/report/report_html.hpp"
#include "tools/report/report_numbers.hpp"
#include "tools/report/report_summary.hpp"
#include "tools/report/svg_render.hpp"

namespace plinth::report {
namespace {

constexpr std::int64_t kS = 1'000'000'000;

std::filesystem::path data(const std::string& relative) { return std::filesystem::path("../shared/data") / relative; }

// The beats of an NN file taken as they are: each ends at the cumulative sum of the intervals.
DecidedBeats beats_of(const std::vector<double>& nn) {
  DecidedBeats b;
  double t = 0.0;
  for (double v : nn) {
    t += v;
    b.time_ns.push_back(std::llround(t * 1e6));
    b.nn_ms.push_back(v);
    b.hr_bpm.push_back(60000.0 / v);
    b.flags.push_back(0);
    b.nn_count.push_back(1);
  }
  return b;
}

TEST(ReportNumbers, StatUsesOnlyTheChosenFiniteValues) {
  const std::vector<double> v{1, 2, NAN, 10, 4};
  const std::vector<std::uint8_t> use{1, 1, 1, 0, 1};
  const Stat s = stat_of(v, use);
  EXPECT_EQ(s.count, 3u);
  EXPECT_DOUBLE_EQ(s.mean, 7.0 / 3.0);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 4);
  EXPECT_TRUE(std::isnan(stat_of({}, {}).mean));
}

TEST(ReportNumbers, UsableFramesAreOccupiedAndNotSuspect) {
  const std::vector<double> occupied{1, 1, 0, 1, NAN};
  const std::vector<double> suspect{0, 1, 0, NAN, 0};
  EXPECT_EQ(usable_frames(&occupied, &suspect, 5), (std::vector<std::uint8_t>{1, 0, 0, 0, 0}));
  EXPECT_EQ(usable_frames(nullptr, nullptr, 2), (std::vector<std::uint8_t>{0, 0}));
}

TEST(ReportNumbers, BinsAreRoundAndBounded) {
  EXPECT_EQ(bin_seconds(720, 0.1, 300), 5.0);     // 12 min: 144 bins of 5 s
  EXPECT_EQ(bin_seconds(3600, 0.02, 300), 15.0);  // an hour: 240 bins
  EXPECT_EQ(bin_seconds(60, 1.0, 300), 1.0);      // never below one frame
  EXPECT_EQ(bin_seconds(60, 5.0, 300), 5.0);
  const std::vector<std::int64_t> t{0, 1 * kS, 2 * kS, 11 * kS};
  const std::vector<double> v{1, 3, 100, 7};
  const std::vector<std::uint8_t> use{1, 1, 0, 1};
  const Series s = binned_series("x", "u", t, v, use, 0, 10.0, 20.0);
  ASSERT_EQ(s.value.size(), 2u);
  EXPECT_DOUBLE_EQ(s.t_s[0], 5.0);
  EXPECT_DOUBLE_EQ(s.value[0], 2.0);
  EXPECT_DOUBLE_EQ(s.value[1], 7.0);
  const Series empty = binned_series("x", "u", t, v, std::vector<std::uint8_t>{0, 0, 0, 0}, 0, 10.0, 20.0);
  EXPECT_TRUE(std::isnan(empty.value[0]));
}

TEST(ReportNumbers, TimeOnTableSkipsDropoutsAndEmptyFrames) {
  const std::vector<std::int64_t> t{0, kS, 2 * kS, 10 * kS, 11 * kS, 12 * kS};
  const std::vector<std::uint8_t> use{1, 1, 1, 1, 0, 1};
  // Steps 0-1, 1-2 count; 2-10 is a dropout (8 s > 5 s); 10-11 counts; 11-12 starts empty.
  EXPECT_DOUBLE_EQ(time_on_table_s(t, use, 5.0), 3.0);
}

TEST(ReportNumbers, SequenceGapsWrapAtTwoToThe32) {
  const std::vector<std::uint32_t> seq{4294967294u, 4294967295u, 0, 3, 4, 4, 5};
  const SequenceGaps g = count_sequence_gaps(seq);
  EXPECT_EQ(g.gaps, 1u);
  EXPECT_EQ(g.lost, 2u);
  EXPECT_EQ(g.restarts, 1u);  // the repeated 4
}

TEST(ReportNumbers, MeanMapAndExposureSummary) {
  MeanMap m(3);
  m.add(std::vector<float>{1, 2, 0});
  m.add(std::vector<float>{3, 2, 0});
  EXPECT_EQ(m.mean(), (std::vector<double>{2, 2, 0}));
  double peak = 0, area = 0;
  map_peak_and_area(m.mean(), 6.4516, peak, area);
  EXPECT_EQ(peak, 2.0);
  EXPECT_DOUBLE_EQ(area, 2 * 6.4516);
  const ExposureSummary e = summarize_exposure(std::vector<float>{10, 900, 0}, std::vector<float>{0, 301, 20}, 2.0, 32, 600);
  EXPECT_EQ(e.max_pti_mmhg_s, 900);
  EXPECT_EQ(e.max_time_above_s, 301);
  EXPECT_EQ(e.area_any_above_cm2, 4.0);
  EXPECT_EQ(e.area_above_5min_cm2, 2.0);
  RegionRow row;
  region_exposure(std::vector<float>{0, 301, 20}, std::vector<std::uint8_t>{1, 0, 1}, 2.0, row);
  EXPECT_EQ(row.max_time_above_s, 20);
  EXPECT_EQ(row.area_time_above_cm2, 2.0);
}

TEST(ReportCalibration, IdentityIgnoresThePathAndFollowsTheCurve) {
  const std::string a =
      R"({"contact_threshold_mmhg":0.0,"curve":{"kind":"linear","scale":0.025,"unit":"mmHg"},"equilibration":null,)"
      R"("format":"plinth-calibration-in-force","format_version":1,"noise_floor_sd":3.0,"noise_threshold_mmhg":5.0,)"
      R"("pitch_col_cm":2.54,"pitch_row_cm":2.54,"saturation_raw":4095,"source":"config"})";
  std::string moved = a;
  moved.replace(moved.find("\"config\""), 8, "\"/etc/plinth/other.json\"");
  std::string rescaled = a;
  rescaled.replace(rescaled.find("0.025"), 5, "0.030");
  EXPECT_EQ(calibration_fingerprint(a), calibration_fingerprint(moved));
  EXPECT_NE(calibration_fingerprint(a), calibration_fingerprint(rescaled));
  EXPECT_EQ(calibration_canonical_text(a),
            "curve=linear;unit=mmHg;scale=0.025000000000000001;saturation_raw=4095;noise_threshold_mmhg=5;"
            "noise_floor_sd=3;contact_threshold_mmhg=0;pitch_row_cm=2.54;pitch_col_cm=2.54;equilibration=none");
  // FNV-1a 64 test vectors (Fowler, Noll, Vo; IETF draft-eastlake-fnv).
  EXPECT_EQ(fnv1a64_hex(""), "cbf29ce484222325");
  EXPECT_EQ(fnv1a64_hex("a"), "af63dc4c8601ec8c");
  EXPECT_EQ(fnv1a64_hex("foobar"), "85944171f73967e8");
  EXPECT_EQ(calibration_summary(a), "linear, 0.025 mmHg per count; no equilibration; noise floor 5 mmHg");
}

// The report rebuilds the calibration on the reporting machine and compares this fingerprint
// with the equilibration file it finds there before drawing the mean map.
TEST(ReportCalibration, ArchivedEquilibrationFingerprint) {
  EXPECT_EQ(archived_equilibration_fingerprint(R"({"equilibration":null,"curve":{}})"), "none");
  EXPECT_EQ(archived_equilibration_fingerprint(R"({"equilibration":{"file":"/x.json","fnv1a64":"0123456789abcdef"}})"),
            "0123456789abcdef");
  EXPECT_EQ(archived_equilibration_fingerprint("not json"), "");
}

TEST(ReportHrvWindows, WindowNnFollowsTheLiveEngine) {
  DecidedBeats b;
  // time, nn, flags, nn_count: a dropped extra beat, a split missed beat, a segment start.
  const std::vector<std::tuple<std::int64_t, double, std::uint32_t, std::uint32_t>> rows{
      {1, 800, 0, 1}, {2, 400, beat_extra | beat_dropped, 0}, {3, 810, beat_merged, 1},
      {4, 790, beat_missed | beat_split, 2}, {5, 805, beat_segment_start, 1}, {6, 800, 0, 1}};
  for (const auto& [t, nn, flags, count] : rows) {
    b.time_ns.push_back(t);
    b.nn_ms.push_back(nn);
    b.hr_bpm.push_back(60000 / nn);
    b.flags.push_back(flags);
    b.nn_count.push_back(count);
  }
  std::vector<double> nn;
  std::vector<std::uint8_t> starts;
  std::size_t beats = 0, artifacts = 0;
  window_nn(b, 1, 6, nn, starts, beats, artifacts);  // (1, 6]: beats 2..6
  EXPECT_EQ(beats, 5u);
  EXPECT_EQ(artifacts, 2u);  // extra, missed (merged and split alone are corrections, not artifacts)
  EXPECT_EQ(nn, (std::vector<double>{810, 790, 790, 805, 800}));
  EXPECT_EQ(starts, (std::vector<std::uint8_t>{1, 0, 0, 1, 0}));
}

TEST(ReportHrvWindows, FiveMinuteReferenceSeriesGivesThePublishedValues) {
  // ../shared/data/README.md: RMSSD 101.30 ms, MeanNN 888.96 ms, HF 4837 ms² (default settings).
  const DecidedBeats b = beats_of(read_rr_file(data("hrv/nsr_5min_nn_ms.txt").string()));
  HrvCalculator calculator(frequency_settings_preset("default"));
  const HrvWindow w = hrv_window(b, b.time_ns.front() - 1, b.time_ns.back(), 0, calculator, "whole");
  EXPECT_EQ(w.nn_count, 337u);
  EXPECT_NEAR(w.rmssd_ms, 101.30, 0.005);
  EXPECT_NEAR(w.hr_bpm, 60000.0 / 888.96, 0.001);
  EXPECT_NEAR(w.hf_ms2, 4837, 0.5);
  EXPECT_TRUE(w.caveats.empty()) << w.caveats.front();  // 299.6 s: within the 2 % edge tolerance
}

TEST(ReportHrvWindows, FirstLastAndMarkerWindowsOnTheHourLongSeries) {
  // Expected: tests/reference/report_hrv_windows_reference.py (NumPy, same window rule).
  const DecidedBeats b = beats_of(read_rr_file(data("hrv/nsr_60min_nn_ms.txt").string()));
  HrvCalculator calculator(frequency_settings_preset("default"));
  const std::int64_t marker = b.time_ns.front() + 1800 * kS;
  const std::vector<MarkerTime> markers{{marker, "effleurage"}, {marker + 180 * kS, "petrissage"},
                                        {marker + 60 * kS, "rest"}};  // rest: not a technique
  const auto c = hrv_comparisons(b, markers, 300.0, 0, calculator, false);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].title, "First vs last 5 min");
  EXPECT_EQ(c[0].before.nn_count, 398u);
  EXPECT_NEAR(c[0].before.hr_bpm, 79.5875312868, 1e-8);
  EXPECT_NEAR(c[0].before.rmssd_ms, 53.8308995194, 1e-8);
  EXPECT_EQ(c[0].after.nn_count, 394u);
  EXPECT_NEAR(c[0].after.rmssd_ms, 52.8106464322, 1e-8);
  EXPECT_NEAR(c[0].rmssd_change_pct, 100.0 * (52.8106464322 / 53.8308995194 - 1.0), 1e-6);
  EXPECT_EQ(c[1].marker_label, "effleurage");
  EXPECT_EQ(c[1].before.nn_count, 382u);
  EXPECT_NEAR(c[1].before.rmssd_ms, 58.5872165430, 1e-8);
  // After: up to the next technique marker (3 min later), not the rest marker.
  EXPECT_EQ(c[1].after.nn_count, 239u);
  EXPECT_NEAR(c[1].after.hr_bpm, 79.6976602012, 1e-8);
  EXPECT_NEAR(c[1].after.rmssd_ms, 49.2191975937, 1e-8);
  ASSERT_FALSE(c[1].after.caveats.empty());
  EXPECT_NE(c[1].after.caveats.front().find("shorter than the 5-min standard"), std::string::npos);
  EXPECT_EQ(c[2].marker_label, "petrissage");
  EXPECT_NEAR(c[2].before.begin_s, c[1].marker_t_s, 1e-9);  // starts at the previous technique marker
}

TEST(ReportHrvWindows, ShortSessionsCompareHalvesAndSayWhy) {
  std::vector<double> nn(230, 800.0);  // 3 min: halves of 90 s
  for (std::size_t i = 0; i < nn.size(); i += 2) nn[i] = 760.0;
  const DecidedBeats b = beats_of(nn);
  HrvCalculator calculator;
  const auto c = hrv_comparisons(b, {}, 300.0, 0, calculator, true);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NE(c[0].title.find("First vs second half"), std::string::npos);
  const auto& caveats = c[0].before.caveats;
  const std::string all = std::accumulate(caveats.begin(), caveats.end(), std::string(), [](std::string a, const std::string& x) { return a + x + "|"; });
  EXPECT_NE(all.find("5-min standard"), std::string::npos);
  EXPECT_NE(all.find("HF not computed"), std::string::npos);  // 60 s: Task Force allows HF, we need 110 s
  EXPECT_NE(all.find("LF power"), std::string::npos);
  EXPECT_TRUE(std::isnan(c[0].before.hf_ms2));
  // The end of a crashed session has no final decisions for its last beats: said on the last window.
  EXPECT_NE(c[0].after.caveats.back().find("did not end cleanly"), std::string::npos);
}

TEST(ReportSvg, ClinicalScaleIsTheDashboards) {
  // The dashboard's STOPS in tools/web/assets/js/colour-scale.js, parsed, must equal kClinicalStops.
  std::ifstream in("tools/web/assets/js/colour-scale.js");
  ASSERT_TRUE(in) << "run from the repo root";
  std::stringstream text;
  text << in.rdbuf();
  const std::string js = text.str();
  const std::regex stop(R"(\[(\d+), \[(\d+), (\d+), (\d+)\]\])");
  const auto start = js.find("const STOPS");
  ASSERT_NE(start, std::string::npos);
  const std::string block = js.substr(start, js.find("];", start) - start);
  std::size_t k = 0;
  for (auto it = std::sregex_iterator(block.begin(), block.end(), stop); it != std::sregex_iterator(); ++it, ++k) {
    ASSERT_LT(k, kClinicalStops.size());
    EXPECT_EQ(std::stod((*it)[1]), kClinicalStops[k].value);
    for (int c = 0; c < 3; ++c) EXPECT_EQ(std::stoi((*it)[2 + c]), kClinicalStops[k].rgb[static_cast<std::size_t>(c)]);
  }
  EXPECT_EQ(k, kClinicalStops.size());
  EXPECT_EQ(clinical_rgb(0.5), kNoContact);
  EXPECT_EQ(clinical_rgb(32), (std::array<int, 3>{40, 178, 74}));
  EXPECT_EQ(clinical_rgb(26), (std::array<int, 3>{31, 174, 144}));  // halfway from cyan to green
  EXPECT_EQ(clinical_rgb(400), (std::array<int, 3>{128, 0, 16}));
}

TEST(ReportSvg, TicksAreRound) {
  EXPECT_EQ(nice_ticks(0, 12, 8), (std::vector<double>{0, 2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(nice_ticks(0, 1, 4), (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
}

TEST(ReportHtml, SelfContainedAndEscaped) {
  SessionReport r;
  r.subject = "P-<script>";
  r.started_at = "2026-11-23T09:15:00.000Z";
  r.duration_s = 600;
  r.end_state = "crash";
  r.file = "/tmp/x.h5";
  r.events.push_back(TimedEvent{60, "marker", "effleurage & \"stretch\"", NAN, ""});
  describe_quality(r);
  r.summary = summary_line(r);
  const std::string html = report_html(r);
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("P-&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("effleurage &amp; &quot;stretch&quot;"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);  // no external (or any) resources
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("plinth repair /tmp/x.h5"), std::string::npos);  // a crashed session says how to repair it
  EXPECT_EQ(number_html("k", 2.345, 1), R"(<span data-key="k" data-value="2.3450000000000002">2.3</span>)");
  EXPECT_EQ(number_html("k", -0.01, 0), R"(<span data-key="k" data-value="-0.01">0</span>)");
  EXPECT_EQ(number_html("k", NAN, 1), R"(<span data-key="k" data-value="">–</span>)");
}

TEST(ReportHistory, CalibrationAndDeviceChangesAreGroupedAndMarked) {
  std::vector<HistoryRow> rows(4);
  const char* calibrations[] = {"aaaa", "aaaa", "bbbb", "aaaa"};
  const char* devices[] = {"mat X", "mat X", "mat X", "mat Y"};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i].started_at_ns = static_cast<std::int64_t>(4 - i) * 86400 * kS;  // given newest first
    rows[i].calibration = calibrations[3 - i];
    rows[i].device = devices[3 - i];
    rows[i].techniques = i == 0 ? "effleurage, \"light\"" : "";
  }
  assign_groups(rows);
  std::vector<std::string> groups, device_groups, marks;
  for (const auto& r : rows) {
    groups.push_back(r.calibration_group);
    device_groups.push_back(r.device_group);
    marks.push_back(r.marks);
  }
  EXPECT_EQ(groups, (std::vector<std::string>{"A", "A", "B", "A"}));
  EXPECT_EQ(device_groups, (std::vector<std::string>{"A", "A", "A", "B"}));
  EXPECT_EQ(marks, (std::vector<std::string>{"", "", "calibration changed", "calibration changed; device changed"}));
  const std::string csv = history_csv(rows);
  EXPECT_NE(csv.find("\"effleurage, \"\"light\"\"\""), std::string::npos);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
}

}  // namespace
}  // namespace plinth::report
