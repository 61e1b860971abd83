//! The Tangshan demo over the shipped data: exact counts, grids that tile each county without
//! overlaps or gaps, valid outlines, and determinism.

mod support;

use std::collections::{HashMap, HashSet};

use geo::{Area, BoundingRect, Contains, Point, Validation};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shanzhi_demo::{DemoPlaces, demo_units, demo_users, parse_county_outlines};
use shanzhi_domain::ids::Level;
use shanzhi_domain::org::Departments;
use shanzhi_domain::people::UnitKind;
use shanzhi_domain::places::division::{DivisionKind, DivisionTree};
use shanzhi_domain::places::locate::GridIndex;
use support::{COUNTIES, DEPARTMENTS, DIVISIONS};

fn generate() -> (DivisionTree, DemoPlaces) {
    let tree = DivisionTree::from_csv(DIVISIONS).unwrap();
    let mut last = (0, 0);
    let places = support::demo_places(&tree, &mut |d, t| last = (d, t));
    assert_eq!(last.0, last.1, "progress reaches its total");
    assert_eq!(last.1, 251, "one progress step per street");
    (tree, places)
}

#[test]
fn the_shipped_divisions_are_tangshans() {
    let tree = DivisionTree::from_csv(DIVISIONS).unwrap();
    let count = |l| tree.at_level(l).count();
    assert_eq!(
        (count(Level::City), count(Level::County), count(Level::Township), count(Level::Village)),
        (1, 18, 251, 6304)
    );
    let zones = tree.at_level(Level::County).filter(|d| d.kind == DivisionKind::Zone).count();
    assert_eq!(zones, 4);
    assert_eq!(tree.get(&"130284".parse().unwrap()).unwrap().name, "滦州市");
}

#[test]
fn the_demo_tiles_tangshan_with_exactly_10727_grids() {
    let (tree, places) = generate();
    let grids = &places.grids;
    assert_eq!(grids.len(), 10_727);
    let codes: HashSet<_> = grids.iter().map(|g| &g.code).collect();
    assert_eq!(codes.len(), grids.len(), "grid codes are unique");

    // Every community and village has at least one grid; city communities have more.
    let mut per_community: HashMap<_, usize> = HashMap::new();
    for g in grids {
        assert_eq!(
            tree.get(&g.community()).map(|d| d.level()),
            Some(Level::Village),
            "{} belongs to a community",
            g.code
        );
        *per_community.entry(g.community()).or_default() += 1;
        assert!(g.shape.is_valid(), "grid {} has a valid outline", g.code);
        assert!(g.shape.unsigned_area() > 0.0);
    }
    assert_eq!(per_community.len(), 6_304);
    let mean = |kind| {
        let v: Vec<usize> =
            tree.at_level(Level::Village).filter(|d| d.kind == kind).map(|d| per_community[&d.code]).collect();
        v.iter().sum::<usize>() as f64 / v.len() as f64
    };
    assert!(mean(DivisionKind::Community) > 3.0 * mean(DivisionKind::Village));

    // Sizes vary like real ones: urban grids are far smaller than rural ones.
    let area = |kind| {
        let mut a: Vec<f64> = grids
            .iter()
            .filter(|g| tree.get(&g.community()).unwrap().kind == kind)
            .map(|g| shanzhi_domain::places::partition::area_m2(&g.shape))
            .collect();
        a.sort_by(f64::total_cmp);
        a[a.len() / 2]
    };
    let (urban, rural) = (area(DivisionKind::Community), area(DivisionKind::Village));
    assert!(rural > 5.0 * urban, "median urban grid {urban:.0} m², rural {rural:.0} m²");

    // No overlaps and no gaps: random points inside each county outline lie in exactly one grid.
    let index = GridIndex::build(grids.iter().map(|g| &g.shape));
    let outlines = parse_county_outlines(COUNTIES).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (mut inside, mut doubled, mut gaps) = (0, 0, 0);
    for o in &outlines {
        let r = o.shape.bounding_rect().unwrap();
        for _ in 0..3_000 {
            let (x, y) = (rng.random_range(r.min().x..r.max().x), rng.random_range(r.min().y..r.max().y));
            let hits = index.locate_all(x, y).len();
            doubled += usize::from(hits > 1);
            if o.shape.contains(&Point::new(x, y)) {
                inside += 1;
                gaps += usize::from(hits == 0);
            }
        }
    }
    assert!(inside > 15_000, "sampled {inside} points");
    assert_eq!(doubled, 0, "no point lies in two grids");
    // Only slivers where two coarse county outlines overlap are given to one county.
    assert!(gaps * 1000 <= inside, "{gaps} of {inside} points inside a county are in no grid");
}

#[test]
fn the_demo_has_its_people_and_is_deterministic() {
    let (tree, a) = generate();
    assert_eq!(a.workers.len(), 12_222);
    assert_eq!(a.workers.iter().filter(|w| w.full_time).count(), 10_727);
    let full: HashSet<_> = a.workers.iter().filter(|w| w.full_time).map(|w| &w.grid).collect();
    assert_eq!(full.len(), 10_727, "one named full-time worker per grid");
    for b in &a.buildings {
        assert_eq!(
            tree.get(&b.grid.community()).unwrap().kind,
            DivisionKind::Community,
            "buildings are in urban grids"
        );
        assert!(!b.head_name.is_empty());
    }
    assert!(a.buildings.len() > 10_000);
    let (_, b) = generate();
    assert_eq!(a.grids, b.grids);
    assert_eq!(a.workers, b.workers);

    let departments = Departments::from_toml(DEPARTMENTS).unwrap();
    let units = demo_units(&tree, &departments);
    let ids: HashSet<_> = units.iter().map(|u| &u.id).collect();
    assert_eq!(ids.len(), units.len(), "unit ids are unique");
    let six = units.iter().filter(|u| u.area.as_str() == "130202001001").count();
    assert_eq!(six, 6, "an urban community has its six organisations");
    assert_eq!(units.iter().filter(|u| u.kind == UnitKind::StreetOffice).count(), 251);
    for user in demo_users(&units) {
        assert!(ids.contains(&user.unit), "{} belongs to an existing unit ({})", user.username, user.unit);
    }

    // The registers: special groups in every grid, every house of the demo accounts' community,
    // valid ID numbers, last visits in the past, the same records for the same seed.
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 28, 16, 0, 0).unwrap();
    let records = shanzhi_demo::demo_records(1302, &a.grids, &a.buildings, "130202001001", now);
    let grids: HashSet<_> =
        records.iter().filter(|r| !r.tags.is_empty() && r.register == "person").map(|r| &r.grid).collect();
    assert_eq!(grids.len(), 10_727, "every grid has people its worker visits");
    let houses: Vec<_> = records.iter().filter(|r| r.register == "house").collect();
    assert!(!houses.is_empty() && houses.iter().all(|h| h.grid.community().as_str() == "130202001001"));
    for r in &records {
        for id in [&r.fields["person"]["id_number"], &r.fields["owner"]["id_number"]] {
            if let Some(id) = id.as_str() {
                assert!(shanzhi_domain::privacy::id_check_ok(id), "{id}");
            }
        }
        assert!(
            r.visits.iter().all(|(tag, at, _)| r.tags.contains(tag)
                && *at < now
                && *at > r.created_at - chrono::Duration::days(400))
        );
    }
    assert_eq!(records, shanzhi_demo::demo_records(1302, &a.grids, &a.buildings, "130202001001", now));
}
