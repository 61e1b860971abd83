//! Wire types of administration: accounts, roles, units to choose from, reference data versions,
//! the work calendar, and what an import did.

use serde::{Deserialize, Serialize};
use shanzhi_app::admin::{ReferenceVersions, RoleInfo, UserRow};
use shanzhi_app::reindex::Rebuild;
use shanzhi_app::scopes::ScopeEntry;
use shanzhi_domain::calendar::WorkCalendar;
use shanzhi_domain::cases::workflow::Workflow;
use utoipa::ToSchema;

/// An account as the administrator sees it.
#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub role_zh: String,
    pub unit: String,
    /// The unit's name (the id when the unit is no longer in the register).
    pub unit_name: String,
    /// When an administrator disabled it; absent: active.
    pub disabled_at: Option<String>,
    /// Whether it has a password (without one it cannot log in).
    pub has_password: bool,
    /// Locked after failed logins until then.
    pub locked_until: Option<String>,
    /// What it sees besides its role's data scope (自定义数据权限), each entry named.
    pub extra_scope: Vec<ScopeEntryDto>,
}

/// An area (county, street, community, grid) or a unit of an account's extra data scope.
#[derive(Serialize, ToSchema)]
pub struct ScopeEntryDto {
    /// A division or grid code, or a unit id.
    pub id: String,
    /// The division's names from the county down, the grid's, or the unit's.
    pub name: String,
    /// county | township | village | grid, or the unit's kind (department, street_office, …).
    pub kind: String,
}

impl From<ScopeEntry> for ScopeEntryDto {
    fn from(e: ScopeEntry) -> Self {
        ScopeEntryDto { id: e.id, name: e.name, kind: e.kind.into() }
    }
}

