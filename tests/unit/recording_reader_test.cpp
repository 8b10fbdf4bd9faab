// Readers for the recorded data sets in ../shared/data/pressure (see its README).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "drivers/sim/mat_source.hpp"
#include "drivers/sim/recording_reader.hpp"
#include "drivers/sim/suspect_frames.hpp"

namespace plinth::sim {
namespace {

const std::string kVista = "../shared/data/pressure/pmatdata/S1/";
const std::string kBodiTrak = "../shared/data/pressure/pmatdata-exp2/S1/";

// Frames per recording 1..17 (one per non-empty line of each file).
constexpr std::size_t kVistaFrames[17] = {82, 70, 90, 69, 78, 69, 69, 72, 74, 73, 80, 75, 81, 76, 93, 81, 90};

TEST(VistaRecordings, AllSeventeenHaveTheKnownShapeAndFrameCounts) {
  for (int n = 1; n <= 17; ++n) {
    const Recording rec = read_recording(kVista + std::to_string(n) + ".txt");
    EXPECT_EQ(rec.format, RecordingFormat::frame_per_line) << n;
    EXPECT_EQ(rec.rows, 64) << n;
    EXPECT_EQ(rec.cols, 32) << n;
    EXPECT_DOUBLE_EQ(rec.pitch_cm, 2.54);
    EXPECT_DOUBLE_EQ(rec.nominal_rate_hz, 1.0);
    ASSERT_EQ(rec.frames.size(), kVistaFrames[n - 1]) << n;
    EXPECT_EQ(rec.skipped_lines, 0u);
    for (std::size_t i = 0; i < rec.frames.size(); ++i) {
      ASSERT_EQ(rec.frames[i].raw.size(), 2048u);
      EXPECT_EQ(rec.frames[i].device_seq, i);
      EXPECT_EQ(rec.frames[i].device_time_us, i * 1000000u);
    }
  }
}

TEST(VistaRecordings, FirstRowsOfABodyAreTheHeadEnd) {
  // Supine (recording 1), a settled frame: the feet half carries less than the trunk half
  // and the top rows hold the head, so row 0 is the head end as documented.
  const Recording rec = read_recording(kVista + "1.txt");
  const MatFrame& f = rec.frames[40];
  std::vector<double> rows(64, 0);
  for (std::size_t i = 0; i < f.raw.size(); ++i) rows[i / 32] += f.raw[i];
  double top = 0, bottom = 0;
  for (int r = 0; r < 32; ++r) top += rows[r];
  for (int r = 32; r < 64; ++r) bottom += rows[r];
  EXPECT_GT(top, bottom);
  EXPECT_GT(*std::max_element(rows.begin(), rows.begin() + 12), 0);
}

TEST(VistaRecordings, SuspectFlagsExactlyTheKnownCorruptFrames) {
  // Frames 0 (near-empty reading) and 1 (byte-shifted values) of every recording; and
  // frame 2 of recording 8, which is also byte-shifted (96 % of its values >= 256 are
  // multiples of 256) although the data set's note mentions only the first two.
  for (int n = 1; n <= 17; ++n) {
    const Recording rec = read_recording(kVista + std::to_string(n) + ".txt");
    std::set<std::size_t> flagged, shifted;
    for (std::size_t i = 0; i < rec.frames.size(); ++i) {
      if (rec.frames[i].suspect) flagged.insert(i);
      if (looks_byte_shifted(rec.frames[i])) shifted.insert(i);
    }
    const std::set<std::size_t> expected_shifted = n == 8 ? std::set<std::size_t>{1, 2} : std::set<std::size_t>{1};
    std::set<std::size_t> expected = expected_shifted;
    expected.insert(0);
    EXPECT_EQ(flagged, expected) << "recording " << n;
    EXPECT_EQ(shifted, expected_shifted) << "recording " << n;
    EXPECT_EQ(rec.suspect_frames, expected.size());
  }
}

TEST(VistaRecordings, SuspectCheckIsPureAndCanBeTurnedOff) {
  RecordingReadOptions o;
  o.mark_suspect = false;
  Recording rec = read_recording(kVista + "3.txt", o);
  EXPECT_TRUE(std::none_of(rec.frames.begin(), rec.frames.end(), [](const MatFrame& f) { return f.suspect; }));
  SuspectCheck no_load_rule;
  no_load_rule.load_outliers = false;
  EXPECT_EQ(mark_suspect_frames(rec.frames, no_load_rule), 1u);
  EXPECT_TRUE(rec.frames[1].suspect);
  EXPECT_FALSE(rec.frames[0].suspect);
}

TEST(BodiTrakRecordings, EachFileIsOne64x27Frame) {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kBodiTrak)) {
    const Recording rec = read_recording(entry.path());
    EXPECT_EQ(rec.format, RecordingFormat::row_blocks) << entry.path();
    EXPECT_EQ(rec.rows, 64);
    EXPECT_EQ(rec.cols, 27);
    ASSERT_EQ(rec.frames.size(), 1u);
    EXPECT_EQ(rec.frames[0].raw.size(), 64u * 27u);
    EXPECT_EQ(rec.nominal_rate_hz, 0.0);
    // The baseline offset: no sensel reads zero on this mat.
    EXPECT_GT(*std::min_element(rec.frames[0].raw.begin(), rec.frames[0].raw.end()), 20);
    ++files;
  }
  EXPECT_EQ(files, 29u);
}

