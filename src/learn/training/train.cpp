// ag_train: trains the two shipped models of src/learn on the CPU with libtorch and writes
// them in the AGNN format (mlp.hpp) that the autograde binary runs without libtorch.
//
//   1. defect classifier: MLP on image_features, per-family 4-way softmax (analyzer.hpp),
//      cross-entropy summed over families.
//   2. LUT corrector: MLP on image_features regressing the signed defect amounts
//      (corrector.hpp); the LUT is their analytic inverse, shrunk by a garrote calibrated on
//      clean validation pictures.
//
// Everything is seeded: the source split, the synthetic defects, crops, weight init and batch
// order. Reproducible on one machine with the same thread count.
#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "autograde/color/color.hpp"
#include "autograde/core/error.hpp"
#include "autograde/learn/analyzer.hpp"
#include "autograde/learn/corrector.hpp"
#include "autograde/learn/features.hpp"
#include "autograde/learn/mlp.hpp"
#include "autograde/learn/models.hpp"
#include "autograde/training/corpus_split.hpp"
#include "autograde/training/dataset.hpp"

namespace ag = autograde;
namespace al = autograde::learn;

namespace {

struct DataSet {
  torch::Tensor features;  // N x F
  torch::Tensor labels;    // N x families (0 absent, 1..3 severity)
  torch::Tensor amounts;   // N x kAmountCount (signed severity units, defects.hpp)
  torch::Tensor clean;     // N x 3 x T (tile pixels)
  torch::Tensor detuned;   // N x 3 x T
};

// Share of samples with 0, 1, 2, 3 defects.
constexpr std::array<double, 4> kDefectMix{0.14, 0.46, 0.24, 0.16};

// Sources are drawn by group (a picture, or a clip with all its frames), so a clip with many
// frames does not swamp the pictures: a picture weighs 1, a clip sqrt(frames).
struct SourcePicker {
  std::vector<std::vector<size_t>> groups;
  std::vector<double> cumulative;
  explicit SourcePicker(const std::vector<al::SourceImage>& sources) {
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < sources.size(); ++i) {
      auto [it, fresh] = index.try_emplace(sources[i].group, groups.size());
      if (fresh) groups.emplace_back();
      groups[it->second].push_back(i);
    }
    double acc = 0;
    for (const auto& g : groups) cumulative.push_back(acc += std::sqrt(double(g.size())));
  }
  size_t pick(al::Rng& rng) const {
    const double u = rng.uniform() * cumulative.back();
    const size_t g =
        size_t(std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
    const auto& members = groups[std::min(g, groups.size() - 1)];
    return members[size_t(rng.below(int(members.size())))];
  }
};

DataSet make_dataset(const std::vector<al::SourceImage>& sources, int count, uint64_t seed,
                     double mosaic = 0.0) {
  const int T = al::kTileSide * al::kTileSide;
  al::Rng master(seed);
  const SourcePicker picker(sources);
  struct Plan {
    size_t source;
    size_t second;  // == source: a plain sample; else a mosaic with this source
    std::vector<al::Defect> defects;
    uint64_t seed;
  };
  std::vector<Plan> plans;
  for (int i = 0; i < count; ++i) {
    const double u = master.uniform();
    int n = 0;
    double acc = kDefectMix[0];
    while (n < 3 && u >= acc) acc += kDefectMix[size_t(++n)];
    const size_t src = picker.pick(master);
    size_t second = src;
    if (master.uniform() < mosaic)
      for (int tries = 0; tries < 8 && sources[second].group == sources[src].group; ++tries)
        second = picker.pick(master);
    plans.push_back({src, second, al::random_defects(master, n, 0.35f), master.next()});
  }
  DataSet d;
  d.features = torch::zeros({count, al::kFeatureCount});
  d.labels = torch::zeros({count, al::kFamilyCount}, torch::kLong);
  d.amounts = torch::zeros({count, al::kAmountCount});
  d.clean = torch::zeros({count, 3, T});
  d.detuned = torch::zeros({count, 3, T});
  auto fa = d.features.accessor<float, 2>();
  auto la = d.labels.accessor<int64_t, 2>();
  auto aa = d.amounts.accessor<float, 2>();
  auto ca = d.clean.accessor<float, 3>();
  auto da = d.detuned.accessor<float, 3>();
  tbb::parallel_for(0, count, [&](int i) {
    const Plan& p = plans[size_t(i)];
    al::Rng rng(p.seed);
    const al::Sample s =
        p.second == p.source
            ? al::make_sample(sources[p.source], p.defects, rng, true)
            : al::make_mosaic_sample(sources[p.source], sources[p.second], p.defects, rng);
    const auto f = al::thumbnail_features(s.detuned);
    for (int k = 0; k < al::kFeatureCount; ++k) fa[i][k] = f[size_t(k)];
    for (const auto& def : p.defects) la[i][int(def.family)] = def.severity;
    const al::DefectAmounts am = al::defect_amounts(p.defects);
    for (int k = 0; k < al::kAmountCount; ++k) aa[i][k] = am[size_t(k)];
    for (int t = 0; t < T; ++t)
      for (int c = 0; c < 3; ++c) {
        ca[i][c][t] = s.clean_tile.pixels[size_t(3 * t + c)];
        da[i][c][t] = s.detuned_tile.pixels[size_t(3 * t + c)];
      }
  });
  return d;
}

torch::nn::Sequential make_mlp(int in, int hidden, int out) {
  return torch::nn::Sequential(torch::nn::Linear(in, hidden), torch::nn::ReLU(),
                               torch::nn::Linear(hidden, hidden), torch::nn::ReLU(),
                               torch::nn::Linear(hidden, out));
}

al::Mlp export_mlp(torch::nn::Sequential& net, const std::string& task, const torch::Tensor& mean,
                   const torch::Tensor& std_dev) {
  al::Mlp m;
  m.task = task;
  auto to_vec = [](const torch::Tensor& t) {
    auto c = t.contiguous().to(torch::kFloat);
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  };
  m.input_mean = to_vec(mean);
  m.input_std = to_vec(std_dev);
  std::vector<std::shared_ptr<torch::nn::LinearImpl>> linears;
  for (auto& module : net->children())
    if (auto l = std::dynamic_pointer_cast<torch::nn::LinearImpl>(module)) linears.push_back(l);
  for (size_t i = 0; i < linears.size(); ++i) {
    al::DenseLayer d;
    d.in = int(linears[i]->weight.size(1));
    d.out = int(linears[i]->weight.size(0));
    d.activation = i + 1 < linears.size() ? al::Activation::Relu : al::Activation::Linear;
    d.weights = to_vec(linears[i]->weight.detach());
    d.bias = to_vec(linears[i]->bias.detach());
    m.layers.push_back(std::move(d));
  }
  m.meta["feature_version"] = al::kFeatureVersion;
  return m;
}

// The classifier's posterior-mean defect amounts (corrector.hpp classifier_amounts), N x 8.
torch::Tensor posterior_amounts(const torch::Tensor& logits) {
  auto p = torch::softmax(logits.view({logits.size(0), al::kFamilyCount, 4}), 2);
  auto e = p.select(2, 1) / 3.0 + p.select(2, 2) * (2.0 / 3.0) + p.select(2, 3);  // N x families
  auto dir = torch::zeros({al::kFamilyCount, al::kAmountCount});
  for (int f = 0; f < al::kFamilyCount; ++f) {
    const auto a = al::defect_amounts({al::make_defect(al::Family(f), 3)});
    for (int k = 0; k < al::kAmountCount; ++k) dir[f][k] = a[size_t(k)];
  }
  return torch::mm(e, dir);
}

// Per-family cross-entropy, summed over families, mean over the batch.
torch::Tensor classifier_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  auto z = logits.view({logits.size(0), al::kFamilyCount, 4});
  return torch::nn::functional::cross_entropy(z.reshape({-1, 4}), labels.reshape({-1})) *
         al::kFamilyCount;
}

