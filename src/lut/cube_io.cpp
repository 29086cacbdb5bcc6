#include "autograde/lut/cube_io.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <vector>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"

namespace autograde {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// A token as it may be shown in an error message: short, printable.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 32 && u < 127) {
      out += c;
    } else {
      out += fmt::format("\\x{:02x}", u);
    }
  }
  if (s.size() > 40) out += "...";
  return out;
}

std::vector<std::string_view> split_ws(std::string_view line) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    if (i > start) tokens.push_back(line.substr(start, i - start));
  }
  return tokens;
}

class CubeParser {
 public:
  CubeParser(std::string_view text, const std::string& name) : text_(text), name_(name) {}

  LutFile parse() {
    if (text_.find('\0') != std::string_view::npos)
      throw_bad_input(name_, "binary data (NUL byte) in a .cube file");
    size_t pos = 0;
    while (pos <= text_.size()) {
      size_t end = text_.find_first_of("\n\r", pos);
      if (end == std::string_view::npos) end = text_.size();
      ++line_no_;
      parse_line(text_.substr(pos, end - pos));
      if (end == text_.size()) break;
      // CRLF counts as one line break; a lone CR (classic Mac) as one too.
      pos = end + 1;
      if (text_[end] == '\r' && pos < text_.size() && text_[pos] == '\n') ++pos;
    }
    return finish();
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw_bad_input(name_, line_no_, what); }

