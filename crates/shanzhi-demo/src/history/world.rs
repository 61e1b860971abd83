//! The world a history is generated in, built once from the input and the seed (the workflows,
//! the days, the types, the places, the 12345 centre and the named accounts), and how often a
//! unit misses a limit.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rand_chacha::ChaCha8Rng;

use super::HistoryError;
use super::actors::{Centre, actor};
use super::config::{HistoryConfig, HistoryInput, HistoryRates};
use super::places::Places;
use super::seasons::{Day, days};
use super::streams::{Stream, hour_profiles};
use super::weights::{TypeInfo, types};
use shanzhi_domain::calendar::WorkCalendar;
use shanzhi_domain::cases::case::Actor;
use shanzhi_domain::cases::workflow::Workflow;
use shanzhi_domain::people::{Role, User};

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

pub(super) struct World<'a> {
    pub(super) input: &'a HistoryInput<'a>,
    event: &'a Workflow,
    demand: &'a Workflow,
    pub(super) cal: &'a WorkCalendar,
    pub(super) rates: HistoryRates,
    pub(super) end: DateTime<Utc>,
    pub(super) days: Vec<Day>,
    pub(super) types: Vec<TypeInfo<'a>>,
    pub(super) places: Places,
    /// The hour profiles (`streams::hour_profiles`).
    pub(super) hours: [Vec<f64>; 5],
    /// The 12345 centre's staff.
    pub(super) hotline: Centre,
    /// Known accounts by unit.
    pub(super) known: HashMap<&'a str, Vec<&'a User>>,
    /// Named devices (role device), if any.
    pub(super) drones: Vec<Actor>,
}

impl<'a> World<'a> {
    /// Draws, in this order, the days' weather, then each grid's weight and each county's miss
    /// factor.
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
        let places = Places::new(input, &known, &mut types, rng);
        let hotline = Centre::hotline(&known);

        Ok(World {
            input,
            event,
            demand,
            cal,
            rates: cfg.rates,
            end: cfg.end,
            days,
            types,
            places,
            hours: hour_profiles(),
            hotline,
            known,
            drones,
        })
    }

    pub(super) fn wf(&self, stream: Stream) -> &'a Workflow {
        if stream.is_demand() { self.demand } else { self.event }
    }

    pub(super) fn miss(&self, ty: &TypeInfo, unit: &str, county: usize, day: &Day) -> f64 {
        let key = unit.rsplit(':').next().unwrap_or("");
        let unit_f = UNIT_MISS.iter().find(|(k, _)| *k == key).map(|(_, f)| *f).unwrap_or(1.1);
        let load = 1.0 + 0.5 * day.snow.min(2.0) + 0.4 * day.rain.min(2.0);
        ((1.0 - self.rates.on_time) * ty.tight * unit_f * self.places.counties[county].miss * load).clamp(0.0, 0.6)
    }
}
