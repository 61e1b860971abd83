//! Accounts over HTTP: the `Authed` extractor (a login token or an API key, a resident's follow
//! code, or nobody: an anonymous resident), login, logout, the caller, password change, and API keys for the city
//! administrator.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use shanzhi_app::App;
use shanzhi_app::auth::{Caller, Credentials};

use crate::dto_auth::{ApiKeyCreatedDto, ApiKeyDto, LoginDto, MeDto, NewApiKeyDto, PasswordDto, SessionDto};
use crate::error::ApiError;
use crate::routes::body;

/// The caller of a request, authenticated; an API key's scope is checked against the request.
pub struct Authed(pub Caller);

fn header<'p>(parts: &'p Parts, name: &str) -> Option<&'p str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// `api_key=` in the query string (Open311 clients send it there).
fn query_key(parts: &Parts) -> Option<String> {
    let q = parts.uri.query()?;
    crate::query::pairs(q).into_iter().find(|(k, _)| k == "api_key").map(|(_, v)| v)
}

impl FromRequestParts<App> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let query = query_key(parts);
        let credentials = if let Some(auth) = header(parts, "authorization") {
            let token = auth
                .strip_prefix("Bearer ")
                .or_else(|| auth.strip_prefix("bearer "))
                .map(str::trim)
                .ok_or_else(|| ApiError::unauthenticated("Authorization must be `Bearer <token>`"))?;
            Credentials::Bearer(token)
        } else if let Some(k) = header(parts, "x-api-key") {
            Credentials::ApiKey(k)
        } else if let Some(k) = query.as_deref() {
            // A key in the address ends up in logs and browser history: the Open311 standard
            // puts it there, so Open311 routes take it; no other route does.
            if !parts.uri.path().starts_with("/open311/") {
                return Err(ApiError::unauthenticated(
                    "an API key in the query string (`api_key=`) is taken only on Open311 routes: send it as `X-API-Key`",
                ));
            }
            Credentials::ApiKey(k)
        } else if let Some(code) = header(parts, "x-follow-code") {
            Credentials::FollowCode(code)
        } else {
            Credentials::None
        };
        let caller = app.authenticate(credentials).await?;
        if let Some(scope) = caller.scope
            && !scope.allows(parts.method.as_str(), parts.uri.path())
        {
            return Err(ApiError::from(shanzhi_app::AppError::Forbidden(format!(
                "the API key's scope `{}` does not cover {} {}",
                scope.as_str(),
                parts.method,
                parts.uri.path()
            ))));
        }
        Ok(Authed(caller))
    }
}

fn me(c: &Caller, display_name: String) -> MeDto {
    MeDto {
        username: c.actor.user.clone(),
        display_name,
        role: c.actor.role.as_str().to_string(),
        unit: c.actor.unit.clone(),
        scope: c.scope.map(|s| s.as_str().to_string()),
    }
}

/// Logs in with a username and password; the answer's token goes in `Authorization: Bearer`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginDto,
    responses((status = 200, body = SessionDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 423, body = ApiError), (status = 429, body = ApiError)))]
pub async fn login(
    State(app): State<App>,
    client: Option<axum::Extension<crate::limits::ClientAddress>>,
    bytes: Bytes,
) -> Result<Json<SessionDto>, ApiError> {
    let dto: LoginDto = body(&bytes)?;
    // Failed logins count per client address, as the rate limits do (behind a trusted proxy, the
    // forwarded one); without one, `local`.
    let address = client.map(|c| c.0.0).unwrap_or_else(|| "local".into());
    let s = app.login_from(dto.username.trim(), &dto.password, &address).await?;
    Ok(Json(SessionDto {
        token: s.token,
        expires_at: s.expires_at.to_rfc3339(),
        user: MeDto {
            username: s.username,
            display_name: s.display_name,
            role: s.role.as_str().into(),
            unit: s.unit,
            scope: None,
        },
    }))
}

/// Ends this login: the token stops working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 400, body = ApiError), (status = 401, body = ApiError)))]
pub async fn logout(State(app): State<App>, Authed(caller): Authed) -> Result<StatusCode, ApiError> {
    if caller.is_anonymous() {
        return Err(ApiError::unauthenticated("log in first"));
    }
    app.logout(&caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account behind the request (anonymous without credentials).
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = []), ()),
    responses((status = 200, body = MeDto), (status = 401, body = ApiError)))]
pub async fn whoami(State(app): State<App>, Authed(caller): Authed) -> Json<MeDto> {
    let name = app.user(&caller.actor.user).map(|u| u.display_name).unwrap_or_else(|| "匿名居民".into());
    Json(me(&caller, name))
}

/// Changes the caller's password; every other login of the account ends.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordDto, security(("bearer" = [])),
    responses((status = 204), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn change_password(
    State(app): State<App>,
    Authed(caller): Authed,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    if caller.is_anonymous() {
        return Err(ApiError::unauthenticated("log in first"));
    }
    let dto: PasswordDto = body(&bytes)?;
    app.change_password(&caller, &dto.old_password, &dto.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn admin_only(caller: &Caller) -> Result<(), ApiError> {
    Ok(shanzhi_app::admin::require_admin(caller)?)
}

/// Creates an API key for a device or an external system; the key is shown only in this answer.
#[utoipa::path(post, path = "/api/v1/admin/api-keys", tag = "auth", request_body = NewApiKeyDto, security(("bearer" = [])),
    responses((status = 201, body = ApiKeyCreatedDto), (status = 400, body = ApiError), (status = 401, body = ApiError),
              (status = 403, body = ApiError), (status = 409, body = ApiError)))]
pub async fn create_api_key(
    State(app): State<App>,
    Authed(caller): Authed,
    bytes: Bytes,
) -> Result<(StatusCode, Json<ApiKeyCreatedDto>), ApiError> {
    admin_only(&caller)?;
    let dto: NewApiKeyDto = body(&bytes)?;
    let key = app.create_api_key(&caller.actor.user, &dto.name, &dto.username, &dto.scope).await?;
    Ok((StatusCode::CREATED, Json(ApiKeyCreatedDto { name: dto.name, key, username: dto.username, scope: dto.scope })))
}

/// The API keys (never the keys themselves).
#[utoipa::path(get, path = "/api/v1/admin/api-keys", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApiKeyDto>), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn list_api_keys(State(app): State<App>, Authed(caller): Authed) -> Result<Json<Vec<ApiKeyDto>>, ApiError> {
    admin_only(&caller)?;
    let keys = app.api_keys().await?;
    Ok(Json(
        keys.into_iter()
            .map(|k| ApiKeyDto {
                name: k.name,
                username: k.username,
                scope: k.scope,
                created_at: k.created_at.to_rfc3339(),
                revoked_at: k.revoked_at.map(|t| t.to_rfc3339()),
            })
            .collect(),
    ))
}

/// Revokes an API key: it stops working at once.
#[utoipa::path(delete, path = "/api/v1/admin/api-keys/{name}", tag = "auth", params(("name" = String, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn revoke_api_key(
    State(app): State<App>,
    Authed(caller): Authed,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    admin_only(&caller)?;
    app.revoke_api_key(&caller.actor.user, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
