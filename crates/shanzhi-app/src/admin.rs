//! Administration, for city administrators only: accounts (listed, created, given another role
//! or unit, disabled and enabled, given a new password) and the roles with their data scope and
//! workflow actions (the `Accounts` service); reference data versions (listed, read, imported
//! after a dry run, edited in place) and grids imported (the `ReferenceData` service's
//! administrator's side; the imports themselves are in `imports.rs`); and the audit log, read and
//! verified (on `App`: it records every service). Every change is audited under the
//! administrator's name.

use chrono::{DateTime, NaiveDate, Utc};
use shanzhi_domain::access::{ScopeRule, unit_area};
use shanzhi_domain::accounts::Scope;
use shanzhi_domain::accounts::check_username;
use shanzhi_domain::audit::{AuditEntry, AuditEvent};
use shanzhi_domain::calendar::Holiday;
use shanzhi_domain::calendar::edit as calendar_edit;
use shanzhi_domain::cases::grants;
use shanzhi_domain::edit::EditError;
use shanzhi_domain::people::{Role, UnitKind, User};
use shanzhi_domain::taxonomy::EventType;
use shanzhi_domain::taxonomy::edit;
use shanzhi_store::ReferenceKind;
pub use shanzhi_store::{AccountChange, AuditQuery, AuditReport, UserQuery, UserRow};

use crate::auth::{Caller, hash_password};
use crate::imports::ReferenceData;
use crate::{App, AppError};

/// A new account.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit: String,
    /// None: the account cannot log in until an administrator sets one.
    pub password: Option<String>,
    /// Division codes and unit ids it sees besides its role's scope (`User::extra_scope`).
    pub extra_scope: Vec<String>,
}

/// What an administrator changes about an account (absent: unchanged).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserChange {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub unit: Option<String>,
    pub disabled: Option<bool>,
    /// A new extra data scope (empty: none).
    pub extra_scope: Option<Vec<String>>,
}

/// Which actions of one workflow a role may take, as a new version of the workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleActionsChange {
    pub role: String,
    /// The case kind whose workflow changes (`event`, `demand`, …).
    pub kind: String,
    /// The workflow version in force the change was made from.
    pub based_on: String,
    /// The new version's name.
    pub version: String,
    /// The keys of every action of the workflow the role may take from now on.
    pub actions: Vec<String>,
}

/// The work calendar's daily hours and covered dates, changed as a new calendar version.
#[derive(Debug, Clone, PartialEq)]
pub struct HoursChange {
    /// The calendar version in force the change was made from.
    pub based_on: String,
    /// The new version's name.
    pub version: String,
    /// The working periods of a working day, `HH:MM` to `HH:MM`, in order.
    pub periods: Vec<(String, String)>,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
}

/// A role as the administration pages show it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleInfo {
    pub role: Role,
    pub scope: ScopeRule,
    pub unit_kinds: &'static [UnitKind],
    /// (case kind, action key, Chinese name, English name) of every workflow action it may take.
    pub actions: Vec<(String, String, String, String)>,
    /// Active accounts with the role.
    pub users: usize,
}

/// The versions of one kind of reference data.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceVersions {
    /// `taxonomy`, …, `workflow:event`.
    pub key: String,
    pub versions: Vec<(String, DateTime<Utc>, bool)>,
}

/// What went wrong editing a reference file in place, as the application's error.
fn edit_error(e: EditError) -> AppError {
    match e {
        EditError::Unknown(what) => AppError::NotFound { what },
        EditError::NoVersion => AppError::invalid("version", e.to_string()),
        EditError::Source(_) => AppError::internal(e),
    }
}

/// Whether the caller may administer: the city's administrator, logged in or with a full-scope key.
pub fn require_admin(caller: &Caller) -> Result<(), AppError> {
    if caller.is_anonymous() {
        return Err(AppError::Unauthenticated("log in first".into()).with_zh("请先登录"));
    }
    // The city's administrator (a county's command centre has its own staff, not administrators
    // of the city's accounts and reference data). An API key acting for them passes only with the
    // full scope: a read key made for a reporting system reads no accounts.
    let city = unit_area(&caller.actor.unit).len() <= 4;
    let key_ok = caller.scope.is_none_or(|s| s == Scope::Full);
    if caller.actor.role == Role::CityAdmin && city && key_ok {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "administration is for the city's administrators (an API key needs the full scope)".into(),
        )
        .with_zh("系统管理仅限市级管理员（API 密钥须为完全权限）"))
    }
}

