//! The route table.

pub(crate) mod admin;
pub(crate) mod attachments;
pub(crate) mod auth;
pub(crate) mod cases;
pub(crate) mod command;
pub(crate) mod console;
pub(crate) mod events;
pub(crate) mod open311;
pub(crate) mod places;
pub(crate) mod system;

use axum::Router;
use axum::routing::{delete, get, post, put};
use shanzhi_app::App;

pub fn router() -> Router<App> {
    Router::new()
        .route("/healthz", get(system::healthz))
        .route("/api/v1/locate", get(places::locate))
        .route("/api/v1/areas/{code}", get(places::area))
        .route("/api/v1/taxonomy", get(places::taxonomy))
        .route("/api/v1/kinds", get(places::kinds))
        .route("/api/v1/map", get(command::base_map))
        .route("/api/v1/map/{code}", get(command::map))
        .route("/api/v1/overview", get(command::overview))
        .route("/api/v1/auth/login", post(auth::login))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/auth/me", get(auth::whoami))
        .route("/api/v1/auth/password", post(auth::change_password))
        .route("/api/v1/admin/api-keys", post(auth::create_api_key).get(auth::list_api_keys))
        .route("/api/v1/admin/api-keys/{name}", delete(auth::revoke_api_key))
        .route("/api/v1/admin/users", get(admin::list_users).post(admin::create_user))
        .route("/api/v1/admin/users/{username}", get(admin::show_user).patch(admin::change_user))
        .route("/api/v1/admin/users/{username}/password", post(admin::reset_password))
        .route("/api/v1/admin/users/{username}/unlock", post(admin::unlock_user))
        .route("/api/v1/admin/roles", get(admin::roles))
        .route("/api/v1/admin/roles/{role}/actions/{kind}", put(admin::edit_role_actions))
        .route("/api/v1/admin/workflows", get(admin::workflows))
        .route("/api/v1/admin/search", get(admin::search_state))
        .route("/api/v1/admin/search/reindex", post(admin::reindex_search))
        .route("/api/v1/admin/units", get(admin::units))
        .route("/api/v1/admin/scope-entries", get(admin::scope_entries))
        .route("/api/v1/admin/reference", get(admin::reference))
        .route("/api/v1/admin/reference/{kind}", post(admin::import_reference))
        .route("/api/v1/admin/taxonomy/types/{code}", put(admin::edit_type))
        .route("/api/v1/admin/calendar/holidays", post(admin::change_holiday))
        .route("/api/v1/admin/calendar/hours", put(admin::change_work_hours))
        .route("/api/v1/admin/reference/{kind}/{version}", get(admin::reference_source))
        .route("/api/v1/admin/grids", get(admin::export_grids).post(admin::import_grids))
        .route("/api/v1/admin/audit", get(admin::audit_log))
        .route("/api/v1/admin/audit/verify", post(admin::verify_audit))
        .route("/api/v1/calendar", get(admin::calendar))
        .route("/api/v1/cases", post(cases::report).get(cases::list))
        .route("/api/v1/cases/{id}", get(cases::show))
        .route("/api/v1/cases/{id}/actions", post(cases::act))
        .route("/api/v1/cases/{id}/notes", post(cases::add_note))
        .route("/api/v1/stats", get(cases::stats))
        .route("/api/v1/exports/cases.xlsx", get(cases::export))
        .route("/api/v1/exports/stats.xlsx", get(cases::export_stats))
        .route("/api/v1/events", get(events::watch))
        .route("/api/v1/attachments", post(attachments::upload))
        .route("/api/v1/attachments/{id}", get(attachments::show))
        .route("/api/v1/attachments/{id}/thumbnail", get(attachments::thumbnail))
        .route("/open311/v2/{file}", get(open311::get_top).post(open311::post_top))
        .route("/open311/v2/{dir}/{file}", get(open311::get_one))
        // The document, with the kinds in force, and the API explorer (Swagger UI, served from the
        // binary: it works offline) that reads it.
        .route("/openapi.json", get(openapi_document))
        .merge(utoipa_swagger_ui::SwaggerUi::new("/docs").config(utoipa_swagger_ui::Config::from("/openapi.json")))
        .fallback(console::fallback)
}

