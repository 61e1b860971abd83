//! The command centre's data: the live overview of an area, the map outlines of its children and
//! the base map they are drawn on.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use shanzhi_app::App;

use crate::dto_console::{BaseMapDto, OverviewDto, TodoDto};
use crate::error::ApiError;
use crate::query::Query;
use crate::routes::auth::Authed;

/// The area an overview is of.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreaParam {
    /// Division or grid code (default: the caller's own area, or the city)
    area: Option<String>,
    /// Only cases of this kind (the per-kind counts are of every kind)
    kind: Option<String>,
}

/// The datum of a map's coordinates.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Datum {
    /// wgs84 (default), gcj02 or bd09
    crs: Option<String>,
}

/// What is live in an area now and in each of its children (the grids of a community): open
/// cases, yellow and red lights, whistles waiting for a unit to report in, today's reports, and
/// the area's unlocated cases; all of one kind with `kind`, and the area's counts per kind. Counts
/// are within the caller's data scope: a department counts
/// the cases sent to it, a street its street's. Residents and devices have no overview.
#[utoipa::path(get, path = "/api/v1/overview", tag = "cases",
    params(AreaParam),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = OverviewDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
               (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn overview(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(q): Query<AreaParam>,
) -> Result<Json<OverviewDto>, ApiError> {
    if caller.is_anonymous() {
        return Err(ApiError::unauthenticated("log in (or send an API key) to see the overview"));
    }
    Ok(Json(app.figures().overview(q.area.as_deref(), q.kind.as_deref(), &caller.actor).await?.into()))
}

/// The caller's to-do lists (待办): for each kind in force, the states its workflow puts on the
/// caller's role's lists, with the open cases waiting there for the caller (in their data scope,
/// assigned to their unit, or summoned by a whistle), how many are yellow and red, and the case
/// list's filter that shows them. Kinds in key order, each kind's lists in its states' order,
/// empty ones included; a role that waits on nothing (a resident) has none.
#[utoipa::path(get, path = "/api/v1/todo", tag = "cases",
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = Vec<TodoDto>), (status = 401, body = ApiError)))]
pub async fn todo(State(app): State<App>, Authed(caller): Authed) -> Result<Json<Vec<TodoDto>>, ApiError> {
    if caller.is_anonymous() {
        return Err(ApiError::unauthenticated("log in (or send an API key) to see your to-do lists"));
    }
    Ok(Json(app.cases().todo(&caller.actor).await?.into_iter().map(Into::into).collect()))
}

/// Which to-do list was opened.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TodoSeenDto {
    /// The list's `key` (`kind:state:whose`), one of the caller's.
    pub list: String,
}

/// Marks one of the caller's to-do lists opened now: its `changed` counts what changes after.
#[utoipa::path(post, path = "/api/v1/todo/seen", tag = "cases", request_body = TodoSeenDto,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 204, description = "Marked"), (status = 400, body = ApiError), (status = 401, body = ApiError)))]
pub async fn todo_seen(
    State(app): State<App>,
    Authed(caller): Authed,
    bytes: axum::body::Bytes,
) -> Result<axum::http::StatusCode, ApiError> {
    let body: TodoSeenDto = crate::routes::body(&bytes)?;
    if caller.is_anonymous() {
        return Err(ApiError::unauthenticated("log in (or send an API key) to mark your to-do lists"));
    }
    app.cases().mark_todo_seen(&caller.actor, &body.list).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The outlines of an area's children as a GeoJSON FeatureCollection (`application/geo+json`):
/// the counties of the city, the streets of a county, the communities of a street, the grids of a
/// community (a grid: itself). An area's outline is the union of its grids, thinned for the
/// screen. Each feature's properties: `code`, `name`, `level`, `grids`.
#[utoipa::path(get, path = "/api/v1/map/{code}", tag = "places",
    params(("code" = String, Path, description = "Division code (4, 6, 9 or 12 digits) or grid code (15)"),
           Datum),
    responses((status = 200, description = "A GeoJSON FeatureCollection", content_type = "application/geo+json", body = Object),
               (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn map(
    State(app): State<App>,
    Path(code): Path<String>,
    Query(q): Query<Datum>,
) -> Result<Response, ApiError> {
    let crs = crate::routes::places::datum(q.crs.as_deref())?;
    let places = app.places();
    // Dissolving a county's grids takes CPU time: off the request threads.
    let text = tokio::task::spawn_blocking(move || places.children_map(&code, crs))
        .await
        .map_err(|e| ApiError::from(shanzhi_app::AppError::internal(e)))??;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], text.to_string()).into_response())
}

/// The base map the console draws the outlines on (none: a plain background, offline).
#[utoipa::path(get, path = "/api/v1/map", tag = "places", responses((status = 200, body = BaseMapDto)))]
pub async fn base_map(State(app): State<App>) -> Json<BaseMapDto> {
    Json(app.base_map().into())
}