/// An extra scope for an audit entry: its entries, or `none`.
fn scope_detail(extra: &[String]) -> String {
    if extra.is_empty() { "none".into() } else { extra.join(" ") }
}

/// Accounts over the application (`App::accounts`): the city administrator's list, creation,
/// changes, password resets and unlocks of accounts, and the roles to give them; every change
/// audited.
pub struct Accounts<'a> {
    app: &'a App,
}

impl App {
    /// The accounts service.
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts { app: self }
    }
}

impl Accounts<'_> {
    /// A page of accounts, active and disabled.
    pub async fn users(&self, caller: &Caller, q: &UserQuery) -> Result<(Vec<UserRow>, u64), AppError> {
        require_admin(caller)?;
        Ok(self.app.store().user_rows(q).await?)
    }

    /// One account.
    pub async fn user_row(&self, caller: &Caller, username: &str) -> Result<UserRow, AppError> {
        require_admin(caller)?;
        self.app
            .store()
            .user_row(username)
            .await?
            .ok_or_else(|| AppError::NotFound { what: format!("user {username}") })
    }

    /// The role and unit of an account, checked: the role exists, the unit is in the register and
    /// is of a kind the role belongs to.
    fn checked_role_unit(&self, role: &str, unit: &str) -> Result<(Role, String), AppError> {
        let role = Role::parse(role).ok_or_else(|| {
            let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
            AppError::invalid("role", format!("`{role}` is not one of {}", all.join(", ")))
        })?;
        let places = self.app.places();
        let u = places.unit(unit).ok_or_else(|| {
            AppError::invalid("unit", format!("no unit `{unit}`")).with_zh(format!("没有单位「{unit}」"))
        })?;
        if !role.fits(u.kind) {
            let kinds: Vec<&str> = role.unit_kinds().iter().map(|k| k.as_str()).collect();
            return Err(AppError::invalid(
                "unit",
                format!(
                    "a {} belongs to a unit of kind {}; {} is a {}",
                    role.as_str(),
                    kinds.join(" or "),
                    u.name,
                    u.kind.as_str()
                ),
            )
            .with_zh(format!("{}不能属于「{}」：所属单位类型不符", role.name_zh(), u.name)));
        }
        if role == Role::CityAdmin && unit_area(&u.id).len() > 4 {
            return Err(AppError::invalid("unit", "a city administrator belongs to the city's command centre")
                .with_zh("市级管理员须属于市指挥中心"));
        }
        Ok((role, u.id.clone()))
    }

    fn checked_display_name(name: &str) -> Result<String, AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(AppError::invalid("display_name", "1 to 64 characters").with_zh("姓名须为 1 到 64 个字"));
        }
        Ok(name.to_string())
    }

    /// Creates an account (audited `user.create`): the account, its password and the audit entry
    /// are written together or not at all.
    pub async fn create_user(&self, caller: &Caller, new: NewUser) -> Result<UserRow, AppError> {
        require_admin(caller)?;
        check_username(&new.username).map_err(|m| AppError::invalid_in("username", m))?;
        let display_name = Self::checked_display_name(&new.display_name)?;
        let (role, unit) = self.checked_role_unit(&new.role, &new.unit)?;
        let hash = match &new.password {
            Some(p) => {
                self.app
                    .login_policy()
                    .check_password(&new.username, p)
                    .map_err(|m| AppError::invalid_in("password", m))?;
                Some(hash_password(p).await?)
            }
            None => None,
        };
        let extra_scope = self.app.checked_extra_scope(role, &unit, &new.extra_scope)?;
        let user = User { username: new.username.clone(), display_name, role, unit, extra_scope };
        let now = self.app.clock().now();
        let detail = format!(
            "{} at {}{}{}",
            role.as_str(),
            user.unit,
            if user.extra_scope.is_empty() {
                String::new()
            } else {
                format!(", also sees {}", scope_detail(&user.extra_scope))
            },
            if hash.is_some() { ", password set" } else { "" }
        );
        let audit = AuditEvent::new(now, &caller.actor.user, "user.create", &user.username, detail);
        self.app.store().create_account(&user, hash.as_deref(), now, audit).await.map_err(
            |e| match AppError::from(e) {
                AppError::Conflict(m) => AppError::Conflict(m).with_zh(format!("账号「{}」已被使用", user.username)),
                other => other,
            },
        )?;
        self.app.reload_users().await?;
        self.user_row(caller, &user.username).await
    }

    /// Changes an account's name, role, unit or whether it is disabled (audited `user.update`,
    /// `user.disable`, `user.enable`). A new role or unit, or disabling, ends the account's
    /// logins. Administrators cannot disable themselves or give up their own role.
    pub async fn change_user(&self, caller: &Caller, username: &str, change: UserChange) -> Result<UserRow, AppError> {
        let row = self.user_row(caller, username).await?;
        let mut user = row.user.clone();
        if let Some(name) = &change.display_name {
            user.display_name = Self::checked_display_name(name)?;
        }
        if change.role.is_some() || change.unit.is_some() {
            let role = change.role.clone().unwrap_or_else(|| user.role.as_str().to_string());
            let unit = change.unit.clone().unwrap_or_else(|| user.unit.clone());
            (user.role, user.unit) = self.checked_role_unit(&role, &unit)?;
        }
        // The extra scope is checked against the role and unit it will have, given or kept.
        if change.extra_scope.is_some() || user.role != row.user.role || user.unit != row.user.unit {
            let extra = change.extra_scope.as_ref().unwrap_or(&row.user.extra_scope);
            user.extra_scope = self.app.checked_extra_scope(user.role, &user.unit, extra)?;
        }
        let is_self = username == caller.actor.user;
        if is_self && user.role != Role::CityAdmin {
            return Err(AppError::invalid("role", "administrators cannot take away their own role")
                .with_zh("管理员不能取消自己的管理员角色"));
        }
        if is_self && change.disabled == Some(true) {
            return Err(AppError::invalid("disabled", "administrators cannot disable their own account")
                .with_zh("管理员不能停用自己的账号"));
        }
        let now = self.app.clock().now();
        let moved = user.role != row.user.role || user.unit != row.user.unit;
        let disable = change.disabled.filter(|&d| d != row.disabled_at.is_some());
        let mut c = AccountChange { username: username.to_string(), ..AccountChange::default() };
        if user.display_name != row.user.display_name {
            c.display_name = Some(user.display_name.clone());
        }
        if moved {
            (c.role, c.unit) = (Some(user.role), Some(user.unit.clone()));
        }
        if c.display_name.is_some() || moved {
            let detail = format!(
                "{} at {} (was {} at {})",
                user.role.as_str(),
                user.unit,
                row.user.role.as_str(),
                row.user.unit
            );
            c.audit.push(AuditEvent::new(now, &caller.actor.user, "user.update", username, detail));
        }
        let sorted = |v: &[String]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        if sorted(&user.extra_scope) == sorted(&row.user.extra_scope) {
            // The same entries, perhaps in another order: nothing to write or audit.
            user.extra_scope = row.user.extra_scope.clone();
        }
        if user.extra_scope != row.user.extra_scope {
            let detail = format!("{} (was {})", scope_detail(&user.extra_scope), scope_detail(&row.user.extra_scope));
            c.audit.push(AuditEvent::new(now, &caller.actor.user, "user.scope", username, detail));
            c.extra_scope = Some(user.extra_scope.clone());
        }
        if let Some(d) = disable {
            c.disabled = Some(d.then_some(now));
            let action = if d { "user.disable" } else { "user.enable" };
            c.audit.push(AuditEvent::new(now, &caller.actor.user, action, username, ""));
        }
        if c.audit.is_empty() {
            return Ok(row);
        }
        // A new role or unit, or disabling, ends every login of the account, in the same
        // transaction as the change (its API keys follow the account: they stop while it is
        // disabled and work again when it is enabled).
        if moved || disable == Some(true) {
            c.end_logins = Some(None);
        }
        // Forgotten before and after the write: no request admitted meanwhile keeps the old account.
        self.app.forget_logins_of(username);
        let ended = self.app.store().change_account(&c, now).await?;
        self.app.forget_logins_of(username);
        if ended > 0 {
            tracing::info!(username, ended, "logins ended by an administrator's change");
        }
        self.app.reload_users().await?;
        self.user_row(caller, username).await
    }

    /// Sets an account's password (audited `auth.set_password`) and ends its other logins (an
    /// administrator setting their own keeps the login they are using), in one transaction.
    pub async fn reset_password(&self, caller: &Caller, username: &str, password: &str) -> Result<(), AppError> {
        require_admin(caller)?;
        if self.app.store().user_row(username).await?.is_none() {
            return Err(AppError::NotFound { what: format!("user {username}") });
        }
        self.app.login_policy().check_password(username, password).map_err(|m| AppError::invalid_in("password", m))?;
        let now = self.app.clock().now();
        let keep = if username == caller.actor.user { caller.token_hash().map(str::to_string) } else { None };
        let c = AccountChange {
            username: username.to_string(),
            password_hash: Some(hash_password(password).await?),
            end_logins: Some(keep),
            audit: vec![AuditEvent::new(now, &caller.actor.user, "auth.set_password", username, "by an administrator")],
            ..AccountChange::default()
        };
        self.app.forget_logins_of(username);
        self.app.store().change_account(&c, now).await?;
        self.app.forget_logins_of(username);
        // A new password lifts every lock of the name.
        self.app.store().clear_login_failures(username).await?;
        Ok(())
    }

    /// Lifts every lock of a name and forgets its failed logins, from every address (a person
    /// locked out by someone else's guessing calls the administrator). Audited `auth.unlock`;
    /// answers how many entries were cleared. A name without an account can be unlocked too.
    pub async fn unlock_user(&self, caller: &Caller, username: &str) -> Result<u64, AppError> {
        require_admin(caller)?;
        if username.is_empty() || username.chars().count() > 64 {
            return Err(AppError::invalid("username", "a name has 1 to 64 characters"));
        }
        self.unlock_by(&caller.actor.user, username).await
    }

    /// [`Accounts::unlock_user`] by the operator of the database (`shanzhi unlock`).
    pub async fn unlock_as_operator(&self, username: &str) -> Result<u64, AppError> {
        self.unlock_by("operator", username).await
    }

    async fn unlock_by(&self, by: &str, username: &str) -> Result<u64, AppError> {
        let cleared = self.app.store().clear_login_failures(username).await?;
        self.app.audit(by, "auth.unlock", username, format!("{cleared} lock entries cleared")).await?;
        Ok(cleared)
    }

    /// The roles: data scope rule, the units they belong to, what the workflows let them do.
    pub fn roles(&self, caller: &Caller) -> Result<Vec<RoleInfo>, AppError> {
        require_admin(caller)?;
        let reference = self.app.reference();
        let mut kinds: Vec<&String> = reference.workflows.keys().collect();
        kinds.sort();
        let users = self.app.users.read().expect("users lock").clone();
        Ok(Role::ALL
            .into_iter()
            .map(|role| RoleInfo {
                role,
                scope: ScopeRule::of(role),
                unit_kinds: role.unit_kinds(),
                actions: kinds
                    .iter()
                    .flat_map(|k| {
                        reference.workflows[*k]
                            .actions()
                            .iter()
                            .filter(|a| a.roles.contains(&role))
                            .map(|a| ((*k).clone(), a.key.clone(), a.name_zh.clone(), a.name_en.clone()))
                    })
                    .collect(),
                users: users.values().filter(|u| u.role == role).count(),
            })
            .collect())
    }
}

