//! Figures (统计指标): the base counts of docs/domain.md §4.1 per kind, month, area, unit and
//! type, kept incrementally from each appended log entry ([`deltas`]), re-derivable from the case
//! logs ([`recompute`]), and turned into the rates, composite scores and grades of §4.2–4.3 with
//! weights loaded from data ([`assessment`]).
//!
//! # Keys: what a dashboard looks up
//!
//! A [`FigureKey`] is `(kind, period, area, unit, type_code)`:
//!
//! * `kind`: the case kind (`event` = 数字城管, `demand` = 12345 …). Never rolled up: the kinds are
//!   assessed separately, and a cross-kind total is a sum over a handful of rows.
//! * `period`: the calendar month `YYYY-MM` in Tangshan time (UTC+8). A year is 12 rows.
//! * `area`: where the case is. Every located case counts at its 15-digit grid and at every
//!   ancestor (12-digit community/village, 9-digit township/street, 6-digit county, 4-digit city:
//!   the code's prefixes), and at [`ALL`] (`*`, the whole deployment). A case without a grid
//!   counts at [`UNLOCATED`] (`unlocated`) and at `*`, so `*` = city + unlocated.
//! * `unit`: the primary (主办) unit the case is assigned to after the entry, as in
//!   [`Assignment::primary`](super::case::Assignment), e.g. `130202:urban-management`; [`NO_UNIT`]
//!   (`-`) while it is assigned to none (reported, filed, returned, rejected, self-handled); and
//!   [`ALL`] for all units together. [`recompute`] follows the assignment through
//!   `LogEntry::units`, so whatever changes the primary unit must log the new assignment there.
//! * `type_code`: the 4-digit type code, or [`ALL`].
//!
//! Each entry's counters are written to the combinations of {the area and its ancestors, `*`} ×
//! {the unit, `*`} × {the type, `*`} that [`kept`] keeps: a grid keeps its totals, a community adds
//! its units, a street its types, a county, the city and `*` everything: 18 keys for a located
//! case (8 for an unlocated one; twice that for a dispatch whose deadline falls in a later month),
//! and only when the entry counts something. So each of these is ONE lookup:
//!
//! | question | key |
//! |---|---|
//! | a street (or grid, community, county, city) in a month | `(kind, month, street, *, *)` |
//! | a department in a month, anywhere | `(kind, month, *, unit, *)` |
//! | a department within one county | `(kind, month, county, unit, *)` |
//! | a type in a month, anywhere or in a street | `(kind, month, * or street, *, type)` |
//! | the whole deployment | `(kind, month, *, *, *)` |
//!
//! Sentinels are strings, not `NULL`s, so the key can be a database primary key as it stands.
//! The store should add the county code (the first 6 digits of `area` when it has them) as the
//! shard column (architecture: every large table carries it).
//!
//! # When an entry counts, and in which month
//!
//! Every counter is a flow: it counts entries (acts) in the month they happened (UTC+8), except
//! `due`, which counts in the month of the deadline it is about. A month's figures therefore stop
//! changing once the month is over (a deadline is never earlier than the dispatch that sets it),
//! which is what a monthly assessment needs; the price is that a month's 结案数 may include cases
//! due earlier, so a rate can exceed 100 % in a month that clears a backlog.
//!
//! What an entry counts is what its action declared in the kind's workflow file (`counts = [...]`,
//! see [`Count`]), recorded on the entry by the engine: no rule here names a kind, an action or a
//! state. An action that declares nothing counts nothing; every case still counts `reported`,
//! and every entry that ends a step late `overdue_steps`.

pub mod assessment;
pub mod labels;
pub mod order;
pub mod recompute;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::case::{Case, Channel, LogEntry, Satisfaction};
use super::counts::Count;
use crate::ids::GridCode;

pub use assessment::{Assessment, AssessmentError, Composite, Part, Rates};
pub use recompute::{recompute, recompute_each};

/// The "all of them" value of a key dimension (area, unit, type).
pub const ALL: &str = "*";
/// The unit of a case assigned to no unit.
pub const NO_UNIT: &str = "-";
/// The area of a case reported without a grid.
pub const UNLOCATED: &str = "unlocated";

