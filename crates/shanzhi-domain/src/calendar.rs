//! The work calendar (工作日历) and deadline arithmetic on it (docs/domain.md §3.3): which
//! days are working days, which hours of them count, adding a `TimeLimit` to an instant, and
//! measuring the working time between two instants.
//!
//! # Model
//!
//! A calendar is read from TOML (`data/calendar/cn-2025-2027.toml` is the shipped national one)
//! and holds:
//! * a fixed UTC offset (China: `+08:00`, no DST); every computation happens in local time of
//!   that offset, while inputs and outputs are UTC instants;
//! * a valid range of local dates (`valid_from..=valid_to`) outside which it refuses to answer
//!   working-time questions ([`CalendarError::OutOfRange`]) instead of guessing;
//! * the daily work periods, e.g. 08:30–12:00 and 13:30–17:30, the same on every working day;
//! * the official holiday periods: rest days and weekend make-up working days (调休上班).
//!
//! A **working day** is Monday–Friday unless it is a holiday rest day, or a Saturday/Sunday
//! listed as a make-up working day. **Working time** is the half-open union of the work periods
//! `[start, end)` of working days.
//!
//! # Units ([`WorkCalendar::add`])
//!
//! * `Minutes`, `CalendarHours`: wall-clock, around the clock; the calendar is not consulted (so
//!   these never fail with `OutOfRange`, only with `Overflow` for absurd values).
//! * `WorkingHours`: `n` hours of working time. A start outside working time first rolls forward
//!   to the next work-period start. When the count runs out exactly at the end of a work period
//!   the result is that end (e.g. 12:00), not the start of the next period.
//! * `WorkingDays`: `n` working days are `n ×` the length of one working day's work periods
//!   (7.5 h with the shipped periods) of working time. So a case started at 10:00 on a Monday
//!   with 1 working day is due at 10:00 on the next working day, and one started at 20:00 on a
//!   Friday (outside working time) is due at the end of the last work period of the next working
//!   day (Monday 17:30). The boundary rule above applies here too: 08:30 Monday + 1 working day
//!   is Monday 17:30 (the whole of Monday is that working day), and 12:30 Monday (lunch, rolls to
//!   13:30) + 1 working day is Tuesday 12:00, which in working time is the same as Tuesday 13:30.
//! * A limit of `0` in any unit returns the start unchanged (working units still require the start
//!   to lie in the valid range).
//!
//! Working-unit results are exact (to the nanosecond) and additive:
//! `add(s, n + m) == add(add(s, n), m)`, and
//! `working_duration_between(s, add(s, n working hours)) == n hours`.
//! Arithmetic steps per work period and skips whole working days, so adding hundreds of working
//! days costs a few hundred set look-ups.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use serde::Deserialize;

use crate::time_limit::{TimeLimit, TimeUnit};

/// One daily work period `[start, end)` in local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkPeriod {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// One official holiday period as published (e.g. 2025 春节).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub name_zh: String,
    pub name_en: String,
    /// Derived rather than taken from a State Council notice; must be replaced when published.
    pub provisional: bool,
    /// Rest days, weekend days inside the period included.
    pub days: Vec<NaiveDate>,
    /// Saturdays/Sundays that are working days (调休上班).
    pub make_up_workdays: Vec<NaiveDate>,
}

/// A validated work calendar. Build it with [`WorkCalendar::from_toml`].
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    version: String,
    offset: FixedOffset,
    valid_from: NaiveDate,
    valid_to: NaiveDate,
    periods: Vec<WorkPeriod>,
    /// Sum of the work periods: the working time of one working day.
    day_total: Duration,
    holidays: Vec<Holiday>,
    rest_days: BTreeSet<NaiveDate>,
    make_up_days: BTreeSet<NaiveDate>,
    provisional_years: BTreeSet<i32>,
}

