#pragma once
// A record flattened to float64 values for an archive's compound dataset (and the CSV export,
// which reads those columns): one table row per field, name and value together, so names and
// values cannot drift apart. Used by the pressure metrics and the HRV and beat records.
#include <array>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace plinth {

template <typename Record>
struct Field {
  std::string_view name;
  double (*value)(const Record&);
};

template <typename Record, std::size_t N>
constexpr std::array<std::string_view, N> field_names(const Field<Record> (&fields)[N]) {
  std::array<std::string_view, N> names{};
  for (std::size_t i = 0; i < N; ++i) names[i] = fields[i].name;
  return names;
}

// `out` must hold exactly one value per field (std::invalid_argument naming `what` otherwise).
template <typename Record, std::size_t N>
void flatten_fields(const Field<Record> (&fields)[N], const Record& record, std::span<double> out, const char* what) {
  if (out.size() != N)
    throw std::invalid_argument(std::string(what) + ": output has " + std::to_string(out.size()) +
                                " values, the record has " + std::to_string(N) + " fields");
  for (std::size_t i = 0; i < N; ++i) out[i] = fields[i].value(record);
}

}  // namespace plinth
