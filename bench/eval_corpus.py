#!/usr/bin/env python3
"""Score a clipdex binary on the generated evaluation corpus (issue 12).

  bench/eval_corpus.py [--clipdex BIN] [--corpus DIR] [--seed N] [--work DIR] [--halves tune,heldout]

Generates the corpus with scripts/make_eval_corpus.py when DIR/manifest.json is missing (the
default DIR, ../eval_corpus_s<seed>, lies outside the repository), then per half:
  1. clipdex ingest <half>/shots <half>/negatives  (shot detection only) + clipdex eval shots
  2. per-category numbers computed here from the catalog's transitions table and the ground truth,
     with the matching rules of src/shots/shot_eval.cpp (greedy one-to-one, +-tol frames)
  3. clipdex ingest <half>/dups (shots + dedup.signature), clipdex dedup --flip, pair recall per
     transform and false merges.
Standard library only; sqlite3 is Python's own module.
"""
import argparse
import collections
import fractions
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NO_ANALYZERS = ["--no-thumbs", "--no-camera", "--no-framing", "--no-quality", "--no-borders",
                "--no-native-quality", "--no-text", "--no-artifact-classifier"]


def sh(cmd, log=None):
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if log:
        with open(log, "w") as f:
            f.write("$ " + " ".join(cmd) + "\n" + p.stdout)
    return p.returncode, p.stdout, time.time() - t0


# ---------------------------------------------------------------------------------------------
# Matching, as src/shots/shot_eval.cpp EvaluateVideo does it.


def greedy(cands, gt_used, pred_used):
    out = []
    for cost, g, p in sorted(cands):
        if gt_used[g] or pred_used[p]:
            continue
        gt_used[g] = pred_used[p] = True
        out.append((g, p))
    return out


def dist_to_interval(frame, iv):
    if frame < iv[0]:
        return iv[0] - frame
    if frame > iv[1]:
        return frame - iv[1]
    return 0


def match_video(gt_items, preds, tol):
    """gt_items: list of dicts (type, first, last, event); preds: list of (type, first, last).
    Returns per-gt status ('class' | 'total' | 'miss') and per-pred status (matched bool)."""
    gc = sorted([i for i, g in enumerate(gt_items) if g["type"] == "cut"],
                key=lambda i: (gt_items[i]["first"], gt_items[i]["last"]))
    gg = sorted([i for i, g in enumerate(gt_items) if g["type"] != "cut"],
                key=lambda i: (gt_items[i]["first"], gt_items[i]["last"]))
    pc = sorted([i for i, p in enumerate(preds) if p[0] == "cut"], key=lambda i: preds[i][1:])
    pg = sorted([i for i, p in enumerate(preds) if p[0] != "cut"], key=lambda i: preds[i][1:])
    gt_status = ["miss"] * len(gt_items)
    pred_ok = [False] * len(preds)
    uc_g, uc_p = [False] * len(gc), [False] * len(pc)
    ug_g, ug_p = [False] * len(gg), [False] * len(pg)
    cands = []
    for a, g in enumerate(gc):
        for b, p in enumerate(pc):
            d = abs(gt_items[g]["first"] - preds[p][1])
            if d <= tol:
                cands.append((d, a, b))
    for a, b in greedy(cands, uc_g, uc_p):
        gt_status[gc[a]] = "class"
        pred_ok[pc[b]] = True
    cands = []
    for a, g in enumerate(gg):
        for b, p in enumerate(pg):
            lo = max(gt_items[g]["first"] - tol, preds[p][1])
            hi = min(gt_items[g]["last"] + tol, preds[p][2])
            if hi >= lo:
                cands.append((-(hi - lo + 1), a, b))
    for a, b in greedy(cands, ug_g, ug_p):
        gt_status[gg[a]] = "class"
        pred_ok[pg[b]] = True
    # cross-class ("total"): a gt cut within tol of a predicted gradual, then a predicted cut
    # within tol of a gt gradual
    def cross(gt_idx, gt_used, pred_idx, pred_used, dist):
        cands = [(dist(g, p), a, b)
                 for a, g in enumerate(gt_idx) if not gt_used[a]
                 for b, p in enumerate(pred_idx) if not pred_used[b]]
        for a, b in greedy([c for c in cands if c[0] <= tol], gt_used, pred_used):
            gt_status[gt_idx[a]] = "total"
            pred_ok[pred_idx[b]] = True

    cross(gc, uc_g, pg, ug_p, lambda g, p: dist_to_interval(gt_items[g]["first"], preds[p][1:]))
    cross(gg, ug_g, pc, uc_p,
          lambda g, p: dist_to_interval(preds[p][1], (gt_items[g]["first"], gt_items[g]["last"])))
    return gt_status, pred_ok


