#pragma once
// A record flattened to float64 values for an archive's compound dataset (and the CSV export,
// which reads those columns), and restored from them (`plinth replay` as recorded): one table
// row per field, name, value and restore together, so none can drift from the others. Used by
// the pressure metrics and the HRV and beat records.
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace plinth {

template <typename Record>
struct Field {
  std::string_view name;
  double (*value)(const Record&);
  void (*restore)(Record&, double) = nullptr;  // null: not restored (e.g. the record's time)
};

// An archived float64 back to an integer field; NaN or out of range gives `fallback`.
template <typename Int>
Int archived_integer(double v, Int fallback) {
  if (!std::isfinite(v)) return fallback;
  const double lo = static_cast<double>(std::numeric_limits<Int>::lowest());
  const double hi = static_cast<double>(std::numeric_limits<Int>::max());
  if (v < lo || v > hi) return fallback;
  return static_cast<Int>(v);
}

template <typename Record, std::size_t N>
constexpr std::array<std::string_view, N> field_names(const Field<Record> (&fields)[N]) {
  std::array<std::string_view, N> names{};
  for (std::size_t i = 0; i < N; ++i) names[i] = fields[i].name;
  return names;
}

// `out` must hold exactly one value per field (std::invalid_argument naming `what` otherwise).
template <typename Record>
void flatten_fields(std::span<const Field<Record>> fields, const Record& record, std::span<double> out,
                    const char* what) {
  if (out.size() != fields.size())
    throw std::invalid_argument(std::string(what) + ": output has " + std::to_string(out.size()) +
                                " values, the record has " + std::to_string(fields.size()) + " fields");
  for (std::size_t i = 0; i < fields.size(); ++i) out[i] = fields[i].value(record);
}
template <typename Record, std::size_t N>
void flatten_fields(const Field<Record> (&fields)[N], const Record& record, std::span<double> out, const char* what) {
  flatten_fields(std::span<const Field<Record>>(fields), record, out, what);
}

// Sets every field named in `names` from `values` (same order); names the table lacks are
// skipped, fields the names lack keep their value (an archive of another version).
template <typename Record, typename Names, typename Values>
void restore_fields(std::span<const Field<Record>> fields, const Names& names, const Values& values, Record& out) {
  for (std::size_t k = 0; k < names.size(); ++k)
    for (const Field<Record>& f : fields)
      if (f.restore && f.name == names[k]) {
        f.restore(out, values(k));
        break;
      }
}

}  // namespace plinth
