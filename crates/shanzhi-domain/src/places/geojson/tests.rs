//! Tests of `geojson`: real overlaps are told from slivers, the size limits refuse a file before
//! its geometry is worked on, and files not shaped like a collection are syntax problems. The
//! import of the demo's 10,727 grids (round trip, overlaps, cancellation) is tested in
//! `crates/shanzhi-demo/tests/geojson.rs`.

use std::cell::Cell;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::*;

const DIVISIONS: &str = include_str!("../../../../../data/places/tangshan-divisions.csv");

/// The shipped division tree, read once for every test here.
fn divisions() -> &'static DivisionTree {
    static TREE: OnceLock<DivisionTree> = OnceLock::new();
    TREE.get_or_init(|| DivisionTree::from_csv(DIVISIONS).unwrap())
}

fn never() -> bool {
    false
}

fn collection(features: Vec<Value>) -> String {
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

fn problems(result: Result<Vec<Grid>, ImportError>) -> Vec<FeatureProblem> {
    match result {
        Err(ImportError::Rejected(problems)) => problems,
        Err(ImportError::Cancelled) => panic!("cancelled"),
        Ok(grids) => panic!("accepted {} grids", grids.len()),
    }
}

/// A square feature of side `side` degrees at (lon, lat) for a grid `code` of a community.
fn square(code: &str, lon: f64, lat: f64, side: f64) -> Value {
    let ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]];
    json!({"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}})
}

/// A feature whose one ring is a circle of `n` distinct positions (n + 1 with the closing one).
fn circle(code: &str, n: usize) -> Value {
    let mut ring: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / n as f64;
            [118.18 + 0.01 * t.cos(), 39.63 + 0.01 * t.sin()]
        })
        .collect();
    ring.push(ring[0]);
    json!({"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}})
}

/// A community of Tangshan: its grids' codes start with it.
const COMMUNITY: &str = "130202001001";

#[test]
fn slivers_are_told_from_overlaps_by_their_width() {
    // Two 100 m squares side by side, near Tangshan; `d` degrees of longitude per metre.
    let (lon, lat): (f64, f64) = (118.18, 39.63);
    let d = 1.0 / (M_PER_DEG_LON * lat.to_radians().cos());
    let (side, h) = (100.0 * d, 100.0 / M_PER_DEG_LAT);
    let sq = |x: f64, w: f64| {
        MultiPolygon(vec![Polygon::new(
            LineString::from(vec![(x, lat), (x + w, lat), (x + w, lat + h), (x, lat + h), (x, lat)]),
            vec![],
        )])
    };
    let left = sq(lon, side);
    // A strip 1.1 cm wide along the 100 m shared edge, 1.1 m²: a sliver.
    assert_eq!(overlap_m2(&left, &sq(lon + side - 0.011 * d, side)), 0.0);
    // A 3 km edge with a 1 cm strip is 30 m², still a sliver.
    let long = |x: f64| {
        MultiPolygon(vec![Polygon::new(
            LineString::from(vec![(x, lat), (x + side, lat), (x + side, lat + 0.027), (x, lat + 0.027), (x, lat)]),
            vec![],
        )])
    };
    assert_eq!(overlap_m2(&long(lon), &long(lon + side - 0.01 * d)), 0.0);
    // 20 cm wide along 100 m (20 m²) is an overlap, and so is a 2 m × 2 m corner.
    let strip = overlap_m2(&left, &sq(lon + side - 0.2 * d, side));
    assert!((strip - 20.0).abs() < 0.5, "{strip}");
    let corner = MultiPolygon(vec![Polygon::new(
        LineString::from(vec![
            (lon + side - 2.0 * d, lat + h - 2.0 / M_PER_DEG_LAT),
            (lon + side + 5.0 * d, lat + h - 2.0 / M_PER_DEG_LAT),
            (lon + side + 5.0 * d, lat + h + 5.0 / M_PER_DEG_LAT),
            (lon + side - 2.0 * d, lat + h + 5.0 / M_PER_DEG_LAT),
            (lon + side - 2.0 * d, lat + h - 2.0 / M_PER_DEG_LAT),
        ]),
        vec![],
    )]);
    let c = overlap_m2(&left, &corner);
    assert!((c - 4.0).abs() < 0.1, "{c}");
}

#[test]
fn a_ring_over_the_limit_is_too_large_and_not_validated() {
    let tree = divisions();
    let code = format!("{COMMUNITY}001");
    // The real limit: MAX_RING_VERTICES + 1 positions (with the closing one). Refused before
    // geo's quadratic validity check would take seconds on it in a debug build.
    let started = Instant::now();
    let found = problems(import(&collection(vec![circle(&code, MAX_RING_VERTICES)]), tree, &[], &never));
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].kind, found[0].feature), ("too_large", Some(0)));
    assert!(
        found[0].message.contains("polygon 0, ring 0 has 10001 positions, over the limit of 10000 positions per ring"),
        "{}",
        found[0].message
    );
    assert!(found[0].message_zh.contains("每个环最多 10000 个点"), "{}", found[0].message_zh);

    // A bow tie over the limit is reported as too large only: its geometry is not looked at.
    let limits = Limits { ring_vertices: 100, ..Limits::DEFAULT };
    let mut bow_tie = circle(&code, 100);
    bow_tie["geometry"]["coordinates"][0][50] = json!([118.3, 39.7]);
    bow_tie["geometry"]["coordinates"][0][52] = json!([118.0, 39.5]);
    let found = problems(import_within(&collection(vec![bow_tie.clone()]), tree, &[], &limits, &never));
    assert_eq!(found.iter().map(|p| p.kind).collect::<Vec<_>>(), ["too_large"]);
    bow_tie["geometry"]["coordinates"][0].as_array_mut().unwrap().remove(10);
    let found = problems(import_within(&collection(vec![bow_tie]), tree, &[], &limits, &never));
    assert_eq!(found.iter().map(|p| p.kind).collect::<Vec<_>>(), ["self_intersection"]);

    // At the limit, a ring is read and validated as usual.
    let ok = import_within(&collection(vec![circle(&code, 99)]), tree, &[], &limits, &never);
    assert_eq!(ok.map(|g| g.len()), Ok(1));
}