/// Why a calendar could not be built or could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The text is not TOML of the expected shape (syntax, missing or unknown keys, wrong types).
    #[error("work calendar TOML cannot be read: {0}")]
    Toml(String),
    /// The TOML has the right shape but its content is inconsistent; every problem is listed.
    #[error("work calendar is invalid: {}", join_problems(.0))]
    Invalid(Vec<CalendarProblem>),
    /// The computation needed the calendar for a local date it does not cover.
    #[error("work calendar covers {valid_from}..={valid_to} only, but the computation needs {date}")]
    OutOfRange { date: NaiveDate, valid_from: NaiveDate, valid_to: NaiveDate },
    /// A wall-clock result beyond what `DateTime<Utc>` can represent.
    #[error("time limit of {value} {unit} overflows the representable date range")]
    Overflow { value: u32, unit: &'static str },
}

/// One content problem found by [`WorkCalendar::from_toml`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarProblem {
    #[error("utc_offset {0:?} is not of the form +HH:MM / -HH:MM")]
    BadUtcOffset(String),
    #[error("{field}: {value:?} is not a date (YYYY-MM-DD)")]
    BadDate { field: String, value: String },
    #[error("{field}: {value:?} is not a time of day (HH:MM or HH:MM:SS)")]
    BadTime { field: String, value: String },
    #[error("valid_from {valid_from} is after valid_to {valid_to}")]
    ValidRangeReversed { valid_from: NaiveDate, valid_to: NaiveDate },
    #[error("work_periods is empty")]
    NoWorkPeriods,
    #[error("work period {index} ({start}–{end}) does not end after it starts")]
    EmptyWorkPeriod { index: usize, start: NaiveTime, end: NaiveTime },
    #[error("work period {index} starts before work period {} ends (periods must be in order and not overlap)", .index - 1)]
    WorkPeriodsOverlapOrUnordered { index: usize },
    #[error("{holiday} lists no rest days")]
    EmptyHoliday { holiday: String },
    #[error("{holiday}: {date} lies outside valid_from..=valid_to")]
    OutsideValidRange { holiday: String, date: NaiveDate },
    #[error("{holiday}: make-up working day {date} is a {weekday}, not a Saturday or Sunday")]
    MakeUpNotWeekend { holiday: String, date: NaiveDate, weekday: Weekday },
    #[error("{date} is both a holiday rest day and a make-up working day")]
    HolidayAndMakeUp { date: NaiveDate },
    #[error("{holiday}: {date} is listed more than once")]
    DuplicateDate { holiday: String, date: NaiveDate },
}

fn join_problems(problems: &[CalendarProblem]) -> String {
    let parts: Vec<String> = problems.iter().map(ToString::to_string).collect();
    parts.join("; ")
}

// ----------------------------------------------------------------------------- TOML shape

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    version: String,
    utc_offset: String,
    valid_from: String,
    valid_to: String,
    work_periods: Vec<(String, String)>,
    #[serde(default, rename = "holiday")]
    holidays: Vec<RawHoliday>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name_zh: String,
    name_en: String,
    #[serde(default)]
    provisional: bool,
    days: Vec<String>,
    #[serde(default)]
    make_up_workdays: Vec<String>,
}

fn parse_offset(text: &str) -> Option<FixedOffset> {
    let bytes = text.as_bytes();
    if bytes.len() != 6 || bytes[3] != b':' {
        return None;
    }
    let sign = match bytes[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits = |s: &str| -> Option<i32> {
        if s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()) { s.parse().ok() } else { None }
    };
    let hours = digits(&text[1..3])?;
    let minutes = digits(&text[4..6])?;
    if minutes >= 60 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

fn parse_date(field: impl FnOnce() -> String, value: &str, problems: &mut Vec<CalendarProblem>) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            problems.push(CalendarProblem::BadDate { field: field(), value: value.to_owned() });
            None
        }
    }
}

fn parse_time(field: String, value: &str, problems: &mut Vec<CalendarProblem>) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(value, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(value, "%H:%M:%S"))
        .map_err(|_| problems.push(CalendarProblem::BadTime { field, value: value.to_owned() }))
        .ok()
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

// ----------------------------------------------------------------------------- calendar

