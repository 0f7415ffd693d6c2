// Indicators (not verdicts) of processing artefacts common in generated or re-processed
// footage, measured on the picture at its native size (the pipeline's grey need of up to
// 1920 px, so detail lost by an upscale is still visible):
//  - HighFrequencyEnergyRatio: over-smoothing / lost fine texture (denoised, upscaled, or
//    generated pictures) leaves little energy in the upper half of the spectrum.
//  - SpectralPeakStrength: periodic structure in the second derivative, the fingerprint of
//    interpolation grids (upsampling, Gallagher 2005), coding-block grids and moire.
// Both work on up to six 256x256 tiles with the most texture inside `region`, so flat sky or
// black bars do not dilute them; see docs/attributes.md ("Artefact indicators").
#pragma once

#include <opencv2/core.hpp>

namespace clipdex {

struct ArtifactIndicators {
  // Spectral power at radius >= 0.25 cycles/pixel (the upper half of the band) divided by the
  // power at radius >= 1/32 cycles/pixel, Hann-windowed, median over tiles. 0..1; lower =
  // smoother. Camera photos measure roughly 0.02-0.2; a 4x-upscaled copy far less.
  double hf_energy = 0;
  // Largest peak of the spectrum of the row- (column-) averaged |second difference|, relative
  // to that spectrum's median, per axis; the larger axis, median over tiles. Periodic grids
  // give tall isolated peaks (> 10), natural pictures about 3-6.
  double spectral_peaks = 0;
  int tiles = 0;  // tiles measured (0: the region was too small or flat; values are 0)
};

ArtifactIndicators MeasureArtifactIndicators(const cv::Mat& gray, const cv::Rect& region);

}  // namespace clipdex