impl UserDto {
    pub fn new(r: UserRow, unit_name: String, extra_scope: Vec<ScopeEntry>) -> UserDto {
        UserDto {
            extra_scope: extra_scope.into_iter().map(Into::into).collect(),
            username: r.user.username,
            display_name: r.user.display_name,
            role: r.user.role.as_str().into(),
            role_zh: r.user.role.name_zh().into(),
            unit: r.user.unit,
            unit_name,
            disabled_at: r.disabled_at.map(|t| t.to_rfc3339()),
            has_password: r.has_password,
            locked_until: r.locked_until.map(|t| t.to_rfc3339()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserPageDto {
    /// Accounts matching the filters, in all.
    pub total: u64,
    pub items: Vec<UserDto>,
}

/// A new account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserDto {
    /// 2–32 lower-case letters, digits, `-`, `_`, `.`, starting with a letter.
    pub username: String,
    pub display_name: String,
    /// A role code (`GET /api/v1/admin/roles`).
    pub role: String,
    /// A unit id of a kind the role belongs to (`GET /api/v1/admin/units`).
    pub unit: String,
    /// Its first password (the login policy applies); absent: it cannot log in yet.
    pub password: Option<String>,
    /// Division codes (county, street, community, grid) and unit ids it sees besides its role's
    /// data scope (`GET /api/v1/admin/scope-entries`); not for roles that see only their own
    /// reports, nor the city's command centre, which sees everything.
    #[serde(default)]
    pub extra_scope: Vec<String>,
}

/// What to change about an account (absent fields stay as they are).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChangeDto {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub unit: Option<String>,
    /// true: disable (its logins end); false: enable again.
    pub disabled: Option<bool>,
    /// The whole new extra data scope (`[]`: none); takes effect at once, its logins go on.
    pub extra_scope: Option<Vec<String>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPasswordDto {
    pub password: String,
}

/// A workflow action a role may take.
#[derive(Serialize, ToSchema)]
pub struct RoleActionDto {
    /// The case kind (`event`, `demand`, …).
    pub kind: String,
    pub action: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A role: its data scope rule, the units it belongs to, what it may do.
#[derive(Serialize, ToSchema)]
pub struct RoleDto {
    pub role: String,
    pub name_zh: String,
    pub name_en: String,
    /// centre (everything at the city's centre, the county at a county's) | area (the unit's
    /// street or community, and cases assigned to the unit) | units (cases assigned or summoned to
    /// the unit) | own (own reports)
    pub data_scope: String,
    pub unit_kinds: Vec<String>,
    pub actions: Vec<RoleActionDto>,
    /// Active accounts with this role.
    pub users: usize,
}

impl From<RoleInfo> for RoleDto {
    fn from(r: RoleInfo) -> Self {
        RoleDto {
            role: r.role.as_str().into(),
            name_zh: r.role.name_zh().into(),
            name_en: r.role.name_en().into(),
            data_scope: r.scope.as_str().into(),
            unit_kinds: r.unit_kinds.iter().map(|k| k.as_str().to_string()).collect(),
            actions: r
                .actions
                .into_iter()
                .map(|(kind, action, name_zh, name_en)| RoleActionDto { kind, action, name_zh, name_en })
                .collect(),
            users: r.users,
        }
    }
}

/// A unit to choose: for an account, or for a desk's unit filter.
#[derive(Serialize, ToSchema)]
pub struct UnitDto {
    pub id: String,
    pub name: String,
    /// command_centre | department | street_office | party_organisation | residents_committee |
    /// owners_committee | property_service | building_heads | service_station
    pub kind: String,
    pub area: String,
}

impl From<&shanzhi_domain::people::Unit> for UnitDto {
    fn from(u: &shanzhi_domain::people::Unit) -> Self {
        UnitDto { id: u.id.clone(), name: u.name.clone(), kind: u.kind.as_str().into(), area: u.area.to_string() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReferenceVersionDto {
    pub version: String,
    pub imported_at: String,
    pub current: bool,
}

/// One kind of reference data and its versions, newest first.
#[derive(Serialize, ToSchema)]
pub struct ReferenceKindDto {
    /// taxonomy | calendar | departments | routing | duplicates | assessment | workflow:<kind>
    pub key: String,
    pub versions: Vec<ReferenceVersionDto>,
}

impl From<ReferenceVersions> for ReferenceKindDto {
    fn from(r: ReferenceVersions) -> Self {
        ReferenceKindDto {
            key: r.key,
            versions: r
                .versions
                .into_iter()
                .map(|(version, at, current)| ReferenceVersionDto { version, imported_at: at.to_rfc3339(), current })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DepartmentDto {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReferenceOverviewDto {
    pub kinds: Vec<ReferenceKindDto>,
    /// The departments in force (taxonomy types name them by key).
    pub departments: Vec<DepartmentDto>,
}

/// The work calendar's daily hours and the dates it covers, changed in the administration page
/// as a new calendar version.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkHoursDto {
    /// The calendar version in force the change was made from; another in force meanwhile is a
    /// conflict.
    pub based_on: String,
    /// The name of the new calendar version (not used before).
    pub version: String,
    /// The working periods of a working day, in order: `[["08:30", "12:00"], ["13:30", "17:30"]]`.
    pub work_periods: Vec<(String, String)>,
    /// The first and last dates the calendar covers (YYYY-MM-DD); every holiday must lie inside.
    pub valid_from: String,
    pub valid_to: String,
}

/// A workflow with every action and the roles that may take it (the roles page's matrix).
#[derive(Serialize, ToSchema)]
pub struct WorkflowRolesDto {
    /// The case kind (`event`, `demand`, …).
    pub kind: String,
    /// The version in force.
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    pub actions: Vec<WorkflowActionDto>,
}

/// An action of a workflow and who may take it.
#[derive(Serialize, ToSchema)]
pub struct WorkflowActionDto {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    /// Role codes.
    pub roles: Vec<String>,
    /// Who among those with a role: role (anyone) | assigned_unit (the case's primary unit) |
    /// reporter (who reported it) | summoned (a unit with an unanswered summons).
    pub party: String,
}

impl From<&Workflow> for WorkflowRolesDto {
    fn from(wf: &Workflow) -> Self {
        WorkflowRolesDto {
            kind: wf.kind.clone(),
            version: wf.version.clone(),
            name_zh: wf.name_zh.clone(),
            name_en: wf.name_en.clone(),
            actions: wf
                .actions()
                .iter()
                .map(|a| WorkflowActionDto {
                    key: a.key.clone(),
                    name_zh: a.name_zh.clone(),
                    name_en: a.name_en.clone(),
                    roles: a.roles.iter().map(|r| r.as_str().to_string()).collect(),
                    party: a.party.as_str().into(),
                })
                .collect(),
        }
    }
}

/// Which actions of one workflow a role may take from now on, as a new version of the workflow.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleActionsDto {
    /// The workflow version in force the change was made from; another in force meanwhile is a
    /// conflict.
    pub based_on: String,
    /// The name of the new workflow version (not used before).
    pub version: String,
    /// The keys of every action of the workflow the role may take (the others it may not).
    pub actions: Vec<String>,
}

/// The full-text index's last rebuild, or how far the running one is.
#[derive(Serialize, ToSchema)]
pub struct SearchRebuildDto {
    pub running: bool,
    /// Who started it, and when (absent: none since this server started).
    pub by: Option<String>,
    pub started_at: Option<String>,
    /// Cases indexed so far, of how many.
    pub done: u64,
    pub total: u64,
    pub finished_at: Option<String>,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

impl From<Rebuild> for SearchRebuildDto {
    fn from(r: Rebuild) -> Self {
        SearchRebuildDto {
            running: r.running,
            by: r.by,
            started_at: r.started_at.map(|t| t.to_rfc3339()),
            done: r.done,
            total: r.total,
            finished_at: r.finished_at.map(|t| t.to_rfc3339()),
            error: r.error,
        }
    }
}

/// What an import did, or with `dry_run`, would do.
#[derive(Serialize, ToSchema)]
pub struct ImportedDto {
    /// The version imported (empty for grids).
    pub version: String,
    /// Types, rules, actions or grids in the file.
    pub items: usize,
    /// true: only checked, nothing written.
    pub dry_run: bool,
}

#[derive(Serialize, ToSchema)]
pub struct HolidayDto {
    pub name_zh: String,
    pub name_en: String,
    /// Rest days (dates, YYYY-MM-DD, local).
    pub days: Vec<String>,
    /// Weekend days worked instead (调休上班).
    pub make_up_workdays: Vec<String>,
    /// Not yet published by the State Council: derived, to be replaced.
    pub provisional: bool,
}

/// The work calendar in force: what deadlines in working time count.
#[derive(Serialize, ToSchema)]
pub struct CalendarDto {
    pub version: String,
    pub utc_offset: String,
    pub valid_from: String,
    pub valid_to: String,
    /// The working hours of a working day, local time.
    pub work_periods: Vec<[String; 2]>,
    pub holidays: Vec<HolidayDto>,
}

impl From<&WorkCalendar> for CalendarDto {
    fn from(c: &WorkCalendar) -> Self {
        CalendarDto {
            version: c.version().into(),
            utc_offset: c.utc_offset().to_string(),
            valid_from: c.valid_from().to_string(),
            valid_to: c.valid_to().to_string(),
            work_periods: c
                .work_periods()
                .iter()
                .map(|p| [p.start.format("%H:%M").to_string(), p.end.format("%H:%M").to_string()])
                .collect(),
            holidays: c
                .holidays()
                .iter()
                .map(|h| HolidayDto {
                    name_zh: h.name_zh.clone(),
                    name_en: h.name_en.clone(),
                    days: h.days.iter().map(|d| d.to_string()).collect(),
                    make_up_workdays: h.make_up_workdays.iter().map(|d| d.to_string()).collect(),
                    provisional: h.provisional,
                })
                .collect(),
        }
    }
}

/// One entry of the audit chain.
#[derive(Serialize, ToSchema)]
pub struct AuditEntryDto {
    /// Its place in the chain.
    pub seq: i64,
    /// RFC 3339.
    pub at: String,
    /// Who: a username, `system`, or a resident's `anon:…`.
    pub actor: String,
    /// Who, by name: the account's display name (系统, 居民 for the system and residents).
    pub actor_name: String,
    pub actor_name_en: String,
    /// What, e.g. `user.create`, `case.dispatch`, `personal_data.unmask`.
    pub action: String,
    /// What, by name (新建用户, 案件·派遣).
    pub action_name: String,
    pub action_name_en: String,
    /// On what: a case id, a username, a reference kind …
    pub target: String,
    pub detail: String,
}

impl AuditEntryDto {
    /// An entry with its actor and action named.
    pub fn named(e: shanzhi_domain::audit::AuditEntry, app: &shanzhi_app::App) -> Self {
        let (action_name, action_name_en) = app.audit_action_name(&e.action);
        AuditEntryDto {
            seq: e.seq,
            at: e.at.to_rfc3339(),
            actor_name: app.person_name(&e.actor, false),
            actor_name_en: app.person_name(&e.actor, true),
            actor: e.actor,
            action_name,
            action_name_en,
            action: e.action,
            target: e.target,
            detail: e.detail,
        }
    }
}

/// A page of the audit log, newest first.
#[derive(Serialize, ToSchema)]
pub struct AuditPageDto {
    pub items: Vec<AuditEntryDto>,
    /// Give this as `before` for the next (older) page; none: this is the last.
    pub next_before: Option<i64>,
}

/// What a check of the whole audit chain found.
#[derive(Serialize, ToSchema)]
pub struct AuditCheckDto {
    /// Entries checked (up to the break, if any).
    pub entries: i64,
    /// Every link holds and the chain ends where its head says.
    pub intact: bool,
    /// Where and how it breaks.
    pub problem: Option<String>,
}

/// A type's rules as changed in the administration page: made into a new version of the
/// catalogue (`version`), everything else of the catalogue kept.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TypeEditDto {
    /// The version in force the change was made from; another in force meanwhile is a conflict.
    pub based_on: String,
    /// The name of the new catalogue version (not used before).
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    /// The lead department's key (`GET /api/v1/admin/reference` lists them).
    pub department: String,
    #[serde(default)]
    pub assisting: Vec<String>,
    /// `normal` or `urgent`.
    pub urgency: String,
    /// The lowest handling level: `community`, `street` or `district`.
    pub level: String,
    pub limit: LimitDto,
    pub filing_zh: String,
    pub closing_zh: String,
}

/// A time limit.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitDto {
    pub value: u32,
    /// `minutes`, `calendar_hours`, `working_hours` or `working_days`.
    pub unit: String,
}

/// A holiday of the work calendar added, replaced or removed in the administration page, as a
/// new version of the calendar (`version`): with `replaces` and `holiday`, that holiday replaced;
/// with `replaces` only, removed; with `holiday` only, added.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayChangeDto {
    /// The version in force the change was made from; another in force meanwhile is a conflict.
    pub based_on: String,
    /// The name of the new calendar version (not used before).
    pub version: String,
    pub replaces: Option<HolidayKeyDto>,
    pub holiday: Option<HolidayInDto>,
}

/// Which holiday: its Chinese name and first rest day.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayKeyDto {
    pub name_zh: String,
    /// `YYYY-MM-DD`.
    pub first_day: String,
}

/// A holiday: its rest days (weekend days inside the period included) and make-up working days
/// (Saturdays and Sundays), as `YYYY-MM-DD`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayInDto {
    pub name_zh: String,
    pub name_en: String,
    pub days: Vec<String>,
    #[serde(default)]
    pub make_up_workdays: Vec<String>,
    /// Derived, not yet from the State Council's notice.
    #[serde(default)]
    pub provisional: bool,
}
