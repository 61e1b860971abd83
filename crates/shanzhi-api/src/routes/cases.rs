//! Cases: report, list, read, act, figures. The caller comes from a login token or an API key
//! (`Authed`); without either it is an anonymous resident.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use shanzhi_app::App;
use shanzhi_app::cases::{CaseFilter, ReportInput};
use shanzhi_app::stats::StatsQuery;
use shanzhi_domain::cases::case::{Assignment, Rating, Satisfaction};
use shanzhi_domain::cases::clock::Light;
use shanzhi_domain::cases::engine::Command;

use crate::dto_cases::{
    ActionDto, BatchActionDto, BatchDto, BatchResultDto, CaseDetailDto, CaseDto, CaseListDto, NoteDto, ReportDto,
    StatsDto,
};
use crate::error::ApiError;
use crate::query::{And, Query};
use crate::routes::auth::Authed;
use crate::routes::body;

fn parse_id(id: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| ApiError::invalid("id", format!("`{id}` is not a case id")))
}

/// Reports a problem. With `Idempotency-Key`, a retry gets the same answer and creates nothing.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = ReportDto,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1 to 255 visible ASCII characters, quoted or not (IETF draft); the same key with another body is a 422"),
          ),
    security(("bearer" = []), ("api_key" = []), ("follow_code" = []), ()),
    responses((status = 201, body = CaseDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
               (status = 403, body = ApiError), (status = 422, body = ApiError), (status = 429, body = ApiError)))]
