//! shanzhi-api: the HTTP API (axum): routes, wire DTOs, stable error codes and the OpenAPI
//! document.

mod dto;
mod dto_admin;
mod dto_auth;
mod dto_cases;
mod dto_console;
mod error;
mod limits;
mod metrics;
mod open311_format;
mod openapi;
mod openapi_open311;
mod routes;

pub use error::{ApiError, ERROR_CODES};
pub use limits::Limits;
pub use openapi::ApiDoc;

use std::time::Duration;

use axum::Router;
use shanzhi_app::App;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Refuses a NUL character in the query string (PostgreSQL cannot store or compare one), naming
/// the parameter. Open311 answers its own errors for it.
async fn no_nul(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    if !req.uri().path().starts_with("/open311/") {
        if let Some(q) = req.uri().query() {
            if let Some((key, _)) = routes::auth::url_pairs(q).find(|(k, v)| k.contains('\0') || v.contains('\0')) {
                return ApiError::invalid(&key.replace('\0', ""), "a parameter may not contain a NUL character")
                    .into_response();
            }
        }
    }
    next.run(req).await
}

/// The whole HTTP application, with the default rate limits.
pub fn router(app: App) -> Router {
    router_with(app, Limits::default())
}

/// The whole HTTP application with these rate limits.
pub fn router_with(app: App, limits: Limits) -> Router {
    let metrics = metrics::Metrics::default();
    routes::router()
        .route("/metrics", axum::routing::get(metrics::expose))
        .route_layer(axum::middleware::from_fn_with_state(metrics.clone(), metrics::track))
        .layer(axum::Extension(metrics))
        .layer(axum::middleware::from_fn_with_state(limits::Limiter::new(limits), limits::limit))
        .layer(axum::middleware::from_fn(no_nul))
        .with_state(app)
        // One limit for every body (uploads included): axum's own 2 MB default is lifted to it.
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024))
        .layer(RequestBodyLimitLayer::new(16 * 1024 * 1024))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        // gzip for clients that ask (the console's 1 MB script on a phone's slow link); event
        // streams and images are left alone by the default predicate.
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}
