//! Tests of `figures`.

use std::collections::HashMap;

use chrono::{Duration, TimeZone};

use super::*;
use crate::calendar::WorkCalendar;
use crate::cases::case::{Actor, Assignment, NewReport, Rating};
use crate::cases::engine::{Command, apply, create};
use crate::cases::workflow::Workflow;
use crate::org::Departments;
use crate::people::Role;
use crate::taxonomy::Taxonomy;
use crate::time_limit::{TimeLimit, TimeUnit};

struct World {
    wf: Workflow,
    tax: Taxonomy,
    cal: WorkCalendar,
}

fn world() -> World {
    let deps = Departments::from_toml(include_str!("../../../../../data/org/departments.toml")).unwrap();
    World {
        wf: Workflow::from_toml(include_str!("../../../../../data/workflows/event.toml")).unwrap(),
        tax: Taxonomy::from_toml(include_str!("../../../../../data/taxonomy/tangshan-2026.1.toml"), &deps).unwrap(),
        cal: WorkCalendar::from_toml(include_str!("../../../../../data/calendar/cn-2025-2027.toml")).unwrap(),
    }
}

fn demand_world() -> World {
    World { wf: Workflow::from_toml(include_str!("../../../../../data/workflows/demand.toml")).unwrap(), ..world() }
}

const GRID: &str = "130202001001001";
const UM: &str = "130202:urban-management";

fn who(role: Role) -> Actor {
    let (user, unit) = match role {
        Role::DepartmentHandler => ("chengguan", UM),
        Role::GridWorker => ("wangge", "130202001001:residents_committee"),
        Role::Resident => ("jumin", "130202001001:residents_committee"),
        _ => ("centre", "1302:command_centre"),
    };
    Actor { user: user.into(), role, unit: unit.into() }
}

/// A full command for an action: opinion, evidence, unit, extension and rating.
fn full(action: &str, satisfaction: Satisfaction) -> Command {
    Command {
        action: action.into(),
        opinion: Some("意见".into()),
        units: Some(Assignment { primary: UM.into(), assisting: vec![] }),
        extension: Some(TimeLimit { value: 2, unit: TimeUnit::WorkingDays }),
        rating: Some(Rating { satisfaction, reason: None }),
        attachments: vec!["p.jpg".into()],
        parent: None,
        public: false,
        fields: Default::default(),
    }
}

/// Tuesday 2026-03-03 09:00 in Tangshan.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 3, 1, 0, 0).unwrap()
}

struct Story<'w> {
    w: &'w World,
    case: Case,
    at: DateTime<Utc>,
    first: Vec<(FigureKey, Counters)>,
    log: Vec<LogEntry>,
    kept: HashMap<FigureKey, Counters>,
}

