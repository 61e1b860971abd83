//! Cases: report, list, read, act, figures. The caller comes from a login token or an API key
//! (`Authed`); without either it is an anonymous resident.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use shanzhi_app::App;
use shanzhi_app::cases::{CaseFilter, LightFilter, ReportInput};
use shanzhi_app::stats::StatsQuery;
use shanzhi_domain::cases::case::{Assignment, Rating, Satisfaction};
use shanzhi_domain::cases::engine::Command;

use crate::dto_cases::{ActionDto, CaseDetailDto, CaseDto, CaseListDto, ReportDto, StatsDto};
use crate::error::ApiError;
use crate::routes::auth::Authed;
use crate::routes::body;

fn header<'h>(h: &'h HeaderMap, name: &str) -> Option<&'h str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

fn parse_id(id: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| ApiError::invalid("id", format!("`{id}` is not a case id")))
}

/// Reports a problem. With `Idempotency-Key`, a retry gets the same answer and creates nothing.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = ReportDto,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe"),
          ),
    security(("bearer" = []), ("api_key" = []), ()),
    responses((status = 201, body = CaseDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
               (status = 403, body = ApiError), (status = 429, body = ApiError)))]
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
    };
    let view = app.report(input, &actor, header(&headers, "idempotency-key")).await?;
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
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", tag = "cases", request_body = ActionDto,
    params(("id" = String, Path)), security(("bearer" = []), ("api_key" = []), ()),
    responses((status = 200, body = CaseDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
               (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn act(
    State(app): State<App>,
    Path(id): Path<String>,
    Authed(caller): Authed,
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
    };
    Ok(Json(app.act(id, command, &actor).await?.into()))
}

/// One case with its log, its routing explanation and the actions the caller may take. Phone and
/// ID numbers and plates are masked; `unmask=true` shows them to command-centre roles (audited).
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path), ("unmask" = Option<bool>, Query, description = "Show personal data (command-centre roles; audited)")), security(("bearer" = []), ("api_key" = []), ()),
    responses((status = 200, body = CaseDetailDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
               (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn show(
    State(app): State<App>,
    Path(id): Path<String>,
    Authed(caller): Authed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<CaseDetailDto>, ApiError> {
    let id = parse_id(&id)?;
    let actor = caller.actor;
    let unmask = match q.get("unmask").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(v) => return Err(ApiError::invalid("unmask", format!("unmask `{v}` is not true or false"))),
    };
    Ok(Json(app.case_detail(id, &actor, unmask).await?.into()))
}

fn time(q: &HashMap<String, String>, field: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    q.get(field)
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| ApiError::invalid(field, format!("{field} `{v}` is not an RFC 3339 time")))
        })
        .transpose()
}

fn number(q: &HashMap<String, String>, field: &str, default: u64, max: u64) -> Result<u64, ApiError> {
    match q.get(field) {
        None => Ok(default),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| ApiError::invalid(field, format!("{field} `{v}` is not a number up to {max}"))),
    }
}

/// Cases, newest first: `{"total": N, "items": [...]}`; with `q`, those holding the words
/// (full-text search in Chinese), combined with the other filters.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases",
    params(
        ("state" = Option<String>, Query), ("kind" = Option<String>, Query), ("type" = Option<String>, Query),
        ("area" = Option<String>, Query, description = "Division (4/6/9/12 digits) or grid (15) code: the whole subtree"),
        ("unit" = Option<String>, Query, description = "Primary unit id"),
        ("light" = Option<String>, Query, description = "green | yellow | red"),
        ("overdue" = Option<bool>, Query), ("from" = Option<String>, Query, description = "Reported at or after (RFC 3339)"),
        ("to" = Option<String>, Query, description = "Reported before (RFC 3339)"),
        ("q" = Option<String>, Query, description = "Words (Chinese or other, up to 100 characters), every one of which the case's description, place or notes must hold"),
        ("page" = Option<u64>, Query, description = "From 1"), ("page_size" = Option<u64>, Query, description = "1..=500, default 20"),
    ),
    security(("bearer" = []), ("api_key" = []), ()),
    responses((status = 200, body = CaseListDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
               (status = 403, body = ApiError), (status = 503, body = ApiError)))]
pub async fn list(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<CaseListDto>, ApiError> {
    let light = match q.get("light").map(String::as_str) {
        None => None,
        Some("green") => Some(LightFilter::Green),
        Some("yellow") => Some(LightFilter::Yellow),
        Some("red") => Some(LightFilter::Red),
        Some(v) => return Err(ApiError::invalid("light", format!("light `{v}` is not green, yellow or red"))),
    };
    let overdue = match q.get("overdue").map(String::as_str) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(v) => return Err(ApiError::invalid("overdue", format!("overdue `{v}` is not true or false"))),
    };
    if let Some(a) = q.get("area") {
        if !a.bytes().all(|b| b.is_ascii_digit()) || ![4, 6, 9, 12, 15].contains(&a.len()) {
            return Err(ApiError::invalid("area", format!("area `{a}` is not a 4, 6, 9, 12 or 15-digit code")));
        }
    }
    let page_size = number(&q, "page_size", 20, 500)?.max(1);
    let page = number(&q, "page", 1, 1_000_000)?.max(1);
    let filter = CaseFilter {
        state: q.get("state").cloned(),
        kind: q.get("kind").cloned(),
        type_code: q.get("type").cloned(),
        area: q.get("area").cloned(),
        unit: q.get("unit").cloned(),
        light,
        overdue,
        reported_from: time(&q, "from")?,
        reported_to: time(&q, "to")?,
        ids: Vec::new(),
        types: Vec::new(),
        closed: None,
        limit: page_size,
        offset: (page - 1) * page_size,
        // The application narrows to the caller's data scope.
        scope: None,
    };
    let words = q.get("q").map(|w| w.trim()).filter(|w| !w.is_empty());
    if let Some(w) = words {
        if w.chars().count() > 100 {
            return Err(ApiError::invalid("q", "q must have at most 100 characters"));
        }
    }
    let (total, items, capped) = match words {
        Some(w) => app.list_cases_with_words(&filter, w, &caller.actor).await?,
        None => {
            let (total, items) = app.list_cases(&filter, &caller.actor).await?;
            (total, items, false)
        }
    };
    Ok(Json(CaseListDto { total, items: items.into_iter().map(Into::into).collect(), capped }))
}

/// Figures of the closed loop, kept incrementally: counts, rates and composite scores.
#[utoipa::path(get, path = "/api/v1/stats", tag = "cases",
    params(
        ("kind" = Option<String>, Query, description = "event (default) or demand"),
        ("from" = Option<String>, Query, description = "First month, YYYY-MM"),
        ("to" = Option<String>, Query, description = "Last month, YYYY-MM"),
        ("area" = Option<String>, Query, description = "Division or grid code (default: the city)"),
        ("unit" = Option<String>, Query), ("type" = Option<String>, Query),
        ("by" = Option<String>, Query, description = "period | area (children of `area`) | unit | type"),
    ),
    security(("bearer" = []), ("api_key" = []), ()),
    responses((status = 200, body = StatsDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
               (status = 403, body = ApiError)))]
pub async fn stats(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<StatsDto>, ApiError> {
    let query = StatsQuery {
        kind: q.get("kind").cloned().unwrap_or_else(|| "event".into()),
        from: q.get("from").cloned(),
        to: q.get("to").cloned(),
        area: q.get("area").cloned(),
        unit: q.get("unit").cloned(),
        type_code: q.get("type").cloned(),
        by: q.get("by").cloned(),
    };
    Ok(Json(app.stats(&query, &caller.actor).await?.into()))
}
