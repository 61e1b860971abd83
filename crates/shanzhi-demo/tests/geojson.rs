//! The domain's grid import over the demo's 10,727 grids: the demo's export imports back
//! unchanged, a grid moved onto its neighbours overlaps them, too much overlap work is refused
//! before any intersection, and a cancelled import stops.

mod support;

use std::cell::Cell;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use geo::{Coord, MapCoords};
use serde_json::{Value, json};
use shanzhi_domain::places::division::DivisionTree;
use shanzhi_domain::places::geojson::{FeatureProblem, ImportError, Limits, export, import, import_within};
use shanzhi_domain::places::grid::Grid;

/// Metres per degree of longitude on the equator (the import measures overlaps with the same).
const M_PER_DEG_LON: f64 = 111_320.0;

/// The demo's division tree and its 10,727 grids (about 2 s in a debug build), made once for
/// every test here.
fn demo() -> &'static (DivisionTree, Vec<Grid>) {
    static DEMO: OnceLock<(DivisionTree, Vec<Grid>)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let tree = support::divisions();
        let places = support::demo_places(&tree, &mut |_, _| {});
        (tree, places.grids)
    })
}

fn never() -> bool {
    false
}

fn features(text: &str) -> Vec<Value> {
    serde_json::from_str::<Value>(text).unwrap()["features"].as_array().unwrap().clone()
}

fn collection(features: Vec<Value>) -> String {
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

/// What an import of `text` among the demo's grids, within `limits`, is rejected for.
fn rejected(text: &str, limits: &Limits) -> Vec<FeatureProblem> {
    let (tree, grids) = demo();
    match import_within(text, tree, grids, limits, &never) {
        Err(ImportError::Rejected(problems)) => problems,
        other => panic!("not rejected: {:?}", other.map(|accepted| accepted.len())),
    }
}

/// A community of the demo: its grids' codes start with it.
const COMMUNITY: &str = "130202001001";

#[test]
fn the_demo_export_imports_back_unchanged() {
    let (tree, grids) = demo();
    let text = export(grids);
    let started = Instant::now();
    let back = import(&text, tree, grids, &never).unwrap_or_else(|e| match e {
        ImportError::Rejected(p) => panic!("{} problems, first: {:?}", p.len(), &p[..p.len().min(3)]),
        ImportError::Cancelled => panic!("cancelled"),
    });
    eprintln!("re-imported {} grids in {:?}", back.len(), started.elapsed());
    assert_eq!(back.len(), grids.len());
    for (b, g) in back.iter().zip(grids) {
        assert_eq!((&b.code, &b.name, b.kind), (&g.code, &g.name, g.kind));
    }

    // The export of the re-imported grids (what the store keeps, rounded) is the same text, and a
    // part of it imports again among the rest.
    assert_eq!(export(&back), text);
    let part: Vec<Value> = features(&text).into_iter().filter(|f| f["id"].as_str().unwrap() < "130203").collect();
    assert!(part.len() > 400, "{}", part.len());
    let again = import(&collection(part.clone()), tree, &back, &never).expect("a county's grids import again");
    assert_eq!(again.len(), part.len());
}

/// The demo grid `code`, its outline moved east by `metres`, as the only feature of a file.
fn shifted(code: &str, metres: f64) -> String {
    let (_, grids) = demo();
    let g = grids.iter().find(|g| g.code.as_str() == code).unwrap();
    let lat = g.shape.0[0].exterior().0[0].y;
    let dx = metres / (M_PER_DEG_LON * lat.to_radians().cos());
    let moved = Grid { shape: g.shape.map_coords(|c| Coord { x: c.x + dx, y: c.y }), ..g.clone() };
    export(&[moved])
}

#[test]
fn a_grid_moved_onto_its_neighbours_overlaps_them() {
    let (tree, grids) = demo();
    let code = format!("{COMMUNITY}001");
    // Unmoved, the grid replaces itself.
    assert!(import(&shifted(&code, 0.0), tree, grids, &never).is_ok());
    for metres in [50.0, 1.0] {
        let found = rejected(&shifted(&code, metres), &Limits::DEFAULT);
        assert!(!found.is_empty());
        for p in &found {
            assert_eq!((p.kind, p.feature, p.code.as_deref()), ("overlap", Some(0), Some(code.as_str())), "{p:?}");
            assert!(p.message.contains("overlaps existing grid 1302"), "{}", p.message);
            assert!(p.message_zh.contains("与现有网格 1302"), "{}", p.message_zh);
        }
        let m2: f64 = found
            .iter()
            .map(|p| p.message.rsplit(" by ").next().unwrap().trim_end_matches(" m²").parse::<f64>().unwrap())
            .sum();
        eprintln!("moved {metres} m: {} overlaps, {m2} m² in all", found.len());
        assert!(m2 > 10.0 * metres, "moved {metres} m: {m2} m²");
    }
}

#[test]
fn too_much_overlap_work_is_refused_before_any_intersection() {
    let (tree, grids) = demo();
    let some: Vec<Grid> = grids.iter().filter(|g| g.code.as_str().starts_with("1302020")).cloned().collect();
    assert!(some.len() > 50);
    let text = export(&some);
    assert!(import(&text, tree, grids, &never).is_ok());
    let limits = Limits { overlap_work: 1_000, ..Limits::DEFAULT };
    let found = rejected(&text, &limits);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].kind, found[0].feature), ("too_large", None));
    assert!(found[0].message.contains("more than 1000 positions to compare"), "{}", found[0].message);
    assert!(found[0].message_zh.contains("无法检查重叠"), "{}", found[0].message_zh);
}

#[test]
fn a_cancelled_import_stops_and_returns_cancelled() {
    let (tree, grids) = demo();
    let text = export(grids);
    // Cancelled before it starts: it stops at the first feature.
    let started = Instant::now();
    assert_eq!(import(&text, tree, grids, &|| true), Err(ImportError::Cancelled));
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());

    // Cancelled during the overlap check: the checks of the features are done (the parse and the
    // loop over the features look once per feature each, the count of the overlap work once per
    // feature), then the pairs are being intersected.
    let some: Vec<Grid> = grids.iter().filter(|g| g.code.as_str().starts_with("1302020")).cloned().collect();
    let n = some.len();
    let looks = Cell::new(0);
    let result = import(&export(&some), tree, grids, &|| {
        looks.set(looks.get() + 1);
        looks.get() > 3 * n + 10
    });
    assert_eq!(result, Err(ImportError::Cancelled));
    assert_eq!(looks.get(), 3 * n + 11);
}