impl ReferenceData<'_> {
    /// Every kind of reference data with its versions (newest first), the current one marked.
    pub async fn versions(&self, caller: &Caller) -> Result<Vec<ReferenceVersions>, AppError> {
        require_admin(caller)?;
        let mut kinds = ReferenceKind::singles().to_vec();
        let mut workflows: Vec<String> = self.app.reference().workflows.keys().cloned().collect();
        workflows.sort();
        kinds.extend(workflows.into_iter().map(ReferenceKind::Workflow));
        kinds.extend(self.app.reference().registers.keys().cloned().map(ReferenceKind::Register));
        let mut out = Vec::with_capacity(kinds.len());
        for kind in kinds {
            let mut versions: Vec<(String, DateTime<Utc>, bool)> = self
                .app
                .store()
                .references(kind.clone())
                .await?
                .into_iter()
                .map(|r| (r.version, r.imported_at, r.is_current))
                .collect();
            versions.sort_by_key(|v| std::cmp::Reverse(v.1));
            out.push(ReferenceVersions { key: kind.key(), versions });
        }
        Ok(out)
    }

    /// The text of one stored version.
    pub async fn source(&self, caller: &Caller, key: &str, version: &str) -> Result<String, AppError> {
        require_admin(caller)?;
        let kind =
            ReferenceKind::from_key(key).ok_or_else(|| AppError::NotFound { what: format!("reference {key}") })?;
        self.app
            .store()
            .references(kind)
            .await?
            .into_iter()
            .find(|r| r.version == version)
            .map(|r| r.source)
            .ok_or_else(|| AppError::NotFound { what: format!("{key} version {version}") })
    }

    /// Imports (or, with `dry_run`, checks) a reference file as the administrator.
    pub async fn import_as(
        &self,
        caller: &Caller,
        kind: &str,
        text: &str,
        dry_run: bool,
    ) -> Result<crate::imports::Imported, AppError> {
        require_admin(caller)?;
        self.import_by(&caller.actor.user, kind, text, dry_run).await
    }

    /// Changes one type of the catalogue in force (its names, department, level, time limit,
    /// urgency, filing and closing conditions) as a new version `version`, made from the text in
    /// force (which must be the version `based_on`) and checked and put in force like an imported
    /// file; with `dry_run`, only checked.
    /// Cases already open keep the deadlines they have; new steps follow the new version.
    pub async fn edit_taxonomy_type_as(
        &self,
        caller: &Caller,
        based_on: &str,
        version: &str,
        change: &EventType,
        dry_run: bool,
    ) -> Result<crate::imports::Imported, AppError> {
        require_admin(caller)?;
        let code = &change.code;
        let current = self.current_source(ReferenceKind::Taxonomy, based_on).await?;
        let text = edit::with_type(&current, version, change).map_err(edit_error)?;
        let detail = format!(
            "version {}: department {}, level {}, limit {} {}, urgency {}",
            version.trim(),
            change.department,
            change.level.as_str(),
            change.limit.value,
            change.limit.unit.as_str(),
            change.urgency.as_str()
        );
        let event = self.edit_event(caller, "taxonomy.type", code.as_str(), detail);
        self.import_guarded(&caller.actor.user, "taxonomy", &text, dry_run, Some(based_on), vec![event]).await
    }

    /// Adds, replaces or removes a holiday of the work calendar in force (`old`: its Chinese name
    /// and first rest day; `new`: none to remove) as a new version `version`, checked and put in
    /// force like an imported file; with `dry_run`, only checked. Deadlines already set stay.
    pub async fn edit_holiday_as(
        &self,
        caller: &Caller,
        based_on: &str,
        version: &str,
        old: Option<(&str, NaiveDate)>,
        new: Option<&Holiday>,
        dry_run: bool,
    ) -> Result<crate::imports::Imported, AppError> {
        require_admin(caller)?;
        let current = self.current_source(ReferenceKind::Calendar, based_on).await?;
        let text = calendar_edit::with_holiday(&current, version, old, new).map_err(edit_error)?;
        let what = match (old, new) {
            (Some((name, first)), Some(_)) => format!("replaced {name} from {first}"),
            (Some((name, first)), None) => format!("removed {name} from {first}"),
            (None, Some(h)) => format!("added {}", h.name_zh),
            (None, None) => "nothing".into(),
        };
        let event = self.edit_event(caller, "calendar.holiday", version.trim(), what);
        self.import_guarded(&caller.actor.user, "calendar", &text, dry_run, Some(based_on), vec![event]).await
    }

    /// Changes the work calendar's daily hours and the dates it covers as a new version, made
    /// from the one in force (which must be `based_on`), checked and put in force like an
    /// imported file; with `dry_run`, only checked. Deadlines already set stay; new steps are
    /// timed on the new hours. Audited `calendar.hours`.
    pub async fn edit_work_hours_as(
        &self,
        caller: &Caller,
        change: &HoursChange,
        dry_run: bool,
    ) -> Result<crate::imports::Imported, AppError> {
        require_admin(caller)?;
        let current = self.current_source(ReferenceKind::Calendar, &change.based_on).await?;
        // The calendar must keep answering for today (open cases' clocks run on it).
        let cal = self.app.reference().calendar.clone();
        let today = self.app.clock().now().with_timezone(&cal.utc_offset()).date_naive();
        if !(change.valid_from..=change.valid_to).contains(&today) {
            return Err(AppError::invalid(
                "valid_to",
                format!("the dates covered must include today, {today}: open cases are timed on them"),
            )
            .with_zh(format!("日历覆盖日期须包含今天（{today}），在办案件按它计时")));
        }
        let periods: Vec<(String, String)> =
            change.periods.iter().map(|(s, e)| (s.trim().to_string(), e.trim().to_string())).collect();
        let same_hours = cal
            .work_periods()
            .iter()
            .map(|p| (p.start.format("%H:%M").to_string(), p.end.format("%H:%M").to_string()))
            .eq(periods.iter().cloned());
        if same_hours && cal.valid_from() == change.valid_from && cal.valid_to() == change.valid_to {
            return Err(AppError::invalid("work_periods", "the hours and dates are those in force already")
                .with_zh("工作时间与覆盖日期与现行版本相同，无需保存"));
        }
        let text = calendar_edit::with_hours(&current, &change.version, &periods, change.valid_from, change.valid_to)
            .map_err(edit_error)?;
        let hours: Vec<String> = periods.iter().map(|(s, e)| format!("{s}-{e}")).collect();
        let detail = format!("{}, {}..={}", hours.join(" "), change.valid_from, change.valid_to);
        let event = self.edit_event(caller, "calendar.hours", change.version.trim(), detail);
        let based_on = Some(change.based_on.as_str());
        self.import_guarded(&caller.actor.user, "calendar", &text, dry_run, based_on, vec![event]).await
    }

    /// Sets which actions of a workflow a role may take as a new version of that workflow, made
    /// from the one in force (which must be `based_on`), checked and put in force like an
    /// imported file (every action keeps a role); with `dry_run`, only checked. Audited
    /// `role.actions` with what was gained and lost.
    pub async fn edit_role_actions_as(
        &self,
        caller: &Caller,
        change: &RoleActionsChange,
        dry_run: bool,
    ) -> Result<crate::imports::Imported, AppError> {
        require_admin(caller)?;
        let RoleActionsChange { role, kind, based_on, version, actions } = change;
        let (kind, actions) = (kind.as_str(), actions.as_slice());
        let role = Role::parse(role).ok_or_else(|| AppError::NotFound { what: format!("role {role}") })?;
        if !self.app.reference().workflows.contains_key(kind) {
            return Err(AppError::NotFound { what: format!("workflow {kind}") });
        }
        let current = self.current_source(ReferenceKind::Workflow(kind.to_string()), based_on).await?;
        let granted = grants::with_role_actions(&current, version, role, actions).map_err(|e| match e {
            EditError::Unknown(what) => AppError::invalid("actions", format!("{what} is not in workflow {kind}")),
            other => edit_error(other),
        })?;
        if granted.added.is_empty() && granted.removed.is_empty() {
            return Err(AppError::invalid("actions", format!("the {} may take these actions already", role.as_str()))
                .with_zh(format!("{}已可办理这些操作，无需保存", role.name_zh())));
        }
        let list = |v: &[String]| if v.is_empty() { "none".to_string() } else { v.join(" ") };
        let detail = format!(
            "workflow {kind} version {}: gained {}, lost {}",
            version.trim(),
            list(&granted.added),
            list(&granted.removed)
        );
        let event = self.edit_event(caller, "role.actions", role.as_str(), detail);
        let text = &granted.text;
        self.import_guarded(&caller.actor.user, "workflow", text, dry_run, Some(based_on), vec![event]).await
    }

    /// The audit entry of a change made in the page, written with the new version it makes.
    fn edit_event(&self, caller: &Caller, action: &str, target: &str, detail: String) -> AuditEvent {
        AuditEvent::new(self.app.clock().now(), &caller.actor.user, action, target, detail)
    }

    /// The text of the version in force of a kind of reference data, which must be `based_on`,
    /// the version the change was made from: two administrators editing at once, or an edit and
    /// an import, must not silently undo each other (the store checks it again when it writes,
    /// `put_reference_guarded`).
    async fn current_source(&self, kind: ReferenceKind, based_on: &str) -> Result<String, AppError> {
        let key = kind.key();
        let current = self.app.store().references(kind).await?.into_iter().find(|r| r.is_current);
        let current = current.ok_or_else(|| AppError::internal(format!("no {key} is in force")))?;
        if current.version != based_on {
            return Err(AppError::Conflict(format!(
                "the {key} in force is version {}, not {based_on}, which this change was made from: reload and make it again",
                current.version
            )));
        }
        Ok(current.source)
    }

    /// Imports (or checks) grids from GeoJSON as the administrator.
    pub async fn import_grids_as(
        &self,
        caller: &Caller,
        text: String,
        dry_run: bool,
    ) -> Result<crate::imports::Imported, AppError> {
        require_admin(caller)?;
        self.import_grids_by(&caller.actor.user, text, dry_run).await
    }
}