pub async fn report(
    State(app): State<App>,
    Authed(caller): Authed,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<CaseDto>), ApiError> {
    let dto: ReportDto = body(&bytes)?;
    let actor = caller.actor;
    let input = ReportInput {
        kind: dto.kind,
        type_code: dto.type_code,
        description: dto.description,
        lon: dto.lon,
        lat: dto.lat,
        crs: dto.crs,
        channel: dto.channel,
        attachments: dto.attachments,
        fields: dto.fields,
    };
    let key = crate::routes::idempotency_key(&headers)?;
    let view = app.cases().report(input, &actor, key.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

fn satisfaction(s: &str) -> Result<Satisfaction, ApiError> {
    match s {
        "satisfied" => Ok(Satisfaction::Satisfied),
        "basically_satisfied" => Ok(Satisfaction::BasicallySatisfied),
        "dissatisfied" => Ok(Satisfaction::Dissatisfied),
        _ => Err(ApiError::invalid(
            "rating.satisfaction",
            format!("`{s}` is not satisfied, basically_satisfied or dissatisfied"),
        )),
    }
}

/// Takes an action on a case (`{"action": "dispatch", ...}`); the answer is the case after it.
///
/// With `Idempotency-Key`, a retry gets the same answer and the action is taken once.
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", tag = "cases", request_body = ActionDto,
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe; the same key with another body is a 422")),
    security(("bearer" = []), ("api_key" = []), ("follow_code" = []), ()),
    responses((status = 200, body = CaseDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
               (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError),
               (status = 422, body = ApiError)))]
pub async fn act(
    State(app): State<App>,
    Path(id): Path<String>,
    Authed(caller): Authed,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<CaseDto>, ApiError> {
    let id = parse_id(&id)?;
    let dto: ActionDto = body(&bytes)?;
    let actor = caller.actor;
    let rating = match dto.rating {
        Some(r) => Some(Rating { satisfaction: satisfaction(&r.satisfaction)?, reason: r.reason }),
        None => None,
    };
    let parent = match dto.parent {
        Some(p) => Some(p.parse::<i64>().map_err(|_| ApiError::invalid("parent", format!("`{p}` is not a case id")))?),
        None => None,
    };
    let command = Command {
        parent,
        action: dto.action,
        opinion: dto.opinion,
        units: dto.units.map(|u| Assignment { primary: u.primary, assisting: u.assisting }),
        extension: dto.extension,
        rating,
        attachments: dto.attachments,
        public: dto.public,
        fields: dto.fields,
    };
    let key = crate::routes::idempotency_key(&headers)?;
    Ok(Json(app.cases().act_once(id, command, &actor, key.as_deref()).await?.into()))
}

/// A 400 naming `field`, said in English and Chinese.
fn bilingual(field: &str, en: &str, zh: &str) -> ApiError {
    ApiError::from(shanzhi_app::AppError::invalid(field, en.to_string()).with_zh(zh.to_string()))
}

/// The most cases one batch acts on.
const BATCH_MAX: usize = 100;

/// Takes one action on several cases (批量派遣, batch urging…), each case on its own as
/// `POST /api/v1/cases/{id}/actions` would: each answer says what happened to that case (the case
/// after the action, or the error), so a case refused does not stop the others.
///
/// With `Idempotency-Key`, a retry of the batch takes no action twice (each case's key is the
/// batch's key and its id).
#[utoipa::path(post, path = "/api/v1/batch/actions", tag = "cases", request_body = BatchActionDto,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = BatchDto), (status = 400, body = ApiError), (status = 401, body = ApiError)))]
pub async fn act_many(
    State(app): State<App>,
    Authed(caller): Authed,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<BatchDto>, ApiError> {
    if caller.is_anonymous() {
        return Err(ApiError::unauthenticated("log in to act on several cases at once"));
    }
    let dto: BatchActionDto = body(&bytes)?;
    if dto.ids.is_empty() || dto.ids.len() > BATCH_MAX {
        return Err(bilingual(
            "ids",
            &format!("give 1 to {BATCH_MAX} case ids"),
            &format!("ids 须有 1 到 {BATCH_MAX} 个案件编号"),
        ));
    }
    let mut ids: Vec<i64> = Vec::with_capacity(dto.ids.len());
    let mut seen = std::collections::HashSet::new();
    for raw in &dto.ids {
        let id = raw
            .parse::<i64>()
            .map_err(|_| bilingual("ids", "every id must be a case id", "ids 中有不是案件编号的值"))?;
        if seen.insert(id) {
            ids.push(id);
        }
    }
    let key = crate::routes::idempotency_key(&headers)?;
    let cases = app.cases();
    let mut results = Vec::with_capacity(ids.len());
    for id in ids {
        let command = Command {
            parent: None,
            action: dto.action.clone(),
            opinion: dto.opinion.clone(),
            units: dto
                .units
                .as_ref()
                .map(|u| Assignment { primary: u.primary.clone(), assisting: u.assisting.clone() }),
            extension: None,
            rating: None,
            attachments: Vec::new(),
            public: false,
            fields: Default::default(),
        };
        let each = key.as_ref().map(|k| format!("{k}:{id}"));
        let (case, error) = match cases.act_once(id, command, &caller.actor, each.as_deref()).await {
            Ok(v) => (Some(CaseDto::from(v)), None),
            Err(e) => (None, Some(ApiError::from(e))),
        };
        results.push(BatchResultDto { id: id.to_string(), case, error });
    }
    let done = results.iter().filter(|r| r.case.is_some()).count();
    Ok(Json(BatchDto { done, failed: results.len() - done, results }))
}

/// Adds a note to a case the caller can see, in any state (补充说明, a progress note; 催办 is the workflow action `urge`).
///
/// The case stays where it is and its watchers get a `note` event. With `Idempotency-Key`, a
/// retry adds nothing and gets the same answer.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "cases", request_body = NoteDto,
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe; the same key with another body is a 422")),
    security(("bearer" = []), ("api_key" = []), ("follow_code" = [])),
    responses((status = 201, body = CaseDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
               (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError),
               (status = 422, body = ApiError)))]
pub async fn add_note(
    State(app): State<App>,
    Path(id): Path<String>,
    Authed(caller): Authed,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<CaseDto>), ApiError> {
    let id = parse_id(&id)?;
    let dto: NoteDto = body(&bytes)?;
    let key = crate::routes::idempotency_key(&headers)?;
    let key = key.as_deref();
    let view = app.cases().add_note(id, &dto.text, dto.attachments, &caller.actor, key).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// One case with its log, its routing explanation and the actions the caller may take. Phone and
/// ID numbers and plates are masked; `unmask=true` shows them to command-centre roles (audited).
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path), Unmask), security(("bearer" = []), ("api_key" = []), ("follow_code" = []), ()),
    responses((status = 200, body = CaseDetailDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
               (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn show(
    State(app): State<App>,
    Path(id): Path<String>,
    Authed(caller): Authed,
    Query(Unmask { unmask }): Query<Unmask>,
) -> Result<Json<CaseDetailDto>, ApiError> {
    let id = parse_id(&id)?;
    let unmask = unmask.unwrap_or(false);
    unmask_needs_login(&caller, unmask)?;
    let session = unmask.then(|| caller.session());
    Ok(Json(app.cases().detail(id, &caller.actor, session.as_deref()).await?.into()))
}

/// Personal data is unmasked only for a person who logged in: an API key (a device, a client
/// program) never sees it whole, whatever its account may.
fn unmask_needs_login(caller: &shanzhi_app::auth::Caller, unmask: bool) -> Result<(), ApiError> {
    if unmask && !caller.logged_in() {
        return Err(shanzhi_app::AppError::Forbidden(
            "personal data is unmasked only after logging in, never with an API key".into(),
        )
        .with_zh("只有登录的人员才能查看未脱敏的个人信息，API 密钥不能")
        .into());
    }
    Ok(())
}

/// Cases, newest first: `{"total": N, "items": [...]}`; with `q`, those holding the words
/// (full-text search in Chinese), combined with the other filters.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases",
    params(CaseFilterParams, Paging),
    security(("bearer" = []), ("api_key" = []), ("follow_code" = []), ()),
    responses((status = 200, body = CaseListDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
               (status = 403, body = ApiError), (status = 503, body = ApiError)))]
pub async fn list(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(And(q, paging)): Query<And<CaseFilterParams, Paging>>,
) -> Result<Json<CaseListDto>, ApiError> {
    let page_size = within("page_size", paging.page_size, 20, 500)?;
    let page = within("page", paging.page, 1, 1_000_000)?;
    let (mut filter, words) = case_filter(&app, &q, &caller.actor)?;
    filter.limit = page_size;
    filter.offset = (page - 1) * page_size;
    let (total, items, capped) = match words {
        Some(w) => app.cases().list_with_words(&filter, w, &caller.actor).await?,
        None => {
            let (total, items) = app.cases().list(&filter, &caller.actor).await?;
            (total, items, false)
        }
    };
    Ok(Json(CaseListDto { total, items: items.into_iter().map(Into::into).collect(), capped }))
}

/// The filters of the case list and its export.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseFilterParams {
    state: Option<String>,
    kind: Option<String>,
    #[param(rename = "type")]
    #[serde(rename = "type")]
    type_code: Option<String>,
    /// Division (4/6/9/12 digits) or grid (15) code: the whole subtree
    area: Option<String>,
    /// Primary unit id
    unit: Option<String>,
    #[param(schema_with = light_schema)]
    light: Option<Light>,
    overdue: Option<bool>,
    /// Closed (true) or still open (false)
    closed: Option<bool>,
    /// With (true) or without (false) a whistle's summons waiting for the unit to report in
    summoned: Option<bool>,
    /// In a grid (true) or reported outside every grid (false)
    located: Option<bool>,
    /// Closed at or after (RFC 3339)
    closed_from: Option<DateTime<Utc>>,
    /// Closed before (RFC 3339)
    closed_to: Option<DateTime<Utc>>,
    /// With a log entry after this instant (RFC 3339): what changed since a to-do list was opened
    changed_since: Option<DateTime<Utc>>,
    /// Only these cases: ids separated by commas, at most 500 (a selection's export)
    ids: Option<String>,
    /// The cases behind a figure of the dashboards (any counter of `/api/v1/stats`: reported,
    /// filed, dispatched, due, handled, handled_on_time, closed, closed_on_time, overdue_steps,
    /// satisfied, …): the cases with a log entry that counted it in [figure_from, figure_to)
    /// (`due`: whose handling deadline falls in it); each case once
    figure: Option<String>,
    /// With `figure`: from (RFC 3339)
    figure_from: Option<DateTime<Utc>>,
    /// With `figure`: before (RFC 3339)
    figure_to: Option<DateTime<Utc>>,
    /// With `figure`: the unit the figure counted the case under (as in `/api/v1/stats?by=unit`;
    /// `-`: none), which may not be its unit now
    figure_unit: Option<String>,
    /// Reported at or after (RFC 3339)
    from: Option<DateTime<Utc>>,
    /// Reported before (RFC 3339)
    to: Option<DateTime<Utc>>,
    /// Words (Chinese or other, up to 100 characters), every one of which the case's description,
    /// place or notes must hold
    q: Option<String>,
    /// With `kind`: conditions on the kind's own choice, number and date fields, comma-separated,
    /// each `key:test`; a choice's test is a key or keys joined by `|` (any of them), a number's or
    /// a date's a value or a range with both ends included and either open
    /// (`dispute_type:family|neighbours,amount:1000..,agreed_on:2026-03-01..2026-03-31`); at most
    /// 16 fields
    #[param(max_length = 2000)]
    fields: Option<String>,
}

/// The `light` parameter's schema: the domain's lights by name.
fn light_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use strum::VariantNames;
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some("A case's traffic light: how much of its time limit is used."))
        .enum_values(Some(Light::VARIANTS.iter().copied()))
        .into()
}

