//! The deadline sweep, as a pure function: a summons not answered in time goes up one level and
//! flags the unit that missed it; a step that ran past its deadline is noted once and flags the
//! unit holding it. Applying the sweep twice at the same instant changes nothing the second time.

use chrono::{DateTime, Utc};

use super::case::{Actor, Case, Flag, LogEntry, Summons};
use super::engine::Refusal;
use super::notes::{SWEEP_ESCALATE, SWEEP_OVERDUE};
use super::workflow::{SUMMONS_STEP, Workflow};
use crate::calendar::WorkCalendar;
use crate::people::Role;
use crate::time_limit::{TimeLimit, TimeUnit};

/// The actor of the sweep's log entries.
pub fn system_actor() -> Actor {
    Actor { user: "system".into(), role: Role::CityAdmin, unit: "1302:command_centre".into() }
}

/// When the earliest unanswered summons of the whistle falls due; none: no unit is waited for
/// (nor on a closed case).
pub fn summons_due(case: &Case) -> Option<DateTime<Utc>> {
    if case.closed_at.is_some() {
        return None;
    }
    case.summons.iter().filter(|s| s.pending()).map(|s| s.due).min()
}

/// When the sweep next has something to do for this case, if ever (the indexed `sweep_at`).
pub fn next_sweep_at(case: &Case) -> Option<DateTime<Utc>> {
    let step = case.clock.as_ref().filter(|c| !c.overdue_noted && c.paused_at.is_none()).map(|c| c.deadline);
    [summons_due(case), step].into_iter().flatten().min()
}

/// The unit one level up: a community's units → the street office, a street office → the
/// county command centre, a county unit → the same unit of the city; a city unit has none.
pub fn next_level(unit: &str) -> Option<String> {
    let (area, what) = unit.split_once(':')?;
    match area.len() {
        12 => Some(format!("{}:street-office", &area[..9])),
        9 => Some(format!("{}:command_centre", &area[..6])),
        6 => Some(format!("{}:{what}", &area[..4])),
        _ => None,
    }
}

/// What the sweep does to one case at `now`: the new case and its log entry, or `None`.
pub fn sweep(
    wf: &Workflow,
    cal: &WorkCalendar,
    case: &Case,
    now: DateTime<Utc>,
) -> Result<Option<(Case, LogEntry)>, Refusal> {
    let mut next = case.clone();
    let mut notes = Vec::new();
    let limit = wf.step_limit(SUMMONS_STEP).unwrap_or(TimeLimit { value: 2, unit: TimeUnit::WorkingHours });
    let mut added = Vec::new();
    let (mut escalated_to, mut at_top) = (0usize, 0usize);
    for s in next.summons.iter_mut().filter(|s| s.pending() && s.due < now) {
        s.escalated_at = Some(now);
        next.flags.push(Flag { unit: s.unit.clone(), reason: "missed_summons".into(), at: now });
        match next_level(&s.unit) {
            Some(up) => {
                escalated_to += 1;
                added.push(Summons {
                    unit: up,
                    summoned_at: now,
                    due: cal.add(now, limit)?,
                    reported_at: None,
                    escalated_at: None,
                });
            }
            None => at_top += 1,
        }
    }
    // Said without codes (the log is read by people; the flags and summons keep the units).
    if escalated_to > 0 {
        notes.push(format!("{escalated_to} 个被召集单位未在时限内报到，已提级召集其上一级单位"));
    }
    if at_top > 0 {
        notes.push(format!("{at_top} 个被召集单位未在时限内报到（已是最高层级）"));
    }
    for s in added {
        if let Some(units) = next.units.as_mut()
            && units.primary != s.unit
            && !units.assisting.contains(&s.unit)
        {
            units.assisting.push(s.unit.clone());
        }
        next.summons.push(s);
    }
    let escalated = !notes.is_empty();
    if let Some(clock) = next.clock.as_mut().filter(|c| !c.overdue_noted && c.paused_at.is_none() && c.deadline < now) {
        clock.overdue_noted = true;
        let holder = case.units.as_ref().map(|u| u.primary.clone()).unwrap_or_else(|| "1302:command_centre".into());
        // The state's name and the deadline in Beijing time (no step key, no RFC 3339 digits).
        let state = wf.state(&case.state).map_or(case.state.as_str(), |s| s.name_zh.as_str());
        let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
        notes.push(format!(
            "「{state}」已超时（时限 {}）",
            clock.deadline.with_timezone(&beijing).format("%Y-%m-%d %H:%M")
        ));
        next.flags.push(Flag { unit: holder, reason: "overdue_step".into(), at: now });
    }
    if notes.is_empty() {
        return Ok(None);
    }
    next.seq = case.seq + 1;
    let entry = LogEntry {
        seq: next.seq,
        at: now,
        actor: system_actor(),
        action: if escalated { SWEEP_ESCALATE.into() } else { SWEEP_OVERDUE.into() },
        from_state: Some(case.state.clone()),
        to_state: next.state.clone(),
        opinion: Some(notes.join("；")),
        attachments: Vec::new(),
        units: None,
        deadline: next.clock.as_ref().map(|c| c.deadline),
        overdue: false,
        ended_step: None,
        public: false,
        counts: Vec::new(),
        units_cleared: false,
        fields: Default::default(),
        held_late: false,
    };
    Ok(Some((next, entry)))
}
