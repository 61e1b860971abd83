//! The registers of the grid (一标三实): the registers in force, their records in the caller's
//! areas, a record's history, and adding, changing and removing records. Staff only: a resident or
//! a device gets a 403, nobody a 401; whole records only after logging in, by a role the register
//! names, and audited.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use shanzhi_app::App;
use shanzhi_app::auth::Caller;
use shanzhi_app::registers::{RecordChange, RecordFilter, RecordInput};
use shanzhi_app::visits::{DueFilter, VisitInput};

use crate::dto_registers::{
    DueVisitPageDto, RecordChangeDto, RecordDto, RecordInputDto, RecordPageDto, RecordRemovalDto, RecordVersionDto,
    RegisterDto, SheetImportedDto, VisitDoneDto, VisitDto, VisitInputDto,
};
use crate::error::ApiError;
use crate::query::Query;
use crate::routes::auth::Authed;
use crate::routes::body;
use crate::routes::cases::within;

fn staff(caller: &Caller) -> Result<(), ApiError> {
    use shanzhi_domain::people::Role;
    if caller.is_anonymous() {
        return Err(ApiError::unauthenticated("log in to read the registers"));
    }
    if matches!(caller.actor.role, Role::Resident | Role::Device) {
        return Err(shanzhi_app::AppError::Forbidden("the registers are for staff".into())
            .with_zh("名册仅供工作人员使用")
            .into());
    }
    Ok(())
}

fn record_id(id: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| {
        ApiError::from(shanzhi_app::AppError::invalid("id", "not a record id").with_zh("id（记录编号）应为数字"))
    })
}

/// The login an unmasking names; personal data is whole only for a person who logged in.
fn unmasking(caller: &Caller, unmask: Option<bool>) -> Result<Option<String>, ApiError> {
    if !unmask.unwrap_or(false) {
        return Ok(None);
    }
    if !caller.logged_in() {
        return Err(shanzhi_app::AppError::Forbidden(
            "personal data is unmasked only after logging in, never with an API key".into(),
        )
        .with_zh("只有登录的人员才能查看未脱敏的个人信息，API 密钥不能")
        .into());
    }
    Ok(Some(caller.session()))
}

/// The registers the caller reads, each with its fields, tags and what the caller may do.
#[utoipa::path(get, path = "/api/v1/registers", operation_id = "list_registers", tag = "registers",
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = Vec<RegisterDto>), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn registers(State(app): State<App>, Authed(caller): Authed) -> Result<Json<Vec<RegisterDto>>, ApiError> {
    staff(&caller)?;
    Ok(Json(app.registers().in_force(&caller.actor).iter().map(|r| RegisterDto::of(r, caller.actor.role)).collect()))
}

/// Which records a list holds.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordParams {
    /// A county, street, community or grid code inside the caller's areas
    area: Option<String>,
    /// Only records carrying this tag (a special group)
    tag: Option<String>,
    /// Only records with this value of a filter field: `use=rented`
    facet: Option<String>,
    /// The removed records instead of those in force
    removed: Option<bool>,
    /// From 1
    #[param(minimum = 1)]
    page: Option<u64>,
    /// 1 to 200, default 20
    #[param(minimum = 1, maximum = 200)]
    page_size: Option<u64>,
    /// Personal data whole (the roles the register names; audited)
    unmask: Option<bool>,
}

