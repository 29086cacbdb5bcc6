#include "zip_store.hpp"

#include <zlib.h>

#include <cstdint>

#include "autograde/core/error.hpp"

namespace autograde::server {

namespace {

void put16(std::string& out, uint32_t v) {
  out.push_back(char(v & 0xff));
  out.push_back(char((v >> 8) & 0xff));
}
void put32(std::string& out, uint32_t v) {
  put16(out, v & 0xffff);
  put16(out, v >> 16);
}

}  // namespace

// PKWARE APPNOTE 6.3.x, sections 4.3.7 (local header), 4.3.12 (central directory), 4.3.16 (end).
std::string zip_stored(const std::vector<std::pair<std::string, std::string>>& files) {
  constexpr uint32_t kDosTime = 0, kDosDate = (0 << 9) | (1 << 5) | 1;  // 1980-01-01 00:00
  std::string out, central;
  for (const auto& [name, data] : files) {
    if (data.size() >= 0xffffffffu || out.size() >= 0xffffffffu || files.size() >= 0xffff)
      throw_internal("zip: too large for a zip without ZIP64");
    const uint32_t crc =
        uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(data.data()), uInt(data.size())));
    const uint32_t offset = uint32_t(out.size());
    for (std::string* h : {&out, &central}) {
      const bool local = h == &out;
      put32(*h, local ? 0x04034b50 : 0x02014b50);
      if (!local) put16(*h, 20);  // version made by
      put16(*h, 20);              // version needed
      put16(*h, 0);               // flags
      put16(*h, 0);               // stored
      put16(*h, kDosTime);
      put16(*h, kDosDate);
      put32(*h, crc);
      put32(*h, uint32_t(data.size()));
      put32(*h, uint32_t(data.size()));
      put16(*h, uint32_t(name.size()));
      put16(*h, 0);  // extra
      if (!local) {
        put16(*h, 0);  // comment
        put16(*h, 0);  // disk
        put16(*h, 0);  // internal attributes
        put32(*h, 0);  // external attributes
        put32(*h, offset);
      }
      *h += name;
    }
    out += data;
  }
  const uint32_t cd_offset = uint32_t(out.size());
  out += central;
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, uint32_t(files.size()));
  put16(out, uint32_t(files.size()));
  put32(out, uint32_t(central.size()));
  put32(out, cd_offset);
  put16(out, 0);
  return out;
}

}  // namespace autograde::server
