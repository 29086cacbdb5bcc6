#include "autograde/pipeline/continuity.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "autograde/analysis/color_histogram.hpp"
#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"

namespace autograde {

namespace {

ColorHistogram mean_histogram(const std::vector<ImageF>& frames) {
  ColorHistogram m;
  for (const auto& f : frames) {
    const ColorHistogram h = compute_color_histogram(f);
    for (size_t i = 0; i < m.color.size(); ++i) m.color[i] += h.color[i] / float(frames.size());
    for (size_t i = 0; i < m.regions.size(); ++i)
      m.regions[i] += h.regions[i] / float(frames.size());
  }
  return m;
}

std::vector<Rgb> subsample(const std::vector<ImageF>& frames, int max_pixels) {
  size_t total = 0;
  for (const auto& f : frames) total += f.pixel_count();
  const size_t step = std::max<size_t>(1, total / size_t(std::max(1, max_pixels)));
  std::vector<Rgb> px;
  size_t k = 0;
  for (const auto& f : frames)
    for (size_t i = 0; i < f.pixel_count(); ++i, ++k)
      if (k % step == 0) {
        const float* p = f.pixels.data() + i * f.channels;
        px.push_back({p[0], p[1], p[2]});
      }
  return px;
}

// Mean CIE L*a*b* of the graded pixels (display code values decoded with the sRGB curve).
Eigen::Vector3d graded_mean_lab(const Look& look, const std::vector<Rgb>& px) {
  Eigen::Vector3d s = Eigen::Vector3d::Zero();
  for (const Rgb& p : px) {
    const Vec3 lab = srgb_to_lab(apply_look(look, p));
    s += Eigen::Vector3d(lab[0], lab[1], lab[2]);
  }
  return px.empty() ? s : Eigen::Vector3d(s / double(px.size()));
}

// The least chromatic `fraction` of the pixels (by the input's CIE C*ab): the near-neutral
// surfaces a colourist balances shots on, so a shot whose *content* is bluer (a blue screen,
// a sky) is not pushed warm to match a street's mean colour.
std::vector<Rgb> near_neutral(const std::vector<Rgb>& px, double fraction) {
  std::vector<std::pair<float, size_t>> c;
  for (size_t i = 0; i < px.size(); ++i) {
    const Vec3 lab = srgb_to_lab({px[i][0], px[i][1], px[i][2]});
    c.push_back({std::hypot(lab[1], lab[2]), i});
  }
  const size_t keep = std::max<size_t>(1, size_t(double(px.size()) * fraction));
  std::nth_element(c.begin(), c.begin() + std::ptrdiff_t(std::min(keep, c.size()) - 1), c.end());
  std::vector<Rgb> out;
  for (size_t k = 0; k < std::min(keep, c.size()); ++k) out.push_back(px[c[k].second]);
  return out;
}

Look with_balance(const Look& look, double temperature, double tint) {
  Look delta = identity_look();
  delta.temperature = float(temperature);
  delta.tint = float(tint);
  return add(look, delta);
}

double spread(const std::vector<Eigen::Vector3d>& means, const std::vector<int>& members, int a,
              int b) {
  if (members.size() < 2) return 0.0;
  double ca = 0, cb = 0;
  for (int m : members) ca += means[size_t(m)][a], cb += b >= 0 ? means[size_t(m)][b] : 0.0;
  ca /= double(members.size()), cb /= double(members.size());
  double s = 0;
  for (int m : members) {
    const double da = means[size_t(m)][a] - ca, db = b >= 0 ? means[size_t(m)][b] - cb : 0.0;
    s += da * da + db * db;
  }
  return std::sqrt(s / double(members.size()));
}

}  // namespace

std::vector<int> group_scenes(const std::vector<std::vector<ImageF>>& shot_frames,
                              double threshold) {
  const size_t n = shot_frames.size();
  std::vector<ColorHistogram> h;
  for (const auto& f : shot_frames) h.push_back(mean_histogram(f));
  std::vector<int> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](int x) {
    while (parent[size_t(x)] != x) x = parent[size_t(x)] = parent[size_t(parent[size_t(x)])];
    return x;
  };
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j)
      if (threshold >= 1.0 || color_distance(h[i], h[j]) < threshold)
        parent[size_t(find(int(j)))] = find(int(i));
  std::vector<int> scene(n, -1), label(n, -1);
  int next = 0;
  for (size_t i = 0; i < n; ++i) {
    const int r = find(int(i));
    if (label[size_t(r)] < 0) label[size_t(r)] = next++;
    scene[i] = label[size_t(r)];
  }
  return scene;
}