TEST(BodiTrakRecordings, DirectoryReadsInNaturalOrder) {
  const Recording all = read_recording(kBodiTrak);
  ASSERT_EQ(all.frames.size(), 29u);
  EXPECT_EQ(all.rows, 64);
  const Recording b2 = read_recording(kBodiTrak + "Matrix_Air_B2.txt");
  const Recording b10 = read_recording(kBodiTrak + "Matrix_Air_B10.txt");
  EXPECT_EQ(all.frames[1].raw, b2.frames[0].raw);   // B1, B2, ..., B9, B10
  EXPECT_EQ(all.frames[9].raw, b10.frames[0].raw);
  EXPECT_EQ(all.frames[9].device_seq, 9u);
}

TEST(RecordingText, ToleratesCrlfTrailingSpaceBlankLinesAndBom) {
  const std::string text = "\xEF\xBB\xBF" "1 2 3\t\r\n\r\n4,5,6,\r\n   \n7;8;9  \n";
  RecordingReadOptions o;
  o.rows = 1;
  o.cols = 3;
  const Recording rec = parse_recording_text(text, "t.txt", o);
  EXPECT_EQ(rec.format, RecordingFormat::frame_per_line);
  ASSERT_EQ(rec.frames.size(), 3u);
  EXPECT_EQ(rec.frames[2].raw, (std::vector<std::uint16_t>{7, 8, 9}));
}

TEST(RecordingText, RowBlocksSplitOnBlankLines) {
  const Recording rec = parse_recording_text("1 2\n3 4\n\n\n5 6\n7 8\n", "b.txt");
  EXPECT_EQ(rec.format, RecordingFormat::row_blocks);
  EXPECT_EQ(rec.rows, 2);
  EXPECT_EQ(rec.cols, 2);
  ASSERT_EQ(rec.frames.size(), 2u);
  EXPECT_EQ(rec.frames[1].raw, (std::vector<std::uint16_t>{5, 6, 7, 8}));
}

TEST(RecordingText, MalformedLineNamesFileAndLine) {
  const std::string text = "1 2 3 4\n5 6 7 8\n9 x 1 2\n3 4 5 6\n";
  RecordingReadOptions o;
  o.rows = 2;
  o.cols = 2;
  try {
    parse_recording_text(text, "mat.txt", o);
    FAIL() << "no error";
  } catch (const RecordingError& e) {
    EXPECT_EQ(e.file(), "mat.txt");
    EXPECT_EQ(e.line(), 3u);
    EXPECT_NE(std::string(e.what()).find("mat.txt:3:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'x'"), std::string::npos) << e.what();
  }
  o.skip_malformed = true;
  const Recording rec = parse_recording_text(text, "mat.txt", o);
  EXPECT_EQ(rec.frames.size(), 3u);
  EXPECT_EQ(rec.skipped_lines, 1u);
}