impl WorkCalendar {
    /// Reads and validates a calendar. Shape errors give [`CalendarError::Toml`]; content
    /// problems are all collected into [`CalendarError::Invalid`]: unparsable dates, times or
    /// offset; `valid_from > valid_to`; no work periods, an empty period, periods out of order or
    /// overlapping; a holiday without rest days; any listed date outside the valid range; a
    /// make-up working day that is not a Saturday/Sunday; a date that is both a rest day and a
    /// make-up day; a date listed twice.
    pub fn from_toml(text: &str) -> Result<WorkCalendar, CalendarError> {
        let raw: RawCalendar = toml::from_str(text).map_err(|e| CalendarError::Toml(e.to_string()))?;
        let mut problems = Vec::new();

        let offset = parse_offset(&raw.utc_offset);
        if offset.is_none() {
            problems.push(CalendarProblem::BadUtcOffset(raw.utc_offset.clone()));
        }
        let valid_from = parse_date(|| "valid_from".into(), &raw.valid_from, &mut problems);
        let valid_to = parse_date(|| "valid_to".into(), &raw.valid_to, &mut problems);
        if let (Some(from), Some(to)) = (valid_from, valid_to)
            && from > to
        {
            problems.push(CalendarProblem::ValidRangeReversed { valid_from: from, valid_to: to });
        }

        // Work periods.
        if raw.work_periods.is_empty() {
            problems.push(CalendarProblem::NoWorkPeriods);
        }
        let mut periods = Vec::new();
        let mut periods_ok = true;
        for (i, (s, e)) in raw.work_periods.iter().enumerate() {
            let index = i + 1;
            let start = parse_time(format!("work period {index} start"), s, &mut problems);
            let end = parse_time(format!("work period {index} end"), e, &mut problems);
            match (start, end) {
                (Some(start), Some(end)) => {
                    if start >= end {
                        problems.push(CalendarProblem::EmptyWorkPeriod { index, start, end });
                        periods_ok = false;
                    } else if let Some(prev) = periods.last().map(|p: &WorkPeriod| p.end)
                        && start < prev
                    {
                        problems.push(CalendarProblem::WorkPeriodsOverlapOrUnordered { index });
                        periods_ok = false;
                    }
                    periods.push(WorkPeriod { start, end });
                }
                _ => periods_ok = false,
            }
        }

        // Holidays.
        let in_range = |d: NaiveDate| match (valid_from, valid_to) {
            (Some(from), Some(to)) => from <= d && d <= to,
            _ => true, // range itself is broken and already reported
        };
        let mut holidays = Vec::new();
        let mut rest_days = BTreeSet::new();
        let mut make_up_days = BTreeSet::new();
        let mut provisional_years = BTreeSet::new();
        for (i, h) in raw.holidays.iter().enumerate() {
            let label = format!("holiday {} ({})", i + 1, h.name_zh);
            if h.days.is_empty() {
                problems.push(CalendarProblem::EmptyHoliday { holiday: label.clone() });
            }
            let mut days = Vec::new();
            for value in &h.days {
                let Some(date) = parse_date(|| format!("{label} days"), value, &mut problems) else {
                    continue;
                };
                if !in_range(date) {
                    problems.push(CalendarProblem::OutsideValidRange { holiday: label.clone(), date });
                }
                if !rest_days.insert(date) {
                    problems.push(CalendarProblem::DuplicateDate { holiday: label.clone(), date });
                }
                days.push(date);
            }
            let mut make_up = Vec::new();
            for value in &h.make_up_workdays {
                let Some(date) = parse_date(|| format!("{label} make_up_workdays"), value, &mut problems) else {
                    continue;
                };
                if !in_range(date) {
                    problems.push(CalendarProblem::OutsideValidRange { holiday: label.clone(), date });
                }
                if !is_weekend(date) {
                    problems.push(CalendarProblem::MakeUpNotWeekend {
                        holiday: label.clone(),
                        date,
                        weekday: date.weekday(),
                    });
                }
                if !make_up_days.insert(date) {
                    problems.push(CalendarProblem::DuplicateDate { holiday: label.clone(), date });
                }
                make_up.push(date);
            }
            if h.provisional {
                provisional_years.extend(days.iter().chain(&make_up).map(|d| d.year()));
            }
            holidays.push(Holiday {
                name_zh: h.name_zh.clone(),
                name_en: h.name_en.clone(),
                provisional: h.provisional,
                days,
                make_up_workdays: make_up,
            });
        }
        for &date in rest_days.intersection(&make_up_days) {
            problems.push(CalendarProblem::HolidayAndMakeUp { date });
        }

        match (offset, valid_from, valid_to) {
            (Some(offset), Some(valid_from), Some(valid_to)) if problems.is_empty() && periods_ok => {
                let day_total = periods.iter().fold(Duration::zero(), |acc, p| acc + (p.end - p.start));
                Ok(WorkCalendar {
                    version: raw.version,
                    offset,
                    valid_from,
                    valid_to,
                    periods,
                    day_total,
                    holidays,
                    rest_days,
                    make_up_days,
                    provisional_years,
                })
            }
            _ => Err(CalendarError::Invalid(problems)),
        }
    }