/// A page of a register's records in the caller's areas, by grid.
#[utoipa::path(get, path = "/api/v1/registers/{register}/records", operation_id = "list_records", tag = "registers",
    params(("register" = String, Path, description = "person | house | org | …"), RecordParams),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = RecordPageDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn list(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(register): Path<String>,
    Query(q): Query<RecordParams>,
) -> Result<Json<RecordPageDto>, ApiError> {
    staff(&caller)?;
    let size = within("page_size", q.page_size, 20, shanzhi_app::registers::PAGE_MAX)?;
    let page = within("page", q.page, 1, 1_000_000)?;
    let session = unmasking(&caller, q.unmask)?;
    let filter = RecordFilter {
        area: q.area.map(|a| a.trim().to_string()).filter(|a| !a.is_empty()),
        tag: q.tag.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
        facet: q.facet.map(|f| f.trim().to_string()).filter(|f| !f.is_empty()),
        removed: q.removed.unwrap_or(false),
        offset: (page - 1) * size,
        limit: size,
    };
    let found = app.registers().list(&register, &caller.actor, &filter, session.as_deref()).await?;
    Ok(Json(RecordPageDto { total: found.total, items: found.items.into_iter().map(RecordDto::from).collect() }))
}

/// Adds a record in a grid of the caller's areas (the roles the register names as writers).
#[utoipa::path(post, path = "/api/v1/registers/{register}/records", operation_id = "create_record", tag = "registers",
    request_body = RecordInputDto,
    params(("register" = String, Path, description = "person | house | org | …")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, body = RecordDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn create(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(register): Path<String>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<RecordDto>), ApiError> {
    staff(&caller)?;
    let dto: RecordInputDto = body(&bytes)?;
    let input = RecordInput { grid: dto.grid, fields: dto.fields, tags: dto.tags };
    let view = app.registers().create(&register, &caller.actor, input).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// Whether personal data is shown whole.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordUnmask {
    /// Personal data whole (the roles the register names; audited)
    unmask: Option<bool>,
}

/// One record in the caller's areas.
#[utoipa::path(get, path = "/api/v1/registers/{register}/records/{id}", operation_id = "show_record", tag = "registers",
    params(("register" = String, Path), ("id" = String, Path), RecordUnmask),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = RecordDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn show(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((register, id)): Path<(String, String)>,
    Query(q): Query<RecordUnmask>,
) -> Result<Json<RecordDto>, ApiError> {
    staff(&caller)?;
    let id = record_id(&id)?;
    let session = unmasking(&caller, q.unmask)?;
    Ok(Json(app.registers().get(&register, id, &caller.actor, session.as_deref()).await?.into()))
}

/// Changes a record from the version read (a change made since is a 409).
#[utoipa::path(patch, path = "/api/v1/registers/{register}/records/{id}", operation_id = "change_record", tag = "registers",
    request_body = RecordChangeDto,
    params(("register" = String, Path), ("id" = String, Path)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = RecordDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError),
              (status = 422, body = ApiError)))]
pub async fn change(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((register, id)): Path<(String, String)>,
    bytes: Bytes,
) -> Result<Json<RecordDto>, ApiError> {
    staff(&caller)?;
    let id = record_id(&id)?;
    let dto: RecordChangeDto = body(&bytes)?;
    let change = RecordChange { version: dto.version, grid: dto.grid, fields: dto.fields, tags: dto.tags };
    Ok(Json(app.registers().update(&register, id, &caller.actor, change).await?.into()))
}