TEST(RecordingText, WrongValueCountAndShortBlocks) {
  RecordingReadOptions o;
  o.rows = 2;
  o.cols = 2;
  try {
    parse_recording_text("1 2 3 4\n1 2 3\n", "short.txt", o);
    FAIL() << "no error";
  } catch (const RecordingError& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("expected 4 values"), std::string::npos) << e.what();
  }
  // A block with a missing row.
  try {
    parse_recording_text("1 2\n3 4\n\n5 6\n\n7 8\n9 10\n", "blocks.txt");
    FAIL() << "no error";
  } catch (const RecordingError& e) {
    EXPECT_EQ(e.line(), 4u);
    EXPECT_NE(std::string(e.what()).find("1 rows, expected 2"), std::string::npos) << e.what();
  }
  o = {};
  o.skip_malformed = true;
  const Recording rec = parse_recording_text("1 2\n3 4\n\n5 6\n\n7 8\n9 10\n\n1 2\n3 4 5\n", "blocks.txt", o);
  EXPECT_EQ(rec.frames.size(), 2u);
  EXPECT_EQ(rec.skipped_frames, 2u);
  EXPECT_EQ(rec.skipped_lines, 1u);
}

TEST(RecordingText, FormatOverrideAndErrors) {
  // A Vista file read as row blocks with an explicit 1x2048 geometry: one frame per line.
  RecordingReadOptions o;
  o.format = RecordingFormat::row_blocks;
  o.rows = 1;
  o.cols = 2048;
  const Recording rec = read_recording(kVista + "2.txt", o);
  EXPECT_EQ(rec.frames.size(), 70u);
  EXPECT_EQ(rec.rows, 1);
  EXPECT_THROW(parse_recording_text("", "empty.txt"), RecordingError);
  EXPECT_THROW(parse_recording_text("1 2 70000\n", "big.txt"), RecordingError);
  EXPECT_THROW(parse_recording_text("1 -2 3\n", "neg.txt"), RecordingError);
  EXPECT_THROW(read_recording("../shared/data/pressure/no-such-file.txt"), RecordingError);
  EXPECT_EQ(parse_format("boditrak"), RecordingFormat::row_blocks);
  EXPECT_THROW(parse_format("xml"), std::invalid_argument);
}

TEST(RecordingSource, LoopsAtTheChosenRateAndKeepsCounting) {
  Recording rec = read_recording(kVista + "4.txt");
  const std::size_t n = rec.frames.size();
  const auto third = rec.frames[3].raw;
  PlaybackOptions o;
  o.rate_hz = 20;
  RecordingSource src(std::move(rec), o);
  EXPECT_DOUBLE_EQ(src.rate_hz(), 20.0);
  MatFrame f;
  for (std::size_t i = 0; i < n + 4; ++i) ASSERT_TRUE(src.next(f));
  EXPECT_EQ(f.device_seq, n + 3);
  EXPECT_EQ(f.raw, third);  // looped round to frame 3
  EXPECT_EQ(f.device_time_us, (n + 3) * 50000u);
  EXPECT_EQ(src.device_info().cols, 32);
}

TEST(RecordingSource, SkipsSuspectFramesAndStopsWithoutLoop) {
  PlaybackOptions o;
  o.loop = false;
  o.skip_suspect = true;
  RecordingSource src(read_recording(kVista + "8.txt"), o);
  MatFrame f;
  std::size_t played = 0;
  while (src.next(f)) {
    EXPECT_FALSE(looks_byte_shifted(f));
    ++played;
  }
  EXPECT_EQ(played, 72u - 3u);
  auto gen = as_generator(std::make_shared<RecordingSource>(read_recording(kBodiTrak + "Matrix_Air_B1.txt")));
  EXPECT_TRUE(gen(f));
  EXPECT_EQ(f.cols, 27);
}

}  // namespace
}  // namespace plinth::sim
