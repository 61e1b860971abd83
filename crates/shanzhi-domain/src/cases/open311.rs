//! A case as Open311 GeoReport v2 sees it: `open` or `closed`, FixMyStreet's extended status
//! (from the workflow data), the kind of each note, and the one place where the 90-day window of
//! the standard's request lists is worked out.

use chrono::{DateTime, Duration, Utc};

use super::case::{Case, LogEntry};
use super::workflow::Workflow;

/// FixMyStreet's extended statuses (the `extended_statuses` option of its Open311 client).
pub const EXTENDED_STATUSES: [&str; 13] = [
    "OPEN",
    "IN_PROGRESS",
    "ACTION_SCHEDULED",
    "INVESTIGATING",
    "FIXED",
    "CLOSED",
    "DUPLICATE",
    "NOT_COUNCILS_RESPONSIBILITY",
    "NO_FURTHER_ACTION",
    "INTERNAL_REFERRAL",
    "FOR_TRIAGE",
    "CANCELLED",
    "REOPEN",
];

/// The longest span a request list may cover, and its default (GeoReport v2).
pub const MAX_SPAN_DAYS: i64 = 90;

/// `open` or `closed`: a case is closed once it has a closing time (closed, voided, merged…).
pub fn status(case: &Case) -> &'static str {
    if case.closed_at.is_some() { "closed" } else { "open" }
}

/// The extended status of a state: the workflow's `open311` value, else `OPEN` / `CLOSED`.
pub fn extended_status(wf: Option<&Workflow>, state: &str, closed: bool) -> String {
    match wf.and_then(|w| w.state(state)).and_then(|d| d.open311.clone()) {
        Some(s) => s,
        None if closed => "CLOSED".into(),
        None => "OPEN".into(),
    }
}

/// The type of a note (Chicago's vocabulary): `submitted`, `closed`, `reopened` or `activity`.
pub fn note_type(e: &LogEntry, wf: Option<&Workflow>) -> &'static str {
    let terminal = |s: &str| wf.and_then(|w| w.state(s)).is_some_and(|d| d.terminal);
    match &e.from_state {
        None => "submitted",
        Some(from) if terminal(from) && !terminal(&e.to_state) => "reopened",
        Some(from) if !terminal(from) && terminal(&e.to_state) => "closed",
        Some(_) => "activity",
    }
}

/// Why a window is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowError {
    /// `start_date` is not before `end_date`.
    Reversed,
    /// The span exceeds 90 days.
    TooLong,
}

/// The window `[start, end)` of a request list: with no dates the last 90 days; with one date,
/// 90 days from it (or up to it); never longer than 90 days.
pub fn window(
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), WindowError> {
    let span = Duration::days(MAX_SPAN_DAYS);
    let (from, to) = match (start, end) {
        (None, None) => (now - span, now + Duration::seconds(1)),
        (Some(s), None) => (s, s + span),
        (None, Some(e)) => (e - span, e),
        (Some(s), Some(e)) => (s, e),
    };
    if from >= to {
        return Err(WindowError::Reversed);
    }
    if to - from > span + Duration::seconds(1) {
        return Err(WindowError::TooLong);
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::days(i64::from(d))
    }

    const EVENT: &str = include_str!("../../../../data/workflows/event.toml");

    #[test]
    fn each_state_names_its_extended_status_from_the_vocabulary() {
        let wf = Workflow::from_toml(EVENT).unwrap();
        assert_eq!(extended_status(Some(&wf), "dispatched", false), "IN_PROGRESS");
        assert_eq!(extended_status(Some(&wf), "merged", true), "DUPLICATE");
        assert_eq!(extended_status(Some(&wf), "reported", false), "OPEN", "no value: OPEN");
        assert_eq!(extended_status(None, "anything", true), "CLOSED");
        let bad = EVENT.replacen("open311 = \"IN_PROGRESS\"", "open311 = \"ON_IT\"", 1);
        let e = Workflow::from_toml(&bad).unwrap_err().to_string();
        assert!(e.contains("open311 `ON_IT`"), "{e}");
    }

    #[test]
    fn the_window_is_ninety_days_at_most() {
        assert_eq!(window(None, None, t(100)), Ok((t(10), t(100) + Duration::seconds(1))));
        assert_eq!(window(Some(t(5)), None, t(100)), Ok((t(5), t(95))));
        assert_eq!(window(None, Some(t(95)), t(100)), Ok((t(5), t(95))));
        assert_eq!(window(Some(t(0)), Some(t(90)), t(100)), Ok((t(0), t(90))));
        assert_eq!(window(Some(t(0)), Some(t(91)), t(100)), Err(WindowError::TooLong));
        assert_eq!(window(Some(t(3)), Some(t(3)), t(100)), Err(WindowError::Reversed));
    }
}
