//! The clock of a step: when it started, its limit and deadline, pauses and extensions, and the
//! traffic light (green up to 80 % of the limit used, yellow up to 100 %, red after).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use strum::{IntoStaticStr, VariantNames};

use crate::calendar::{CalendarError, WorkCalendar};
use crate::time_limit::{TimeLimit, TimeUnit};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, VariantNames)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Light {
    Green,
    Yellow,
    Red,
}

impl Light {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepClock {
    pub step: String,
    pub limit: TimeLimit,
    pub started_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    /// Set while the clock stands still.
    pub paused_at: Option<DateTime<Utc>>,
    /// Set once the sweep has noted (and flagged) that the step ran past its deadline.
    #[serde(default)]
    pub overdue_noted: bool,
}

fn working(unit: TimeUnit) -> bool {
    match unit {
        TimeUnit::WorkingHours | TimeUnit::WorkingDays => true,
        TimeUnit::Minutes | TimeUnit::CalendarHours => false,
    }
}

/// Time between two instants as the unit counts it (working time or wall-clock).
fn measure(cal: &WorkCalendar, unit: TimeUnit, a: DateTime<Utc>, b: DateTime<Utc>) -> Result<Duration, CalendarError> {
    if working(unit) { cal.working_duration_between(a, b) } else { Ok(b - a) }
}

/// Adds a duration as the unit counts it.
fn add_measured(
    cal: &WorkCalendar,
    unit: TimeUnit,
    at: DateTime<Utc>,
    d: Duration,
) -> Result<DateTime<Utc>, CalendarError> {
    if d <= Duration::zero() {
        Ok(at)
    } else if working(unit) {
        cal.add_working(at, d)
    } else {
        Ok(at + d)
    }
}

impl StepClock {
    /// Starts a step at `at`.
    pub fn start(
        cal: &WorkCalendar,
        step: &str,
        limit: TimeLimit,
        at: DateTime<Utc>,
    ) -> Result<StepClock, CalendarError> {
        Ok(StepClock {
            step: step.to_string(),
            limit,
            started_at: at,
            deadline: cal.add(at, limit)?,
            paused_at: None,
            overdue_noted: false,
        })
    }

    /// Stops the clock.
    pub fn pause(&mut self, at: DateTime<Utc>) {
        if self.paused_at.is_none() {
            self.paused_at = Some(at);
        }
    }

    /// Restarts the clock: what was left at the pause is left again from `at`.
    pub fn resume(&mut self, cal: &WorkCalendar, at: DateTime<Utc>) -> Result<(), CalendarError> {
        if let Some(p) = self.paused_at.take() {
            let left = measure(cal, self.limit.unit, p.min(self.deadline), self.deadline)?;
            let overdue = p - self.deadline.min(p);
            self.deadline = add_measured(cal, self.limit.unit, at, left)? - overdue;
        }
        Ok(())
    }

    /// Moves the deadline later by an approved extension.
    pub fn extend(&mut self, cal: &WorkCalendar, by: TimeLimit) -> Result<(), CalendarError> {
        self.deadline = cal.add(self.deadline, by)?;
        Ok(())
    }

    /// When the light turns yellow (80 % of the step's time used), for indexing.
    pub fn yellow_at(&self, cal: &WorkCalendar) -> Result<DateTime<Utc>, CalendarError> {
        let total = measure(cal, self.limit.unit, self.started_at, self.deadline)?;
        add_measured(cal, self.limit.unit, self.started_at, total * 4 / 5)
    }

    /// Whether the step is past its deadline at `now` (a paused clock is judged at its pause).
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        self.paused_at.unwrap_or(now) > self.deadline
    }

    /// The traffic light at `now`: the share of the step's time used.
    pub fn light(&self, cal: &WorkCalendar, now: DateTime<Utc>) -> Result<Light, CalendarError> {
        let at = self.paused_at.unwrap_or(now);
        if at > self.deadline {
            return Ok(Light::Red);
        }
        let total = measure(cal, self.limit.unit, self.started_at, self.deadline)?;
        let left = measure(cal, self.limit.unit, at.max(self.started_at), self.deadline)?;
        let used = (total - left).num_seconds() as f64;
        let total = total.num_seconds().max(1) as f64;
        Ok(if used <= 0.8 * total { Light::Green } else { Light::Yellow })
    }
}
