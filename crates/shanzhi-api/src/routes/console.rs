//! The web console (web/, Vue): its built files (web/dist) are embedded in release builds and read
//! from the folder in debug builds. Any other path that is not the API's answers the console's
//! page, so the console's own routes (`/cases/123`) survive a reload; a missing asset is a 404.
//! Before `scripts/web.sh` has built the console, the page says how to build it.

use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "../../web/dist/"]
#[allow_missing = true]
struct Console;

/// Paths that belong to the server (themselves and everything under them), never to the console.
const SERVER_PATHS: [&str; 6] = ["/api", "/open311", "/docs", "/openapi.json", "/metrics", "/healthz"];

fn is_server_path(path: &str) -> bool {
    SERVER_PATHS.iter().any(|p| path.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
}

const NOT_BUILT: &str = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>善治</title>\
<body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\"><h1>控制台尚未构建</h1>\
<p>运行 <code>scripts/web.sh</code> 构建控制台（需要 Node.js 20.19 或更高版本与 npm），release 版本需随后重新编译。</p>\
<p>The console is not built: run <code>scripts/web.sh</code> (Node.js 20.19+ and npm); rebuild a release binary after it.</p>\
<p>API: <a href=\"/docs/\">/docs/</a></p></body></html>";

fn file(path: &str) -> Option<Response> {
    let f = Console::get(path)?;
    let mut res = f.data.into_owned().into_response();
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(f.metadata.mimetype()) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    // Built assets carry a content hash in their names; the page itself must always be fresh.
    let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // The console is never framed by another site (clickjacking).
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("frame-ancestors 'none'"));
    Some(res)
}

/// Whatever no route took: an API path is a 404 in the API's shape; otherwise a console file, or
/// the console's page for its own routes.
pub async fn fallback(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    if is_server_path(path) || !(method == Method::GET || method == Method::HEAD) {
        return super::system::not_found().await.into_response();
    }
    let name = path.trim_start_matches('/');
    if let Some(res) = (!name.is_empty()).then(|| file(name)).flatten() {
        return res;
    }
    // A file name (with an extension) that is not there is missing; anything else is a page.
    if name.rsplit('/').next().is_some_and(|last| last.contains('.')) {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    file("index.html").unwrap_or_else(|| (StatusCode::SERVICE_UNAVAILABLE, Html(NOT_BUILT)).into_response())
}
