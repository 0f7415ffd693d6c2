#include "analyze/analyzer_registry.h"

#include <type_traits>
#include <utility>

#include "analyze/aesthetic.h"
#include "analyze/artifact_classifier.h"
#include "analyze/borders.h"
#include "analyze/brisque.h"
#include "analyze/camera_motion.h"
#include "analyze/dup_signature.h"
#include "analyze/framing.h"
#include "analyze/native_quality.h"
#include "analyze/quality.h"
#include "analyze/text.h"
#include "models/model_manifest.h"
#include "models/onnx_session.h"

namespace clipdex {

// Why one table rather than a descriptor beside each analyzer: a setup function resolves model
// slots and loads shared models (manifest, ONNX Runtime), which the analyzer classes themselves do
// not depend on (their tests construct them from plain paths); and one table makes the run order
// and the whole set reviewable at a glance. Each row is self-contained: adding an analyzer adds a
// row, nothing else in this file or elsewhere.

namespace {

SlotState Slot(const AnalyzerEnv& env, const std::string& id) {
  return ResolveModelSlot(*FindModelSlot(id), env.model_roots);
}

// Loads a shared model with load() unless *why_not already disables the analyzer; a load error
// becomes the reason. Models load once, here, so a contract violation is reported before the run
// and every worker and video shares one session (sessions run from several threads at once).
template <typename Load>
auto LoadUnlessDisabled(std::string* why_not, Load&& load) {
  std::decay_t<decltype(load().value())> out;
  if (!why_not->empty()) return out;
  auto loaded = load();
  if (loaded.ok()) {
    out = std::move(loaded.value());
  } else {
    *why_not = loaded.status().message();
  }
  return out;
}

// Setups of the analyzers that need more than a line; the table below says what each is.

AnalyzerSetup SetupFraming(const AnalyzerEnv& env, const OptionValues&) {
  const SlotState face = Slot(env, "face");
  std::error_code ec;
  const std::string haar = FramingAnalyzer::DefaultHaarCascade();
  const bool have_haar = std::filesystem::is_regular_file(haar, ec);
  AnalyzerSetup s;
  if (face.ready) {
    s.note = "framing: YuNet face detector " + face.path.string() +
             (OrtAvailable() ? " (ONNX Runtime)" : " (OpenCV DNN)");
  } else if (have_haar) {
    s.note =
        "framing: face slot not ready (" + face.reason + "), faces by the Haar cascade " + haar;
  } else {
    s.note = "framing: no face model (" + face.reason + "; " + haar +
             " missing): shot scale from saliency only";
  }
  const std::string model = face.ready ? face.path.string() : "";
  s.factory = [model] { return std::make_unique<FramingAnalyzer>(model); };
  return s;
}

AnalyzerSetup SetupQuality(const AnalyzerEnv& env, const OptionValues&) {
  const std::filesystem::path brisque_dir = env.opencv_data_dir.empty()
                                                ? BrisqueScorer::DefaultModelDir()
                                                : env.opencv_data_dir / "quality";
  auto brisque = BrisqueScorer::Shared(brisque_dir);
  AnalyzerSetup s;
  s.note = brisque.ok() ? "quality: classical measures + BRISQUE (" + brisque_dir.string() + ")"
                        : "quality: classical measures; quality.brisque not written: " +
                              brisque.status().message();
  // The factory holds the loaded model so each video's analyzer shares it, not reloads it.
  std::shared_ptr<BrisqueScorer> keep = brisque.ok() ? brisque.value() : nullptr;
  s.factory = [brisque_dir, keep] {
    (void)keep;
    return std::make_unique<QualityAnalyzer>(brisque_dir);
  };
  return s;
}

AnalyzerSetup SetupText(const AnalyzerEnv& env, const OptionValues&) {
  TextModelFiles files;
  std::string why_not;
  std::filesystem::path* dest[] = {&files.det, &files.rec, &files.dictionary};
  const char* ids[] = {"text_det", "text_rec", "text_dict"};
  for (int k = 0; k < 3 && why_not.empty(); ++k) {
    const SlotState st = Slot(env, ids[k]);
    if (st.ready) {
      *dest[k] = st.path;
    } else {
      why_not = std::string(ids[k]) + " " + st.reason;
    }
  }
  TextOptions text_options;
  text_options.reader.threads = env.model_threads;
  std::shared_ptr<TextReader> reader = LoadUnlessDisabled(&why_not, [&] {
    return TextReader::Load(files.det, files.rec, files.dictionary, text_options.reader);
  });
  AnalyzerSetup s;
  if (!why_not.empty()) {
    s.note = "text: disabled (text.*, watermark.* not computed): " + why_not;
    return s;
  }
  s.note = "text: PP-OCRv4 detector + recogniser " + files.det.parent_path().string();
  s.factory = [reader, text_options] {
    return std::make_unique<TextAnalyzer>(reader, text_options);
  };
  return s;
}

AnalyzerSetup SetupAesthetic(const AnalyzerEnv& env, const OptionValues&) {
  const SlotState clip = Slot(env, "clip_image");
  const SlotState b32 = Slot(env, "aesthetic_head"), l14 = Slot(env, "aesthetic_head_l14");
  std::string why_not = clip.ready ? "" : "clip_image " + clip.reason;
  std::shared_ptr<AestheticAnalyzer> loaded = LoadUnlessDisabled(&why_not, [&] {
    return AestheticAnalyzer::Load(clip.path, b32.ready ? b32.path : "", l14.ready ? l14.path : "",
                                   env.model_threads);
  });
  AnalyzerSetup s;
  if (!why_not.empty()) {
    s.note = "aesthetic: disabled (aesthetic.score, embedding.clip not computed): " + why_not;
    return s;
  }
  if (loaded->has_head()) {
    s.note = "aesthetic: CLIP image encoder " + clip.path.string() +
             " + LAION aesthetic head; embedding.clip stored";
  } else {
    // The embedding alone still serves `clipdex dedup --semantic`.
    const SlotState& head = loaded->dims() == 768 ? l14 : b32;
    s.note = "aesthetic: CLIP image encoder " + clip.path.string() +
             ", embedding.clip only (aesthetic.score not computed: " +
             (loaded->dims() == 512 || loaded->dims() == 768
                  ? head.id + " " + head.reason
                  : "no aesthetic head for " + std::to_string(loaded->dims()) + "-d embeddings") +
             ")";
  }
  s.factory = [loaded] { return loaded->Share(); };
  return s;
}

AnalyzerSetup SetupArtifactClassifier(const AnalyzerEnv& env, const OptionValues&) {
  const SlotState model = Slot(env, "ai_artifact_classifier");
  std::string why_not = model.ready ? "" : "ai_artifact_classifier " + model.reason;
  std::shared_ptr<ArtifactClassifierAnalyzer> loaded = LoadUnlessDisabled(
      &why_not, [&] { return ArtifactClassifierAnalyzer::Load(model.path, env.model_threads); });
  AnalyzerSetup s;
  if (!why_not.empty()) {
    s.note = "artifact_classifier: disabled (artifact.classifier_score not computed): " + why_not;
    return s;
  }
  s.note = "artifact_classifier: " + model.path.string() +
           " (artifact.classifier_score, an indicator from your model, not a verdict)";
  s.factory = [loaded] { return loaded->Share(); };
  return s;
}

// A setup for analyzers that need no model: always enabled, a fixed note.
template <typename MakeFactory>
std::function<AnalyzerSetup(const AnalyzerEnv&, const OptionValues&)> Always(std::string note,
                                                                             MakeFactory make) {
  return [note, make](const AnalyzerEnv&, const OptionValues& options) {
    return AnalyzerSetup{make(options), note};
  };
}

// The setup of an analyzer that needs no model and takes no options: `A()` per video.
template <typename A>
std::function<AnalyzerSetup(const AnalyzerEnv&, const OptionValues&)> NoModel(std::string note) {
  return Always(std::move(note), [](const OptionValues&) -> AnalyzerFactory {
    return [] { return std::make_unique<A>(); };
  });
}

AnalyzerFactory CameraFactory(const OptionValues& options) {
  CameraMotionOptions camera;
  camera.sample_fps = options.GetDouble("sample_fps");
  return [camera] { return std::make_unique<CameraMotionAnalyzer>(camera); };
}

AnalyzerFactory SignatureFactory(const OptionValues& options) {
  DupSignatureOptions signature;
  signature.sparse = options.GetBool("sparse");
  return [signature] { return std::make_unique<DupSignatureAnalyzer>(signature); };
}

std::vector<AnalyzerDescriptor> BuildRegistry() {
  const char* kNum = "number";
  const char* kText = "text";
  const char* kJson = "JSON text";
  // clang-format off
  return {
      {"camera", "Skip camera movement / motion analysis",
       {{"camera.movement", kText, "label"}, {"camera.confidence", kNum, "0..1"},
        {"camera.speed", kText, "none/slow/medium/fast"},
        {"camera.speed_value", kNum, "frame diagonals / s"}, {"camera.segments", kJson, "s"},
        {"motion.camera", kNum, "diagonals / s"}, {"motion.subject", kNum, "diagonals / s"},
        {"motion.overall", kNum, "diagonals / s"}},
       {},
       {{"sample_fps", OptionType::kDouble, "3",
         "frame pairs measured per second of video (segment resolution 1/sample_fps s)", 0.1,
         30}},
       Always("camera: global motion from tracked features (no model needed)", CameraFactory)},
      {"framing", "Skip faces and shot-scale analysis",
       {{"framing.shot_scale", kText, "label"}, {"framing.confidence", kNum, "0..1"},
        {"framing.faces", kNum, "count"}, {"framing.face_ratio", kNum, "0..1"},
        {"framing.detector", kText, "yunet/haar/none"},
        {"framing.evidence", kText, "face/body/upper_body/detail/depth_of_field/none"},
        {"framing.face_fraction", kNum, "0..1"}, {"framing.subject_height", kNum, "0..1"},
        {"framing.subject_width", kNum, "0..1"}, {"framing.subject_area", kNum, "0..1"},
        {"framing.person_height", kNum, "0..1"}, {"framing.upper_body_height", kNum, "0..1"},
        {"framing.sharp_fraction", kNum, "0..1"}, {"framing.sharp_spread", kNum, "log ratio"},
        {"framing.detail_scale", kNum, "0..1"}, {"framing.detail_scale_coarse", kNum, "0..1"},
        {"framing.edge_density", kNum, "0..1"}, {"framing.defocus_fraction", kNum, "0..1"},
        {"face.sharpness", kNum, "0..1"},
        {"face.exposure", kNum, "0..1"}, {"face.quality", kNum, "0..1"}},
       {"face"}, {}, SetupFraming},
      {"quality", "Skip technical quality, temporal defects and the aesthetic heuristic",
       {{"quality.brisque", kNum, "0..100, lower = better"},
        {"quality.exposure_under", kNum, "0..1"}, {"quality.exposure_over", kNum, "0..1"},
        {"quality.contrast", kNum, "0..0.5"}, {"quality.colorfulness", kNum, ">= 0"},
        {"quality.black_frames", kNum, "0..1"}, {"quality.blank_frames", kNum, "0..1"},
        {"quality.frozen_ratio", kNum, "0..1"}, {"aesthetic.heuristic", kNum, "0..10"}},
       {}, {}, SetupQuality},
      {"borders", "Skip letterbox / pillarbox detection",
       {{"borders.content_rect", kJson, "display pixels"}, {"borders.letterbox", kNum, "1/0"},
        {"borders.pillarbox", kNum, "1/0"}},
       {}, {},
       NoModel<BordersAnalyzer>(
           "borders: black bars from the native-size grey samples (no model needed)")},
      {"native_quality",
       "Skip sharpness, noise, blockiness, quality.score and the artefact indicators",
       {{"quality.sharpness", kNum, "0..1"}, {"quality.noise", kNum, "grey levels"},
        {"quality.blockiness", kNum, "ratio, 1 = no grid"}, {"quality.score", kNum, "0..100"},
        {"artifact.hf_energy", kNum, "0..1"}, {"artifact.spectral_peaks", kNum, "ratio"}},
       {}, {},
       NoModel<NativeQualityAnalyzer>(
           "native_quality: sharpness, noise, blockiness, quality.score, artefact indicators "
           "(no model needed)")},
      {"text", "Skip text, subtitle and watermark analysis (OCR)",
       {{"text.area_ratio", kNum, "0..1"}, {"text.area_ratio_mean", kNum, "0..1"},
        {"text.subtitle", kNum, "0/1"}, {"text.content", kText, "UTF-8"},
        {"text.boxes", kJson, "source pixels, s"}, {"watermark.present", kNum, "0/1"},
        {"watermark.rect", kJson, "source pixels"}, {"watermark.evidence", kText, "ocr/edges"}},
       {"text_det", "text_rec", "text_dict"}, {}, SetupText},
      {"aesthetic", "Skip the CLIP embedding and the LAION aesthetic score (user-supplied encoder)",
       {{"aesthetic.score", kNum, "about 1..10"},
        {"embedding.clip", kText, "i8:<D>:<scale>:<b64>"}},
       {"clip_image", "aesthetic_head", "aesthetic_head_l14"}, {}, SetupAesthetic},
      {"artifact_classifier",
       "Skip the user-supplied AI-artifact classifier (artifact.classifier_score)",
       {{"artifact.classifier_score", kNum, "0..1"}},
       {"ai_artifact_classifier"}, {}, SetupArtifactClassifier},
      {"dedup_signature", "Skip the perceptual-hash signature that `clipdex dedup` needs",
       {{"dedup.signature", kText, "perceptual-hash tokens"}},
       {},
       {{"sparse", OptionType::kBool, "false",
         "hash the frames sparse decoding keeps (skipped ones blended from their neighbours) "
         "instead of decoding every frame: ~8 % less ingest wall, 12 % less CPU; 1 of 143 "
         "tuning copies lost"}},
       Always("dedup_signature: perceptual hashes of every frame up to 30/s at 160 px (no model "
              "needed)", SignatureFactory)},
  };
  // clang-format on
}

}  // namespace

const std::vector<AnalyzerDescriptor>& AnalyzerRegistry() {
  static const std::vector<AnalyzerDescriptor> kRegistry = BuildRegistry();
  return kRegistry;
}

const AnalyzerDescriptor* FindAnalyzer(const std::string& name) {
  for (const AnalyzerDescriptor& a : AnalyzerRegistry()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::string AnalyzerOffFlag(const AnalyzerDescriptor& analyzer) {
  std::string flag = "--no-" + analyzer.name;
  for (char& c : flag) {
    if (c == '_') c = '-';
  }
  return flag;
}

Result<OptionValues> ResolveAnalyzerOptions(const AnalyzerDescriptor& analyzer,
                                            const std::map<std::string, std::string>& params) {
  return ResolveOptions(analyzer.options, params, "analyzer '" + analyzer.name + "'");
}

}  // namespace clipdex
