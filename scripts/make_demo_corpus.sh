#!/usr/bin/env bash
# Builds a small demo corpus of REAL footage plus one montage with exact shot-boundary ground truth.
#
# Usage: bash scripts/make_demo_corpus.sh OUTDIR
#
# The clips come out of Debian bookworm packages without installing them (apt-get download +
# dpkg-deb -x into a temporary directory). The only network access is apt-get download; files
# that already exist in OUTDIR are kept, so a second run does nothing and works offline.
#
# montage.mp4 is cut together from real photographs (Debian package lomiri-wallpapers-16.04),
# 1280x720, 25 fps CFR, H.264 yuv420p, 500 frames (20 s). Its sidecar montage.mp4.gt.json lists
# the transitions: a cut is the 0-based index of the first frame of the new shot, a gradual
# transition is the [start,end) frame range of the ffmpeg xfade.
set -euo pipefail

if [[ $# -ne 1 || "$1" == -* ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
OUT=$1
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

for tool in apt-get apt-cache dpkg-deb ffmpeg ffprobe; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found (need Debian with ffmpeg)" >&2; exit 1; }
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# apt-get download drops privileges to _apt when run as root; let it write here.
chmod 0777 "$WORK"

MAX_DEB_BYTES=$((100 * 1024 * 1024))  # skip packages larger than this
APT_UPDATED=0
FETCHED=()   # "file <- package:path" lines for the summary
SKIPPED=()

# Prints the download size (bytes) of a package's candidate version; empty when unknown.
deb_size() {
  apt-cache show --no-all-versions "$1" 2>/dev/null | awk '/^Size:/ {print $2; exit}'
}

# Makes sure apt knows the package (a fresh container has no package lists yet).
apt_knows() {
  local pkg=$1
  if [[ -z "$(deb_size "$pkg")" && $APT_UPDATED -eq 0 && $(id -u) -eq 0 ]]; then
    echo "   (no apt metadata for $pkg, running apt-get update)"
    apt-get update -qq || true
    APT_UPDATED=1
  fi
  [[ -n "$(deb_size "$pkg")" ]]
}

# Downloads and unpacks a package under $WORK/<pkg>/ once; echoes that directory.
unpack_deb() {
  local pkg=$1 dir="$WORK/$1"
  if [[ ! -d "$dir" ]]; then
    (cd "$WORK" && apt-get download -qq "$pkg" >/dev/null 2>"$WORK/$pkg.err") || {
      echo "   apt-get download $pkg failed: $(tail -n 1 "$WORK/$pkg.err")" >&2
      return 1
    }
    mkdir -p "$dir"
    dpkg-deb -x "$WORK/${pkg}"_*.deb "$dir"
    rm -f "$WORK/${pkg}"_*.deb
  fi
  echo "$dir"
}

# fetch PKG SRC:DEST... — copies files out of a package into $OUT unless they exist already.
# A missing package or file is reported and skipped (the rest of the corpus is still useful).
fetch() {
  local pkg=$1; shift
  local pair src dst missing=() dir size
  for pair in "$@"; do
    [[ -e "$OUT/${pair#*:}" ]] || missing+=("$pair")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "== $pkg: all files present, skipping"
    return 0
  fi
  echo "== $pkg: fetching ${#missing[@]} file(s)"
  if ! apt_knows "$pkg"; then
    SKIPPED+=("$pkg (unknown to apt)"); echo "   skipped: apt does not know $pkg" >&2; return 0
  fi
  size=$(deb_size "$pkg")
  if (( size > MAX_DEB_BYTES )); then
    SKIPPED+=("$pkg ($((size / 1048576)) MB package, over the limit)")
    echo "   skipped: package is $((size / 1048576)) MB" >&2
    return 0
  fi
  dir=$(unpack_deb "$pkg") || { SKIPPED+=("$pkg (download failed)"); return 0; }
  for pair in "${missing[@]}"; do
    src=${pair%%:*}; dst=${pair#*:}
    if [[ -f "$dir$src" ]]; then
      cp "$dir$src" "$OUT/$dst.part" && mv "$OUT/$dst.part" "$OUT/$dst"
      FETCHED+=("$dst <- $pkg:$src")
    else
      SKIPPED+=("$dst (not in $pkg: $src)")
      echo "   warning: $src not found in $pkg" >&2
    fi
  done
}

# ------------------------------------------------------------------ 1. real clips
IMAGEIO=/usr/lib/python3/dist-packages/imageio/resources/images
MIMETYPE=/usr/share/gocode/src/github.com/gabriel-vasile/mimetype/testdata
fetch python3-imageio \
  "$IMAGEIO/cockatoo.mp4:cockatoo.mp4" \
  "$IMAGEIO/realshort.mp4:realshort.mp4"
fetch kphotoalbum \
  "/usr/share/kphotoalbum/demo/movie.avi:kphotoalbum_talkinghead.avi"
fetch opencv-doc \
  "/usr/share/doc/opencv-doc/examples/data/vtest.avi:opencv_vtest.avi"
fetch golang-github-gabriel-vasile-mimetype-dev \
  "$MIMETYPE/mkv.mkv:mimetype_bbb.mkv" \
  "$MIMETYPE/mp4.mp4:mimetype_lego.mp4" \
  "$MIMETYPE/webm.webm:mimetype_lego.webm"

# ------------------------------------------------------ 2. montage with ground truth
# Shots (each photo is scaled once and looped; setpts=N/(25*TB) keeps frame indices exact):
#   A [  0, 75)  Picture_0B (fig on a red plate), still
#   B [ 75,175)  aitzgorri (mountain landscape), pan right 6 px/frame
#   C [150,250)  Dragonfly, tilt down 4 px/frame
#   D [225,325)  seeding (dandelions), still
#   E [325,425)  picosdeeuropa (mountains), centred zoom in 1+0.004*n
#   F [400,500)  friends (dogs at a window), still
# Transitions: A|B cut at 75, B~C dissolve [150,175), C~D fade through black [225,250),
#              D|E cut at 325, E~F dissolve [400,425).
MONTAGE="$OUT/montage.mp4"
if [[ -e "$MONTAGE" && -e "$MONTAGE.gt.json" ]]; then
  echo "== montage.mp4: present, skipping"
else
  echo "== montage.mp4: building from lomiri-wallpapers-16.04 photos"
  apt_knows lomiri-wallpapers-16.04 || { echo "error: apt does not know lomiri-wallpapers-16.04" >&2; exit 1; }
  WP="$(unpack_deb lomiri-wallpapers-16.04)/usr/share/backgrounds" || {
    echo "error: cannot download lomiri-wallpapers-16.04 (needed for montage.mp4)" >&2; exit 1; }
  for f in Picture_0B_by_freespace aitzgorri_by_Aitzol_Berasategi Dragonfly_by_Bolly \
           seeding_by_Clements_Engelhardt picosdeeuropa_by_Aitzol_Berasategi friends_by_Aitzol_Berasategi; do
    [[ -f "$WP/$f.jpg" ]] || { echo "error: $f.jpg missing from lomiri-wallpapers-16.04" >&2; exit 1; }
  done
  FIT="force_original_aspect_ratio=increase,setsar=1"
  HOLD="loop=loop=149:size=1:start=0,setpts=N/(25*TB)"  # one decoded photo -> 150 identical frames
  shot() { echo "trim=end_frame=$1,setpts=N/(25*TB),settb=1/25,format=yuv420p"; }
  ffmpeg -nostdin -hide_banner -loglevel error -y \
    -i "$WP/Picture_0B_by_freespace.jpg" \
    -i "$WP/aitzgorri_by_Aitzol_Berasategi.jpg" \
    -i "$WP/Dragonfly_by_Bolly.jpg" \
    -i "$WP/seeding_by_Clements_Engelhardt.jpg" \
    -i "$WP/picosdeeuropa_by_Aitzol_Berasategi.jpg" \
    -i "$WP/friends_by_Aitzol_Berasategi.jpg" \
    -filter_complex "\
[0:v]scale=1280:720:$FIT,crop=1280:720,$HOLD,$(shot 75)[a];\
[1:v]scale=2560:1440:$FIT,crop=2560:1440,$HOLD,crop=1280:720:'200+6*n':360,$(shot 100)[b];\
[2:v]scale=2560:1440:$FIT,crop=2560:1440,$HOLD,crop=1280:720:640:'200+4*n',$(shot 100)[c];\
[3:v]scale=1280:720:$FIT,crop=1280:720,$HOLD,$(shot 100)[d];\
[4:v]scale=5120:2880:$FIT,crop=5120:2880,zoompan=z='1+0.004*on':d=100:x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':s=1280x720:fps=25,setsar=1,$(shot 100)[e];\
[5:v]scale=1280:-2,setsar=1,crop=1280:720:0:560,$HOLD,$(shot 100)[f];\
[a][b]concat=n=2:v=1:a=0,setpts=N/(25*TB),settb=1/25[ab];\
[ab][c]xfade=transition=fade:duration=1:offset=6,setpts=N/(25*TB),settb=1/25[abc];\
[abc][d]xfade=transition=fadeblack:duration=1:offset=9,setpts=N/(25*TB),settb=1/25[abcd];\
[abcd][e]concat=n=2:v=1:a=0,setpts=N/(25*TB),settb=1/25[abcde];\
[abcde][f]xfade=transition=fade:duration=1:offset=16,setpts=N/(25*TB),format=yuv420p[v]" \
    -map "[v]" -r 25 -c:v libx264 -preset medium -crf 20 -pix_fmt yuv420p -g 50 \
    -movflags +faststart -an "$WORK/montage.mp4"
  frames=$(ffprobe -v error -count_frames -select_streams v:0 \
             -show_entries stream=nb_read_frames -of csv=p=0 "$WORK/montage.mp4")
  if [[ "$frames" != 500 ]]; then
    echo "error: montage has $frames frames, expected 500" >&2; exit 1
  fi
  printf '%s\n' '{"fps":25,"frames":500,"transitions":[{"type":"cut","frame":75},{"type":"dissolve","start":150,"end":175},{"type":"fade_through_black","start":225,"end":250},{"type":"cut","frame":325},{"type":"dissolve","start":400,"end":425}],"note":"[start,end) frame ranges (0-based decoded frames); a cut frame is the first frame of the new shot; xfade duration 1 s = 25 frames. Shots: A [0,75) still photo (fig on plate); B [75,175) pan right 6 px/frame (mountains); C [150,250) tilt down 4 px/frame (dragonfly); D [225,325) still (dandelions); E [325,425) centred zoom in 1+0.004*n (mountains); F [400,500) still (dogs). Photos: Debian package lomiri-wallpapers-16.04, CC-BY-SA-3.0."}' \
    > "$WORK/montage.mp4.gt.json"
  mv "$WORK/montage.mp4" "$MONTAGE"
  mv "$WORK/montage.mp4.gt.json" "$MONTAGE.gt.json"
  FETCHED+=("montage.mp4 + montage.mp4.gt.json <- built from lomiri-wallpapers-16.04 photos")
fi

# ------------------------------------------------------------------ 3. summary
echo
echo "== corpus in $OUT"
if [[ ${#FETCHED[@]} -gt 0 ]]; then
  echo "fetched this run:"; printf '   %s\n' "${FETCHED[@]}"
fi
if [[ ${#SKIPPED[@]} -gt 0 ]]; then
  echo "skipped:"; printf '   %s\n' "${SKIPPED[@]}"
fi
probe() {  # probe FILE ffprobe-args... -> first line of output
  local f=$1; shift
  ffprobe -v error -select_streams v:0 "$@" "$f" 2>/dev/null | head -n 1
}
shopt -s nullglob
for f in "$OUT"/*; do
  [[ -f "$f" ]] || continue
  case "$f" in
    *.json) info="ground truth (sidecar)" ;;
    *) info="$(probe "$f" -show_entries stream=codec_name -of csv=p=0)"
       info+=" $(probe "$f" -show_entries stream=width,height -of csv=p=0:s=x)"
       info+=" $(probe "$f" -show_entries format=duration -of csv=p=0)s" ;;
  esac
  printf '   %-28s %8s  %s\n' "$(basename "$f")" "$(du -h "$f" | cut -f1)" "$info"
done
echo "   total: $(du -sh "$OUT" | cut -f1)"