/// Removes a record with the reason (it stays listed under `removed=true`, with its history).
#[utoipa::path(post, path = "/api/v1/registers/{register}/records/{id}/remove", operation_id = "remove_record", tag = "registers",
    request_body = RecordRemovalDto,
    params(("register" = String, Path), ("id" = String, Path)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = RecordDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn remove(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((register, id)): Path<(String, String)>,
    bytes: Bytes,
) -> Result<Json<RecordDto>, ApiError> {
    staff(&caller)?;
    let id = record_id(&id)?;
    let dto: RecordRemovalDto = body(&bytes)?;
    Ok(Json(app.registers().remove(&register, id, &caller.actor, dto.version, &dto.reason).await?.into()))
}

/// Every version of a record, oldest first, with who made it and what changed.
#[utoipa::path(get, path = "/api/v1/registers/{register}/records/{id}/history", operation_id = "record_history",
    tag = "registers",
    params(("register" = String, Path), ("id" = String, Path), RecordUnmask),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = Vec<RecordVersionDto>), (status = 400, body = ApiError),
              (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn history(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((register, id)): Path<(String, String)>,
    Query(q): Query<RecordUnmask>,
) -> Result<Json<Vec<RecordVersionDto>>, ApiError> {
    staff(&caller)?;
    let id = record_id(&id)?;
    let session = unmasking(&caller, q.unmask)?;
    let versions = app.registers().history(&register, id, &caller.actor, session.as_deref()).await?;
    Ok(Json(versions.into_iter().map(RecordVersionDto::from).collect()))
}

/// Which due visits a list holds.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueParams {
    /// One register (default: every register the caller reads)
    register: Option<String>,
    /// A county, street, community or grid code inside the caller's areas
    area: Option<String>,
    /// Only those due within this many days (0 to 366; the late ones always); default: all planned
    #[param(minimum = 0, maximum = 366)]
    within_days: Option<u32>,
    /// From 1
    #[param(minimum = 1)]
    page: Option<u64>,
    /// 1 to 200, default 20
    #[param(minimum = 1, maximum = 200)]
    page_size: Option<u64>,
}

/// The visits due on the registers' plans in the caller's areas (走访), the late ones first.
#[utoipa::path(get, path = "/api/v1/visits", operation_id = "due_visits", tag = "registers",
    params(DueParams),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = DueVisitPageDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn due(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(q): Query<DueParams>,
) -> Result<Json<DueVisitPageDto>, ApiError> {
    staff(&caller)?;
    let size = within("page_size", q.page_size, 20, shanzhi_app::registers::PAGE_MAX)?;
    let page = within("page", q.page, 1, 1_000_000)?;
    if q.within_days.is_some_and(|d| d > 366) {
        return Err(shanzhi_app::AppError::invalid("within_days", "0 to 366")
            .with_zh("within_days 应在 0 到 366 之间")
            .into());
    }
    let area = q.area.map(|a| a.trim().to_string()).filter(|a| !a.is_empty());
    if let Some(a) = &area
        && !([4, 6, 9, 12, 15].contains(&a.len()) && a.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(shanzhi_app::AppError::invalid("area", "a 4, 6, 9, 12 or 15-digit code")
            .with_zh("area 应为 4、6、9、12 或 15 位区划或网格编码")
            .into());
    }
    let filter = DueFilter {
        register: q.register.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()),
        area,
        within_days: q.within_days,
        offset: (page - 1) * size,
        limit: size,
    };
    Ok(Json(app.registers().due(&caller.actor, &filter).await?.into()))
}

/// Records a visit to a record for one of its tags; its plan moves on by the tag's interval.
#[utoipa::path(post, path = "/api/v1/registers/{register}/records/{id}/visits", operation_id = "record_visit",
    tag = "registers", request_body = VisitInputDto,
    params(("register" = String, Path), ("id" = String, Path)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, body = VisitDoneDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn visit(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((register, id)): Path<(String, String)>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<VisitDoneDto>), ApiError> {
    staff(&caller)?;
    let id = record_id(&id)?;
    let dto: VisitInputDto = body(&bytes)?;
    let done = app.registers().visit(&register, id, &caller.actor, VisitInput { tag: dto.tag, note: dto.note }).await?;
    Ok((
        StatusCode::CREATED,
        Json(VisitDoneDto {
            record_id: done.record_id.to_string(),
            tag: done.tag,
            at: done.at,
            on_time: done.on_time,
            next_due_at: done.next_due_at,
        }),
    ))
}

/// A record's visits, newest first (at most 100).
#[utoipa::path(get, path = "/api/v1/registers/{register}/records/{id}/visits", operation_id = "record_visits",
    tag = "registers",
    params(("register" = String, Path), ("id" = String, Path), RecordUnmask),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = Vec<VisitDto>), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn visits(
    State(app): State<App>,
    Authed(caller): Authed,
    Path((register, id)): Path<(String, String)>,
    Query(q): Query<RecordUnmask>,
) -> Result<Json<Vec<VisitDto>>, ApiError> {
    staff(&caller)?;
    let id = record_id(&id)?;
    let session = unmasking(&caller, q.unmask)?;
    let rows = app.registers().visits(&register, id, &caller.actor, session.as_deref()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|v| VisitDto {
                tag: v.tag,
                tag_name_zh: v.tag_name_zh,
                at: v.at,
                actor_name: v.actor_name,
                note: v.note,
                on_time: v.on_time,
            })
            .collect(),
    ))
}

