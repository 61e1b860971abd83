//! Administration over HTTP (city administrators): accounts, roles, units to choose from,
//! reference data versions and imports, grid imports with their validation report. The work
//! calendar in force is public, like the taxonomy.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use shanzhi_app::App;
use shanzhi_app::admin::{AuditQuery, HoursChange, NewUser, RoleActionsChange, UserChange, UserQuery, UserRow};
use shanzhi_app::auth::Caller;
use shanzhi_domain::calendar::Holiday;
use shanzhi_domain::people::Role;
use shanzhi_domain::taxonomy::{EventType, TypeCode, TypeCodeError};
use shanzhi_domain::time_limit::TimeLimit;

use crate::dto_admin::{
    AuditCheckDto, AuditEntryDto, AuditPageDto, CalendarDto, DepartmentDto, HolidayChangeDto, ImportedDto,
    NewPasswordDto, NewUserDto, ReferenceOverviewDto, RoleDto, ScopeEntryDto, TypeEditDto, UnitDto, UserChangeDto,
    UserDto, UserPageDto,
};
use crate::dto_admin::{RoleActionsDto, SearchRebuildDto, WorkHoursDto, WorkflowRolesDto};
use crate::error::ApiError;
use crate::query::Query;
use crate::routes::auth::Authed;
use crate::routes::body;
use crate::routes::cases::within;
use shanzhi_app::admin::require_admin;

fn user_dto(app: &App, row: UserRow) -> UserDto {
    let name = app.unit_name(&row.user.unit);
    let extra = app.scope_entries(&row.user.extra_scope);
    UserDto::new(row, name, extra)
}

/// Whether an edit or an import only checks.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DryRun {
    /// Check only; nothing is written
    dry_run: Option<bool>,
}

/// An in-page edit's input, the caller's permission checked first: whether it is a dry run, and
/// the change.
fn edit_input<T: serde::de::DeserializeOwned>(
    caller: &Caller,
    q: &DryRun,
    bytes: &Bytes,
) -> Result<(bool, T), ApiError> {
    require_admin(caller)?;
    Ok((q.dry_run.unwrap_or(false), body(bytes)?))
}

/// A date field (YYYY-MM-DD), or a 400 naming it.
fn date(field: &str, text: &str) -> Result<NaiveDate, ApiError> {
    text.parse::<NaiveDate>()
        .map_err(|_| ApiError::invalid(field, format!("{field}: `{text}` is not a date (YYYY-MM-DD)")))
}

/// An import's input, the caller's permission checked first: whether it is a dry run, and the file.
fn import_input(caller: &Caller, q: &DryRun, bytes: &Bytes) -> Result<(bool, String), ApiError> {
    require_admin(caller)?;
    Ok((q.dry_run.unwrap_or(false), text_body(bytes, "body")?))
}

fn text_body(bytes: &Bytes, field: &str) -> Result<String, ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ApiError::invalid(field, "the body is not UTF-8 text"))?;
    if text.contains('\0') {
        return Err(ApiError::invalid(field, "the body may not contain a NUL character"));
    }
    Ok(text.to_string())
}

/// The query parameters of the account list.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    /// Part of the username or display name
    q: Option<String>,
    /// A role code
    #[param(value_type = Option<String>)]
    role: Option<Role>,
    /// A unit id, or a division code (units in that area)
    unit: Option<String>,
    /// true: only disabled accounts; false: only active ones
    disabled: Option<bool>,
    /// From 1
    #[param(minimum = 1)]
    page: Option<u64>,
    /// 1 to 200 (default 50)
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u64>,
}

/// Accounts, active and disabled, with filters, a page at a time in username order.
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", params(UserListParams),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = UserPageDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError)))]
pub async fn list_users(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(q): Query<UserListParams>,
) -> Result<Json<UserPageDto>, ApiError> {
    let per_page = within("per_page", q.per_page, 50, 200)?;
    let page = within("page", q.page, 1, 1_000_000)?;
    let query = UserQuery {
        text: q.q,
        role: q.role,
        unit: q.unit,
        disabled: q.disabled,
        offset: (page - 1) * per_page,
        limit: per_page,
    };
    let (rows, total) = app.accounts().users(&caller, &query).await?;
    Ok(Json(UserPageDto { total, items: rows.into_iter().map(|r| user_dto(&app, r)).collect() }))
}

