//! A year of case history for the demo: about 370,000 cases across Tangshan's grids, each driven
//! through the real engine (`create`, then `apply` with plausible actors at plausible times), so
//! every log is legal by construction. Deterministic for a seed; streamed to a sink case by case.
//!
//! # What it models
//!
//! * **Channels** (domain-reference.md §3.4): event cases (数字城管) mostly from grid workers'
//!   patrols (~90 % of events), some from devices (video AI, sensors, a drone) and residents;
//!   demand cases (12345) mostly by telephone, some online and through Open311.
//! * **Volume per day**: patrols follow the working week (fewer at weekends and holidays), the
//!   hotline runs every day with a Monday peak, devices do not rest; a little day-to-day noise.
//! * **Types**: skewed frequencies (a few types such as 非法小广告, 暴露垃圾, 店外经营 dominate
//!   patrols; 商业噪声, 施工扰民, 供暖中断 the hotline), each with a seasonal pattern: more rubbish,
//!   odours, barbecues and street trading in summer; 道路积雪结冰 only on and after snowfalls
//!   (mid-November to mid-March); 道路积水 only in July and August, mostly on storm days; 供暖中断
//!   only in the heating season, with a peak when it starts; fireworks around the Spring
//!   Festival; straw burning at the wheat and maize harvests; construction quiet in winter.
//! * **Places**: more cases in dense urban grids (city communities, the central districts); some
//!   types mostly urban (lifts, shop fronts), some rural (straw, livestock), coal-mining
//!   subsidence only in the mining districts.
//! * **Times**: patrol reports mostly in working hours, hotline calls around the clock with a
//!   daytime peak (noise complaints in the evening); centre staff work around the clock, units in
//!   working hours for working-time limits. Each step is mostly on time, sometimes late; handling
//!   durations are drawn against the type's limit, with the miss rate depending on how tight the
//!   limit is, the unit (utilities are quick, land and housing slow) and the county.
//! * **Paths**: self-handling on the spot, verification of non-patrol reports (some not
//!   confirmed), refusals, voids, returns and re-dispatch, extensions, suspensions, rework after a
//!   failed re-check or a dissatisfied call-back, urging, ratings (mostly satisfied, less so
//!   after a late or reworked case), and the whistle (吹哨): a community or street unit summons
//!   the type's department, which reports in (报到) and leads the case. Whatever would happen
//!   after the end of the period does not: cases reported in the last days (and a few long ones)
//!   are still open.
//! * **The sweep**: whenever a deadline or a summons passes between two steps, the deadline
//!   sweep runs as the server would (within 30 s) and its `overdue` / `escalate` entries are in
//!   the log, so flags and escalations are what a live system would have.
//!
//! Dispatch follows routing (`cases::routing::route`, stored on the case); a 12345 order whose
//! routed unit is a community's (which cannot accept orders in the demand workflow) goes to the
//! community's street office instead. A returned case goes from a department to the street office,
//! or from a street office or community to the county's urban management.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use geo::{BoundingRect, Contains, InteriorPoint, Point};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use thiserror::Error;

use crate::calendar::WorkCalendar;
use crate::cases::case::{Actor, Assignment, Case, Channel, LogEntry, NewReport, Rating, Satisfaction};
use crate::cases::engine::{Command, Refusal, apply, create};
use crate::cases::routing::{RoutingRules, route};
use crate::cases::sweep::{next_sweep_at, sweep};
use crate::cases::workflow::Workflow;
use crate::ids::{DivisionCode, Level};
use crate::org::Departments;
use crate::people::{Role, User};
use crate::places::division::{DivisionKind, DivisionTree};
use crate::places::grid::{Grid, GridKind};
use crate::taxonomy::{EventType, HandlingLevel, Taxonomy};
use crate::time_limit::{TimeLimit, TimeUnit};

