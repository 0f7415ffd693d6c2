// FramingAnalyzer: shot scale (how much of the subject the frame shows), from the largest face
// when there is one, else from the salient region.
//
// Face detection: cv::FaceDetectorYN (YuNet ONNX, OpenCV >= 4.5.4 objdetect) when the model file
// exists; otherwise OpenCV's Haar frontal-face cascade; otherwise saliency only. Which one ran is
// reported in framing.detector, and what the label rests on in framing.evidence.
//
// Scale ladder from r = largest face height / frame height (face box = YuNet/Haar box, roughly
// brow to chin):
//   r >= 0.75 extreme_close_up   r >= 0.66 close_up    r >= 0.30 medium_close_up
//   r >= 0.15 medium             r >= 0.08 medium_long r >= 0.04 full    else long
// (calibrated on the labelled clips in ../shared/media: head-and-shoulders webcam shots measure
// r = 0.42-0.64 with these detectors' boxes, a face-filling crop 0.89).
// Without faces (spectral-residual saliency, largest salient blob height h / frame height):
//   h >= 0.5 medium, h >= 0.25 full, else long; nothing salient -> long (scenery).
// See docs/attributes.md.
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "analyze/analyzer.h"
#include "analyze/shot_scale_decision.h"

namespace cv {
class FaceDetectorYN;
class CascadeClassifier;
}  // namespace cv

namespace clipdex {

class YuNetOnnx;
class BodyDetectors;

struct FramingOptions {
  double sample_fps = 1.0 / 3;  // shot scale is a clip property: a sample every 3 s is plenty
  int long_side = 640;
  float face_score = 0.85f;  // YuNet confidence; false faces on wide shots score 0.70-0.80
  // Stills (photos, often group shots with small faces) go through the 640x640 YuNet export when
  // it sits beside the 320 one: one frame, so the 4x cost does not matter. With that export real
  // faces score 1.66-3.3 and false ones at most 1.04 on the faceapi photos, hence 1.5.
  float still_face_score = 1.5f;
  double min_face_fraction = 1.0 / 3;  // of samples, for the clip to count as "has faces"
};

class FramingAnalyzer : public ClipAnalyzer {
 public:
  // `yunet_model`: path to yunet_final_320_320_simplify.onnx (or another YuNet export that
  // OpenCV 4.6 reads); empty or missing -> Haar cascade at `haar_cascade`; missing too ->
  // saliency only.
  explicit FramingAnalyzer(std::string yunet_model = "",
                           std::string haar_cascade = DefaultHaarCascade(),
                           FramingOptions options = {});
  ~FramingAnalyzer() override;

  static std::string DefaultHaarCascade();

  std::string name() const override { return "framing"; }
  FrameNeed need() const override;
  // Emits framing.shot_scale, framing.confidence, framing.faces, framing.face_ratio,
  // framing.evidence, framing.detector. Works for still images (one frame).
  void Analyze(const ClipSpan& clip, const std::vector<AnalysisFrame>& frames,
               std::vector<Attribute>* out) override;

  // "yunet", "haar" or "none": which face detector loaded.
  const std::string& detector() const { return detector_name_; }
  // Face boxes of one BGR picture, in its pixels (exposed for tests and the UI overlay).
  // `still`: use the still-image detector (640 export) when it loaded.
  std::vector<cv::Rect> DetectFaces(const cv::Mat& bgr, bool still = false);

  // Portrait-quality measures of one face region (docs/attributes.md, face.*).
  struct FaceQuality {
    double sharpness = 0;  // 0..1, Laplacian variance of the face at 64x64, v / (v + 150)
    double exposure = 0;   // 0..1, mean luma of the face
    double quality = 0;    // 0..1, sharpness x exposure score (1 at mid-grey, 0 at <=0.1/>=0.9)
  };
  static FaceQuality MeasureFace(const cv::Mat& bgr, const cv::Rect& face);

 private:
  FramingOptions options_;
  std::string detector_name_ = "none";
  // YuNet runs through ONNX Runtime when this build has it (same faces, 2.3x faster: see
  // models/yunet.h), else through OpenCV's DNN module.
  std::unique_ptr<YuNetOnnx> yunet_ort_, yunet_ort_still_;
  std::string still_model_;  // the 640x640 export, until the first still loads it
  cv::Ptr<cv::FaceDetectorYN> yunet_;
  cv::Ptr<cv::FaceDetectorYN> yunet_still_;  // 640x640 export for stills; may be empty
  std::unique_ptr<cv::CascadeClassifier> haar_;
  std::unique_ptr<BodyDetectors> bodies_;  // HOG + body cascades (framing_evidence.h)
};

}  // namespace clipdex
