//! Data scope (数据权限, RuoYi's `data_scope` mapped onto the area tree): which cases an account may
//! read, list, count and act on. Command-centre staff see their centre's whole area (the city's
//! centre: everything); a department sees what was ever dispatched or whistled to it; a street
//! office its street (and what was assigned to it); a community's organisations and grid workers
//! their community; building heads, residents and devices what they reported themselves.

use crate::cases::case::{Actor, Case, LogEntry};
use crate::people::Role;

/// What an account may see. The store turns it into a condition on every case query (proven by
/// the permission matrix in `shanzhi-api/tests/http/scope.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataScope {
    /// Every case.
    All,
    /// Cases located in an area (a 6-digit county, 9-digit street or 12-digit community code),
    /// and cases ever assigned to one of the units.
    Area { area: String, units: Vec<String> },
    /// Cases ever assigned or summoned to one of the units.
    Units(Vec<String>),
    /// Cases the account reported.
    Own(String),
}

/// The rule by which a role's data scope follows from the account's unit (what the
/// administration pages show for each role).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeRule {
    /// Command-centre staff: everything at the city's centre, the county at a county's.
    Centre,
    /// The unit's area (street or community), and cases assigned to the unit.
    Area,
    /// Cases ever assigned or summoned to the unit (departments).
    Units,
    /// The account's own reports.
    Own,
}

impl ScopeRule {
    pub fn of(role: Role) -> ScopeRule {
        match role {
            Role::CityAdmin | Role::IntakeOperator | Role::ShiftSupervisor | Role::Dispatcher => ScopeRule::Centre,
            Role::DepartmentHandler => ScopeRule::Units,
            Role::StreetStaff
            | Role::PartyOrganisation
            | Role::ResidentsCommittee
            | Role::OwnersCommittee
            | Role::PropertyService
            | Role::ServiceStation
            | Role::GridWorker => ScopeRule::Area,
            Role::BuildingHead | Role::Resident | Role::Device => ScopeRule::Own,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ScopeRule::Centre => "centre",
            ScopeRule::Area => "area",
            ScopeRule::Units => "units",
            ScopeRule::Own => "own",
        }
    }
}

/// The division code of a unit id (`130202001:street-office` → `130202001`).
pub fn unit_area(unit: &str) -> &str {
    unit.split(':').next().unwrap_or("")
}

impl DataScope {
    /// The scope of an account, from its role's rule and its unit.
    pub fn of(actor: &Actor) -> DataScope {
        let area = unit_area(&actor.unit).to_string();
        let unit = vec![actor.unit.clone()];
        match ScopeRule::of(actor.role) {
            ScopeRule::Centre if area.len() <= 4 => DataScope::All,
            ScopeRule::Centre | ScopeRule::Area => DataScope::Area { area, units: unit },
            ScopeRule::Units => DataScope::Units(unit),
            ScopeRule::Own => DataScope::Own(actor.user.clone()),
        }
    }

    /// Whether figures of `area` (and `unit`, when asked) may be shown: an area inside the scope's
    /// area, or a department's own unit.
    pub fn may_count(&self, area: Option<&str>, unit: Option<&str>) -> bool {
        match self {
            DataScope::All => true,
            DataScope::Area { area: mine, .. } => area.is_some_and(|a| a.starts_with(mine.as_str())),
            DataScope::Units(mine) => unit.is_some_and(|u| mine.iter().any(|m| m == u)),
            DataScope::Own(_) => false,
        }
    }
}

impl DataScope {
    /// Whether a live event of a case reaches this scope: the case lies in the area, one of the
    /// scope's units is assigned or summoned to it now (`units`), or the account reported it. The
    /// store's rule, which queries use, also counts units assigned earlier; a live event is about
    /// what a unit must do now.
    pub fn admits(&self, county: &str, grid: Option<&str>, reporter: Option<&str>, units: &[String]) -> bool {
        let involved = |mine: &[String]| units.iter().any(|u| mine.contains(u));
        match self {
            DataScope::All => true,
            DataScope::Area { area, units: mine } => {
                let inside =
                    if area.len() == 6 { county == area } else { grid.is_some_and(|g| g.starts_with(area.as_str())) };
                inside || involved(mine)
            }
            DataScope::Units(mine) => involved(mine),
            DataScope::Own(user) => reporter == Some(user.as_str()),
        }
    }
}

/// The units a case has been assigned (primary or assisting) or summoned to, as far as the case
/// and the given log entries show, each once.
pub fn involved_units<'a>(case: &Case, entries: impl IntoIterator<Item = &'a LogEntry>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |u: &str| {
        if !u.is_empty() && !out.iter().any(|o| o == u) {
            out.push(u.to_string());
        }
    };
    let assignments = case.units.iter().chain(entries.into_iter().filter_map(|e| e.units.as_ref()));
    for a in assignments {
        add(&a.primary);
        a.assisting.iter().for_each(|u| add(u));
    }
    case.summons.iter().for_each(|s| add(&s.unit));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, unit: &str) -> Actor {
        Actor { user: "u".into(), role, unit: unit.into() }
    }

    #[test]
    fn every_role_has_a_scope_from_its_unit() {
        assert_eq!(DataScope::of(&actor(Role::Dispatcher, "1302:command_centre")), DataScope::All);
        assert_eq!(
            DataScope::of(&actor(Role::Dispatcher, "130202:command_centre")),
            DataScope::Area { area: "130202".into(), units: vec!["130202:command_centre".into()] }
        );
        assert_eq!(
            DataScope::of(&actor(Role::DepartmentHandler, "130202:water-supply")),
            DataScope::Units(vec!["130202:water-supply".into()])
        );
        assert_eq!(
            DataScope::of(&actor(Role::GridWorker, "130202001001:residents_committee")),
            DataScope::Area { area: "130202001001".into(), units: vec!["130202001001:residents_committee".into()] }
        );
        assert_eq!(
            DataScope::of(&actor(Role::Resident, "130202001001:residents_committee")),
            DataScope::Own("u".into())
        );
    }

    #[test]
    fn live_events_follow_the_area_the_unit_or_the_reporter() {
        let street = DataScope::Area { area: "130202001".into(), units: vec!["130202001:street-office".into()] };
        let grid = Some("130202001001001");
        assert!(street.admits("130202", grid, None, &[]));
        assert!(!street.admits("130202", Some("130202002001001"), None, &[]));
        assert!(street.admits("130203", None, None, &["130202001:street-office".into()]), "assigned to it");
        let county = DataScope::Area { area: "130202".into(), units: vec![] };
        assert!(county.admits("130202", None, None, &[]), "an unlocated case of the county");
        let dept = DataScope::Units(vec!["130202:water-supply".into()]);
        assert!(dept.admits("130202", grid, None, &["130202:water-supply".into()]));
        assert!(!dept.admits("130202", grid, None, &["130202:urban-management".into()]));
        let own = DataScope::Own("jumin".into());
        assert!(own.admits("130202", grid, Some("jumin"), &[]) && !own.admits("130202", grid, Some("other"), &[]));
        assert!(DataScope::All.admits("000000", None, None, &[]));
    }

    #[test]
    fn figures_follow_the_area_or_the_unit() {
        let street = DataScope::Area { area: "130202001".into(), units: vec!["130202001:street-office".into()] };
        let dept = DataScope::Units(vec!["130202:water-supply".into()]);
        assert!(street.may_count(Some("130202001002"), None) && !street.may_count(Some("130202"), None));
        assert!(dept.may_count(Some("130202"), Some("130202:water-supply")) && !dept.may_count(None, None));
    }
}
