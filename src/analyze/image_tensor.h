// The input tensor image classifiers and encoders of the CLIP / ImageNet family expect.
#pragma once

#include <opencv2/core.hpp>

#include "models/onnx_session.h"

namespace clipdex {

// [1,3,224,224] float32 of a BGR picture: short side resized to 224 (bicubic), centre crop
// 224x224, channels in RGB order, each v/255 minus mean[c] over std[c] (c = R, G, B).
FloatTensor CentreCropRgbTensor(const cv::Mat& bgr, const float (&mean)[3], const float (&std)[3]);

}  // namespace clipdex
