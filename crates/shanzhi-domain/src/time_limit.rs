//! Time limits as reference data: a value and the unit it is counted in.

use serde::{Deserialize, Serialize};

/// The unit a time limit is counted in (domain-reference.md §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Wall-clock minutes, around the clock.
    Minutes,
    /// Wall-clock hours, around the clock.
    CalendarHours,
    /// Hours inside the working periods of working days.
    WorkingHours,
    /// Whole working days on the work calendar.
    WorkingDays,
}

impl TimeUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeUnit::Minutes => "minutes",
            TimeUnit::CalendarHours => "calendar_hours",
            TimeUnit::WorkingHours => "working_hours",
            TimeUnit::WorkingDays => "working_days",
        }
    }
}

/// A handling or step time limit: `value` units of `unit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TimeLimit {
    pub value: u32,
    pub unit: TimeUnit,
}
