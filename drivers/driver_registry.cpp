#include "drivers/driver_registry.hpp"

#include "drivers/ant_plus.hpp"
#include "drivers/plinth_mat.hpp"
#include "drivers/rr_line.hpp"
#include "drivers/row_matrix_mat.hpp"
#include "drivers/text_mat.hpp"

namespace plinth {

// Adding a device protocol: one file under drivers/ and one line here.
const std::vector<const DriverDescriptor*>& all_drivers() {
  static const std::vector<const DriverDescriptor*> table = {
      &plinth_mat_driver,
      &rr_line_driver,
      &ant_hrm_driver,
      &text_mat_driver,
      &row_matrix_driver,
  };
  return table;
}

const DriverDescriptor* find_driver(std::string_view name) {
  for (const DriverDescriptor* d : all_drivers())
    if (d->name == name) return d;
  return nullptr;
}

const DriverDescriptor* sniff_driver(DeviceKind kind, std::span<const std::uint8_t> capture) {
  for (const DriverDescriptor* d : all_drivers())
    if (d->kind == kind && d->sniff && d->sniff(capture)) return d;
  return nullptr;
}

}  // namespace plinth
