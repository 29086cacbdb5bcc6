#include "autograde/analysis/shot_export.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "autograde/analysis/timecode.hpp"
#include "autograde/core/error.hpp"

namespace autograde {

namespace {

struct Clock {
  TimecodeRate rate;
  int64_t start = 0;
  std::string at(int64_t frame) const { return format_timecode(start + frame, rate); }
};

Clock clock_for(const ShotList& s, const ShotExportContext& ctx) {
  Clock c;
  c.rate = timecode_rate(s.fps, ctx.start_timecode.find_first_of(";.,") != std::string::npos);
  if (!ctx.start_timecode.empty())
    c.start = std::max<int64_t>(0, parse_timecode(ctx.start_timecode, c.rate));
  return c;
}

}  // namespace

std::string shots_to_csv(const ShotList& s, const ShotExportContext& ctx) {
  Clock c = clock_for(s, ctx);
  std::string out =
      "shot,first_frame,last_frame,frames,start_time,end_time,start_timecode,end_timecode,starts_"
      "with,score,"
      "mean_L,mean_a,mean_b\n";
  for (const Shot& sh : s.shots)
    out += fmt::format("{},{},{},{},{:.4f},{:.4f},{},{},{},{:.4f},{:.2f},{:.2f},{:.2f}\n",
                       sh.index, sh.first_frame, sh.last_frame, sh.frame_count(), sh.start_time,
                       sh.end_time, c.at(sh.first_frame), c.at(sh.last_frame + 1),
                       boundary_kind_name(sh.starts_with), sh.boundary_score, sh.stats.mean_lab[0],
                       sh.stats.mean_lab[1], sh.stats.mean_lab[2]);
  return out;
}

std::string shots_to_json(const ShotList& s, const ShotExportContext& ctx) {
  Clock c = clock_for(s, ctx);
  nlohmann::json j;
  j["file"] = ctx.source_path;
  j["fps"] = s.fps;
  j["frame_count"] = s.frame_count;
  j["start_timecode"] = c.at(0);
  j["shots"] = nlohmann::json::array();
  for (const Shot& sh : s.shots) {
    j["shots"].push_back({{"index", sh.index},
                          {"first_frame", sh.first_frame},
                          {"last_frame", sh.last_frame},
                          {"start_time", sh.start_time},
                          {"end_time", sh.end_time},
                          {"start_timecode", c.at(sh.first_frame)},
                          {"end_timecode", c.at(sh.last_frame + 1)},
                          {"starts_with", boundary_kind_name(sh.starts_with)},
                          {"score", sh.boundary_score},
                          {"sample_frames", sh.sample_frames},
                          {"stats",
                           {{"mean_lab", sh.stats.mean_lab},
                            {"l_p05", sh.stats.l_p05},
                            {"l_p95", sh.stats.l_p95},
                            {"mean_chroma", sh.stats.mean_chroma},
                            {"luma_p01", sh.stats.luma_p01},
                            {"luma_p99", sh.stats.luma_p99},
                            {"l_stddev_over_time", sh.stats.l_stddev_over_time}}}});
  }
  j["transitions"] = nlohmann::json::array();
  for (const Transition& t : s.transitions)
    j["transitions"].push_back({{"kind", boundary_kind_name(t.kind)},
                                {"first_frame", t.first_frame},
                                {"last_frame", t.last_frame},
                                {"boundary_frame", t.boundary_frame}});
  j["flashes"] = s.flashes;
  return j.dump(2) + "\n";
}

namespace {

std::string edl(const ShotList& s, const ShotExportContext& ctx,
                const std::vector<EdlLook>* looks) {
  Clock src = clock_for(s, ctx);
  Clock rec{src.rate, 0};
  std::string name = std::filesystem::path(ctx.source_path).filename().string();
  std::string out = fmt::format("TITLE: {}\nFCM: {}\n\n", name.empty() ? "autograde scenes" : name,
                                src.rate.drop ? "DROP FRAME" : "NON-DROP FRAME");
  for (const Shot& sh : s.shots) {
    // Event, reel (AX = auxiliary source), track V, transition C (cut), source in/out, record
    // in/out.
    out += fmt::format("{:03}  AX       V     C        {} {} {} {}\n", sh.index + 1,
                       src.at(sh.first_frame), src.at(sh.last_frame + 1), rec.at(sh.first_frame),
                       rec.at(sh.last_frame + 1));
    out += fmt::format("* FROM CLIP NAME: {}\n", name);
    if (sh.starts_with == BoundaryKind::Fade)
      for (const Transition& t : s.transitions)
        if (t.boundary_frame == sh.first_frame)
          out += fmt::format("* TRANSITION: FADE FROM {} TO {}\n", src.at(t.first_frame),
                             src.at(t.last_frame + 1));
    if (looks) {
      // By position, like the event numbers' order: looks[i] belongs to shots[i].
      const EdlLook& look = (*looks)[size_t(&sh - s.shots.data())];
      out += edl_asc_lines(look.cdl);
      if (!look.lut_file.empty()) out += fmt::format("*LUT: {}\n", look.lut_file);
    }
    out += "\n";
  }
  return out;
}

}  // namespace

std::string shots_to_edl(const ShotList& s, const ShotExportContext& ctx) {
  return edl(s, ctx, nullptr);
}

std::string shots_to_edl(const ShotList& s, const ShotExportContext& ctx,
                         const std::vector<EdlLook>& looks) {
  if (looks.size() != s.shots.size())
    throw_usage(fmt::format("EDL with looks: {} looks for {} shots; give one look per shot",
                            looks.size(), s.shots.size()));
  for (size_t i = 0; i < looks.size(); ++i) {
    if (looks[i].lut_file.find_first_of("\r\n") != std::string::npos)
      throw_usage(
          fmt::format("EDL with looks: the LUT file name of shot {} (event {:03}) holds a line break", i, i + 1));
    validate(looks[i].cdl, fmt::format("CDL of shot {} (event {:03})", i, i + 1));
  }
  return edl(s, ctx, &looks);
}

}  // namespace autograde