/// One row of the figures: which cases, when, where, whose, of what type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FigureKey {
    /// The case kind (`event`, `demand`, …).
    pub kind: String,
    /// `YYYY-MM` in UTC+8.
    pub period: String,
    /// A grid code (15 digits), a division code (12/9/6/4 digits), [`UNLOCATED`] or [`ALL`].
    pub area: String,
    /// A unit (`<division>:<key>`), [`NO_UNIT`] or [`ALL`].
    pub unit: String,
    /// A 4-digit type code or [`ALL`].
    pub type_code: String,
}

/// The base counts of §4.1 for one key. Which entries a field counts is what the workflows
/// declare ([`Count`]); the actions named below are those of the shipped event and demand
/// workflows. All count in the month of the entry except `due` (the month of the deadline).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Counters {
    /// 上报数 / 受理数: reports received (the `report` entry that creates a case), all channels.
    pub reported: u64,
    /// 立案数: cases filed (`file`; demand: `register`, 受理登记). The variant "立案数 − 挂账数"
    /// is `filed - suspended`.
    pub filed: u64,
    /// 监督举报核实数: of `filed`, cases reported by the public (resident web/phone, 12345,
    /// Open311), which in the event workflow are filed only after an on-site verification.
    pub filed_public: u64,
    /// 派遣数: dispatches (`dispatch`); a case returned and re-dispatched counts once for each
    /// unit it was sent to.
    pub dispatched: u64,
    /// 应结案数 = 应处置数: entries that start a handling clock for a unit (`dispatch`; demand:
    /// `accept`, 签收), counted in the month in which that handling deadline falls (the deadline
    /// as set then: the type's 处置时限; extensions and suspensions are counted separately and do
    /// not move it). Rework does not make the case due again; a new dispatch after a return does
    /// (see `returned`).
    pub due: u64,
    /// 处置数: handling finished (`feedback`, 处置反馈; demand: `reply`, 答复).
    pub handled: u64,
    /// 按期处置数: of `handled`, those whose handling step (deadline including approved
    /// extensions and suspended time) ended on time.
    pub handled_on_time: u64,
    /// 结案数: cases closed (`close`). Self-handled cases (自处理结案) are not included.
    pub closed: u64,
    /// 按期结案数: of `closed`, those whose handling never ran past its deadline (see
    /// [`closed_on_time`]).
    pub closed_on_time: u64,
    /// 返工数: handling sent back to be done again (`check_fail`, 核查不通过; demand:
    /// `reject_reply`, `request_rehandle`).
    pub rework: u64,
    /// 超期数: entries that ended a step after its deadline (`LogEntry::overdue`), any step.
    pub overdue_steps: u64,
    /// 延期数: extensions approved (`approve_extension`).
    pub extensions: u64,
    /// 挂账数: suspensions approved (`approve_suspension`).
    pub suspended: u64,
    /// 回退数: cases taken back from their unit (`approve_return` or `withdraw`);
    /// counted under no unit, since the case no longer has one.
    pub returned: u64,
    /// 作废数: cases voided (`approve_void`).
    pub voided: u64,
    /// 不予立案数: reports not filed (`refuse`, or `deny` after a verification found nothing).
    pub rejected: u64,
    /// 自行处置数: cases settled without dispatch (`self_handle` by the grid worker; demand:
    /// `answer_directly`, 直接答复).
    pub self_handled: u64,
    /// 满意: ratings (`rate`, `rate_by_phone`; demand: `call_back`, `rate`) of 满意.
    pub satisfied: u64,
    /// 基本满意.
    pub basically_satisfied: u64,
    /// 不满意.
    pub dissatisfied: u64,
}

macro_rules! each_counter {
    ($m:ident) => {
        $m! {
            reported,
            filed,
            filed_public,
            dispatched,
            due,
            handled,
            handled_on_time,
            closed,
            closed_on_time,
            rework,
            overdue_steps,
            extensions,
            suspended,
            returned,
            voided,
            rejected,
            self_handled,
            satisfied,
            basically_satisfied,
            dissatisfied
        }
    };
}

