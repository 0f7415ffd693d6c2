#include "caption/caption_pass.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_set>

#include "caption/caption_facts.h"
#include "caption/caption_record.h"
#include "caption/glossary.h"
#include "caption/make_backend.h"
#include "curate/clip_selection.h"
#include "curate/tier_rules.h"
#include "media/frame_grabber.h"
#include "media/jpeg.h"
#include "util/shard.h"

namespace clipdex {

namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string Fmt(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string Fmt(const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof(buf), format, args);
  va_end(args);
  return buf;
}

std::string AttrText(const ClipRecord& clip, std::string_view name) {
  const Attribute* a = FindAttribute(clip, name);
  return a == nullptr || a->number ? std::string() : a->text;
}

// Already captioned by this backend, model and prompt version, without error.
bool AlreadyDone(const ClipRecord& clip, const CaptionBackend& backend) {
  return AttrText(clip, "caption.backend") == backend.name() &&
         AttrText(clip, "caption.model") == backend.model() &&
         AttrText(clip, "caption.prompt_version") == kCaptionPromptVersion &&
         FindAttribute(clip, "caption.error") == nullptr && FindAttribute(clip, "caption.json");
}

struct ClipResult {
  int64_t clip_id = 0;
  nlohmann::json plan;  // the keyframe plan as a plan_file line
  std::vector<Attribute> attributes;
  bool failed = false;  // the backend failed: the template fallback was stored
  std::string error;
  long frames = 0, visual_tokens = 0, baseline_tokens = 0, tokens_in = 0, tokens_out = 0;
  double seconds = 0;
  std::string route;
};

struct Totals {
  long done = 0, failed = 0, frames = 0, visual_tokens = 0, baseline_tokens = 0, tokens_in = 0,
       tokens_out = 0;
  double seconds = 0;
};

KeyframeOptions KeyframeOptionsOf(const OptionValues& v) {
  KeyframeOptions k;
  k.max_frames = static_cast<int>(v.GetInt("max_frames"));
  k.max_change_frames = std::max(k.max_frames, static_cast<int>(v.GetInt("max_change_frames")));
  k.long_side = static_cast<int>(v.GetInt("long_side"));
  k.small_side = std::min(k.small_side, k.long_side);
  k.patch = static_cast<int>(v.GetInt("patch"));
  return k;
}

// One clip, start to finish; never throws, never fails: a backend error becomes the fallback.
// The retrieval context of a clip for a VLM prompt: glossary terms with evidence in the clip,
// and the caption of the clip it duplicates (dedup.dup_of) when a model wrote one. Lines are
// added while they fit in `budget` characters. `record` gets what was used, as JSON.
std::string ClipContext(Catalog& catalog, const VideoRecord& video, const ClipRecord& clip,
                        const Glossary* glossary, size_t budget, std::string* record) {
  std::string context;
  nlohmann::json used = {{"terms", nlohmann::json::array()},
                         {"neighbours", nlohmann::json::array()}};
  auto add = [&](const std::string& line) {
    if (context.size() + line.size() + 1 > budget) return false;
    context += line + "\n";
    return true;
  };
  if (glossary != nullptr) {
    std::optional<uint64_t> thumb;
    if (!clip.thumbnail.empty()) {
      auto picture = ReadJpeg(catalog.dir() / clip.thumbnail);
      if (picture.ok()) thumb = PictureHash(picture.value());
    }
    std::vector<std::string> tags;
    if (auto t = catalog.TagsOf(clip.id); t.ok()) {
      for (const ClipTag& tag : *t) tags.push_back(tag.tag);
    }
    for (const GlossaryMatch& m :
         glossary->Match(AttrText(clip, "text.content"), video.path, thumb, tags)) {
      std::string line = "- " + m.term->term;
      if (!m.term->aliases.empty()) {
        line += " (also";
        for (const std::string& a : m.term->aliases) line += " \"" + a + "\"";
        line += ")";
      }
      if (!m.term->description.empty()) line += ": " + m.term->description;
      if (!add(line)) break;
      used["terms"].push_back({{"term", m.term->term}, {"evidence", m.evidence}});
    }
  }
  if (const Attribute* dup = FindAttribute(clip, "dedup.dup_of"); dup != nullptr && dup->number) {
    const int64_t keeper = static_cast<int64_t>(*dup->number);
    auto detail = catalog.FindClip(keeper);
    if (detail.ok() && detail.value()) {
      const ClipRecord& k = detail.value()->clip;
      const std::string text = AttrText(k, "caption.text");
      if (!text.empty() && AttrText(k, "caption.backend") != "template" &&
          add("- a near-duplicate of this clip was captioned: " + text)) {
        used["neighbours"].push_back(keeper);
      }
    }
  }
  if (!used["terms"].empty() || !used["neighbours"].empty()) *record = used.dump();
  return context;
}

ClipResult CaptionOne(Catalog& catalog, int64_t clip_id, const std::string& route,
                      const CaptionBackend& backend, const KeyframeOptions& keyframes,
                      const Glossary* glossary, size_t context_chars, double frame_timeout) {
  const auto start = Clock::now();
  ClipResult r;
  r.clip_id = clip_id;
  auto detail = catalog.FindClip(clip_id);
  if (!detail.ok() || !detail.value()) {
    r.failed = true;
    r.error = detail.ok() ? "clip vanished" : detail.status().message();
    return r;
  }
  const VideoRecord& video = detail.value()->video;
  const ClipRecord& clip = detail.value()->clip;
  CaptionRequest request;
  request.video = &video;
  request.clip = &clip;
  request.measured = MeasuredCaption(video, clip);
  request.plan = PlanKeyframes(video, clip, request.measured, keyframes);
  r.frames = static_cast<long>(request.plan.frames.size());
  r.visual_tokens = request.plan.visual_tokens;
  r.baseline_tokens = UniformBaselineTokens(video, clip, 2.0, 448, keyframes.patch);
  nlohmann::json times = nlohmann::json::array();
  for (const Keyframe& k : request.plan.frames) times.push_back(clip.start_time + k.time);
  r.plan = {{"clip_id", clip_id},
            {"video", video.path},
            {"start", clip.start_time},
            {"end", clip.end_time},
            {"keyframes", times},
            {"long_side", request.plan.long_side},
            {"visual_tokens", r.visual_tokens},
            {"baseline_tokens", r.baseline_tokens}};

  CaptionOutput output;
  CaptionProvenance provenance{backend.name(), backend.model(), route, 0, "", ""};
  Status failure;
  if (backend.needs_frames()) {
    request.context =
        ClipContext(catalog, video, clip, glossary, context_chars, &provenance.context_json);
    std::vector<double> times;
    for (const Keyframe& k : request.plan.frames) times.push_back(clip.start_time + k.time);
    auto grabbed =
        GrabFrames(video.path, video.probe, times, request.plan.long_side, frame_timeout);
    if (!grabbed.ok()) {
      failure = Status::Error("keyframes: " + grabbed.status().message());
    } else {
      for (const cv::Mat& picture : grabbed->pictures) {
        auto jpeg = EncodeJpeg(picture, 85);
        if (!jpeg.ok()) {
          failure = Status::Error("keyframes: " + jpeg.status().message());
          break;
        }
        request.jpegs.push_back(std::move(jpeg.value()));
      }
    }
  }
  if (failure.ok()) {
    auto described = backend.Describe(request);
    if (described.ok()) {
      output = std::move(described.value());
    } else {
      failure = described.status();
    }
  }
  if (!failure.ok()) {
    // The template caption keeps the clip captioned with what was measured; the error says why
    // the model's part is missing and makes the next run retry it.
    output = CaptionOutput{};
    provenance = {"template", "", "fallback", 0, failure.message(), ""};
    r.failed = true;
    r.error = failure.message();
  }
  r.tokens_in = output.prompt_tokens;
  r.tokens_out = output.completion_tokens;
  provenance.seconds = Since(start);
  // A backend that looked at no pictures stores no keyframes (the plan still counts in the
  // report, so `--plan-only` shows what a VLM run would send).
  const KeyframePlan stored_plan =
      backend.needs_frames() && failure.ok() ? request.plan : KeyframePlan{};
  auto attributes = CaptionAttributes(request.measured, output, stored_plan, provenance);
  if (!attributes.ok()) {
    // The model's seen fields broke the stored schema (they passed the content schema, so this
    // is a bug in the composition): store the measured caption alone, with the reason.
    provenance = {"template", "", "fallback", Since(start), attributes.status().message(), ""};
    attributes = CaptionAttributes(request.measured, CaptionOutput{}, KeyframePlan{}, provenance);
    r.failed = true;
    r.error = provenance.error;
  }
  if (attributes.ok()) r.attributes = std::move(attributes.value());
  r.route = provenance.route;
  r.seconds = Since(start);
  return r;
}

// One route: a backend with its options, for the clips its rule selects.
struct Route {
  std::string name;
  std::string when;
  OptionValues values;
  std::unique_ptr<CaptionBackend> backend;
  KeyframeOptions keyframes;
  std::optional<Glossary> glossary;
  std::unordered_set<int64_t> clips;  // selected by `when` (unused when `when` is "")
};

// The recipe's routes over the command line's options, or the one route "default".
Result<std::vector<Route>> BuildRoutes(Catalog& catalog, const Recipe& recipe,
                                       const OptionValues& values) {
  std::vector<Route> routes;
  std::vector<CaptionRoute> declared = recipe.caption_routes;
  if (declared.empty()) declared.push_back({"default", "", {}});
  std::set<std::string> known;
  if (std::any_of(declared.begin(), declared.end(),
                  [](const CaptionRoute& r) { return !r.when.empty(); })) {
    auto names = KnownAttributeNames(catalog);
    if (!names.ok()) return names.status();
    known = std::move(names.value());
  }
  for (size_t i = 0; i < declared.size(); ++i) {
    const CaptionRoute& d = declared[i];
    std::map<std::string, std::string> merged = values.text();
    for (const auto& [k, v] : d.options) merged[k] = v;
    auto resolved = ResolveOptions(CaptionPassOptions(), merged, "caption route '" + d.name + "'");
    if (!resolved.ok()) return resolved.status();
    Route route;
    route.name = d.name;
    route.when = d.when;
    route.values = std::move(resolved.value());
    auto backend = MakeCaptionBackend(route.values);
    if (!backend.ok()) {
      return Status::Error("caption route '" + d.name + "': " + backend.status().message());
    }
    route.backend = std::move(backend.value());
    route.keyframes = KeyframeOptionsOf(route.values);
    if (const std::string& g = route.values.GetString("glossary"); !g.empty()) {
      auto glossary = Glossary::Load(g);
      if (!glossary.ok()) return glossary.status();
      route.glossary = std::move(glossary.value());
    }
    if (!d.when.empty()) {
      auto rule = CompileRule(d.name, d.when, known);
      if (!rule.ok()) {
        return Status::Error("caption route '" + d.name + "': " + rule.status().message());
      }
      const std::string table = "caption_route_" + std::to_string(i);
      auto n = catalog.SelectClips(table, "", rule.value());
      if (!n.ok()) return Status::Error("caption route '" + d.name + "': " + n.status().message());
      Status walk = catalog.ForEachClip(
          [&](const VideoRecord&, const ClipRecord& c) {
            route.clips.insert(c.id);
            return true;
          },
          table);
      if (!walk.ok()) return walk;
    }
    routes.push_back(std::move(route));
  }
  return routes;
}

}  // namespace

