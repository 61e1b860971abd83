//! A case and its log: what was reported, where, its state, units, clock and counters; and the
//! immutable log entry every action appends.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantNames};

use super::clock::StepClock;
use super::routing::Route;
use crate::ids::GridCode;
use crate::people::Role;
use crate::taxonomy::{HandlingLevel, TypeCode};
use crate::time_limit::TimeLimit;

/// How a report came in (问题来源).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, VariantNames, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Channel {
    /// 监督员/网格员巡查上报
    Patrol,
    /// Resident on the web or the phone page.
    ResidentWeb,
    /// Resident by telephone to the centre.
    ResidentPhone,
    /// 12345 hotline work order.
    Hotline,
    /// IoT sensor, camera AI, drone.
    Device,
    /// Open311 clients.
    Open311,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::Patrol,
        Channel::ResidentWeb,
        Channel::ResidentPhone,
        Channel::Hotline,
        Channel::Device,
        Channel::Open311,
    ];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<Channel> {
        s.parse().ok()
    }

    /// The name people use for it (exports, the console).
    pub fn name_zh(self) -> &'static str {
        match self {
            Channel::Patrol => "巡查上报",
            Channel::ResidentWeb => "市民网上上报",
            Channel::ResidentPhone => "市民来电",
            Channel::Hotline => "12345热线",
            Channel::Device => "物联感知设备",
            Channel::Open311 => "Open311 接口",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Channel::Patrol => "patrol",
            Channel::ResidentWeb => "a resident online",
            Channel::ResidentPhone => "a resident's call",
            Channel::Hotline => "the 12345 hotline",
            Channel::Device => "a sensing device",
            Channel::Open311 => "the Open311 interface",
        }
    }
}

/// 满意 / 基本满意 / 不满意.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub satisfaction: Satisfaction,
    pub reason: Option<String>,
}

/// The units a case is dispatched to: one primary (主办) and any assisting (协办).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub primary: String,
    pub assisting: Vec<String>,
}

/// Who acts: a user, in a role, for a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user: String,
    pub role: Role,
    pub unit: String,
}

impl Actor {
    /// The user name of whoever comes without credentials (a resident on the public page).
    pub const ANONYMOUS: &'static str = "anonymous";

    /// Someone without credentials: a resident, of no unit.
    pub fn anonymous() -> Actor {
        Actor { user: Actor::ANONYMOUS.into(), role: Role::Resident, unit: String::new() }
    }

    pub fn is_anonymous(&self) -> bool {
        self.user == Actor::ANONYMOUS
    }
}

/// A new report, before it is a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewReport {
    pub type_code: TypeCode,
    pub channel: Channel,
    pub description: String,
    /// WGS-84 lon/lat, if known.
    pub location: Option<(f64, f64)>,
    /// The grid the location fell in; `None` is an unlocated report, kept and flagged.
    pub grid: Option<GridCode>,
    pub reporter: Option<String>,
    /// The kind's own fields, as given (checked against the workflow's declarations).
    pub fields: std::collections::BTreeMap<String, serde_json::Value>,
}

/// A summons of the whistle (吹哨): a unit that must report in (报到) by `due`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summons {
    pub unit: String,
    pub summoned_at: DateTime<Utc>,
    pub due: DateTime<Utc>,
    pub reported_at: Option<DateTime<Utc>>,
    /// Set when the sweep found it unanswered and summoned the next level instead.
    pub escalated_at: Option<DateTime<Utc>>,
}

impl Summons {
    pub fn pending(&self) -> bool {
        self.reported_at.is_none() && self.escalated_at.is_none()
    }
}

/// A mark against a unit on a case: a missed summons or an overdue step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub unit: String,
    /// `missed_summons` or `overdue_step`.
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// One case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub kind: String,
    pub workflow_version: String,
    pub type_code: TypeCode,
    pub taxonomy_version: String,
    pub channel: Channel,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<(f64, f64)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid: Option<GridCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporter: Option<String>,
    /// Where routing sent the case and why (set when the case is reported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<Route>,
    /// A state key of the workflow.
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<Assignment>,
    /// The clock of the current step; `None` in states without a step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<StepClock>,
    /// The type's handling limit, fixed when the case is created.
    pub handling_limit: TimeLimit,
    /// An extension asked for and not yet decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_extension: Option<TimeLimit>,
    /// The level that holds the case now: the type's lowest level, raised by each whistle.
    #[serde(default = "default_level")]
    pub level: HandlingLevel,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub summons: Vec<Summons>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    /// An open case of the same type nearby, found when this one was reported (a likely duplicate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub possible_duplicate_of: Option<i64>,
    /// The case this one was merged into; its reporter follows that case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<i64>,
    /// Cases merged into this one, whose reporters hear when it closes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<i64>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rework_count: u32,
    /// Handling steps that ended after their deadline (so a closing is not 按期).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub late_handling: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub extension_count: u32,
    /// How many times the case was urged (催办) and supervised (督办) while it was worked.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub urge_count: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub supervise_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    pub reported_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
    /// How many log entries the case has; the version checked when saving.
    pub seq: u32,
    /// The kind's own fields (`cases::fields`), by key, in their kept shape.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub fields: std::collections::BTreeMap<String, serde_json::Value>,
}

/// What one action did, appended to the case's log and never changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub seq: u32,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opinion: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<Assignment>,
    /// Whether the action took the case from its units (it has none after it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub units_cleared: bool,
    /// The deadline in force after the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<Utc>>,
    /// Whether the step that this action ended was overdue.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overdue: bool,
    /// The step this action ended, if it ended one (so that figures can be explained from the log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_step: Option<String>,
    /// Whether the opinion may be published (Open311's notes and updates); internal otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public: bool,
    /// What the action counted as in the figures, as its workflow declared it then (so that the
    /// figures can be explained, and recomputed, from the log alone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<super::counts::Count>,
    /// Whether the step this action ended is the one the kind's units are held to, and it ended
    /// late (so the case's closing is not on time).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub held_late: bool,
    /// The kind's fields the action gave or changed (their values are the case's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

fn default_level() -> HandlingLevel {
    HandlingLevel::District
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