macro_rules! counter_impls {
    ($($f:ident),*) => {
        /// The field names, in declaration order (column names for a store).
        pub const FIELDS: &'static [&'static str] = &[$(stringify!($f)),*];

        /// Adds `other` field by field.
        pub fn add(&mut self, other: &Counters) {
            $(self.$f += other.$f;)*
        }

        /// Each field with its name, in the order of [`Counters::FIELDS`].
        pub fn named(&self) -> Vec<(&'static str, u64)> {
            vec![$((stringify!($f), self.$f)),*]
        }

        /// Counters from values in the order of [`Counters::FIELDS`]; missing values are zero.
        pub fn from_values(values: &[u64]) -> Counters {
            let mut it = values.iter().copied();
            Counters { $($f: it.next().unwrap_or(0)),* }
        }

        /// Whether every field is zero.
        pub fn is_zero(&self) -> bool {
            true $(&& self.$f == 0)*
        }
    };
}

impl Counters {
    each_counter!(counter_impls);

    /// Counts the case's (only) rating, if it has one, as 满意, 基本满意 or 不满意.
    pub fn add_rating(&mut self, case: &Case) {
        match case.rating.as_ref().map(|r| r.satisfaction) {
            Some(Satisfaction::Satisfied) => self.satisfied += 1,
            Some(Satisfaction::BasicallySatisfied) => self.basically_satisfied += 1,
            Some(Satisfaction::Dissatisfied) => self.dissatisfied += 1,
            None => {}
        }
    }

    /// Ratings given: 满意 + 基本满意 + 不满意.
    pub fn rated(&self) -> u64 {
        self.satisfied + self.basically_satisfied + self.dissatisfied
    }
}

/// Tangshan time, in which months begin and end.
fn utc8() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("a valid offset")
}

/// The period (`YYYY-MM`, UTC+8) that an instant falls in.
pub fn period_of(at: DateTime<Utc>) -> String {
    at.with_timezone(&utc8()).format("%Y-%m").to_string()
}

/// When the day (UTC+8) that `at` falls in began.
pub fn day_start(at: DateTime<Utc>) -> DateTime<Utc> {
    let local = at.with_timezone(&utc8()).date_naive().and_time(chrono::NaiveTime::MIN);
    local.and_local_timezone(utc8()).single().expect("a fixed offset has no gaps").with_timezone(&Utc)
}

/// The areas a case counts in: its grid and every ancestor division (by code prefix), then
/// [`ALL`]; or [`UNLOCATED`] and [`ALL`] when it has no grid.
pub fn areas_of(grid: Option<&GridCode>) -> Vec<String> {
    match grid {
        Some(g) => {
            let code = g.as_str();
            [15, 12, 9, 6, 4]
                .into_iter()
                .map(|n| code[..n].to_string())
                .chain(std::iter::once(ALL.to_string()))
                .collect()
        }
        None => vec![UNLOCATED.to_string(), ALL.to_string()],
    }
}

/// Whether a channel brings reports from the public (监督举报) rather than from inspectors or
/// devices.
pub fn is_public(channel: Channel) -> bool {
    match channel {
        Channel::ResidentWeb | Channel::ResidentPhone | Channel::Hotline | Channel::Open311 => true,
        Channel::Patrol | Channel::Device => false,
    }
}

/// Whether a close counts as 按期结案.
///
/// 按期结案: no handling step of the case ended after its deadline (the engine counts those in
/// `Case::late_handling`, from the log entries' `ended_step` and `overdue`).
pub fn closed_on_time(case_after: &Case, _entry: &LogEntry) -> bool {
    case_after.late_handling == 0
}

/// What one log entry counts: each counter at most once. Kept with the entry (the store's log
/// columns), so that the cases behind any figure can be listed exactly: the cases with an entry
/// that counted it, in the months shown, under the area, unit and type of the figure's key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counted {
    /// The counters of the entry's own month; `due` is never set here (see `due_at`).
    pub now: Counters,
    /// The handling deadline whose month counts `due`, when the entry starts a handling clock.
    pub due_at: Option<DateTime<Utc>>,
    /// The primary unit after the entry: the unit its figures count under (none: [`NO_UNIT`]).
    pub unit: Option<String>,
}