const std::vector<OptionDecl>& CaptionPassOptions() {
  static const std::vector<OptionDecl> kOptions = {
      {"backend", OptionType::kString, "template",
       "template (measured facts only, no model), openai (any OpenAI-compatible server), llama "
       "(llama.cpp in process)"},
      {"endpoint", OptionType::kString, "http://127.0.0.1:8080/v1",
       "base URL of the OpenAI-compatible server (backend openai)"},
      {"model", OptionType::kString, "",
       "model name sent to the server (openai), or the model GGUF file (llama)"},
      {"mmproj", OptionType::kString, "", "the vision projector GGUF file (backend llama)"},
      {"api_key_env", OptionType::kString, "",
       "environment variable holding the API key, e.g. OPENAI_API_KEY; \"\" = no key; the key is "
       "never logged or stored"},
      {"max_tokens", OptionType::kInt, "1024", "reply tokens at most per request", 16, 32768},
      {"ctx", OptionType::kInt, "4096", "context tokens of the in-process model (backend llama)",
       512, 262144},
      {"threads", OptionType::kInt, "2", "CPU threads of the in-process model (backend llama)", 1,
       256},
      {"tier", OptionType::kString, "", "caption only clips in this tier"},
      {"where", OptionType::kString, "", "caption only clips matching this rule"},
      {"limit", OptionType::kInt, "-1", "caption at most this many clips; -1 = all", -1, 1e12},
      {"force", OptionType::kBool, "false", "redo clips already captioned the same way"},
      {"concurrency", OptionType::kInt, "4", "clips captioned at once", 1, 256},
      {"rpm", OptionType::kDouble, "0", "requests per minute to the server; 0 = no limit", 0, 1e9},
      {"timeout", OptionType::kDouble, "120", "seconds per request", 1, 3600},
      {"retries", OptionType::kInt, "4", "retries on 429/5xx/connection errors", 0, 20},
      {"max_frames", OptionType::kInt, "8", "keyframes per clip at most", 1, 64},
      {"max_change_frames", OptionType::kInt, "16",
       "keyframes per clip at most when strong picture changes ask for more", 1, 128},
      {"long_side", OptionType::kInt, "448", "pixels of a keyframe's longer side", 64, 4096},
      {"patch", OptionType::kInt, "28",
       "pixels per visual token side in the backend's arithmetic (28: Qwen2-VL 14 px x 2x2)", 1,
       1024},
      {"batch", OptionType::kInt, "64", "clips per commit (also committed every second)", 1,
       100000},
      {"glossary", OptionType::kString, "",
       "glossary YAML (caption/glossary.h): terms put into VLM prompts when a clip shows them"},
      {"context_chars", OptionType::kInt, "800",
       "characters of glossary and neighbour context a prompt may carry", 0, 100000},
      {"plan_file", OptionType::kString, "",
       "write each clip's keyframe plan here as JSON lines (seconds on the video's clock)"},
      {"plan_only", OptionType::kBool, "false",
       "choose keyframes and report visual tokens; call no backend, write nothing"},
      {"shard", OptionType::kString, "",
       "i/N: caption only the i-th (0-based) of N disjoint shards of the clips, chosen by a hash "
       "of the video's fingerprint and the clip's index; shards of one dataset may run at once "
       "on one machine (docs/scale-out.md)"},
  };
  return kOptions;
}

