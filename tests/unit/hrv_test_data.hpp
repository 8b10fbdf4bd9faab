#pragma once
// Shared helpers for the HRV tests: the reference NN series from ../shared/data/hrv.
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace plinth::test {

inline std::vector<double> load_nn_series(const std::string& name) {
  const std::string path = "../shared/data/hrv/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path + " (run the tests from the repo root)");
  std::vector<double> values;
  double v = 0.0;
  while (in >> v) values.push_back(v);
  return values;
}

inline std::vector<double> nn_5min() { return load_nn_series("nsr_5min_nn_ms.txt"); }
inline std::vector<double> nn_60min() { return load_nn_series("nsr_60min_nn_ms.txt"); }

}  // namespace plinth::test