/// Creates an account. Its username is checked (no `anonymous`, no `:`), its unit must be of a
/// kind its role belongs to, and its password (if given) must meet the login policy. Audited.
#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", request_body = NewUserDto,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, body = UserDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 409, body = ApiError)))]
pub async fn create_user(
    State(app): State<App>,
    Authed(caller): Authed,
    bytes: Bytes,
) -> Result<(StatusCode, Json<UserDto>), ApiError> {
    require_admin(&caller)?;
    let dto: NewUserDto = body(&bytes)?;
    let new = NewUser {
        username: dto.username,
        display_name: dto.display_name,
        role: dto.role,
        unit: dto.unit,
        password: dto.password,
        extra_scope: dto.extra_scope,
    };
    let row = app.accounts().create_user(&caller, new).await?;
    Ok((StatusCode::CREATED, Json(user_dto(&app, row))))
}

/// One account.
#[utoipa::path(get, path = "/api/v1/admin/users/{username}", tag = "admin", params(("username" = String, Path)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = UserDto), (status = 401, body = ApiError), (status = 403, body = ApiError),
              (status = 404, body = ApiError)))]
pub async fn show_user(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(username): Path<String>,
) -> Result<Json<UserDto>, ApiError> {
    Ok(Json(user_dto(&app, app.accounts().user_row(&caller, &username).await?)))
}

/// Changes an account's display name, role, unit, or disables or enables it. A new role or unit,
/// or disabling, ends its logins at once; a disabled account's API keys stop working. Audited.
#[utoipa::path(patch, path = "/api/v1/admin/users/{username}", tag = "admin", params(("username" = String, Path)),
    request_body = UserChangeDto, security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = UserDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn change_user(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(username): Path<String>,
    bytes: Bytes,
) -> Result<Json<UserDto>, ApiError> {
    require_admin(&caller)?;
    let dto: UserChangeDto = body(&bytes)?;
    let change = UserChange {
        display_name: dto.display_name,
        role: dto.role,
        unit: dto.unit,
        disabled: dto.disabled,
        extra_scope: dto.extra_scope,
    };
    Ok(Json(user_dto(&app, app.accounts().change_user(&caller, &username, change).await?)))
}

/// Sets an account's password (the login policy applies); its other logins end. Audited.
#[utoipa::path(post, path = "/api/v1/admin/users/{username}/password", tag = "admin",
    params(("username" = String, Path)), request_body = NewPasswordDto, security(("bearer" = []), ("api_key" = [])),
    responses((status = 204), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn reset_password(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(username): Path<String>,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    require_admin(&caller)?;
    let dto: NewPasswordDto = body(&bytes)?;
    app.accounts().reset_password(&caller, &username, &dto.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts every lock of an account's name and forgets its failed logins, from every address.
/// Audited `auth.unlock`.
#[utoipa::path(post, path = "/api/v1/admin/users/{username}/unlock", tag = "admin",
    params(("username" = String, Path)), security(("bearer" = []), ("api_key" = [])),
    responses((status = 204), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError)))]
pub async fn unlock_user(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    require_admin(&caller)?;
    app.accounts().unlock_user(&caller, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The roles: each one's data scope rule, the kinds of unit its accounts belong to, the workflow
/// actions it may take, and how many active accounts have it.
#[utoipa::path(get, path = "/api/v1/admin/roles", tag = "admin", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = Vec<RoleDto>), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn roles(State(app): State<App>, Authed(caller): Authed) -> Result<Json<Vec<RoleDto>>, ApiError> {
    Ok(Json(app.accounts().roles(&caller)?.into_iter().map(Into::into).collect()))
}

/// The full-text index of this server: how its last rebuild went, or how far the running one is.
#[utoipa::path(get, path = "/api/v1/admin/search", tag = "admin", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = SearchRebuildDto), (status = 401, body = ApiError), (status = 403, body = ApiError),
              (status = 503, body = ApiError)))]