/// Which records a workbook holds, in which language, and whether whole.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetParams {
    /// A county, street, community or grid code inside the caller's areas
    area: Option<String>,
    /// Only records carrying this tag
    tag: Option<String>,
    /// Only records with this value of a filter field: `use=rented`
    facet: Option<String>,
    /// The removed records instead of those in force
    removed: Option<bool>,
    /// Personal data whole (the roles the register names; audited)
    unmask: Option<bool>,
}

/// A register's records in the caller's areas as an Excel workbook (.xlsx), the form offices
/// keep: Chinese headers (`lang=en`: English), a person as name, phone and ID number columns,
/// choices and tags by name; at most 20,000 rows (`X-Capped: true` when more matched); masked
/// unless `unmask=true` by a role the register names; audited. Its layout, with the number
/// column empty, is what an import takes.
#[utoipa::path(get, path = "/api/v1/registers/{register}/export.xlsx", operation_id = "export_register",
    tag = "registers",
    params(("register" = String, Path), SheetParams, crate::routes::cases::Lang),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
              (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError),
              (status = 404, body = ApiError)))]
pub async fn export(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(register): Path<String>,
    Query(crate::query::And(q, lang)): Query<crate::query::And<SheetParams, crate::routes::cases::Lang>>,
) -> Result<axum::response::Response, ApiError> {
    staff(&caller)?;
    let session = unmasking(&caller, q.unmask)?;
    let filter = RecordFilter {
        area: q.area.map(|a| a.trim().to_string()).filter(|a| !a.is_empty()),
        tag: q.tag.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
        facet: q.facet.map(|f| f.trim().to_string()).filter(|f| !f.is_empty()),
        removed: q.removed.unwrap_or(false),
        offset: 0,
        limit: shanzhi_app::registers::PAGE_MAX,
    };
    let export =
        app.registers().export_sheet(&register, &caller.actor, &filter, lang.english(), session.as_deref()).await?;
    Ok(crate::routes::cases::xlsx(&format!("register-{register}"), export))
}

/// Whether an import only checks.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Check every row and write nothing
    dry_run: Option<bool>,
}

/// New records from an Excel workbook laid out as the export is (headers in its first three rows,
/// the number column empty; at most 5,000 rows). Every row is checked as a record added in the
/// pages is; any problem refuses the whole sheet with a 422 listing each by row (`feature`) and
/// column (`code`), and nothing is written. Otherwise every row is added in one transaction.
#[utoipa::path(post, path = "/api/v1/registers/{register}/import.xlsx", operation_id = "import_register",
    tag = "registers",
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The .xlsx workbook's bytes (sent as they are, whatever the Content-Type)"),
    params(("register" = String, Path), ImportParams),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = SheetImportedDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 413, body = ApiError),
              (status = 422, body = ApiError)))]
pub async fn import(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(register): Path<String>,
    Query(q): Query<ImportParams>,
    bytes: Bytes,
) -> Result<Json<SheetImportedDto>, ApiError> {
    staff(&caller)?;
    let dry_run = q.dry_run.unwrap_or(false);
    let done = app.registers().import_sheet(&register, &caller.actor, bytes.to_vec(), dry_run).await?;
    Ok(Json(SheetImportedDto { rows: done.rows, dry_run: done.dry_run }))
}
