//! The route table.

pub(crate) mod admin;
pub(crate) mod attachments;
pub(crate) mod auth;
pub(crate) mod cases;
pub(crate) mod command;
pub(crate) mod console;
pub(crate) mod events;
pub(crate) mod follow;
pub(crate) mod open311;
pub(crate) mod places;
pub(crate) mod registers;
pub(crate) mod system;
pub(crate) mod units;

use axum::Router;
use axum::routing::get;
use shanzhi_app::App;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every route, documented ones with their OpenAPI description (`#[utoipa::path]` on the
/// handler): the router and the document come from this one list. Open311's paths are described
/// by hand (`openapi_open311`: its file-suffix routes are not one handler each).
pub(crate) fn table() -> OpenApiRouter<App> {
    OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .routes(routes!(system::healthz))
        .routes(routes!(places::locate))
        .routes(routes!(places::area))
        .routes(routes!(places::taxonomy))
        .routes(routes!(places::kinds))
        .routes(routes!(command::base_map))
        .routes(routes!(command::map))
        .routes(routes!(command::overview))
        .routes(routes!(command::todo))
        .routes(routes!(command::todo_seen))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::whoami))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::create_api_key, auth::list_api_keys))
        .routes(routes!(auth::revoke_api_key))
        .routes(routes!(admin::list_users, admin::create_user))
        .routes(routes!(admin::show_user, admin::change_user))
        .routes(routes!(admin::reset_password))
        .routes(routes!(admin::unlock_user))
        .routes(routes!(admin::roles))
        .routes(routes!(admin::edit_role_actions))
        .routes(routes!(admin::workflows))
        .routes(routes!(admin::search_state))
        .routes(routes!(admin::reindex_search))
        .routes(routes!(admin::units))
        .routes(routes!(admin::scope_entries))
        .routes(routes!(admin::reference))
        .routes(routes!(admin::import_reference))
        .routes(routes!(admin::edit_type))
        .routes(routes!(admin::change_holiday))
        .routes(routes!(admin::change_work_hours))
        .routes(routes!(admin::reference_source))
        .routes(routes!(admin::export_grids, admin::import_grids))
        .routes(routes!(admin::audit_log))
        .routes(routes!(admin::verify_audit))
        .routes(routes!(admin::calendar))
        .routes(routes!(cases::report, cases::list))
        .routes(routes!(cases::show))
        .routes(routes!(cases::act))
        .routes(routes!(cases::act_many))
        .routes(routes!(units::find))
        .routes(routes!(registers::registers))
        .routes(routes!(registers::list, registers::create))
        .routes(routes!(registers::show, registers::change))
        .routes(routes!(registers::remove))
        .routes(routes!(registers::history))
        .routes(routes!(registers::visit, registers::visits))
        .routes(routes!(registers::due))
        .routes(routes!(registers::export))
        .routes(routes!(registers::import))
        .routes(routes!(cases::add_note))
        .routes(routes!(cases::stats))
        .routes(routes!(cases::export))
        .routes(routes!(cases::export_stats))
        .routes(routes!(events::watch))
        .routes(routes!(attachments::upload))
        .routes(routes!(attachments::show))
        .routes(routes!(attachments::thumbnail))
        .routes(routes!(follow::follow))
        .routes(routes!(follow::rate))
        .routes(routes!(follow::attachment))
        .routes(routes!(follow::thumbnail))
        .routes(routes!(follow::everyday))
        .routes(routes!(follow::communities))
        .route("/open311/v2/{file}", get(open311::get_top).post(open311::post_top))
        .route("/open311/v2/{dir}/{file}", get(open311::get_one))
}

pub fn router() -> Router<App> {
    let (router, _) = table().split_for_parts();
    router
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

/// The path of the value at fault (`units.primary`, `rating.satisfaction`), whatever went wrong
/// with it, from serde's path and message: a wrong type names the field, never the value sent; a
/// missing or unknown field is named by serde's message, one level below the path.
pub(crate) fn field_at_fault(path: &str, message: &str) -> Option<String> {
    let below = ["missing field", "unknown field", "duplicate field"]
        .iter()
        .any(|p| message.starts_with(p))
        .then(|| message.split('`').nth(1))
        .flatten();
    match (path, below) {
        ("." | "", Some(name)) => Some(name.to_string()),
        ("." | "", None) => None,
        (p, Some(name)) => Some(format!("{p}.{name}")),
        (p, None) => Some(p.to_string()),
    }
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
        let field = match inner.classify() {
            serde_json::error::Category::Data => field_at_fault(&path, &text).unwrap_or_else(|| "body".to_string()),
            _ => "body".to_string(),
        };
        crate::error::ApiError::invalid(&field, format!("{field}: the body is not valid: {text}"))
    })?;
    de.end().map_err(|e| crate::error::ApiError::invalid("body", format!("the body is not valid: {e}")))?;
    Ok(value)
}