impl App {
    /// A page of the audit log, newest first (city administrators).
    pub async fn audit_log(&self, caller: &Caller, q: &AuditQuery) -> Result<Vec<AuditEntry>, AppError> {
        require_admin(caller)?;
        Ok(self.store().audit_page(q).await?)
    }

    /// What an audit action is called (Chinese, English): a case's step by its workflow's name
    /// for it (`case.dispatch`: 派遣), the rest from the audit's own list; an unknown one as is.
    pub fn audit_action_name(&self, action: &str) -> (String, String) {
        if let Some((zh, en)) = shanzhi_domain::audit::action_name(action) {
            return (zh.into(), en.into());
        }
        if let Some(step) = action.strip_prefix("case.") {
            // The entry does not say the case's kind: an action that kinds name differently
            // (派遣 of an event, 派单 of a 12345 order) is named both ways.
            let reference = self.reference();
            let mut names: Vec<(String, String)> = Vec::new();
            let mut kinds: Vec<&shanzhi_domain::cases::workflow::Workflow> = reference.workflows.values().collect();
            kinds.sort_by(|a, b| a.kind.cmp(&b.kind));
            for a in kinds.into_iter().filter_map(|wf| wf.action(step)) {
                if !names.iter().any(|(zh, _)| *zh == a.name_zh) {
                    names.push((a.name_zh.clone(), a.name_en.clone()));
                }
            }
            if names.is_empty()
                && let Some((zh, en)) = shanzhi_domain::cases::notes::name(step)
            {
                names.push((zh.into(), en.into()));
            }
            if !names.is_empty() {
                let zh: Vec<&str> = names.iter().map(|(zh, _)| zh.as_str()).collect();
                let mut en: Vec<&str> = Vec::new();
                for (_, e) in &names {
                    if !en.contains(&e.as_str()) {
                        en.push(e);
                    }
                }
                return (format!("案件·{}", zh.join("／")), format!("Case: {}", en.join(" / ")));
            }
        }
        (action.into(), action.into())
    }

    /// Checks the whole audit chain, link by link, and says where it breaks if it does (city
    /// administrators); the check itself is audited with its result.
    pub async fn verify_audit_as(&self, caller: &Caller) -> Result<AuditReport, AppError> {
        require_admin(caller)?;
        let report = self.store().verify_audit(|_| {}).await?;
        let result = match &report.broken {
            None => format!("{} entries, intact", report.entries),
            Some(b) => format!("{} entries, then broken: {b}", report.entries),
        };
        self.audit(&caller.actor.user, "audit.verify", "audit_log", result).await?;
        Ok(report)
    }
}
