//! Reference data: the files shipped in `data/` (embedded in the binary), and loading the current
//! versions from the store, importing the shipped ones on first start.

use chrono::{DateTime, Utc};
use shanzhi_domain::calendar::WorkCalendar;
use std::collections::HashMap;

use shanzhi_domain::cases::duplicates::DuplicateRules;
use shanzhi_domain::cases::figures::assessment::Assessment;
use shanzhi_domain::cases::grants::upgraded_from_shipped;
use shanzhi_domain::cases::routing::RoutingRules;
use shanzhi_domain::cases::workflow::Workflow;
use shanzhi_domain::org::Departments;
use shanzhi_domain::taxonomy::Taxonomy;
use shanzhi_store::{ReferenceKind, Store};

use crate::{App, AppError, Reference};

/// The files shipped with shanzhi.
pub mod shipped {
    pub const DIVISIONS: &str = include_str!("../../../data/places/tangshan-divisions.csv");
    pub const COUNTIES: &str = include_str!("../../../data/places/tangshan-counties.geojson");
    pub const ZONE_HOSTS: &str = include_str!("../../../data/places/zone-hosts.csv");
    pub const DEPARTMENTS: &str = include_str!("../../../data/org/departments.toml");
    pub const TAXONOMY: &str = include_str!("../../../data/taxonomy/tangshan-2026.1.toml");
    pub const CALENDAR: &str = include_str!("../../../data/calendar/cn-2025-2027.toml");
    pub const ROUTING: &str = include_str!("../../../data/routing/tangshan.toml");
    pub const DUPLICATES: &str = include_str!("../../../data/duplicates/tangshan.toml");
    pub const ASSESSMENT: &str = include_str!("../../../data/assessment/weights.toml");
    /// The everyday problems the resident's report page offers first.
    pub const EVERYDAY: &str = include_str!("../../../data/resident/everyday.toml");
    /// The workflows of the case kinds.
    pub const WORKFLOWS: &[&str] = &[
        include_str!("../../../data/workflows/event.toml"),
        include_str!("../../../data/workflows/demand.toml"),
        include_str!("../../../data/workflows/mediation.toml"),
    ];
    /// The registers of the grid (一标三实).
    pub const REGISTERS: &[&str] = &[
        include_str!("../../../data/registers/house.toml"),
        include_str!("../../../data/registers/person.toml"),
        include_str!("../../../data/registers/org.toml"),
    ];
}

fn invalid(kind: ReferenceKind, e: impl std::fmt::Display) -> AppError {
    AppError::invalid(kind.name(), e.to_string())
}

pub fn parse_departments(text: &str) -> Result<Departments, AppError> {
    Departments::from_toml(text).map_err(|e| invalid(ReferenceKind::Departments, e))
}

pub fn parse_taxonomy(text: &str, departments: &Departments) -> Result<Taxonomy, AppError> {
    Taxonomy::from_toml(text, departments).map_err(|e| invalid(ReferenceKind::Taxonomy, e))
}

pub fn parse_calendar(text: &str) -> Result<WorkCalendar, AppError> {
    WorkCalendar::from_toml(text).map_err(|e| invalid(ReferenceKind::Calendar, e))
}

pub fn parse_routing(text: &str) -> Result<RoutingRules, AppError> {
    RoutingRules::from_toml(text).map_err(|e| invalid(ReferenceKind::Routing, e))
}

pub fn parse_duplicates(text: &str) -> Result<DuplicateRules, AppError> {
    DuplicateRules::from_toml(text).map_err(|e| invalid(ReferenceKind::Duplicates, e))
}

pub fn parse_assessment(text: &str) -> Result<Assessment, AppError> {
    Assessment::from_toml(text).map_err(|e| invalid(ReferenceKind::Assessment, e))
}

pub fn parse_register(text: &str) -> Result<shanzhi_domain::registers::Register, AppError> {
    shanzhi_domain::registers::Register::from_toml(text).map_err(|e| invalid(ReferenceKind::Register(String::new()), e))
}

pub fn parse_workflow(text: &str) -> Result<Workflow, AppError> {
    Workflow::from_toml(text).map_err(|e| invalid(ReferenceKind::Workflow(String::new()), e))
}

/// The current text of a kind, storing the shipped file as its first version when none exists.
async fn current_text(
    store: &Store,
    kind: ReferenceKind,
    version: &str,
    shipped: &str,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    if let Some(r) = store.current_reference(kind.clone()).await? {
        return Ok(r.source);
    }
    store.put_reference(kind, version, shipped, now).await?;
    Ok(shipped.to_string())
}