/// The OpenAPI document, describing the fields of every kind in force.
async fn openapi_document(axum::extract::State(app): axum::extract::State<App>) -> axum::Json<serde_json::Value> {
    let reference = app.reference();
    let mut kinds: Vec<&shanzhi_domain::cases::workflow::Workflow> = reference.workflows.values().collect();
    kinds.sort_by(|a, b| a.kind.cmp(&b.kind));
    axum::Json(crate::openapi::document(&kinds))
}

/// The longest `Idempotency-Key` taken (the IETF draft leaves it to the server; UUIDs are 36).
pub(crate) const MAX_IDEMPOTENCY_KEY: usize = 255;

/// The `Idempotency-Key` header (IETF draft-ietf-httpapi-idempotency-key-header): a structured
/// string (`"8e03978e-…"`), or the same unquoted as most clients send it; 1 to 255 visible ASCII
/// characters. A key that is empty, too long, not ASCII or sent twice is a 400 naming the
/// header: ignoring it would do the request again on every retry.
pub(crate) fn idempotency_key(headers: &axum::http::HeaderMap) -> Result<Option<String>, crate::error::ApiError> {
    let mut values = headers.get_all("idempotency-key").iter();
    let Some(value) = values.next() else { return Ok(None) };
    let bad = |why: &str, zh: &str| {
        crate::error::ApiError::from(
            shanzhi_app::AppError::invalid("Idempotency-Key", why.to_string())
                .with_zh(format!("Idempotency-Key（幂等键）{zh}")),
        )
    };
    if values.next().is_some() {
        return Err(bad("is sent more than once", "只能发送一个"));
    }
    let text =
        value.to_str().map_err(|_| bad("must be visible ASCII characters", "只能由可见的 ASCII 字符组成"))?.trim();
    let key = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
    if key.is_empty() {
        return Err(bad("is empty", "不能为空"));
    }
    if key.len() > MAX_IDEMPOTENCY_KEY {
        return Err(bad(
            &format!("has more than {MAX_IDEMPOTENCY_KEY} characters"),
            &format!("最多 {MAX_IDEMPOTENCY_KEY} 个字符"),
        ));
    }
    if !key.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\') {
        return Err(bad(
            "must be visible ASCII characters (no spaces, quotes or backslashes)",
            "只能由可见的 ASCII 字符组成（不含空格、引号、反斜杠）",
        ));
    }
    Ok(Some(key.to_string()))
}

/// Parses a JSON body, naming the field at fault.
pub(crate) fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, crate::error::ApiError> {
    // JSON may escape a NUL character; PostgreSQL cannot store or compare one.
    if bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return Err(crate::error::ApiError::invalid("body", "the body may not contain a NUL character (\\u0000)"));
    }
    // The path of the value at fault (`units.primary`, `rating.satisfaction`), whatever went
    // wrong with it: a wrong type names the field, never the value sent.
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let text = inner.to_string();
        // A missing or unknown field is named by serde, one level below the path.
        let below = (text.starts_with("missing field") || text.starts_with("unknown field"))
            .then(|| text.split('`').nth(1))
            .flatten();
        let field = match (inner.classify(), path.as_str(), below) {
            (serde_json::error::Category::Data, ".", Some(name)) => name.to_string(),
            (serde_json::error::Category::Data, ".", None) => "body".to_string(),
            (serde_json::error::Category::Data, p, Some(name)) => format!("{p}.{name}"),
            (serde_json::error::Category::Data, p, None) => p.to_string(),
            _ => "body".to_string(),
        };
        crate::error::ApiError::invalid(&field, format!("{field}: the body is not valid: {text}"))
    })?;
    de.end().map_err(|e| crate::error::ApiError::invalid("body", format!("the body is not valid: {e}")))?;
    Ok(value)
}
