//! Data scope (数据权限, RuoYi's `data_scope` mapped onto the area tree): which cases an account may
//! read, list, count and act on. Command-centre staff see their centre's whole area (the city's
//! centre: everything); a department sees what was ever dispatched or whistled to it; a street
//! office its street (and what was assigned to it); a community's organisations and grid workers
//! their community; building heads, residents and devices what they reported themselves. An
//! administrator may give an account more areas and units (its extra scope).

use strum::IntoStaticStr;

use crate::cases::case::{Actor, Case, LogEntry};
use crate::people::Role;

/// What an account may see. The store turns it into a condition on every case query (proven by
/// the permission matrix in `shanzhi-api/tests/http/scope.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataScope {
    /// Every case.
    All,
    /// Cases located in one of the areas (4-digit city, 6-digit county, 9-digit street, 12-digit
    /// community or 15-digit grid codes), and cases ever assigned or summoned to one of the units.
    /// The account's own area and unit come first; a department's scope has no area of its own.
    /// The account (`reporter`) always sees the cases it reported itself, wherever they lie.
    Within { areas: Vec<String>, units: Vec<String>, reporter: String },
    /// Cases the account reported.
    Own(String),
}

/// The rule by which a role's data scope follows from the account's unit (what the
/// administration pages show for each role).
#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
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
        self.into()
    }
}

/// The division code of a unit id (`130202001:street-office` → `130202001`).
pub fn unit_area(unit: &str) -> &str {
    unit.split(':').next().unwrap_or("")
}

/// Why an account's extra data scope is refused (the administrator sees it as a field error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtraScopeError {
    #[error("{0} sees only what they reported themselves: an extra data scope would not apply")]
    OwnOnly(&'static str),
    #[error("the city's command centre sees every case already")]
    SeesAll,
    #[error("`{0}` is neither a division or grid code nor a unit id")]
    Malformed(String),
    #[error("`{0}` is listed twice")]
    Twice(String),
    #[error("at most {0} entries")]
    TooMany(usize),
}

impl ExtraScopeError {
    /// The same in Chinese, for the console.
    pub fn zh(&self) -> String {
        match self {
            ExtraScopeError::OwnOnly(_) => "该角色只能看本人上报的案件，额外数据范围对其不适用".into(),
            ExtraScopeError::SeesAll => "市级指挥中心已能看全部案件，无需额外数据范围".into(),
            ExtraScopeError::Malformed(e) => format!("「{e}」既不是区划或网格代码，也不是单位编号"),
            ExtraScopeError::Twice(e) => format!("「{e}」重复"),
            ExtraScopeError::TooMany(n) => format!("最多 {n} 项"),
        }
    }
}

/// The most entries an extra data scope may hold.
pub const EXTRA_SCOPE_MAX: usize = 50;

/// Whether `entry` is shaped like a unit id (`area:key`); otherwise it is an area code.
pub fn is_unit_entry(entry: &str) -> bool {
    entry.contains(':')
}

/// Whether an extra scope entry has the shape of an area (a 6, 9, 12 or 15-digit code) or a unit
/// id (a 4 to 12-digit area code, `:`, a key), with no blank in it.
fn entry_shaped(e: &str) -> bool {
    let code = unit_area(e);
    let digits = code.bytes().all(|b| b.is_ascii_digit());
    let blank = e.chars().any(char::is_whitespace);
    if is_unit_entry(e) {
        digits && [4, 6, 9, 12].contains(&code.len()) && e.len() > code.len() + 1 && !blank
    } else {
        digits && [6, 9, 12, 15].contains(&code.len())
    }
}

/// The area an account's figures and overview open on by default: its unit's area for staff of a
/// command centre, a street or a community; none for departments (their own unit instead), and
/// for accounts that see only their own reports.
pub fn home_area(actor: &Actor) -> Option<String> {
    match ScopeRule::of(actor.role) {
        ScopeRule::Centre | ScopeRule::Area => Some(unit_area(&actor.unit).to_string()),
        ScopeRule::Units | ScopeRule::Own => None,
    }
}