pub async fn search_state(State(app): State<App>, Authed(caller): Authed) -> Result<Json<SearchRebuildDto>, ApiError> {
    Ok(Json(app.search_rebuild(&caller)?.into()))
}

/// Rebuilds this server's full-text index from every case, in the background, while it serves;
/// searches answer 503 `busy` until it is done (`GET /api/v1/admin/search` shows how far it
/// is). A rebuild already running is a 409. Audited.
#[utoipa::path(post, path = "/api/v1/admin/search/reindex", tag = "admin", security(("bearer" = []), ("api_key" = [])),
    responses((status = 202, body = SearchRebuildDto), (status = 401, body = ApiError), (status = 403, body = ApiError),
              (status = 409, body = ApiError), (status = 503, body = ApiError)))]
pub async fn reindex_search(
    State(app): State<App>,
    Authed(caller): Authed,
) -> Result<(StatusCode, Json<SearchRebuildDto>), ApiError> {
    Ok((StatusCode::ACCEPTED, Json(app.start_search_rebuild(&caller).await?.into())))
}

/// Every workflow in force with each action and the roles that may take it.
#[utoipa::path(get, path = "/api/v1/admin/workflows", tag = "admin", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = Vec<WorkflowRolesDto>), (status = 401, body = ApiError),
              (status = 403, body = ApiError)))]
pub async fn workflows(
    State(app): State<App>,
    Authed(caller): Authed,
) -> Result<Json<Vec<WorkflowRolesDto>>, ApiError> {
    require_admin(&caller)?;
    let reference = app.reference();
    let mut out: Vec<WorkflowRolesDto> = reference.workflows.values().map(WorkflowRolesDto::from).collect();
    out.sort_by(|a, b| a.kind.cmp(&b.kind));
    Ok(Json(out))
}

/// Sets which actions of the workflow of case kind `kind` a role may take, as a new version of
/// that workflow, checked like an imported file (every action keeps a role) and put in force;
/// with `dry_run=true`, only checked. Audited.
#[utoipa::path(put, path = "/api/v1/admin/roles/{role}/actions/{kind}", tag = "admin", request_body = RoleActionsDto,
    params(("role" = String, Path, description = "A role code"), ("kind" = String, Path, description = "A case kind"),
           DryRun),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = ImportedDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn edit_role_actions(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((role, kind)): Path<(String, String)>,
    Query(q): Query<DryRun>,
    bytes: Bytes,
) -> Result<Json<ImportedDto>, ApiError> {
    let (dry_run, dto): (bool, RoleActionsDto) = edit_input(&caller, &q, &bytes)?;
    let change = RoleActionsChange { role, kind, based_on: dto.based_on, version: dto.version, actions: dto.actions };
    let done = app.reference_data().edit_role_actions_as(&caller, &change, dry_run).await?;
    Ok(Json(ImportedDto { version: done.version, items: done.items, dry_run }))
}

/// The query parameters of the unit picker.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitParams {
    /// Part of the name, or the start of the id
    q: Option<String>,
    /// Only units an account of this role may belong to
    #[param(value_type = Option<String>)]
    role: Option<Role>,
}

/// Words to look for.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Words {
    /// Part of the name, or the start of the code
    q: Option<String>,
}

/// Units to choose for an account: by part of the name or the start of the id, of the kinds a
/// role belongs to; at most 50.
#[utoipa::path(get, path = "/api/v1/admin/units", tag = "admin",
    params(UnitParams),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = Vec<UnitDto>), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError)))]
pub async fn units(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(q): Query<UnitParams>,
) -> Result<Json<Vec<UnitDto>>, ApiError> {
    require_admin(&caller)?;
    let kinds = q.role.map_or(&[][..], Role::unit_kinds);
    let places = app.places();
    let found = places.find_units(q.q.as_deref().unwrap_or(""), kinds, 50);
    Ok(Json(found.into_iter().map(UnitDto::from).collect()))
}

