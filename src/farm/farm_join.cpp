// The farm's join (farm_job.hpp): every segment checked against its task's record, then the
// packets copied into the output with the audio and metadata a local render carries.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/farm/farm_job.hpp"
#include "autograde/media/video_reader.hpp"
#include "autograde/media/video_writer.hpp"
#include "autograde/pipeline/render.hpp"

namespace fs = std::filesystem;

namespace autograde {

FarmJoinOutcome join_farm_job(const std::string& dir) {
  const FarmJob job = read_farm_job(dir);
  FarmJoinOutcome out;
  std::vector<FarmTaskStatus> status;
  for (size_t t = 0; t < job.tasks.size(); ++t) {
    status.push_back(read_farm_task_status(job, t));
    if (!status.back().done) out.missing.push_back(int(t));
  }
  if (!out.missing.empty()) return out;

  std::vector<std::string> segments;
  for (size_t t = 0; t < job.tasks.size(); ++t) {
    const std::string seg = farm_segment_path(job, t);
    const FarmTaskRange& r = job.tasks[t];
    const FarmTaskStatus& s = status[t];
    const std::string who = fmt::format("farm task {} (frames {}-{}, segment {})", t, r.first,
                                        r.last, seg);
    std::error_code ec;
    if (!fs::is_regular_file(seg, ec))
      throw_bad_input(who, "its segment is missing, though its record says it finished");
    if (s.frames != r.last - r.first + 1)
      throw_bad_input(who, fmt::format("its record says {} frames, its range holds {}", s.frames,
                                       r.last - r.first + 1));
    const uint64_t bytes = fs::file_size(seg, ec);
    if (bytes != s.bytes)
      throw_bad_input(who, fmt::format("its segment has {} bytes, its task wrote {}", bytes,
                                       s.bytes));
    if (const std::string sum = file_checksum(seg); sum != s.checksum)
      throw_bad_input(who, fmt::format("its segment's checksum is {}, its task wrote {}: the file "
                                       "changed after it was written",
                                       sum, s.checksum));
    if (const int64_t n = video_segment_frames(seg); n != s.frames)
      throw_bad_input(who, fmt::format("its segment decodes to {} frames, not {}", n, s.frames));
    segments.push_back(seg);
  }

  const GradePlan plan = read_plan((fs::path(job.dir) / "plan.json").string());
  VideoWriteOptions wo = write_options(plan.encode);
  wo.video_segments = segments;
  const VideoStreamInfo info = VideoReader(plan.input_path, VideoReadOptions{}).info();
  VideoWriter writer(job.output, info, wo);
  writer.finish();
  out.frames = writer.frames_written();
  out.warnings = writer.warnings();
  if (out.frames != job.frames)
    throw_internal(fmt::format("the join wrote {} frames of {}", out.frames, job.frames));
  // The segments are the bulk of the job; the small records stay for `farm status`.
  for (const std::string& seg : segments) fs::remove(seg);
  write_farm_result(job, true, out.frames, "", out.warnings);
  return out;
}

}  // namespace autograde
