//! What a history is generated over (the input, all borrowed) and how: the channel mix, the
//! outcome rates, the period and the seed.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};

use shanzhi_domain::calendar::WorkCalendar;
use shanzhi_domain::cases::routing::RoutingRules;
use shanzhi_domain::cases::workflow::Workflow;
use shanzhi_domain::org::Departments;
use shanzhi_domain::people::User;
use shanzhi_domain::places::division::DivisionTree;
use shanzhi_domain::places::grid::Grid;
use shanzhi_domain::taxonomy::Taxonomy;

/// What the history is generated over; all borrowed.
#[derive(Clone, Copy)]
pub struct HistoryInput<'a> {
    /// Workflows by kind; `event` and `demand` are needed.
    pub workflows: &'a HashMap<String, Workflow>,
    pub taxonomy: &'a Taxonomy,
    pub departments: &'a Departments,
    pub calendar: &'a WorkCalendar,
    pub tree: &'a DivisionTree,
    /// The demo grids; cases are placed in them.
    pub grids: &'a [Grid],
    pub routing: &'a RoutingRules,
    /// Named accounts (e.g. `demo_users`): where one has the role and unit an actor needs, it is
    /// that actor, so the demo's accounts have a history. May be empty.
    pub users: &'a [User],
}

/// Shares of the channels (need not sum to 1; they are normalised).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelMix {
    /// Event cases reported by grid workers on patrol.
    pub patrol: f64,
    /// Event cases from video AI, sensors and the drone.
    pub device: f64,
    /// Event cases reported by residents online.
    pub event_web: f64,
    /// Event cases reported by residents by telephone to the centre.
    pub event_phone: f64,
    /// Demand cases from 12345 calls.
    pub hotline: f64,
    /// Demand cases submitted online.
    pub demand_web: f64,
    /// Demand cases from Open311 clients.
    pub open311: f64,
}

impl Default for ChannelMix {
    fn default() -> Self {
        ChannelMix {
            patrol: 0.715,
            device: 0.04,
            event_web: 0.025,
            event_phone: 0.012,
            hotline: 0.165,
            demand_web: 0.038,
            open311: 0.005,
        }
    }
}

/// Knobs for the outcomes; the defaults give rates like a well-run city's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryRates {
    /// Base chance that a handling step ends within its limit, before the type's, the unit's and
    /// the county's modifiers.
    pub on_time: f64,
    /// Chance that a re-check fails (event) or a reply is sent back on review (demand).
    pub rework: f64,
    /// Base chance that a unit asks for an extension (types with limits of a day or so).
    pub extension: f64,
    /// Chance that a unit asks to return a case as not its own.
    pub returns: f64,
    /// Chance that a unit asks to suspend a case.
    pub suspension: f64,
    /// Share of ratings that are 满意 for a case handled on time without rework.
    pub satisfied: f64,
    /// Share of ratings that are 不满意 for such a case.
    pub dissatisfied: f64,
}

impl Default for HistoryRates {
    fn default() -> Self {
        HistoryRates {
            on_time: 0.93,
            rework: 0.018,
            extension: 0.012,
            returns: 0.02,
            suspension: 0.004,
            satisfied: 0.88,
            dissatisfied: 0.035,
        }
    }
}

/// How much history, over which period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryConfig {
    pub seed: u64,
    /// How many cases (exactly). Tangshan's figure: 370,000 a year.
    pub cases: usize,
    /// The moment the history stops ("now" for the demo): nothing happens at or after it, and
    /// cases still running then stay open.
    pub end: DateTime<Utc>,
    /// How many local days of reports, ending with the day of `end`.
    pub days: u32,
    pub mix: ChannelMix,
    pub rates: HistoryRates,
}

impl Default for HistoryConfig {
    /// 370,000 cases in the 365 days 2025-11-29 to 2026-11-28 (UTC+8).
    fn default() -> Self {
        HistoryConfig {
            seed: 1302,
            cases: 370_000,
            end: Utc.with_ymd_and_hms(2026, 11, 28, 16, 0, 0).unwrap(),
            days: 365,
            mix: ChannelMix::default(),
            rates: HistoryRates::default(),
        }
    }
}