ContinuityResult match_continuity(std::vector<ContinuityShot>& shots,
                                  const ContinuityOptions& options) {
  if (options.target != "neutral" && options.target != "mean")
    throw_usage("continuity target must be 'neutral' or 'mean', got '" + options.target + "'");
  if (options.hero_shot >= int(shots.size()))
    throw_usage("--hero-shot " + std::to_string(options.hero_shot) + " is out of range: the clip has " +
                std::to_string(shots.size()) + " shots (0-based)");
  if (options.hero_shot >= 0 && shots[size_t(options.hero_shot)].excluded)
    throw_usage("--hero-shot " + std::to_string(options.hero_shot) +
                " is excluded: an ungraded shot cannot set its scene's look");
  std::vector<std::vector<ImageF>> frames;
  for (const auto& s : shots) frames.push_back(s.frames);
  const std::vector<int> scene = group_scenes(frames, options.scene_threshold);
  const size_t n = shots.size();
  std::vector<std::vector<Rgb>> px(n), neutral(n);
  std::vector<Eigen::Vector3d> input_mean(n), before(n), after(n), nbefore(n), nafter(n);
  std::vector<Look> base_look(n);
  std::vector<std::array<double, 2>> solved(n, {0.0, 0.0});
  for (size_t i = 0; i < n; ++i) {
    shots[i].scene = scene[i];
    px[i] = subsample(shots[i].frames, options.max_pixels_per_shot);
    neutral[i] = options.target == "mean" ? px[i] : near_neutral(px[i], options.neutral_fraction);
    base_look[i] = shots[i].look;
    input_mean[i] = graded_mean_lab(identity_look(), px[i]);
    before[i] = graded_mean_lab(shots[i].look, px[i]);
    after[i] = before[i];
    nbefore[i] = nafter[i] = graded_mean_lab(shots[i].look, neutral[i]);
  }
  const int scenes = n ? *std::max_element(scene.begin(), scene.end()) + 1 : 0;
  ContinuityResult out;
  out.scene_threshold = options.scene_threshold;
  out.target = options.target;
  out.neutral_fraction = options.target == "mean" ? 1.0 : options.neutral_fraction;
  out.shots.resize(n);
  for (int sc = 0; sc < scenes; ++sc) {
    // `members`: the scene's graded shots, which the hero, the match and the spreads are about;
    // its excluded shots only get their scene number.
    std::vector<int> members, excluded;
    for (size_t i = 0; i < n; ++i)
      if (scene[i] == sc) (shots[i].excluded ? excluded : members).push_back(int(i));
    for (int m : excluded) {
      out.shots[size_t(m)] = {sc, false, 0.0, 0.0, 0.0,
                              {before[size_t(m)][1], before[size_t(m)][2]},
                              {before[size_t(m)][1], before[size_t(m)][2]}, true};
    }
    if (members.empty()) {
      // Nothing graded to match: the scene is recorded with its first shot as a nominal hero.
      out.scenes.push_back({excluded, excluded.front(), false, 0, 0, 0, 0, 0, 0, 0});
      continue;
    }
    auto longer = [&](int a, int b) { return shots[size_t(a)].frame_count > shots[size_t(b)].frame_count; };
    int hero = members.front();
    for (int m : members)
      if (longer(m, hero)) hero = m;
    int locked_hero = -1;
    for (int m : members)
      if (shots[size_t(m)].locked && (locked_hero < 0 || longer(m, locked_hero))) locked_hero = m;
    if (locked_hero >= 0) hero = locked_hero;
    const bool chosen = std::find(members.begin(), members.end(), options.hero_shot) != members.end();
    if (chosen) hero = options.hero_shot;
    const Eigen::Vector2d target =
        graded_mean_lab(shots[size_t(hero)].look, neutral[size_t(hero)]).tail<2>();
    for (int m : members) {
      double t = 0, g = 0;
      if (m != hero && !shots[size_t(m)].locked && !neutral[size_t(m)].empty()) {
        const std::vector<Rgb>& solve_px = neutral[size_t(m)];
        const Look base = shots[size_t(m)].look;
        // Gauss-Newton on (temperature, tint) with a forward-difference Jacobian; a few steps
        // suffice because mean a*b* is close to linear in small white-balance gains.
        for (int it = 0; it < 6; ++it) {
          const Eigen::Vector2d f =
              graded_mean_lab(with_balance(base, t, g), solve_px).tail<2>() - target;
          if (f.norm() < 0.05) break;
          constexpr double h = 0.02;
          Eigen::Matrix2d J;
          J.col(0) =
              (graded_mean_lab(with_balance(base, t + h, g), solve_px).tail<2>() - target - f) / h;
          J.col(1) =
              (graded_mean_lab(with_balance(base, t, g + h), solve_px).tail<2>() - target - f) / h;
          if (std::abs(J.determinant()) < 1e-9) break;
          const Eigen::Vector2d step = J.colPivHouseholderQr().solve(-f);
          t = std::clamp(t + step[0], -1.0, 1.0);
          g = std::clamp(g + step[1], -1.0, 1.0);
        }
      }
      solved[size_t(m)] = {t, g};
    }
    // The balance is solved on each shot's near-neutral pixels; a shot whose neutrals and
    // content disagree (a warm prompt on a shot of sand) can then move away from the others
    // as a whole. Continuity exists to narrow the spread of the shots' mean colour, so when
    // the full corrections widen it, they are taken back a tenth at a time, each step on the
    // shot where that narrows the spread most, until it is no wider than without continuity
    // (at worst every correction is gone, which is the grade as it was). Each shot's mean at
    // each tenth is computed once.
    constexpr int kTenths = 10;
    std::vector<std::array<Eigen::Vector3d, kTenths + 1>> at(n);
    auto fraction_look = [&](int m, int k) {
      return with_balance(base_look[size_t(m)], k * solved[size_t(m)][0] / kTenths,
                          k * solved[size_t(m)][1] / kTenths);
    };
    std::vector<int> tenths(n, kTenths);
    for (int m : members) {
      if (shots[size_t(m)].locked) tenths[size_t(m)] = 0;  // nothing to take back
      if (m == hero || shots[size_t(m)].locked) continue;
      for (int k = 0; k <= kTenths; ++k)
        at[size_t(m)][size_t(k)] = graded_mean_lab(fraction_look(m, k), px[size_t(m)]);
      after[size_t(m)] = at[size_t(m)][kTenths];
    }
    const double limit = spread(before, members, 1, 2);
    while (spread(after, members, 1, 2) > limit) {
      int best_m = -1;
      double best = 0;
      for (int m : members) {
        if (m == hero || tenths[size_t(m)] == 0) continue;
        const Eigen::Vector3d keep = after[size_t(m)];
        after[size_t(m)] = at[size_t(m)][size_t(tenths[size_t(m)] - 1)];
        const double sp = spread(after, members, 1, 2);
        after[size_t(m)] = keep;
        if (best_m < 0 || sp < best) best_m = m, best = sp;
      }
      if (best_m < 0) break;  // every correction is gone: after == before
      --tenths[size_t(best_m)];
      after[size_t(best_m)] = at[size_t(best_m)][size_t(tenths[size_t(best_m)])];
    }
    std::vector<double> kept(n, 1.0);
    for (int m : members)
      if (shots[size_t(m)].locked) {
        kept[size_t(m)] = 0;
      } else if (m != hero) {
        kept[size_t(m)] = double(tenths[size_t(m)]) / kTenths;
        shots[size_t(m)].look = fraction_look(m, tenths[size_t(m)]);
      }
    for (int m : members) {
      nafter[size_t(m)] = graded_mean_lab(shots[size_t(m)].look, neutral[size_t(m)]);
      out.shots[size_t(m)] = {sc,
                              m == hero,
                              kept[size_t(m)] * solved[size_t(m)][0],
                              kept[size_t(m)] * solved[size_t(m)][1],
                              kept[size_t(m)],
                              {before[size_t(m)][1], before[size_t(m)][2]},
                              {after[size_t(m)][1], after[size_t(m)][2]},
                              shots[size_t(m)].locked};
    }
    std::vector<int> all = members;
    all.insert(all.end(), excluded.begin(), excluded.end());
    std::sort(all.begin(), all.end());
    out.scenes.push_back({all, hero, chosen, spread(input_mean, members, 1, 2),
                          spread(before, members, 1, 2), spread(after, members, 1, 2),
                          spread(nbefore, members, 1, 2), spread(nafter, members, 1, 2),
                          spread(before, members, 0, -1), spread(after, members, 0, -1)});
  }
  return out;
}

