#!/usr/bin/env python3
"""Visual-token budget of `clipdex caption`: chosen keyframes against a uniform 2 fps, 448 px
baseline, and whether the choice still sees everything.

For every clip of a dataset (by default: a fresh ingest of ../shared/media/video and the
synthetic camera clips), `clipdex caption --plan-only --plan-file` gives the keyframes each clip
would send to a VLM and their visual tokens (the backend's patch arithmetic, 28 px per token
side). Coverage is measured against evidence the plan did not use:
  - camera segments >= 1 s (camera.segments): a keyframe inside the segment;
  - strong picture changes inside a clip: ffmpeg's scene score > 0.15 (select filter; > 0.3 is a
    cut, and cuts are clip boundaries here), away from the clip's own boundaries (0.25 s): a
    keyframe within 0.5 s.
Prints one row per video and the totals (markdown), plus the medians.

  python3 bench/caption_tokens.py --clipdex build/release/clipdex [--dataset DS]
"""
import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "media"))


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def scene_changes(path, threshold):
    """Times (s, on the stream clock) where ffmpeg's scene score exceeds threshold."""
    p = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", path, "-map", "0:v:0", "-vf",
                        f"select='gt(scene,{threshold})',showinfo", "-f", "null", "-"],
                       capture_output=True, text=True)
    return [float(m) for m in re.findall(r"pts_time:([0-9.]+)", p.stderr)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--clipdex", required=True)
    ap.add_argument("--dataset", help="an ingested dataset (default: ingest the shared clips)")
    ap.add_argument("--scene", type=float, default=0.15)
    ap.add_argument("--tolerance", type=float, default=0.5)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="clipdex_tokens_")
    ds = args.dataset
    if not ds:
        files = sorted(glob.glob(os.path.join(SHARED, "video", "*")))
        files += sorted(glob.glob(os.path.join(SHARED, "synthetic", "syn_*.mp4")))
        ds = os.path.join(tmp, "ds")
        p = subprocess.run([args.clipdex, "ingest", "-q", *files, "-o", ds],
                           capture_output=True, text=True)
        if p.returncode not in (0, 3):  # 3: some files failed (reported), the rest ingested
            sys.exit(f"ingest failed ({p.returncode}): {p.stderr[-2000:]}")
    plan_file = os.path.join(tmp, "plan.jsonl")
    run([args.clipdex, "caption", ds, "--plan-only", "--plan-file", plan_file])
    plans = {}
    for line in open(plan_file):
        p = json.loads(line)
        plans[p["clip_id"]] = p
    segments = {}
    for line in run([args.clipdex, "export", ds]).stdout.splitlines():
        c = json.loads(line)
        segments[(c["video"], round(c["start"], 3))] = c.get("camera.segments") or []

    rows = {}
    for p in plans.values():
        r = rows.setdefault(p["video"], dict(clips=0, frames=0, tokens=0, base=0, seg=0, seg_ok=0,
                                             chg=0, chg_ok=0, plans=[]))
        r["clips"] += 1
        r["frames"] += len(p["keyframes"])
        r["tokens"] += p["visual_tokens"]
        r["base"] += p["baseline_tokens"]
        r["plans"].append(p)
        kf = p["keyframes"]
        for s in segments.get((p["video"], round(p["start"], 3)), []):
            s0, s1 = max(s["start"], p["start"]), min(s["end"], p["end"])
            if s1 - s0 < 1.0:
                continue
            r["seg"] += 1
            r["seg_ok"] += any(s0 - 1e-6 <= t <= s1 + 1e-6 for t in kf)
    for video, r in rows.items():
        for t in scene_changes(video, args.scene):
            for p in r["plans"]:
                if p["start"] + 0.25 < t < p["end"] - 0.25:
                    r["chg"] += 1
                    r["chg_ok"] += any(abs(k - t) <= args.tolerance for k in p["keyframes"])

    print("| video | clips | keyframes | tokens | uniform 2 fps @448 | ratio | segments >= 1 s "
          "covered | strong changes covered |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    tot = dict(clips=0, frames=0, tokens=0, base=0, seg=0, seg_ok=0, chg=0, chg_ok=0)
    ratios = []
    for video in sorted(rows):
        r = rows[video]
        for k in tot:
            tot[k] += r[k]
        ratio = r["base"] / r["tokens"] if r["tokens"] else 0
        ratios.append(ratio)
        print(f"| {os.path.basename(video)} | {r['clips']} | {r['frames']} | {r['tokens']} | "
              f"{r['base']} | {ratio:.1f}x | {r['seg_ok']}/{r['seg']} | {r['chg_ok']}/{r['chg']} |")
    ratio = tot["base"] / tot["tokens"] if tot["tokens"] else 0
    print(f"| **all {len(rows)} videos** | {tot['clips']} | {tot['frames']} | {tot['tokens']} | "
          f"{tot['base']} | **{ratio:.1f}x** | {tot['seg_ok']}/{tot['seg']} | "
          f"{tot['chg_ok']}/{tot['chg']} |")
    print(f"\nmedian per-video ratio {statistics.median(ratios):.1f}x; tokens "
          f"{tot['tokens']} vs {tot['base']} ({ratio:.1f}x fewer); segments covered "
          f"{tot['seg_ok']}/{tot['seg']}; strong changes covered {tot['chg_ok']}/{tot['chg']}")


if __name__ == "__main__":
    main()