  float number(std::string_view tok) const {
    if (!tok.empty() && tok.front() == '+') tok.remove_prefix(1);
    float v = 0.f;
    auto [ptr, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
    if (ec == std::errc::result_out_of_range) fail("number out of range: '" + printable(tok) + "'");
    if (ec != std::errc() || ptr != tok.data() + tok.size())
      fail("expected a number, found '" + printable(tok) + "'");
    if (!std::isfinite(v)) fail("NaN or infinity is not a valid LUT value");
    return v;
  }

  int size_value(const std::vector<std::string_view>& t, int lo, int hi) const {
    if (t.size() != 2) fail(std::string(t[0]) + " takes one integer");
    int v = 0;
    auto [ptr, ec] = std::from_chars(t[1].data(), t[1].data() + t[1].size(), v);
    if (ec != std::errc() || ptr != t[1].data() + t[1].size())
      fail(std::string(t[0]) + " expects an integer, found '" + printable(t[1]) + "'");
    if (v < lo || v > hi)
      fail(fmt::format("{} {} is outside the supported range {}..{}", t[0], v, lo, hi));
    return v;
  }

  void header_only(std::string_view keyword) const {
    if (data_started_) fail(std::string(keyword) + " after the table data began");
  }

  void parse_line(std::string_view line) {
    auto tokens = split_ws(line);
    if (tokens.empty() || tokens[0].front() == '#') return;
    const std::string_view key = tokens[0];
    const char c0 = key.front();
    const bool numeric = (c0 >= '0' && c0 <= '9') || c0 == '-' || c0 == '+' || c0 == '.';
    if (numeric) {
      data_row(tokens);
      return;
    }
    header_only(key);
    if (key == "TITLE") {
      if (has_title_) fail("TITLE given twice");
      has_title_ = true;
      size_t q1 = line.find('"');
      size_t q2 = q1 == std::string_view::npos ? q1 : line.find('"', q1 + 1);
      if (q1 != std::string_view::npos && q2 == std::string_view::npos)
        fail("TITLE has an opening quote but no closing one");
      if (q1 != std::string_view::npos) {
        title_ = std::string(line.substr(q1 + 1, q2 - q1 - 1));
      } else {  // unquoted titles occur in the wild; keep the rest of the line
        size_t start = line.find("TITLE") + 5;
        auto rest = split_ws(line.substr(start));
        for (size_t i = 0; i < rest.size(); ++i) title_ += (i ? " " : "") + std::string(rest[i]);
      }
    } else if (key == "LUT_1D_SIZE") {
      if (size1d_) fail("LUT_1D_SIZE given twice");
      size1d_ = size_value(tokens, kMinLut1DSize, kMaxLut1DSize);
    } else if (key == "LUT_3D_SIZE") {
      if (size3d_) fail("LUT_3D_SIZE given twice");
      size3d_ = size_value(tokens, kMinLut3DSize, kMaxLut3DSize);
    } else if (key == "DOMAIN_MIN" || key == "DOMAIN_MAX") {
      if (tokens.size() != 4) fail(std::string(key) + " takes three numbers");
      Rgb v{number(tokens[1]), number(tokens[2]), number(tokens[3])};
      (key == "DOMAIN_MIN" ? domain_min_ : domain_max_) = v;
      (key == "DOMAIN_MIN" ? has_dmin_ : has_dmax_) = true;
    } else if (key == "LUT_1D_INPUT_RANGE" || key == "LUT_3D_INPUT_RANGE") {
      if (tokens.size() != 3) fail(std::string(key) + " takes two numbers (min max)");
      float lo = number(tokens[1]), hi = number(tokens[2]);
      Range& r = key == "LUT_1D_INPUT_RANGE" ? range1d_ : range3d_;
      r = {true, lo, hi};
    } else {
      fail("unknown keyword '" + printable(key) + "'");
    }
  }

  void data_row(const std::vector<std::string_view>& tokens) {
    if (!size1d_ && !size3d_) fail("table data before LUT_1D_SIZE or LUT_3D_SIZE");
    if (tokens.size() != 3)
      fail(fmt::format("expected 3 numbers per table row, found {}", tokens.size()));
    const size_t expected = expected_rows();
    if (rows_ >= expected)
      fail(fmt::format("more table rows than the declared size allows ({})", expected));
    data_started_ = true;
    for (const auto& t : tokens) values_.push_back(number(t));
    ++rows_;
  }

  size_t expected_rows() const {
    size_t n3 = size_t(size3d_);
    return size_t(size1d_) + n3 * n3 * n3;
  }

  LutFile finish() {
    if (!size1d_ && !size3d_) fail("no LUT_1D_SIZE or LUT_3D_SIZE: not a .cube LUT");
    if (rows_ != expected_rows())
      throw_bad_input(name_, line_no_,
                      fmt::format("truncated table: {} rows, expected {}", rows_, expected_rows()));
    LutFile out;
    out.title = title_;
    auto domain_error = [&](const Rgb& lo, const Rgb& hi) {
      for (int c = 0; c < 3; ++c)
        if (!(lo[c] < hi[c])) throw_bad_input(name_, "domain minimum must be below maximum");
    };
    size_t offset = 0;
    if (size1d_) {
      Lut1D s;
      s.size = size1d_;
      s.table.assign(values_.begin(), values_.begin() + size_t(size1d_) * 3);
      offset = s.table.size();
      if (range1d_.set) s.domain_min.fill(range1d_.lo), s.domain_max.fill(range1d_.hi);
      out.shaper = std::move(s);
    }
    if (size3d_) {
      Lut3D c;
      c.size = size3d_;
      c.table.assign(values_.begin() + offset, values_.end());
      if (range3d_.set) c.domain_min.fill(range3d_.lo), c.domain_max.fill(range3d_.hi);
      out.cube = std::move(c);
    }
    // DOMAIN_MIN/MAX (Adobe) describe the input of the file, i.e. of its first table.
    if (has_dmin_ || has_dmax_) {
      auto& dmin = out.shaper ? out.shaper->domain_min : out.cube->domain_min;
      auto& dmax = out.shaper ? out.shaper->domain_max : out.cube->domain_max;
      if (has_dmin_) dmin = domain_min_;
      if (has_dmax_) dmax = domain_max_;
    }
    if (out.shaper) domain_error(out.shaper->domain_min, out.shaper->domain_max);
    if (out.cube) domain_error(out.cube->domain_min, out.cube->domain_max);
    return out;
  }

  struct Range {
    bool set = false;
    float lo = 0.f, hi = 1.f;
  };

  std::string_view text_;
  const std::string& name_;
  int line_no_ = 0;
  std::string title_;
  bool has_title_ = false;
  int size1d_ = 0, size3d_ = 0;
  Rgb domain_min_{0, 0, 0}, domain_max_{1, 1, 1};
  bool has_dmin_ = false, has_dmax_ = false;
  Range range1d_, range3d_;
  bool data_started_ = false;
  size_t rows_ = 0;
  std::vector<float> values_;
};

void append_rows(std::string& out, const std::vector<float>& table) {
  auto it = std::back_inserter(out);
  for (size_t i = 0; i + 2 < table.size(); i += 3)
    fmt::format_to(it, "{:.8f} {:.8f} {:.8f}\n", table[i], table[i + 1], table[i + 2]);
}

// A domain bound as the rows are written (8 decimals) when that reads back as the same float,
// else with 9 significant digits: 8 decimals would turn a tiny domain such as 0..1e-12 into
// 0..0, which no reader accepts (found by fuzz_cube).
std::string domain_number(float v) {
  std::string s = fmt::format("{:.8f}", v);
  float back = 0.f;
  std::from_chars(s.data(), s.data() + s.size(), back);
  return back == v ? s : fmt::format("{:.9g}", v);
}

bool is_default(const Rgb& lo, const Rgb& hi) {
  return lo == Rgb{0.f, 0.f, 0.f} && hi == Rgb{1.f, 1.f, 1.f};
}

bool is_uniform(const Rgb& v) { return v[0] == v[1] && v[1] == v[2]; }

}  // namespace

