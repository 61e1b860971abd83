//! Units found by name for a desk's unit filter: those that may hold the caller's cases.

use axum::Json;
use axum::extract::State;
use shanzhi_app::App;

use crate::dto_admin::UnitDto;
use crate::error::ApiError;
use crate::query::Query;
use crate::routes::auth::Authed;

/// The longest text a unit is looked for by, in characters.
const MAX_UNIT_QUERY: usize = 40;
/// The most units one answer holds.
const MAX_UNITS_FOUND: usize = 50;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// Part of the unit's name (at most 40 characters), e.g. 城管 or 立新; empty: the first units
    q: Option<String>,
}

/// Units whose name holds the words, among those that may hold cases the caller sees: its own
/// units, the units inside its areas and the departments above them (at most 50, in pinyin order).
/// For the case desk's unit filter; a resident or a device gets a 403.
#[utoipa::path(get, path = "/api/v1/units", operation_id = "find_units", tag = "cases",
    params(UnitQuery),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = Vec<UnitDto>), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError)))]
pub async fn find(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(q): Query<UnitQuery>,
) -> Result<Json<Vec<UnitDto>>, ApiError> {
    if caller.is_anonymous() {
        return Err(ApiError::unauthenticated("log in to look units up"));
    }
    let text = q.q.as_deref().map(str::trim).unwrap_or_default();
    if text.chars().count() > MAX_UNIT_QUERY {
        return Err(shanzhi_app::AppError::invalid("q", format!("at most {MAX_UNIT_QUERY} characters"))
            .with_zh(format!("q（单位名称）最多 {MAX_UNIT_QUERY} 个字"))
            .into());
    }
    let found = app.units_for(&caller.actor, text, MAX_UNITS_FOUND)?;
    Ok(Json(found.iter().map(UnitDto::from).collect()))
}