class PRF:
    def __init__(self):
        self.tp = self.fp = self.fn = 0

    def p(self):
        return 1.0 if self.tp + self.fp == 0 else self.tp / (self.tp + self.fp)

    def r(self):
        return 1.0 if self.tp + self.fn == 0 else self.tp / (self.tp + self.fn)

    def f(self):
        p, r = self.p(), self.r()
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def row(self):
        return "%5.3f %5.3f %5.3f  (tp %d fp %d fn %d)" % (self.p(), self.r(), self.f(), self.tp,
                                                           self.fp, self.fn)


# ---------------------------------------------------------------------------------------------


def load_predictions(ds):
    db = sqlite3.connect(os.path.join(ds, "catalog.sqlite"))
    vids = {}
    for vid, path, status, err, frames in db.execute(
            "SELECT id, path, status, error, frames FROM videos"):
        vids[vid] = {"path": path, "status": status, "error": err, "frames": frames, "preds": []}
    for vid, typ, a, b in db.execute(
            "SELECT video_id, type, first_frame, last_frame FROM transitions ORDER BY first_frame"):
        vids[vid]["preds"].append((typ, a, b))
    return {os.path.realpath(v["path"]): v for v in vids.values()}, db


def gt_items_of(video):
    items = []
    for ev in video["events"]:
        if "frame" in ev and ev["category"] not in CATEGORY_GRADUAL:
            items.append({"type": "cut", "first": ev["frame"], "last": ev["frame"], "event": ev})
        else:
            items.append({"type": "gradual", "first": ev["start"], "last": ev["end"] - 1,
                          "event": ev})
    return items


CATEGORY_GRADUAL = set()


def describe_pred(p):
    return "cut@%d" % p[1] if p[0] == "cut" else "%s %d-%d" % (p[0], p[1], p[2])