/// The current version of every kind: what was imported last, else the shipped file (stored as
/// the first version on first start).
pub async fn load_current(store: &Store, now: DateTime<Utc>) -> Result<Reference, AppError> {
    let shipped_deps = parse_departments(shipped::DEPARTMENTS)?;
    let deps_text =
        current_text(store, ReferenceKind::Departments, &shipped_deps.version, shipped::DEPARTMENTS, now).await?;
    let departments = parse_departments(&deps_text)?;
    let shipped_tax = parse_taxonomy(shipped::TAXONOMY, &departments)?;
    let tax_text = current_text(store, ReferenceKind::Taxonomy, &shipped_tax.version, shipped::TAXONOMY, now).await?;
    let taxonomy = parse_taxonomy(&tax_text, &departments)?;
    let shipped_cal = parse_calendar(shipped::CALENDAR)?;
    let cal_text = current_text(store, ReferenceKind::Calendar, shipped_cal.version(), shipped::CALENDAR, now).await?;
    let calendar = parse_calendar(&cal_text)?;
    let shipped_routing = parse_routing(shipped::ROUTING)?;
    let routing = parse_routing(
        &current_text(store, ReferenceKind::Routing, &shipped_routing.version, shipped::ROUTING, now).await?,
    )?;
    let shipped_dups = parse_duplicates(shipped::DUPLICATES)?;
    let duplicates = parse_duplicates(
        &current_text(store, ReferenceKind::Duplicates, &shipped_dups.version, shipped::DUPLICATES, now).await?,
    )?;
    let shipped_weights = parse_assessment(shipped::ASSESSMENT)?;
    let assessment = parse_assessment(
        &current_text(store, ReferenceKind::Assessment, &shipped_weights.version, shipped::ASSESSMENT, now).await?,
    )?;
    let mut workflows = HashMap::new();
    for text in shipped::WORKFLOWS {
        let wf = parse_workflow(text)?;
        let kind = ReferenceKind::Workflow(wf.kind.clone());
        let current_text = current_text(store, kind.clone(), &wf.version, text, now).await?;
        let current = parse_workflow(&current_text)?;
        let current = match upgraded_from_shipped(&current_text, &format!("{}+counts", current.version), &wf) {
            // Stored before actions declared what they count: it keeps counting what it did.
            Ok(Some(upgraded)) => {
                let upgraded_wf = parse_workflow(&upgraded)?;
                store.put_reference(kind, &upgraded_wf.version, &upgraded, now).await?;
                tracing::info!(version = %upgraded_wf.version, "workflow given the shipped counts of its actions");
                upgraded_wf
            }
            Ok(None) => current,
            Err(e) => return Err(invalid(ReferenceKind::Workflow(wf.kind.clone()), e)),
        };
        workflows.insert(current.kind.clone(), current);
    }
    // Kinds a city added (people's mediation, service applications, …).
    for kind in store.workflow_kinds().await? {
        if !workflows.contains_key(&kind)
            && let Some(r) = store.current_reference(ReferenceKind::Workflow(kind.clone())).await?
        {
            let wf = parse_workflow(&r.source)?;
            workflows.insert(wf.kind.clone(), wf);
        }
    }
    let mut registers = std::collections::BTreeMap::new();
    for text in shipped::REGISTERS {
        let r = parse_register(text)?;
        let current = current_text(store, ReferenceKind::Register(r.register.clone()), &r.version, text, now).await?;
        let current = parse_register(&current)?;
        registers.insert(current.register.clone(), current);
    }
    for key in store.register_keys().await? {
        if !registers.contains_key(&key)
            && let Some(r) = store.current_reference(ReferenceKind::Register(key.clone())).await?
        {
            let r = parse_register(&r.source)?;
            registers.insert(r.register.clone(), r);
        }
    }
    Ok(Reference { departments, taxonomy, calendar, workflows, routing, duplicates, assessment, registers })
}

/// The shipped everyday problems (checked by the tests: a broken file fails them, not a server).
fn everyday() -> &'static shanzhi_domain::everyday::Everyday {
    static LIST: std::sync::LazyLock<shanzhi_domain::everyday::Everyday> = std::sync::LazyLock::new(|| {
        shanzhi_domain::everyday::Everyday::from_toml(shipped::EVERYDAY).expect("data/resident/everyday.toml")
    });
    &LIST
}

/// An everyday problem in force, with its type's names.
#[derive(Debug, Clone, PartialEq)]
pub struct EverydayProblem {
    pub problem: shanzhi_domain::everyday::Problem,
    pub type_name_zh: String,
    pub type_name_en: String,
}

impl App {
    /// The everyday problems a resident may report as now (the list's version and its problems
    /// whose kind and type are in force), in the list's order.
    pub fn everyday_problems(&self) -> (String, Vec<EverydayProblem>) {
        let reference = self.reference();
        let list = everyday();
        let kinds: Vec<&str> = reference.workflows.keys().map(String::as_str).collect();
        let problems = list
            .in_force(&reference.taxonomy, &kinds)
            .map(|p| {
                let ty = reference.taxonomy.get(&p.type_code);
                EverydayProblem {
                    problem: p.clone(),
                    type_name_zh: ty.map(|t| t.name_zh.clone()).unwrap_or_default(),
                    type_name_en: ty.map(|t| t.name_en.clone()).unwrap_or_default(),
                }
            })
            .collect();
        (list.version.clone(), problems)
    }
}