/// Checks the shape of an account's extra data scope for its role and unit: none for roles that
/// see only their own reports or accounts of the city's centre, each entry a 6, 9, 12 or 15-digit
/// code or a unit id, no entry twice. Whether each names a real division or unit is the
/// application's check (it holds the register).
pub fn check_extra_scope(role: Role, unit: &str, extra: &[String]) -> Result<(), ExtraScopeError> {
    if extra.is_empty() {
        return Ok(());
    }
    match ScopeRule::of(role) {
        ScopeRule::Own => return Err(ExtraScopeError::OwnOnly(role.name_en())),
        ScopeRule::Centre if unit_area(unit).len() <= 4 => return Err(ExtraScopeError::SeesAll),
        _ => {}
    }
    if extra.len() > EXTRA_SCOPE_MAX {
        return Err(ExtraScopeError::TooMany(EXTRA_SCOPE_MAX));
    }
    for (i, e) in extra.iter().enumerate() {
        if !entry_shaped(e) {
            return Err(ExtraScopeError::Malformed(e.clone()));
        }
        if extra[..i].contains(e) {
            return Err(ExtraScopeError::Twice(e.clone()));
        }
    }
    Ok(())
}

impl DataScope {
    /// The scope of an account, from its role's rule, its unit and its extra scope (division
    /// codes and unit ids, see `User::extra_scope`; ignored where the rule gives everything or
    /// only the account's own reports; an entry not shaped like one is skipped, so a stored
    /// value that slipped past the checks never widens a scope).
    pub fn of(actor: &Actor, extra: &[String]) -> DataScope {
        let area = unit_area(&actor.unit).to_string();
        let mut areas = Vec::new();
        match ScopeRule::of(actor.role) {
            ScopeRule::Centre if area.len() <= 4 => return DataScope::All,
            ScopeRule::Own => return DataScope::Own(actor.user.clone()),
            ScopeRule::Centre | ScopeRule::Area => areas.push(area),
            ScopeRule::Units => {}
        }
        let mut units = vec![actor.unit.clone()];
        for e in extra.iter().filter(|e| entry_shaped(e)) {
            let list = if is_unit_entry(e) { &mut units } else { &mut areas };
            if !list.contains(e) {
                list.push(e.clone());
            }
        }
        DataScope::Within { areas, units, reporter: actor.user.clone() }
    }

    /// The scope in which the account may act on cases: its own reports outside its area and
    /// units are for reading and notes, not for acting on (a grid worker's report from another
    /// county is that county's to work).
    pub fn for_acting(&self) -> DataScope {
        match self {
            DataScope::Within { areas, units, .. } => {
                DataScope::Within { areas: areas.clone(), units: units.clone(), reporter: String::new() }
            }
            other => other.clone(),
        }
    }

    /// Whether figures of `area` (and of `unit` in it, when asked) may be shown: an area inside
    /// one of the scope's areas, or one of the scope's units. Figures broken down by unit
    /// (`by_unit`) are every unit's, whatever unit was asked: only an area inside the scope's
    /// areas opens them.
    pub fn may_count(&self, area: Option<&str>, unit: Option<&str>, by_unit: bool) -> bool {
        match self {
            DataScope::All => true,
            DataScope::Within { areas, units, .. } => {
                area.is_some_and(|a| areas.iter().any(|m| a.starts_with(m.as_str())))
                    || (!by_unit && unit.is_some_and(|u| units.iter().any(|m| m == u)))
            }
            DataScope::Own(_) => false,
        }
    }

    /// Whether a unit (its id and the area it serves) may hold cases this scope sees, so that a
    /// desk may filter by it: one of the scope's units, a unit inside one of its areas, or a unit
    /// above one (a county or city department working a case in the area). A reporter's own
    /// scope has none.
    pub fn may_see_unit(&self, unit: &str, area: &str) -> bool {
        match self {
            DataScope::All => true,
            DataScope::Within { areas, units, .. } => {
                // An empty area (an account without a unit's area) opens nothing.
                units.iter().any(|u| u == unit)
                    || areas
                        .iter()
                        .filter(|a| !a.is_empty())
                        .any(|a| a.starts_with(area) || area.starts_with(a.as_str()))
            }
            DataScope::Own(_) => false,
        }
    }

