//! The route table.

pub(crate) mod cases;
pub(crate) mod places;
pub(crate) mod system;

use axum::Router;
use axum::routing::{get, post};
use shanzhi_app::App;

pub fn router() -> Router<App> {
    Router::new()
        .route("/healthz", get(system::healthz))
        .route("/openapi.json", get(system::openapi))
        .route("/api/v1/locate", get(places::locate))
        .route("/api/v1/areas/{code}", get(places::area))
        .route("/api/v1/taxonomy", get(places::taxonomy))
        .route("/api/v1/cases", post(cases::report).get(cases::list))
        .route("/api/v1/cases/{id}", get(cases::show))
        .route("/api/v1/cases/{id}/actions", post(cases::act))
        .route("/api/v1/stats", get(cases::stats))
        .fallback(system::not_found)
}
