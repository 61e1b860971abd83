//! The figures derived again from the case logs, the way an auditor would: from what each entry
//! recorded (what it counted as, the units it assigned, the step it ended and whether late, the
//! deadline it set), per case, then rolled up the division tree. Written apart from
//! [`deltas`](super::deltas) (which reads the case after each entry: its units, clock and
//! late-handling count, and fans out per entry by code prefix) so that their agreement, checked
//! by a property test, means something.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{ALL, Counters, FigureKey, NO_UNIT, UNLOCATED, period_of};
use crate::cases::case::{Case, Channel, LogEntry};
use crate::cases::counts::Count;
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
    // The unit holding the case: set by an assignment the log records, gone when it says so.
    let mut unit: Option<String> = None;
    // Whether a step the kind is held to has ended late so far (the log says so of each entry).
    let mut late_handling = false;
    for e in log {
        if let Some(a) = &e.units {
            unit = Some(a.primary.clone());
        } else if e.units_cleared {
            unit = None;
        }
        let c = cell(cells, case, &unit, e.at);
        if e.seq == 1 {
            c.reported += 1;
        }
        if e.overdue {
            c.overdue_steps += 1;
            late_handling |= e.held_late;
        }
        for count in &e.counts {
            match count {
                Count::Filed => {
                    c.filed += 1;
                    c.filed_public += u64::from(public);
                }
                Count::Dispatched => c.dispatched += 1,
                Count::Due => {}
                Count::Handled => {
                    c.handled += 1;
                    c.handled_on_time += u64::from(!e.overdue);
                }
                Count::Reworked => c.rework += 1,
                Count::Closed => {
                    c.closed += 1;
                    c.closed_on_time += u64::from(!late_handling);
                }
                Count::Extended => c.extensions += 1,
                Count::Suspended => c.suspended += 1,
                Count::Returned => c.returned += 1,
                Count::Voided => c.voided += 1,
                Count::Rejected => c.rejected += 1,
                Count::SelfHandled => c.self_handled += 1,
                Count::Rated => c.add_rating(case),
            }
        }
        // 应结案数: due in the month of the handling deadline the entry set.
        if e.counts.contains(&Count::Due)
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