    /// Whether a live event of a case reaches this scope: the case lies in one of the areas, one
    /// of the scope's units is assigned or summoned to it now (`units`), or the account reported
    /// it. The store's rule, which queries use, also counts units assigned earlier; a live event
    /// is about what a unit must do now.
    pub fn admits(&self, county: &str, grid: Option<&str>, reporter: Option<&str>, units: &[String]) -> bool {
        match self {
            DataScope::All => true,
            DataScope::Within { areas, units: mine, reporter: me } => {
                let inside = |area: &String| match area.len() {
                    4 => true,
                    6 => county == area,
                    _ => grid.is_some_and(|g| g.starts_with(area.as_str())),
                };
                areas.iter().any(inside)
                    || units.iter().any(|u| mine.contains(u))
                    || (!me.is_empty() && reporter == Some(me.as_str()))
            }
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

    fn within(areas: &[&str], units: &[&str]) -> DataScope {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        DataScope::Within { areas: owned(areas), units: owned(units), reporter: "u".into() }
    }

    #[test]
    fn every_role_has_a_scope_from_its_unit() {
        assert_eq!(DataScope::of(&actor(Role::Dispatcher, "1302:command_centre"), &[]), DataScope::All);
        assert_eq!(
            DataScope::of(&actor(Role::Dispatcher, "130202:command_centre"), &[]),
            within(&["130202"], &["130202:command_centre"])
        );
        assert_eq!(
            DataScope::of(&actor(Role::DepartmentHandler, "130202:water-supply"), &[]),
            within(&[], &["130202:water-supply"])
        );
        assert_eq!(
            DataScope::of(&actor(Role::GridWorker, "130202001001:residents_committee"), &[]),
            within(&["130202001001"], &["130202001001:residents_committee"])
        );
        assert_eq!(
            DataScope::of(&actor(Role::Resident, "130202001001:residents_committee"), &[]),
            DataScope::Own("u".into())
        );
    }

    #[test]
    fn an_extra_scope_adds_areas_and_units_after_the_accounts_own() {
        let extra = ["130202002".to_string(), "130202:water-supply".to_string(), "130202001".to_string()];
        assert_eq!(
            DataScope::of(&actor(Role::StreetStaff, "130202001:street_office"), &extra),
            within(&["130202001", "130202002"], &["130202001:street_office", "130202:water-supply"]),
            "the own area first, nothing twice"
        );
        assert_eq!(
            DataScope::of(&actor(Role::DepartmentHandler, "1302:urban-management"), &extra[..1]),
            within(&["130202002"], &["1302:urban-management"]),
            "a city department's handler for one street"
        );
        assert_eq!(DataScope::of(&actor(Role::Dispatcher, "1302:command_centre"), &extra), DataScope::All);
        assert_eq!(DataScope::of(&actor(Role::Resident, ""), &extra), DataScope::Own("u".into()));
        let stored = ["1302".to_string(), "abcd:x".to_string(), "130202 002".to_string()];
        assert_eq!(
            DataScope::of(&actor(Role::StreetStaff, "130202001:street_office"), &stored),
            within(&["130202001"], &["130202001:street_office"]),
            "a malformed stored entry (the whole city!) is skipped"
        );
        let street = DataScope::of(&actor(Role::StreetStaff, "130202001:street_office"), &extra);
        assert!(street.may_count(Some("130202002003"), None, true), "figures of the extra street");
        assert!(!street.may_count(Some("130202003"), None, false));
        // A department's handler given a street opens on its own unit, not on the street.
        let dept = actor(Role::DepartmentHandler, "130202:water-supply");
        assert_eq!(home_area(&dept), None);
        assert_eq!(home_area(&actor(Role::StreetStaff, "130202001:street_office")), Some("130202001".into()));
        assert!(street.admits("130202", Some("130202002001001"), None, &[]));
        assert!(street.admits("130203", None, None, &["130202:water-supply".into()]), "the extra unit's cases");
    }

    #[test]
    fn an_extra_scope_is_refused_where_it_would_not_apply_or_is_malformed() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let street = "130202001:street_office";
        assert_eq!(check_extra_scope(Role::StreetStaff, street, &v(&["130202002", "130202:water-supply"])), Ok(()));
        assert_eq!(check_extra_scope(Role::StreetStaff, street, &v(&["1302:water-supply"])), Ok(()));
        assert_eq!(check_extra_scope(Role::Resident, "", &[]), Ok(()), "an empty one fits every role");
        assert!(matches!(check_extra_scope(Role::Resident, "", &v(&["130202"])), Err(ExtraScopeError::OwnOnly(_))));
        assert_eq!(
            check_extra_scope(Role::Dispatcher, "1302:command_centre", &v(&["130202"])),
            Err(ExtraScopeError::SeesAll)
        );
        assert_eq!(check_extra_scope(Role::Dispatcher, "130202:command_centre", &v(&["130203"])), Ok(()));
        for bad in ["1302", "13020", "abc", "130202:", "13020x001", ":x", "abcd:x", "130202:water supply", "13:x"] {
            assert_eq!(
                check_extra_scope(Role::StreetStaff, street, &v(&[bad])),
                Err(ExtraScopeError::Malformed(bad.into())),
                "{bad}"
            );
        }
        assert_eq!(
            check_extra_scope(Role::StreetStaff, street, &v(&["130202002", "130202002"])),
            Err(ExtraScopeError::Twice("130202002".into()))
        );
        let many: Vec<String> = (0..=EXTRA_SCOPE_MAX).map(|i| format!("130202{i:03}")).collect();
        assert_eq!(check_extra_scope(Role::StreetStaff, street, &many), Err(ExtraScopeError::TooMany(EXTRA_SCOPE_MAX)));
    }

    #[test]
    fn live_events_follow_the_area_the_unit_or_the_reporter() {
        let street = within(&["130202001"], &["130202001:street-office"]);
        let grid = Some("130202001001001");
        assert!(street.admits("130202", grid, None, &[]));
        assert!(!street.admits("130202", Some("130202002001001"), None, &[]));
        assert!(street.admits("130203", None, None, &["130202001:street-office".into()]), "assigned to it");
        let county = within(&["130202"], &[]);
        assert!(county.admits("130202", None, None, &[]), "an unlocated case of the county");
        let dept = within(&[], &["130202:water-supply"]);
        assert!(dept.admits("130202", grid, None, &["130202:water-supply".into()]));
        assert!(!dept.admits("130202", grid, None, &["130202:urban-management".into()]));
        assert!(street.admits("130203", None, Some("u"), &[]), "what the account reported, wherever it lies");
        assert!(!street.admits("130203", None, Some("other"), &[]));
        let own = DataScope::Own("jumin".into());
        assert!(own.admits("130202", grid, Some("jumin"), &[]) && !own.admits("130202", grid, Some("other"), &[]));
        assert!(DataScope::All.admits("000000", None, None, &[]));
    }

    #[test]
    fn figures_follow_the_area_or_the_unit() {
        let street = within(&["130202001"], &["130202001:street-office"]);
        let dept = within(&[], &["130202:water-supply"]);
        assert!(street.may_count(Some("130202001002"), None, false) && !street.may_count(Some("130202"), None, false));
        assert!(
            dept.may_count(Some("130202"), Some("130202:water-supply"), false) && !dept.may_count(None, None, false)
        );
        // Every unit's figures of a county are not opened by naming one's own unit.
        assert!(!street.may_count(Some("130202"), Some("130202001:street-office"), true));
        assert!(!street.may_count(Some("1302"), Some("130202001:street-office"), true));
        assert!(street.may_count(Some("1302"), Some("130202001:street-office"), false), "its own unit's figures");
        assert!(!dept.may_count(Some("130202"), Some("130202:water-supply"), true));
        assert!(street.may_count(Some("130202001"), None, true), "its own street, by unit");
    }

    #[test]
    fn a_desk_may_filter_by_the_units_that_hold_cases_it_sees() {
        let street = within(&["130202001"], &["130202001:street-office"]);
        // Units inside its street, and above it (the county's and the city's departments).
        assert!(street.may_see_unit("130202001001:residents_committee", "130202001001"));
        assert!(street.may_see_unit("130202:urban-management", "130202"));
        assert!(street.may_see_unit("1302:urban-management", "1302"));
        // Not another street's or another county's.
        assert!(!street.may_see_unit("130202002:street-office", "130202002"));
        assert!(!street.may_see_unit("130203:urban-management", "130203"));
        // A department sees its own unit only; a resident none; the city every one.
        let dept = within(&[], &["130202:water-supply"]);
        assert!(dept.may_see_unit("130202:water-supply", "130202"));
        assert!(!dept.may_see_unit("130202:urban-management", "130202"));
        assert!(!DataScope::Own("u".into()).may_see_unit("130202:water-supply", "130202"));
        assert!(DataScope::All.may_see_unit("130203:urban-management", "130203"));
    }
}
