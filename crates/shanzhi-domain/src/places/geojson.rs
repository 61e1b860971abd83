//! GeoJSON (RFC 7946) exchange of grids: export, and an import that validates every feature and
//! reports every problem, so that a file with any problem imports nothing.

use std::collections::HashMap;

use geo::algorithm::validation::{InvalidMultiPolygon, InvalidPolygon, RingRole};
use geo::{Area, BooleanOps, BoundingRect, Coord, LineString, MultiPolygon, Polygon, Validation};
use serde::Serialize;
use serde_json::{Value, json};

use super::division::DivisionTree;
use super::grid::{Grid, GridKind, shape_to_geojson};
use super::locate::GridIndex;
use super::partition::area_m2;
use crate::ids::{GridCode, Level};
use crate::text::Bilingual;

/// One problem with one feature of an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureProblem {
    /// Position of the feature in the file, from 0; `None` for the file as a whole.
    pub feature: Option<usize>,
    pub code: Option<String>,
    /// Stable machine-readable kind: `syntax`, `geometry`, `invalid_ring`, `self_intersection`,
    /// `bad_code`, `unknown_community`, `duplicate_code`, `overlap`, `bad_property`.
    pub kind: &'static str,
    /// What is wrong, in English.
    pub message: String,
    /// What is wrong, in Chinese (what the console shows in zh-CN).
    pub message_zh: String,
}

/// Serialises grids as a FeatureCollection with `code`, `name`, `kind` and `community` properties.
pub fn export(grids: &[Grid]) -> String {
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, g) in grids.iter().enumerate() {
        let f = json!({
            "type": "Feature",
            "id": g.code.as_str(),
            "properties": {"code": g.code.as_str(), "name": g.name, "kind": g.kind.as_str(), "community": g.community().as_str()},
            "geometry": shape_to_geojson(&g.shape),
        });
        out.push_str(&f.to_string());
        out.push_str(if i + 1 < grids.len() { ",\n" } else { "\n" });
    }
    out.push_str("]}\n");
    out
}

