#!/usr/bin/env python3
"""Train the shot detector's learned region check (docs/shots.md, "Learned region check").

  scripts/train_region_check.py CORPUS [--clipdex BIN] [--out src/shots/region_check_model.h]

CORPUS is a corpus of scripts/make_eval_corpus.py. Only its **tuning half** is read: the
held-out half stays for the figures in README and docs/shots.md.
  1. clipdex ingest CORPUS/tune/shots CORPUS/tune/negatives --stats S (shot detection only,
     the learned check switched off) writes every dissolve and wipe region that passed the
     classical tests, with its measurements, to S.regions.csv; the check is fitted on the
     dissolves (the tuning half's wipe regions were all real wipes);
  2. each region is labelled from the ground truth: a transition when it overlaps a labelled
     gradual transition (+-2 frames) or lies within +-2 frames of a labelled cut, false
     otherwise;
  3. an L2-regularised logistic regression on the standardised measurements is fitted; the
     regularisation and the decision threshold are chosen by 5-fold cross-validation grouped by
     video: the threshold is the highest one at which the cross-validated scores lose at most
     --max-lost of the true regions;
  4. the weights, the standardisation and the threshold are written as a C++ header.
Standard library only (pure Python: a few hundred regions, 20 measurements).
"""
import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import zlib

NO_ANALYZERS = ["--no-thumbs", "--no-camera", "--no-framing", "--no-quality", "--no-borders",
                "--no-native-quality", "--no-text", "--no-artifact-classifier", "--no-dedup-signature"]


def read_regions(csv_path):
    rows = []
    with open(csv_path) as f:
        r = csv.reader(f)
        header = next(r)
        names = header[3:-2]
        for t in r:
            rows.append({"video": t[0], "p": int(t[1]), "q": int(t[2]),
                         "x": [float(v) for v in t[3:3 + len(names)]]})
    return names, rows


def label(rows, tol=2):
    cache = {}
    for row in rows:
        gt = cache.get(row["video"])
        if gt is None:
            with open(row["video"] + ".gt.json") as f:
                gt = cache[row["video"]] = json.load(f)
        row["y"] = 0
        row["type"] = None
        for e in gt.get("transitions", []):
            if "start" in e and e["start"] - tol <= row["q"] and e["end"] + tol >= row["p"]:
                row["y"], row["type"] = 1, e["type"]
            elif "frame" in e and abs(e["frame"] - row["p"]) <= tol:
                row["y"], row["type"] = 1, e["type"]


def standardize(X):
    d = len(X[0])
    mu = [sum(x[i] for x in X) / len(X) for i in range(d)]
    sd = [max(1e-6, math.sqrt(sum((x[i] - mu[i]) ** 2 for x in X) / len(X))) for i in range(d)]
    return mu, sd


def sigmoid(s):
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, s))))


def fit(Z, y, lam, iters=100):
    """Newton's method for L2-regularised logistic regression (the bias is not regularised)."""
    d = len(Z[0])
    w = [0.0] * (d + 1)
    for _ in range(iters):
        g = [0.0] * (d + 1)
        H = [[0.0] * (d + 1) for _ in range(d + 1)]
        for z, t in zip(Z, y):
            zz = z + [1.0]
            p = sigmoid(sum(a * b for a, b in zip(w, zz)))
            for i in range(d + 1):
                g[i] += (p - t) * zz[i]
                hi = p * (1 - p) * zz[i]
                row = H[i]
                for j in range(d + 1):
                    row[j] += hi * zz[j]
        for i in range(d):
            g[i] += lam * w[i]
            H[i][i] += lam
        H[d][d] += 1e-6
        n = d + 1
        A = [H[i][:] + [g[i]] for i in range(n)]
        for c in range(n):
            piv = max(range(c, n), key=lambda r: abs(A[r][c]))
            A[c], A[piv] = A[piv], A[c]
            for r in range(n):
                if r != c:
                    f = A[r][c] / A[c][c]
                    for k in range(c, n + 1):
                        A[r][k] -= f * A[c][k]
        dx = [A[i][n] / A[i][i] for i in range(n)]
        w = [a - b for a, b in zip(w, dx)]
        if max(abs(v) for v in dx) < 1e-9:
            break
    return w


def score(w, mu, sd, x):
    return sigmoid(sum(wi * (xi - m) / s for wi, xi, m, s in zip(w, x, mu, sd)) + w[-1])


def train(rows, lam):
    mu, sd = standardize([r["x"] for r in rows])
    Z = [[(xi - m) / s for xi, m, s in zip(r["x"], mu, sd)] for r in rows]
    return fit(Z, [r["y"] for r in rows], lam), mu, sd


def cross_validate(rows, lam, folds=5):
    out = []
    for k in range(folds):
        fold = lambda r: zlib.crc32(os.path.basename(r["video"]).encode()) % folds
        tr = [r for r in rows if fold(r) != k]
        te = [r for r in rows if fold(r) == k]
        w, mu, sd = train(tr, lam)
        out += [(score(w, mu, sd, r["x"]), r) for r in te]
    return out


