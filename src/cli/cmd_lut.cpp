// `autograde lut`: a LUT from a reference still (matching) or from a before/after pair
// (extraction). Thin: parse, call src/look, write the LUT (format by extension), print.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "autograde/core/error.hpp"
#include "autograde/core/files.hpp"
#include "autograde/look/extract.hpp"
#include "autograde/look/look.hpp"
#include "autograde/look/look_fit.hpp"
#include "autograde/look/prompt.hpp"
#include "autograde/lut/interpolate.hpp"
#include "autograde/lut/lut_write.hpp"
#include "autograde/media/image_io.hpp"
#include "autograde/pipeline/shot_look.hpp"
#include "commands.hpp"

namespace autograde::cli {

namespace {

Runner add_lut(CLI::App& app, const GlobalOptions& global) {
  auto* sub = app.add_subcommand("lut", "Make a LUT from a reference still or a before/after pair");
  struct Opts {
    std::string ref, out, method, prompt;  // method empty: resolve_look_method
    std::vector<std::string> before, after;  // before/after pairs, in order
    std::vector<std::string> sources;
    float strength = 1.f, transfer = 0.f;
    int size = 33;
    bool explain = false, json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* ref = sub->add_option("--ref", o->ref, "reference still whose grade to match");
  // A clean place for `--prompt TEXT` (text → Look deltas) to join: it produces a Look that is
  // combined with the matched one via autograde::add() before baking.
  auto* prompt = sub->add_option(
      "--prompt", o->prompt,
      "text prompt (\"warm nostalgic summer evening\"); with --ref it edits the matched Look");
  auto* before = sub->add_option(
      "--before", o->before,
      "ungraded still of a before/after pair (repeatable: several pairs graded alike)");
  auto* after = sub->add_option("--after", o->after,
                                "graded still of the same framing (one per --before, in order)");
  sub->add_option("--source", o->sources,
                  "the user's footage still(s) to grade (optional, repeatable)");
  sub->add_option("-o,--output", o->out,
                  "output LUT (never an input); the extension picks the format:\n" +
                      lut_output_formats_help())
      ->required();
  std::vector<std::string> methods;
  for (const LookMethod& m : look_methods()) methods.push_back(m.name);
  sub->add_option("--method", o->method, "matching method: " + look_method_help())
      ->check(CLI::IsMember(methods));
  sub->add_option("--strength", o->strength, "0..1 mix with identity")->check(CLI::Range(0.f, 1.f));
  sub->add_option("--transfer", o->transfer,
                  "auto's dial (picks auto when --method is not given): 0..1, how much of the reference's own palette and tone to take: 0 only the grade "
                  "separated from its content (default), 1 its whole colour distribution (above 0 needs --source)")
      ->check(CLI::Range(0.f, 1.f));
  sub->add_option("--size", o->size, "LUT size per axis")->check(CLI::Range(2, 129));
  sub->add_flag("--explain", o->explain, "print the fitted Look parameters");
  sub->add_flag("--json", o->json, "print the result (method, confidence, Look) as JSON on stdout");
  before->needs(after);
  after->needs(before);
  ref->excludes(before);
  ref->excludes(after);
  prompt->excludes(before);
  prompt->excludes(after);
  return [o, &global] {
    if (o->ref.empty() && o->before.empty() && o->prompt.empty())
      throw_usage("give --ref IMG, --prompt TEXT (or both), or --before A --after B");
    check_lut_output_path(o->out);  // before any work: an unknown extension is refused at once
    // Prompt → Look delta (issue 6); nothing understood is a usage error naming the words.
    PromptLook prompt;
    const PromptExplanation& pex = prompt.explanation;
    if (!o->prompt.empty()) {
      prompt = read_prompt(o->prompt);
      if (pex.terms.empty())
        throw_usage("no word of the prompt was understood" +
                    (pex.unknown.empty() ? std::string() : ": " + pex.unknown.front()));
      for (const auto& u : pex.unknown) fmt::print(stderr, "warning: not understood: {}\n", u);
      for (const auto& c : pex.contradictions) fmt::print(stderr, "warning: {}\n", c);
      if (o->explain) fmt::print("{}", format_explanation(pex));
    }
    if (!o->ref.empty()) refuse_overwrite_input(o->ref, o->out);
    for (const auto& in : o->before) refuse_overwrite_input(in, o->out);
    for (const auto& in : o->after) refuse_overwrite_input(in, o->out);
    for (const auto& in : o->sources) refuse_overwrite_input(in, o->out);

    nlohmann::json report;
    if (!o->before.empty()) {
      if (o->before.size() != o->after.size())
        throw_usage(
            fmt::format("{} --before still(s) but {} --after still(s); give one --after "
                        "per --before, in the same order",
                        o->before.size(), o->after.size()));
      std::vector<ImageF> a, b;
      for (const auto& f : o->before) a.push_back(read_image(f).image);
      for (const auto& f : o->after) b.push_back(read_image(f).image);
      ExtractOptions eo;
      eo.lut_size = o->size;
      ExtractReport rep;
      Lut3D lut = extract_lut(a, b, eo, &rep, o->before, o->after);
      if (o->strength < 1.f) lut = mix_with_identity(lut, o->strength);
      write_lut(lut, o->out);
      report = {{"mode", "extract"},
                {"fit_rms", rep.fit_rms},
                {"samples", rep.samples},
                {"coverage", rep.coverage},
                {"bending", rep.bending}};
      if (o->explain)
        fmt::print(
            "extracted from {} -> {}: {} distinct colours, fit RMS {:.4f} (code values), lattice "
            "coverage {:.0f}%, "
            "thin-plate bending {:.3g} (chosen by cross-validation unless given)\n",
            fmt::join(o->before, ", "), fmt::join(o->after, ", "), rep.samples, rep.fit_rms,
            100.f * rep.coverage, rep.bending);
      if (o->explain || o->json) {
        // The written LUT is the extraction; this is its reading as an editable Look (what a
        // colourist would dial in), with how much of the pair it explains.
        const LookPairFit lf = fit_look_to_images(a, b);
        report["look"] = to_json(lf.look);
        report["look_rms"] = lf.rms;
        if (o->explain)
          fmt::print(
              "as a Look (explains the pair to RMS {:.4f}; the LUT written is the extraction):\n{}",
              lf.rms, describe(lf.look));
      }
    } else {
      ImageF reference;
      if (!o->ref.empty()) reference = read_image(o->ref).image;
      std::vector<ImageF> sources;
      for (const auto& s : o->sources) sources.push_back(read_image(s).image);
      LookRequest q;
      q.reference = o->ref.empty() ? nullptr : &reference;
      q.reference_name = o->ref;
      q.sources = sources;
      q.prompt = o->prompt.empty() ? nullptr : &prompt;
      q.method = o->method;
      q.strength = o->strength;
      q.transfer = o->transfer;
      q.lut_size = o->size;
      const FoundLook r = find_look(q);
      write_lut(bake_look(r.look, o->size), o->out);
      if (o->ref.empty()) {
        report = {{"mode", "prompt"}, {"look", to_json(r.look)}};
      } else {
        report = {{"mode", "match"},
                  {"method", r.method},
                  {"confidence", r.confidence},
                  {"transfer", o->transfer},
                  {"notes", r.notes}};
        if (r.parametric) report["look"] = to_json(r.look);
        if (o->explain) {
          fmt::print("method: {}  confidence: {:.2f}\n", r.method, r.confidence);
          if (r.parametric) fmt::print("look:\n{}", describe(r.look));
          for (const auto& n : r.notes) fmt::print("note: {}\n", n);
        }
      }
    }
    if (o->json) fmt::print("{}\n", report.dump(2));
    if (!global.quiet) fmt::print(stderr, "wrote {}\n", o->out);
  };
}

}  // namespace

AUTOGRADE_COMMAND(30, add_lut);

}  // namespace autograde::cli