nlohmann::json to_json(const ContinuityScene& s) {
  return {{"shots", s.shots},
          {"hero", s.hero},
          {"hero_chosen", s.hero_chosen},
          {"ab_spread_input", s.ab_spread_input},
          {"ab_spread_before", s.ab_spread_before},
          {"ab_spread_after", s.ab_spread_after},
          {"solved_ab_spread_before", s.solved_ab_spread_before},
          {"solved_ab_spread_after", s.solved_ab_spread_after},
          {"l_spread_before", s.l_spread_before},
          {"l_spread_after", s.l_spread_after}};
}

nlohmann::json to_json(const ContinuityShotResult& s) {
  return {{"scene", s.scene},
          {"hero", s.hero},
          {"temperature", s.temperature},
          {"tint", s.tint},
          {"kept", s.kept},
          {"fixed", s.fixed},
          {"mean_ab_before", s.mean_ab_before},
          {"mean_ab_after", s.mean_ab_after}};
}

nlohmann::json continuity_plan_json(const ContinuityResult& r) {
  nlohmann::json scenes = nlohmann::json::array();
  for (const ContinuityScene& s : r.scenes) scenes.push_back(to_json(s));
  return {{"enabled", true},
          {"scene_threshold", r.scene_threshold},
          {"target", r.target},
          {"neutral_fraction", r.neutral_fraction},
          {"scenes", scenes}};
}