Result<std::string> RunCaptionPass(Catalog& catalog, const Recipe& recipe,
                                   const OptionValues& values) {
  const auto start = Clock::now();
  auto routes_or = BuildRoutes(catalog, recipe, values);
  if (!routes_or.ok()) return routes_or.status();
  const std::vector<Route>& routes = routes_or.value();
  const bool force = values.GetBool("force");
  const bool plan_only = values.GetBool("plan_only");
  const long limit = values.GetInt("limit");
  ShardSpec shard;
  if (const std::string& text = values.GetString("shard"); !text.empty()) {
    auto parsed = ParseShard(text);
    if (!parsed.ok()) return parsed.status();
    shard = parsed.value();
  }

  ClipFilter filter{values.GetString("tier"), values.GetString("where")};
  std::string table;
  if (!filter.empty()) {
    auto selected = SelectClips(catalog, filter);
    if (!selected.ok()) return selected.status();
    table = kSelectedClipsTable;
  }
  // The work list: ids only (8 bytes a clip), so memory stays small on big catalogs; each worker
  // loads its clip when it gets to it.
  std::vector<std::pair<int64_t, size_t>> todo;  // clip id, route index
  long selected = 0, skipped = 0;
  Status walk = catalog.ForEachClip(
      [&](const VideoRecord& v, const ClipRecord& c) {
        if (v.status != "ok") return true;
        // The key survives `clipdex merge` (clip ids do not): the same clip is in the same shard
        // in a shard's dataset and in the merged one.
        if (shard.active() && !shard.Contains(v.fingerprint + "#" + std::to_string(c.index))) {
          return true;
        }
        ++selected;
        size_t r = 0;
        while (r + 1 < routes.size() && !routes[r].when.empty() && !routes[r].clips.count(c.id)) {
          ++r;
        }
        if (!routes[r].when.empty() && !routes[r].clips.count(c.id)) return true;  // no route
        if (!force && !plan_only && AlreadyDone(c, *routes[r].backend)) {
          ++skipped;
          return true;
        }
        if (limit >= 0 && static_cast<long>(todo.size()) >= limit) return true;
        todo.emplace_back(c.id, r);
        return true;
      },
      table);
  if (!walk.ok()) return walk;

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> plan_file(nullptr, &std::fclose);
  if (const std::string& path = values.GetString("plan_file"); !path.empty()) {
    plan_file.reset(std::fopen(path.c_str(), "w"));
    if (!plan_file) return Status::Error("caption: cannot write " + path);
  }
  std::mutex mu;
  std::condition_variable ready;
  std::deque<ClipResult> results;
  std::atomic<size_t> next{0};
  const double frame_timeout = values.GetDouble("timeout");
  const int workers = static_cast<int>(
      std::min<long>(values.GetInt("concurrency"), std::max<size_t>(todo.size(), 1)));
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < todo.size(); i = next++) {
        const Route& route = routes[todo[i].second];
        ClipResult r;
        try {
          r = CaptionOne(catalog, todo[i].first, route.name, *route.backend, route.keyframes,
                         route.glossary ? &*route.glossary : nullptr,
                         static_cast<size_t>(route.values.GetInt("context_chars")), frame_timeout);
        } catch (const std::exception& e) {
          // A bug must cost one clip, not the run: it is reported, nothing is written for the
          // clip, and the next run tries it again.
          r = ClipResult{};
          r.clip_id = todo[i].first;
          r.failed = true;
          r.error = std::string("internal error: ") + e.what();
          r.route = "fallback";
        }
        std::lock_guard lock(mu);
        results.push_back(std::move(r));
        ready.notify_one();
      }
    });
  }

  Totals totals;
  std::map<std::string, Totals> per_route;
  std::vector<std::string> errors;
  Status commit_error;
  const size_t batch = static_cast<size_t>(values.GetInt("batch"));
  size_t received = 0;
  std::vector<AttributeWrite> pending;
  size_t pending_clips = 0;
  auto last_commit = Clock::now();
  auto last_progress = Clock::now();
  auto flush = [&] {
    if (pending.empty() || !commit_error.ok()) return;
    commit_error = catalog.WriteClipAttributes("caption.", pending);
    pending.clear();
    pending_clips = 0;
    last_commit = Clock::now();
  };
  while (received < todo.size()) {
    std::deque<ClipResult> got;
    {
      std::unique_lock lock(mu);
      ready.wait_for(lock, std::chrono::milliseconds(500), [&] { return !results.empty(); });
      got.swap(results);
    }
    for (ClipResult& r : got) {
      ++received;
      Totals* t[] = {&totals, &per_route[r.route]};
      for (Totals* x : t) {
        ++x->done;
        x->failed += r.failed;
        x->frames += r.frames;
        x->visual_tokens += r.visual_tokens;
        x->baseline_tokens += r.baseline_tokens;
        x->tokens_in += r.tokens_in;
        x->tokens_out += r.tokens_out;
        x->seconds += r.seconds;
      }
      if (r.failed && errors.size() < 5) {
        errors.push_back("clip " + std::to_string(r.clip_id) + ": " + r.error);
      }
      if (plan_file) std::fprintf(plan_file.get(), "%s\n", r.plan.dump().c_str());
      if (plan_only) continue;
      for (Attribute& a : r.attributes) {
        pending.push_back({r.clip_id, std::move(a.name), a.number, std::move(a.text)});
      }
      ++pending_clips;
    }
    if (pending_clips >= batch || Since(last_commit) >= 1.0) flush();
    if (Since(last_progress) >= 5.0) {
      std::fprintf(stderr, "caption: %zu / %zu clips, %ld failed, %.0f s\n", received, todo.size(),
                   totals.failed, Since(start));
      last_progress = Clock::now();
    }
  }
  for (std::thread& t : threads) t.join();
  flush();
  if (!commit_error.ok()) return commit_error;

  std::string report;
  for (const Route& route : routes) {
    report +=
        Fmt("caption: route %s: backend %s%s%s%s%s, prompt %s%s\n", route.name.c_str(),
            route.backend->name().c_str(), route.backend->model().empty() ? "" : ", model ",
            route.backend->model().c_str(), route.when.empty() ? "" : ", when ", route.when.c_str(),
            kCaptionPromptVersion, plan_only ? " (plan only: nothing written)" : "");
  }
  report +=
      Fmt("selected %ld clips: captioned %ld, already done %ld (skipped), failed %ld%s\n", selected,
          totals.done - totals.failed, skipped, totals.failed,
          totals.failed > 0 ? " (template caption stored with caption.error; rerun retries)" : "");
  for (const std::string& e : errors) report += "  " + e + "\n";
  if (totals.frames > 0) {
    report += Fmt("keyframes %ld, visual tokens %ld (uniform 2 fps at 448 px: %ld, %.1fx fewer)\n",
                  totals.frames, totals.visual_tokens, totals.baseline_tokens,
                  totals.visual_tokens > 0
                      ? static_cast<double>(totals.baseline_tokens) / totals.visual_tokens
                      : 0.0);
  }
  for (const auto& [name, t] : per_route) {
    report += Fmt("route %-9s clips %ld, tokens in %ld out %ld, %.2f clip-seconds\n", name.c_str(),
                  t.done, t.tokens_in, t.tokens_out, t.seconds);
  }
  const double seconds = Since(start);
  report += Fmt("in %.3f s (%.1f clips/s)\n", seconds, seconds > 0 ? totals.done / seconds : 0.0);
  return report;
}

}  // namespace clipdex
