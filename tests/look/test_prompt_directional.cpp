// Directional suite for text prompts (issue 6): each prompt is baked to a LUT, applied to the
// bundled images (data/images: coffee, chelsea, astronaut), and the change of measured CIELAB
// statistics must go the way the words say. Expectations are written from what the words mean
// (warm = b* up, faded = L* spread down, ...), not read off the implementation.
//
// Statistics per image (CIE 1976 L*a*b*, D65, from display sRGB code values via srgb_to_lab):
//   L  mean L*             S  standard deviation of L* (contrast)     C  mean chroma C*ab
//   a  mean a*             b  mean b*
//   sa/sb  mean a*/b* over the darkest 30% of the original pixels (shadows)
//   ha/hb  the same over the brightest 30% (highlights)
//   split  hb - sb (highlights warmer than shadows: teal/orange-type split toning)
//   na/nb  mean a*/b* over the 20% least chromatic original pixels among those with
//          15 < L* < 90 (near-neutral greys; black and white cannot take a tint): the
//          warmth/tint of greys, i.e. white balance. A grade that is warm *and* desaturated
//          (sepia-like: "vintage", "dusty", "70s") lowers the mean b* of an already orange
//          image while making every grey warmer, so for those prompts warmth is read here.
// Effects: "X+" / "X-" the change must exceed the threshold in that direction on every image;
// "X~+" must not increase (negation: never pushed in the negated direction), "X~-" must not
// decrease; "B>" / "B<" the graded image's mean b* itself is warm (> +2) / cool (< -2).
// Relations "A S> B": prompt A must change stat S more than prompt B on every image (a negation or
// an added word inside a combination, e.g. "warm but not too saturated" less chroma than "warm").
// Intensity orderings: the mean change over the images must increase strictly along the list.
// The suite passes when >= 95% of its checks hold; every failure is printed.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "autograde/color/color.hpp"
#include "autograde/look/look.hpp"
#include "autograde/look/prompt.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/media/image_io.hpp"
#include "test_support.hpp"