ContinuityResult continuity_from_plan_json(const nlohmann::json& j,
                                           const std::string& source_name) {
  ContinuityResult r;
  try {
    r.scene_threshold = j.at("scene_threshold").get<double>();
    r.target = j.at("target").get<std::string>();
    r.neutral_fraction = j.at("neutral_fraction").get<double>();
    // Shot numbers are JSON integers 0..2^31-1; a float is refused rather than converted
    // (converting one outside int's range is undefined behaviour).
    auto shot_number = [&](const nlohmann::json& v) {
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > INT32_MAX)
        throw_bad_input(source_name, "\"continuity\": shot numbers must be integers 0..2^31-1");
      return int(v.get<int64_t>());
    };
    for (const auto& s : j.at("scenes")) {
      std::vector<int> members;
      for (const auto& m : s.at("shots")) members.push_back(shot_number(m));
      r.scenes.push_back(
          {members, shot_number(s.at("hero")),
           s.value("hero_chosen", false),
           s.at("ab_spread_input").get<double>(), s.at("ab_spread_before").get<double>(),
           s.at("ab_spread_after").get<double>(), s.at("solved_ab_spread_before").get<double>(),
           s.at("solved_ab_spread_after").get<double>(), s.at("l_spread_before").get<double>(),
           s.at("l_spread_after").get<double>()});
    }
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(source_name, std::string("malformed \"continuity\": ") + e.what());
  }
  return r;
}

}  // namespace autograde
