// Calibration tables (runtime/calibration): any bytes are a table or one error line, and a
// table that reads writes out and reads back.
#include "runtime/calibration/CalibrationTable.h"

#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace cimlir::calibration;
  Table table;
  if (!readTable(std::string_view(reinterpret_cast<const char *>(data), size), "fuzz.json", table)
           .empty())
    return 0;
  std::string text;
  if (!writeTable(table, text).empty())
    std::abort();
  Table again;
  if (!readTable(text, "written.json", again).empty())
    std::abort(); // the writer wrote what the reader refuses
  return 0;
}