/// Areas and units to add to an account's extra data scope: counties, streets, communities and
/// units by part of the name or the start of the code (a full grid code finds its grid); at most
/// 50, areas first.
#[utoipa::path(get, path = "/api/v1/admin/scope-entries", tag = "admin",
    params(Words),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = Vec<ScopeEntryDto>), (status = 401, body = ApiError),
              (status = 403, body = ApiError)))]
pub async fn scope_entries(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(q): Query<Words>,
) -> Result<Json<Vec<ScopeEntryDto>>, ApiError> {
    require_admin(&caller)?;
    let found = app.places().find_scope_entries(q.q.as_deref().unwrap_or(""), 50);
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

/// Every kind of reference data with its versions (newest first, the one in force marked), and
/// the departments in force.
#[utoipa::path(get, path = "/api/v1/admin/reference", tag = "admin", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = ReferenceOverviewDto), (status = 401, body = ApiError),
              (status = 403, body = ApiError)))]
pub async fn reference(State(app): State<App>, Authed(caller): Authed) -> Result<Json<ReferenceOverviewDto>, ApiError> {
    let kinds = app.reference_data().versions(&caller).await?.into_iter().map(Into::into).collect();
    let departments = app
        .reference()
        .departments
        .departments
        .iter()
        .map(|d| DepartmentDto { key: d.key.clone(), name_zh: d.name_zh.clone(), name_en: d.name_en.clone() })
        .collect();
    Ok(Json(ReferenceOverviewDto { kinds, departments }))
}

/// The text (TOML) of one stored version of reference data.
#[utoipa::path(get, path = "/api/v1/admin/reference/{kind}/{version}", tag = "admin",
    params(("kind" = String, Path, description = "taxonomy, calendar, departments, routing, duplicates, assessment or workflow:<kind>"),
           ("version" = String, Path)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The file as imported", content_type = "text/plain", body = String),
              (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn reference_source(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((key, version)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let text = app.reference_data().source(&caller, &key, &version).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

/// Imports a new version of reference data (TOML in the body) and puts it in force; with
/// `dry_run=true`, only checks it. Every problem is named (item and field); a version name
/// already used for other content is a conflict. Audited.
#[utoipa::path(post, path = "/api/v1/admin/reference/{kind}", tag = "admin",
    params(("kind" = String, Path, description = "taxonomy, calendar, routing, duplicates, assessment or workflow"),
           DryRun),
    request_body(content = String, content_type = "text/plain"),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = ImportedDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 409, body = ApiError)))]
pub async fn import_reference(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(kind): Path<String>,
    Query(q): Query<DryRun>,
    bytes: Bytes,
) -> Result<Json<ImportedDto>, ApiError> {
    let (dry_run, text) = import_input(&caller, &q, &bytes)?;
    let done = app.reference_data().import_as(&caller, &kind, &text, dry_run).await?;
    Ok(Json(ImportedDto { version: done.version, items: done.items, dry_run }))
}

/// Changes one type of the catalogue in force (names, department, level, time limit, urgency,
/// filing and closing conditions) as a new catalogue version, checked like an imported file and
/// put in force; with `dry_run=true`, only checked. Open cases keep their deadlines. Audited.
#[utoipa::path(put, path = "/api/v1/admin/taxonomy/types/{code}", tag = "admin", request_body = TypeEditDto,
    params(("code" = String, Path, description = "The type's 4-digit code"),
           DryRun),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = ImportedDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn edit_type(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(code): Path<String>,
    Query(q): Query<DryRun>,
    bytes: Bytes,
) -> Result<Json<ImportedDto>, ApiError> {
    let (dry_run, dto): (bool, TypeEditDto) = edit_input(&caller, &q, &bytes)?;
    let code: TypeCode = code.parse().map_err(|e: TypeCodeError| ApiError::invalid("code", e.to_string()))?;
    let change = EventType {
        code,
        name_zh: dto.name_zh,
        name_en: dto.name_en,
        department: dto.department,
        assisting: dto.assisting,
        urgency: one_of("urgency", &dto.urgency, &["normal", "urgent"])?,
        level: one_of("level", &dto.level, &["community", "street", "district"])?,
        limit: TimeLimit {
            value: dto.limit.value,
            unit: one_of(
                "limit.unit",
                &dto.limit.unit,
                &["minutes", "calendar_hours", "working_hours", "working_days"],
            )?,
        },
        filing_zh: dto.filing_zh,
        closing_zh: dto.closing_zh,
    };
    let done =
        app.reference_data().edit_taxonomy_type_as(&caller, &dto.based_on, &dto.version, &change, dry_run).await?;
    Ok(Json(ImportedDto { version: done.version, items: done.items, dry_run }))
}

