//! Setup shared by the integration tests: the shipped reference files and their loaders, the
//! world the case engine runs on (a workflow, the taxonomy and the calendar), actors, a
//! Monday-morning instant in Tangshan, small command builders, and `play`, which applies timed
//! steps to a case.

// Each test binary builds its own copy of this module and uses only part of it.
#![allow(dead_code)]

mod shipped;

pub use shipped::*;

use chrono::{DateTime, Duration, TimeZone, Utc};
use shanzhi_domain::calendar::WorkCalendar;
use shanzhi_domain::cases::case::{Actor, Assignment, Case, Channel, LogEntry, NewReport};
use shanzhi_domain::cases::engine::{Command, apply};
use shanzhi_domain::cases::workflow::Workflow;
use shanzhi_domain::people::Role;
use shanzhi_domain::taxonomy::Taxonomy;

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
