//! Setup shared by the demo's tests and its bench: the shipped reference files and their loaders
//! (the domain's tests' own, included by path), the county outlines and zone hosts, and the demo
//! places over them.

// Each test binary (and the bench) builds its own copy of this module and uses only part of it.
#![allow(dead_code)]

#[path = "../../../shanzhi-domain/tests/support/shipped.rs"]
mod shipped;

pub use shipped::*;

use shanzhi_demo::{DemoConfig, DemoPlaces, generate_places, parse_county_outlines, parse_zone_hosts};
use shanzhi_domain::places::division::DivisionTree;

pub const COUNTIES: &str = include_str!("../../../../data/places/tangshan-counties.geojson");
pub const ZONE_HOSTS: &str = include_str!("../../../../data/places/zone-hosts.csv");

/// The demo places over `tree` with the default configuration; `progress(done, total)` as in
/// `generate_places`.
pub fn demo_places(tree: &DivisionTree, progress: &mut dyn FnMut(usize, usize)) -> DemoPlaces {
    let outlines = parse_county_outlines(COUNTIES).unwrap();
    let hosts = parse_zone_hosts(ZONE_HOSTS).unwrap();
    generate_places(tree, &outlines, &hosts, &DemoConfig::default(), progress).unwrap()
}
