//! GeoJSON (RFC 7946) exchange of grids: export, and an import that validates every feature and
//! reports every problem, so that a file with any problem imports nothing.
//!
//! # What an import may cost
//!
//! The import is reachable by an administrator's upload, so its work is bounded by [`Limits`]
//! before any expensive step, and it stops when its caller gives up (the `cancelled` check,
//! consulted between features and between the pairs of the overlap check):
//!
//! - parsing is linear in the text; positions and features are counted while parsing, and a
//!   file over [`MAX_FILE_VERTICES`] or [`MAX_FEATURES`] stops the parse at once;
//! - each feature's rings are counted before its geometry is read or validated: a ring over
//!   [`MAX_RING_VERTICES`], a feature over [`MAX_FEATURE_VERTICES`] or [`MAX_FEATURE_RINGS`]
//!   is a `too_large` problem and its geometry is not looked at further;
//! - geo 0.33's validity check (`Validation`) is quadratic: it tests every pair of a ring's
//!   edges for self-intersection (`linestring_has_self_intersection`, n² `Line::intersects`;
//!   about 3 ns a pair in a release build, as the more than eight minutes the 385,000-vertex
//!   ring an attacker sent took imply, and about 150 ns in a debug build, measured), and it
//!   relates every pair of a feature's polygons and every pair of a polygon's holes. The
//!   per-ring limit bounds the first to `MAX_RING_VERTICES²` pairs per ring, so to at most
//!   `MAX_FILE_VERTICES × MAX_RING_VERTICES` in a file (linear in the file for the fixed limit;
//!   about a minute at worst in a release build, a third of that for the largest HTTP upload)
//!   and `MAX_FEATURE_VERTICES × MAX_RING_VERTICES` (under a second) between two looks at the
//!   cancellation check; the ring count per feature bounds the second;
//! - the overlap check finds candidate pairs with an R-tree ([`GridIndex`], O(n log n) plus the
//!   candidates) and counts them, weighted by their vertices, before it intersects any pair: a
//!   file whose candidates exceed [`MAX_OVERLAP_WORK`] is refused (`too_large`) rather than
//!   intersected pair by pair (grids whose bounding boxes all meet, e.g. long thin diagonal
//!   strips, would otherwise make it quadratic in the number of grids).

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;

use geo::algorithm::validation::{InvalidMultiPolygon, InvalidPolygon, RingRole};
use geo::{Area, BooleanOps, BoundingRect, Coord, LineString, MultiPolygon, Polygon, Validation};
use serde::Serialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value, json};

use super::division::DivisionTree;
use super::grid::{Grid, GridKind, shape_to_geojson};
use super::locate::GridIndex;
use super::partition::area_m2;
use crate::ids::{GridCode, Level};
use crate::text::Bilingual;

/// Most features (grids) one file may hold. Tangshan has 10,727 grids (the demo has as many);
/// a city with ten times as many still fits.
pub const MAX_FEATURES: usize = 100_000;

/// Most positions in one ring. The demo's largest ring has 69 (its outlines are partitions of
/// county outlines of at most 1,415 positions); a village boundary traced from land-survey
/// data has a few thousand. Bounds geo's quadratic self-intersection test (see the module
/// documentation) to 10⁸ edge pairs, about a third of a second, per ring.
pub const MAX_RING_VERTICES: usize = 10_000;

/// Most positions in one feature, over all its polygons and holes. The demo's largest grid has
/// 71. Bounds the validity check of one feature (at most `MAX_FEATURE_VERTICES ×
/// MAX_RING_VERTICES` edge pairs) and of each exact intersection in the overlap check.
pub const MAX_FEATURE_VERTICES: usize = 20_000;

/// Most rings (polygons plus holes) in one feature. The demo's grids have at most 7; a coastal
/// grid with its islets a few dozen. Bounds geo's validity check, which relates every pair of
/// a feature's polygons and every pair of a polygon's holes.
pub const MAX_FEATURE_RINGS: usize = 200;

/// Most positions in the whole file. The demo's 10,727 grids have 65,467 (its export is 3.9
/// MB); this allows Tangshan's count of grids with 186 positions each on average. The HTTP
/// body limit (16 MiB, about 640,000 positions) is the tighter bound for uploads; this one
/// also holds for the command line.
pub const MAX_FILE_VERTICES: usize = 2_000_000;

/// Most work the overlap check may take on: the sum, over the pairs of grids whose bounding
/// boxes meet (each pair counted once), of their two position counts. The demo's export
/// re-imported whole needs 410,384 (7 candidates per grid on average); this is over a hundred
/// times as much, some seconds of exact intersections in a release build.
pub const MAX_OVERLAP_WORK: usize = 50_000_000;

