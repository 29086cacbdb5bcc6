// `autograde grade --report` end to end (issue 22): a .pdf report has a cover and one page per
// shot, each page drawn (pdftoppm renders them; a blank or text-only page fails), a .html
// report shows the scopes, and any other extension is a usage error that writes nothing.
// Runs on 3.5 s of the bundled Tears of Steel excerpt (CC BY 3.0; cuts at ~0.9 and ~2.7 s).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "autograde/core/files.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/pipeline/plan.hpp"
#include "cli_support.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace autograde;
using autograde::testing::CliRun;
using autograde::testing::listing;
using autograde::testing::sh;

namespace {

std::string q(const fs::path& p) { return autograde::testing::quoted(p); }

struct PageStats {
  double luma_sd = 0;    // spread of the page's luma: 0 for a blank page
  double dark = 0;       // fraction of near-black pixels: the scopes' black panels
  double colourful = 0;  // fraction of pixels with chroma: pictures, not only text
};

PageStats page_stats(const ImageF& im) {
  double s = 0, s2 = 0;
  size_t dark = 0, colourful = 0;
  for (size_t i = 0; i < im.pixel_count(); ++i) {
    const float* p = im.pixels.data() + i * size_t(im.channels);
    const double y = 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
    s += y, s2 += y * y;
    dark += y < 0.05;
    colourful += std::max({p[0], p[1], p[2]}) - std::min({p[0], p[1], p[2]}) > 0.1f;
  }
  const double n = double(im.pixel_count());
  return {std::sqrt(std::max(0.0, s2 / n - (s / n) * (s / n))), double(dark) / n,
          double(colourful) / n};
}

}  // namespace

class GradeReport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    media_ = autograde::testing::scratch_dir("report_media");
    ASSERT_TRUE(sh("ffmpeg -nostdin -v error -y -i " +
                   q(autograde::testing::source_dir() / "data/video/tears_of_steel_excerpt.mp4") +
                   " -t 3.5 -vf scale=320:180 -an -c:v libx264 -preset veryfast -crf 16 "
                   "-pix_fmt yuv420p " +
                   q(media_ / "clip.mp4")));
  }
  static CliRun grade(const fs::path& dir, const std::string& report) {
    return autograde::testing::run_cli(
        "grade " + q(media_ / "clip.mp4") + " --ref " +
        q(autograde::testing::source_dir() / "data/images/reference_teal_orange.png") + " -o " +
        q(dir / "graded.mp4") + " --report " + q(dir / report) + " --quiet");
  }
  static inline fs::path media_;
};

TEST_F(GradeReport, PdfHasACoverAndOnePageOfPicturesPerShot) {
  const fs::path dir = autograde::testing::scratch_dir("report_pdf");
  const CliRun r = grade(dir, "report.pdf");
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string pdf = read_file((dir / "report.pdf").string());
  ASSERT_EQ(pdf.rfind("%PDF-", 0), 0u) << "not a PDF";
  EXPECT_NE(pdf.find("%%EOF", pdf.size() - 16), std::string::npos) << "the PDF is not complete";
  // Nothing but the outputs (no staging leftovers).
  EXPECT_EQ(listing(dir), (std::vector<std::string>{"graded.mp4", "graded.plan.json", "graded_luts",
                                                    "report.pdf"}));
  const GradePlan plan = read_plan((dir / "graded.plan.json").string());
  ASSERT_GE(plan.shots.size(), 2u) << "the clip has cuts at ~0.9 and ~2.7 s";

  if (!sh("command -v pdftoppm")) GTEST_SKIP() << "pdftoppm (poppler-utils) is not installed";
  ASSERT_TRUE(sh("pdftoppm -png -r 40 " + q(dir / "report.pdf") + " " + q(dir / "page")));
  std::vector<fs::path> pages;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("page", 0) == 0) pages.push_back(e.path());
  std::sort(pages.begin(), pages.end());
  ASSERT_EQ(pages.size(), 1 + plan.shots.size()) << "a cover and one page per shot";
  std::vector<ImageF> shot_pages;
  for (size_t i = 0; i < pages.size(); ++i) {
    const ImageF im = read_image(pages[i].string()).image;
    const PageStats s = page_stats(im);
    EXPECT_GT(s.luma_sd, 0.05) << pages[i] << " is blank";
    EXPECT_GT(s.colourful, 0.02) << pages[i] << " has no pictures";
    if (i == 0) continue;
    // A shot page carries four scopes on black: about a fifth of the page.
    EXPECT_GT(s.dark, 0.10) << pages[i] << " shows no scopes";
    shot_pages.push_back(im);
  }
  // Each shot page shows its own shot: consecutive pages differ.
  for (size_t i = 1; i < shot_pages.size(); ++i) {
    ASSERT_EQ(shot_pages[i].pixels.size(), shot_pages[0].pixels.size());
    double d = 0;
    for (size_t k = 0; k < shot_pages[i].pixels.size(); ++k)
      d += std::abs(shot_pages[i].pixels[k] - shot_pages[i - 1].pixels[k]);
    EXPECT_GT(d / double(shot_pages[i].pixels.size()), 0.01)
        << "shot pages " << i << " and " << i + 1 << " look the same";
  }
}

TEST_F(GradeReport, HtmlReportShowsTheScopesAndTheLut) {
  const fs::path dir = autograde::testing::scratch_dir("report_html");
  const CliRun r = grade(dir, "report.HTML");  // the extension is matched without case
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string html = read_file((dir / "report.HTML").string());
  ASSERT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  const GradePlan plan = read_plan((dir / "graded.plan.json").string());
  for (const char* alt :
       {"waveform before", "waveform after", "parade before", "vectorscope before",
        "vectorscope after", "histogram after", "LUT output"}) {
    size_t n = 0;
    for (size_t at = html.find(std::string("alt=\"") + alt + "\""); at != std::string::npos;
         at = html.find(std::string("alt=\"") + alt + "\"", at + 1))
      ++n;
    EXPECT_EQ(n, plan.shots.size()) << alt;
  }
  EXPECT_NE(html.find("encode</th>"), std::string::npos) << "the settings table";
}

TEST_F(GradeReport, AnUnknownReportExtensionIsAUsageErrorNamingThePath) {
  const fs::path dir = autograde::testing::scratch_dir("report_bad");
  const CliRun r = grade(dir, "report.docx");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find((dir / "report.docx").string()), std::string::npos) << r.out;
  EXPECT_TRUE(listing(dir).empty()) << "nothing is written";
}