/// Changes the work calendar's daily hours and the dates it covers, as a new calendar version
/// checked like an imported file (times in order, every holiday inside the dates) and put in
/// force; with `dry_run=true`, only checked. Deadlines already set stay. Audited.
#[utoipa::path(put, path = "/api/v1/admin/calendar/hours", tag = "admin", request_body = WorkHoursDto,
    params(DryRun),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = ImportedDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 409, body = ApiError)))]
pub async fn change_work_hours(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(q): Query<DryRun>,
    bytes: Bytes,
) -> Result<Json<ImportedDto>, ApiError> {
    let (dry_run, dto): (bool, WorkHoursDto) = edit_input(&caller, &q, &bytes)?;
    let change = HoursChange {
        based_on: dto.based_on,
        version: dto.version,
        periods: dto.work_periods,
        valid_from: date("valid_from", &dto.valid_from)?,
        valid_to: date("valid_to", &dto.valid_to)?,
    };
    let done = app.reference_data().edit_work_hours_as(&caller, &change, dry_run).await?;
    Ok(Json(ImportedDto { version: done.version, items: done.items, dry_run }))
}

/// Adds, replaces or removes a holiday of the work calendar in force as a new calendar version,
/// checked like an imported file (make-up days on weekends only, no date both, every date in the
/// calendar's range) and put in force; with `dry_run=true`, only checked. Deadlines already set
/// stay. Audited.
#[utoipa::path(post, path = "/api/v1/admin/calendar/holidays", tag = "admin", request_body = HolidayChangeDto,
    params(DryRun),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = ImportedDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn change_holiday(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(q): Query<DryRun>,
    bytes: Bytes,
) -> Result<Json<ImportedDto>, ApiError> {
    let (dry_run, dto): (bool, HolidayChangeDto) = edit_input(&caller, &q, &bytes)?;
    let dates = |field: &str, list: &[String]| list.iter().map(|d| date(field, d)).collect::<Result<Vec<_>, _>>();
    let old = match &dto.replaces {
        Some(k) => Some((k.name_zh.as_str(), date("replaces.first_day", &k.first_day)?)),
        None => None,
    };
    let new = match dto.holiday {
        Some(h) => Some(Holiday {
            days: dates("holiday.days", &h.days)?,
            make_up_workdays: dates("holiday.make_up_workdays", &h.make_up_workdays)?,
            name_zh: h.name_zh,
            name_en: h.name_en,
            provisional: h.provisional,
        }),
        None => None,
    };
    if old.is_none() && new.is_none() {
        return Err(ApiError::invalid("holiday", "holiday: give the holiday to add, or `replaces` to remove one"));
    }
    let done =
        app.reference_data().edit_holiday_as(&caller, &dto.based_on, &dto.version, old, new.as_ref(), dry_run).await?;
    Ok(Json(ImportedDto { version: done.version, items: done.items, dry_run }))
}

/// A value of a closed list (a serde enum of the domain), or an error naming the field and the list.
fn one_of<T: serde::de::DeserializeOwned>(field: &str, text: &str, list: &[&str]) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .map_err(|_| ApiError::invalid(field, format!("{field}: `{text}` is not one of {}", list.join(", "))))
}