def eval_shots(half, corpus, manifest, ds, tol, report):
    preds_by_path, _ = load_predictions(ds)
    cat = collections.defaultdict(lambda: [0, 0, 0])  # category -> [n, class match, total match]
    by_tag = collections.defaultdict(lambda: [0, 0, 0, 0])  # tag -> [n, total match, fp, videos]
    cuts, grad, total = PRF(), PRF(), PRF()
    fp_examples, miss_examples = [], []
    neg_frames, neg_seconds, neg_fp = 0, 0.0, 0
    neg_kind = collections.defaultdict(lambda: [0, 0])  # kind -> [events, events with a FP]
    neg_fp_by = collections.Counter()
    first_frame_fp = 0
    n_videos = 0
    missing = []
    for v in manifest["videos"]:
        if v["half"] != half:
            continue
        path = os.path.realpath(os.path.join(corpus, v["file"]))
        pv = preds_by_path.get(path)
        if pv is None or pv["status"] != "ok":
            missing.append(v["file"] + ("" if pv is None else ": " + pv["error"]))
            continue
        n_videos += 1
        preds = pv["preds"]
        fps = float(fractions.Fraction(v["fps"]))
        first_frame_fp += sum(1 for p in preds if p[1] <= 1)
        if v["set"] == "negatives":
            neg_frames += v["frames"]
            neg_seconds += v["frames"] / fps
            neg_fp += len(preds)
            hit = set()
            for p in preds:
                near = [e for e in v["events"]
                        if e["frame"] - 5 <= p[1] <= e.get("end", e["frame"] + 3) + 5]
                if near:
                    for e in near:
                        hit.add(id(e))
                    neg_fp_by[near[0]["category"]] += 1
                    fp_examples.append((half, "negative", v["file"], describe_pred(p),
                                        near[0]["category"] + "@%d" % near[0]["frame"],
                                        v["source_desc"][0]))
                else:
                    neg_fp_by["(no effect nearby: " + v["pattern"] + ")"] += 1
                    fp_examples.append((half, "negative", v["file"], describe_pred(p),
                                        "no effect nearby", v["source_desc"][0]))
            for e in v["events"]:
                neg_kind[e["category"]][0] += 1
                if id(e) in hit:
                    neg_kind[e["category"]][1] += 1
            continue
        items = gt_items_of(v)
        status, pred_ok = match_video(items, preds, tol)
        for it, st in zip(items, status):
            c = cat[it["event"]["category"]]
            c[0] += 1
            c[1] += st == "class"
            c[2] += st != "miss"
            is_cut = it["type"] == "cut"
            (cuts if is_cut else grad).tp += st == "class"
            (cuts if is_cut else grad).fn += st != "class"
            total.tp += st != "miss"
            total.fn += st == "miss"
            for tag in ("fps=" + v["fps"], "pattern=" + v["pattern"]):
                by_tag[tag][0] += 1
                by_tag[tag][1] += st != "miss"
            if st == "miss":
                near = [describe_pred(p) for p in preds
                        if abs(p[1] - it["first"]) <= 15 or abs(p[2] - it["last"]) <= 15]
                miss_examples.append((half, v["file"], it["event"]["category"],
                                      it["first"], it["last"], ", ".join(near) or "nothing",
                                      v["pattern"], v["fps"]))
        for p, ok in zip(preds, pred_ok):
            if p[0] == "cut":
                cuts.fp += not ok
            else:
                grad.fp += not ok
            total.fp += not ok
            if not ok:
                for tag in ("fps=" + v["fps"], "pattern=" + v["pattern"]):
                    by_tag[tag][2] += 1
                # which shot was it in?
                fp_examples.append((half, "shots", v["file"], describe_pred(p), v["pattern"], ""))
        for tag in ("fps=" + v["fps"], "pattern=" + v["pattern"]):
            by_tag[tag][3] += 1
    out = []
    out.append("== %s: %d videos scored (%d not ingested)" % (half, n_videos, len(missing)))
    for m in missing:
        out.append("   not ingested: " + m)
    out.append("   boundary videos  P     R     F1")
    out.append("   cuts          " + cuts.row())
    out.append("   gradual       " + grad.row())
    out.append("   total         " + total.row())
    out.append("   per category (events, found as the right class, found at all = total recall):")
    for k in sorted(cat):
        n, c, t = cat[k]
        out.append("     %-26s %4d  class %5.3f  total %5.3f" % (k, n, c / n, t / n))
    out.append("   per tag (events, total recall, false boundaries, videos):")
    for k in sorted(by_tag):
        n, t, fp, nv = by_tag[k]
        out.append("     %-26s %4d  recall %5.3f  fp %3d in %d videos" % (k, n, t / n if n else 0, fp, nv))
    minutes = neg_seconds / 60.0
    out.append("   hard negatives: %d false boundaries in %.1f min = %.1f per 10 min" %
               (neg_fp, minutes, 10 * neg_fp / minutes if minutes else 0))
    out.append("   per hard-negative kind (events, events that drew a false boundary):")
    for k in sorted(neg_kind):
        n, h = neg_kind[k]
        out.append("     %-26s %4d  fooled %4d (%.0f%%)" % (k, n, h, 100.0 * h / n))
    for k, n in neg_fp_by.most_common():
        if k.startswith("(no"):
            out.append("     false boundaries with no effect nearby %s: %d" % (k[len("(no effect nearby: "):-1], n))
    out.append("   predictions at frame 0-1 (false cut at the first frame): %d" % first_frame_fp)
    summary = {"half": half, "cuts": vars(cuts), "gradual": vars(grad), "total": vars(total),
               "f1": {"cuts": cuts.f(), "gradual": grad.f(), "total": total.f()},
               "categories": {k: {"n": v[0], "class": v[1], "total": v[2]} for k, v in cat.items()},
               "tags": {k: {"n": v[0], "found": v[1], "fp": v[2], "videos": v[3]} for k, v in by_tag.items()},
               "negatives": {"false_boundaries": neg_fp, "minutes": minutes,
                             "per_10_min": 10 * neg_fp / minutes if minutes else 0,
                             "kinds": {k: {"events": v[0], "fooled": v[1]} for k, v in neg_kind.items()}},
               "first_frame_predictions": first_frame_fp,
               "misses": miss_examples, "false": fp_examples}
    report.append("\n".join(out))
    return summary