impl Counted {
    /// What `entry` counts, given the case after it.
    pub fn of(case_after: &Case, entry: &LogEntry) -> Counted {
        let mut now = Counters::default();
        let mut due_at = None;
        if entry.from_state.is_none() {
            now.reported += 1;
        }
        if entry.overdue {
            now.overdue_steps += 1;
        }
        for count in &entry.counts {
            match count {
                Count::Filed => {
                    now.filed += 1;
                    if is_public(case_after.channel) {
                        now.filed_public += 1;
                    }
                }
                Count::Dispatched => now.dispatched += 1,
                // Into a state on the step the kind is held to (checked on import): its deadline.
                Count::Due => due_at = entry.deadline,
                Count::Handled => {
                    now.handled += 1;
                    if !entry.overdue {
                        now.handled_on_time += 1;
                    }
                }
                Count::Reworked => now.rework += 1,
                Count::Closed => {
                    now.closed += 1;
                    if closed_on_time(case_after, entry) {
                        now.closed_on_time += 1;
                    }
                }
                Count::Extended => now.extensions += 1,
                Count::Suspended => now.suspended += 1,
                Count::Returned => now.returned += 1,
                Count::Voided => now.voided += 1,
                Count::Rejected => now.rejected += 1,
                Count::SelfHandled => now.self_handled += 1,
                Count::Rated => now.add_rating(case_after),
            }
        }
        Counted { now, due_at, unit: case_after.units.as_ref().map(|u| u.primary.clone()) }
    }

    /// The counters of the entry's month as bits: bit `i` is set when `Counters::FIELDS[i]` counted
    /// the entry (`due` is never set: it is `due_at`).
    pub fn bits(&self) -> i64 {
        self.now.named().iter().enumerate().filter(|(_, (_, n))| *n > 0).fold(0, |b, (i, _)| b | 1 << i)
    }
}

impl Counters {
    /// The bit of a counter in [`Counted::bits`] (`None`: no such counter, or `due`, which a
    /// deadline's month counts rather than a bit).
    pub fn bit(name: &str) -> Option<i64> {
        (name != "due").then(|| Counters::FIELDS.iter().position(|f| *f == name).map(|i| 1i64 << i)).flatten()
    }
}

/// What one appended log entry adds to the figures: the key and counters for every row it
/// touches, each key once (none when it counts nothing). Depends only on the entry and the case after it, so
/// the store can apply it in the transaction that appends the entry.
pub fn deltas(case_after: &Case, entry: &LogEntry) -> Vec<(FigureKey, Counters)> {
    // Counted in the entry's month, and (due) in the month of a deadline.
    let Counted { mut now, due_at, .. } = Counted::of(case_after, entry);
    // Each key once: the due row joins the entry's row when the deadline falls in the same month.
    let period = period_of(entry.at);
    let mut later = None;
    if let Some(deadline) = due_at.map(period_of) {
        if deadline == period {
            now.due += 1;
        } else {
            later = Some((deadline, Counters { due: 1, ..Counters::default() }));
        }
    }
    std::iter::once((period, now))
        .chain(later)
        .filter(|(_, c)| !c.is_zero())
        .flat_map(|(period, c)| fan_out(case_after, &period).into_iter().map(move |k| (k, c)))
        .collect()
}

/// Every key that a case's counters in `period` are written to (see the module documentation).
/// Which breakdowns are kept at which level, so that the table stays proportionate to what a
/// dashboard asks: a grid keeps its totals; a community adds its units; a street adds its types;
/// a county, the city and the unlocated keep units by type as well.
pub fn kept(area: &str, all_units: bool, all_types: bool) -> bool {
    if !area.bytes().all(|b| b.is_ascii_digit()) {
        return true; // `*` and `unlocated`
    }
    match area.len() {
        15 => all_units && all_types,
        12 => all_types,
        9 => all_units || all_types,
        _ => true,
    }
}

/// Whether figures with this breakdown exist at this area (see [`kept`]).
pub fn breakdown_kept(area: &str, unit: Option<&str>, type_code: Option<&str>) -> bool {
    kept(area, unit.is_none_or(|u| u == ALL), type_code.is_none_or(|t| t == ALL))
}

pub fn fan_out(case: &Case, period: &str) -> Vec<FigureKey> {
    let unit = case.units.as_ref().map_or(NO_UNIT, |u| u.primary.as_str()).to_string();
    let type_code = case.type_code.as_str().to_string();
    let mut keys = Vec::with_capacity(24);
    for area in areas_of(case.grid.as_ref()) {
        for u in [unit.as_str(), ALL] {
            for t in [type_code.as_str(), ALL] {
                if !kept(&area, u == ALL, t == ALL) {
                    continue;
                }
                keys.push(FigureKey {
                    kind: case.kind.clone(),
                    period: period.to_string(),
                    area: area.clone(),
                    unit: u.to_string(),
                    type_code: t.to_string(),
                });
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests;
