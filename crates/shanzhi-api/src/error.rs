//! Stable error codes: every error answer is `{code, message, details}` with the right status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shanzhi_app::AppError;
use utoipa::ToSchema;

/// The table of error codes (code, HTTP status, meaning), documented in the README.
pub const ERROR_CODES: &[(&str, u16, &str)] = &[
    ("invalid_parameter", 400, "A parameter is missing or malformed; `details.field` names it."),
    (
        "unknown_reference",
        422,
        "A unit, area, type or account named in the request is not in the registers in force; `details.field` names it.",
    ),
    (
        "idempotency_key_reused",
        422,
        "The Idempotency-Key was used before with a different request; nothing was done. Use a new key for a new request.",
    ),
    ("rejected", 422, "A file was rejected; `details.problems` lists every problem."),
    ("not_found", 404, "The thing asked for does not exist."),
    ("unauthenticated", 401, "Wrong username or password, or a token or API key that is unknown, expired or revoked."),
    ("account_locked", 423, "Too many failed logins in a row: the account is locked for a while."),
    ("forbidden", 403, "The caller's role or unit may not do this."),
    ("action_refused", 409, "The workflow refuses the action in the case's present state; the message says why."),
    ("conflict", 409, "The request conflicts with stored data."),
    (
        "rate_limited",
        429,
        "Too many logins, anonymous reports or short-code lookups from one address in a minute; `Retry-After` says when to retry.",
    ),
    ("payload_too_large", 413, "The body is larger than the server accepts (16 MiB)."),
    ("timeout", 408, "The request took longer than the server allows (30 s)."),
    ("method_not_allowed", 405, "The path does not take that method; `Allow` lists those it takes."),
    ("unsupported_media_type", 415, "The body's content type is not accepted by that path."),
    ("busy", 503, "Busy with work that ends by itself (the search index being rebuilt); retry later."),
    ("unavailable", 503, "The database is unreachable; retry later."),
    ("internal", 500, "A fault on our side; the server log has the details."),
];

/// An error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiError {
    /// One of the stable codes of the error table.
    pub code: &'static str,
    pub message: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    #[serde(skip)]
    status: u16,
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            code: "invalid_parameter",
            message: message.into(),
            details: serde_json::json!({"field": field}),
            status: 400,
        }
    }
}

impl ApiError {
    /// An answer a layer made (a body over the limit, a timeout), in the error shape.
    pub(crate) fn layer(code: &'static str, status: u16, message: &str) -> ApiError {
        ApiError { code, message: message.into(), details: serde_json::json!({}), status }
    }

    pub fn rate_limited(message: impl Into<String>) -> ApiError {
        ApiError { code: "rate_limited", message: message.into(), details: serde_json::json!({}), status: 429 }
    }

    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        ApiError { code: "unauthenticated", message: message.into(), details: serde_json::json!({}), status: 401 }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid { field, message } => ApiError::invalid(&field, format!("{field}: {message}")),
            AppError::Unknown { field, message } => ApiError {
                code: "unknown_reference",
                message: format!("{field}: {message}"),
                details: serde_json::json!({"field": field}),
                status: 422,
            },
            AppError::KeyReused(m) => ApiError {
                code: "idempotency_key_reused",
                message: m,
                details: serde_json::json!({"field": "Idempotency-Key"}),
                status: 422,
            },
            AppError::NotFound { what } => ApiError {
                code: "not_found",
                message: format!("{what} not found"),
                details: serde_json::json!({}),
                status: 404,
            },
            AppError::Rejected { problems } => ApiError {
                code: "rejected",
                message: format!("the file was rejected: {} problem(s)", problems.len()),
                details: serde_json::json!({ "problems": problems }),
                status: 422,
            },
            AppError::Forbidden(m) => {
                ApiError { code: "forbidden", message: m, details: serde_json::json!({}), status: 403 }
            }
            AppError::Unauthenticated(m) => ApiError::unauthenticated(m),
            AppError::Locked(m) => {
                ApiError { code: "account_locked", message: m, details: serde_json::json!({}), status: 423 }
            }
            AppError::Refused(m) => {
                ApiError { code: "action_refused", message: m, details: serde_json::json!({}), status: 409 }
            }
            AppError::Conflict(m) => {
                ApiError { code: "conflict", message: m, details: serde_json::json!({}), status: 409 }
            }
            AppError::Busy(m) => ApiError { code: "busy", message: m, details: serde_json::json!({}), status: 503 },
            AppError::Unavailable(m) => {
                tracing::error!(error = %m, "database unavailable");
                ApiError {
                    code: "unavailable",
                    message: "the database is unavailable".into(),
                    details: serde_json::json!({}),
                    status: 503,
                }
            }
            AppError::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                ApiError {
                    code: "internal",
                    message: "internal error".into(),
                    details: serde_json::json!({}),
                    status: 500,
                }
            }
            AppError::Translated { zh, error } => {
                let mut e = ApiError::from(*error);
                // An internal error's message is not shown, nor is its translation.
                if e.status != 500
                    && let Some(details) = e.details.as_object_mut()
                {
                    details.insert("message_zh".into(), zh.into());
                }
                e
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self)).into_response()
    }
}
