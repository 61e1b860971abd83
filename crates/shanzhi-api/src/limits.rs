//! Rate limits where anyone may knock: password logins and anonymous reports, per client address,
//! in fixed one-minute windows. Over the limit the answer is 429 `rate_limited` with
//! `Retry-After`. Authenticated intake (grid workers, devices with keys) is not limited here.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Requests per minute per client address.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    pub logins_per_minute: u32,
    pub anonymous_reports_per_minute: u32,
    /// Open connections one client address may hold (an office behind one NAT holds many: each
    /// console keeps an event stream open); more are closed as they come.
    pub connections_per_address: usize,
    /// Seconds a client has to send a request's headers once it starts one; a connection that
    /// dawdles (a slow-headers attack) is closed.
    pub header_read_secs: u64,
    /// The reverse proxies in front of the server (where TLS ends): for requests from them the
    /// client is the nearest untrusted address of `X-Forwarded-For`, and they are not capped.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// The client address a request counts under (`client::client_address`), put in its extensions
/// by the limits middleware for the handlers (logins count failures by it).
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl Default for Limits {
    fn default() -> Self {
        Limits {
            logins_per_minute: 30,
            anonymous_reports_per_minute: 60,
            connections_per_address: 500,
            header_read_secs: 10,
            trusted_proxies: Vec::new(),
        }
    }
}

const WINDOW: Duration = Duration::from_secs(60);

/// The windows in force, by (what, client).
#[derive(Clone)]
pub struct Limiter {
    limits: Limits,
    windows: Arc<Mutex<HashMap<(&'static str, String), (Instant, u32)>>>,
}

impl Limiter {
    pub fn new(limits: Limits) -> Limiter {
        Limiter { limits, windows: Arc::default() }
    }

    /// Counts a request; `Err(seconds to wait)` when over the limit.
    fn hit(&self, what: &'static str, client: &str, limit: u32) -> Result<(), u64> {
        let now = Instant::now();
        let mut w = self.windows.lock().expect("limiter");
        if w.len() > 50_000 {
            w.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let e = w.entry((what, client.to_string())).or_insert((now, 0));
        if now.duration_since(e.0) >= WINDOW {
            *e = (now, 0);
        }
        e.1 += 1;
        if e.1 > limit { Err(WINDOW.saturating_sub(now.duration_since(e.0)).as_secs().max(1)) } else { Ok(()) }
    }
}

/// The middleware.
pub async fn limit(State(limiter): State<Limiter>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let client = crate::client::client_address(peer, req.headers(), &limiter.limits.trusted_proxies);
    req.extensions_mut().insert(ClientAddress(client.clone()));
    // Only credentials that can work make a request not anonymous (a key in the query string is
    // taken on Open311 routes only).
    let anonymous = !req.headers().contains_key("authorization") && !req.headers().contains_key("x-api-key");
    let path = req.uri().path();
    let rule = match (req.method(), path) {
        (&Method::POST, "/api/v1/auth/login") => Some(("login", limiter.limits.logins_per_minute)),
        // Anonymous uploads count with anonymous reports: a resident's report comes with its photos.
        (&Method::POST, "/api/v1/cases" | "/api/v1/attachments") if anonymous => {
            Some(("report", limiter.limits.anonymous_reports_per_minute))
        }
        _ => None,
    };
    if let Some((what, n)) = rule
        && let Err(wait) = limiter.hit(what, &client, n)
    {
        let mut res =
            ApiError::rate_limited(format!("too many requests from {client}: at most {n} a minute; retry in {wait} s"))
                .into_response();
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            res.headers_mut().insert("retry-after", v);
        }
        return res;
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_counts_per_client_and_per_kind() {
        let l = Limiter::new(Limits { logins_per_minute: 3, anonymous_reports_per_minute: 1, ..Limits::default() });
        for _ in 0..3 {
            assert!(l.hit("login", "10.0.0.1", 3).is_ok());
        }
        assert!(l.hit("login", "10.0.0.1", 3).is_err());
        assert!(l.hit("login", "10.0.0.2", 3).is_ok(), "another client has its own window");
        assert!(l.hit("report", "10.0.0.1", 1).is_ok(), "another kind too");
    }
}
