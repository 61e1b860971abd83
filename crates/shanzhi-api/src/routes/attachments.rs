//! Attachments over HTTP: upload the file itself as the body (its type is read from the content),
//! then reference the answer's `id` in a report's or an action's `attachments`; read it back (or
//! its thumbnail) within one's data scope.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use shanzhi_app::App;

use crate::dto_cases::AttachmentDto;
use crate::error::ApiError;
use crate::query::Query;
use crate::routes::auth::Authed;

/// An upload's name.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileName {
    /// The file's name, for display only
    name: Option<String>,
}

/// Uploads a photo or a file: the raw bytes as the body (JPEG, PNG, WebP, PDF or MP4, judged by
/// the content; at most the configured size, 10 MiB by default). Images get a thumbnail.
#[utoipa::path(post, path = "/api/v1/attachments", tag = "cases",
    params(FileName),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file"),
    security(("bearer" = []), ("api_key" = []), ("follow_code" = []), ()),
    responses((status = 201, body = AttachmentDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
               (status = 403, body = ApiError), (status = 413, description = "Larger than the request limit"),
               (status = 429, body = ApiError)))]
pub async fn upload(
    State(app): State<App>,
    Authed(caller): Authed,
    Query(q): Query<FileName>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<AttachmentDto>), ApiError> {
    let record = app.cases().upload(bytes, q.name, &caller.actor).await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

/// A file's bytes as an answer: its type, never sniffed, shown inline, kept privately an hour.
pub(crate) fn file(media_type: &str, bytes: Bytes) -> Response {
    (
        [
            (header::CONTENT_TYPE, media_type.to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CONTENT_DISPOSITION, "inline".to_string()),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// An attachment's content: one's own upload, or a file of a case one may see (404 otherwise).
/// (Its operation id is its own: the case's `show` has the function's name.)
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "cases", operation_id = "show_attachment", params(("id" = String, Path)),
    security(("bearer" = []), ("api_key" = []), ("follow_code" = []), ()),
    responses((status = 200, description = "The file, with its media type", content_type = "application/octet-stream", body = Vec<u8>),
               (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn show(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (record, bytes) = app.cases().attachment(&id, &caller.actor, false).await?;
    Ok(file(&record.media_type, bytes))
}

/// An image's thumbnail (JPEG, at most 320 px on its longer side by default).
#[utoipa::path(get, path = "/api/v1/attachments/{id}/thumbnail", tag = "cases", params(("id" = String, Path)),
    security(("bearer" = []), ("api_key" = []), ("follow_code" = []), ()),
    responses((status = 200, description = "A JPEG", content_type = "image/jpeg", body = Vec<u8>),
               (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn thumbnail(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (_, bytes) = app.cases().attachment(&id, &caller.actor, true).await?;
    Ok(file("image/jpeg", bytes))
}
