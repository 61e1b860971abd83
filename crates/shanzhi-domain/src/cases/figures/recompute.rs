//! The figures derived again from the case logs, the way an auditor would: by the state
//! transitions each log records, per case, then rolled up the division tree. Written apart from
//! [`deltas`](super::deltas) (which reads action keys and the case after each entry, and fans out
//! per entry) so that their agreement, checked by a property test, means something.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{ALL, Counters, FigureKey, NO_UNIT, UNLOCATED, period_of};
use crate::cases::case::{Case, Channel, LogEntry, Satisfaction};
use crate::ids::{DivisionCode, GridCode};

/// The finest cell: one kind, month, grid (or none), unit (or none) and type.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Cell {
    kind: String,
    period: String,
    grid: Option<GridCode>,
    unit: Option<String>,
    type_code: String,
}

/// The finest cell of a case for the unit holding it and the month of `at`.
fn cell<'a>(
    cells: &'a mut HashMap<Cell, Counters>,
    case: &Case,
    unit: &Option<String>,
    at: DateTime<Utc>,
) -> &'a mut Counters {
    cells
        .entry(Cell {
            kind: case.kind.clone(),
            period: period_of(at),
            grid: case.grid.clone(),
            unit: unit.clone(),
            type_code: case.type_code.to_string(),
        })
        .or_default()
}

/// A counted transition, recognised by the states it joins (and, where two actions join the
/// same states, by the action).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Filed,
    Dispatched,
    /// A handling clock starts for a unit: due in the month of its deadline.
    HandlingStarts,
    Handled,
    Rework,
    Closed,
    Extended,
    Suspended,
    Returned,
    Voided,
    Rejected,
    SelfHandled,
}

/// The counted transitions of each kind's workflow, from its states.
fn steps(kind: &str, from: &str, to: &str, action: &str) -> &'static [Step] {
    use Step::*;
    match (kind, from, to) {
        ("event", "pending_filing", "filed") => &[Filed],
        ("event", "filed", "dispatched") => &[Dispatched, HandlingStarts],
        ("event", _, "handled") => &[Handled],
        ("event", "handled", "dispatched") => &[Rework],
        ("event", "pending_close", "closed") => &[Closed],
        ("event", "extension_requested", "dispatched") if action == "approve_extension" => &[Extended],
        ("event", _, "suspended") => &[Suspended],
        ("event", "return_requested" | "dispatched", "filed") => &[Returned],
        ("event", _, "voided") => &[Voided],
        ("event", _, "rejected") => &[Rejected],
        ("event", _, "self_handled") => &[SelfHandled],
        ("demand", "received" | "submitted", "pending_dispatch") => &[Filed],
        ("demand", "pending_dispatch", "dispatched") => &[Dispatched],
        ("demand", "dispatched", "handling") => &[HandlingStarts],
        ("demand", _, "replied") => &[Handled],
        ("demand", "replied", "handling") => &[Rework],
        ("demand", "called_back", "closed") => &[Closed],
        ("demand", "extension_requested", "handling") if action == "approve_extension" => &[Extended],
        ("demand", _, "suspended") => &[Suspended],
        ("demand", "return_requested" | "dispatched", "pending_dispatch") => &[Returned],
        ("demand", _, "voided") => &[Voided],
        ("demand", _, "answered") => &[SelfHandled],
        _ => &[],
    }
}

/// The state in which a case of a kind waits for a (new) dispatch, holding no unit.
fn awaiting_dispatch(kind: &str) -> &'static str {
    match kind {
        "demand" => "pending_dispatch",
        _ => "filed",
    }
}

