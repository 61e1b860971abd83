//! The world a history is generated in, built once from the input and the seed: the workflows,
//! the days, the types, the grids and counties, the centres' staff and the named accounts, and
//! how often a unit misses a limit.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rand_chacha::ChaCha8Rng;

use super::HistoryError;
use super::actors::{County, actor};
use super::config::{HistoryConfig, HistoryInput, HistoryRates};
use super::places::{GridInfo, Places, places};
use super::seasons::{Day, days};
use super::streams::{Stream, hour_profiles};
use super::weights::{TypeInfo, types};
use crate::calendar::WorkCalendar;
use crate::cases::case::Actor;
use crate::cases::workflow::Workflow;
use crate::ids::Level;
use crate::people::{Role, User};

/// How much more often than average a unit (by its key) misses a handling limit.
pub(super) const UNIT_MISS: &[(&str, f64)] = &[
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

pub(super) struct World<'a> {
    pub(super) input: &'a HistoryInput<'a>,
    pub(super) event: &'a Workflow,
    pub(super) demand: &'a Workflow,
    pub(super) cal: &'a WorkCalendar,
    pub(super) rates: HistoryRates,
    pub(super) end: DateTime<Utc>,
    pub(super) days: Vec<Day>,
    pub(super) types: Vec<TypeInfo<'a>>,
    pub(super) grids: Vec<GridInfo>,
    pub(super) counties: Vec<County>,
    pub(super) urban_cdf: Vec<f64>,
    pub(super) urban_idx: Vec<usize>,
    pub(super) rural_cdf: Vec<f64>,
    pub(super) rural_idx: Vec<usize>,
    pub(super) urban_share: f64,
    pub(super) restricted: Vec<(Vec<f64>, Vec<usize>)>,
    pub(super) hours: [Vec<f64>; 5],
    /// 12345 centre staff.
    pub(super) hot_intake: Vec<Actor>,
    pub(super) hot_supervisors: Vec<Actor>,
    pub(super) hot_dispatchers: Vec<Actor>,
    /// Known accounts by unit.
    pub(super) known: HashMap<&'a str, Vec<&'a User>>,
    /// Named devices (role device), if any.
    pub(super) drones: Vec<Actor>,
    /// Units known to exist (street offices), to check alternatives.
    pub(super) streets: HashSet<String>,
}

impl<'a> World<'a> {
    pub(super) fn build(
        input: &'a HistoryInput<'a>,
        event: &'a Workflow,
        demand: &'a Workflow,
        cfg: &HistoryConfig,
        rng: &mut ChaCha8Rng,
    ) -> Result<World<'a>, HistoryError> {
        let cal = input.calendar;
        let days = days(cal, cfg, rng);
        let mut types = types(input, cal);
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
        let Places { grids, counties, urban_cdf, urban_idx, rural_cdf, rural_idx, urban_share, restricted } =
            places(input, &known, &mut types, rng);

        let hours = hour_profiles();
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

    pub(super) fn wf(&self, stream: Stream) -> &'a Workflow {
        if stream.is_demand() { self.demand } else { self.event }
    }

    pub(super) fn miss(&self, ty: &TypeInfo, unit: &str, county: usize, day: &Day) -> f64 {
        let key = unit.rsplit(':').next().unwrap_or("");
        let unit_f = UNIT_MISS.iter().find(|(k, _)| *k == key).map(|(_, f)| *f).unwrap_or(1.1);
        let load = 1.0 + 0.5 * day.snow.min(2.0) + 0.4 * day.rain.min(2.0);
        ((1.0 - self.rates.on_time) * ty.tight * unit_f * self.counties[county].miss * load).clamp(0.0, 0.6)
    }
}