#[test]
fn a_feature_over_its_vertex_or_ring_limit_is_too_large() {
    let tree = divisions();
    let limits = Limits { feature_vertices: 30, feature_rings: 3, ..Limits::DEFAULT };
    let two_parts = |code: &str, n: usize| {
        let a = circle(code, n)["geometry"]["coordinates"].clone();
        let mut b = a.clone();
        for p in b[0].as_array_mut().unwrap() {
            p[0] = json!(p[0].as_f64().unwrap() + 0.05);
        }
        json!({"type": "Feature", "properties": {"code": code},
            "geometry": {"type": "MultiPolygon", "coordinates": [a, b]}})
    };
    let four_parts = {
        let mut f = two_parts(&format!("{COMMUNITY}003"), 5);
        let parts = f["geometry"]["coordinates"].as_array_mut().unwrap();
        for k in 1..3 {
            let mut p = parts[0].clone();
            for q in p[0].as_array_mut().unwrap() {
                q[1] = json!(q[1].as_f64().unwrap() + 0.05 * k as f64);
            }
            parts.push(p);
        }
        f
    };
    let file = collection(vec![
        two_parts(&format!("{COMMUNITY}001"), 10),
        two_parts(&format!("{COMMUNITY}002"), 15),
        four_parts,
    ]);
    let found = problems(import_within(&file, tree, &[], &limits, &never));
    let kinds: Vec<(Option<usize>, &str)> = found.iter().map(|p| (p.feature, p.kind)).collect();
    assert_eq!(kinds, [(Some(1), "too_large"), (Some(2), "too_large")], "{found:?}");
    assert!(found[0].message.contains("32 positions, over the limit of 30 per feature"), "{}", found[0].message);
    assert!(found[0].message_zh.contains("每个要素最多 30 个点"), "{}", found[0].message_zh);
    assert!(
        found[1].message.contains("4 rings (polygons and holes), over the limit of 3 per feature"),
        "{}",
        found[1].message
    );
}

#[test]
fn a_file_with_too_many_features_stops_parsing_there() {
    let tree = divisions();
    // The real limit: one feature more than MAX_FEATURES.
    let text = collection(vec![json!({"type": "Feature"}); MAX_FEATURES + 1]);
    let found = problems(import(&text, tree, &[], &never));
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].kind, found[0].feature), ("too_large", None));
    assert!(found[0].message.contains("more than 100000 features"), "{}", found[0].message);
    assert!(found[0].message_zh.contains("要素超过 100000 个"), "{}", found[0].message_zh);

    // Parsing stops at the first feature over the limit: the cancellation check, consulted
    // before each feature is read, is asked once per feature up to there and no more.
    let looks = Cell::new(0);
    let limits = Limits { features: 3, ..Limits::DEFAULT };
    let text = collection(vec![square(&format!("{COMMUNITY}001"), 118.0, 39.0, 0.001); 1000]);
    let found = problems(import_within(&text, tree, &[], &limits, &|| {
        looks.set(looks.get() + 1);
        false
    }));
    assert_eq!(found[0].kind, "too_large");
    assert_eq!(looks.get(), 4);
}

#[test]
fn a_file_with_too_many_positions_stops_parsing_at_once() {
    let tree = divisions();
    let limits = Limits { file_vertices: 100, ..Limits::DEFAULT };
    let looks = Cell::new(0);
    // 40 positions a feature: the third goes over 100.
    let features: Vec<Value> = (1..=50).map(|k| circle(&format!("{COMMUNITY}{k:03}"), 39)).collect();
    let found = problems(import_within(&collection(features), tree, &[], &limits, &|| {
        looks.set(looks.get() + 1);
        false
    }));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].kind, found[0].feature), ("too_large", None));
    assert!(found[0].message.contains("more than 100 positions"), "{}", found[0].message);
    assert!(found[0].message_zh.contains("坐标点超过 100 个"), "{}", found[0].message_zh);
    assert_eq!(looks.get(), 3, "parsing stopped in the third feature");
}

#[test]
fn files_not_shaped_like_a_feature_collection_are_syntax_problems() {
    let tree = divisions();
    for (text, says) in [
        ("{", "not JSON"),
        ("[1, 2]", "not a GeoJSON FeatureCollection"),
        ("{\"type\": \"Feature\"}", "not a GeoJSON FeatureCollection"),
        ("{\"type\": 7, \"features\": []}", "not a GeoJSON FeatureCollection"),
        ("{\"type\": \"FeatureCollection\"}", "`features` is missing or not an array"),
        ("{\"type\": \"FeatureCollection\", \"features\": {}}", "`features` is missing or not an array"),
        ("{\"features\": 3, \"type\": \"FeatureCollection\"}", "`features` is missing or not an array"),
        ("{\"type\": \"FeatureCollection\", \"features\": []} x", "not JSON"),
    ] {
        let found = problems(import(text, tree, &[], &never));
        assert_eq!(found.len(), 1, "{text}");
        assert_eq!(found[0].kind, "syntax", "{text}");
        assert!(found[0].message.contains(says), "{text}: {}", found[0].message);
    }
    // An empty collection imports nothing, successfully.
    assert_eq!(import("{\"type\": \"FeatureCollection\", \"features\": []}", tree, &[], &never), Ok(vec![]));
}
