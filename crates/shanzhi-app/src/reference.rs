//! Reference data: the files shipped in `data/` (embedded in the binary), and loading the current
//! versions from the store, importing the shipped ones on first start.

use chrono::{DateTime, Utc};
use shanzhi_domain::calendar::WorkCalendar;
use shanzhi_domain::cases::routing::RoutingRules;
use shanzhi_domain::cases::workflow::Workflow;
use shanzhi_domain::org::Departments;
use shanzhi_domain::taxonomy::Taxonomy;
use shanzhi_store::{ReferenceKind, Store};

use crate::{AppError, Reference};

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
    /// The workflows of the case kinds.
    pub const WORKFLOWS: &[&str] =
        &[include_str!("../../../data/workflows/event.toml"), include_str!("../../../data/workflows/demand.toml")];
}

fn invalid(kind: ReferenceKind, e: impl std::fmt::Display) -> AppError {
    AppError::invalid(kind.as_str(), e.to_string())
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

/// The current text of a kind, storing the shipped file as its first version when none exists.
async fn current_text(
    store: &Store,
    kind: ReferenceKind,
    version: &str,
    shipped: &str,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    if let Some(r) = store.current_reference(kind).await? {
        return Ok(r.source);
    }
    store.put_reference(kind, version, shipped, now).await?;
    Ok(shipped.to_string())
}

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
    let mut workflows = std::collections::HashMap::new();
    for text in shipped::WORKFLOWS {
        let wf = Workflow::from_toml(text).map_err(|e| AppError::invalid("workflow", e.to_string()))?;
        workflows.insert(wf.kind.clone(), wf);
    }
    let routing = RoutingRules::from_toml(shipped::ROUTING).map_err(|e| AppError::invalid("routing", e.to_string()))?;
    let duplicates = shanzhi_domain::cases::duplicates::DuplicateRules::from_toml(shipped::DUPLICATES)
        .map_err(|e| AppError::invalid("duplicates", e.to_string()))?;
    let assessment = shanzhi_domain::cases::figures::assessment::Assessment::from_toml(shipped::ASSESSMENT)
        .map_err(|e| AppError::invalid("assessment", e.to_string()))?;
    Ok(Reference { departments, taxonomy, calendar, workflows, routing, duplicates, assessment })
}