/// The limits one import keeps to; [`Limits::DEFAULT`] holds the constants above (tests use
/// smaller ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub features: usize,
    pub ring_vertices: usize,
    pub feature_vertices: usize,
    pub feature_rings: usize,
    pub file_vertices: usize,
    pub overlap_work: usize,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        features: MAX_FEATURES,
        ring_vertices: MAX_RING_VERTICES,
        feature_vertices: MAX_FEATURE_VERTICES,
        feature_rings: MAX_FEATURE_RINGS,
        file_vertices: MAX_FILE_VERTICES,
        overlap_work: MAX_OVERLAP_WORK,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// One problem with one feature of an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureProblem {
    /// Position of the feature in the file, from 0; `None` for the file as a whole.
    pub feature: Option<usize>,
    pub code: Option<String>,
    /// Stable machine-readable kind: `syntax`, `too_large`, `geometry`, `invalid_ring`,
    /// `self_intersection`, `bad_code`, `unknown_community`, `duplicate_code`, `overlap`,
    /// `bad_property`.
    pub kind: &'static str,
    /// What is wrong, in English.
    pub message: String,
    /// What is wrong, in Chinese (what the console shows in zh-CN).
    pub message_zh: String,
}

/// Why an import brought back no grids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// The file has problems, every one found: nothing of it may be imported.
    Rejected(Vec<FeatureProblem>),
    /// The caller's cancellation check said stop before the checks ended (the request is gone).
    Cancelled,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Rejected(problems) => write!(f, "the file was rejected: {} problem(s)", problems.len()),
            ImportError::Cancelled => write!(f, "the import was cancelled before its checks ended"),
        }
    }
}

impl std::error::Error for ImportError {}

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
/// that stay in place (`existing` minus those the file replaces by code), within
/// [`Limits::DEFAULT`]. Either every feature is good and all come back, or every problem found
/// comes back. `cancelled` is consulted between features and during the overlap check: once it
/// answers true the import stops with [`ImportError::Cancelled`].
pub fn import(
    text: &str,
    divisions: &DivisionTree,
    existing: &[Grid],
    cancelled: &dyn Fn() -> bool,
) -> Result<Vec<Grid>, ImportError> {
    import_within(text, divisions, existing, &Limits::DEFAULT, cancelled)
}

/// [`import`] within the given limits.
pub fn import_within(
    text: &str,
    divisions: &DivisionTree,
    existing: &[Grid],
    limits: &Limits,
    cancelled: &dyn Fn() -> bool,
) -> Result<Vec<Grid>, ImportError> {
    let file_problem = |kind, said: Bilingual| {
        ImportError::Rejected(vec![FeatureProblem {
            feature: None,
            code: None,
            kind,
            message: said.en,
            message_zh: said.zh,
        }])
    };
    let features = match parse_collection(text, limits, cancelled) {
        Ok(features) => features,
        Err(Stop::Cancelled) => return Err(ImportError::Cancelled),
        Err(Stop::Problem(kind, said)) => return Err(file_problem(kind, said)),
    };

    let mut problems = Vec::new();
    let mut grids: Vec<(usize, Grid)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, f) in features.iter().enumerate() {
        if cancelled() {
            return Err(ImportError::Cancelled);
        }
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
        // Sizes first: a geometry over the limits is not read, let alone validated.
        let shape = if within_size(f.get("geometry"), limits, &mut problem) {
            parse_geometry(f.get("geometry"), &mut problem)
        } else {
            None
        };
        if let (Some(code), Some(shape), true) = (code, shape, problems.len() == before) {
            let name = if name.is_empty() { format!("网格 {code}") } else { name };
            grids.push((i, Grid { code, name, kind, shape }));
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Rejected(problems));
    }
    check_overlaps(&grids, existing, limits, cancelled, &mut problems)?;
    if problems.is_empty() {
        Ok(grids.into_iter().map(|(_, g)| g).collect())
    } else {
        Err(ImportError::Rejected(problems))
    }
}