/// A page of a list.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// From 1
    #[param(minimum = 1)]
    page: Option<u64>,
    /// 1 to 500, default 20
    #[param(minimum = 1, maximum = 500)]
    page_size: Option<u64>,
}

/// Whether personal data is shown whole.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Unmask {
    /// Personal data whole (command-centre roles; audited)
    unmask: Option<bool>,
}

/// The language of an export's headers.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Lang {
    #[param(inline)]
    lang: Option<Language>,
}

/// zh (the default) or en.
#[derive(Clone, Copy, serde::Deserialize, utoipa::ToSchema)]
pub enum Language {
    #[serde(rename = "zh", alias = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

/// A number given or its default, within `1..=max`, or a 400 naming the parameter.
pub(crate) fn within(field: &str, value: Option<u64>, default: u64, max: u64) -> Result<u64, ApiError> {
    match value {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::from(
            shanzhi_app::AppError::invalid(field, format!("{n} is not from 1 to {max}"))
                .with_zh(format!("{field} 应在 1 到 {max} 之间")),
        )),
    }
}

/// The filters of the case list (and its export), and the search words if any.
fn case_filter<'q>(
    app: &App,
    q: &'q CaseFilterParams,
    actor: &shanzhi_domain::cases::case::Actor,
) -> Result<(CaseFilter, Option<&'q str>), ApiError> {
    if let Some(a) = &q.area
        && (!a.bytes().all(|b| b.is_ascii_digit()) || ![4, 6, 9, 12, 15].contains(&a.len()))
    {
        return Err(ApiError::invalid("area", format!("area `{a}` is not a 4, 6, 9, 12 or 15-digit code")));
    }
    let acted = match &q.figure {
        None if q.figure_unit.is_some() => {
            return Err(ApiError::invalid("figure_unit", "figure_unit narrows a figure: give figure too"));
        }
        None => None,
        Some(figure) => {
            let from = q.figure_from.ok_or_else(|| {
                ApiError::invalid("figure_from", "a figure needs its months: figure_from and figure_to")
            })?;
            let to = q.figure_to.ok_or_else(|| {
                ApiError::invalid("figure_to", "a figure needs its months: figure_from and figure_to")
            })?;
            Some(app.figures().figure_filter(figure, from, to, q.figure_unit.clone())?)
        }
    };
    known_filters(app, q)?;
    let fields = match &q.fields {
        Some(text) => app.cases().field_conditions(q.kind.as_deref(), text, actor)?,
        None => Vec::new(),
    };
    let ids = match q.ids.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Vec::new(),
        Some(list) => {
            let parts: Vec<&str> = list.split(',').map(str::trim).collect();
            if parts.len() > 500 {
                return Err(bilingual("ids", "at most 500 case ids", "ids 最多 500 个案件编号"));
            }
            parts
                .iter()
                .map(|p| {
                    p.parse::<i64>().map_err(|_| {
                        bilingual("ids", "ids are case ids separated by commas", "ids 须为以逗号分隔的案件编号")
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    let filter = CaseFilter {
        acted,
        fields,
        ids,
        state: q.state.clone(),
        kind: q.kind.clone(),
        type_code: q.type_code.clone(),
        area: q.area.clone(),
        unit: q.unit.clone(),
        light: q.light,
        overdue: q.overdue,
        closed: q.closed,
        summoned: q.summoned,
        located: q.located,
        closed_from: q.closed_from,
        closed_to: q.closed_to,
        changed_since: q.changed_since,
        reported_from: q.from,
        reported_to: q.to,
        // The application narrows to the caller's data scope.
        ..CaseFilter::default()
    };
    let words = q.q.as_deref().map(str::trim).filter(|w| !w.is_empty());
    if words.is_some_and(|w| w.chars().count() > 100) {
        return Err(ApiError::invalid("q", "q must have at most 100 characters"));
    }
    Ok((filter, words))
}

/// A kind, state, type, unit or area filter names what the registers in force hold: a typo is a
/// 400 naming the field, not an empty list that looks like "no such cases".
fn known_filters(app: &App, q: &CaseFilterParams) -> Result<(), ApiError> {
    let reference = app.reference();
    let places = app.places();
    let kind = q.kind.as_ref();
    app.cases().check_kind_and_type(kind.map(String::as_str), q.type_code.as_deref())?;
    if let Some(state) = &q.state {
        let mut workflows = reference.workflows.iter().filter(|(k, _)| kind.is_none_or(|want| want == *k));
        if !workflows.any(|(_, wf)| wf.state(state).is_some()) {
            let of = kind.map(|k| format!("the {k} workflow")).unwrap_or_else(|| "any workflow".into());
            return Err(ApiError::invalid("state", format!("state `{state}` is not a state of {of}")));
        }
    }
    // A unit dissolved or a grid redrawn still names the cases it had (to find and withdraw
    // them): one of a known division is taken.
    if let Some(u) = &q.unit {
        let of_a_division =
            u.split_once(':').is_some_and(|(area, key)| !key.is_empty() && places.division_name(area).is_some());
        if places.unit(u).is_none() && !of_a_division {
            return Err(ApiError::invalid("unit", format!("unit `{u}` is not a unit of a known division")));
        }
    }
    if let Some(a) = &q.area {
        let known = match a.len() {
            15 => a
                .parse::<shanzhi_domain::ids::GridCode>()
                .ok()
                .is_some_and(|g| places.grid(&g).is_some() || places.division_name(g.community().as_str()).is_some()),
            _ => places.division_name(a).is_some(),
        };
        if !known {
            return Err(ApiError::invalid("area", format!("area `{a}` is not a known division or grid")));
        }
    }
    Ok(())
}

/// The case list as an Excel workbook (.xlsx) with Chinese headers (`lang=en`: English).
///
/// The newest 20,000 matching cases within the caller's scope (`X-Capped: true` when more
/// matched). Personal data is masked unless `unmask=true` is asked by a command-centre role;
/// every export is audited, and the sheet names who exported it and when.
#[utoipa::path(get, path = "/api/v1/exports/cases.xlsx", tag = "cases",
    params(CaseFilterParams, Unmask, Lang),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
               (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError),
               (status = 503, body = ApiError)))]
pub async fn export(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(And(q, And(Unmask { unmask }, lang))): Query<And<CaseFilterParams, And<Unmask, Lang>>>,
) -> Result<Response, ApiError> {
    let (filter, words) = case_filter(&app, &q, &caller.actor)?;
    let unmask = unmask.unwrap_or(false);
    unmask_needs_login(&caller, unmask)?;
    let english = lang.english();
    let session = unmask.then(|| caller.session());
    let export = app.cases().export(&filter, words, &caller.actor, session.as_deref(), english).await?;
    Ok(xlsx("cases", export))
}

/// Figures of the closed loop, kept incrementally: counts, rates and composite scores.
#[utoipa::path(get, path = "/api/v1/stats", tag = "cases",
    params(StatsParams),
    security(("bearer" = []), ("api_key" = []), ("follow_code" = []), ()),
    responses((status = 200, body = StatsDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
               (status = 403, body = ApiError)))]
pub async fn stats(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(q): Query<StatsParams>,
) -> Result<Json<StatsDto>, ApiError> {
    let mut q: StatsQuery = q.into();
    q.limit = q.limit.or(Some(shanzhi_app::stats::ROWS_DEFAULT));
    Ok(Json(app.figures().stats(&q, &caller.actor).await?.into()))
}

/// The parameters of the figures and their export.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// A case kind (default: event)
    kind: Option<String>,
    /// First month, YYYY-MM
    from: Option<String>,
    /// Last month, YYYY-MM
    to: Option<String>,
    /// Division or grid code (default: the city)
    area: Option<String>,
    unit: Option<String>,
    #[param(rename = "type")]
    #[serde(rename = "type")]
    type_code: Option<String>,
    /// period | area (children of `area`) | area_period (the children of `area` month by month) | unit | type
    by: Option<String>,
    /// The rows' order: key (default), name, score, a counter or a rate; `-` before it: descending
    sort: Option<String>,
    /// Only rows whose name or key contains this (at most 40 characters)
    name: Option<String>,
    /// Rows skipped (default 0)
    offset: Option<u32>,
    /// Rows given, 1 to 1000 (default 200 in `/api/v1/stats`; every row in the export)
    limit: Option<u32>,
}

