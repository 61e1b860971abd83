//! What a history yields: each generated case with its log and the commands behind it, and the
//! counts over all of them (the figures and rates a city reports).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use shanzhi_domain::cases::case::{Case, LogEntry, Satisfaction};
use shanzhi_domain::cases::engine::Command;
use shanzhi_domain::cases::figures::Counted;

/// One generated case: its state at the end of the period and its whole log.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedCase {
    /// The case as the engine left it, with `route` set as on intake.
    pub case: Case,
    /// Every entry, from the `report` that created it.
    pub log: Vec<LogEntry>,
    /// The command behind each entry after the first (`commands[i]` made `log[i + 1]`; `None`
    /// for the deadline sweep's entries): what a replay needs besides the log (extensions and
    /// ratings are not in the log).
    pub commands: Vec<Option<Command>>,
    /// What each entry counted (`counted[i]` is `log[i]`'s): the figures the store keeps with the
    /// log, computed from the case after each entry as the engine left it.
    pub counted: Vec<Counted>,
}

/// What was generated, in counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryStats {
    pub cases: u64,
    pub log_entries: u64,
    /// By kind (`event`, `demand`).
    pub by_kind: BTreeMap<String, u64>,
    /// By channel (`patrol`, `hotline`, …).
    pub by_channel: BTreeMap<String, u64>,
    /// By `kind/state` at the end of the period.
    pub by_state: BTreeMap<String, u64>,
    /// Reports per month (`YYYY-MM`, UTC+8).
    pub by_month: BTreeMap<String, u64>,
    /// Reports per type code.
    pub by_type: BTreeMap<String, u64>,
    /// Cases dispatched whose first handling deadline fell before the end (应结案数).
    pub due: u64,
    /// Of `due`, closed (结案数, so 结案率 = `due_closed / due`).
    pub due_closed: u64,
    /// Cases in state `closed` (not those answered on intake or fixed on the spot).
    pub closed: u64,
    /// Of `closed`, those none of whose handling steps ended late (按期结案).
    pub closed_on_time: u64,
    /// Handling steps finished (`feedback`, `reply`): 处置数.
    pub handled: u64,
    /// Of `handled`, on time.
    pub handled_on_time: u64,
    /// Reworks (返工: failed re-checks, replies sent back, re-handling after a call-back).
    pub rework: u64,
    /// Extensions approved (延期数).
    pub extensions: u64,
    /// Suspensions approved.
    pub suspensions: u64,
    /// Returns approved.
    pub returns: u64,
    pub satisfied: u64,
    pub basically_satisfied: u64,
    pub dissatisfied: u64,
    /// Whistles blown (吹哨).
    pub whistles: u64,
    /// Entries of the deadline sweep (`overdue`, `escalate`).
    pub sweep_notes: u64,
    /// Cases not in a terminal state at the end.
    pub open: u64,
}

impl HistoryStats {
    fn share(a: u64, b: u64) -> f64 {
        if b == 0 { 0.0 } else { a as f64 / b as f64 }
    }

    /// 结案率: closed of due.
    pub fn closing_rate(&self) -> f64 {
        Self::share(self.due_closed, self.due)
    }

    /// 按期结案率 as a share of closed cases.
    pub fn on_time_share(&self) -> f64 {
        Self::share(self.closed_on_time, self.closed)
    }

    /// 按期处置率.
    pub fn handled_on_time_share(&self) -> f64 {
        Self::share(self.handled_on_time, self.handled)
    }

    /// 返工率: reworks per handling step finished.
    pub fn rework_share(&self) -> f64 {
        Self::share(self.rework, self.handled)
    }

    /// 延期率: extensions per case.
    pub fn extension_share(&self) -> f64 {
        Self::share(self.extensions, self.cases)
    }

    pub fn rated(&self) -> u64 {
        self.satisfied + self.basically_satisfied + self.dissatisfied
    }

    /// (满意, 基本满意, 不满意) as shares of the ratings.
    pub fn satisfaction_shares(&self) -> (f64, f64, f64) {
        let r = self.rated();
        (Self::share(self.satisfied, r), Self::share(self.basically_satisfied, r), Self::share(self.dissatisfied, r))
    }

    /// Share of event cases reported on patrol.
    pub fn patrol_share_of_events(&self) -> f64 {
        Self::share(
            self.by_channel.get("patrol").copied().unwrap_or(0),
            self.by_kind.get("event").copied().unwrap_or(0),
        )
    }

    pub(super) fn count(&mut self, g: &GeneratedCase, terminal: bool, end: DateTime<Utc>) {
        let c = &g.case;
        self.cases += 1;
        self.log_entries += g.log.len() as u64;
        *self.by_kind.entry(c.kind.clone()).or_default() += 1;
        *self.by_channel.entry(c.channel.as_str().to_string()).or_default() += 1;
        *self.by_state.entry(format!("{}/{}", c.kind, c.state)).or_default() += 1;
        if !terminal {
            self.open += 1;
        }
        let mut late_handling = false;
        let mut first_due = None;
        for e in &g.log {
            match e.action.as_str() {
                "feedback" | "reply" => {
                    self.handled += 1;
                    if e.overdue {
                        late_handling = true;
                    } else {
                        self.handled_on_time += 1;
                    }
                }
                "dispatch" if first_due.is_none() => first_due = e.deadline,
                "approve_return" => self.returns += 1,
                "approve_suspension" => self.suspensions += 1,
                "whistle" => self.whistles += 1,
                "overdue" | "escalate" => self.sweep_notes += 1,
                _ => {}
            }
        }
        if first_due.is_some_and(|d| d < end) {
            self.due += 1;
            if c.state == "closed" {
                self.due_closed += 1;
            }
        }
        if c.state == "closed" {
            self.closed += 1;
            if !late_handling {
                self.closed_on_time += 1;
            }
        }
        self.rework += u64::from(c.rework_count);
        self.extensions += u64::from(c.extension_count);
        match c.rating.as_ref().map(|r| r.satisfaction) {
            Some(Satisfaction::Satisfied) => self.satisfied += 1,
            Some(Satisfaction::BasicallySatisfied) => self.basically_satisfied += 1,
            Some(Satisfaction::Dissatisfied) => self.dissatisfied += 1,
            None => {}
        }
    }
}