/// Checks the sizes of a geometry's rings against the limits, reporting each limit passed once;
/// true when it is within all of them (or is not shaped like a (Multi)Polygon at all, which
/// [`parse_geometry`] reports).
fn within_size(g: Option<&Value>, limits: &Limits, problem: &mut impl FnMut(&'static str, Bilingual)) -> bool {
    let Some((kind, coords)) = g.and_then(|g| Some((g.get("type")?.as_str()?, g.get("coordinates")?))) else {
        return true;
    };
    let polygons: Vec<&Value> = match (kind, coords.as_array()) {
        ("Polygon", Some(_)) => vec![coords],
        ("MultiPolygon", Some(ps)) => ps.iter().collect(),
        _ => return true,
    };
    let (mut rings, mut vertices, mut ok) = (0usize, 0usize, true);
    for (pi, p) in polygons.iter().enumerate() {
        for (ri, r) in p.as_array().into_iter().flatten().enumerate() {
            let n = r.as_array().map_or(0, Vec::len);
            rings += 1;
            vertices += n;
            if n > limits.ring_vertices && ok {
                problem(
                    "too_large",
                    Bilingual::new(
                        format!(
                            "第 {} 个多边形第 {} 个环有 {n} 个点，超过每个环最多 {} 个点的上限",
                            pi + 1,
                            ri + 1,
                            limits.ring_vertices
                        ),
                        format!(
                            "polygon {pi}, ring {ri} has {n} positions, over the limit of {} positions per ring",
                            limits.ring_vertices
                        ),
                    ),
                );
                ok = false;
            }
        }
    }
    if vertices > limits.feature_vertices {
        problem(
            "too_large",
            Bilingual::new(
                format!("要素共有 {vertices} 个点，超过每个要素最多 {} 个点的上限", limits.feature_vertices),
                format!(
                    "the feature has {vertices} positions, over the limit of {} per feature",
                    limits.feature_vertices
                ),
            ),
        );
        ok = false;
    }
    if rings > limits.feature_rings {
        problem(
            "too_large",
            Bilingual::new(
                format!("要素共有 {rings} 个环（多边形与洞），超过每个要素最多 {} 个环的上限", limits.feature_rings),
                format!(
                    "the feature has {rings} rings (polygons and holes), over the limit of {} per feature",
                    limits.feature_rings
                ),
            ),
        );
        ok = false;
    }
    ok
}

/// Why parsing stopped: the caller gave up, or the file has a problem of its own.
enum Stop {
    Cancelled,
    Problem(&'static str, Bilingual),
}

/// The features of a FeatureCollection, parsed with counts: positions (arrays of two or more
/// numbers) and features are counted as they are read, and the parse stops at the first one
/// over its limit, or when `cancelled` says so (looked at before each feature).
fn parse_collection(text: &str, limits: &Limits, cancelled: &dyn Fn() -> bool) -> Result<Vec<Value>, Stop> {
    let counts = Counts { limits, cancelled, vertices: Cell::new(0), stop: Cell::new(None) };
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = (&counts).deserialize(&mut de).and_then(|root| de.end().map(|()| root));
    let not_collection = || {
        Stop::Problem(
            "syntax",
            Bilingual::new(
                "文件不是 GeoJSON 要素集合（FeatureCollection）",
                "the file is not a GeoJSON FeatureCollection",
            ),
        )
    };
    let root = match parsed {
        Ok(root) => root,
        Err(e) => {
            return Err(match counts.stop.take() {
                Some(stop) => stop,
                // The text is JSON so far, but not shaped like a FeatureCollection.
                None if e.classify() == serde_json::error::Category::Data => not_collection(),
                None => Stop::Problem("syntax", Bilingual::new(format!("不是 JSON：{e}"), format!("not JSON: {e}"))),
            });
        }
    };
    if root.kind.as_deref() != Some("FeatureCollection") {
        return Err(not_collection());
    }
    root.features.ok_or_else(|| {
        Stop::Problem(
            "syntax",
            Bilingual::new("缺少 `features`，或它不是数组", "`features` is missing or not an array"),
        )
    })
}

/// What parsing has counted so far, and why it stopped, if it did.
struct Counts<'a> {
    limits: &'a Limits,
    cancelled: &'a dyn Fn() -> bool,
    vertices: Cell<usize>,
    stop: Cell<Option<Stop>>,
}

impl Counts<'_> {
    /// Records why parsing stops, as the error that stops it.
    fn halt<E: de::Error>(&self, stop: Stop) -> E {
        self.stop.set(Some(stop));
        E::custom("stopped")
    }
}

/// The members of the root object that matter.
struct Root {
    kind: Option<String>,
    features: Option<Vec<Value>>,
}

impl<'de> DeserializeSeed<'de> for &Counts<'_> {
    type Value = Root;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Root, D::Error> {
        d.deserialize_map(RootVisitor(self))
    }
}

struct RootVisitor<'c, 'a>(&'c Counts<'a>);