impl From<StatsParams> for StatsQuery {
    fn from(q: StatsParams) -> StatsQuery {
        StatsQuery {
            kind: q.kind.unwrap_or_else(|| "event".into()),
            from: q.from,
            to: q.to,
            area: q.area,
            unit: q.unit,
            type_code: q.type_code,
            by: q.by,
            sort: q.sort,
            name: q.name,
            offset: q.offset,
            limit: q.limit,
        }
    }
}

/// The figures `/api/v1/stats` answers (the same parameters) as an Excel workbook with Chinese
/// headers (`lang=en`: English): each row's key and name, every counter, every rate (%), the
/// composite score and grade, and the total. Audited (`stats.export`).
#[utoipa::path(get, path = "/api/v1/exports/stats.xlsx", tag = "cases",
    params(StatsParams, Lang),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The workbook",
               content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
              (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn export_stats(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(And(q, lang)): Query<And<StatsParams, Lang>>,
) -> Result<Response, ApiError> {
    if caller.is_anonymous() {
        return Err(ApiError::unauthenticated("log in to export figures"));
    }
    let export = app.figures().export_stats(&q.into(), &caller.actor, lang.english()).await?;
    Ok(xlsx("figures", export))
}

impl Lang {
    /// Whether an export speaks English.
    pub(crate) fn english(&self) -> bool {
        matches!(self.lang, Some(Language::En))
    }
}

/// A workbook as a download named `{stem}-{time}.xlsx`, with its row count and cap.
pub(crate) fn xlsx(stem: &str, export: shanzhi_app::export::Export) -> Response {
    let name = format!("{stem}-{}.xlsx", chrono::Utc::now().format("%Y%m%d-%H%M"));
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (HeaderName::from_static("x-rows"), export.rows.to_string()),
            (HeaderName::from_static("x-capped"), export.capped.to_string()),
        ],
        export.bytes,
    )
        .into_response()
}