def eval_dups(half, corpus, ds):
    gt = json.load(open(os.path.join(corpus, half, "dup_pairs.gt.json")))
    db = sqlite3.connect(os.path.join(ds, "catalog.sqlite"))
    groups = collections.defaultdict(set)  # file -> groups of its clips
    empty_sig = collections.Counter()
    nclips = collections.Counter()
    for path, clip, grp, sig in db.execute(
            "SELECT v.path, c.id, g.num, s.text FROM clips c JOIN videos v ON v.id = c.video_id "
            "LEFT JOIN clip_attributes g ON g.clip_id = c.id AND g.name = 'dedup.group' "
            "LEFT JOIN clip_attributes s ON s.clip_id = c.id AND s.name = 'dedup.signature'"):
        rel = os.path.relpath(os.path.realpath(path), os.path.realpath(corpus))
        nclips[rel] += 1
        if grp is not None:
            groups[rel].add(int(grp))
        if not sig:
            empty_sig[rel] += 1

    def same(a, b):
        return bool(groups.get(a, set()) & groups.get(b, set()))

    per_t = collections.defaultdict(lambda: [0, 0])
    per_kind = collections.defaultdict(lambda: [0, 0])
    misses = []
    tp = 0
    for a, b, t, extra, kind in gt["positive_pairs"]:
        ok = same(a, b)
        tp += ok
        for key in [t] + ([t + "+" + extra] if extra else []):
            per_t[key][0] += 1
            per_t[key][1] += ok
        per_kind[kind][0] += 1
        per_kind[kind][1] += ok
        if not ok:
            why = []
            if empty_sig.get(a) == nclips.get(a):
                why.append("original featureless")
            if empty_sig.get(b) == nclips.get(b):
                why.append("copy featureless")
            misses.append((half, b, t + ("+" + extra if extra else ""), kind, ", ".join(why)))
    fam = {m["file"]: m["family"] for m in gt["members"]}
    files = sorted(fam)
    false_pairs = []
    for i, a in enumerate(files):
        for b in files[i + 1:]:
            if fam[a] != fam[b] and same(a, b):
                false_pairs.append((a, b))
    base = lambda f: fam[f].split("#")[0]
    neg_same = [(a, b) for a, b in false_pairs if base(a) == base(b)]
    n_pos = len(gt["positive_pairs"])
    prec = tp / (tp + len(false_pairs)) if tp + len(false_pairs) else 1.0
    out = ["== %s near-duplicates: %d families, %d positive pairs, %d same-source-other-moment negatives" %
           (half, len(set(m["family"] for m in gt["members"] if m["role"] == "original")), n_pos,
            len(gt["negative_pairs"])),
           "   pair recall %.3f (%d/%d), pair precision %.3f (%d false merges across families, "
           "%d of them same source other moment)" % (tp / n_pos if n_pos else 0, tp, n_pos, prec,
                                                      len(false_pairs), len(neg_same)),
           "   recall per transform (pairs, found):"]
    for k in sorted(per_t, key=lambda k: ("+" in k, k)):
        n, f = per_t[k]
        out.append("     %-22s %3d  %5.3f" % (k, n, f / n))
    out.append("   recall per source kind:")
    for k in sorted(per_kind):
        n, f = per_kind[k]
        out.append("     %-22s %3d  %5.3f" % (k, n, f / n))
    out.append("   files with only featureless (empty-signature) clips: %d" %
               sum(1 for f in nclips if empty_sig.get(f) == nclips[f]))
    return "\n".join(out), {"recall": tp / n_pos if n_pos else 0, "precision": prec,
                            "per_transform": {k: {"n": v[0], "found": v[1]} for k, v in per_t.items()},
                            "per_kind": {k: {"n": v[0], "found": v[1]} for k, v in per_kind.items()},
                            "false_pairs": false_pairs, "misses": misses}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clipdex", default=os.path.join(REPO, "build", "release", "clipdex"))
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--corpus", help="corpus directory (default ../eval_corpus_s<seed>)")
    ap.add_argument("--work", help="datasets and logs (default <corpus>/runs/<label>)")
    ap.add_argument("--label", default="run")
    ap.add_argument("--halves", default="tune,heldout")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--tol", type=int, default=2)
    ap.add_argument("--no-dups", action="store_true")
    ap.add_argument("--reuse", action="store_true",
                    help="keep the run's datasets: ingest only adds videos not yet in them "
                         "(same binary and settings only)")
    ap.add_argument("--ingest-args", default="", help="extra ingest flags (detector settings)")
    ap.add_argument("--examples", type=int, default=12, help="misses / false alarms listed per half")
    a = ap.parse_args()
    corpus = os.path.abspath(a.corpus or os.path.join(REPO, "..", "eval_corpus_s%d" % a.seed))
    if not os.path.exists(os.path.join(corpus, "manifest.json")):
        print("generating the corpus into %s (seed %d) ..." % (corpus, a.seed), flush=True)
        t0 = time.time()
        rc = subprocess.call([sys.executable, os.path.join(REPO, "scripts", "make_eval_corpus.py"),
                              corpus, "--seed", str(a.seed), "--jobs", str(a.jobs)])
        print("generated in %.0f s (rc %d)" % (time.time() - t0, rc), flush=True)
    manifest = json.load(open(os.path.join(corpus, "manifest.json")))
    work = os.path.abspath(a.work or os.path.join(corpus, "runs", a.label))
    os.makedirs(work, exist_ok=True)
    binary = os.path.abspath(a.clipdex)
    extra = a.ingest_args.split()
    report, summaries = [], {}
    print("clipdex: %s\ncorpus: %s (seed %d)\nwork: %s" % (binary, corpus, manifest["seed"], work))
    for half in a.halves.split(","):
        ds = os.path.join(work, half + "_shots")
        if not a.reuse:
            shutil.rmtree(ds, ignore_errors=True)
        rc, out, sec = sh([binary, "ingest", os.path.join(corpus, half, "shots"),
                           os.path.join(corpus, half, "negatives"), "-o", ds, "-q", "-j",
                           str(a.jobs), "--no-dedup-signature"] + NO_ANALYZERS + extra,
                          os.path.join(work, half + "_ingest_shots.log"))
        print("[%s] ingest shots+negatives: rc %d, %.0f s" % (half, rc, sec), flush=True)
        gts = sorted(os.path.join(dp, f) for sub in ("shots", "negatives")
                     for dp, _, fs in os.walk(os.path.join(corpus, half, sub))
                     for f in fs if f.endswith(".gt.json"))
        cmd = [binary, "eval", "shots", ds, "--tol", str(a.tol)]
        for g in gts:
            cmd += ["--gt", g]
        rc, out, _ = sh(cmd, os.path.join(work, half + "_eval_shots.txt"))
        total_line = [l for l in out.splitlines() if l.strip().startswith("TOTAL")]
        head = [l for l in out.splitlines() if "video" in l and "cuts" in l.lower()][:1]
        report.append("== %s: clipdex eval shots (rc %d; full table in %s)\n   %s\n   %s" % (
            half, rc, os.path.join(work, half + "_eval_shots.txt"), head[0].strip() if head else "",
            total_line[0].strip() if total_line else "(no TOTAL line)"))
        summaries[half] = eval_shots(half, corpus, manifest, ds, a.tol, report)
        if not a.no_dups:
            dds = os.path.join(work, half + "_dups")
            if not a.reuse:
                shutil.rmtree(dds, ignore_errors=True)
            rc, out, sec = sh([binary, "ingest", os.path.join(corpus, half, "dups"), "-o", dds, "-q",
                               "-j", str(a.jobs)] + NO_ANALYZERS + extra,
                              os.path.join(work, half + "_ingest_dups.log"))
            print("[%s] ingest dups: rc %d, %.0f s" % (half, rc, sec), flush=True)
            rc, out, _ = sh([binary, "dedup", dds, "--flip", "--show", "0"],
                            os.path.join(work, half + "_dedup.log"))
            text, dsum = eval_dups(half, corpus, dds)
            report.append(text)
            summaries[half]["dups"] = dsum
    print("\n".join(report))
    for half, s in summaries.items():
        print("\n== %s: first %d misses (video, category, gt frames, predictions within 15 frames, pattern, fps)" % (half, a.examples))
        for m in s["misses"][: a.examples]:
            print("   %s %-24s %d-%d  saw: %s  [%s %s]" % m[1:])
        print("== %s: first %d false boundaries (video, prediction, nearest effect / pattern, source)" % (half, a.examples))
        for m in s["false"][: a.examples]:
            print("   " + "  ".join(str(x) for x in m[2:]))
        if "dups" in s:
            print("== %s: missed duplicate pairs (copy, transform, kind, note)" % half)
            for m in s["dups"]["misses"][: a.examples]:
                print("   " + "  ".join(str(x) for x in m[1:]))
    # One file per run directory, one entry per half: a run of one half keeps the other's entry
    # (scoring tune and then held-out under one --label used to leave only the held-out one).
    path = os.path.join(work, "summary.json")
    merged = {}
    if os.path.exists(path):
        try:
            with open(path) as f:
                merged = json.load(f)
        except (OSError, ValueError):
            merged = {}
    merged.update(summaries)
    with open(path, "w") as f:
        json.dump(merged, f, indent=1)
    print("\nsummary: %s" % os.path.join(work, "summary.json"))


if __name__ == "__main__":
    main()