// ================================================================================== public API

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

    fn count(&mut self, g: &GeneratedCase, terminal: bool, end: DateTime<Utc>) {
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

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HistoryError {
    #[error("history: no `{0}` workflow")]
    MissingWorkflow(&'static str),
    #[error("history: no grids to place cases in")]
    NoGrids,
    #[error("history: the taxonomy has no type the history can use")]
    NoTypes,
    #[error("history: a period of 0 days")]
    EmptyPeriod,
    #[error("history: the engine refused `{action}` in `{state}` ({kind} case of type {type_code}): {refusal}")]
    Refused { kind: String, type_code: String, action: String, state: String, refusal: Refusal },
}

/// Generates the history, calling `sink` once per case in order of report time, and returns
/// what it generated in counts. Pure and deterministic: the same input and config give the same
/// cases.
pub fn generate_history(
    input: &HistoryInput,
    cfg: &HistoryConfig,
    sink: &mut dyn FnMut(GeneratedCase),
) -> Result<HistoryStats, HistoryError> {
    let event = input.workflows.get("event").ok_or(HistoryError::MissingWorkflow("event"))?;
    let demand = input.workflows.get("demand").ok_or(HistoryError::MissingWorkflow("demand"))?;
    if input.grids.is_empty() {
        return Err(HistoryError::NoGrids);
    }
    if cfg.days == 0 {
        return Err(HistoryError::EmptyPeriod);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let world = World::build(input, event, demand, cfg, &mut rng)?;
    let counts = world.allot(cfg, &mut rng);
    let mut stats = HistoryStats::default();
    let mut type_counts = vec![0u64; world.types.len()];
    let mut month_counts: BTreeMap<(i32, u32), u64> = BTreeMap::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut weights = Vec::new();
    for (d, day) in world.days.iter().enumerate() {
        pending.clear();
        for (s, stream) in STREAMS.iter().enumerate() {
            let n = counts[s][d];
            if n == 0 {
                continue;
            }
            world.type_weights(*stream, day, &mut weights);
            let cdf = cumulative(&weights);
            for _ in 0..n {
                let ty = pick(&cdf, &mut rng);
                let grid = world.pick_grid(ty, *stream, &mut rng);
                let at = world.report_time(day, *stream, ty, cfg.end, &mut rng);
                pending.push(Pending { at, stream: *stream, ty, grid });
            }
        }
        pending.sort_by_key(|p| p.at);
        for p in &pending {
            let generated = Sim::run(&world, p, day, &mut rng)?;
            type_counts[p.ty] += 1;
            *month_counts.entry((day.date.year(), day.date.month())).or_default() += 1;
            let terminal = world.wf(p.stream).state(&generated.case.state).is_some_and(|s| s.terminal);
            stats.count(&generated, terminal, cfg.end);
            sink(generated);
        }
    }
    for (i, n) in type_counts.into_iter().enumerate() {
        if n > 0 {
            stats.by_type.insert(world.types[i].ty.code.to_string(), n);
        }
    }
    for ((y, m), n) in month_counts {
        stats.by_month.insert(format!("{y:04}-{m:02}"), n);
    }
    Ok(stats)
}

// ============================================================================ reference tables

/// How a type's frequency moves through the year.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Season {
    Flat,
    /// `1 ± a`: highest in mid-July, lowest in mid-January.
    Summer(f64),
    /// `1 ± a`: highest in mid-January.
    Winter(f64),
    /// Only on and just after snowfalls (mid-November to mid-March).
    Snow,
    /// Only in July and August, mostly on storm days.
    Rain,
    /// All year, more on storm days.
    RainBoost(f64),
    /// Only in the heating season (15 November to 15 March), most when it starts.
    Heating,
    /// All year, more in the heating season.
    HeatingBoost(f64),
    /// Around the Spring Festival (and 元宵), rarely otherwise.
    Festival,
    /// Wheat (June) and maize (October) harvests.
    Harvest,
    /// Fallen leaves (late autumn) and 清明.
    Leaves,
    /// Building season (quiet in winter).
    Construction,
    /// Building season, windier in spring.
    Dust,
}

use Season::*;

/// Type weights: (code, patrol, public (hotline, web), device, season). Types not listed get a
/// small default weight (components more than events for patrols).
const WEIGHTS: &[(&str, f64, f64, f64, Season)] = &[
    // 01 公用设施
    ("0101", 0.4, 0.4, 0.5, Flat),
    ("0102", 0.5, 0.4, 0.5, Flat),
    ("0103", 0.5, 0.3, 0.5, RainBoost(1.5)),
    ("0104", 0.6, 0.3, 0.0, RainBoost(2.0)),
    ("0105", 0.2, 0.1, 0.2, Flat),
    ("0106", 0.2, 0.1, 0.0, Flat),
    ("0107", 0.25, 0.1, 0.0, Flat),
    ("0108", 0.2, 0.2, 0.2, HeatingBoost(1.5)),
    ("0109", 0.15, 0.2, 0.2, Flat),
    ("0111", 0.25, 0.1, 0.0, Flat),
    ("0112", 0.2, 0.1, 0.0, Flat),
    ("0114", 0.25, 0.3, 0.0, Summer(0.4)),
    ("0117", 0.3, 0.2, 0.0, Flat),
    ("0118", 1.4, 2.5, 0.0, Winter(0.25)),
    ("0119", 0.3, 0.2, 0.0, Flat),
    ("0127", 0.4, 0.4, 0.0, Summer(0.3)),
    ("0135", 0.2, 0.3, 0.0, HeatingBoost(2.0)),
    // 02 道路交通
    ("0201", 0.3, 0.6, 0.0, Flat),
    ("0203", 0.3, 0.3, 0.0, Flat),
    ("0204", 0.3, 0.2, 0.0, Flat),
    ("0210", 0.4, 0.3, 0.0, Flat),
    ("0211", 0.3, 0.8, 0.2, Flat),
    ("0212", 0.6, 0.3, 0.0, Flat),
    ("0213", 0.3, 0.1, 0.0, Flat),
    ("0215", 0.3, 0.1, 0.0, Flat),
    ("0220", 0.2, 0.3, 0.0, Flat),
    ("0221", 0.4, 0.3, 0.0, Flat),
    // 03 市容环境设施
    ("0301", 0.4, 0.6, 0.0, Summer(0.4)),
    ("0303", 0.2, 1.0, 0.0, Summer(0.6)),
    ("0304", 0.4, 0.3, 0.0, Summer(0.5)),
    ("0305", 1.5, 0.4, 0.0, Flat),
    ("0306", 0.8, 0.4, 0.0, Summer(0.3)),
    ("0307", 0.2, 0.4, 0.0, Summer(0.5)),
    ("0309", 0.4, 0.2, 0.0, Flat),
    ("0313", 0.3, 0.2, 0.0, Flat),
    // 04 园林绿化
    ("0401", 0.1, 0.1, 0.0, Flat),
    ("0402", 1.0, 1.5, 0.0, Summer(0.5)),
    ("0403", 0.6, 0.2, 0.0, Flat),
    ("0404", 0.3, 0.1, 0.0, Flat),
    ("0405", 0.6, 0.4, 0.0, Summer(0.5)),
    ("0406", 0.8, 0.3, 0.0, Summer(0.5)),
    ("0408", 0.3, 0.1, 0.0, Flat),
    ("0409", 0.3, 0.1, 0.0, Flat),
    ("0412", 0.3, 0.2, 0.0, Summer(0.3)),
    // 05 房屋土地及其他设施
    ("0501", 0.3, 0.1, 0.0, Flat),
    ("0504", 0.05, 0.3, 0.0, RainBoost(1.0)),
    ("0505", 0.4, 4.0, 0.0, Flat),
    ("0506", 0.1, 2.0, 0.0, Flat),
    ("0507", 0.2, 0.1, 0.0, Flat),
    ("0509", 0.1, 0.1, 0.0, Summer(0.5)),
    ("0510", 0.1, 0.1, 0.0, Rain),
    ("0511", 0.4, 0.2, 0.0, Construction),
    ("0513", 0.2, 0.3, 0.1, Flat),
    ("0514", 0.2, 0.3, 0.0, Flat),
    // 06 市容环境
    ("0601", 0.8, 3.0, 0.6, Construction),
    ("0602", 10.0, 3.0, 3.0, Summer(0.3)),
    ("0603", 2.5, 0.8, 0.5, Summer(0.2)),
    ("0604", 5.0, 0.8, 0.0, Flat),
    ("0605", 0.2, 0.4, 0.0, Summer(0.6)),
    ("0606", 2.0, 0.5, 0.0, Summer(0.4)),
    ("0607", 0.5, 0.4, 0.0, Flat),
    ("0608", 1.8, 0.4, 0.0, Flat),
    ("0609", 0.4, 0.1, 0.0, Winter(0.3)),
    ("0610", 1.6, 2.0, 0.0, Winter(0.2)),
    ("0611", 1.0, 0.3, 0.3, Construction),
    ("0612", 0.3, 0.1, 0.0, Flat),
    ("0613", 0.4, 0.5, 0.5, Leaves),
    ("0614", 0.3, 4.0, 0.0, Summer(0.3)),
    ("0615", 0.3, 0.3, 0.0, Summer(0.5)),
    ("0616", 0.2, 0.6, 0.0, Summer(0.3)),
    ("0617", 0.6, 2.5, 0.0, Flat),
    ("0618", 0.2, 1.5, 0.0, Summer(0.9)),
    ("0619", 3.0, 2.0, 3.0, Summer(0.5)),
    ("0620", 0.4, 0.3, 0.0, Flat),
    ("0621", 0.2, 0.8, 0.0, Summer(0.5)),
    ("0622", 0.6, 0.4, 1.0, Harvest),
    ("0623", 1.5, 0.2, 0.0, Flat),
    ("0699", 0.5, 1.5, 0.0, Flat),
    // 07 宣传广告
    ("0701", 18.0, 0.5, 0.0, Flat),
    ("0702", 0.5, 0.3, 0.0, Flat),
    ("0703", 1.2, 0.2, 0.0, Flat),
    ("0704", 1.2, 0.2, 0.0, Flat),
    ("0705", 0.3, 0.1, 0.0, Flat),
    ("0706", 0.6, 0.3, 0.0, Flat),
    ("0707", 0.1, 0.3, 0.0, Flat),
    ("0708", 0.2, 0.3, 0.0, Flat),
    // 08 施工管理
    ("0801", 0.3, 6.0, 0.0, Construction),
    ("0802", 0.6, 1.0, 0.5, Dust),
    ("0803", 0.6, 0.3, 0.0, Construction),
    ("0804", 0.5, 0.4, 0.0, Construction),
    ("0805", 0.2, 0.2, 0.0, Construction),
    ("0806", 0.2, 0.5, 0.2, Construction),
    ("0807", 0.3, 0.5, 1.0, Construction),
    ("0808", 0.4, 0.2, 0.0, Construction),
    ("0810", 0.6, 0.4, 1.0, Construction),
    ("0811", 0.1, 2.0, 0.0, Construction),
    ("0812", 0.3, 0.3, 0.0, Construction),
    // 09 突发事件
    ("0901", 0.05, 0.2, 0.0, RainBoost(2.0)),
    ("0902", 0.1, 1.5, 0.0, Winter(0.4)),
    ("0903", 0.02, 0.3, 0.2, Flat),
    ("0904", 0.3, 2.5, 0.0, RainBoost(3.0)),
    ("0905", 0.05, 0.5, 0.0, Heating),
    ("0906", 12.0, 10.0, 4.0, Rain),
    ("0907", 15.0, 6.0, 0.0, Snow),
    ("0908", 0.03, 0.2, 0.0, RainBoost(2.0)),
    ("0909", 0.2, 0.2, 0.0, Flat),
    ("0911", 0.1, 0.3, 0.0, RainBoost(4.0)),
    ("0912", 0.02, 2.5, 0.0, Summer(0.4)),
    ("0913", 0.02, 3.0, 0.0, Flat),
    ("0914", 0.0, 8.0, 0.0, Heating),
    ("0916", 0.1, 0.3, 0.0, Flat),
    ("0917", 0.0, 0.5, 0.0, Flat),
    ("0919", 0.05, 0.1, 0.0, RainBoost(1.0)),
    // 10 街面秩序
    ("1001", 2.5, 0.6, 2.0, Summer(0.3)),
    ("1002", 0.2, 0.5, 0.0, Winter(0.3)),
    ("1003", 0.6, 0.2, 0.0, Flat),
    ("1004", 8.0, 1.0, 4.0, Summer(0.4)),
    ("1005", 6.0, 2.0, 4.0, Summer(0.3)),
    ("1006", 4.5, 5.0, 5.0, Flat),
    ("1007", 3.5, 0.5, 1.0, Summer(0.2)),
    ("1008", 6.5, 1.0, 0.0, Flat),
    ("1009", 0.4, 6.0, 0.0, Summer(0.5)),
    ("1010", 0.2, 0.3, 0.0, Flat),
    ("1011", 0.8, 2.0, 1.0, Summer(0.9)),
    ("1012", 2.5, 0.3, 0.0, Summer(0.6)),
    ("1014", 0.2, 0.3, 0.0, Summer(0.3)),
    ("1015", 0.2, 3.0, 0.0, Summer(0.2)),
    ("1016", 0.4, 2.0, 0.0, Flat),
    ("1017", 0.2, 0.1, 0.0, Flat),
    ("1018", 0.5, 0.6, 0.0, Flat),
    ("1019", 0.2, 0.6, 0.0, Flat),
    ("1021", 0.5, 0.3, 0.0, Summer(0.3)),
    ("1022", 0.1, 1.0, 0.0, Festival),
    ("1023", 0.1, 1.5, 0.0, Flat),
    ("1099", 0.5, 1.0, 0.0, Flat),
];

/// Share of a type's cases in urban grids, where it differs from the grids' own mix.
const URBAN: &[(&str, f64)] = &[
    ("0130", 0.1),
    ("0201", 0.95),
    ("0202", 0.98),
    ("0203", 0.9),
    ("0204", 0.9),
    ("0206", 0.95),
    ("0207", 0.95),
    ("0208", 0.95),
    ("0216", 0.98),
    ("0505", 0.96),
    ("0506", 0.98),
    ("0508", 0.3),
    ("0616", 0.1),
    ("0617", 0.92),
    ("0622", 0.02),
    ("0917", 0.98),
    ("1004", 0.92),
    ("1006", 0.9),
    ("1012", 0.85),
    ("1016", 0.92),
    ("1019", 0.85),
    ("1023", 0.97),
];

/// Types found only in some counties: coal-mining subsidence in the mining districts.
const ONLY_IN: &[(&str, &[&str])] = &[("0919", &["130202", "130203", "130204", "130205", "130207"])];

/// Minor problems a grid worker may fix on the spot (自行处置), and how often.
const FIXABLE: &[(&str, f64)] = &[
    ("0701", 0.35),
    ("0602", 0.15),
    ("0604", 0.2),
    ("0606", 0.15),
    ("0608", 0.1),
    ("0617", 0.2),
    ("0623", 0.3),
    ("0703", 0.25),
    ("0704", 0.3),
    ("1007", 0.3),
    ("1008", 0.12),
    ("1012", 0.3),
    ("1003", 0.1),
];

/// Types complained about mostly in the evening and at night.
const NIGHT: &[&str] = &["0801", "1009", "1011", "1022", "1015", "0614"];

/// What a device that reports a type is.
const DRONE: &[&str] = &["0601", "0613", "0622", "0806", "0810", "0513"];
const SENSOR: &[&str] = &["0101", "0102", "0103", "0105", "0108", "0109", "0211", "0903", "0906"];

/// How much more often than average a unit (by its key) misses a handling limit.
const UNIT_MISS: &[(&str, f64)] = &[
    ("street-office", 0.8),
    ("urban-management", 1.0),
    ("residents_committee", 1.2),
    ("property_service", 1.6),
    ("natural-resources", 2.4),
    ("housing-construction", 1.8),
    ("traffic-police", 1.2),
    ("market-supervision", 1.4),
    ("ecology-environment", 1.4),
    ("agriculture-rural", 1.5),
    ("water-supply", 0.8),
    ("power-supply", 0.7),
    ("gas", 0.6),
    ("heating", 1.1),
    ("drainage", 1.0),
    ("landscaping", 1.1),
    ("telecom", 1.2),
];

/// Lunar new year's days (春节) the history knows.
const SPRING_FESTIVAL: &[(i32, u32, u32)] = &[(2025, 1, 29), (2026, 2, 17), (2027, 2, 6), (2028, 1, 26)];

// Reports per hour of the day (local), by profile.
const H_PATROL: [f64; 24] = [
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.5, 1.8, 3.2, 3.4, 3.0, 0.9, 0.8, 2.6, 3.0, 3.0, 2.2, 0.6, 0.3, 0.1, 0.0, 0.0,
    0.0,
];
const H_HOTLINE: [f64; 24] = [
    0.6, 0.35, 0.2, 0.15, 0.15, 0.25, 0.7, 1.8, 3.2, 4.0, 4.1, 3.6, 2.6, 2.8, 3.5, 3.6, 3.4, 3.0, 2.6, 2.7, 2.8, 2.4,
    1.7, 1.0,
];
const H_NIGHT: [f64; 24] = [
    2.0, 1.5, 0.8, 0.4, 0.3, 0.4, 0.8, 1.0, 1.2, 1.4, 1.4, 1.3, 1.2, 1.5, 1.5, 1.4, 1.4, 1.6, 2.4, 3.2, 4.0, 4.6, 4.4,
    3.2,
];
const H_DEVICE: [f64; 24] = [
    0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 1.2, 2.2, 2.8, 3.0, 3.0, 3.0, 2.8, 2.8, 2.8, 2.8, 2.8, 2.6, 2.4, 2.0, 1.5, 1.0, 0.6,
    0.4,
];
const H_WEB: [f64; 24] = [
    0.8, 0.4, 0.2, 0.1, 0.1, 0.2, 0.6, 1.4, 2.2, 2.8, 2.8, 2.6, 2.4, 2.4, 2.6, 2.6, 2.6, 2.6, 2.6, 3.0, 3.4, 3.4, 2.6,
    1.6,
];

// Opinions.
const OP_DENY: &str = "现场核实，问题不存在或已自行消除";
const OP_REFUSE: &str = "不符合立案条件，不予立案";
const OP_VOID: &str = "重复上报，申请作废";
const OP_DENY_VOID: &str = "非重复案件，驳回作废申请";
const OP_RETURN: &str = "经现场查看，该问题不属于本单位职责范围，申请回退";
const OP_DENY_RETURN: &str = "经核对职责清单，属于本单位职责，驳回回退申请";
const OP_SUSPEND: &str = "涉及产权或资金问题，需上级协调解决，申请挂账";
const OP_DENY_SUSPEND: &str = "挂账理由不充分，请按时处置";
const OP_EXTEND: &str = "需协调施工队伍及材料，申请延时";
const OP_DENY_EXTEND: &str = "延时理由不充分，请按原时限处置";
const OP_WHISTLE: &str = "社区（街道）无法单独解决，吹哨召集主管部门报到";
const OP_FIXED: &str = "已处置完毕，现场已恢复，附处置后照片";
const OP_CHECK_FAIL: &str = "现场核查未整改到位，返工";
const OP_ANSWER: &str = "已向来电人解释相关政策规定，直接答复办结";
const OP_WITHDRAW: &str = "派单有误，撤回重新派单";
const OP_URGE: &str = "已超办理时限，请尽快办理并答复诉求人";
const OP_REPLY: &str = "已联系诉求人，问题已处理完毕";
const OP_REJECT_REPLY: &str = "答复内容不完整，未说明处理结果，退回重办";
const OP_REHANDLE: &str = "诉求人对处理结果不满意，转重办";
const OP_UNREACHED: &str = "回访电话三次无人接听";
const R_DISSATISFIED: &str = "问题未彻底解决";
const R_BASIC: &str = "处理较慢";

// ================================================================================== the world

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Patrol,
    Device,
    EventWeb,
    EventPhone,
    Hotline,
    DemandWeb,
    Open311,
}

const STREAMS: [Stream; 7] = [
    Stream::Patrol,
    Stream::Device,
    Stream::EventWeb,
    Stream::EventPhone,
    Stream::Hotline,
    Stream::DemandWeb,
    Stream::Open311,
];

impl Stream {
    fn channel(self) -> Channel {
        match self {
            Stream::Patrol => Channel::Patrol,
            Stream::Device => Channel::Device,
            Stream::EventWeb | Stream::DemandWeb => Channel::ResidentWeb,
            Stream::EventPhone => Channel::ResidentPhone,
            Stream::Hotline => Channel::Hotline,
            Stream::Open311 => Channel::Open311,
        }
    }

    fn is_demand(self) -> bool {
        matches!(self, Stream::Hotline | Stream::DemandWeb | Stream::Open311)
    }

    fn share(self, mix: &ChannelMix) -> f64 {
        match self {
            Stream::Patrol => mix.patrol,
            Stream::Device => mix.device,
            Stream::EventWeb => mix.event_web,
            Stream::EventPhone => mix.event_phone,
            Stream::Hotline => mix.hotline,
            Stream::DemandWeb => mix.demand_web,
            Stream::Open311 => mix.open311,
        }
    }

    /// Volume on a day relative to an ordinary weekday.
    fn day_factor(self, day: &Day) -> f64 {
        let monday = day.date.weekday() == Weekday::Mon;
        let base = match (self, day.kind) {
            (Stream::Patrol, DayKind::Working) => {
                if monday {
                    1.1
                } else {
                    1.0
                }
            }
            (Stream::Patrol, DayKind::Weekend) => 0.45,
            (Stream::Patrol, DayKind::Holiday) => 0.3,
            (Stream::Device, _) => 1.0,
            (Stream::Hotline | Stream::EventPhone, DayKind::Working) => {
                if monday {
                    1.15
                } else {
                    1.0
                }
            }
            (Stream::Hotline | Stream::EventPhone, DayKind::Weekend) => 0.85,
            (Stream::Hotline | Stream::EventPhone, DayKind::Holiday) => 0.75,
            (_, DayKind::Working) => 1.0,
            (_, DayKind::Weekend) => 1.1,
            (_, DayKind::Holiday) => 0.9,
        };
        // The first week of the Spring Festival is quiet in the streets.
        let festival = if day.festival_week && self == Stream::Patrol { 0.6 } else { 1.0 };
        base * festival
    }

    fn column(self) -> usize {
        match self {
            Stream::Patrol => 0,
            Stream::Device => 2,
            _ => 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayKind {
    Working,
    Weekend,
    Holiday,
}

/// One day of the period and what it is like.
struct Day {
    date: NaiveDate,
    /// Local midnight as an instant.
    start: DateTime<Utc>,
    kind: DayKind,
    /// 0 in mid-January … 1 in mid-July.
    summer: f64,
    snow: f64,
    rain: f64,
    heating: f64,
    festival: f64,
    festival_week: bool,
    harvest: f64,
    leaves: f64,
    construction: f64,
    dust: f64,
}

impl Day {
    fn factor(&self, s: Season) -> f64 {
        match s {
            Flat => 1.0,
            Summer(a) => 1.0 + a * (2.0 * self.summer - 1.0),
            Winter(a) => 1.0 - a * (2.0 * self.summer - 1.0),
            Snow => self.snow,
            Rain => self.rain,
            RainBoost(a) => 1.0 + a * self.rain,
            Heating => self.heating,
            HeatingBoost(a) => 1.0 + a * self.heating,
            Festival => self.festival,
            Harvest => self.harvest,
            Leaves => self.leaves,
            Construction => self.construction,
            Dust => self.construction * self.dust,
        }
    }
}

/// How a limit is measured: its length and whether in working time.
#[derive(Debug, Clone, Copy)]
struct Budget {
    dur: Duration,
    working: bool,
}

struct TypeInfo<'a> {
    ty: &'a EventType,
    /// Weights per column (patrol, public, device).
    w: [f64; 3],
    season: Season,
    /// Chance a case of this type lies in an urban grid; `None`: the grids' own mix.
    urban: Option<f64>,
    /// Index into `World::restricted`.
    only_in: Option<usize>,
    fixable: f64,
    night: bool,
    budget: Budget,
    /// Base miss factor from the tightness of the limit.
    tight: f64,
    extendable: bool,
}

struct GridInfo {
    community: DivisionCode,
    county: usize,
    point: (f64, f64),
    /// Half-extent for jittering a location around the point.
    jitter: (f64, f64),
    worker: Actor,
}

struct County {
    code: String,
    /// Event centre staff: intake operators, shift supervisors, dispatchers.
    intake: Vec<Actor>,
    supervisors: Vec<Actor>,
    dispatchers: Vec<Actor>,
    /// How much more often than average this county's units miss limits.
    miss: f64,
}

struct World<'a> {
    input: &'a HistoryInput<'a>,
    event: &'a Workflow,
    demand: &'a Workflow,
    cal: &'a WorkCalendar,
    rates: HistoryRates,
    end: DateTime<Utc>,
    days: Vec<Day>,
    types: Vec<TypeInfo<'a>>,
    grids: Vec<GridInfo>,
    counties: Vec<County>,
    urban_cdf: Vec<f64>,
    urban_idx: Vec<usize>,
    rural_cdf: Vec<f64>,
    rural_idx: Vec<usize>,
    urban_share: f64,
    restricted: Vec<(Vec<f64>, Vec<usize>)>,
    hours: [Vec<f64>; 5],
    /// 12345 centre staff.
    hot_intake: Vec<Actor>,
    hot_supervisors: Vec<Actor>,
    hot_dispatchers: Vec<Actor>,
    /// Known accounts by unit.
    known: HashMap<&'a str, Vec<&'a User>>,
    /// Named devices (role device), if any.
    drones: Vec<Actor>,
    /// Units known to exist (street offices), to check alternatives.
    streets: HashSet<String>,
}

struct Pending {
    at: DateTime<Utc>,
    stream: Stream,
    ty: usize,
    grid: usize,
}

fn cumulative(w: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    w.iter()
        .map(|x| {
            acc += x.max(0.0);
            acc
        })
        .collect()
}

fn pick(cdf: &[f64], rng: &mut impl Rng) -> usize {
    let total = *cdf.last().unwrap_or(&0.0);
    let x = rng.random::<f64>() * total;
    cdf.partition_point(|&c| c <= x).min(cdf.len().saturating_sub(1))
}

fn normal(rng: &mut impl Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn expo(rng: &mut impl Rng, mean: f64) -> f64 {
    -mean * rng.random::<f64>().max(1e-12).ln()
}

/// Whole numbers summing to `total`, each the floor of its expected value or one more (largest
/// remainders first, ties to the earlier).
fn round_to(expected: &[f64], total: usize) -> Vec<usize> {
    let mut counts: Vec<usize> = expected.iter().map(|e| e.max(0.0).floor() as usize).collect();
    let mut order: Vec<usize> = (0..expected.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (expected[a] - expected[a].floor(), expected[b] - expected[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    let mut left = total.saturating_sub(counts.iter().sum());
    let mut i = 0;
    while left > 0 && !order.is_empty() {
        counts[order[i % order.len()]] += 1;
        left -= 1;
        i += 1;
    }
    counts
}

/// `d × f`, to the millisecond.
fn scale(d: Duration, f: f64) -> Duration {
    Duration::milliseconds((d.num_milliseconds() as f64 * f) as i64)
}

fn gauss(x: f64, mu: f64, sigma: f64) -> f64 {
    let z = (x - mu) / sigma;
    (-0.5 * z * z).exp()
}

fn actor(user: String, role: Role, unit: String) -> Actor {
    Actor { user, role, unit }
}

/// The role a unit's staff act in, from the unit's key.
fn role_of(unit: &str) -> Role {
    match unit.rsplit(':').next().unwrap_or("") {
        "street-office" => Role::StreetStaff,
        "residents_committee" => Role::ResidentsCommittee,
        "property_service" => Role::PropertyService,
        "command_centre" => Role::Dispatcher,
        _ => Role::DepartmentHandler,
    }
}

fn in_md(date: NaiveDate, from: (u32, u32), to: (u32, u32)) -> bool {
    let md = (date.month(), date.day());
    if from <= to { from <= md && md <= to } else { md >= from || md <= to }
}

impl<'a> World<'a> {
    fn build(
        input: &'a HistoryInput<'a>,
        event: &'a Workflow,
        demand: &'a Workflow,
        cfg: &HistoryConfig,
        rng: &mut ChaCha8Rng,
    ) -> Result<World<'a>, HistoryError> {
        let cal = input.calendar;
        let days = Self::days(cal, cfg, rng);
        let types = Self::types(input, cal);
        if types.iter().all(|t| t.w.iter().all(|w| *w <= 0.0)) {
            return Err(HistoryError::NoTypes);
        }

        let mut known: HashMap<&str, Vec<&User>> = HashMap::new();
        for u in input.users {
            known.entry(u.unit.as_str()).or_default().push(u);
        }
        let drones: Vec<Actor> = input
            .users
            .iter()
            .filter(|u| u.role == Role::Device)
            .map(|u| actor(u.username.clone(), u.role, u.unit.clone()))
            .collect();

        // Counties and their centres.
        let mut counties: Vec<County> = Vec::new();
        let mut county_index: HashMap<String, usize> = HashMap::new();
        let mut grids = Vec::with_capacity(input.grids.len());
        let mut weights = Vec::with_capacity(input.grids.len());
        let mut urban_flags = Vec::with_capacity(input.grids.len());
        for g in input.grids {
            let community = g.community();
            let county_code = community.ancestor(Level::County).map(|c| c.to_string()).unwrap_or_else(|| "1302".into());
            let county = match county_index.get(&county_code) {
                Some(&i) => i,
                None => {
                    let i = counties.len();
                    county_index.insert(county_code.clone(), i);
                    counties.push(Self::county(&county_code, input, rng));
                    i
                }
            };
            let urban = input.tree.get(&community).is_some_and(|d| d.kind == DivisionKind::Community);
            let county_kind =
                input.tree.get(&community.ancestor(Level::County).unwrap_or(community.clone())).map(|d| d.kind);
            let central = matches!(county_code.as_str(), "130202" | "130203");
            let county_w = match county_kind {
                _ if central => 1.3,
                Some(DivisionKind::District) => 1.1,
                Some(DivisionKind::CountyCity) => 1.0,
                Some(DivisionKind::Zone) => 0.85,
                _ => 0.9,
            };
            let kind_w = if urban { 1.0 } else { 0.3 };
            let dedicated = if g.kind == GridKind::Dedicated { 0.6 } else { 1.0 };
            weights.push(kind_w * county_w * dedicated * (0.5 * normal(rng)).exp());
            urban_flags.push(urban);
            let point = g
                .shape
                .interior_point()
                .map(|p| (p.x(), p.y()))
                .or_else(|| g.shape.bounding_rect().map(|r| (r.center().x, r.center().y)))
                .unwrap_or((118.18, 39.63));
            let jitter = g.shape.bounding_rect().map(|r| (r.width() * 0.25, r.height() * 0.25)).unwrap_or((0.0, 0.0));
            let unit = format!("{community}:residents_committee");
            let user = known
                .get(unit.as_str())
                .and_then(|us| us.iter().find(|u| u.role == Role::GridWorker))
                .map(|u| u.username.clone())
                .unwrap_or_else(|| format!("wangge-{}", g.code));
            grids.push(GridInfo { community, county, point, jitter, worker: actor(user, Role::GridWorker, unit) });
        }
        let split = |want: bool| {
            let idx: Vec<usize> = (0..grids.len()).filter(|&i| urban_flags[i] == want).collect();
            let cdf = cumulative(&idx.iter().map(|&i| weights[i]).collect::<Vec<_>>());
            (cdf, idx)
        };
        let (urban_cdf, urban_idx) = split(true);
        let (rural_cdf, rural_idx) = split(false);
        let (u, r) = (urban_cdf.last().copied().unwrap_or(0.0), rural_cdf.last().copied().unwrap_or(0.0));
        let urban_share = if u + r > 0.0 { u / (u + r) } else { 0.5 };

        let mut types = types;
        let mut restricted = Vec::new();
        for (code, counties_of) in ONLY_IN {
            if let Some(t) = types.iter_mut().find(|t| t.ty.code.as_str() == *code) {
                let idx: Vec<usize> = (0..grids.len())
                    .filter(|&i| counties_of.contains(&counties[grids[i].county].code.as_str()))
                    .collect();
                if !idx.is_empty() {
                    let cdf = cumulative(&idx.iter().map(|&i| weights[i]).collect::<Vec<_>>());
                    t.only_in = Some(restricted.len());
                    restricted.push((cdf, idx));
                }
            }
        }

        let hours = [H_PATROL, H_HOTLINE, H_NIGHT, H_DEVICE, H_WEB].map(|h| cumulative(&h));
        let centre = "1302:command_centre";
        let pool = |role: Role, prefix: &str, n: usize| -> Vec<Actor> {
            let mut v: Vec<Actor> =
                (1..=n).map(|k| actor(format!("12345-{prefix}-{k:02}"), role, centre.into())).collect();
            if let Some(us) = known.get(centre) {
                v.extend(us.iter().filter(|u| u.role == role).map(|u| actor(u.username.clone(), role, u.unit.clone())));
            }
            v
        };
        let hot_intake = pool(Role::IntakeOperator, "huawu", 24);
        let hot_supervisors = pool(Role::ShiftSupervisor, "zhiban", 4);
        let hot_dispatchers = pool(Role::Dispatcher, "paidan", 8);
        let streets: HashSet<String> =
            input.tree.at_level(Level::Township).map(|d| format!("{}:street-office", d.code)).collect();

        Ok(World {
            input,
            event,
            demand,
            cal,
            rates: cfg.rates,
            end: cfg.end,
            days,
            types,
            grids,
            counties,
            urban_cdf,
            urban_idx,
            rural_cdf,
            rural_idx,
            urban_share,
            restricted,
            hours,
            hot_intake,
            hot_supervisors,
            hot_dispatchers,
            known,
            drones,
            streets,
        })
    }

    fn county(code: &str, input: &HistoryInput, rng: &mut ChaCha8Rng) -> County {
        let unit = format!("{code}:command_centre");
        let known: Vec<&User> = input.users.iter().filter(|u| u.unit == unit).collect();
        let pool = |role: Role, prefix: &str, n: usize| -> Vec<Actor> {
            let mut v: Vec<Actor> =
                (1..=n).map(|k| actor(format!("{code}-{prefix}-{k}"), role, unit.clone())).collect();
            v.extend(known.iter().filter(|u| u.role == role).map(|u| actor(u.username.clone(), role, unit.clone())));
            v
        };
        County {
            code: code.to_string(),
            intake: pool(Role::IntakeOperator, "shouli", 4),
            supervisors: pool(Role::ShiftSupervisor, "zhiban", 2),
            dispatchers: pool(Role::Dispatcher, "paiqian", 3),
            miss: (0.35 * normal(rng)).exp(),
        }
    }

    fn types(input: &HistoryInput<'a>, cal: &WorkCalendar) -> Vec<TypeInfo<'a>> {
        let table: HashMap<&str, ([f64; 3], Season)> =
            WEIGHTS.iter().map(|(c, p, q, d, s)| (*c, ([*p, *q, *d], *s))).collect();
        input
            .taxonomy
            .types
            .iter()
            .map(|ty| {
                let code = ty.code.as_str();
                let component = code.as_bytes()[0] == b'0' && code.as_bytes()[1] <= b'5';
                let emergency = ty.code.category() == "09";
                let (w, season) = table.get(code).copied().unwrap_or_else(|| {
                    let patrol = if emergency {
                        0.02
                    } else if component {
                        0.12
                    } else {
                        0.1
                    };
                    ([patrol, if emergency { 0.05 } else { 0.08 }, 0.0], Flat)
                });
                let limit = ty.limit;
                let v = f64::from(limit.value);
                let (dur, working) = match limit.unit {
                    TimeUnit::Minutes => (Duration::minutes(i64::from(limit.value)), false),
                    TimeUnit::CalendarHours => (Duration::hours(i64::from(limit.value)), false),
                    TimeUnit::WorkingHours => (Duration::hours(i64::from(limit.value)), true),
                    TimeUnit::WorkingDays => (cal.working_day_duration() * limit.value as i32, true),
                };
                let tight = match limit.unit {
                    TimeUnit::Minutes if v <= 30.0 => 2.6,
                    TimeUnit::Minutes => 2.0,
                    TimeUnit::CalendarHours if v <= 4.0 => 1.5,
                    TimeUnit::CalendarHours => 1.1,
                    TimeUnit::WorkingHours if v <= 4.0 => 1.3,
                    TimeUnit::WorkingHours => 1.0,
                    TimeUnit::WorkingDays if v >= 5.0 => 0.7,
                    TimeUnit::WorkingDays => 0.85,
                };
                let extendable = match limit.unit {
                    TimeUnit::Minutes => false,
                    TimeUnit::CalendarHours => v >= 12.0,
                    TimeUnit::WorkingHours => v >= 8.0,
                    TimeUnit::WorkingDays => true,
                };
                TypeInfo {
                    ty,
                    w,
                    season,
                    urban: URBAN.iter().find(|(c, _)| *c == code).map(|(_, u)| *u),
                    only_in: None,
                    fixable: FIXABLE.iter().find(|(c, _)| *c == code).map(|(_, p)| *p).unwrap_or(0.0),
                    night: NIGHT.contains(&code),
                    budget: Budget { dur, working },
                    tight,
                    extendable,
                }
            })
            .collect()
    }

    /// The days of the period with their weather and seasons; snowfalls and storms are drawn.
    fn days(cal: &WorkCalendar, cfg: &HistoryConfig, rng: &mut ChaCha8Rng) -> Vec<Day> {
        let offset = cal.utc_offset();
        let last = (cfg.end - Duration::nanoseconds(1)).with_timezone(&offset).date_naive();
        let first = last - Duration::days(i64::from(cfg.days) - 1);
        let dates: Vec<NaiveDate> = first.iter_days().take(cfg.days as usize).collect();
        let rest: HashSet<NaiveDate> = cal.holidays().iter().flat_map(|h| h.days.iter().copied()).collect();
        let n = dates.len();

        // Snowfalls: about seven a winter, each icy for a few days after.
        let mut snow = vec![0.0f64; n];
        let snow_days: Vec<usize> = (0..n).filter(|&i| in_md(dates[i], (11, 20), (3, 5))).collect();
        let winters = (snow_days.len() as f64 / 106.0).ceil().max(0.0) as usize;
        for _ in 0..winters * 7 {
            if snow_days.is_empty() {
                break;
            }
            let d = snow_days[rng.random_range(0..snow_days.len())];
            let intensity = rng.random_range(0.4..2.0);
            let length = if rng.random_bool(0.35) { 2 } else { 1 };
            for k in 0..length + 4 {
                let decay = if k < length { 1.0 } else { [0.6, 0.3, 0.12, 0.05][k - length] };
                if let Some(s) = snow.get_mut(d + k) {
                    if in_md(dates[d + k], (11, 15), (3, 15)) {
                        *s += intensity * decay;
                    }
                }
            }
        }
        // Storms: about eight a summer in July and August.
        let mut rain = vec![0.0f64; n];
        let rain_days: Vec<usize> = (0..n).filter(|&i| in_md(dates[i], (7, 1), (8, 31))).collect();
        for &i in &rain_days {
            rain[i] = 0.04;
        }
        let summers = (rain_days.len() as f64 / 62.0).ceil() as usize;
        for _ in 0..summers * 8 {
            if rain_days.is_empty() {
                break;
            }
            let d = rain_days[rng.random_range(0..rain_days.len())];
            let intensity = rng.random_range(0.5..2.5);
            rain[d] += intensity;
            if d + 1 < n && in_md(dates[d + 1], (7, 1), (8, 31)) {
                rain[d + 1] += 0.3 * intensity;
            }
        }
        let festivals: Vec<NaiveDate> =
            SPRING_FESTIVAL.iter().filter_map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)).collect();

        dates
            .iter()
            .enumerate()
            .map(|(i, &date)| {
                let start = offset
                    .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight"))
                    .single()
                    .expect("a fixed offset")
                    .with_timezone(&Utc);
                let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
                let kind = if rest.contains(&date) {
                    DayKind::Holiday
                } else if cal.is_working_day(date) {
                    DayKind::Working
                } else if weekend {
                    DayKind::Weekend
                } else {
                    DayKind::Holiday
                };
                let doy = f64::from(date.ordinal0());
                let summer = 0.5 * (1.0 - (std::f64::consts::TAU * (doy - 15.0) / 365.25).cos());
                // Heating season: 15 November – 15 March, troubles when it starts.
                let heating = if in_md(date, (11, 15), (3, 15)) {
                    let season_start = if date.month() >= 11 {
                        NaiveDate::from_ymd_opt(date.year(), 11, 15)
                    } else {
                        NaiveDate::from_ymd_opt(date.year() - 1, 11, 15)
                    }
                    .expect("a date");
                    let since = (date - season_start).num_days() as f64;
                    1.0 + 1.5 * (-since / 6.0).exp() + 0.5 * snow[i].min(2.0)
                } else {
                    0.0
                };
                let (mut festival, mut festival_week) = (0.15, false);
                for f in &festivals {
                    let k = (date - *f).num_days();
                    let v = match k {
                        -1 | 0 => 25.0,
                        -7..=-2 => 4.0,
                        1..=5 => 8.0,
                        14 => 10.0,
                        6..=16 => 2.5,
                        _ => continue,
                    };
                    festival = v;
                    festival_week = (-1..=6).contains(&k);
                }
                let harvest = 0.05 + gauss(doy, 166.0, 8.0) + 1.3 * gauss(doy, 281.0, 10.0);
                let leaves = 0.2 + gauss(doy, 305.0, 15.0) + 0.8 * gauss(doy, 94.0, 3.0);
                let construction = match date.month() {
                    12 | 1 | 2 => 0.35,
                    3 | 11 => 0.8,
                    _ => 1.3,
                };
                let dust = 1.0 + 0.8 * gauss(doy, 105.0, 25.0);
                Day {
                    date,
                    start,
                    kind,
                    summer,
                    snow: snow[i],
                    rain: rain[i],
                    heating,
                    festival,
                    festival_week,
                    harvest,
                    leaves,
                    construction,
                    dust,
                }
            })
            .collect()
    }

    /// Type weights of a stream on a day; returns their sum.
    fn type_weights(&self, stream: Stream, day: &Day, out: &mut Vec<f64>) -> f64 {
        out.clear();
        let col = stream.column();
        let mut sum = 0.0;
        for t in &self.types {
            let mut w = t.w[col];
            if w > 0.0 {
                w *= day.factor(t.season);
            }
            out.push(w);
            sum += w;
        }
        sum
    }

    /// Cases per stream and day: shares of the total, spread by each day's volume, rounded so
    /// that the total is exact.
    fn allot(&self, cfg: &HistoryConfig, rng: &mut ChaCha8Rng) -> Vec<Vec<usize>> {
        let mix_total: f64 = STREAMS.iter().map(|s| s.share(&cfg.mix).max(0.0)).sum();
        let shares: Vec<f64> = STREAMS
            .iter()
            .map(|s| if mix_total > 0.0 { s.share(&cfg.mix).max(0.0) / mix_total * cfg.cases as f64 } else { 0.0 })
            .collect();
        let totals = round_to(&shares, cfg.cases);
        let mut buf = Vec::new();
        let base_sums: Vec<f64> = (0..3).map(|c| self.types.iter().map(|t| t.w[c]).sum::<f64>()).collect();
        STREAMS
            .iter()
            .zip(totals)
            .map(|(&s, total)| {
                let raw: Vec<f64> = self
                    .days
                    .iter()
                    .map(|d| {
                        let seasonal = self.type_weights(s, d, &mut buf) / base_sums[s.column()].max(1e-9);
                        s.day_factor(d) * seasonal * (0.12 * normal(rng)).exp()
                    })
                    .collect();
                let sum: f64 = raw.iter().sum();
                let scale = if sum > 0.0 { total as f64 / sum } else { 0.0 };
                let expected: Vec<f64> = raw.into_iter().map(|r| r * scale).collect();
                if sum > 0.0 { round_to(&expected, total) } else { vec![0; expected.len()] }
            })
            .collect()
    }

    fn pick_grid(&self, ty: usize, stream: Stream, rng: &mut ChaCha8Rng) -> usize {
        let t = &self.types[ty];
        if let Some(r) = t.only_in {
            let (cdf, idx) = &self.restricted[r];
            return idx[pick(cdf, rng)];
        }
        let mut p_urban = t.urban.unwrap_or(self.urban_share);
        if stream == Stream::Device && !DRONE.contains(&t.ty.code.as_str()) {
            // Cameras and sensors are mostly in the city.
            p_urban = p_urban.max(0.9);
        }
        let urban = (rng.random::<f64>() < p_urban && !self.urban_idx.is_empty()) || self.rural_idx.is_empty();
        if urban { self.urban_idx[pick(&self.urban_cdf, rng)] } else { self.rural_idx[pick(&self.rural_cdf, rng)] }
    }

    fn report_time(
        &self,
        day: &Day,
        stream: Stream,
        ty: usize,
        end: DateTime<Utc>,
        rng: &mut ChaCha8Rng,
    ) -> DateTime<Utc> {
        let t = &self.types[ty];
        let profile = match stream {
            Stream::Patrol => 0,
            Stream::Device => 3,
            _ if t.night => 2,
            Stream::Hotline | Stream::EventPhone => 1,
            _ => 4,
        };
        for _ in 0..8 {
            let hour = pick(&self.hours[profile], rng) as i64;
            let at = day.start + Duration::seconds(hour * 3600 + rng.random_range(0..3600));
            if at < end {
                return at;
            }
        }
        (end - Duration::minutes(rng.random_range(1..60))).max(day.start)
    }

    fn wf(&self, stream: Stream) -> &'a Workflow {
        if stream.is_demand() { self.demand } else { self.event }
    }

    /// Someone of `unit` acting in `role`: a named account where there is one, else the unit's
    /// staff member `n`.
    fn staff(&self, unit: &str, role: Role, rng: &mut ChaCha8Rng) -> Actor {
        if let Some(us) = self.known.get(unit) {
            let named: Vec<&&User> = us.iter().filter(|u| u.role == role).collect();
            if !named.is_empty() {
                let u = named[rng.random_range(0..named.len())];
                return actor(u.username.clone(), role, unit.to_string());
            }
        }
        let n = match role {
            Role::DepartmentHandler => rng.random_range(1..=3),
            Role::StreetStaff => rng.random_range(1..=2),
            _ => 1,
        };
        actor(format!("{unit}/{n:02}"), role, unit.to_string())
    }

    /// Where a returned case goes instead: a department's case to the street office, the street
    /// office's (or a community's) to the county's urban management.
    fn alternative(&self, unit: &str, grid: &GridInfo) -> String {
        let street = grid.community.parent().map(|t| format!("{t}:street-office"));
        let county = &self.counties[grid.county].code;
        match (role_of(unit), street) {
            (Role::DepartmentHandler, Some(s)) if self.streets.contains(&s) => s,
            _ => format!("{county}:urban-management"),
        }
    }

    /// The unit a demand case is dispatched to: the routed unit when it can accept 12345 orders
    /// (departments and street offices), else the street office of the community.
    fn demand_unit(&self, unit: &str, grid: &GridInfo) -> String {
        match role_of(unit) {
            Role::DepartmentHandler | Role::StreetStaff => unit.to_string(),
            _ => match grid.community.parent().map(|t| format!("{t}:street-office")) {
                Some(s) if self.streets.contains(&s) => s,
                _ => format!("{}:urban-management", self.counties[grid.county].code),
            },
        }
    }

    fn miss(&self, ty: &TypeInfo, unit: &str, county: usize, day: &Day) -> f64 {
        let key = unit.rsplit(':').next().unwrap_or("");
        let unit_f = UNIT_MISS.iter().find(|(k, _)| *k == key).map(|(_, f)| *f).unwrap_or(1.1);
        let load = 1.0 + 0.5 * day.snow.min(2.0) + 0.4 * day.rain.min(2.0);
        ((1.0 - self.rates.on_time) * ty.tight * unit_f * self.counties[county].miss * load).clamp(0.0, 0.6)
    }
}

// ============================================================================ one case's story

enum Halt {
    /// The next step would happen after the end of the period.
    End,
    Refused(HistoryError),
}

struct Sim<'w, 'a> {
    w: &'w World<'a>,
    wf: &'a Workflow,
    cal: &'a WorkCalendar,
    rng: &'w mut ChaCha8Rng,
    ty: &'w TypeInfo<'a>,
    grid: &'w GridInfo,
    county: &'w County,
    day: &'w Day,
    stream: Stream,
    case: Case,
    log: Vec<LogEntry>,
    commands: Vec<Option<Command>>,
    last: DateTime<Utc>,
    /// Whether any handling step ended late so far (ratings suffer).
    late: bool,
}

fn cmd(action: &str) -> Command {
    Command { action: action.to_string(), ..Default::default() }
}

fn opinion(action: &str, text: &str) -> Command {
    Command { opinion: Some(text.to_string()), ..cmd(action) }
}

impl<'w, 'a> Sim<'w, 'a> {
    fn run(
        w: &'w World<'a>,
        p: &Pending,
        day: &'w Day,
        rng: &'w mut ChaCha8Rng,
    ) -> Result<GeneratedCase, HistoryError> {
        let ty = &w.types[p.ty];
        let grid = &w.grids[p.grid];
        let county = &w.counties[grid.county];
        let wf = w.wf(p.stream);
        let channel = p.stream.channel();
        let code = ty.ty.code.as_str();
        let grid_code = w.input.grids[p.grid].code.clone();
        let grid_name = &w.input.grids[p.grid].name;
        let name = &ty.ty.name_zh;

        // Who reports, and what they write.
        let (reporter_actor, reporter, description) = match p.stream {
            Stream::Patrol => {
                (grid.worker.clone(), Some(grid.worker.user.clone()), format!("巡查发现{name}：{grid_name}"))
            }
            Stream::Device => {
                let county_centre = format!("{}:command_centre", county.code);
                let a = if DRONE.contains(&code) {
                    if !w.drones.is_empty() && rng.random_bool(0.5) {
                        w.drones[rng.random_range(0..w.drones.len())].clone()
                    } else {
                        actor(format!("drone-{}", county.code), Role::Device, county_centre)
                    }
                } else if SENSOR.contains(&code) {
                    actor(format!("sensor-{grid_code}"), Role::Device, county_centre)
                } else {
                    actor(format!("camera-{grid_code}"), Role::Device, county_centre)
                };
                let what = if DRONE.contains(&code) {
                    "无人机巡查发现"
                } else if SENSOR.contains(&code) {
                    "传感器告警："
                } else {
                    "视频智能识别："
                };
                let d = format!("{what}{name}（{grid_name}）");
                (a, None, d)
            }
            Stream::EventWeb | Stream::DemandWeb => {
                let unit = format!("{}:residents_committee", grid.community);
                let named = w
                    .known
                    .get(unit.as_str())
                    .and_then(|us| us.iter().find(|u| u.role == Role::Resident))
                    .filter(|_| rng.random_bool(0.5));
                let user = match named {
                    Some(u) => u.username.clone(),
                    None => format!("jumin-{:06}", rng.random_range(0..400_000u32)),
                };
                let d = format!("网上反映：{grid_name}附近{name}，请相关部门处理");
                (actor(user.clone(), Role::Resident, unit), Some(user), d)
            }
            Stream::EventPhone => {
                let a = county.intake[rng.random_range(0..county.intake.len())].clone();
                let d = format!("市民来电反映：{grid_name}附近{name}");
                (a.clone(), Some(a.user), d)
            }
            Stream::Hotline => {
                let a = w.hot_intake[rng.random_range(0..w.hot_intake.len())].clone();
                let d = format!("市民来电反映{grid_name}附近{name}问题，要求尽快处理");
                (a.clone(), Some(a.user), d)
            }
            Stream::Open311 => {
                let a = actor("open311".into(), Role::Resident, String::new());
                (a, None, format!("Open311：{grid_name}附近{name}"))
            }
        };
        let (dx, dy) = grid.jitter;
        let shape = &w.input.grids[p.grid].shape;
        let mut location = grid.point;
        for _ in 0..3 {
            let candidate = (
                grid.point.0 + dx * (2.0 * rng.random::<f64>() - 1.0),
                grid.point.1 + dy * (2.0 * rng.random::<f64>() - 1.0),
            );
            if shape.contains(&Point::new(candidate.0, candidate.1)) {
                location = candidate;
                break;
            }
        }
        let report = NewReport {
            type_code: ty.ty.code,
            channel,
            description,
            location: Some(location),
            grid: Some(grid_code),
            reporter,
        };
        let refused = |action: &str, state: &str, refusal: Refusal| HistoryError::Refused {
            kind: wf.kind.clone(),
            type_code: code.to_string(),
            action: action.to_string(),
            state: state.to_string(),
            refusal,
        };
        let (mut case, first) =
            create(wf, w.input.taxonomy, w.cal, report, &reporter_actor, p.at).map_err(|e| refused("report", "", e))?;
        case.route = Some(route(ty.ty, Some(&grid.community), w.input.tree, w.input.departments, w.input.routing));
        let mut sim = Sim {
            w,
            wf,
            cal: w.cal,
            rng,
            ty,
            grid,
            county,
            day,
            stream: p.stream,
            case,
            log: Vec::with_capacity(12),
            commands: Vec::with_capacity(11),
            last: p.at,
            late: false,
        };
        sim.log.push(first);
        let story = if p.stream.is_demand() { sim.demand(&reporter_actor) } else { sim.event(&reporter_actor) };
        match story {
            Ok(()) | Err(Halt::End) => {}
            Err(Halt::Refused(e)) => return Err(e),
        }
        // What is still running at the end has been swept up to then.
        if let Err(Halt::Refused(e)) = sim.sweep_until(w.end) {
            return Err(e);
        }
        Ok(GeneratedCase { case: sim.case, log: sim.log, commands: sim.commands })
    }

    /// Applies a command at `at` (moved to just after the previous entry if need be), after the
    /// deadline sweep has noted whatever ran late in between.
    fn act(&mut self, command: Command, who: &Actor, at: DateTime<Utc>) -> Result<DateTime<Utc>, Halt> {
        let at = at.max(self.last + Duration::seconds(30 + self.rng.random_range(0..90)));
        if at >= self.w.end {
            return Err(Halt::End);
        }
        self.sweep_until(at)?;
        let at = at.max(self.last + Duration::seconds(1));
        match apply(self.wf, self.cal, &self.case, &command, who, at) {
            Ok((next, entry)) => {
                self.case = next;
                self.log.push(entry);
                self.commands.push(Some(command));
                self.last = at;
                Ok(at)
            }
            Err(refusal) => Err(self.refused(&command.action, refusal)),
        }
    }

    fn refused(&self, action: &str, refusal: Refusal) -> Halt {
        Halt::Refused(HistoryError::Refused {
            kind: self.wf.kind.clone(),
            type_code: self.ty.ty.code.to_string(),
            action: action.to_string(),
            state: self.case.state.clone(),
            refusal,
        })
    }

    /// Runs the deadline sweep as the server would (every 30 s) for each deadline or summons
    /// that passes before `until` (and before the end of the period).
    fn sweep_until(&mut self, until: DateTime<Utc>) -> Result<(), Halt> {
        while let Some(due) = next_sweep_at(&self.case) {
            let at = (due + Duration::seconds(self.rng.random_range(1..=30))).max(self.last + Duration::seconds(1));
            if at >= until || at >= self.w.end {
                break;
            }
            match sweep(self.wf, self.cal, &self.case, at) {
                Ok(Some((next, entry))) => {
                    self.case = next;
                    self.log.push(entry);
                    self.commands.push(None);
                    self.last = at;
                }
                Ok(None) => break,
                Err(refusal) => return Err(self.refused("sweep", refusal)),
            }
        }
        Ok(())
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random::<f64>() < p
    }

    fn minutes(&mut self, lo: f64, hi: f64) -> Duration {
        Duration::seconds((self.rng.random_range(lo..hi) * 60.0) as i64)
    }

    /// A centre step around the clock with a wall-clock limit of `limit` minutes: mostly well
    /// inside it, late with chance `late`.
    fn wall(&mut self, from: DateTime<Utc>, limit: f64, late: f64) -> DateTime<Utc> {
        let d = if self.chance(late) {
            self.minutes(limit * 1.05, limit * 3.0)
        } else {
            let x = self.rng.random::<f64>() * self.rng.random::<f64>();
            Duration::seconds(((0.05 + 0.85 * x.sqrt()) * limit * 60.0) as i64)
        };
        from + d
    }

    /// A step done in working time with a working-time limit of `limit` hours.
    fn work(&mut self, from: DateTime<Utc>, limit: f64, late: f64) -> DateTime<Utc> {
        let frac = if self.chance(late) { self.rng.random_range(1.05..3.0) } else { self.rng.random_range(0.05..0.9) };
        let d = Duration::seconds((frac * limit * 3600.0) as i64);
        self.cal.add_working(from, d).unwrap_or(from + d)
    }

    fn measured_add(&self, from: DateTime<Utc>, d: Duration, working: bool) -> DateTime<Utc> {
        if d <= Duration::zero() {
            from
        } else if working {
            self.cal.add_working(from, d).unwrap_or(from + d)
        } else {
            from + d
        }
    }

    fn measure(&self, a: DateTime<Utc>, b: DateTime<Utc>, working: bool) -> Duration {
        if working { self.cal.working_duration_between(a, b).unwrap_or(b - a) } else { b - a }
    }

    fn deadline(&self) -> DateTime<Utc> {
        self.case.clock.as_ref().map(|c| c.deadline).unwrap_or(self.last)
    }

    fn intake(&mut self) -> Actor {
        if self.stream.is_demand() {
            self.w.hot_intake[self.rng.random_range(0..self.w.hot_intake.len())].clone()
        } else {
            self.county.intake[self.rng.random_range(0..self.county.intake.len())].clone()
        }
    }

    fn supervisor(&mut self) -> Actor {
        if self.stream.is_demand() {
            self.w.hot_supervisors[self.rng.random_range(0..self.w.hot_supervisors.len())].clone()
        } else {
            self.county.supervisors[self.rng.random_range(0..self.county.supervisors.len())].clone()
        }
    }

    fn dispatcher(&mut self) -> Actor {
        if self.stream.is_demand() {
            self.w.hot_dispatchers[self.rng.random_range(0..self.w.hot_dispatchers.len())].clone()
        } else {
            self.county.dispatchers[self.rng.random_range(0..self.county.dispatchers.len())].clone()
        }
    }

    fn evidence(&mut self, action: &str, text: &str) -> Command {
        let n = self.log.len();
        Command {
            attachments: vec![format!("photo-{}-{n}.jpg", self.case.reported_at.timestamp())],
            ..opinion(action, text)
        }
    }

    fn dispatch_to(&self, unit: &str) -> Command {
        let assisting = self.case.route.as_ref().map(|r| r.assisting.clone()).unwrap_or_default();
        Command { units: Some(Assignment { primary: unit.to_string(), assisting }), ..cmd("dispatch") }
    }

    fn satisfaction(&mut self, reworked: bool) -> Satisfaction {
        let r = self.w.rates;
        let (mut sat, mut dis) = (r.satisfied, r.dissatisfied);
        if self.late {
            sat -= 0.25;
            dis += 0.12;
        }
        if reworked {
            sat -= 0.15;
            dis += 0.06;
        }
        if self.ty.night {
            sat -= 0.05;
            dis += 0.03;
        }
        let x = self.rng.random::<f64>();
        if x < sat.max(0.1) {
            Satisfaction::Satisfied
        } else if x < 1.0 - dis.max(0.0) {
            Satisfaction::BasicallySatisfied
        } else {
            Satisfaction::Dissatisfied
        }
    }

    fn rating(&mut self, action: &str, s: Satisfaction) -> Command {
        let reason = match s {
            Satisfaction::Satisfied => None,
            Satisfaction::BasicallySatisfied => Some(R_BASIC.to_string()),
            Satisfaction::Dissatisfied => Some(R_DISSATISFIED.to_string()),
        };
        Command { rating: Some(Rating { satisfaction: s, reason }), ..cmd(action) }
    }

    fn extension(&self) -> TimeLimit {
        let l = self.case.handling_limit;
        TimeLimit { value: l.value.div_ceil(2).max(1), unit: l.unit }
    }

    /// The handling step (event `dispatched`, demand `handling`) from its start to the fix
    /// reported by the case's primary unit; with a whistle, a suspension, an extension or urging
    /// on the way. Returns `Ok` once `finish` (feedback or reply) is logged.
    fn handle(&mut self, round: u32, finish: &str) -> Result<(), Halt> {
        let mut unit = self.primary();
        if round == 0 && !self.stream.is_demand() {
            self.whistle(&unit)?;
            unit = self.primary();
        }
        let unit = unit.as_str();
        let handler = self.w.staff(unit, role_of(unit), self.rng);
        let budget = self.ty.budget;
        let start = self.last;
        let mut miss = self.w.miss(self.ty, unit, self.grid.county, self.day);
        if round > 0 {
            miss *= 0.5;
        }
        let mut late = self.chance(miss);
        let mut disturbed = false;
        let handling_state = self.case.state.clone();
        let frac = |s: &mut Self, lo: f64, hi: f64| {
            let f = s.rng.random_range(lo..hi);
            s.measured_add(start, scale(budget.dur, f), budget.working)
        };

        if round == 0 && self.chance(self.w.rates.suspension) {
            let t = frac(self, 0.05, 0.5);
            let t = self.act(opinion("request_suspension", OP_SUSPEND), &handler, t)?;
            let dispatcher = self.dispatcher();
            let t = self.wall(t, 60.0, 0.05);
            if self.chance(0.8) {
                let t = self.act(cmd("approve_suspension"), &dispatcher, t)?;
                let days = 2.0 + expo(&mut *self.rng, 8.0);
                let back = self
                    .cal
                    .add_working(t + Duration::seconds((days * 86_400.0) as i64), Duration::minutes(30))
                    .unwrap_or(t + Duration::days(3));
                self.act(cmd("resume"), &dispatcher, back)?;
            } else {
                self.act(opinion("deny_suspension", OP_DENY_SUSPEND), &dispatcher, t)?;
            }
            disturbed = true;
        }

        let p_ext = self.w.rates.extension * if late { 5.0 } else { 0.6 };
        if round == 0 && self.ty.extendable && self.chance(p_ext) {
            let deadline = self.deadline();
            let left = self.measure(self.last, deadline, budget.working);
            if left > Duration::minutes(30) {
                let f = self.rng.random_range(0.4..0.9);
                let t = self.measured_add(self.last, scale(left, f), budget.working);
                let ext = self.extension();
                let request = Command { extension: Some(ext), ..opinion("request_extension", OP_EXTEND) };
                let t = self.act(request, &handler, t)?;
                let dispatcher = self.dispatcher();
                let t = self.wall(t, 60.0, 0.05);
                if self.chance(0.85) {
                    self.act(cmd("approve_extension"), &dispatcher, t)?;
                    late = self.chance(miss * 0.4);
                } else {
                    self.act(opinion("deny_extension", OP_DENY_EXTEND), &dispatcher, t)?;
                }
                disturbed = true;
            }
        }

        let deadline = self.deadline();
        let done = if late {
            let over = scale(budget.dur, 0.03 + expo(&mut *self.rng, 0.45).min(6.0));
            self.measured_add(deadline, over, budget.working)
        } else {
            let x = (self.rng.random::<f64>() * self.rng.random::<f64>()).sqrt();
            let f = 0.05 + 0.9 * x;
            if disturbed {
                let left = self.measure(self.last, deadline, budget.working);
                self.measured_add(self.last, scale(left, f), budget.working)
            } else {
                self.measured_add(start, scale(budget.dur, f), budget.working)
            }
        };
        // 12345: the centre urges a unit that runs late.
        if self.stream.is_demand() && late && self.chance(0.6) && self.case.state == handling_state {
            let t = deadline + self.minutes(10.0, 180.0);
            if t + Duration::minutes(5) < done {
                let dispatcher = self.dispatcher();
                self.act(opinion("urge", OP_URGE), &dispatcher, t)?;
            }
        }
        let command = if finish == "feedback" { self.evidence(finish, OP_FIXED) } else { opinion(finish, OP_REPLY) };
        self.act(command, &handler, done)?;
        if self.log.last().is_some_and(|e| e.overdue) {
            self.late = true;
        }
        Ok(())
    }

    fn primary(&self) -> String {
        self.case.units.as_ref().map(|u| u.primary.clone()).unwrap_or_default()
    }

    /// 吹哨报到: a community or street unit that cannot solve a case alone summons the type's
    /// department, which must report in within the `summons` limit and then leads the case (a
    /// summons missed is escalated by the sweep, and the unit above reports in).
    fn whistle(&mut self, unit: &str) -> Result<(), Halt> {
        let p = match role_of(unit) {
            Role::ResidentsCommittee | Role::PropertyService => 0.05,
            Role::StreetStaff => 0.015,
            _ => 0.0,
        };
        if p == 0.0 || !self.ty.extendable || self.case.level == HandlingLevel::District || !self.chance(p) {
            return Ok(());
        }
        let county = &self.county.code;
        let dept = std::iter::once(&self.ty.ty.department)
            .chain(&self.ty.ty.assisting)
            .find(|d| d.as_str() != "street-office")
            .map(|d| format!("{county}:{d}"))
            .unwrap_or_else(|| format!("{county}:urban-management"));
        let caller = self.w.staff(unit, role_of(unit), self.rng);
        let f = self.rng.random_range(0.05..0.3);
        let t = self.measured_add(self.last, scale(self.ty.budget.dur, f), self.ty.budget.working);
        let whistle = Command {
            units: Some(Assignment { primary: dept.clone(), assisting: Vec::new() }),
            ..opinion("whistle", OP_WHISTLE)
        };
        self.act(whistle, &caller, t)?;
        // Each summoned unit reports in, mostly in time; one that misses is escalated by the
        // sweep and the unit above it is summoned in turn.
        let limit = self.wf.step_limit("summons").unwrap_or(TimeLimit { value: 2, unit: TimeUnit::WorkingHours });
        for _ in 0..3 {
            let Some(due) = self.case.summons.iter().filter(|s| s.pending()).map(|s| s.due).min() else {
                break;
            };
            let t = self.last;
            let hours = self.cal.add(t, limit).map(|d| self.measure(t, d, true).num_minutes() as f64 / 60.0);
            let at = self.work(t, hours.unwrap_or(2.0).max(0.5), 0.06);
            if at >= self.w.end {
                return Err(Halt::End);
            }
            if at > due {
                // Missed: the sweep escalates, and the unit above is summoned in turn.
                self.sweep_until(due + Duration::seconds(31))?;
                continue;
            }
            let pending: Vec<String> =
                self.case.summons.iter().filter(|s| s.pending()).map(|s| s.unit.clone()).collect();
            for u in pending {
                let who = self.w.staff(&u, role_of(&u), self.rng);
                let at = self.last.max(at) + self.minutes(2.0, 5.0);
                if at >= self.w.end {
                    return Err(Halt::End);
                }
                self.sweep_until(at)?;
                let summoned = self.case.summons.iter().any(|s| s.pending() && s.unit == u);
                if summoned && matches!(who.role, Role::DepartmentHandler | Role::StreetStaff) {
                    self.act(cmd("report_in"), &who, at)?;
                }
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------------------- event (数字城管)

    fn event(&mut self, reporter: &Actor) -> Result<(), Halt> {
        let t0 = self.last;
        let worker = self.grid.worker.clone();
        // 受理: a patrol's minor problem fixed on the spot; inspector and device reports
        // registered; the public's (and some devices') verified on site first.
        let verify = match self.stream {
            Stream::Patrol => {
                if self.chance(self.ty.fixable) {
                    // Fixed, then reported with the photo of the result.
                    let t = t0 + self.minutes(0.5, 6.0);
                    let c = self.evidence("self_handle", OP_FIXED);
                    self.act(c, reporter, t)?;
                    return Ok(());
                }
                false
            }
            Stream::Device => self.chance(0.15),
            _ => true,
        };
        let intake = self.intake();
        let t = self.wall(t0, 10.0, 0.02);
        if verify {
            let t = self.act(cmd("request_verification"), &intake, t)?;
            let t = self.work(t, 1.0, 0.05);
            let confirm = if self.stream == Stream::Device { 0.6 } else { 0.88 };
            if self.chance(confirm) {
                let c = self.evidence("confirm", "现场核实属实");
                self.act(c, &worker, t)?;
            } else {
                self.act(opinion("deny", OP_DENY), &worker, t)?;
                return Ok(());
            }
        } else {
            self.act(cmd("register"), &intake, t)?;
        }
        // 立案.
        let supervisor = self.supervisor();
        let t = self.wall(self.last, 30.0, 0.02);
        let refuse = if self.stream == Stream::Patrol { 0.01 } else { 0.03 };
        if self.chance(refuse) {
            self.act(opinion("refuse", OP_REFUSE), &supervisor, t)?;
            return Ok(());
        }
        self.act(cmd("file"), &supervisor, t)?;
        // 派遣 (or a duplicate voided).
        let dispatcher = self.dispatcher();
        if self.chance(0.005) {
            let t = self.wall(self.last, 30.0, 0.02);
            self.act(opinion("request_void", OP_VOID), &dispatcher, t)?;
            let t = self.wall(self.last, 60.0, 0.03);
            if self.chance(0.85) {
                self.act(cmd("approve_void"), &supervisor, t)?;
                return Ok(());
            }
            self.act(opinion("deny_void", OP_DENY_VOID), &supervisor, t)?;
        }
        let mut unit = self.case.route.as_ref().map(|r| r.unit.clone()).unwrap_or_default();
        let t = self.wall(self.last, 30.0, 0.02);
        self.act(self.dispatch_to(&unit), &dispatcher, t)?;
        // 回退: the unit says it is not theirs; approved, the case goes elsewhere.
        if self.chance(self.w.rates.returns) {
            let handler = self.w.staff(&unit, role_of(&unit), self.rng);
            let t = self.work(self.last, 2.0, 0.1);
            self.act(opinion("request_return", OP_RETURN), &handler, t)?;
            let t = self.wall(self.last, 60.0, 0.05);
            if self.chance(0.75) {
                self.act(cmd("approve_return"), &dispatcher, t)?;
                unit = self.w.alternative(&unit, self.grid);
                let t = self.wall(self.last, 30.0, 0.05);
                self.act(self.dispatch_to(&unit), &dispatcher, t)?;
            } else {
                self.act(opinion("deny_return", OP_DENY_RETURN), &dispatcher, t)?;
            }
        }
        // 处置, 核查 (返工 when it fails).
        let mut round = 0;
        loop {
            self.handle(round, "feedback")?;
            let t = self.work(self.last, 2.0, 0.03);
            let fail = self.w.rates.rework * if round == 0 { 1.0 } else { 4.0 } * if self.late { 1.5 } else { 1.0 };
            if round < 2 && self.chance(fail) {
                let c = self.evidence("check_fail", OP_CHECK_FAIL);
                self.act(c, &worker, t)?;
                round += 1;
            } else {
                let c = self.evidence("check_pass", "现场核查已整改到位");
                self.act(c, &worker, t)?;
                break;
            }
        }
        // 结案.
        let t = self.wall(self.last, 30.0, 0.01);
        self.act(cmd("close"), &supervisor, t)?;
        // 评价: residents online rate it themselves; callers are called back.
        let rates = match self.stream {
            Stream::EventWeb => 0.55,
            Stream::EventPhone => 0.75,
            _ => 0.0,
        };
        let rated = self.chance(rates);
        match self.stream {
            Stream::EventWeb if rated => {
                let t = self.last + self.minutes(20.0, 4320.0);
                let s = self.satisfaction(round > 0);
                let c = self.rating("rate", s);
                self.act(c, reporter, t)?;
            }
            Stream::EventPhone if rated => {
                let t = self.work(self.last, 7.5, 0.05);
                let s = self.satisfaction(round > 0);
                let c = self.rating("rate_by_phone", s);
                let intake = self.intake();
                self.act(c, &intake, t)?;
            }
            _ => {}
        }
        Ok(())
    }

    // ------------------------------------------------------------------------- demand (12345)

    fn demand(&mut self, reporter: &Actor) -> Result<(), Halt> {
        let t0 = self.last;
        let intake = self.intake();
        // 接: a call is registered at once, an online submission within two hours; some are
        // answered on the spot.
        let t = if self.stream == Stream::Hotline { self.wall(t0, 10.0, 0.02) } else { self.wall(t0, 120.0, 0.04) };
        if self.chance(0.08) {
            self.act(opinion("answer_directly", OP_ANSWER), &intake, t)?;
            return Ok(());
        }
        self.act(cmd("register"), &intake, t)?;
        let dispatcher = self.dispatcher();
        if self.chance(0.015) {
            let t = self.wall(self.last, 30.0, 0.02);
            self.act(opinion("request_void", OP_VOID), &dispatcher, t)?;
            let supervisor = self.supervisor();
            let t = self.work(self.last, 1.0, 0.03);
            if self.chance(0.9) {
                self.act(cmd("approve_void"), &supervisor, t)?;
                return Ok(());
            }
            self.act(opinion("deny_void", OP_DENY_VOID), &supervisor, t)?;
        }
        // 派: to the routed unit (a community's case to its street office).
        let routed = self.case.route.as_ref().map(|r| r.unit.clone()).unwrap_or_default();
        let mut unit = self.w.demand_unit(&routed, self.grid);
        let t = self.wall(self.last, 30.0, 0.03);
        self.act(self.dispatch_to(&unit), &dispatcher, t)?;
        if self.chance(0.004) {
            let t = self.last + self.minutes(5.0, 40.0);
            self.act(opinion("withdraw", OP_WITHDRAW), &dispatcher, t)?;
            unit = self.w.alternative(&unit, self.grid);
            let t = self.wall(self.last, 30.0, 0.03);
            self.act(self.dispatch_to(&unit), &dispatcher, t)?;
        }
        // 签收 or 退单.
        let handler = self.w.staff(&unit, role_of(&unit), self.rng);
        if self.chance(self.w.rates.returns * 1.5) {
            let t = self.work(self.last, 2.0, 0.1);
            self.act(opinion("request_return", OP_RETURN), &handler, t)?;
            let t = self.work(self.last, 1.0, 0.05);
            if self.chance(0.7) {
                self.act(cmd("approve_return"), &dispatcher, t)?;
                unit = self.w.alternative(&unit, self.grid);
                let t = self.wall(self.last, 30.0, 0.03);
                self.act(self.dispatch_to(&unit), &dispatcher, t)?;
            } else {
                self.act(opinion("deny_return", OP_DENY_RETURN), &dispatcher, t)?;
            }
        }
        let handler = if handler.unit == unit { handler } else { self.w.staff(&unit, role_of(&unit), self.rng) };
        let t = self.work(self.last, 2.0, 0.05);
        self.act(cmd("accept"), &handler, t)?;
        // 办, 评: replied, reviewed, called back; re-handled when the reply is sent back or the
        // resident is not satisfied.
        let mut round = 0;
        loop {
            self.handle(round, "reply")?;
            let reject = self.w.rates.rework * 0.5 * if round == 0 { 1.0 } else { 3.0 };
            if round < 2 && self.chance(reject) {
                let t = self.work(self.last, 2.0, 0.02);
                self.act(opinion("reject_reply", OP_REJECT_REPLY), &dispatcher, t)?;
                round += 1;
                continue;
            }
            let caller = self.intake();
            let t = self.work(self.last, 7.5, 0.03);
            if self.chance(0.8) {
                let s = self.satisfaction(round > 0);
                if s == Satisfaction::Dissatisfied && round < 2 && self.chance(0.5) {
                    self.act(opinion("request_rehandle", OP_REHANDLE), &caller, t)?;
                    round += 1;
                    continue;
                }
                let c = self.rating("call_back", s);
                self.act(c, &caller, t)?;
            } else {
                self.act(opinion("call_back_unreached", OP_UNREACHED), &caller, t)?;
            }
            break;
        }
        let supervisor = self.supervisor();
        let t = self.work(self.last, 1.0, 0.02);
        self.act(cmd("close"), &supervisor, t)?;
        // Residents who were not reached may rate online.
        if self.stream == Stream::DemandWeb && self.case.rating.is_none() && self.chance(0.3) {
            let t = self.last + self.minutes(30.0, 2880.0);
            let s = self.satisfaction(round > 0);
            let c = self.rating("rate", s);
            self.act(c, reporter, t)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_keeps_the_total_and_stays_near_the_expected() {
        let e = [0.27, 0.27, 0.27, 3.6, 1.5, 0.09];
        let r = round_to(&e, 6);
        assert_eq!(r.iter().sum::<usize>(), 6);
        for (x, n) in e.iter().zip(&r) {
            assert!((*n as f64 - x).abs() < 1.0, "{e:?} → {r:?}");
        }
        assert_eq!(round_to(&[0.0, 0.0], 0), vec![0, 0]);
    }

    #[test]
    fn month_day_windows_wrap_around_the_new_year() {
        let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert!(in_md(d(1, 10), (11, 15), (3, 15)) && in_md(d(11, 15), (11, 15), (3, 15)));
        assert!(!in_md(d(7, 1), (11, 15), (3, 15)) && !in_md(d(3, 16), (11, 15), (3, 15)));
        assert!(in_md(d(7, 1), (7, 1), (8, 31)) && !in_md(d(9, 1), (7, 1), (8, 31)));
    }

    #[test]
    fn units_act_in_their_roles() {
        assert_eq!(role_of("130202:urban-management"), Role::DepartmentHandler);
        assert_eq!(role_of("130202001:street-office"), Role::StreetStaff);
        assert_eq!(role_of("130202001001:residents_committee"), Role::ResidentsCommittee);
        assert_eq!(role_of("130202001001:property_service"), Role::PropertyService);
    }
}