namespace autograde {
namespace {

struct Stats {
  std::map<std::string, double> v;
};

struct Sample {
  std::vector<Rgb> pixels;        // display sRGB code values
  std::vector<char> shadow, highlight, neutral;
};

std::vector<Sample> load_set() {
  std::vector<Sample> set;
  for (const char* name : {"coffee", "chelsea", "astronaut"}) {
    const auto path = testing::source_dir() / "data" / "images" / (std::string(name) + ".png");
    ImageF img = read_image(path.string()).image;
    Sample s;
    std::vector<float> L, C;
    for (int y = 0; y < img.height; y += 3)
      for (int x = 0; x < img.width; x += 3) {
        const float* p = img.at(x, y);
        s.pixels.push_back({p[0], p[1], p[2]});
        const Vec3 lab = srgb_to_lab({p[0], p[1], p[2]});
        L.push_back(lab[0]);
        C.push_back(std::hypot(lab[1], lab[2]));
      }
    std::vector<float> sorted = L;
    std::sort(sorted.begin(), sorted.end());
    const float lo = sorted[size_t(0.3 * double(sorted.size()))];
    const float hi = sorted[size_t(0.7 * double(sorted.size()))];
    std::vector<float> sorted_c;
    for (size_t i = 0; i < L.size(); ++i)
      if (L[i] > 15.f && L[i] < 90.f) sorted_c.push_back(C[i]);
    std::sort(sorted_c.begin(), sorted_c.end());
    const float grey = sorted_c[size_t(0.2 * double(sorted_c.size()))];
    for (size_t i = 0; i < L.size(); ++i) {
      s.shadow.push_back(L[i] <= lo);
      s.highlight.push_back(L[i] >= hi);
      s.neutral.push_back(C[i] <= grey && L[i] > 15.f && L[i] < 90.f);
    }
    set.push_back(std::move(s));
  }
  return set;
}

Stats measure(const Sample& s, const Lut3D* lut) {
  double sum_l = 0, sum_l2 = 0, sum_c = 0, sum_a = 0, sum_b = 0;
  double sa = 0, sb = 0, ha = 0, hb = 0;
  double na = 0, nb = 0;
  double ns = 0, nh = 0, nn = 0;
  const double n = double(s.pixels.size());
  for (size_t i = 0; i < s.pixels.size(); ++i) {
    const Rgb rgb = lut ? sample_tetrahedral(*lut, s.pixels[i]) : s.pixels[i];
    const Vec3 lab = srgb_to_lab({rgb[0], rgb[1], rgb[2]});
    sum_l += lab[0];
    sum_l2 += double(lab[0]) * lab[0];
    sum_c += std::hypot(lab[1], lab[2]);
    sum_a += lab[1];
    sum_b += lab[2];
    if (s.shadow[i]) sa += lab[1], sb += lab[2], ns += 1;
    if (s.highlight[i]) ha += lab[1], hb += lab[2], nh += 1;
    if (s.neutral[i]) na += lab[1], nb += lab[2], nn += 1;
  }
  Stats st;
  const double mean_l = sum_l / n;
  st.v["L"] = mean_l;
  st.v["S"] = std::sqrt(std::max(0.0, sum_l2 / n - mean_l * mean_l));
  st.v["C"] = sum_c / n;
  st.v["a"] = sum_a / n;
  st.v["b"] = sum_b / n;
  st.v["sa"] = sa / ns;
  st.v["sb"] = sb / ns;
  st.v["ha"] = ha / nh;
  st.v["hb"] = hb / nh;
  st.v["na"] = na / nn;
  st.v["nb"] = nb / nn;
  st.v["split"] = st.v["hb"] - st.v["sb"];
  return st;
}

// Minimum change that counts as an effect, and the slack allowed for "must not" checks.
constexpr double kEffect = 0.3;  // L*, C*, a*, b* units; 0.3 is below a just-noticeable difference
constexpr double kSlack = 0.1;

struct Case {
  const char* prompt;
  const char* effects;
};

// clang-format off
const Case kCases[] = {
  // temperature and light
  {"warm", "b+"}, {"cold", "b-"}, {"cool", "b-"}, {"golden hour", "b+"}, {"blue hour", "b- L-"},
  {"tungsten", "b+"}, {"candlelit", "b+ L-"}, {"moonlight", "b- L- C-"}, {"fluorescent", "a-"},
  {"sodium vapor", "nb+ L-"}, {"sunset", "b+"}, {"firelight", "b+ L-"}, {"hot", "b+"},
  {"icy", "b-"}, {"neon", "C+ L-"}, {"sunny", "L+ b+"}, {"dusk", "L-"}, {"soft light", "S-"},
  {"harsh light", "S+"}, {"warm light", "b+"},
  // tone
  {"bright", "L+"}, {"dark", "L-"}, {"high key", "L+ S-"}, {"low key", "L-"},
  {"high contrast", "S+"}, {"low contrast", "S-"}, {"flat", "S-"}, {"punchy", "S+ C+"},
  {"matte", "S-"}, {"faded", "S- C-"}, {"crushed blacks", "L-"}, {"overexposed", "L+"},
  {"underexposed", "L-"}, {"moody", "L- C-"}, {"airy", "L+"}, {"gritty", "S+ C-"},
  {"hazy", "S-"}, {"vibrant", "C+"}, {"desaturated", "C-"}, {"muted", "C-"},
  {"monochrome", "C-"}, {"black and white", "C-"}, {"pastel", "L+ S-"}, {"saturated", "C+"},
  {"oversaturated", "C+"}, {"cinematic", "S+ split+"}, {"glossy", "C+"}, {"clinical", "b- C-"},
  {"vintage", "nb+ C-"}, {"dull", "C- S-"},
  // colour words and palettes
  {"green tint", "a-"}, {"magenta tint", "a+"}, {"red tint", "a+"}, {"yellow tint", "b+"},
  {"blue tint", "b-"}, {"orange cast", "b+ a+"}, {"cyan cast", "a- b-"}, {"pink tint", "a+"},
  {"purple tint", "a+ b-"}, {"teal and orange", "split+ sa- hb+"}, {"orange and teal", "split+"},
  {"cyan shadows", "sb- sa-"}, {"blue shadows", "sb-"}, {"orange highlights", "hb+"},
  {"yellow highlights", "hb+"}, {"magenta highlights", "ha+"}, {"green shadows", "sa-"},
  {"sepia", "C- B>"}, {"cyanotype", "B<"}, {"earthy", "nb+"}, {"warm palette", "b+"},
  {"cool palette", "b-"}, {"pink and blue", "sb- ha+"}, {"jewel tones", "C+ L-"},
  {"blue and orange", "split+"}, {"cyan and magenta", "sa- ha+"}, {"red and blue", "sb- ha+"},
  {"yellow and blue", "sb- hb+"}, {"green and magenta", "sa- ha+"}, {"reddish", "a+"},
  {"bluish", "b-"}, {"greenish", "a-"},
  // time, weather, season
  {"summer", "b+ L+"}, {"winter", "b- C-"}, {"autumn", "b+"}, {"overcast", "S- C-"},
  {"foggy", "S- C-"}, {"misty", "S-"}, {"rainy", "b- C-"}, {"stormy", "L- C-"},
  {"snowy", "L+ b-"}, {"night", "L-"}, {"desert", "b+"}, {"arctic", "b- C-"},
  {"underwater", "b- a-"}, {"summer evening", "b+"}, {"winter night", "L- b-"},
  {"dusty", "nb+ S-"}, {"smoggy", "S- C-"}, {"humid", "S-"}, {"morning", "b-"}, {"tropical", "C+"},
  // mood
  {"nostalgic", "nb+ C- S-"}, {"gloomy", "L- C-"}, {"dreamy", "S- L+"}, {"tense", "S+"},
  {"serene", "S-"}, {"melancholic", "b- C-"}, {"happy", "L+ C+"}, {"romantic", "b+"},
  {"eerie", "a- C-"}, {"ominous", "L-"}, {"lonely", "C- b-"}, {"energetic", "C+ S+"},
  {"cozy", "b+"}, {"mysterious", "L-"}, {"bleak", "C-"}, {"whimsical", "C+"}, {"sinister", "L-"},
  {"hopeful", "L+"}, {"sad", "C-"}, {"calm", "S-"},
  // processes, stocks, eras
  {"bleach bypass", "S+ C-"}, {"Kodachrome", "C+ S+"}, {"Technicolor", "C+"}, {"70s", "nb+ C-"},
  {"VHS", "S-"}, {"day for night", "L- b-"}, {"cross-processed", "S+ C+"}, {"polaroid", "S-"},
  {"super 8", "b+"}, {"Velvia", "C+"}, {"Portra", "S-"}, {"expired film", "S- C-"},
  {"80s", "C+"}, {"1950s", "C+"}, {"lomo", "C+ S+"}, {"CineStill 800T", "sb-"},
  {"night vision", "a-"}, {"CCTV", "C-"}, {"sixties", "b+"},
  // genres
  {"horror", "L- C-"}, {"noir", "C- S+"}, {"neo-noir", "L-"}, {"romcom", "L+ b+"},
  {"western", "b+"}, {"sci-fi", "b-"}, {"war film", "C- S+"}, {"cyberpunk", "C+ L-"},
  {"post-apocalyptic", "C- nb+"}, {"dystopian", "C-"}, {"fantasy", "C+"}, {"musical", "C+"},
  {"zombie", "a- C-"}, {"nordic noir", "b- C-"}, {"wedding", "L+"}, {"action", "S+"},
  // named films
  {"like Blade Runner", "L- split+"}, {"The Matrix", "a-"}, {"like Amélie", "b+ C+"},
  {"Mad Max: Fury Road", "C+ S+"}, {"Moonlight (2016)", "C+"}, {"like Her (2013)", "b+ S-"},
  {"Sin City", "C- S+"}, {"Saving Private Ryan", "C-"}, {"Schindler's List", "C-"},
  {"O Brother, Where Art Thou?", "b+"}, {"Traffic", "b+"}, {"The Grand Budapest Hotel", "a+"},
  {"Se7en", "L- C-"}, {"Fight Club", "a-"}, {"Joker", "a-"}, {"Dune", "nb+ C-"},
  {"Arrival", "b- C- S-"}, {"The Godfather", "L- b+"}, {"The Dark Knight", "b-"},
  {"Transformers", "split+ S+"}, {"Barbie", "a+ C+"}, {"Drive", "C+"}, {"Children of Men", "C-"},
  {"La La Land", "C+"}, {"Tron Legacy", "L-"}, {"Minority Report", "C-"},
  {"The Lighthouse", "C- S+"}, {"Wes Anderson", "C+ b+"}, {"Days of Heaven", "b+"},
  {"Game of Thrones", "b- C-"}, {"Breaking Bad", "b+"},
  // grammar: comparatives, intensifiers, negation, combinations
  {"slightly warmer", "b+"}, {"less yellow", "b-"}, {"more contrast", "S+"},
  {"less contrast", "S-"}, {"a bit darker", "L-"}, {"much brighter", "L+"},
  {"not too saturated", "C~+"}, {"without the green cast", "a~-"}, {"no blue", "b~-"},
  {"not warm", "b~+"}, {"warm but not too saturated", "nb+"}, {"not dark", "L~-"},
  {"like this still but colder", "b-"}, {"cinematic, moody", "L-"},
  {"a warm, nostalgic summer evening feel", "b+ S-"}, {"gloomier", "L-"}, {"sunnier", "L+"},
  {"frosty morning", "b-"}, {"icy blue shadows", "sb- b-"}, {"warmest", "b+"},
  {"teal and orange, high contrast", "split+ S+"}, {"very faded", "S-"}, {"dim", "L-"},
  {"glowing warm highlights", "b+"}, {"without blue tint", "b~-"}, {"not contrasty", "S~+"},
  {"colder and darker", "b- L-"}, {"no green or magenta", "a~- a~+"}, {"less saturated", "C-"},
  {"more saturated", "C+"}, {"brighter and warmer", "L+ b+"}, {"not too bright", "L~+"},
  {"less moody", "L+"}, {"more cinematic", "S+"}, {"a touch of teal and orange", "split+"},
  {"extremely desaturated", "C-"},
  // unknown words reached through WordNet
  {"frigid", "b-"}, {"shadowy", "L-"}, {"lukewarm", "b+"}, {"scarlet", "a+"}, {"dingy", "C-"}, {"sunlit", "L+"}, {"gleaming", "L+"},
  {"frosted", "b-"}, {"colorless", "C-"}, {"depressed", "C-"},
};

// clang-format on

struct Relation {
  const char* a;
  const char* stat;
  const char* b;  // a's change of stat must exceed b's by kEffect on every image
};

const Relation kRelations[] = {
  {"Tron Legacy", "S", "dark"},                    // dark *and* contrasty
  {"cinematic, moody", "S", "moody"},              // cinematic adds contrast
  {"warm", "C", "warm but not too saturated"},     // the negation restrains chroma
  {"golden hour", "C", "golden hour, not saturated"},
  {"teal and orange", "split", "teal and orange, no orange"},
  {"summer", "nb", "summer, not warm"},
  {"bright and moody", "L", "moody"},
  {"like Blade Runner but warmer", "nb", "like Blade Runner"},
  {"like Blade Runner", "nb", "like Blade Runner but colder"},
};

struct Ordering {
  const char* stat;
  std::vector<const char*> prompts;  // in increasing order of the stat's change
};

const std::vector<Ordering>& orderings() {
  static const std::vector<Ordering> o{
      {"b", {"slightly warm", "warm", "very warm", "extremely warm"}},
      {"b", {"a bit warmer", "warmer", "much warmer"}},
      {"b", {"very cold", "cold", "slightly cold"}},
      {"b", {"much cooler", "cooler", "a bit cooler"}},
      {"L", {"a bit brighter", "brighter", "much brighter"}},
      {"L", {"very dark", "dark", "slightly dark"}},
      {"S", {"slightly contrasty", "contrasty", "very contrasty"}},
      {"C", {"slightly saturated", "saturated", "very saturated"}},
      {"C", {"very desaturated", "desaturated", "slightly desaturated"}},
      {"S", {"very faded", "faded", "slightly faded"}},
      {"split", {"subtle teal and orange", "teal and orange", "strong teal and orange"}},
      {"a", {"very green", "green", "slightly green"}},
      {"a", {"slightly magenta", "magenta", "very magenta"}},
      {"L", {"extremely moody", "moody", "a little moody"}},
      {"b", {"a hint of golden hour", "golden hour", "intense golden hour"}},
  };
  return o;
}

struct TestSet {
  std::vector<Sample> samples = load_set();
  std::vector<Stats> base = [this] {
    std::vector<Stats> b;
    for (const auto& s : samples) b.push_back(measure(s, nullptr));
    return b;
  }();
};

const TestSet& test_set() {
  static const TestSet set;
  return set;
}

// Change of every statistic per image ("B": the graded mean b* itself).
std::vector<std::map<std::string, double>> deltas(const std::string& prompt) {
  const TestSet& ts = test_set();
  const Lut3D lut = bake_look(look_from_prompt(prompt), 33);
  std::vector<std::map<std::string, double>> out;
  for (size_t i = 0; i < ts.samples.size(); ++i) {
    Stats st = measure(ts.samples[i], &lut);
    std::map<std::string, double> d;
    for (const auto& [k, v] : st.v) d[k] = v - ts.base[i].v.at(k);
    d["B"] = st.v.at("b");
    out.push_back(std::move(d));
  }
  return out;
}

TEST(PromptDirectional, PromptsMoveStatisticsTheWayTheWordsSay) {
  int checks = 0, passed = 0;
  std::ostringstream failures;
  for (const Case& c : kCases) {
    const auto d = deltas(c.prompt);
    std::istringstream effects(c.effects);
    std::string e;
    bool ok = true;
    std::ostringstream why;
    while (effects >> e) {
      std::string stat;
      std::string op;
      if (e == "B>" || e == "B<") {
        stat = "B";
        op = e.substr(1);
      } else if (e.find('~') != std::string::npos) {
        stat = e.substr(0, e.find('~'));
        op = e.substr(e.find('~'));
      } else {
        stat = e.substr(0, e.size() - 1);
        op = e.substr(e.size() - 1);
      }
      for (size_t i = 0; i < d.size(); ++i) {
        const double v = d[i].at(stat);
        bool good = false;
        if (op == "+") good = v > kEffect;
        else if (op == "-") good = v < -kEffect;
        else if (op == "~+") good = v <= kSlack;
        else if (op == "~-") good = v >= -kSlack;
        else if (op == ">") good = v > 2.0;
        else if (op == "<") good = v < -2.0;
        else ADD_FAILURE() << "bad effect " << e;
        if (!good) {
          ok = false;
          why << " " << e << "[img" << i << ": " << v << "]";
        }
      }
    }
    ++checks;
    if (ok) ++passed;
    else failures << "  \"" << c.prompt << "\" expected " << c.effects << ":" << why.str() << "\n";
  }
  for (const Relation& r : kRelations) {
    const auto da = deltas(r.a), db = deltas(r.b);
    bool ok = true;
    std::ostringstream why;
    for (size_t i = 0; i < da.size(); ++i) {
      const double x = da[i].at(r.stat), y = db[i].at(r.stat);
      if (!(x > y + kEffect)) {
        ok = false;
        why << " [img" << i << ": " << x << " vs " << y << "]";
      }
    }
    ++checks;
    if (ok) ++passed;
    else failures << "  \"" << r.a << "\" " << r.stat << " > \"" << r.b << "\":" << why.str() << "\n";
  }
  for (const auto& o : orderings()) {
    std::vector<double> means;
    for (const char* p : o.prompts) {
      double m = 0;
      for (const auto& d : deltas(p)) m += d.at(o.stat);
      means.push_back(m / 3.0);
    }
    bool ok = true;
    for (size_t k = 1; k < means.size(); ++k) ok = ok && means[k] > means[k - 1] + 0.05;
    ++checks;
    if (ok) {
      ++passed;
    } else {
      failures << "  order on " << o.stat << ":";
      for (size_t k = 0; k < means.size(); ++k) failures << " \"" << o.prompts[k] << "\"=" << means[k];
      failures << "\n";
    }
  }
  const double rate = double(passed) / double(checks);
  std::printf("directional suite: %d/%d checks pass (%.1f%%)\n", passed, checks, 100.0 * rate);
  if (passed < checks) std::printf("failures:\n%s", failures.str().c_str());
  EXPECT_GE(checks, 150);
  EXPECT_GE(rate, 0.95) << failures.str();
}

}  // namespace
}  // namespace autograde
