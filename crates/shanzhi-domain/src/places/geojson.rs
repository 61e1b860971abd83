//! GeoJSON (RFC 7946) exchange of grids: export, and an import that validates every feature and
//! reports every problem, so that a file with any problem imports nothing.

use std::collections::HashMap;

use geo::{Area, BooleanOps, BoundingRect, Coord, LineString, MultiPolygon, Polygon, Validation};
use serde::Serialize;
use serde_json::{Value, json};

use super::division::DivisionTree;
use super::grid::{Grid, GridKind, shape_to_geojson};
use super::locate::GridIndex;
use super::partition::area_m2;
use crate::ids::{GridCode, Level};

/// One problem with one feature of an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureProblem {
    /// Position of the feature in the file, from 0; `None` for the file as a whole.
    pub feature: Option<usize>,
    pub code: Option<String>,
    /// Stable machine-readable kind: `syntax`, `geometry`, `invalid_ring`, `self_intersection`,
    /// `bad_code`, `unknown_community`, `duplicate_code`, `overlap`, `bad_property`.
    pub kind: &'static str,
    pub message: String,
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
    let file_problem = |kind, message: String| vec![FeatureProblem { feature: None, code: None, kind, message }];
    let root: Value = serde_json::from_str(text).map_err(|e| file_problem("syntax", format!("not JSON: {e}")))?;
    if root.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(file_problem("syntax", "the file is not a GeoJSON FeatureCollection".into()));
    }
    let Some(features) = root.get("features").and_then(Value::as_array) else {
        return Err(file_problem("syntax", "`features` is missing or not an array".into()));
    };

    let mut problems = Vec::new();
    let mut grids: Vec<(usize, Grid)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, f) in features.iter().enumerate() {
        let before = problems.len();
        let code_text = f.pointer("/properties/code").and_then(Value::as_str).map(str::to_string);
        let mut problem = |kind, message: String| {
            problems.push(FeatureProblem { feature: Some(i), code: code_text.clone(), kind, message })
        };
        let code = match code_text.as_deref().map(str::parse::<GridCode>) {
            None => {
                problem("bad_code", "properties.code is missing (a 15-digit grid code)".into());
                None
            }
            Some(Err(e)) => {
                problem("bad_code", e.to_string());
                None
            }
            Some(Ok(c)) => Some(c),
        };
        if let Some(c) = &code {
            match divisions.get(&c.community()) {
                Some(d) if d.level() == Level::Village => {}
                _ => problem(
                    "unknown_community",
                    format!("community {} of grid {c} is not a known community or village", c.community()),
                ),
            }
            if let Some(first) = seen.insert(c.to_string(), i) {
                problem("duplicate_code", format!("grid code {c} is also used by feature {first}"));
            }
        }
        let kind = match f.pointer("/properties/kind").and_then(Value::as_str) {
            None => GridKind::General,
            Some(k) => GridKind::parse(k).unwrap_or_else(|| {
                problem("bad_property", format!("properties.kind `{k}` is not general or dedicated"));
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
    parse_geometry(Some(g), &mut |_, m| problems.push(m)).ok_or(problems)
}

fn parse_geometry(g: Option<&Value>, problem: &mut impl FnMut(&'static str, String)) -> Option<MultiPolygon<f64>> {
    let Some(g) = g.filter(|g| !g.is_null()) else {
        problem("geometry", "the feature has no geometry".into());
        return None;
    };
    let coords = g.get("coordinates");
    let polys: Vec<&Value> = match (g.get("type").and_then(Value::as_str), coords.and_then(Value::as_array)) {
        (Some("Polygon"), Some(_)) => vec![coords.unwrap()],
        (Some("MultiPolygon"), Some(ps)) => ps.iter().collect(),
        (t, _) => {
            problem(
                "geometry",
                format!("geometry must be a Polygon or MultiPolygon with coordinates, not {}", t.unwrap_or("nothing")),
            );
            return None;
        }
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (pi, p) in polys.iter().enumerate() {
        let Some(rings) = p.as_array().filter(|r| !r.is_empty()) else {
            problem("geometry", format!("polygon {pi} has no rings"));
            ok = false;
            continue;
        };
        let mut lines = Vec::new();
        for (ri, r) in rings.iter().enumerate() {
            match parse_ring(r) {
                Ok(l) => lines.push(l),
                Err(e) => {
                    problem("invalid_ring", format!("polygon {pi}, ring {ri}: {e}"));
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
            let text = e.to_string();
            let kind = if text.contains("self-intersection") { "self_intersection" } else { "geometry" };
            problem(kind, text);
        }
        return None;
    }
    if mp.unsigned_area() <= 0.0 {
        problem("geometry", "the outline has no area".into());
        return None;
    }
    Some(mp)
}

fn parse_ring(r: &Value) -> Result<LineString<f64>, String> {
    let pts = r.as_array().ok_or("a ring must be an array of positions")?;
    let mut coords = Vec::with_capacity(pts.len());
    for (k, p) in pts.iter().enumerate() {
        let xy = p.as_array().filter(|a| a.len() >= 2).ok_or(format!("position {k} is not [lon, lat]"))?;
        let (Some(x), Some(y)) = (xy[0].as_f64(), xy[1].as_f64()) else {
            return Err(format!("position {k} is not numeric"));
        };
        if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
            return Err(format!("position {k} ({x}, {y}) is outside lon -180..180 / lat -90..90"));
        }
        coords.push(Coord { x, y });
    }
    if coords.len() < 4 {
        return Err(format!("a ring needs at least 4 positions, this one has {}", coords.len()));
    }
    if coords.first() != coords.last() {
        return Err("the ring is not closed (first and last positions differ)".into());
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
                let whose = if b < grids.len() {
                    format!("feature {} ({})", grids[b].0, other.code)
                } else {
                    format!("existing grid {}", other.code)
                };
                problems.push(FeatureProblem {
                    feature: Some(*feature),
                    code: Some(g.code.to_string()),
                    kind: "overlap",
                    message: format!("grid {} overlaps {whose} by {:.0} m²", g.code, area_m2(&common)),
                });
            }
        }
    }
}
