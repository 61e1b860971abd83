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

/// Counts one case's log into the finest cells.
fn count_case(case: &Case, log: &[LogEntry], cells: &mut HashMap<Cell, Counters>) {
    let mut log: Vec<&LogEntry> = log.iter().collect();
    log.sort_by_key(|e| e.seq);
    let public = !matches!(case.channel, Channel::Patrol | Channel::Device);
    // The unit holding the case: set by a dispatch, gone when the case is back in `filed`.
    let mut unit: Option<String> = None;
    for e in log {
        let from = e.from_state.as_deref().unwrap_or("");
        let to = e.to_state.as_str();
        if let Some(a) = &e.units {
            unit = Some(a.primary.clone());
        } else if to == "filed" {
            unit = None;
        }
        let c = cell(cells, case, &unit, e.at);
        if e.seq == 1 {
            c.reported += 1;
        }
        if e.overdue {
            c.overdue_steps += 1;
        }
        // Ratings are the one counted act that does not move the state.
        if matches!(e.action.as_str(), "rate" | "rate_by_phone") {
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
        match (from, to) {
            ("pending_filing", "filed") => {
                c.filed += 1;
                c.filed_public += u64::from(public);
            }
            ("filed", "dispatched") => c.dispatched += 1,
            (_, "handled") => {
                c.handled += 1;
                c.handled_on_time += u64::from(!e.overdue);
            }
            ("handled", "dispatched") => c.rework += 1,
            ("pending_close", "closed") => {
                c.closed += 1;
                // INTERIM, as in `closed_on_time`: the closing entry was not late.
                c.closed_on_time += u64::from(!e.overdue);
            }
            ("extension_requested", "dispatched") if e.action == "approve_extension" => c.extensions += 1,
            (_, "suspended") => c.suspended += 1,
            ("return_requested", "filed") => c.returned += 1,
            (_, "voided") => c.voided += 1,
            (_, "rejected") => c.rejected += 1,
            (_, "self_handled") => c.self_handled += 1,
            _ => {}
        }
        // 应结案数: a dispatch is due in the month of the handling deadline it sets.
        if (from, to) == ("filed", "dispatched") {
            if let Some(deadline) = e.deadline {
                cell(cells, case, &unit, deadline).due += 1;
            }
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
