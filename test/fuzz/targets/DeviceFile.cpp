// Device files (runtime/device): any bytes are a device file or one cimlir::Error, and a file
// that reads prints back to the same settings, every layer of it resolving.
#include "core/Error.h"
#include "runtime/device/DeviceConfig.h"

#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace cimlir;
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  device::DeviceConfig parsed;
  try {
    parsed = device::parseDeviceText(text, "fuzz.json");
  } catch (const Error &) {
    return 0;
  }
  const device::DeviceConfig again = device::parseDeviceText(device::toJsonText(parsed), "printed");
  if (!(again == parsed))
    std::abort(); // printing lost or changed a setting
  for (const auto &entry : parsed.layers)
    try {
      device::resolveLayer(parsed, entry.glob);
    } catch (const Error &) {
    }
  return 0;
}