// The presence thresholds the trainer chooses among (analyzer.hpp). None below 0.5: with
// temperature-calibrated probabilities, 0.5 is the decision that errs least when a missed
// defect and a false one cost alike; a higher one says "fine" more often (a false defect costs
// more: it may be corrected), a lower one was chosen on validation when offered (0.3: more
// recall, no clean sample called fine) and is not what "fine" should mean.
constexpr std::array<float, 7> kPresenceThresholds{0.5f, 0.6f, 0.7f, 0.8f, 0.85f, 0.9f, 0.95f};

struct ClassMetrics {
  double single_exact = 0, single_within = 0, multi_recall = 0, fine_correct = 0, loss = 0;
};

ClassMetrics classifier_metrics(torch::nn::Sequential& net, const DataSet& d,
                                const torch::Tensor& mean, const torch::Tensor& sd,
                                float presence_threshold = 0.5f) {
  torch::NoGradGuard ng;
  auto logits = net->forward((d.features - mean) / sd);
  ClassMetrics m;
  m.loss = classifier_loss(logits, d.labels).item<double>();
  auto lc = logits.contiguous();
  auto la = d.labels.accessor<int64_t, 2>();
  int singles = 0, multi_named = 0, multi_total = 0, fines = 0;
  for (int64_t i = 0; i < logits.size(0); ++i) {
    std::vector<float> z(lc[i].data_ptr<float>(), lc[i].data_ptr<float>() + 4 * al::kFamilyCount);
    const al::Analysis a = al::analysis_from_logits(z, presence_threshold);
    int present = 0;
    for (int f = 0; f < al::kFamilyCount; ++f) present += la[i][f] > 0;
    if (present == 0) {
      ++fines;
      m.fine_correct += a.fine();
    } else if (present == 1) {
      ++singles;
      // Top-ranked finding against the one true defect.
      if (!a.defects.empty()) {
        const auto& top = a.defects.front();
        const int truth = int(la[i][int(top.family)]);
        m.single_exact += truth == top.severity;
        m.single_within += truth > 0 && std::abs(truth - top.severity) <= 1;
      }
    } else {
      for (int f = 0; f < al::kFamilyCount; ++f) {
        if (la[i][f] == 0) continue;
        ++multi_total;
        multi_named += std::any_of(a.defects.begin(), a.defects.end(),
                                   [&](const al::Finding& x) { return int(x.family) == f; });
      }
    }
  }
  m.single_exact /= std::max(singles, 1);
  m.single_within /= std::max(singles, 1);
  m.multi_recall = double(multi_named) / std::max(multi_total, 1);
  m.fine_correct /= std::max(fines, 1);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Train the defect classifier and the LUT corrector (libtorch, CPU)"};
  std::string shared = AUTOGRADE_SHARED_DATA, repo = std::string(AUTOGRADE_SOURCE_DIR) + "/data";
  std::string out = std::string(AUTOGRADE_SOURCE_DIR) + "/models";
  uint64_t seed = 20240607;
  int samples = 24000, val_samples = 2000, cls_epochs = 60, threads = 1;
  app.add_option("--shared", shared, "shared data folder (images/...)");
  app.add_option("--repo-data", repo, "repository data folder (images/...)");
  app.add_option("-o,--out", out, "output folder for the weights");
  app.add_option("--seed", seed);
  app.add_option("--samples", samples, "training samples");
  app.add_option("--val-samples", val_samples);
  app.add_option("--cls-epochs", cls_epochs);
  app.add_option("--threads", threads);
  bool no_videos = false;
  double frame_every = 2.0, garrote_quantile = 0.0;
  int amt_epochs = 40, amt_hidden = 64, amt_batch = 128;
  double amt_noise = 0.6, amt_wd = 1.0, amt_lr = 2e-3;
  std::string cache, feature_subset = "all", corpus;
  int corpus_photos = 0;
  double mosaic = 0.5, cls_noise = 0.1;
  int cls_hidden = 128;
  // The classifier's validation score is exact + multi recall + fine_weight * (clean samples
  // called fine). Weighted alike (1) the choice degenerates: the epoch-2 network at a presence
  // threshold of 0.7 calls 95 % of clean samples fine but gets 12 % exact (validation), so
  // "fine" keeps a quarter weight; do no harm is the corrector's job (presence gate, garrote).
  double fine_weight = 0.25;
  std::string gate = "presence";
  double harm_tail = 1.0, harm_tail_q = 0.9, fixed_temperature = 0.0;
  app.add_option("--temperature", fixed_temperature,
                 "classifier temperature (0: choose it on the validation loss)");
  app.add_option("--fine-weight", fine_weight,
                 "weight of 'clean validation samples called fine' in the classifier's epoch and "
                 "threshold choice");
  app.add_option("--gate", gate,
                 "none, or presence: scale each corrected amount by the classifier's P(that defect "
                 "present)")
      ->check(CLI::IsMember({"none", "presence"}));
  app.add_option("--harm-tail", harm_tail,
                 "largest --harm-tail-q quantile of the CIEDE2000 change of clean validation tiles "
                 "when choosing the garrote (the bar is per picture)");
  app.add_option("--harm-tail-q", harm_tail_q,
                 "quantile of the clean tiles' change held to --harm-tail");
  app.add_option("--cls-noise", cls_noise,
                 "Gaussian noise on the classifier's standardised inputs");
  app.add_option("--cls-hidden", cls_hidden, "hidden width of the classifier");
  app.add_option("--feature-subset", feature_subset,
                 "all, or global (ablation: only the version-1 global statistics, features.hpp; "
                 "the files written then cannot be loaded)")
      ->check(CLI::IsMember({"all", "global"}));
  app.add_option("--mosaic", mosaic,
                 "share of training samples that are two-picture mosaics (validation: none)");
  app.add_option("--amt-hidden", amt_hidden, "hidden width of the amount regressor (0: linear)");
  app.add_option("--amt-batch", amt_batch);
  app.add_option("--amt-noise", amt_noise, "Gaussian noise on the standardised inputs");
  app.add_option("--amt-wd", amt_wd, "AdamW weight decay");
  app.add_option("--amt-lr", amt_lr);
  app.add_option("--cache", cache,
                 "keep the synthesised data in this file (reused when present; delete it after "
                 "changing the data options)");
  app.add_flag("--no-videos", no_videos, "train on the pictures only (no clip frames)");
  app.add_option(
      "--corpus", corpus,
      "also learn from a photo corpus laid out as ../shared/data/corpus: its train split "
      "joins the training pictures, its validation split the validation pictures "
      "(training/corpus_split.hpp; its test split is never read)");
  app.add_option("--corpus-photos", corpus_photos,
                 "only the first N of the corpus's training photos, in hash order (points of a "
                 "learning curve; 0 = all)");
  std::string hdr;
  int hdr_views = 16;
  app.add_option("--hdr", hdr,
                 "also learn from clean pictures rendered from the HDR panoramas in this folder "
                 "(e.g. ../shared/data/corpus/hdr; training split only)");
  app.add_option("--hdr-views", hdr_views, "views rendered per panorama")
      ->check(CLI::PositiveNumber);
  app.add_option("--frame-every", frame_every, "seconds between the frames taken from each clip");
  app.add_option("--amt-epochs", amt_epochs, "epochs of the defect-amount regressor");
  // Half the bar of 1.0: the tile estimate on the validation pictures has read whole
  // pictures' harm low by up to ~2x (models/correct.md, "Metrics" of "defects2").
  double harm_budget = 0.5;
  app.add_option("--garrote-quantile", garrote_quantile,
                 "quantile of |amount| on clean validation samples that the garrote removes (0: "
                 "choose it on validation within --harm-budget)");
  app.add_option(
      "--harm-budget", harm_budget,
      "largest mean CIEDE2000 change of clean validation tiles when choosing the garrote");
  CLI11_PARSE(app, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines appear as they happen in a log
  try {
    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    torch::manual_seed(seed);
    torch::set_num_threads(threads);
    // Data synthesis runs on 2 TBB threads; torch on `threads` (1 is fastest on a busy 2-core box:
    // its OpenMP workers spin when the cores are shared).
    tbb::global_control tbb_threads(tbb::global_control::max_allowed_parallelism, 2);

    const auto listed = al::list_sources(shared, repo, seed);
    auto train_src = al::load_sources(listed, al::Split::Train);
    auto val_src = al::load_sources(listed, al::Split::Validation);
    size_t n_test = 0;
    for (const auto& s : listed) n_test += s.split == al::Split::Test;
    fmt::print("sources: {} train, {} validation, {} test pictures (held out)\n", train_src.size(),
               val_src.size(), n_test);
    // What the weights learned from, stored in both files' meta (the model card's data section).
    nlohmann::json data_meta = {
        {"shared_images", {{"train", train_src.size()}, {"validation", val_src.size()}}}};
    if (!corpus.empty()) {
      std::vector<al::SourceImage> listed_corpus;
      std::map<std::string, int> train_by_folder;
      int research = 0, train_taken = 0;
      for (const auto& p : al::list_corpus_photos(corpus)) {
        if (p.split == al::Split::Test) continue;
        if (p.split == al::Split::Train && corpus_photos > 0 && train_taken++ >= corpus_photos)
          continue;
        listed_corpus.push_back({p.path.string(), p.file, p.file, p.split, {}});
        if (p.split != al::Split::Train) continue;
        ++train_by_folder[p.folder];
        research += p.licence_class != "open";
      }
      if (listed_corpus.empty())
        ag::throw_bad_input(corpus, "holds no photos under open/, research/ or clothing/");
      auto ct = al::load_sources(listed_corpus, al::Split::Train);
      auto cv = al::load_sources(listed_corpus, al::Split::Validation);
      fmt::print("corpus {}: {} train, {} validation pictures\n", corpus, ct.size(), cv.size());
      data_meta["corpus"] = {{"train", ct.size()},
                             {"validation", cv.size()},
                             {"train_by_folder", train_by_folder},
                             {"train_research_only", research}};
      for (auto& x : ct) train_src.push_back(std::move(x));
      for (auto& x : cv) val_src.push_back(std::move(x));
    }
    if (!hdr.empty()) {
      auto views = al::render_hdr_views(hdr, hdr_views, seed);
      if (views.empty()) ag::throw_bad_input(hdr, "holds no readable OpenEXR panoramas");
      fmt::print("hdr {}: {} views of {} panoramas -> train\n", hdr, views.size(),
                 views.size() / size_t(hdr_views));
      data_meta["hdr_views"] = {{"train", views.size()}, {"per_panorama", hdr_views}};
      for (auto& x : views) train_src.push_back(std::move(x));
    }
    if (!no_videos) {
      auto frames = al::load_video_frames(shared, seed, frame_every);
      std::map<std::string, std::pair<int, al::Split>> clips;
      for (auto& f : frames) {
        auto& c = clips[f.group];
        ++c.first;
        c.second = f.split;
        (f.split == al::Split::Train ? train_src : val_src).push_back(std::move(f));
      }
      for (const auto& [name, c] : clips)
        fmt::print("  clip {}: {} frames -> {}\n", name, c.first, al::split_name(c.second));
    }
    if (train_src.empty() || val_src.empty())
      ag::throw_bad_input(shared, "no training pictures found");

    DataSet train, val;
    if (!cache.empty() && std::filesystem::exists(cache)) {
      std::vector<torch::Tensor> t;
      torch::load(t, cache);
      train = {t[0], t[1], t[2], t[3], t[4]};
      val = {t[5], t[6], t[7], t[8], t[9]};
      samples = int(train.features.size(0));
      val_samples = int(val.features.size(0));
    } else {
      train = make_dataset(train_src, samples, seed * 3 + 1, mosaic);
      val = make_dataset(val_src, val_samples, seed * 3 + 2);
      if (!cache.empty()) {
        std::vector<torch::Tensor> t{train.features, train.labels, train.amounts, train.clean,
                                     train.detuned,  val.features, val.labels,    val.amounts,
                                     val.clean,      val.detuned};
        torch::save(t, cache);
      }
    }
    fmt::print("data: {} train / {} validation samples in {:.1f}s\n", samples, val_samples,
               elapsed());
    if (feature_subset == "global") {
      train.features = train.features.slice(1, 0, al::kGlobalFeatureCount).contiguous();
      val.features = val.features.slice(1, 0, al::kGlobalFeatureCount).contiguous();
    }
    const int n_features = int(train.features.size(1));
    auto mean = train.features.mean(0);
    // A floor on the spread: a feature that barely varies in training (e.g. a clipping fraction)
    // must not be blown up into huge standardised inputs on a new picture.
    auto sd = train.features.std(0).clamp_min(0.01);
    {  // diagnostics: how far outside the training spread do validation features go?
      auto zt = ((train.features - mean) / sd).abs(), zv = ((val.features - mean) / sd).abs();
      auto mv = std::get<0>(zv.max(0)), mt = std::get<0>(zt.max(0));
      auto order = std::get<1>(mv.sort(0, true));
      fmt::print("val |z|>5: {:.4f} of entries (train {:.4f}); worst features:",
                 (zv > 5).to(torch::kFloat).mean().item<double>(),
                 (zt > 5).to(torch::kFloat).mean().item<double>());
      for (int i = 0; i < 8; ++i) {
        const int64_t k = order[i].item<int64_t>();
        fmt::print(" f{}={:.1f}(train max {:.1f})", k, mv[k].item<double>(), mt[k].item<double>());
      }
      auto zf = (train.features - mean) / sd;
      auto za = train.amounts - train.amounts.mean(0);
      auto corr = torch::mm(zf.t(), za) / double(samples) / (za.std(0) + 1e-6);  // F x K
      for (int k = 0; k < al::kAmountCount; ++k) {
        auto c = corr.select(1, k).abs();
        const int64_t at = c.argmax().item<int64_t>();
        fmt::print("\n amount {} best |corr| {:.2f} (feature {})", k, c[at].item<double>(), at);
      }
      fmt::print("\nzero-amount baseline mse: train {:.4f} val {:.4f}\n",
                 train.amounts.pow(2).mean().item<double>(),
                 val.amounts.pow(2).mean().item<double>());
    }

    // ---- 1. defect classifier ---------------------------------------------------------------
    auto cls = make_mlp(n_features, cls_hidden, 4 * al::kFamilyCount);
    torch::optim::AdamW cls_opt(cls->parameters(),
                                torch::optim::AdamWOptions(2e-3).weight_decay(5e-2));
    const int64_t batch = 256;
    std::vector<torch::Tensor> best_cls;
    double best_score = -1;
    ClassMetrics best_m;
    for (int epoch = 0; epoch < cls_epochs; ++epoch) {
      cls->train();
      const double lr = 2e-3 * 0.5 * (1 + std::cos(M_PI * epoch / cls_epochs));
      for (auto& g : cls_opt.param_groups())
        static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
      auto perm = torch::randperm(samples, torch::kLong);
      double train_loss = 0;
      int train_steps = 0;
      for (int64_t s = 0; s + batch <= samples; s += batch) {
        auto idx = perm.slice(0, s, s + batch);
        auto x = (train.features.index_select(0, idx) - mean) / sd;
        x = x + cls_noise * torch::randn_like(x);  // input noise: 47 pictures are easy to memorise
        auto loss = classifier_loss(cls->forward(x), train.labels.index_select(0, idx));
        cls_opt.zero_grad();
        loss.backward();
        cls_opt.step();
        train_loss += loss.item<double>();
        ++train_steps;
      }
      cls->eval();
      // Each epoch is scored at its best presence threshold (the threshold is calibrated below,
      // so an epoch whose probabilities only need a higher bar for "present" is not penalised).
      ClassMetrics m;
      double score = -1;
      for (float t : kPresenceThresholds) {
        const auto mt = classifier_metrics(cls, val, mean, sd, t);
        const double st = mt.single_exact + mt.multi_recall + fine_weight * mt.fine_correct;
        if (st > score + 1e-9) score = st, m = mt;
      }
      if (score > best_score) {
        best_score = score;
        best_m = m;
        best_cls.clear();
        for (auto& p : cls->parameters()) best_cls.push_back(p.detach().clone());
      }
      if (epoch % 2 == 1 || epoch + 1 == cls_epochs)
        fmt::print(
            "cls epoch {:3d} train loss {:.3f} val loss {:.3f} single exact {:.3f} within1 {:.3f} "
            "multi recall {:.3f} fine {:.3f} ({:.0f}s)\n",
            epoch + 1, train_loss / std::max(train_steps, 1), m.loss, m.single_exact,
            m.single_within, m.multi_recall, m.fine_correct, elapsed());
    }
    std::filesystem::create_directories(out);
    float presence_threshold = 0.5f;
    if (cls_epochs > 0) {
      {
        torch::NoGradGuard ng;
        auto params = cls->parameters();
        for (size_t i = 0; i < params.size(); ++i) params[i].copy_(best_cls[i]);
      }
      // Calibrate the presence threshold on validation: the classifier is trained on 47 pictures
      // and is over-eager on new ones (clean validation pictures rarely come out "fine" at 0.5), so
      // a family is reported only above the threshold with the best validation score (same score as
      // the epoch choice).
      cls->eval();
      // Temperature scaling (Guo, Pleiss, Sun & Weinberger 2017, "On calibration of modern neural
      // networks"): the network overfits its 47 training pictures (validation loss is lowest after
      // a few epochs while accuracy still rises), so its probabilities are over-confident on new
      // pictures. One temperature T dividing all logits, chosen on the validation loss, makes
      // P(present) an honest probability for the corrector's presence gate and do-no-harm
      // strength; it does not change any family's most likely severity. T is folded into the last
      // layer, so the file format is unchanged.
      double temperature = 1.0;
      {
        torch::NoGradGuard ng;
        auto logits = cls->forward((val.features - mean) / sd);
        double best_loss = 1e18;
        for (double T : {1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0}) {
          const double l = classifier_loss(logits / T, val.labels).item<double>();
          fmt::print("temperature {:.2f}: val loss {:.3f}\n", T, l);
          if (l < best_loss) best_loss = l, temperature = T;
        }
        if (fixed_temperature > 0) temperature = fixed_temperature;
        auto last = std::dynamic_pointer_cast<torch::nn::LinearImpl>(cls->ptr(cls->size() - 1));
        last->weight.div_(temperature);
        last->bias.div_(temperature);
      }
      {
        double best_t = -1;
        for (float t : kPresenceThresholds) {
          const auto m = classifier_metrics(cls, val, mean, sd, t);
          const double score = m.single_exact + m.multi_recall + fine_weight * m.fine_correct;
          fmt::print(
              "presence threshold {:.2f}: val single exact {:.3f} within1 {:.3f} multi recall "
              "{:.3f} fine {:.3f} score {:.3f}\n",
              t, m.single_exact, m.single_within, m.multi_recall, m.fine_correct, score);
          if (score > best_t + 1e-9) best_t = score, presence_threshold = t, best_m = m;
        }
      }
      al::Mlp cls_out = export_mlp(cls, "defect_classifier", mean, sd);
      cls_out.meta["presence_threshold"] = presence_threshold;
      cls_out.meta["fine_weight"] = fine_weight;
      cls_out.meta["temperature"] = temperature;
      if (feature_subset == "global") cls_out.meta["feature_version"] = 1;
      cls_out.meta["outputs"] = "16 families x (absent, 33%, 66%, 100%), grouped softmax";
      cls_out.meta["seed"] = seed;
      cls_out.meta["data"] = data_meta;
      cls_out.meta["validation"] = {{"single_exact", best_m.single_exact},
                                    {"single_within_one", best_m.single_within},
                                    {"multi_recall", best_m.multi_recall},
                                    {"fine_correct", best_m.fine_correct}};
      al::write_mlp(out + "/" + al::kDefectModelFile, cls_out);
      fmt::print(
          "wrote {}/{} (presence threshold {:.2f}; val single exact {:.3f}, within one {:.3f}, "
          "multi recall {:.3f}, fine {:.3f})\n",
          out, al::kDefectModelFile, presence_threshold, best_m.single_exact, best_m.single_within,
          best_m.multi_recall, best_m.fine_correct);
    }

    {
      // ---- 2. defect-amount regressor; the LUT is the analytic inverse (corrector.hpp) -------
      if (amt_epochs <= 0) return 0;
      auto amt = amt_hidden > 0
                     ? make_mlp(n_features, amt_hidden, al::kAmountCount)
                     : torch::nn::Sequential(torch::nn::Linear(n_features, al::kAmountCount));
      torch::optim::AdamW amt_opt(amt->parameters(),
                                  torch::optim::AdamWOptions(amt_lr).weight_decay(amt_wd));
      const int64_t batch = amt_batch;
      std::vector<torch::Tensor> best_amt;
      double best_amt_val = 1e9;
      auto val_x = (val.features - mean) / sd;
      for (int epoch = 0; epoch < amt_epochs; ++epoch) {
        amt->train();
        const double lr = amt_lr * 0.5 * (1 + std::cos(M_PI * epoch / amt_epochs));
        for (auto& g : amt_opt.param_groups())
          static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
        auto perm = torch::randperm(samples, torch::kLong);
        double train_loss = 0;
        int steps = 0;
        for (int64_t s = 0; s + batch <= samples; s += batch) {
          auto idx = perm.slice(0, s, s + batch);
          auto x = (train.features.index_select(0, idx) - mean) / sd;
          x = x + amt_noise * torch::randn_like(x);
          auto loss = torch::mse_loss(amt->forward(x), train.amounts.index_select(0, idx));
          amt_opt.zero_grad();
          loss.backward();
          amt_opt.step();
          train_loss += loss.item<double>();
          ++steps;
        }
        amt->eval();
        double v;
        {
          torch::NoGradGuard ng;
          v = torch::mse_loss(amt->forward(val_x), val.amounts).item<double>();
        }
        if (v < best_amt_val) {
          best_amt_val = v;
          best_amt.clear();
          for (auto& p : amt->parameters()) best_amt.push_back(p.detach().clone());
        }
        if (epoch % 5 == 4 || epoch + 1 == amt_epochs)
          fmt::print("amt epoch {:3d} train mse {:.4f} val mse {:.4f} ({:.0f}s)\n", epoch + 1,
                     train_loss / std::max(steps, 1), v, elapsed());
      }
      torch::Tensor val_pred;
      double classifier_weight = 0.0;
      {
        torch::NoGradGuard ng;
        auto params = amt->parameters();
        for (size_t i = 0; i < params.size(); ++i) params[i].copy_(best_amt[i]);
        val_pred = amt->forward(val_x).contiguous();
        if (cls_epochs > 0) {
          // Blend with the classifier's posterior-mean amounts: the weight with the lowest
          // validation amount error (a 5-point grid).
          cls->eval();
          auto from_cls = posterior_amounts(cls->forward(val_x));
          double best = 1e9;
          for (double w : {0.0, 0.25, 0.5, 0.75, 1.0}) {
            const double e =
                torch::mse_loss((1 - w) * val_pred + w * from_cls, val.amounts).item<double>();
            fmt::print("blend classifier weight {:.2f}: val amount mse {:.4f}\n", w, e);
            if (e < best) best = e, classifier_weight = w;
          }
          val_pred =
              ((1 - classifier_weight) * val_pred + classifier_weight * from_cls).contiguous();
          best_amt_val = best;
        }
      }
      // Per amount: validation MSE of the prediction against predicting 0. An amount the model has
      // no skill on (not better than 0 on validation) is never applied: its garrote threshold is
      // set so high that the garrote removes it.
      std::vector<bool> no_skill(al::kAmountCount, false);
      {
        auto per = (val_pred - val.amounts).pow(2).mean(0), base = val.amounts.pow(2).mean(0);
        fmt::print("val amount mse per amount (prediction / zero):");
        for (int k = 0; k < al::kAmountCount; ++k) {
          no_skill[size_t(k)] = per[k].item<double>() >= base[k].item<double>();
          fmt::print(" {:.4f}/{:.4f}{}", per[k].item<double>(), base[k].item<double>(),
                     no_skill[size_t(k)] ? " (no skill: off)" : "");
        }
        fmt::print("\n");
      }
      if (cls_epochs > 0) {
        // Diagnostic (the brief's "per-family regression, then thresholding"): for single-defect
        // validation samples whose family the classifier got right, the severity from the
        // regressor's amount projected on that family's direction, rounded to a severity step,
        // against the classifier's own severity.
        torch::NoGradGuard ng;
        auto logits = cls->forward(val_x).contiguous();
        auto pa = val_pred.accessor<float, 2>();
        auto la = val.labels.accessor<int64_t, 2>();
        int fam_ok = 0, cls_exact = 0, reg_exact = 0, reg_within = 0;
        for (int i = 0; i < val_samples; ++i) {
          int present = 0, truth_f = -1;
          for (int f = 0; f < al::kFamilyCount; ++f)
            if (la[i][f] > 0) ++present, truth_f = f;
          if (present != 1) continue;
          std::vector<float> z(logits[i].data_ptr<float>(),
                               logits[i].data_ptr<float>() + 4 * al::kFamilyCount);
          const al::Analysis an = al::analysis_from_logits(z, presence_threshold);
          if (an.defects.empty() || int(an.defects.front().family) != truth_f) continue;
          ++fam_ok;
          const int truth_s = int(la[i][truth_f]);
          cls_exact += an.defects.front().severity == truth_s;
          const auto dir = al::defect_amounts({al::make_defect(al::Family(truth_f), 3)});
          double dot = 0, nn = 0;
          for (int k = 0; k < al::kAmountCount; ++k)
            dot += pa[i][k] * dir[size_t(k)], nn += dir[size_t(k)] * dir[size_t(k)];
          const int sev = std::clamp(int(std::lround(3.0 * dot / std::max(nn, 1e-9))), 1, 3);
          reg_exact += sev == truth_s;
          reg_within += std::abs(sev - truth_s) <= 1;
        }
        fmt::print(
            "severity where the family is right (n={}): classifier exact {:.3f}, regressor "
            "projection exact {:.3f} within1 {:.3f}\n",
            fam_ok, double(cls_exact) / std::max(fam_ok, 1),
            double(reg_exact) / std::max(fam_ok, 1), double(reg_within) / std::max(fam_ok, 1));
      }
      constexpr double kOff = 1e3;
      // Garrote thresholds: a quantile of |amount| on the clean validation samples (pictures the
      // model never trained on, nothing wrong). With --garrote-quantile 0 the quantile is chosen
      // on validation: the smallest of a grid (most correction) whose mean CIEDE2000 change of
      // the clean validation tiles stays below --harm-budget, the correction applied at the
      // classifier's do-no-harm strength as at inference.
      auto clean_rows = (val.labels.sum(1) == 0).nonzero().squeeze(1);
      auto thresholds_at = [&](double q) {
        std::vector<double> g(al::kAmountCount, 0.0);
        if (clean_rows.numel() == 0) return g;
        auto abs_clean = val_pred.index_select(0, clean_rows).abs();
        for (int k = 0; k < al::kAmountCount; ++k) {
          auto col = std::get<0>(abs_clean.select(1, k).sort());
          const int64_t at = std::min<int64_t>(col.numel() - 1, int64_t(q * double(col.numel())));
          g[size_t(k)] = no_skill[size_t(k)] ? kOff : col[at].item<double>();
        }
        return g;
      };
      std::vector<float> strength(size_t(val_samples), 1.f);
      std::vector<al::Analysis> val_analysis(static_cast<size_t>(val_samples));
      const bool use_gate = gate == "presence" && cls_epochs > 0;
      if (cls_epochs > 0) {
        torch::NoGradGuard ng;
        auto logits = cls->forward(val_x).contiguous();
        for (int i = 0; i < val_samples; ++i) {
          std::vector<float> z(logits[i].data_ptr<float>(),
                               logits[i].data_ptr<float>() + 4 * al::kFamilyCount);
          val_analysis[size_t(i)] = al::analysis_from_logits(z);
          strength[size_t(i)] = al::correction_strength(val_analysis[size_t(i)]);
        }
      }
      // Mean CIEDE2000 of the corrected validation tiles to their clean originals (all samples,
      // and the clean ones alone: the harm).
      auto tile_de = [&](const std::vector<double>& g) {
        auto pa = val_pred.accessor<float, 2>();
        auto ca = val.clean.accessor<float, 3>();
        auto da = val.detuned.accessor<float, 3>();
        auto la = val.labels.accessor<int64_t, 2>();
        std::vector<double> de(static_cast<size_t>(val_samples)),
            in_de(static_cast<size_t>(val_samples));
        std::vector<int> is_clean(static_cast<size_t>(val_samples));
        tbb::parallel_for(0, val_samples, [&](int i) {
          al::DefectAmounts raw{}, t{};
          for (int k = 0; k < al::kAmountCount; ++k)
            raw[size_t(k)] = pa[i][k], t[size_t(k)] = float(g[size_t(k)]);
          al::DefectAmounts a = al::garrote_amounts(raw, t);
          if (use_gate) {
            const al::DefectAmounts gates = al::presence_gates(val_analysis[size_t(i)], a);
            for (int k = 0; k < al::kAmountCount; ++k) a[size_t(k)] *= gates[size_t(k)];
          }
          for (auto& v : a) v *= strength[size_t(i)];
          double sum = 0, sum_in = 0;
          const int T = int(ca.size(2));
          for (int t = 0; t < T; ++t) {
            const ag::Rgb clean{ca[i][0][t], ca[i][1][t], ca[i][2][t]},
                det{da[i][0][t], da[i][1][t], da[i][2][t]};
            const ag::Rgb fixed = al::invert_amounts(a, det);
            const auto lc = ag::srgb_to_lab({clean[0], clean[1], clean[2]});
            sum += ag::ciede2000(ag::srgb_to_lab({fixed[0], fixed[1], fixed[2]}), lc);
            sum_in += ag::ciede2000(ag::srgb_to_lab({det[0], det[1], det[2]}), lc);
          }
          de[size_t(i)] = sum / T;
          in_de[size_t(i)] = sum_in / T;
          int present = 0;
          for (int f = 0; f < al::kFamilyCount; ++f) present += la[i][f] > 0;
          is_clean[size_t(i)] = present == 0;
        });
        double all = 0, input = 0, harm = 0;
        std::vector<double> clean_changes;
        for (int i = 0; i < val_samples; ++i) {
          all += de[size_t(i)];
          input += in_de[size_t(i)];
          if (is_clean[size_t(i)]) harm += de[size_t(i)], clean_changes.push_back(de[size_t(i)]);
        }
        const double n_clean = double(std::max<size_t>(clean_changes.size(), 1));
        std::sort(clean_changes.begin(), clean_changes.end());
        auto quantile = [&](double q) {
          return clean_changes.empty()
                     ? 0.0
                     : clean_changes[std::min(clean_changes.size() - 1,
                                              size_t(q * double(clean_changes.size())))];
        };
        // all, input, clean mean, clean tail quantile, clean max
        return std::array<double, 5>{all / val_samples, input / val_samples, harm / n_clean,
                                     quantile(harm_tail_q),
                                     clean_changes.empty() ? 0.0 : clean_changes.back()};
      };
      double chosen_q = garrote_quantile;
      if (garrote_quantile <= 0) {
        chosen_q = 0.99;
        for (double q : {0.5, 0.6, 0.7, 0.8, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.91, 0.92, 0.93,
                         0.94, 0.95, 0.96, 0.97, 0.98, 0.99}) {
          const auto r = tile_de(thresholds_at(q));
          fmt::print(
              "garrote quantile {:.2f}: validation tiles CIEDE2000 {:.3f} (input {:.3f}), clean "
              "tiles changed by {:.3f} (q{:.0f} {:.3f}, max {:.3f})\n",
              q, r[0], r[1], r[2], 100 * harm_tail_q, r[3], r[4]);
          if (r[2] < harm_budget && r[3] < harm_tail) {
            chosen_q = q;
            break;
          }
        }
      }
      const std::vector<double> garrote = thresholds_at(chosen_q);
      const auto final_de = tile_de(garrote);
      const double garrote_quantile_used = chosen_q;
      al::Mlp amt_out = export_mlp(amt, "lut_corrector", mean, sd);
      if (feature_subset == "global") amt_out.meta["feature_version"] = 1;
      amt_out.meta["output"] = "defect_amounts";
      amt_out.meta["lattice"] = 33;
      amt_out.meta["outputs"] =
          "8 signed defect amounts (defects.hpp: cast r,g,b, black, white, exposure, contrast, "
          "saturation); LUT = analytic inverse";
      amt_out.meta["garrote"] = garrote;
      amt_out.meta["classifier_weight"] = classifier_weight;
      amt_out.meta["garrote_quantile"] = garrote_quantile_used;
      amt_out.meta["gate"] = use_gate ? "presence" : "none";
      amt_out.meta["seed"] = seed;
      amt_out.meta["data"] = data_meta;
      amt_out.meta["validation"] = {{"amount_mse", best_amt_val},
                                    {"tile_ciede2000", final_de[0]},
                                    {"input_tile_ciede2000", final_de[1]},
                                    {"clean_tile_change_ciede2000", final_de[2]},
                                    {"clean_tile_change_tail_ciede2000", final_de[3]}};
      al::write_mlp(out + "/" + al::kCorrectionModelFile, amt_out);
      fmt::print("wrote {}/{} (val amount mse {:.4f}; garrote {}) in {:.0f}s total\n", out,
                 al::kCorrectionModelFile, best_amt_val, fmt::join(garrote, " "), elapsed());
      return 0;
    }
  } catch (const ag::Error& e) {
    fmt::print(stderr, "ag_train: {}\n", e.what());
    return e.exit_code();
  }
}
