//! shanzhi-api: the HTTP API (axum): routes, wire DTOs, stable error codes and the OpenAPI
//! document.

mod client;
mod dto;
mod dto_admin;
mod dto_auth;
mod dto_cases;
mod dto_console;
mod dto_follow;
mod dto_registers;
mod error;
mod limits;
mod metrics;
mod open311_format;
mod openapi;
mod openapi_open311;
mod query;
mod routes;
mod serve;

pub use error::{ApiError, ERROR_CODES};
pub use limits::Limits;
pub use openapi::api_doc;
pub use serve::serve;

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
    if !req.uri().path().starts_with("/open311/")
        && let Some(q) = req.uri().query()
        && let Some((key, _)) = query::pairs(q).into_iter().find(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        let key = key.replace('\0', "");
        return ApiError::from(
            shanzhi_app::AppError::invalid(&key, "a parameter may not contain a NUL character")
                .with_zh(format!("查询参数 {key} 不能含有 NUL 字符")),
        )
        .into_response();
    }
    next.run(req).await
}

/// What the console and the API explorer may load: their own scripts only (no inline or remote
/// script), their own styles (Element Plus and Swagger UI set style attributes), images from
/// themselves and the configured map tiles (any origin: the tile server is configuration, and a
/// city intranet's may be plain http),
/// and no framing by other sites.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob: https: http:; connect-src 'self'; font-src 'self' data:; object-src 'none'; \
     base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Answers that the layers and extractors make on their own (a body over the limit, a request
/// that took too long, a method a route does not have, a malformed path) in the API's error
/// shape, and the content security policy on every page.
async fn layer_errors(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let mut res = next.run(req).await;
    let ct = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    if ct.starts_with("text/html") {
        res.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, axum::http::HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    }
    let shaped = ct.starts_with("application/json") || ct.starts_with("text/xml") || ct.starts_with("text/html");
    if shaped || !(res.status().is_client_error() || res.status().is_server_error()) {
        return res;
    }
    let (code, message) = match res.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the body is larger than the server accepts (16 MiB)"),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "the request took longer than the server allows (30 s)"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this path does not take that method"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "the body's content type is not accepted here")
        }
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => ("invalid_parameter", "the request is malformed"),
        StatusCode::NOT_FOUND => ("not_found", "not found"),
        s if s.is_server_error() => ("internal", "internal error"),
        _ => return res,
    };
    let mut out = ApiError::layer(code, res.status().as_u16(), message).into_response();
    // Retry-After and Allow keep their meaning in the new shape.
    for name in [header::RETRY_AFTER, header::ALLOW] {
        if let Some(v) = res.headers().get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
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
        .layer(axum::middleware::from_fn_with_state(limits::Limiter::new(limits, &app), limits::limit))
        .layer(axum::middleware::from_fn(no_nul))
        .with_state(app)
        // One limit for every body (uploads included): axum's own 2 MB default is lifted to it.
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024))
        .layer(RequestBodyLimitLayer::new(16 * 1024 * 1024))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(axum::middleware::from_fn(layer_errors))
        // gzip for clients that ask (the console's 1 MB script on a phone's slow link); event
        // streams and images are left alone by the default predicate.
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}