def threshold_for(cv, max_lost):
    """The highest threshold that rejects at most max_lost of the true regions."""
    true_scores = sorted(s for s, r in cv if r["y"] == 1)
    allowed = int(math.floor(max_lost * len(true_scores)))
    # Rejecting below the (allowed)-th lowest true score loses exactly `allowed` true regions;
    # sit half-way to the next score below it so no true region lies on the line.
    hi = true_scores[allowed] if allowed < len(true_scores) else 1.0
    lo = true_scores[allowed - 1] if allowed > 0 else 0.0
    return 0.5 * (lo + hi) if allowed > 0 else 0.5 * hi


def fit_check(rows, names, max_lost, corpus, out_path):
    n_true = sum(r["y"] for r in rows)
    print("%d dissolve regions of the tuning half: %d transitions, %d false" % (len(rows), n_true, len(rows) - n_true))
    best = None
    for lam in (0.3, 1.0, 3.0, 10.0, 30.0, 100.0):
        cv = cross_validate(rows, lam)
        th = threshold_for(cv, max_lost)
        lost = sum(1 for s, r in cv if r["y"] == 1 and s < th)
        rejected = sum(1 for s, r in cv if r["y"] == 0 and s < th)
        print("  lambda %5.1f: threshold %.3f, cross-validated: %d of %d false rejected, "
              "%d of %d boundaries lost" % (lam, th, rejected, len(rows) - n_true, lost, n_true))
        if best is None or rejected > best[0] or (rejected == best[0] and lam > best[1]):
            best = (rejected, lam, th, lost)
    rejected, lam, th, lost = best
    w, mu, sd = train(rows, lam)
    fitted = sum(1 for r in rows if r["y"] == 0 and score(w, mu, sd, r["x"]) < th)
    print("  chosen: lambda %.1f, threshold %.3f (cross-validated %d false rejected, %d boundaries lost; "
          "the fitted model rejects %d false)" % (lam, th, rejected, lost, fitted))
    ns = "region_check_model"
    count = "kRegionFeatureCount"
    with open(out_path, "w") as f:
        f.write("// Generated by scripts/train_region_check.py from the tuning half of the evaluation corpus\n")
        f.write("// (%s): %d dissolve regions, %d transitions, %d false. Do not edit by hand.\n"
                % (corpus, len(rows), n_true, len(rows) - n_true))
        f.write("// Lambda %.1f; threshold where <= %.0f%% of the boundaries are lost, cross-validated by video:\n"
                % (lam, 100 * max_lost))
        f.write("// %d of %d false candidates rejected, %d of %d boundaries lost.\n"
                % (rejected, len(rows) - n_true, lost, n_true))
        f.write("#pragma once\n\n#include \"shots/shot_detector.h\"\n\nnamespace clipdex::%s {\n\n" % ns)
        f.write("// Order: %s:\n// %s.\n" % (count.replace("Count", "Names"), " ".join(names)))
        for nm, vals in (("kMean", mu), ("kScale", sd), ("kWeight", w[:-1])):
            f.write("inline constexpr double %s[%s] = {\n    %s};\n" % (nm, count, ", ".join("%.6g" % v for v in vals)))
        f.write("inline constexpr double kBias = %.6g;\n" % w[-1])
        f.write("inline constexpr double kThreshold = %.6g;\n\n}  // namespace clipdex::%s\n" % (th, ns))
    if shutil.which("clang-format"):  # the project's style, so a rerun diffs only in numbers
        subprocess.run(["clang-format", "-i", out_path], check=False)
    print("  wrote", out_path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("--clipdex", default="build/release/clipdex")
    ap.add_argument("--out", default="src/shots/region_check_model.h")
    ap.add_argument("--stats", help="use this S (S.regions.csv) instead of ingesting")
    ap.add_argument("--max-lost", type=float, default=0.02,
                    help="share of the tuning half's true dissolves the check may reject (cross-validated)")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    half = os.path.join(os.path.abspath(a.corpus), "tune")
    stats = a.stats
    if not stats:
        work = tempfile.mkdtemp(prefix="clipdex_region_check_")
        stats = os.path.join(work, "stats.csv")
        cmd = [a.clipdex, "ingest", os.path.join(half, "shots"), os.path.join(half, "negatives"),
               "-o", os.path.join(work, "ds"), "-q", "-j", str(a.jobs), "--no-region-check",
               "--stats", stats] + NO_ANALYZERS
        print(" ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
    names, rows = read_regions(stats + ".regions.csv")
    rows = [r for r in rows if os.path.abspath(r["video"]).startswith(half + os.sep)]
    # Dissolves only: every wipe region of the tuning halves measured so far was a real wipe
    # (c240: 20 of 20), so a check on wipes could only lose them.
    wipe = names.index("wipe")
    rows = [r for r in rows if r["x"][wipe] == 0]
    if not rows:
        sys.exit("train_region_check: no tuning-half dissolve regions in %s.regions.csv" % stats)
    label(rows)
    fit_check(rows, names, a.max_lost, os.path.basename(os.path.abspath(a.corpus)), a.out)


if __name__ == "__main__":
    sys.exit(main())
