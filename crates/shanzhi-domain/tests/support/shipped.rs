//! The shipped reference files (`data/`) and their loaders, for the domain's tests and, by path,
//! the demo's (`crates/shanzhi-demo/tests/support`): one copy for the tests of both crates.

use shanzhi_domain::calendar::WorkCalendar;
use shanzhi_domain::cases::routing::RoutingRules;
use shanzhi_domain::cases::workflow::Workflow;
use shanzhi_domain::org::Departments;
use shanzhi_domain::places::division::DivisionTree;
use shanzhi_domain::taxonomy::Taxonomy;

pub const DEPARTMENTS: &str = include_str!("../../../../data/org/departments.toml");
pub const TAXONOMY: &str = include_str!("../../../../data/taxonomy/tangshan-2026.1.toml");
pub const CALENDAR: &str = include_str!("../../../../data/calendar/cn-2025-2027.toml");
pub const EVENT_WORKFLOW: &str = include_str!("../../../../data/workflows/event.toml");
pub const DEMAND_WORKFLOW: &str = include_str!("../../../../data/workflows/demand.toml");
pub const ROUTING: &str = include_str!("../../../../data/routing/tangshan.toml");
pub const DIVISIONS: &str = include_str!("../../../../data/places/tangshan-divisions.csv");

pub fn departments() -> Departments {
    Departments::from_toml(DEPARTMENTS).unwrap()
}

pub fn taxonomy(deps: &Departments) -> Taxonomy {
    Taxonomy::from_toml(TAXONOMY, deps).unwrap()
}

pub fn calendar() -> WorkCalendar {
    WorkCalendar::from_toml(CALENDAR).unwrap()
}

/// The shipped workflow of `kind`: `event` or `demand`.
pub fn workflow(kind: &str) -> Workflow {
    let text = match kind {
        "event" => EVENT_WORKFLOW,
        "demand" => DEMAND_WORKFLOW,
        other => panic!("no workflow {other}"),
    };
    Workflow::from_toml(text).unwrap()
}

pub fn divisions() -> DivisionTree {
    DivisionTree::from_csv(DIVISIONS).unwrap()
}

pub fn routing_rules() -> RoutingRules {
    RoutingRules::from_toml(ROUTING).unwrap()
}