/// Counts one case's log into the finest cells.
fn count_case(case: &Case, log: &[LogEntry], cells: &mut HashMap<Cell, Counters>) {
    let mut log: Vec<&LogEntry> = log.iter().collect();
    log.sort_by_key(|e| e.seq);
    let kind = case.kind.as_str();
    let public = !matches!(case.channel, Channel::Patrol | Channel::Device);
    // The unit holding the case: set by a dispatch, gone when the case waits for one again.
    let mut unit: Option<String> = None;
    // Whether a handling step of the case has ended late so far (the log says which step ended).
    let mut late_handling = false;
    for e in log {
        let from = e.from_state.as_deref().unwrap_or("");
        let to = e.to_state.as_str();
        if let Some(a) = &e.units {
            unit = Some(a.primary.clone());
        } else if to == awaiting_dispatch(kind) {
            unit = None;
        }
        let c = cell(cells, case, &unit, e.at);
        if e.seq == 1 {
            c.reported += 1;
        }
        if e.overdue {
            c.overdue_steps += 1;
            late_handling |= e.ended_step.as_deref() == Some("handling");
        }
        // Ratings: the rating acts of the shipped workflows, with the case's (only) rating.
        if matches!((kind, e.action.as_str()), ("event", "rate" | "rate_by_phone") | ("demand", "rate" | "call_back")) {
            match case.rating.as_ref().map(|r| r.satisfaction) {
                Some(Satisfaction::Satisfied) => c.satisfied += 1,
                Some(Satisfaction::BasicallySatisfied) => c.basically_satisfied += 1,
                Some(Satisfaction::Dissatisfied) => c.dissatisfied += 1,
                None => {}
            }
        }
        if from == to {
            // A rating, or a note (the sweep's `overdue`/`escalate`): no transition to count.
            continue;
        }
        for step in steps(kind, from, to, &e.action) {
            match step {
                Step::Filed => {
                    c.filed += 1;
                    c.filed_public += u64::from(public);
                }
                Step::Dispatched => c.dispatched += 1,
                Step::HandlingStarts => {}
                Step::Handled => {
                    c.handled += 1;
                    c.handled_on_time += u64::from(!e.overdue);
                }
                Step::Rework => c.rework += 1,
                Step::Closed => {
                    c.closed += 1;
                    c.closed_on_time += u64::from(!late_handling);
                }
                Step::Extended => c.extensions += 1,
                Step::Suspended => c.suspended += 1,
                Step::Returned => c.returned += 1,
                Step::Voided => c.voided += 1,
                Step::Rejected => c.rejected += 1,
                Step::SelfHandled => c.self_handled += 1,
            }
        }
        // 应结案数: due in the month of the handling deadline the entry set.
        if steps(kind, from, to, &e.action).contains(&Step::HandlingStarts)
            && let Some(deadline) = e.deadline
        {
            cell(cells, case, &unit, deadline).due += 1;
        }
    }
}

/// The areas of a grid, walking up the division tree; [`UNLOCATED`] without one.
fn areas(grid: Option<&GridCode>) -> Vec<String> {
    let mut out = vec![ALL.to_string()];
    match grid {
        None => out.push(UNLOCATED.to_string()),
        Some(g) => {
            out.push(g.to_string());
            let mut d: Option<DivisionCode> = Some(g.community());
            while let Some(code) = d {
                out.push(code.to_string());
                d = code.parent();
            }
        }
    }
    out
}

/// Figures from the logs alone: the same rows [`deltas`](super::deltas) keeps incrementally,
/// with no zero rows. Each case comes with its whole log (any order; sorted by `seq` here); the
/// case supplies only what never changes (kind, type, grid, channel) and its rating.
pub fn recompute(cases: &[(Case, Vec<LogEntry>)]) -> HashMap<FigureKey, Counters> {
    recompute_each(cases.iter().map(|(c, log)| (c, log.as_slice())))
}

/// [`recompute`] over borrowed cases and logs.
pub fn recompute_each<'a>(cases: impl IntoIterator<Item = (&'a Case, &'a [LogEntry])>) -> HashMap<FigureKey, Counters> {
    let mut cells = HashMap::new();
    for (case, log) in cases {
        count_case(case, log, &mut cells);
    }
    let mut out: HashMap<FigureKey, Counters> = HashMap::new();
    for (cell, counters) in cells {
        if counters.is_zero() {
            continue;
        }
        let unit = cell.unit.as_deref().unwrap_or(NO_UNIT);
        for area in areas(cell.grid.as_ref()) {
            for u in [unit, ALL] {
                for t in [cell.type_code.as_str(), ALL] {
                    if !super::kept(&area, u == ALL, t == ALL) {
                        continue;
                    }
                    let key = FigureKey {
                        kind: cell.kind.clone(),
                        period: cell.period.clone(),
                        area: area.clone(),
                        unit: u.to_string(),
                        type_code: t.to_string(),
                    };
                    out.entry(key).or_default().add(&counters);
                }
            }
        }
    }
    out
}
