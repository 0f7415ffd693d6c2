#include "analyze/framing.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <stdexcept>

#include "analyze/framing_evidence.h"
#include "analyze/shot_scale_decision.h"
#include "models/yunet.h"
#include "util/stats.h"

namespace clipdex {
std::string FramingAnalyzer::DefaultHaarCascade() {
#ifdef CLIPDEX_OPENCV_DATA
  return std::string(CLIPDEX_OPENCV_DATA) + "/haarcascades/haarcascade_frontalface_default.xml";
#else
  return "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";
#endif
}

FramingAnalyzer::FramingAnalyzer(std::string yunet_model, std::string haar_cascade,
                                 FramingOptions options)
    : options_(options) {
  std::error_code ec;
  if (!yunet_model.empty() && std::filesystem::exists(yunet_model, ec)) {
    // Stills use the 640x640 export beside the 320 one when there is one.
    std::string still_model = yunet_model;
    const size_t at = still_model.rfind("320_320");
    if (at != std::string::npos) still_model.replace(at, 7, "640_640");
    const bool has_still = at != std::string::npos && std::filesystem::exists(still_model, ec);
    auto ort = YuNetOnnx::Load(yunet_model, options_.face_score, 0.3f, 50);
    if (ort.ok() && ort.value()->input_size() == cv::Size(320, 320)) {
      yunet_ort_ = std::move(ort.value());
      detector_name_ = "yunet";
      // Loaded at the first still: a video never needs it.
      if (has_still) still_model_ = still_model;
    } else {
      try {
        yunet_ = cv::FaceDetectorYN::create(yunet_model, "", cv::Size(320, 320),
                                            options_.face_score, 0.3f, 50);
        if (!yunet_.empty()) detector_name_ = "yunet";
      } catch (const cv::Exception&) {
        yunet_.reset();  // an unreadable model degrades to Haar, it does not stop the run
      }
      if (!yunet_.empty() && has_still) {
        try {
          yunet_still_ = cv::FaceDetectorYN::create(still_model, "", cv::Size(640, 640),
                                                    options_.still_face_score, 0.3f, 50);
        } catch (const cv::Exception&) {
          yunet_still_.reset();  // stills then use the video detector
        }
      }
    }
  }
  // The body cascades sit beside the face cascade (opencv-data's haarcascades folder).
  bodies_ = std::make_unique<BodyDetectors>(
      haar_cascade.empty() ? std::string()
                           : std::filesystem::path(haar_cascade).parent_path().string());
  if (detector_name_ != "yunet" && !haar_cascade.empty() &&
      std::filesystem::exists(haar_cascade, ec)) {
    auto haar = std::make_unique<cv::CascadeClassifier>();
    if (haar->load(haar_cascade)) {
      haar_ = std::move(haar);
      detector_name_ = "haar";
    }
  }
}

FramingAnalyzer::~FramingAnalyzer() = default;

FrameNeed FramingAnalyzer::need() const {
  return FrameNeed{options_.sample_fps, /*pairs=*/false, options_.long_side, /*gray=*/false};
}

// YuNet also returns five landmarks (right eye, left eye, nose tip, mouth corners). On wide
// shots it reports "faces" on car roofs and textures whose landmarks make no face: eyes not
// side by side, nose not below the eyes, mouth not below the nose. Rejecting those keeps real
// faces (upright or moderately tilted) and removes the false close-ups.
bool PlausibleLandmarks(const float* row) {
  const float w = row[2], h = row[3];
  if (w <= 0 || h <= 0) return false;
  const float rex = row[4], rey = row[5], lex = row[6], ley = row[7];
  const float nx = row[8], ny = row[9];
  const float mry = row[11], mly = row[13];
  const float eye_dx = std::abs(lex - rex), eye_y = 0.5f * (rey + ley),
              mouth_y = 0.5f * (mry + mly);
  if (eye_dx < 0.2f * w || eye_dx > 0.75f * w) return false;
  if (std::abs(rey - ley) > 0.35f * eye_dx) return false;
  if (!(ny > eye_y && mouth_y > ny)) return false;
  if (nx < std::min(rex, lex) - 0.1f * w || nx > std::max(rex, lex) + 0.1f * w) return false;
  for (int k = 0; k < 5; ++k) {
    const float x = row[4 + 2 * k], y = row[5 + 2 * k];
    if (x < row[0] - 0.1f * w || x > row[0] + 1.1f * w || y < row[1] - 0.1f * h ||
        y > row[1] + 1.1f * h) {
      return false;
    }
  }
  return true;
}

std::vector<cv::Rect> FramingAnalyzer::DetectFaces(const cv::Mat& image, bool still) {
  std::vector<cv::Rect> faces;
  if (image.empty()) return faces;
  cv::Mat bgr = image;
  if (bgr.channels() == 1) cv::cvtColor(bgr, bgr, cv::COLOR_GRAY2BGR);
  if (detector_name_ == "yunet") {
    // The 2022 YuNet exports have a fixed input (OpenCV 4.6 cannot resize it: setInputSize to
    // the frame size fails in the Eltwise shape check), so letterbox into 320x320: scale to
    // fit, pad right/bottom, and map boxes back. Stills use the 640x640 export the same way.
    if (still && !still_model_.empty()) {
      auto loaded = YuNetOnnx::Load(still_model_, options_.still_face_score, 0.3f, 50);
      if (loaded.ok()) yunet_ort_still_ = std::move(loaded.value());
      still_model_.clear();  // one try: a failed load leaves stills on the video detector
    }
    const bool use_still = still && (yunet_ort_still_ != nullptr || !yunet_still_.empty());
    const int kSide = use_still ? 640 : 320;
    const double s = double(kSide) / std::max(bgr.cols, bgr.rows);
    cv::Mat small, boxed(kSide, kSide, CV_8UC3, cv::Scalar(0, 0, 0));
    cv::resize(bgr, small,
               cv::Size(std::max(1, cvRound(bgr.cols * s)), std::max(1, cvRound(bgr.rows * s))), 0,
               0, cv::INTER_AREA);
    small.copyTo(boxed(cv::Rect(0, 0, small.cols, small.rows)));
    cv::Mat out;
    if (yunet_ort_ != nullptr) {
      auto found = (use_still ? *yunet_ort_still_ : *yunet_ort_).Detect(boxed);
      // A failed run is not "no faces": the clip records analysis.error (see AnalysisStage).
      if (!found.ok()) throw std::runtime_error(found.status().message());
      out = found.value();
    } else {
      try {
        (use_still ? *yunet_still_ : *yunet_).detect(boxed, out);
      } catch (const cv::Exception&) {
        return faces;
      }
    }
    for (int i = 0; i < out.rows; ++i) {
      // The landmark check guards the low video threshold; at the still threshold it would
      // only drop tilted and downward-looking heads (two of the faceapi group photos).
      if (!use_still && out.cols >= 14 && !PlausibleLandmarks(out.ptr<float>(i))) continue;
      cv::Rect r(cvRound(out.at<float>(i, 0) / s), cvRound(out.at<float>(i, 1) / s),
                 cvRound(out.at<float>(i, 2) / s), cvRound(out.at<float>(i, 3) / s));
      r &= cv::Rect(0, 0, bgr.cols, bgr.rows);
      if (r.area() > 0) faces.push_back(r);
    }
  } else if (haar_ != nullptr) {
    cv::Mat gray;
    cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
    cv::equalizeHist(gray, gray);
    const int min_side = std::max(16, std::min(gray.cols, gray.rows) / 30);
    haar_->detectMultiScale(gray, faces, 1.1, 5, 0, cv::Size(min_side, min_side));
  }
  return faces;
}

FramingAnalyzer::FaceQuality FramingAnalyzer::MeasureFace(const cv::Mat& bgr,
                                                          const cv::Rect& face) {
  FaceQuality q;
  const cv::Rect r = face & cv::Rect(0, 0, bgr.cols, bgr.rows);
  if (r.width < 4 || r.height < 4) return q;
  cv::Mat gray, small, lap;
  if (bgr.channels() == 3) {
    cv::cvtColor(bgr(r), gray, cv::COLOR_BGR2GRAY);
  } else {
    gray = bgr(r);
  }
  // A fixed 64x64 face makes the measure independent of how large the face is in the frame
  // (a small sharp face and a large sharp face score alike).
  cv::resize(gray, small, cv::Size(64, 64), 0, 0, cv::INTER_AREA);
  cv::Laplacian(small, lap, CV_32F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(lap, mean, stddev);
  const double v = stddev[0] * stddev[0];
  q.sharpness = v / (v + 150.0);
  q.exposure = cv::mean(small)[0] / 255.0;
  const double exposure_score = std::clamp(1.0 - std::abs(q.exposure - 0.5) / 0.4, 0.0, 1.0);
  q.quality = q.sharpness * exposure_score;
  return q;
}

void FramingAnalyzer::Analyze(const ClipSpan& clip, const std::vector<AnalysisFrame>& frames,
                              std::vector<Attribute>* out) {
  std::vector<double> face_ratios, face_sharpness, face_exposure, face_quality;
  std::vector<double> subject_h, subject_w, subject_a, sharp_fraction, sharp_spread, detail,
      detail_coarse, edges, defocus;
  std::vector<const cv::Mat*> faceless;  // samples without a face, for the body detectors
  int max_faces = 0, samples = 0;
  for (const AnalysisFrame& f : frames) {
    if (f.image.empty()) continue;
    ++samples;
    const std::vector<cv::Rect> faces = DetectFaces(f.image, clip.is_image);
    max_faces = std::max(max_faces, static_cast<int>(faces.size()));
    int tallest = 0;
    cv::Rect largest;
    for (const cv::Rect& r : faces) {
      tallest = std::max(tallest, r.height);
      if (r.area() > largest.area()) largest = r;
    }
    if (tallest > 0) {
      face_ratios.push_back(double(tallest) / f.image.rows);
      const FaceQuality q = MeasureFace(f.image, largest);
      face_sharpness.push_back(q.sharpness);
      face_exposure.push_back(q.exposure);
      face_quality.push_back(q.quality);
    } else {
      faceless.push_back(&f.image);
    }
    const PictureEvidence p = MeasurePicture(f.image);
    subject_h.push_back(p.subject_height);
    subject_w.push_back(p.subject_width);
    subject_a.push_back(p.subject_area);
    sharp_fraction.push_back(p.sharp_fraction);
    sharp_spread.push_back(p.sharp_spread);
    detail.push_back(p.detail_scale);
    detail_coarse.push_back(p.detail_scale_coarse);
    edges.push_back(p.edge_density);
    defocus.push_back(p.defocus_fraction);
  }
  if (samples == 0) {
    out->push_back(Attribute::Text("framing.evidence", "none"));
    out->push_back(Attribute::Text("framing.detector", detector_name_));
    return;
  }
  ShotScaleEvidence e;
  e.face_fraction = double(face_ratios.size()) / samples;
  e.face_ratio = face_ratios.empty() ? 0 : Median(face_ratios);
  e.faces = max_faces;
  // The body detectors cost ~10 ms a picture: they run on the middle faceless sample only (a
  // clip's framing rarely changes within a shot).
  if (!faceless.empty()) {
    const BodyEvidence b = bodies_->Detect(*faceless[faceless.size() / 2]);
    e.person_height = b.person_height;
    e.upper_body_height = b.upper_body_height;
  }
  e.subject_height = Median(subject_h);
  e.subject_width = Median(subject_w);
  e.subject_area = Median(subject_a);
  e.sharp_fraction = Median(sharp_fraction);
  e.sharp_spread = Median(sharp_spread);
  e.detail_scale = Median(detail);
  e.detail_scale_coarse = Median(detail_coarse);
  e.edge_density = Median(edges);
  e.defocus_fraction = Median(defocus);
  const ShotScaleDecision d = DecideShotScale(e);
  out->push_back(Attribute::Text("framing.shot_scale", d.scale));
  out->push_back(Attribute::Num("framing.confidence", d.confidence));
  out->push_back(Attribute::Num("framing.faces", max_faces));
  out->push_back(Attribute::Num("framing.face_ratio", e.face_ratio));
  out->push_back(Attribute::Num("framing.face_fraction", e.face_fraction));
  out->push_back(Attribute::Text("framing.evidence", d.evidence));
  out->push_back(Attribute::Num("framing.subject_height", e.subject_height));
  out->push_back(Attribute::Num("framing.subject_width", e.subject_width));
  out->push_back(Attribute::Num("framing.subject_area", e.subject_area));
  out->push_back(Attribute::Num("framing.person_height", e.person_height));
  out->push_back(Attribute::Num("framing.upper_body_height", e.upper_body_height));
  out->push_back(Attribute::Num("framing.sharp_fraction", e.sharp_fraction));
  out->push_back(Attribute::Num("framing.sharp_spread", e.sharp_spread));
  out->push_back(Attribute::Num("framing.detail_scale", e.detail_scale));
  out->push_back(Attribute::Num("framing.detail_scale_coarse", e.detail_scale_coarse));
  out->push_back(Attribute::Num("framing.edge_density", e.edge_density));
  out->push_back(Attribute::Num("framing.defocus_fraction", e.defocus_fraction));
  out->push_back(Attribute::Text("framing.detector", detector_name_));
  if (!face_quality.empty()) {
    // Of the largest face per sample, median over the samples that have one.
    out->push_back(Attribute::Num("face.sharpness", Median(face_sharpness)));
    out->push_back(Attribute::Num("face.exposure", Median(face_exposure)));
    out->push_back(Attribute::Num("face.quality", Median(face_quality)));
  }
}

}  // namespace clipdex