LutFile parse_cube(std::string_view text, const std::string& source_name) {
  return CubeParser(text, source_name).parse();
}

LutFile read_cube(const std::string& path) {
  return parse_cube(read_file(path, input_limits::kLutBytes, "LUT"), path);
}

std::string format_cube(const LutFile& lut) {
  if (!lut.cube && !lut.shaper) throw_internal("format_cube: empty LutFile");
  std::string out;
  out.reserve(lut.cube ? lut.cube->table.size() * 12 + 256 : 4096);
  // OCIO 2.1's Resolve-cube reader (the only one that takes a shaper) rejects TITLE, so a
  // file with a shaper carries its title as a comment.
  std::string title;
  for (char c : lut.title)
    if (c != '"' && c != '\n' && c != '\r') title += c;
  if (!title.empty()) out += (lut.shaper && lut.cube ? "# TITLE \"" : "TITLE \"") + title + "\"\n";
  out += "# written by autograde\n";
  if (lut.shaper && lut.cube) {
    // Resolve form: per-table input ranges (uniform across channels only).
    const auto& s = *lut.shaper;
    const auto& c = *lut.cube;
    if (!is_uniform(s.domain_min) || !is_uniform(s.domain_max) || !is_uniform(c.domain_min) ||
        !is_uniform(c.domain_max))
      throw_internal("a .cube with a shaper cannot hold per-channel domains");
    out += fmt::format("LUT_1D_SIZE {}\nLUT_3D_SIZE {}\n", s.size, c.size);
    if (!is_default(s.domain_min, s.domain_max))
      out += fmt::format("LUT_1D_INPUT_RANGE {} {}\n", domain_number(s.domain_min[0]),
                         domain_number(s.domain_max[0]));
    if (!is_default(c.domain_min, c.domain_max))
      out += fmt::format("LUT_3D_INPUT_RANGE {} {}\n", domain_number(c.domain_min[0]),
                         domain_number(c.domain_max[0]));
    append_rows(out, s.table);
    append_rows(out, c.table);
    return out;
  }
  const Rgb& lo = lut.cube ? lut.cube->domain_min : lut.shaper->domain_min;
  const Rgb& hi = lut.cube ? lut.cube->domain_max : lut.shaper->domain_max;
  out += lut.cube ? fmt::format("LUT_3D_SIZE {}\n", lut.cube->size)
                  : fmt::format("LUT_1D_SIZE {}\n", lut.shaper->size);
  if (!is_default(lo, hi)) {
    out += fmt::format("DOMAIN_MIN {} {} {}\n", domain_number(lo[0]), domain_number(lo[1]),
                       domain_number(lo[2]));
    out += fmt::format("DOMAIN_MAX {} {} {}\n", domain_number(hi[0]), domain_number(hi[1]),
                       domain_number(hi[2]));
  }
  append_rows(out, lut.cube ? lut.cube->table : lut.shaper->table);
  return out;
}

void write_cube(const LutFile& lut, const std::string& path) {
  if (lut.cube) validate(*lut.cube, path);
  if (lut.shaper) validate(*lut.shaper, path);
  write_file_atomic(path, format_cube(lut));
}

void write_cube(const Lut3D& lut, const std::string& path, const std::string& title) {
  LutFile f;
  f.title = title;
  f.cube = lut;
  write_cube(f, path);
}

}  // namespace autograde
