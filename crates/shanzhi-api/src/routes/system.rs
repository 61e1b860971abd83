//! Health and the fallback (the OpenAPI document and its explorer are mounted in `routes`).

use axum::Json;
use axum::extract::State;
use shanzhi_app::App;

use crate::dto::HealthDto;
use crate::error::ApiError;

/// Liveness and readiness: answers 200 when the database answers.
#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, body = HealthDto), (status = 503, body = ApiError)))]
pub async fn healthz(State(app): State<App>) -> Result<Json<HealthDto>, ApiError> {
    let database = app.health().await?;
    Ok(Json(HealthDto {
        status: "ok",
        database,
        grids: app.places().grids.len(),
        taxonomy_version: app.reference().taxonomy.version.clone(),
    }))
}

pub async fn not_found() -> ApiError {
    ApiError::from(shanzhi_app::AppError::NotFound { what: "route".into() })
}