    /// The calendar's version string, e.g. `cn-2025-2027.1` (record it next to computed deadlines).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The fixed offset all local computations use.
    pub fn utc_offset(&self) -> FixedOffset {
        self.offset
    }

    /// First local date covered.
    pub fn valid_from(&self) -> NaiveDate {
        self.valid_from
    }

    /// Last local date covered.
    pub fn valid_to(&self) -> NaiveDate {
        self.valid_to
    }

    /// The daily work periods, in order.
    pub fn work_periods(&self) -> &[WorkPeriod] {
        &self.periods
    }

    /// Working time of one working day (one `WorkingDays` unit).
    pub fn working_day_duration(&self) -> Duration {
        self.day_total
    }

    /// The holiday periods as listed in the source.
    pub fn holidays(&self) -> &[Holiday] {
        &self.holidays
    }

    /// Whether `date` (local) lies in the valid range.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && date <= self.valid_to
    }

    /// Whether `date` lies in a year whose holiday arrangement is provisional (derived, not yet
    /// published); deadlines there may move when the calendar is updated.
    pub fn is_provisional(&self, date: NaiveDate) -> bool {
        self.provisional_years.contains(&date.year())
    }

    /// Mon–Fri unless a holiday rest day; Sat/Sun only if a make-up working day. Outside the
    /// valid range the calendar knows no holidays and answers by the weekday alone; check
    /// [`WorkCalendar::covers`] where that matters.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if is_weekend(date) { self.make_up_days.contains(&date) } else { !self.rest_days.contains(&date) }
    }

    /// Whether `t` lies inside a work period `[start, end)` of a working day. Like
    /// [`WorkCalendar::is_working_day`], answers by the weekday alone outside the valid range.
    pub fn is_working_time(&self, t: DateTime<Utc>) -> bool {
        let local = self.to_local(t);
        self.is_working_day(local.date())
            && self.periods.iter().any(|p| p.start <= local.time() && local.time() < p.end)
    }

    /// The first instant of working time at or after `t` (`t` itself if it is working time).
    pub fn next_working_instant(&self, t: DateTime<Utc>) -> Result<DateTime<Utc>, CalendarError> {
        let local = self.to_local(t);
        self.roll_forward(local).map(|l| self.to_utc(l))
    }

    /// The deadline `limit` after `start`; see the module documentation for the meaning of each
    /// unit. Working units fail with [`CalendarError::OutOfRange`] when any day they need
    /// (including the start's) lies outside the calendar's valid range.
    pub fn add(&self, start: DateTime<Utc>, limit: TimeLimit) -> Result<DateTime<Utc>, CalendarError> {
        let value = i64::from(limit.value);
        let overflow = || CalendarError::Overflow { value: limit.value, unit: limit.unit.as_str() };
        match limit.unit {
            TimeUnit::Minutes => start.checked_add_signed(Duration::minutes(value)).ok_or_else(overflow),
            TimeUnit::CalendarHours => start.checked_add_signed(Duration::hours(value)).ok_or_else(overflow),
            TimeUnit::WorkingHours => self.add_working(start, Duration::hours(value)),
            TimeUnit::WorkingDays => {
                // day_total < 24 h and value < 2^32, so this stays far below i64 limits.
                let amount = Duration::seconds(self.day_total.num_seconds() * value)
                    + Duration::nanoseconds(i64::from(self.day_total.subsec_nanos()) * value);
                self.add_working(start, amount)
            }
        }
    }

    /// Working time between `a` and `b`: the length of the part of `[a, b)` that lies in work
    /// periods of working days. Negative (the same length) when `b < a`. Fails with
    /// [`CalendarError::OutOfRange`] when the local date of `a` or `b` is not covered.
    pub fn working_duration_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Result<Duration, CalendarError> {
        if b < a {
            return self.working_duration_between(b, a).map(|d| -d);
        }
        let (a, b) = (self.to_local(a), self.to_local(b));
        self.check_covers(a.date())?;
        self.check_covers(b.date())?;
        let mut total = Duration::zero();
        let mut date = a.date();
        while date <= b.date() {
            if self.is_working_day(date) {
                for p in &self.periods {
                    let from = date.and_time(p.start).max(a);
                    let to = date.and_time(p.end).min(b);
                    if to > from {
                        total += to - from;
                    }
                }
            }
            date = self.next_date(date)?;
        }
        Ok(total)
    }

    // ------------------------------------------------------------------------- internals

    fn to_local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        t.with_timezone(&self.offset).naive_local()
    }

    fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        (local - Duration::seconds(i64::from(self.offset.local_minus_utc()))).and_utc()
    }

    fn check_covers(&self, date: NaiveDate) -> Result<(), CalendarError> {
        if self.covers(date) { Ok(()) } else { Err(self.out_of_range(date)) }
    }

    fn out_of_range(&self, date: NaiveDate) -> CalendarError {
        CalendarError::OutOfRange { date, valid_from: self.valid_from, valid_to: self.valid_to }
    }

    fn next_date(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        date.succ_opt().ok_or_else(|| self.out_of_range(date))
    }

    /// First working local instant at or after `t`.
    fn roll_forward(&self, t: NaiveDateTime) -> Result<NaiveDateTime, CalendarError> {
        let (mut date, mut time) = (t.date(), t.time());
        loop {
            self.check_covers(date)?;
            if self.is_working_day(date)
                && let Some(p) = self.periods.iter().find(|p| time < p.end)
            {
                return Ok(date.and_time(time.max(p.start)));
            }
            date = self.next_date(date)?;
            time = NaiveTime::MIN;
        }
    }

    /// `start` plus `amount` (≥ 0) of working time: the arithmetic behind working hours and days,
    /// public for clocks that resume with a remainder that is not a whole unit.
    pub fn add_working(&self, start: DateTime<Utc>, amount: Duration) -> Result<DateTime<Utc>, CalendarError> {
        let local = self.to_local(start);
        self.check_covers(local.date())?;
        if amount <= Duration::zero() {
            return Ok(start);
        }
        let mut remaining = amount;
        let (mut date, mut time) = (local.date(), local.time());
        loop {
            self.check_covers(date)?;
            if self.is_working_day(date) {
                if time <= self.periods[0].start && remaining > self.day_total {
                    // The whole day is consumed and more is needed: skip it in one step.
                    remaining -= self.day_total;
                } else {
                    for p in &self.periods {
                        if time >= p.end {
                            continue;
                        }
                        let from = time.max(p.start);
                        let available = p.end - from;
                        if remaining <= available {
                            return Ok(self.to_utc(date.and_time(from) + remaining));
                        }
                        remaining -= available;
                    }
                }
            }
            date = self.next_date(date)?;
            time = NaiveTime::MIN;
        }
    }
}

impl fmt::Display for WorkPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", self.start.format("%H:%M"), self.end.format("%H:%M"))
    }
}

pub mod edit;

#[cfg(test)]
mod tests;
