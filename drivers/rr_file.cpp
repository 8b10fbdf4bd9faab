#include "drivers/rr_file.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace plinth {

std::vector<double> parse_rr_text(std::string_view text, const std::string& source) {
  std::vector<double> rr;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    double v = 0.0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), v);
    const auto where = source + ":" + std::to_string(line_no) + ": ";
    if (ec != std::errc{} || end != line.data() + line.size())
      throw std::runtime_error(where + "'" + std::string(line) + "' is not an RR interval in ms");
    if (!(v > 0.0 && v < 65535.0 / 1.024))
      throw std::runtime_error(where + "RR " + std::string(line) + " ms is outside 0..63999 ms");
    rr.push_back(v);
  }
  if (rr.empty()) throw std::runtime_error(source + ": no RR intervals");
  return rr;
}

std::vector<double> read_rr_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open RR file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_rr_text(text.str(), path);
}

}  // namespace plinth