/// Parses and validates a FeatureCollection of grids against the division tree and the grids
/// that stay in place (`existing` minus those the file replaces by code). Either every feature is
/// good and all come back, or every problem found comes back.
pub fn import(text: &str, divisions: &DivisionTree, existing: &[Grid]) -> Result<Vec<Grid>, Vec<FeatureProblem>> {
    let file_problem = |kind, said: Bilingual| {
        vec![FeatureProblem { feature: None, code: None, kind, message: said.en, message_zh: said.zh }]
    };
    let root: Value = serde_json::from_str(text)
        .map_err(|e| file_problem("syntax", Bilingual::new(format!("不是 JSON：{e}"), format!("not JSON: {e}"))))?;
    if root.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(file_problem(
            "syntax",
            Bilingual::new(
                "文件不是 GeoJSON 要素集合（FeatureCollection）",
                "the file is not a GeoJSON FeatureCollection",
            ),
        ));
    }
    let Some(features) = root.get("features").and_then(Value::as_array) else {
        return Err(file_problem(
            "syntax",
            Bilingual::new("缺少 `features`，或它不是数组", "`features` is missing or not an array"),
        ));
    };

    let mut problems = Vec::new();
    let mut grids: Vec<(usize, Grid)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, f) in features.iter().enumerate() {
        let before = problems.len();
        let code_text = f.pointer("/properties/code").and_then(Value::as_str).map(str::to_string);
        let mut problem = |kind, said: Bilingual| {
            problems.push(FeatureProblem {
                feature: Some(i),
                code: code_text.clone(),
                kind,
                message: said.en,
                message_zh: said.zh,
            })
        };
        let code = match code_text.as_deref().map(str::parse::<GridCode>) {
            None => {
                problem(
                    "bad_code",
                    Bilingual::new(
                        "缺少 properties.code（15 位网格代码）",
                        "properties.code is missing (a 15-digit grid code)",
                    ),
                );
                None
            }
            Some(Err(e)) => {
                let text = code_text.as_deref().unwrap_or("");
                problem(
                    "bad_code",
                    Bilingual::new(
                        format!("网格代码 `{text}` 无效：应为 15 位数字（12 位社区代码加 3 位序号，序号不为 000）"),
                        e.to_string(),
                    ),
                );
                None
            }
            Some(Ok(c)) => Some(c),
        };
        if let Some(c) = &code {
            match divisions.get(&c.community()) {
                Some(d) if d.level() == Level::Village => {}
                _ => problem(
                    "unknown_community",
                    Bilingual::new(
                        format!("网格 {c} 所属的 {} 不是已知的社区或村", c.community()),
                        format!("community {} of grid {c} is not a known community or village", c.community()),
                    ),
                ),
            }
            if let Some(first) = seen.insert(c.to_string(), i) {
                problem(
                    "duplicate_code",
                    Bilingual::new(
                        format!("网格代码 {c} 已被第 {} 个要素使用", first + 1),
                        format!("grid code {c} is also used by feature {first}"),
                    ),
                );
            }
        }
        let kind = match f.pointer("/properties/kind").and_then(Value::as_str) {
            None => GridKind::General,
            Some(k) => GridKind::parse(k).unwrap_or_else(|| {
                problem(
                    "bad_property",
                    Bilingual::new(
                        format!("properties.kind `{k}` 不是 general（综合网格）或 dedicated（专属网格）"),
                        format!("properties.kind `{k}` is not general or dedicated"),
                    ),
                );
                GridKind::General
            }),
        };
        let name = f.pointer("/properties/name").and_then(Value::as_str).unwrap_or("").trim().to_string();
        let shape = parse_geometry(f.get("geometry"), &mut problem);
        if let (Some(code), Some(shape), true) = (code, shape, problems.len() == before) {
            let name = if name.is_empty() { format!("网格 {code}") } else { name };
            grids.push((i, Grid { code, name, kind, shape }));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    check_overlaps(&grids, existing, &mut problems);
    if problems.is_empty() { Ok(grids.into_iter().map(|(_, g)| g).collect()) } else { Err(problems) }
}

/// A GeoJSON Polygon or MultiPolygon geometry as a validated MultiPolygon, or what is wrong.
pub fn geometry_from_json(g: &Value) -> Result<MultiPolygon<f64>, Vec<String>> {
    let mut problems = Vec::new();
    parse_geometry(Some(g), &mut |_, m| problems.push(m.en)).ok_or(problems)
}

fn parse_geometry(g: Option<&Value>, problem: &mut impl FnMut(&'static str, Bilingual)) -> Option<MultiPolygon<f64>> {
    let Some(g) = g.filter(|g| !g.is_null()) else {
        problem("geometry", Bilingual::new("要素没有几何图形", "the feature has no geometry"));
        return None;
    };
    let coords = g.get("coordinates");
    let polys: Vec<&Value> = match (g.get("type").and_then(Value::as_str), coords.and_then(Value::as_array)) {
        (Some("Polygon"), Some(_)) => vec![coords.unwrap()],
        (Some("MultiPolygon"), Some(ps)) => ps.iter().collect(),
        (t, _) => {
            let t = t.unwrap_or("nothing");
            problem(
                "geometry",
                Bilingual::new(
                    format!("几何图形须为带坐标的 Polygon 或 MultiPolygon，而不是 {t}"),
                    format!("geometry must be a Polygon or MultiPolygon with coordinates, not {t}"),
                ),
            );
            return None;
        }
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (pi, p) in polys.iter().enumerate() {
        let Some(rings) = p.as_array().filter(|r| !r.is_empty()) else {
            problem(
                "geometry",
                Bilingual::new(format!("第 {} 个多边形没有环", pi + 1), format!("polygon {pi} has no rings")),
            );
            ok = false;
            continue;
        };
        let mut lines = Vec::new();
        for (ri, r) in rings.iter().enumerate() {
            match parse_ring(r) {
                Ok(l) => lines.push(l),
                Err(e) => {
                    problem(
                        "invalid_ring",
                        Bilingual::new(
                            format!("第 {} 个多边形第 {} 个环：{}", pi + 1, ri + 1, e.zh),
                            format!("polygon {pi}, ring {ri}: {}", e.en),
                        ),
                    );
                    ok = false;
                }
            }
        }
        if ok {
            let ext = lines.remove(0);
            out.push(Polygon::new(ext, lines));
        }
    }
    if !ok {
        return None;
    }
    let mp = MultiPolygon(out);
    let errors = mp.validation_errors();
    if !errors.is_empty() {
        for e in errors {
            let kind = match &e {
                InvalidMultiPolygon::InvalidPolygon(_, InvalidPolygon::SelfIntersection(_)) => "self_intersection",
                _ => "geometry",
            };
            problem(kind, Bilingual::new(invalid_zh(&e), e.to_string()));
        }
        return None;
    }
    if mp.unsigned_area() <= 0.0 {
        problem("geometry", Bilingual::new("轮廓面积为零", "the outline has no area"));
        return None;
    }
    Some(mp)
}

/// geo's validation error in Chinese.
fn invalid_zh(e: &InvalidMultiPolygon) -> String {
    let ring = |r: &RingRole| match r {
        RingRole::Exterior => "外环".to_string(),
        RingRole::Interior(i) => format!("第 {} 个内环（洞）", i + 1),
    };
    match e {
        InvalidMultiPolygon::InvalidPolygon(p, invalid) => {
            let what = match invalid {
                InvalidPolygon::TooFewPointsInRing(r) => format!("{}至少需要 3 个不同的点", ring(r)),
                InvalidPolygon::SelfIntersection(r) => format!("{}自相交", ring(r)),
                InvalidPolygon::NonFiniteCoord(r, at) => format!("{}第 {} 个坐标不是有限数", ring(r), at.0 + 1),
                InvalidPolygon::InteriorRingNotContainedInExteriorRing(r) => format!("{}不在外环之内", ring(r)),
                InvalidPolygon::IntersectingRingsOnALine(a, b) => format!("{}与{}沿线相交", ring(a), ring(b)),
                InvalidPolygon::IntersectingRingsOnAnArea(a, b) => format!("{}与{}有重叠区域", ring(a), ring(b)),
            };
            format!("第 {} 个多边形无效：{what}", p.0 + 1)
        }
        InvalidMultiPolygon::ElementsOverlaps(a, b) => format!("第 {} 和第 {} 个多边形互相重叠", a.0 + 1, b.0 + 1),
        InvalidMultiPolygon::ElementsTouchOnALine(a, b) => format!("第 {} 和第 {} 个多边形沿线相接", a.0 + 1, b.0 + 1),
    }
}

fn parse_ring(r: &Value) -> Result<LineString<f64>, Bilingual> {
    let pts = r.as_array().ok_or(Bilingual::new("环必须是坐标点的数组", "a ring must be an array of positions"))?;
    let mut coords = Vec::with_capacity(pts.len());
    for (k, p) in pts.iter().enumerate() {
        let xy = p.as_array().filter(|a| a.len() >= 2).ok_or_else(|| {
            Bilingual::new(format!("第 {} 个点不是 [经度, 纬度]", k + 1), format!("position {k} is not [lon, lat]"))
        })?;
        let (Some(x), Some(y)) = (xy[0].as_f64(), xy[1].as_f64()) else {
            return Err(Bilingual::new(format!("第 {} 个点不是数字", k + 1), format!("position {k} is not numeric")));
        };
        if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
            return Err(Bilingual::new(
                format!("第 {} 个点 ({x}, {y}) 超出经度 -180..180 / 纬度 -90..90", k + 1),
                format!("position {k} ({x}, {y}) is outside lon -180..180 / lat -90..90"),
            ));
        }
        coords.push(Coord { x, y });
    }
    if coords.len() < 4 {
        return Err(Bilingual::new(
            format!("环至少需要 4 个点，这个环只有 {} 个", coords.len()),
            format!("a ring needs at least 4 positions, this one has {}", coords.len()),
        ));
    }
    if coords.first() != coords.last() {
        return Err(Bilingual::new(
            "环未闭合（首末两点不同）",
            "the ring is not closed (first and last positions differ)",
        ));
    }
    Ok(LineString(coords))
}

/// Intersections smaller than this are rounding noise, not overlaps.
const MIN_OVERLAP_M2: f64 = 1.0;

/// Overlap = an intersection with positive area (beyond float noise); touching edges are fine.
fn check_overlaps(grids: &[(usize, Grid)], existing: &[Grid], problems: &mut Vec<FeatureProblem>) {
    let replaced: std::collections::HashSet<&GridCode> = grids.iter().map(|(_, g)| &g.code).collect();
    let kept: Vec<&Grid> = existing.iter().filter(|g| !replaced.contains(&g.code)).collect();
    let all: Vec<&Grid> = grids.iter().map(|(_, g)| g).chain(kept.iter().copied()).collect();
    let index = GridIndex::build(all.iter().map(|g| &g.shape));
    for (a, (feature, g)) in grids.iter().enumerate() {
        let Some(r) = g.shape.bounding_rect() else {
            continue;
        };
        let mut others: Vec<u32> = index.candidates([r.min().x, r.min().y], [r.max().x, r.max().y]).collect();
        others.sort_unstable();
        others.dedup();
        for b in others {
            let b = b as usize;
            // Pairs inside the file are checked once, from the earlier feature.
            if b == a || (b < grids.len() && b < a) {
                continue;
            }
            let other = all[b];
            let common = g.shape.intersection(&other.shape);
            // Outlines stored to 1 cm leave sub-square-metre slivers along shared edges: noise.
            let overlap_m2 = if common.0.is_empty() { 0.0 } else { area_m2(&common) };
            if overlap_m2 > MIN_OVERLAP_M2 {
                let (whose_zh, whose) = if b < grids.len() {
                    (
                        format!("第 {} 个要素（{}）", grids[b].0 + 1, other.code),
                        format!("feature {} ({})", grids[b].0, other.code),
                    )
                } else {
                    (format!("现有网格 {}", other.code), format!("existing grid {}", other.code))
                };
                problems.push(FeatureProblem {
                    feature: Some(*feature),
                    code: Some(g.code.to_string()),
                    kind: "overlap",
                    message: format!("grid {} overlaps {whose} by {overlap_m2:.0} m²", g.code),
                    message_zh: format!("网格 {} 与{whose_zh}重叠 {overlap_m2:.0} 平方米", g.code),
                });
            }
        }
    }
}
