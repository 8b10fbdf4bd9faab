#pragma once
// A session report as one self-contained HTML page: inline CSS and SVG, no scripts, no
// external references (a Content-Security-Policy forbids them), laid out for A4 paper.
// Every number shown carries data-key / data-value attributes with the unrounded value, so a
// test (or a curious reader) can check it against the archive.
#include <string>

#include "tools/report/report_model.hpp"

namespace plinth::report {

std::string report_html(const SessionReport& report);

// The same building blocks for the history page (history.cpp).
std::string page_head(const std::string& title);  // <!doctype html>…<body>
std::string page_foot();                          // …</body></html>
// <span data-key=key data-value=v>v rounded to `digits`</span>, "–" for NaN.
std::string number_html(const std::string& key, double value, int digits);

}  // namespace plinth::report