impl<'w> Story<'w> {
    fn new(w: &'w World, channel: Channel, type_code: &str, grid: Option<&str>) -> Story<'w> {
        Self::at(w, channel, type_code, grid, t0())
    }

    fn at(w: &'w World, channel: Channel, type_code: &str, grid: Option<&str>, at: DateTime<Utc>) -> Story<'w> {
        let r = NewReport {
            type_code: type_code.parse().unwrap(),
            channel,
            description: "x".into(),
            location: None,
            grid: grid.map(|g| g.parse().unwrap()),
            reporter: Some("jumin".into()),
            fields: Default::default(),
        };
        let (case, entry) = create(&w.wf, &w.tax, &w.cal, r, &who(Role::GridWorker), at).unwrap();
        let first = deltas(&case, &entry);
        let mut s = Story { w, case, at, first: first.clone(), log: vec![entry], kept: HashMap::new() };
        s.keep(&first);
        s
    }

    fn keep(&mut self, d: &[(FigureKey, Counters)]) {
        for (k, c) in d {
            self.kept.entry(k.clone()).or_default().add(c);
        }
    }

    /// Appends an entry made elsewhere (the sweep's notes) and keeps its deltas.
    fn append(&mut self, entry: LogEntry) -> Vec<(FigureKey, Counters)> {
        self.case.seq = entry.seq;
        let d = deltas(&self.case, &entry);
        self.keep(&d);
        self.log.push(entry);
        d
    }

    /// The figures recomputed from this story's log equal those kept so far.
    fn agrees(&self) {
        assert_eq!(recompute(&[(self.case.clone(), self.log.clone())]), self.kept);
    }

    /// Takes `action` after `minutes`; returns what it added.
    fn then(&mut self, minutes: i64, action: &str, role: Role) -> Vec<(FigureKey, Counters)> {
        self.rate(minutes, action, role, Satisfaction::Satisfied)
    }

    fn rate(&mut self, minutes: i64, action: &str, role: Role, s: Satisfaction) -> Vec<(FigureKey, Counters)> {
        self.at += Duration::minutes(minutes);
        let (next, entry) = apply(&self.w.wf, &self.w.cal, &self.case, &full(action, s), &who(role), self.at)
            .unwrap_or_else(|e| panic!("{action} in {}: {e}", self.case.state));
        self.case = next;
        let d = deltas(&self.case, &entry);
        self.keep(&d);
        self.log.push(entry);
        d
    }

    /// Register (patrol) or verify (public), then file.
    fn filed(&mut self) -> Vec<(FigureKey, Counters)> {
        if self.case.channel == Channel::Patrol {
            self.then(1, "register", Role::IntakeOperator);
        } else {
            self.then(1, "request_verification", Role::IntakeOperator);
            self.then(10, "confirm", Role::GridWorker);
        }
        self.then(1, "file", Role::ShiftSupervisor)
    }

    fn dispatched(&mut self) -> Vec<(FigureKey, Counters)> {
        self.filed();
        self.then(1, "dispatch", Role::Dispatcher)
    }
}

/// The counters a set of deltas adds at one key of the entry's month (March 2026).
fn at(d: &[(FigureKey, Counters)], area: &str, unit: &str, type_code: &str) -> Counters {
    at_in(d, "2026-03", area, unit, type_code)
}

fn at_in(d: &[(FigureKey, Counters)], period: &str, area: &str, unit: &str, type_code: &str) -> Counters {
    let mut sum = Counters::default();
    for (k, c) in d {
        if (k.period.as_str(), k.area.as_str(), k.unit.as_str(), k.type_code.as_str())
            == (period, area, unit, type_code)
        {
            sum.add(c);
        }
    }
    sum
}

fn only(c: Counters, expected: Counters) {
    assert_eq!(c, expected);
}

#[test]
fn months_are_tangshan_months() {
    let midnight = Utc.with_ymd_and_hms(2026, 3, 31, 16, 0, 0).unwrap();
    assert_eq!(period_of(midnight), "2026-04");
    assert_eq!(period_of(midnight - Duration::seconds(1)), "2026-03");
}

#[test]
fn days_begin_at_tangshan_midnight() {
    let midnight = Utc.with_ymd_and_hms(2026, 3, 31, 16, 0, 0).unwrap();
    assert_eq!(day_start(midnight), midnight);
    assert_eq!(day_start(midnight + Duration::hours(23) + Duration::minutes(59)), midnight);
    assert_eq!(day_start(midnight - Duration::seconds(1)), midnight - Duration::days(1));
}

#[test]
fn a_case_counts_at_its_grid_every_ancestor_and_everywhere() {
    let g: GridCode = GRID.parse().unwrap();
    assert_eq!(areas_of(Some(&g)), [GRID, "130202001001", "130202001", "130202", "1302", ALL]);
    assert_eq!(areas_of(None), [UNLOCATED, ALL]);
}

#[test]
fn a_report_counts_reported_at_18_keys_under_no_unit() {
    let w = world();
    let s = Story::new(&w, Channel::Patrol, "0602", Some(GRID));
    assert_eq!(s.first.len(), 18);
    let one = Counters { reported: 1, ..Counters::default() };
    for area in areas_of(Some(&GRID.parse().unwrap())) {
        for unit in [NO_UNIT, ALL] {
            for t in ["0602", ALL] {
                let expected = if kept(&area, unit == ALL, t == ALL) { one } else { Counters::default() };
                only(at(&s.first, &area, unit, t), expected);
            }
        }
    }
    assert!(s.first.iter().all(|(k, _)| k.kind == "event"));
    // Unlocated: 2 areas × 2 units × 2 types.
    let s = Story::new(&w, Channel::Hotline, "0602", None);
    assert_eq!(s.first.len(), 8);
    only(at(&s.first, UNLOCATED, NO_UNIT, "0602"), one);
    only(at(&s.first, ALL, ALL, ALL), one);
}

#[test]
fn intake_steps_count_nothing_and_filing_counts_filed() {
    let w = world();
    let mut s = Story::new(&w, Channel::Patrol, "0602", Some(GRID));
    assert!(s.then(1, "register", Role::IntakeOperator).is_empty());
    let d = s.then(1, "file", Role::ShiftSupervisor);
    only(at(&d, "130202001", NO_UNIT, ALL), Counters { filed: 1, ..Counters::default() });
    // A public report, verified on site, is also a 监督举报核实数.
    let mut s = Story::new(&w, Channel::ResidentWeb, "0602", Some(GRID));
    let d = s.filed();
    only(at(&d, ALL, ALL, ALL), Counters { filed: 1, filed_public: 1, ..Counters::default() });
}

#[test]
fn a_dispatch_is_due_in_the_month_of_its_handling_deadline() {
    let w = world();
    // 私搭乱建 (0601, 15 working days) dispatched on 25 March: due in April.
    let late_march = Utc.with_ymd_and_hms(2026, 3, 25, 1, 0, 0).unwrap();
    let mut s = Story::at(&w, Channel::Patrol, "0601", Some(GRID), late_march);
    let d = s.dispatched();
    let deadline = s.case.clock.as_ref().unwrap().deadline;
    assert_eq!(period_of(deadline), "2026-04");
    only(at(&d, "130202", UM, "0601"), Counters { dispatched: 1, ..Counters::default() });
    only(at_in(&d, "2026-04", "1302", UM, ALL), Counters { due: 1, ..Counters::default() });
    assert!(at(&d, ALL, NO_UNIT, ALL).is_zero(), "the dispatch is the unit's");
    assert_eq!(d.len(), 36);
}

#[test]
fn feedback_counts_handled_and_on_time_when_the_handling_step_was() {
    let w = world();
    // 0602: 4 working hours.
    let mut s = Story::new(&w, Channel::Patrol, "0602", Some(GRID));
    let d = s.dispatched();
    assert_eq!(d.len(), 18, "due the same month: one row per key");
    only(at(&d, "130202", UM, "0602"), Counters { dispatched: 1, due: 1, ..Counters::default() });
    let d = s.then(60, "feedback", Role::DepartmentHandler);
    only(at(&d, ALL, UM, ALL), Counters { handled: 1, handled_on_time: 1, ..Counters::default() });
    let mut s = Story::new(&w, Channel::Patrol, "0602", Some(GRID));
    s.dispatched();
    let d = s.then(3 * 24 * 60, "feedback", Role::DepartmentHandler);
    only(at(&d, ALL, UM, ALL), Counters { handled: 1, overdue_steps: 1, ..Counters::default() });
}

#[test]
fn rework_close_and_ratings() {
    let w = world();
    let mut s = Story::new(&w, Channel::Patrol, "0602", Some(GRID));
    s.dispatched();
    s.then(30, "feedback", Role::DepartmentHandler);
    let d = s.then(30, "check_fail", Role::GridWorker);
    only(at(&d, ALL, UM, ALL), Counters { rework: 1, ..Counters::default() });
    s.then(30, "feedback", Role::DepartmentHandler);
    assert!(s.then(30, "check_pass", Role::GridWorker).is_empty());
    let d = s.then(10, "close", Role::ShiftSupervisor);
    only(at(&d, "130202", UM, "0602"), Counters { closed: 1, closed_on_time: 1, ..Counters::default() });
    let d = s.rate(60, "rate", Role::Resident, Satisfaction::BasicallySatisfied);
    only(at(&d, ALL, UM, ALL), Counters { basically_satisfied: 1, ..Counters::default() });
    s.agrees();
}

#[test]
fn on_time_closing_follows_the_handling_deadline() {
    let w = world();
    // Handled in time, closed late: 按期结案 looks at handling, the late close is a late step.
    let mut s = Story::new(&w, Channel::Patrol, "0602", Some(GRID));
    s.dispatched();
    s.then(30, "feedback", Role::DepartmentHandler);
    s.then(30, "check_pass", Role::GridWorker);
    let d = s.then(2 * 24 * 60, "close", Role::ShiftSupervisor);
    only(at(&d, ALL, ALL, ALL), Counters { closed: 1, closed_on_time: 1, overdue_steps: 1, ..Counters::default() });
    let d = s.rate(1, "rate_by_phone", Role::IntakeOperator, Satisfaction::Dissatisfied);
    only(at(&d, ALL, ALL, ALL), Counters { dissatisfied: 1, ..Counters::default() });
    // Handled two days late (暴露垃圾 has 4 working hours), closed at once: not on time.
    let mut s = Story::new(&w, Channel::Patrol, "0602", Some(GRID));
    s.dispatched();
    s.then(2 * 24 * 60, "feedback", Role::DepartmentHandler);
    s.then(30, "check_pass", Role::GridWorker);
    let d = s.then(5, "close", Role::ShiftSupervisor);
    only(at(&d, ALL, ALL, ALL), Counters { closed: 1, ..Counters::default() });
    s.agrees();
}

#[test]
fn extensions_suspensions_and_returns() {
    let w = world();
    let mut s = Story::new(&w, Channel::Patrol, "0601", Some(GRID));
    s.dispatched();
    assert!(s.then(10, "request_extension", Role::DepartmentHandler).is_empty());
    let d = s.then(10, "approve_extension", Role::Dispatcher);
    only(at(&d, ALL, UM, ALL), Counters { extensions: 1, ..Counters::default() });
    s.then(10, "request_extension", Role::DepartmentHandler);
    assert!(s.then(10, "deny_extension", Role::Dispatcher).is_empty());
    s.then(10, "request_suspension", Role::DepartmentHandler);
    let d = s.then(10, "approve_suspension", Role::Dispatcher);
    only(at(&d, ALL, UM, ALL), Counters { suspended: 1, ..Counters::default() });
    assert!(s.then(60, "resume", Role::Dispatcher).is_empty());
    s.then(10, "request_return", Role::DepartmentHandler);
    let d = s.then(10, "approve_return", Role::Dispatcher);
    only(at(&d, ALL, NO_UNIT, ALL), Counters { returned: 1, ..Counters::default() });
    assert!(at(&d, ALL, UM, ALL).is_zero(), "a returned case is no longer the unit's");
    s.agrees();
}

#[test]
fn notes_that_do_not_move_the_state_count_nothing() {
    // The deadline sweep appends `overdue` and `escalate` notes (state unchanged).
    let w = world();
    let mut s = Story::new(&w, Channel::Patrol, "0601", Some(GRID));
    s.dispatched();
    s.then(10, "request_suspension", Role::DepartmentHandler);
    s.then(10, "approve_suspension", Role::Dispatcher);
    let last = s.log.last().unwrap().clone();
    for action in ["overdue", "escalate"] {
        let note = LogEntry {
            seq: s.case.seq + 1,
            at: last.at + Duration::days(30),
            action: action.into(),
            from_state: Some("suspended".into()),
            opinion: Some("环节已超时".into()),
            units: None,
            counts: Vec::new(),
            ..last.clone()
        };
        assert!(s.append(note).is_empty(), "{action}");
    }
    s.agrees();
}

#[test]
fn voids_rejections_and_self_handling() {
    let w = world();
    let mut s = Story::new(&w, Channel::Patrol, "0602", Some(GRID));
    s.filed();
    s.then(5, "request_void", Role::Dispatcher);
    let d = s.then(5, "approve_void", Role::ShiftSupervisor);
    only(at(&d, ALL, NO_UNIT, ALL), Counters { voided: 1, ..Counters::default() });
    let mut s = Story::new(&w, Channel::Patrol, "0602", Some(GRID));
    s.then(1, "register", Role::IntakeOperator);
    let d = s.then(1, "refuse", Role::ShiftSupervisor);
    only(at(&d, ALL, ALL, ALL), Counters { rejected: 1, ..Counters::default() });
    let mut s = Story::new(&w, Channel::Hotline, "0602", None);
    s.then(1, "request_verification", Role::IntakeOperator);
    let d = s.then(10, "deny", Role::GridWorker);
    only(at(&d, UNLOCATED, NO_UNIT, "0602"), Counters { rejected: 1, ..Counters::default() });
    let mut s = Story::new(&w, Channel::Patrol, "0602", Some(GRID));
    let d = s.then(5, "self_handle", Role::GridWorker);
    only(at(&d, "130202", NO_UNIT, "0602"), Counters { self_handled: 1, ..Counters::default() });
}

#[test]
fn actions_count_what_their_workflow_declares() {
    let counts = |w: &World, a: &str| w.wf.action(a).unwrap().counts.clone();
    assert_eq!(counts(&world(), "register"), vec![], "an event's registration is not its filing");
    assert_eq!(counts(&demand_world(), "register"), vec![Count::Filed]);
    assert_eq!(counts(&demand_world(), "accept"), vec![Count::Due]);
    assert_eq!(counts(&world(), "dispatch"), vec![Count::Dispatched, Count::Due]);
    assert!(counts(&world(), "whistle").is_empty());
}

#[test]
fn a_12345_order_is_due_when_accepted_and_rated_on_the_call_back() {
    let w = demand_world();
    let mut s = Story::new(&w, Channel::Hotline, "0602", Some(GRID));
    let d = s.then(2, "register", Role::IntakeOperator);
    only(at(&d, ALL, NO_UNIT, ALL), Counters { filed: 1, filed_public: 1, ..Counters::default() });
    let d = s.then(5, "dispatch", Role::Dispatcher);
    assert_eq!(d.len(), 18, "dispatched, not yet due: {d:?}");
    only(at(&d, ALL, UM, ALL), Counters { dispatched: 1, ..Counters::default() });
    let d = s.then(30, "accept", Role::DepartmentHandler);
    only(at(&d, ALL, UM, ALL), Counters { due: 1, ..Counters::default() });
    let d = s.then(60, "reply", Role::DepartmentHandler);
    only(at(&d, ALL, UM, ALL), Counters { handled: 1, handled_on_time: 1, ..Counters::default() });
    let d = s.rate(60, "call_back", Role::IntakeOperator, Satisfaction::Satisfied);
    only(at(&d, ALL, UM, ALL), Counters { satisfied: 1, ..Counters::default() });
    let d = s.then(10, "close", Role::ShiftSupervisor);
    only(at(&d, ALL, UM, ALL), Counters { closed: 1, closed_on_time: 1, ..Counters::default() });
    s.agrees();
}

#[test]
fn counters_add_and_name_every_field() {
    let mut a = Counters { reported: 1, dissatisfied: 2, ..Counters::default() };
    a.add(&a.clone());
    assert_eq!((a.reported, a.dissatisfied), (2, 4));
    assert_eq!(Counters::FIELDS.len(), 20);
    assert_eq!(a.named()[0], ("reported", 2));
    assert_eq!(a.named().last(), Some(&("dissatisfied", 4)));
    assert!(!a.is_zero() && Counters::default().is_zero());
}

/// A kind held to a step of its own (mediation, `held_to = "mediation"`): accepting it is due in
/// the month its mediation period ends, and an agreement reached after that period makes the
/// closing late; reached in time, the closing is on time.
#[test]
fn a_kind_held_to_its_own_step_is_due_and_late_on_that_step() {
    let w = World {
        wf: Workflow::from_toml(include_str!("../../../../../data/workflows/mediation.toml")).unwrap(),
        ..world()
    };
    assert_eq!(w.wf.held_step(), "mediation");
    let resident = who(Role::Resident);
    let mediator = Actor {
        user: "tiaojie".into(),
        role: Role::ResidentsCommittee,
        unit: "130202001001:residents_committee".into(),
    };
    let play = |days_mediating: i64| {
        let report = NewReport {
            type_code: "1005".parse().unwrap(),
            channel: Channel::ResidentWeb,
            description: "邻里噪声纠纷".into(),
            location: None,
            grid: Some(GRID.parse().unwrap()),
            reporter: Some("jumin".into()),
            fields: serde_json::from_value(serde_json::json!({
                "parties": [{"name": "甲"}, {"name": "乙"}],
                "dispute_type": "neighbours",
            }))
            .unwrap(),
        };
        let (mut case, first) = create(&w.wf, &w.tax, &w.cal, report, &resident, t0()).unwrap();
        let mut kept = deltas(&case, &first);
        let mut log = vec![first];
        let mut at = t0();
        let steps: [(i64, &str, serde_json::Value); 3] = [
            (60, "accept", serde_json::json!({})),
            (
                days_mediating * 24 * 60,
                "record_agreement",
                serde_json::json!({"agreement_form": "written", "agreement": "甲方夜间不再施工"}),
            ),
            (24 * 60, "confirm_performance", serde_json::json!({})),
        ];
        for (minutes, action, fields) in steps {
            at += Duration::minutes(minutes);
            let cmd = Command {
                action: action.into(),
                opinion: Some("意见".into()),
                attachments: vec!["p.jpg".into()],
                fields: serde_json::from_value(fields).unwrap(),
                ..Command::default()
            };
            let (next, entry) = apply(&w.wf, &w.cal, &case, &cmd, &mediator, at).unwrap();
            kept.extend(deltas(&next, &entry));
            log.push(entry);
            case = next;
        }
        let accepted = &log[1];
        assert_eq!(accepted.counts, [Count::Filed, Count::Due]);
        let due_month = period_of(accepted.deadline.unwrap());
        assert_eq!(at_in(&kept, &due_month, ALL, NO_UNIT, ALL).due, 1, "due in the month the mediation period ends");
        let total =
            kept.iter().filter(|(k, _)| (k.area.as_str(), k.unit.as_str(), k.type_code.as_str()) == (ALL, ALL, ALL));
        let mut sum = Counters::default();
        total.for_each(|(_, c)| sum.add(c));
        let again = recompute(&[(case.clone(), log.clone())]);
        let mut recomputed = Counters::default();
        again
            .iter()
            .filter(|(k, _)| (k.area.as_str(), k.unit.as_str(), k.type_code.as_str()) == (ALL, ALL, ALL))
            .for_each(|(_, c)| recomputed.add(c));
        assert_eq!(sum, recomputed, "kept and recomputed agree");
        (sum, log)
    };
    let (in_time, _) = play(20);
    assert_eq!((in_time.closed, in_time.closed_on_time, in_time.handled_on_time), (1, 1, 1), "{in_time:?}");
    let (late, log) = play(40);
    assert!(log[2].held_late, "the agreement ended the mediation step late");
    assert_eq!((late.closed, late.closed_on_time, late.handled_on_time), (1, 0, 0), "{late:?}");
}
