#include "caption/keyframes.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "analyze/camera_motion.h"
#include "analyze/dup_signature.h"
#include "caption/caption_facts.h"

namespace clipdex {

namespace {

using nlohmann::json;

int Bits(uint64_t a, uint64_t b) { return std::popcount(a ^ b); }

bool Inside(const std::vector<std::pair<double, double>>& spans, double t) {
  return std::any_of(spans.begin(), spans.end(),
                     [&](const auto& s) { return s.first <= t && t < s.second; });
}

int Priority(const std::string& reason) {
  if (reason == "first" || reason == "last" || reason == "middle") return 0;
  if (reason == "segment") return 1;
  if (reason == "change") return 2;
  if (reason == "coverage") return 3;
  return 4;
}

}  // namespace

long VisualTokens(int width, int height, int long_side, int patch) {
  if (width <= 0 || height <= 0 || patch <= 0) return 0;
  const double scale = std::min(1.0, static_cast<double>(long_side) / std::max(width, height));
  const double w = std::max(1.0, std::round(width * scale));
  const double h = std::max(1.0, std::round(height * scale));
  return static_cast<long>(std::ceil(w / patch) * std::ceil(h / patch));
}

long UniformBaselineTokens(const VideoRecord& video, const ClipRecord& clip, double fps,
                           int long_side, int patch) {
  const double duration = std::max(0.0, clip.end_time - clip.start_time);
  const long frames = video.probe.is_image ? 1 : std::max(1L, std::lround(duration * fps));
  return frames *
         VisualTokens(video.probe.display_width(), video.probe.display_height(), long_side, patch);
}

KeyframePlan PlanKeyframes(const VideoRecord& video, const ClipRecord& clip, const json& measured,
                           const KeyframeOptions& o) {
  const double duration = std::max(0.0, clip.end_time - clip.start_time);
  // Timestamps a little inside the clip: the very first/last frame time may fall on the
  // neighbouring shot after a seek rounds.
  const double edge = std::min(0.05, duration / 4);
  std::vector<Keyframe> candidates, late_changes;
  // Camera segments (clip time) moving fast by their rate whatever the label, and moving at
  // medium or fast speed by their label.
  std::vector<std::pair<double, double>> fast, moving;
  KeyframePlan plan;

  // Signature samples, spread uniformly over the clip (dup_signature.h keeps them in time order
  // and subsamples uniformly, so sample i sits at about (i + 0.5) / n of the clip).
  std::vector<uint64_t> hashes;
  if (const Attribute* a = FindAttribute(clip, "dedup.signature"); a != nullptr) {
    auto sig = DupSignature::Parse(a->text);
    if (sig.ok()) {
      for (const FrameHash& f : sig->frames) hashes.push_back(f.of(HashKind::kPlain));
    }
  }
  auto sample_time = [&](size_t i) { return (i + 0.5) / hashes.size() * duration; };

  bool changes = false;
  if (video.probe.is_image || duration <= 0) {
    candidates.push_back({0, "middle"});
  } else {
    candidates.push_back({edge, "first"});
    if (duration > 1.0) candidates.push_back({duration - edge, "last"});
    // Fast camera movement changes the whole picture continuously, in a way perceptual hashes
    // (built to ignore small shifts) do not see: one frame per second of it, as "change" frames.
    // Fast by the measured rate (camera.segments, on the file's clock), whatever the label: a
    // segment labelled unknown or handheld at a fast rate is violent motion (the underwater
    // diver clip), and its label's speed says "none".
    if (const Attribute* a = FindAttribute(clip, "camera.segments"); a != nullptr) {
      const json segs = json::parse(a->text, nullptr, /*allow_exceptions=*/false);
      for (const json& s : segs.is_array() ? segs : json::array()) {
        if (!s.is_object()) continue;
        const std::pair<double, double> span{
            std::max(0.0, s.value("start", 0.0) - clip.start_time),
            std::min(duration, s.value("end", 0.0) - clip.start_time)};
        const double rate = s.value("rate", 0.0);
        if (CameraSpeedLabel("handheld", rate) == "fast") fast.push_back(span);
        if (CameraSpeedLabel(s.value("label", std::string()), rate) != "slow" &&
            CameraSpeedLabel(s.value("label", std::string()), rate) != "none") {
          moving.push_back(span);
        }
      }
    }
    auto in_fast = [&](double t) { return Inside(fast, t); };
    // Picture changes, strongest first: when they outnumber the budget, the frames go to the
    // biggest changes, not to the earliest ones (the cockatoo's one strong change came last).
    // A jump inside fast movement is mostly the movement, which its frame a second already
    // shows: such jumps come after every other change (see `late_changes`).
    std::vector<std::pair<int, double>> jumps;  // (bits, time)
    for (size_t i = 1; i < hashes.size(); ++i) {
      const int bits = Bits(hashes[i - 1], hashes[i]);
      if (bits > o.change_bits) jumps.emplace_back(bits, sample_time(i));
    }
    std::stable_sort(jumps.begin(), jumps.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [bits, t] : jumps) {
      (in_fast(t) ? late_changes : candidates).push_back({t, "change"});
      changes = true;
    }
    for (const auto& [start, end] : fast) {
      for (double t = start + 0.5; t < end; t += o.fast_motion_step) {
        candidates.push_back({t, "change"});
        changes = true;
      }
    }
    // Segments only when the camera changes what it does: one segment is the whole clip, which
    // the first and last frames already show.
    if (auto segs = measured["camera"].find("segments");
        segs != measured["camera"].end() && segs->size() > 1) {
      for (const json& s : *segs) {
        const double start = s.value("start", 0.0), end = s.value("end", 0.0);
        if (end - start >= 1.0) candidates.push_back({start + 0.5, "segment"});
      }
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(), [](const Keyframe& a, const Keyframe& b) {
    return Priority(a.reason) < Priority(b.reason);
  });
  auto take = [&](const Keyframe& k) {
    // Changes may use up to `max_change_frames` in all: a lively clip is worth more frames, and
    // still far fewer than the uniform baseline's two a second.
    const int cap = k.reason == "segment" || Priority(k.reason) == 0
                        ? o.max_frames
                        : std::max(o.max_frames, o.max_change_frames);
    if (static_cast<int>(plan.frames.size()) >= cap) return;
    // A segment is already seen when a chosen frame lies within 0.5 s of its keyframe time.
    const double gap = k.reason == "segment" ? std::max(o.min_gap, 0.5) : o.min_gap;
    const bool near = std::any_of(plan.frames.begin(), plan.frames.end(), [&](const Keyframe& f) {
      return std::abs(f.time - k.time) <= gap;
    });
    if (!near) plan.frames.push_back(k);
  };
  for (const Keyframe& k : candidates) take(k);
  // While the camera moves, a clip is never unseen for longer than `max_unseen` seconds: the
  // view changes below the change threshold (a handheld close-up turning) and events in order
  // need frames through it. A fixed camera's clip is not filled: what changes there is a
  // picture change, and the hashes see those. The widest gap is split first.
  if (changes) {
    for (;;) {
      std::vector<double> times{0.0, duration};
      for (const Keyframe& f : plan.frames) times.push_back(f.time);
      std::sort(times.begin(), times.end());
      double widest = 0, mid = 0;
      for (size_t i = 1; i < times.size(); ++i) {
        if (times[i] - times[i - 1] > widest && Inside(moving, (times[i] + times[i - 1]) / 2)) {
          widest = times[i] - times[i - 1];
          mid = (times[i] + times[i - 1]) / 2;
        }
      }
      const size_t before = plan.frames.size();
      if (widest > o.max_unseen) take({mid, "coverage"});
      if (plan.frames.size() == before) break;
    }
  }
  for (const Keyframe& k : late_changes) take(k);
  // Novelty: the sample least like any chosen frame (by its nearest sample's hash).
  if (!hashes.empty()) {
    auto nearest_sample = [&](double t) {
      const double pos = t / duration * hashes.size() - 0.5;
      return static_cast<size_t>(
          std::clamp(std::lround(pos), 0L, static_cast<long>(hashes.size()) - 1));
    };
    while (static_cast<int>(plan.frames.size()) < o.max_frames) {
      int best_bits = -1;
      size_t best = 0;
      for (size_t i = 0; i < hashes.size(); ++i) {
        int d = 64;
        for (const Keyframe& f : plan.frames)
          d = std::min(d, Bits(hashes[i], hashes[nearest_sample(f.time)]));
        if (d > best_bits) {
          best_bits = d;
          best = i;
        }
      }
      if (best_bits <= o.novelty_bits) break;
      const double t = sample_time(best);
      const bool near = std::any_of(plan.frames.begin(), plan.frames.end(), [&](const Keyframe& f) {
        return std::abs(f.time - t) < o.min_gap;
      });
      if (near) break;
      plan.frames.push_back({t, "novelty"});
    }
  }
  // A static clip whose two ends look alike says everything in one frame.
  const std::string movement = measured["camera"].value("movement", std::string());
  const bool has_text =
      measured.contains("on_screen_text") && measured["on_screen_text"].contains("lines");
  const bool still = (movement == "static" || movement == "unknown") && !changes;
  if (still && plan.frames.size() == 2 && hashes.size() >= 2 &&
      Bits(hashes.front(), hashes.back()) <= o.novelty_bits) {
    plan.frames = {{duration / 2, "middle"}};
  }
  std::sort(plan.frames.begin(), plan.frames.end(),
            [](const Keyframe& a, const Keyframe& b) { return a.time < b.time; });
  plan.long_side = still && !has_text ? o.small_side : o.long_side;
  plan.visual_tokens = static_cast<long>(plan.frames.size()) *
                       VisualTokens(video.probe.display_width(), video.probe.display_height(),
                                    plan.long_side, o.patch);
  return plan;
}

}  // namespace clipdex
