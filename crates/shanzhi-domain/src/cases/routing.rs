//! Routing: which unit a new case goes to, and why. By default the lowest level that handles the
//! type (小事不出社区，大事不出街道): the residents' committee, the street office, or the type's
//! department in the county (the city's when the county has none); area rules (data) override.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ids::{DivisionCode, Level};
use crate::org::Departments;
use crate::places::division::{DivisionKind, DivisionTree};
use crate::taxonomy::{EventType, HandlingLevel};

/// What a rule sends a case to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The community's property-service company (urban communities only).
    PropertyService,
    /// The community's residents' (villagers') committee.
    ResidentsCommittee,
    /// The street office of the township.
    StreetOffice,
    /// The type's department, at the county or else the city.
    Department,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    pub area: DivisionCode,
    #[serde(default)]
    pub types: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    pub target: Target,
    pub reason_zh: String,
    pub reason_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRules {
    pub version: String,
    #[serde(default)]
    pub rule: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("routing rules: {0}")]
pub struct RoutingError(String);

impl RoutingRules {
    pub fn from_toml(text: &str) -> Result<RoutingRules, RoutingError> {
        let r: RoutingRules = toml::from_str(text).map_err(|e| RoutingError(e.to_string()))?;
        for rule in &r.rule {
            if rule.types.is_empty() && rule.categories.is_empty() {
                return Err(RoutingError(format!("rule {} names no types or categories", rule.name)));
            }
        }
        Ok(r)
    }
}

/// Where a case goes and why (shown on the case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub unit: String,
    pub assisting: Vec<String>,
    /// `default-community`, `default-street`, `default-department`, `unlocated` or a rule name.
    pub rule: String,
    pub reason_zh: String,
    pub reason_en: String,
}

/// The unit of a department for a case in `community`: the county's where the department exists
/// at county level, the street's (township's) where it exists only there (the street office),
/// else the city's.
fn department_unit(community: &DivisionCode, key: &str, departments: &Departments) -> String {
    let dept = departments.departments.iter().find(|d| d.key == key);
    let at = |l: Level| dept.is_some_and(|d| d.exists_at(l));
    let city = community.ancestor(Level::City).map(|c| c.to_string()).unwrap_or_else(|| "1302".into());
    match (community.ancestor(Level::County), community.parent()) {
        (Some(c), _) if at(Level::County) => format!("{c}:{key}"),
        (_, Some(t)) if at(Level::Township) => format!("{t}:{key}"),
        _ => format!("{city}:{key}"),
    }
}

/// Routes a case of type `ty` whose location lies in `community` (`None`: nowhere known).
pub fn route(
    ty: &EventType,
    community: Option<&DivisionCode>,
    tree: &DivisionTree,
    departments: &Departments,
    rules: &RoutingRules,
) -> Route {
    let Some(community) = community else {
        return Route {
            unit: "1302:command_centre".into(),
            assisting: Vec::new(),
            rule: "unlocated".into(),
            reason_zh: "位置不在任何网格内，由指挥中心人工派遣".into(),
            reason_en: "The location is outside every grid: the command centre dispatches by hand".into(),
        };
    };
    let township = community.parent();
    let urban = tree.get(community).is_some_and(|d| d.kind == DivisionKind::Community);
    let unit_for = |t: Target| -> Option<String> {
        match t {
            Target::PropertyService => urban.then(|| format!("{community}:property_service")),
            Target::ResidentsCommittee => Some(format!("{community}:residents_committee")),
            Target::StreetOffice => township.as_ref().map(|t| format!("{t}:street-office")),
            Target::Department => Some(department_unit(community, &ty.department, departments)),
        }
    };
    let assisting = ty.assisting.iter().map(|k| department_unit(community, k, departments)).collect();
    let code = ty.code.as_str();
    for rule in &rules.rule {
        let matches = rule.area.contains(community)
            && (rule.types.iter().any(|t| t == code) || rule.categories.iter().any(|c| c == ty.code.category()));
        if let (true, Some(unit)) = (matches, unit_for(rule.target)) {
            return Route {
                unit,
                assisting,
                rule: rule.name.clone(),
                reason_zh: rule.reason_zh.clone(),
                reason_en: rule.reason_en.clone(),
            };
        }
    }
    let (target, rule, zh, en) = match ty.level {
        HandlingLevel::Community => (
            Target::ResidentsCommittee,
            "default-community",
            "小事不出社区：该类问题由社区（村）处理",
            "Handled in the community (small matters stay in the community)",
        ),
        HandlingLevel::Street => (
            Target::StreetOffice,
            "default-street",
            "大事不出街道：该类问题由街道（乡镇）处理",
            "Handled by the street office (big matters stay in the street)",
        ),
        HandlingLevel::District => (
            Target::Department,
            "default-department",
            "该类问题由主管部门处置",
            "Handled by the type's responsible department",
        ),
    };
    let unit = unit_for(target).unwrap_or_else(|| department_unit(community, &ty.department, departments));
    Route {
        unit,
        assisting,
        rule: rule.into(),
        reason_zh: format!("{zh}（{}）", ty.name_zh),
        reason_en: format!("{en} ({})", ty.name_en),
    }
}
