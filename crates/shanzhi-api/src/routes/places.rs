//! Places: locate a point, describe an area, list the taxonomy.

use axum::Json;
use axum::extract::{Path, State};
use shanzhi_app::App;
use shanzhi_domain::places::crs::Crs;

use crate::dto::{AreaDto, KindDto, LocateDto, TaxonomyDto};
use crate::error::ApiError;
use crate::query::Query;
use crate::routes::auth::Authed;

/// A point to locate.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Point {
    /// Longitude
    lon: f64,
    /// Latitude
    lat: f64,
    /// wgs84 (default), gcj02 or bd09
    crs: Option<String>,
}

/// A datum (`wgs84`, the default; `gcj02`; `bd09`), or a 400 naming `crs`.
pub(crate) fn datum(crs: Option<&str>) -> Result<Crs, ApiError> {
    crs.map_or(Ok(Crs::Wgs84), |c| Crs::parse(c).map_err(|e| ApiError::invalid("crs", e.to_string())))
}

/// Point → grid → community → street → county → city. Outside every grid the answer is
/// `located: false` with the nearest grid and its distance.
#[utoipa::path(get, path = "/api/v1/locate", tag = "places",
    params(Point),
    responses((status = 200, body = LocateDto), (status = 400, body = ApiError)))]
pub async fn locate(State(app): State<App>, Query(q): Query<Point>) -> Result<Json<LocateDto>, ApiError> {
    for (field, v) in [("lon", q.lon), ("lat", q.lat)] {
        if !v.is_finite() {
            return Err(ApiError::invalid(field, format!("{field} `{v}` is not a number")));
        }
    }
    let crs = datum(q.crs.as_deref())?;
    Ok(Json(app.places().locate(q.lon, q.lat, crs)?.into()))
}

/// An area (city, county, township, community or village) with its parents, children and
/// grid and worker counts.
#[utoipa::path(get, path = "/api/v1/areas/{code}", tag = "places",
    params(("code" = String, Path, description = "Statistical code: 4, 6, 9 or 12 digits")),
    responses((status = 200, body = AreaDto), (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn area(State(app): State<App>, Path(code): Path<String>) -> Result<Json<AreaDto>, ApiError> {
    Ok(Json(app.places().area(&code)?.into()))
}

/// The case kinds in force, ordered by key: each kind's states and actions (with what each
/// action counts as), for the console to offer every kind in its forms, filters and dashboards.
/// Which roles may take each action is told to staff only (an empty list to anyone else: the
/// grants are the administrator's to know, not the public's).
#[utoipa::path(get, path = "/api/v1/kinds", tag = "reference",
    security(("bearer" = []), ("api_key" = []), ()),
    responses((status = 200, body = Vec<KindDto>)))]
pub async fn kinds(State(app): State<App>, Authed(caller): Authed) -> Json<Vec<KindDto>> {
    use shanzhi_domain::people::Role;
    let reference = app.reference();
    let mut out: Vec<KindDto> = reference.workflows.values().map(KindDto::from).collect();
    out.sort_by(|a, b| a.kind.cmp(&b.kind));
    if caller.is_anonymous() || matches!(caller.actor.role, Role::Resident | Role::Device) {
        for a in out.iter_mut().flat_map(|k| k.actions.iter_mut()) {
            a.roles.clear();
        }
    }
    Json(out)
}

/// The current catalogue of categories and types.
#[utoipa::path(get, path = "/api/v1/taxonomy", tag = "reference",
    responses((status = 200, body = TaxonomyDto)))]
pub async fn taxonomy(State(app): State<App>) -> Json<TaxonomyDto> {
    Json(TaxonomyDto::from(&app.reference().taxonomy))
}