impl<'de> Visitor<'de> for RootVisitor<'_, '_> {
    type Value = Root;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON FeatureCollection")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Root, A::Error> {
        let mut root = Root { kind: None, features: None };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => root.kind = map.next_value::<Value>()?.as_str().map(str::to_string),
                "features" => root.features = Some(map.next_value_seed(FeaturesSeed(self.0))?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(root)
    }
}

struct FeaturesSeed<'c, 'a>(&'c Counts<'a>);

impl<'de> DeserializeSeed<'de> for FeaturesSeed<'_, '_> {
    type Value = Vec<Value>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<Value>, D::Error> {
        // Any: so that the visitor sees what `features` is when it is not an array.
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FeaturesSeed<'_, '_> {
    type Value = Vec<Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of features")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Value>, A::Error> {
        let counts = self.0;
        let mut features = Vec::new();
        loop {
            if (counts.cancelled)() {
                return Err(counts.halt(Stop::Cancelled));
            }
            let Some(feature) = seq.next_element_seed(Counted(counts))? else {
                return Ok(features);
            };
            features.push(feature);
            if features.len() > counts.limits.features {
                let max = counts.limits.features;
                return Err(counts.halt(Stop::Problem(
                    "too_large",
                    Bilingual::new(
                        format!("文件的要素超过 {max} 个（每个文件最多 {max} 个网格）"),
                        format!("the file has more than {max} features (at most {max} grids per file)"),
                    ),
                )));
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Vec<Value>, A::Error> {
        Err(self.0.halt(not_an_array()))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Vec<Value>, E> {
        Err(self.0.halt(not_an_array()))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Vec<Value>, E> {
        Err(self.0.halt(not_an_array()))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Vec<Value>, E> {
        Err(self.0.halt(not_an_array()))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Vec<Value>, E> {
        Err(self.0.halt(not_an_array()))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Vec<Value>, E> {
        Err(self.0.halt(not_an_array()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<Value>, E> {
        Err(self.0.halt(not_an_array()))
    }
}

fn not_an_array() -> Stop {
    Stop::Problem("syntax", Bilingual::new("缺少 `features`，或它不是数组", "`features` is missing or not an array"))
}

/// Any JSON value, counting positions into the file's total as they are read.
struct Counted<'c, 'a>(&'c Counts<'a>);

impl<'de> DeserializeSeed<'de> for Counted<'_, '_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Counted<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let counts = self.0;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Counted(counts))? {
            items.push(item);
        }
        if items.len() >= 2 && items.iter().all(Value::is_number) {
            let n = counts.vertices.get() + 1;
            counts.vertices.set(n);
            if n > counts.limits.file_vertices {
                let max = counts.limits.file_vertices;
                return Err(counts.halt(Stop::Problem(
                    "too_large",
                    Bilingual::new(
                        format!("文件的坐标点超过 {max} 个（每个文件最多 {max} 个点）"),
                        format!("the file has more than {max} positions (at most {max} per file)"),
                    ),
                )));
            }
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Counted(self.0))?;
            members.insert(key, value);
        }
        Ok(Value::Object(members))
    }
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

/// A part of an intersection no larger than this is not an overlap: rounding noise.
const MIN_OVERLAP_M2: f64 = 1.0;

/// A part of an intersection whose mean width (area ÷ half its perimeter) is at most this is a
/// sliver, not an overlap.
///
/// Why: the export writes 7 decimals (about 1 cm), so every vertex moves by up to 0.5e-7° in
/// each axis, at most about 8 mm. Where a vertex of one grid lies on an edge of its neighbour
/// (a T-junction, where a later cut of the partition meets an earlier one, or a county outline
/// meets another), the rounded vertex leaves the rounded edge, and the two grids overlap in a
/// thin triangle as long as the edge: up to a few metres square along a long edge (the demo's
/// re-imported export has 1,221 such parts, the largest 11.7 m², so no absolute area threshold
/// both passes them and catches small real overlaps), but never wider than the two roundings
/// together (≲ 1.6 cm; the demo's widest has a mean width of 6.6 mm, a triangle's mean width
/// being half its greatest). A real overlap is as wide as the error that made it: a grid drawn
/// or shifted 50 m into its neighbour has a mean width of tens of metres. Five centimetres is
/// several times any rounding sliver and below what anyone digitises a boundary to. Each part
/// of the intersection is judged on its own, so slivers along one edge do not thin out a real
/// overlap elsewhere. (A small real overlap joined to a long sliver in one part could still be
/// taken for a sliver; it would have to be under about 5 cm × the sliver's length in area.)
const MAX_SLIVER_WIDTH_M: f64 = 0.05;

/// Metres per degree of latitude, and of longitude at the equator: enough for a perimeter that
/// only decides between centimetres and metres.
const M_PER_DEG_LAT: f64 = 110_574.0;
const M_PER_DEG_LON: f64 = 111_320.0;

/// Overlap = an intersection part larger than [`MIN_OVERLAP_M2`] and wider than
/// [`MAX_SLIVER_WIDTH_M`]; touching edges and rounding slivers are fine. Candidates come from
/// an R-tree and their work is counted against `limits.overlap_work` before any is intersected.
fn check_overlaps(
    grids: &[(usize, Grid)],
    existing: &[Grid],
    limits: &Limits,
    cancelled: &dyn Fn() -> bool,
    problems: &mut Vec<FeatureProblem>,
) -> Result<(), ImportError> {
    let replaced: std::collections::HashSet<&GridCode> = grids.iter().map(|(_, g)| &g.code).collect();
    let kept: Vec<&Grid> = existing.iter().filter(|g| !replaced.contains(&g.code)).collect();
    let all: Vec<&Grid> = grids.iter().map(|(_, g)| g).chain(kept.iter().copied()).collect();
    let sizes: Vec<usize> = all.iter().map(|g| vertex_count(&g.shape)).collect();
    let index = GridIndex::build(all.iter().map(|g| &g.shape));
    // The grids each new grid is intersected with: those whose boxes meet its box, pairs inside
    // the file once (from the earlier feature).
    let candidates = |a: usize| -> Vec<usize> {
        let Some(r) = all[a].shape.bounding_rect() else {
            return Vec::new();
        };
        let mut others: Vec<usize> =
            index.candidates([r.min().x, r.min().y], [r.max().x, r.max().y]).map(|b| b as usize).collect();
        others.sort_unstable();
        others.dedup();
        others.retain(|&b| b != a && (b >= grids.len() || b > a));
        others
    };

    // First count the work, so that a file that would take too long is refused before any.
    let mut work = 0usize;
    for a in 0..grids.len() {
        if cancelled() {
            return Err(ImportError::Cancelled);
        }
        work += candidates(a).iter().map(|&b| sizes[a] + sizes[b]).sum::<usize>();
        if work > limits.overlap_work {
            let max = limits.overlap_work;
            problems.push(FeatureProblem {
                feature: None,
                code: None,
                kind: "too_large",
                message: format!(
                    "the grids' bounding boxes meet too often to check for overlaps: more than {max} positions to \
                     compare (pairs of grids whose boxes meet, by their positions); split the file"
                ),
                message_zh: format!("网格的外包矩形相交过多，无法检查重叠：需比较的点超过 {max} 个（外包矩形相交的网格对，按点数计）；请把文件分成几份"),
            });
            return Ok(());
        }
    }

    for (a, (feature, g)) in grids.iter().enumerate() {
        for b in candidates(a) {
            if cancelled() {
                return Err(ImportError::Cancelled);
            }
            let other = all[b];
            let overlap_m2 = overlap_m2(&g.shape, &other.shape);
            if overlap_m2 > 0.0 {
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
    Ok(())
}

/// The area (m²) of the parts of `a ∩ b` that are overlaps rather than noise: each part larger
/// than [`MIN_OVERLAP_M2`] and wider on average than [`MAX_SLIVER_WIDTH_M`]; 0 if none is.
fn overlap_m2(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    let common = a.intersection(b);
    let mut total = 0.0;
    for part in common.0 {
        let perimeter = perimeter_m(&part);
        let part = MultiPolygon(vec![part]);
        let area = area_m2(&part);
        if area > MIN_OVERLAP_M2 && area > MAX_SLIVER_WIDTH_M * perimeter / 2.0 {
            total += area;
        }
    }
    total
}

/// Perimeter of a lon/lat polygon (all its rings) in metres, on a local equirectangular plane.
fn perimeter_m(p: &Polygon<f64>) -> f64 {
    let Some(first) = p.exterior().0.first() else {
        return 0.0;
    };
    let x_scale = M_PER_DEG_LON * first.y.to_radians().cos();
    std::iter::once(p.exterior())
        .chain(p.interiors())
        .flat_map(|r| r.0.windows(2))
        .map(|w| ((w[1].x - w[0].x) * x_scale).hypot((w[1].y - w[0].y) * M_PER_DEG_LAT))
        .sum()
}

fn vertex_count(shape: &MultiPolygon<f64>) -> usize {
    shape.0.iter().map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()).sum()
}

#[cfg(test)]
mod tests;
