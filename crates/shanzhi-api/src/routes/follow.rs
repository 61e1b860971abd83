//! The resident's pages without an account: a case followed by its short code (查询码; its photos,
//! and rating it once it is closed), the everyday problems a report starts from, and communities
//! found by name for a phone without a position. Every request under `/api/v1/follow/` counts
//! against a per-address limit (`limits.rs`), so codes cannot be guessed in bulk.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use shanzhi_app::App;
use shanzhi_app::places::{MAX_COMMUNITIES_FOUND, MAX_COMMUNITY_QUERY};
use shanzhi_domain::cases::case::{Rating, Satisfaction};

use crate::dto_follow::{CommunityDto, EverydayDto, FollowDto, FollowRatingDto};
use crate::error::ApiError;
use crate::query::Query;
use crate::routes::attachments::file;
use crate::routes::body;

/// The longest reason a rating may give, in characters.
const MAX_REASON: usize = 500;

/// A case as its short follow code shows it: its type, state, place, the unit handling it, the
/// deadline of the step in progress and whether it is late, each step (no staff names), the
/// replies meant for the public, the photos of the report and of public replies, and whether it
/// can be rated. The code is read in any case, with or without the dash or spaces, in full-width
/// characters too. No login: the code is the key (a wrong one is a 404; too many tries from one
/// address, a 429).
#[utoipa::path(get, path = "/api/v1/follow/{code}", operation_id = "follow_case", tag = "resident",
    params(("code" = String, Path, description = "The short follow code, e.g. 7K3M-9QXD")),
    responses((status = 200, body = FollowDto), (status = 400, body = ApiError), (status = 404, body = ApiError),
               (status = 429, body = ApiError)))]
pub async fn follow(State(app): State<App>, Path(code): Path<String>) -> Result<Json<FollowDto>, ApiError> {
    Ok(Json(app.cases().follow(&code).await?.into()))
}

/// Rates the case a short code names, once it is closed, once: as its reporter, when a resident
/// reported it (a case staff reported is rated on a call-back: 403). Rated already, or not yet
/// closed: 409. With `Idempotency-Key`, a retry rates once.
#[utoipa::path(post, path = "/api/v1/follow/{code}/rating", operation_id = "follow_rate", tag = "resident", request_body = FollowRatingDto,
    params(("code" = String, Path, description = "The short follow code"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 200, body = FollowDto), (status = 400, body = ApiError), (status = 403, body = ApiError),
               (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError),
               (status = 429, body = ApiError)))]
pub async fn rate(
    State(app): State<App>,
    Path(code): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<FollowDto>, ApiError> {
    let dto: FollowRatingDto = body(&bytes)?;
    let satisfaction = match dto.satisfaction.as_str() {
        "satisfied" => Satisfaction::Satisfied,
        "basically_satisfied" => Satisfaction::BasicallySatisfied,
        "dissatisfied" => Satisfaction::Dissatisfied,
        other => {
            return Err(shanzhi_app::AppError::invalid(
                "satisfaction",
                format!("`{other}` is not satisfied, basically_satisfied or dissatisfied"),
            )
            .with_zh("satisfaction（满意度）须为满意、基本满意或不满意")
            .into());
        }
    };
    let reason = dto.reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > MAX_REASON) {
        return Err(shanzhi_app::AppError::invalid("reason", format!("at most {MAX_REASON} characters"))
            .with_zh(format!("reason（意见）最多 {MAX_REASON} 个字"))
            .into());
    }
    let key = crate::routes::idempotency_key(&headers)?;
    let view = app.cases().follow_rate(&code, Rating { satisfaction, reason }, key.as_deref()).await?;
    Ok(Json(view.into()))
}

/// A photo or file the short code's view shows (the report's, a public reply's); 404 for any other.
#[utoipa::path(get, path = "/api/v1/follow/{code}/attachments/{id}", operation_id = "follow_attachment", tag = "resident",
    params(("code" = String, Path, description = "The short follow code"), ("id" = String, Path)),
    responses((status = 200, description = "The file, with its media type", content_type = "application/octet-stream", body = Vec<u8>),
               (status = 400, body = ApiError), (status = 404, body = ApiError), (status = 429, body = ApiError)))]
pub async fn attachment(
    State(app): State<App>,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (record, bytes) = app.cases().follow_file(&code, &id, false).await?;
    Ok(file(&record.media_type, bytes))
}

/// The thumbnail of a photo the short code's view shows (JPEG).
#[utoipa::path(get, path = "/api/v1/follow/{code}/attachments/{id}/thumbnail", operation_id = "follow_thumbnail", tag = "resident",
    params(("code" = String, Path, description = "The short follow code"), ("id" = String, Path)),
    responses((status = 200, description = "A JPEG", content_type = "image/jpeg", body = Vec<u8>),
               (status = 400, body = ApiError), (status = 404, body = ApiError), (status = 429, body = ApiError)))]
pub async fn thumbnail(State(app): State<App>, Path((code, id)): Path<(String, String)>) -> Result<Response, ApiError> {
    let (_, bytes) = app.cases().follow_file(&code, &id, true).await?;
    Ok(file("image/jpeg", bytes))
}

/// The everyday problems a resident's report starts from (路灯不亮, 垃圾没清运 …): each with its
/// icon and the kind and catalogue type it is reported as; those not in force are left out.
#[utoipa::path(get, path = "/api/v1/everyday-problems", operation_id = "everyday_problems", tag = "resident",
    responses((status = 200, body = EverydayDto)))]
pub async fn everyday(State(app): State<App>) -> Json<EverydayDto> {
    Json(app.everyday_problems().into())
}

/// A community search.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommunityQuery {
    /// Words of a community's, street's or county's name (1 to 40 characters), e.g. 立新 or 学院南路
    q: Option<String>,
}

/// Communities and villages by name (at most 20), those whose own name holds the words first,
/// each with a point inside it: where a resident reports from when the phone gives no position.
#[utoipa::path(get, path = "/api/v1/communities", operation_id = "find_communities", tag = "resident",
    params(CommunityQuery),
    responses((status = 200, body = Vec<CommunityDto>), (status = 400, body = ApiError)))]
pub async fn communities(
    State(app): State<App>,
    Query(q): Query<CommunityQuery>,
) -> Result<Json<Vec<CommunityDto>>, ApiError> {
    let text = q.q.as_deref().map(str::trim).unwrap_or_default();
    if text.is_empty() || text.chars().count() > MAX_COMMUNITY_QUERY {
        return Err(shanzhi_app::AppError::invalid("q", format!("1 to {MAX_COMMUNITY_QUERY} characters"))
            .with_zh(format!("q（社区名称）须为 1 到 {MAX_COMMUNITY_QUERY} 个字"))
            .into());
    }
    let found = app.places().find_communities(text, MAX_COMMUNITIES_FOUND);
    Ok(Json(found.into_iter().map(Into::into).collect()))
}
