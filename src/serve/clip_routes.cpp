// GET /api/v1/clip/{id}: everything the catalog knows about one clip; GET /api/v1/stats: the
// dataset overview.
#include <string>

#include "catalog/clip_json.h"
#include "curate/tier_rules.h"
#include "serve/http_json.h"
#include "serve/serve_context.h"

namespace clipdex {
namespace {

constexpr int kMaxNearDuplicates = 50;
constexpr int kLogEntries = 20;

nlohmann::ordered_json ParsedOrText(const std::string& text) {
  if (!text.empty() && (text.front() == '[' || text.front() == '{')) {
    auto parsed = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) return parsed;
  }
  return text;
}

nlohmann::ordered_json AttributeValue(const Attribute& a) {
  if (a.number) return *a.number;
  return ParsedOrText(a.text);
}

// Fills `body` with the clip's detail; an error Status is a catalog failure (500).
Status ClipBody(Catalog& catalog, const ClipDetail& d, nlohmann::ordered_json* body) {
  nlohmann::ordered_json& j = *body;
  const ClipRecord& c = d.clip;
  j["id"] = c.id;
  j["video"] = d.video.path;
  j["fingerprint"] = d.video.fingerprint;
  j["index"] = c.index;
  j["start"] = c.start_time;
  j["end"] = c.end_time;
  j["duration"] = c.end_time - c.start_time;
  j["first_frame"] = c.first_frame;
  j["last_frame"] = c.last_frame;
  j["transition_in"] = c.transition_in;
  j["transition_out"] = c.transition_out;
  j["too_short"] = c.too_short;
  j["split_part"] = c.split_part;
  j["has_thumbnail"] = !c.thumbnail.empty();
  j["width"] = d.video.probe.display_width();
  j["height"] = d.video.probe.display_height();
  j["fps"] = d.video.probe.fps();
  nlohmann::ordered_json attributes = nlohmann::ordered_json::object();
  nlohmann::ordered_json captions = nlohmann::ordered_json::object();
  std::string dedup_group;
  nlohmann::ordered_json segments = nlohmann::ordered_json::array();
  for (const Attribute& a : c.attributes) {
    if (IsInternalAttribute(a.name)) continue;
    attributes[a.name] = AttributeValue(a);
    if (a.name.rfind("caption.", 0) == 0) captions[a.name] = AttributeValue(a);
    if (a.name == "dedup.group") {
      dedup_group = a.number ? std::to_string(static_cast<long long>(*a.number)) : a.text;
    }
    if (a.name == "camera.segments") {
      auto parsed = ParsedOrText(a.text);
      if (parsed.is_array()) segments = parsed;
    }
  }
  j["attributes"] = std::move(attributes);
  j["captions"] = std::move(captions);
  // Keyframes: the start of every camera segment (where the movement changes).
  nlohmann::ordered_json keyframes = nlohmann::ordered_json::array();
  for (const auto& s : segments) {
    if (s.is_object() && s.contains("start") && s["start"].is_number()) {
      keyframes.push_back(s["start"]);
    }
  }
  j["camera_segments"] = segments;
  j["keyframes"] = std::move(keyframes);

  nlohmann::ordered_json tier;
  tier["tiered"] = d.tiered;
  tier["tier"] = d.tier;
  tier["rule"] = d.rule;
  tier["missed"] = ParsedOrText(d.missed);
  tier["recipe"] = d.recipe;
  j["tier"] = std::move(tier);

  auto manual = catalog.ManualTierOf(c.id);
  if (!manual.ok()) return manual.status();
  if (manual.value()) {
    const ManualTier& m = *manual.value();
    j["manual_tier"] = {{"tier", m.tier}, {"reason", m.reason}, {"who", m.who}, {"at", m.at}};
  } else {
    j["manual_tier"] = nullptr;
  }
  auto tags = catalog.TagsOf(c.id);
  if (!tags.ok()) return tags.status();
  nlohmann::ordered_json tag_list = nlohmann::ordered_json::array();
  for (const ClipTag& t : tags.value()) {
    tag_list.push_back({{"tag", t.tag}, {"who", t.who}, {"at", t.at}});
  }
  j["tags"] = std::move(tag_list);
  auto log = catalog.CurationLog(c.id, kLogEntries);
  if (!log.ok()) return log.status();
  nlohmann::ordered_json log_list = nlohmann::ordered_json::array();
  for (const CurationEntry& e : log.value()) {
    log_list.push_back({{"action", e.action},
                        {"value", e.value},
                        {"reason", e.reason},
                        {"who", e.who},
                        {"at", e.at}});
  }
  j["log"] = std::move(log_list);

  auto explanation = ExplainClip(catalog, std::to_string(c.id));
  j["explain"] =
      explanation.ok() ? FormatExplanation(explanation.value()) : explanation.status().message();

  nlohmann::ordered_json near = nlohmann::ordered_json::array();
  if (!dedup_group.empty()) {
    auto members = catalog.DedupGroupMembers(dedup_group, kMaxNearDuplicates);
    if (!members.ok()) return members.status();
    for (const DedupMember& m : members.value()) {
      if (m.video_path == d.video.path && m.index == c.index) continue;
      auto found = catalog.FindClip(m.video_path, "", m.index);
      if (!found.ok()) return found.status();
      nlohmann::ordered_json n;
      n["id"] = found.value() ? nlohmann::ordered_json(found.value()->clip.id) : nullptr;
      n["video"] = m.video_path;
      n["index"] = m.index;
      n["tier"] = m.tier;
      n["dup_of"] = m.dup_of;
      near.push_back(std::move(n));
    }
  }
  j["dedup_group"] = dedup_group;
  j["near_duplicates"] = std::move(near);
  return Status::Ok();
}

void HandleClip(ServeContext& context, const httplib::Request& request,
                httplib::Response& response) {
  auto id = ClipIdFrom(request);
  if (!id) return SendError(response, 404, "no such clip");
  auto lease = context.pool().Acquire();
  if (!lease.ok()) return SendError(response, 503, lease.status().message());
  auto detail = (*lease)->FindClip(*id);
  if (!detail.ok()) return SendError(response, 500, detail.status().message());
  if (!detail.value())
    return SendError(response, 404, "clip " + std::to_string(*id) + " does not exist");
  nlohmann::ordered_json body;
  Status s = (*lease)->ExpandTierReasons(&*detail.value());
  if (s.ok()) s = ClipBody(**lease, *detail.value(), &body);
  if (!s.ok()) return SendError(response, 500, s.message());
  SendJson(response, body);
}

nlohmann::ordered_json TierJson(const TierTotal& t) {
  return {{"tier", t.tier}, {"clips", t.clips}, {"seconds", t.seconds}};
}

void HandleStats(ServeContext& context, httplib::Response& response) {
  auto lease = context.pool().Acquire();
  if (!lease.ok()) return SendError(response, 503, lease.status().message());
  Catalog& catalog = **lease;
  auto summary = catalog.GetSummary();
  auto tiers = catalog.TierTotals();
  auto untiered = catalog.UntieredTotal();
  auto index = catalog.GetSearchIndexStats();
  auto dedup = catalog.GetDedupTotals();
  auto movement = catalog.CategoryCounts("camera.movement");
  auto scale = catalog.CategoryCounts("framing.shot_scale");
  for (const Status* s : {&summary.status(), &tiers.status(), &untiered.status(), &index.status(),
                          &dedup.status(), &movement.status(), &scale.status()}) {
    if (!s->ok()) return SendError(response, 500, s->message());
  }
  nlohmann::ordered_json body;
  body["dataset"] = context.options().dataset.string();
  body["read_only"] = context.options().read_only;
  body["videos_ok"] = summary->videos_ok;
  body["videos_failed"] = summary->videos_failed;
  body["clips"] = summary->clips;
  body["hours"] = summary->hours;
  body["runs"] = summary->runs;
  body["transitions"] = summary->transitions_by_type;
  nlohmann::ordered_json tier_list = nlohmann::ordered_json::array();
  for (const TierTotal& t : tiers.value()) tier_list.push_back(TierJson(t));
  body["tiers"] = std::move(tier_list);
  body["untiered"] = TierJson(untiered.value());
  body["search_index"] = {{"indexed", index->indexed}, {"dirty", index->dirty}};
  body["dedup"] = {{"grouped", dedup->grouped},
                   {"duplicates", dedup->duplicates},
                   {"duplicate_seconds", dedup->duplicate_seconds}};
  auto counts = [](const std::vector<CategoryCount>& rows) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const CategoryCount& c : rows) {
      long prev = out.contains(c.value) ? out[c.value].get<long>() : 0;
      out[c.value] = prev + c.clips;
    }
    return out;
  };
  body["camera_movement"] = counts(movement.value());
  body["shot_scale"] = counts(scale.value());
  SendJson(response, body);
}

}  // namespace

void AddClipRoutes(httplib::Server& server, ServeContext& context) {
  server.Get(R"(/api/v1/clip/(\d+))",
             [&context](const httplib::Request& req, httplib::Response& res) {
               HandleClip(context, req, res);
             });
  server.Get("/api/v1/stats", [&context](const httplib::Request&, httplib::Response& res) {
    HandleStats(context, res);
  });
}

}  // namespace clipdex
