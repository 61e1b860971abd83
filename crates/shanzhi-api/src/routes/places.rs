//! Places: locate a point, describe an area, list the taxonomy.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use shanzhi_app::App;
use shanzhi_domain::places::crs::Crs;

use crate::dto::{AreaDto, KindDto, LocateDto, TaxonomyDto};
use crate::error::ApiError;

fn number(q: &HashMap<String, String>, field: &str) -> Result<f64, ApiError> {
    let v = q.get(field).ok_or_else(|| ApiError::invalid(field, format!("{field} is required")))?;
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| ApiError::invalid(field, format!("{field} `{v}` is not a number")))
}

/// Point → grid → community → street → county → city. Outside every grid the answer is
/// `located: false` with the nearest grid and its distance.
#[utoipa::path(get, path = "/api/v1/locate", tag = "places",
    params(
        ("lon" = f64, Query, description = "Longitude"),
        ("lat" = f64, Query, description = "Latitude"),
        ("crs" = Option<String>, Query, description = "wgs84 (default), gcj02 or bd09"),
    ),
    responses((status = 200, body = LocateDto), (status = 400, body = ApiError)))]
pub async fn locate(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<LocateDto>, ApiError> {
    let lon = number(&q, "lon")?;
    let lat = number(&q, "lat")?;
    let crs = match q.get("crs") {
        None => Crs::Wgs84,
        Some(c) => Crs::parse(c).map_err(|e| ApiError::invalid("crs", e.to_string()))?,
    };
    Ok(Json(app.places().locate(lon, lat, crs)?.into()))
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
#[utoipa::path(get, path = "/api/v1/kinds", tag = "reference",
    responses((status = 200, body = Vec<KindDto>)))]
pub async fn kinds(State(app): State<App>) -> Json<Vec<KindDto>> {
    let reference = app.reference();
    let mut out: Vec<KindDto> = reference.workflows.values().map(KindDto::from).collect();
    out.sort_by(|a, b| a.kind.cmp(&b.kind));
    Json(out)
}

/// The current catalogue of categories and types.
#[utoipa::path(get, path = "/api/v1/taxonomy", tag = "reference",
    responses((status = 200, body = TaxonomyDto)))]
pub async fn taxonomy(State(app): State<App>) -> Json<TaxonomyDto> {
    Json(TaxonomyDto::from(&app.reference().taxonomy))
}