/// Imports grids from a GeoJSON FeatureCollection (replacing grids with the same codes), all or
/// nothing; with `dry_run=true`, only checks. A rejected file answers 422 with every problem:
/// feature, code, kind (syntax, geometry, invalid_ring, self_intersection, bad_code,
/// unknown_community, duplicate_code, overlap, bad_property) and message. Audited.
#[utoipa::path(post, path = "/api/v1/admin/grids", tag = "admin",
    params(DryRun),
    request_body(content = String, content_type = "application/geo+json"),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = ImportedDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 422, body = ApiError)))]
pub async fn import_grids(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(q): Query<DryRun>,
    bytes: Bytes,
) -> Result<Json<ImportedDto>, ApiError> {
    let (dry_run, text) = import_input(&caller, &q, &bytes)?;
    let done = app.reference_data().import_grids_as(&caller, text, dry_run).await?;
    Ok(Json(ImportedDto { version: done.version, items: done.items, dry_run }))
}

/// The work calendar in force: its holidays, make-up working days and working hours, which
/// deadlines in working time count.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "places", responses((status = 200, body = CalendarDto)))]
pub async fn calendar(State(app): State<App>) -> Json<CalendarDto> {
    Json(CalendarDto::from(&app.reference().calendar))
}

/// Every grid as a GeoJSON FeatureCollection (`code`, `name`, `kind`, `community`): what an import
/// takes back after editing, e.g. in QGIS.
#[utoipa::path(get, path = "/api/v1/admin/grids", tag = "admin", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A GeoJSON FeatureCollection", content_type = "application/geo+json", body = Object),
              (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn export_grids(State(app): State<App>, Authed(caller): Authed) -> Result<Response, ApiError> {
    require_admin(&caller)?;
    let places = app.places();
    let text = tokio::task::spawn_blocking(move || shanzhi_domain::places::geojson::export(&places.grids))
        .await
        .map_err(|e| ApiError::from(shanzhi_app::AppError::internal(e)))?;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], text).into_response())
}

/// The query parameters of the audit log.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Exactly this actor (a username, `system`)
    actor: Option<String>,
    /// Actions beginning with this (`user.`, `case.`, `personal_data.unmask`)
    action: Option<String>,
    /// Targets beginning with this (a case id, a username)
    target: Option<String>,
    /// Entries before this sequence number (the previous page's `next_before`)
    #[param(minimum = 1)]
    before: Option<i64>,
    /// 1 to 500 (default 100)
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
}

/// The audit log, newest first, a page at a time (city administrators): who did what to which
/// record, including every unmasking of personal data and every change of an account.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", params(AuditParams),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = AuditPageDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError)))]
pub async fn audit_log(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(q): Query<AuditParams>,
) -> Result<Json<AuditPageDto>, ApiError> {
    require_admin(&caller)?;
    let limit = within("limit", q.limit, 100, 500)?;
    if q.before.is_some_and(|b| b < 1) {
        return Err(ApiError::invalid("before", "before is a sequence number, from 1"));
    }
    let before = q.before;
    let query = AuditQuery { actor: q.actor, action: q.action, target: q.target, before, limit };
    let items = app.audit_log(&caller, &query).await?;
    let next_before = (items.len() as u64 == limit).then(|| items.last().map(|e| e.seq)).flatten();
    Ok(Json(AuditPageDto { items: items.into_iter().map(|e| AuditEntryDto::named(e, &app)).collect(), next_before }))
}

/// Checks the whole audit chain link by link (city administrators); the check is audited.
#[utoipa::path(post, path = "/api/v1/admin/audit/verify", tag = "admin",
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = AuditCheckDto), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn verify_audit(State(app): State<App>, Authed(caller): Authed) -> Result<Json<AuditCheckDto>, ApiError> {
    let report = app.verify_audit_as(&caller).await?;
    Ok(Json(AuditCheckDto {
        entries: report.entries,
        intact: report.broken.is_none(),
        problem: report.broken.map(|b| b.to_string()),
    }))
}
