#pragma once
// HTML -> PDF through Chromium's own print engine (headless `--print-to-pdf`, Debian package
// chromium): the page is laid out by a real browser with its @page A4 rules, so the PDF looks
// like the printed HTML. Not a pure function: it runs a process.
#include <filesystem>
#include <string>

namespace plinth::report {

// The browser to use: $PLINTH_CHROMIUM, else chromium / chromium-browser / google-chrome on
// PATH; "" if none.
std::string find_chromium();

// Prints `html` (a local file) to `pdf`. Throws std::runtime_error with what went wrong
// (no browser, it failed, it took longer than timeout_s, no PDF written).
void print_pdf(const std::filesystem::path& html, const std::filesystem::path& pdf, double timeout_s = 120.0);

}  // namespace plinth::report
