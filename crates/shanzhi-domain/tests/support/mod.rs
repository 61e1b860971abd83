//! Setup shared by the integration tests: the shipped reference files and their loaders, the demo
//! places, the world the case engine runs on (a workflow, the taxonomy and the calendar), actors,
//! a Monday-morning instant in Tangshan, small command builders, and `play`, which applies timed
//! steps to a case.

// Each test binary builds its own copy of this module and uses only part of it.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use shanzhi_domain::calendar::WorkCalendar;
use shanzhi_domain::cases::case::{Actor, Assignment, Case, Channel, LogEntry, NewReport};
use shanzhi_domain::cases::engine::{Command, apply};
use shanzhi_domain::cases::routing::RoutingRules;
use shanzhi_domain::cases::workflow::Workflow;
use shanzhi_domain::demo::{
    CountyOutline, DemoConfig, DemoPlaces, generate_places, parse_county_outlines, parse_zone_hosts,
};
use shanzhi_domain::ids::DivisionCode;
use shanzhi_domain::org::Departments;
use shanzhi_domain::people::Role;
use shanzhi_domain::places::division::DivisionTree;
use shanzhi_domain::taxonomy::Taxonomy;

pub const DEPARTMENTS: &str = include_str!("../../../../data/org/departments.toml");
pub const TAXONOMY: &str = include_str!("../../../../data/taxonomy/tangshan-2026.1.toml");
pub const CALENDAR: &str = include_str!("../../../../data/calendar/cn-2025-2027.toml");
pub const EVENT_WORKFLOW: &str = include_str!("../../../../data/workflows/event.toml");
pub const DEMAND_WORKFLOW: &str = include_str!("../../../../data/workflows/demand.toml");
pub const ROUTING: &str = include_str!("../../../../data/routing/tangshan.toml");
pub const DIVISIONS: &str = include_str!("../../../../data/places/tangshan-divisions.csv");
pub const COUNTIES: &str = include_str!("../../../../data/places/tangshan-counties.geojson");
pub const ZONE_HOSTS: &str = include_str!("../../../../data/places/zone-hosts.csv");

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

pub fn county_outlines() -> Vec<CountyOutline> {
    parse_county_outlines(COUNTIES).unwrap()
}

pub fn zone_hosts() -> Vec<(DivisionCode, DivisionCode)> {
    parse_zone_hosts(ZONE_HOSTS).unwrap()
}

/// The demo places over `tree` with the default configuration; `progress(done, total)` as in
/// `generate_places`.
pub fn demo_places(tree: &DivisionTree, progress: &mut dyn FnMut(usize, usize)) -> DemoPlaces {
    generate_places(tree, &county_outlines(), &zone_hosts(), &DemoConfig::default(), progress).unwrap()
}

/// What the case engine runs on: one workflow, the shipped taxonomy and calendar.
pub struct World {
    pub wf: Workflow,
    pub tax: Taxonomy,
    pub cal: WorkCalendar,
}

/// The shipped world for the workflow of `kind`.
pub fn world(kind: &str) -> World {
    World { wf: workflow(kind), tax: taxonomy(&departments()), cal: calendar() }
}

/// Local time in Tangshan (UTC+8).
pub fn tangshan(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0).unwrap() - Duration::hours(8)
}

/// Monday 2026-03-02 09:00 in Tangshan.
pub fn monday_9am() -> DateTime<Utc> {
    tangshan(2026, 3, 2, 9, 0)
}

pub fn actor(user: &str, role: Role, unit: &str) -> Actor {
    Actor { user: user.into(), role, unit: unit.into() }
}

pub fn cmd(action: &str) -> Command {
    Command { action: action.into(), ..Default::default() }
}

pub fn with_opinion(action: &str, o: &str) -> Command {
    Command { opinion: Some(o.into()), ..cmd(action) }
}

pub fn with_evidence(action: &str) -> Command {
    Command { attachments: vec!["photo-1.jpg".into()], opinion: Some("已处理".into()), ..cmd(action) }
}

/// `dispatch` to a primary unit, with assisting units.
pub fn dispatch_to(primary: &str, assisting: &[&str]) -> Command {
    Command {
        units: Some(Assignment {
            primary: primary.into(),
            assisting: assisting.iter().map(|u| u.to_string()).collect(),
        }),
        ..cmd("dispatch")
    }
}

/// A report of `type_code` through `channel`, located in grid 130202001001001 and made by `jumin`.
pub fn new_report(channel: Channel, type_code: &str, description: &str) -> NewReport {
    NewReport {
        type_code: type_code.parse().unwrap(),
        channel,
        description: description.into(),
        location: Some((118.17, 39.62)),
        grid: Some("130202001001001".parse().unwrap()),
        reporter: Some("jumin".into()),
        fields: Default::default(),
    }
}

/// Plays steps, advancing the clock by `minutes` before each; returns the case, the log and the
/// time of the last step.
pub fn play(
    w: &World,
    mut case: Case,
    mut at: DateTime<Utc>,
    steps: &[(i64, &Actor, Command)],
) -> (Case, Vec<LogEntry>, DateTime<Utc>) {
    let mut log = Vec::new();
    for (minutes, who, c) in steps {
        at += Duration::minutes(*minutes);
        let (next, entry) =
            apply(&w.wf, &w.cal, &case, c, who, at).unwrap_or_else(|e| panic!("{} in {}: {e}", c.action, case.state));
        assert_eq!(entry.seq, case.seq + 1);
        log.push(entry);
        case = next;
    }
    (case, log, at)
}

/// The invariants every accepted action keeps, whatever the workflow: the new state is declared,
/// the log entry follows the case, a terminal state runs no clock, and the deadline of a running
/// step moves only by an approved extension or a resumption, and never back.
pub fn check_transition(
    wf: &shanzhi_domain::cases::workflow::Workflow,
    before: &shanzhi_domain::cases::case::Case,
    next: &shanzhi_domain::cases::case::Case,
    entry: &shanzhi_domain::cases::case::LogEntry,
) -> Result<(), proptest::test_runner::TestCaseError> {
    use proptest::{prop_assert, prop_assert_eq};
    let state = wf.state(&next.state);
    prop_assert!(state.is_some(), "undeclared state {}", next.state);
    prop_assert_eq!(entry.seq, before.seq + 1);
    prop_assert_eq!(entry.from_state.as_deref(), Some(before.state.as_str()));
    prop_assert_eq!(&entry.to_state, &next.state);
    if state.is_some_and(|s| s.terminal) {
        prop_assert!(next.clock.is_none() && next.closed_at.is_some());
    }
    if let (Some(old), Some(new)) = (&before.clock, &next.clock) {
        let same_step = old.step == new.step && old.started_at == new.started_at;
        let may_move = ["approve_extension", "resume"].contains(&entry.action.as_str());
        if same_step && !may_move {
            prop_assert_eq!(old.deadline, new.deadline, "{} moved the deadline", entry.action);
        }
        if same_step {
            prop_assert!(new.deadline >= old.deadline, "{} moved the deadline back", entry.action);
        }
    }
    Ok(())
}
