// base64.hpp against RFC 4648 section 10's test vectors and OpenImageIO's independent encoder.
#include "autograde/core/base64.hpp"

#include <OpenImageIO/strutil.h>
#include <gtest/gtest.h>

#include <random>

using namespace autograde;

namespace {
std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }
}  // namespace

TEST(Base64, Rfc4648TestVectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, coded] : vectors) {
    EXPECT_EQ(base64_encode(bytes_of(plain)), coded) << plain;
    const auto back = base64_decode(coded);
    ASSERT_TRUE(back) << coded;
    EXPECT_EQ(*back, bytes_of(plain)) << coded;
  }
}

TEST(Base64, AgreesWithOpenImageIOAndRoundTripsEveryLength) {
  std::mt19937 gen(7);
  for (size_t n = 0; n < 300; ++n) {
    std::vector<std::uint8_t> b(n);
    for (auto& x : b) x = std::uint8_t(gen());
    const std::string coded = base64_encode(b);
    EXPECT_EQ(coded, OIIO::Strutil::base64_encode(
                         OIIO::string_view(reinterpret_cast<const char*>(b.data()), b.size())))
        << n;
    const auto back = base64_decode(coded);
    ASSERT_TRUE(back) << n;
    EXPECT_EQ(*back, b) << n;
  }
}

TEST(Base64, RefusesTextThatIsNotCanonicalBase64) {
  for (const char* bad : {"Zg=", "Zg", "Z===", "====", "Zg==Zg==", "Zm9v\n", "Zm 9", "Zm9-",
                          "Zh==",   // pad bits set: "Zg==" is the one text of "f"
                          "Zm9=",   // likewise for "fo" ("Zm8=")
                          "Z=g="})
    EXPECT_FALSE(base64_decode(bad)) << bad;
}
