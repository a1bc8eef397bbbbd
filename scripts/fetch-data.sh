#!/usr/bin/env bash
# Downloads the MovieLens sets memrec uses into ./data (or $1) and verifies the extracted files against
# known checksums (sha256, or the git blob id for ml-1m's ratings.dat). Needs network access; memrec itself
# never downloads anything. MovieLens data may not be redistributed: keep it out of git (data/ is ignored).
set -euo pipefail
dest=${1:-"$(dirname "$0")/../data"}
mkdir -p "$dest"
cd "$dest"
base=https://files.grouplens.org/datasets/movielens

fetch() {  # name
  [ -d "$1" ] && return 0
  echo "fetch-data: downloading $1"
  curl -fsSL -o "$1.zip" "$base/$1.zip"
  unzip -q "$1.zip"
  rm "$1.zip"
}

check_sha256() {  # file expected
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  [ "$got" = "$2" ] || { echo "fetch-data: $1: sha256 $got, expected $2" >&2; exit 1; }
}

fetch ml-1m
fetch ml-100k
fetch ml-latest-small
check_sha256 ml-1m/movies.dat 0140fc2356357c1a851d0f52e893a1e4d3696df632c4141cea8d5bc3d621f0b9
check_sha256 ml-1m/users.dat 1dc3a95300cb19f7c10e027daf29b8cdf1d908dab65b5edfb45950aa389a10a3
got=$(git hash-object ml-1m/ratings.dat)
[ "$got" = 77a7c4b150f588c23bb9e1f068aa996c0b413695 ] || { echo "fetch-data: ml-1m/ratings.dat: git blob $got" >&2; exit 1; }
check_sha256 ml-100k/u.data 06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490
check_sha256 ml-100k/u.item 553841ebc7de3a0fd0d6b62a204ea30c1e651aacfb2814c7a6584ac52f2c5701
check_sha256 ml-latest-small/ratings.csv aa289ca83157595d0df6aea1be6a4ded676ddc4385472e8313a8ed9805352646
check_sha256 ml-latest-small/movies.csv 5a5f32dd9bb3797b8e728a1b98958789d2b13f294a69fdfbc5727f8a9611aa07
echo "fetch-data: verified ml-1m, ml-100k and ml-latest-small in $(pwd)"
