//! Rate limits where anyone may knock: password logins, anonymous reports and short-code lookups
//! (everything under `/api/v1/follow/`: a 40-bit code must not be guessed in bulk), per client
//! address.
//! Each server counts on its own with `governor` (GCRA: the minute's number at once, then one more
//! every 60/n seconds), or, with `shared = true`, every server on the database counts together in
//! one-minute windows of the store (`shanzhi_app::rates`). Over the limit the answer is 429
//! `rate_limited` with `Retry-After`. Authenticated intake (grid workers, devices with keys) is
//! not limited here.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use shanzhi_app::App;
use shanzhi_app::rates::SharedRates;

use crate::error::ApiError;

/// Requests per minute per client address.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    pub logins_per_minute: u32,
    pub anonymous_reports_per_minute: u32,
    /// Requests under `/api/v1/follow/` (a case by its short code, its photos, its rating), right
    /// or wrong alike, so a guesser learns nothing from which are refused.
    pub follow_lookups_per_minute: u32,
    /// Count in the database, so that several servers behind one balancer share one limit per
    /// client (fixed one-minute windows); otherwise each server counts on its own, in memory.
    pub shared: bool,
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
            follow_lookups_per_minute: 30,
            shared: false,
            connections_per_address: 500,
            header_read_secs: 10,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Client addresses a local limiter holds before it forgets those back to a full allowance.
const KEEP_CLIENTS: usize = 10_000;

/// One rule's counts in this process, by client address.
struct Local {
    /// None: a limit of 0, which nothing passes.
    limiter: Option<DefaultKeyedRateLimiter<String>>,
    /// The number of addresses at which the next cleanup runs (`KEEP_CLIENTS`, or twice the
    /// addresses still counting after the last one, so a crowd does not make every request clean).
    clean_at: AtomicUsize,
}

impl Local {
    fn new(per_minute: u32) -> Local {
        Local {
            limiter: NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n))),
            clean_at: AtomicUsize::new(KEEP_CLIENTS),
        }
    }

    /// Counts a request; `Err(seconds to wait)` when over the limit.
    fn hit(&self, client: &str) -> Result<(), u64> {
        let Some(limiter) = &self.limiter else { return Err(60) };
        if limiter.len() > self.clean_at.load(Ordering::Relaxed) {
            limiter.retain_recent();
            limiter.shrink_to_fit();
            self.clean_at.store(KEEP_CLIENTS.max(2 * limiter.len()), Ordering::Relaxed);
        }
        limiter
            .check_key(&client.to_string())
            .map_err(|not_until| whole_seconds(not_until.wait_time_from(limiter.clock().now())))
    }
}

/// A wait as `Retry-After` says it: whole seconds, rounded up, at least 1.
fn whole_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// The limits in force for one router.
#[derive(Clone)]
pub struct Limiter {
    limits: Limits,
    logins: Arc<Local>,
    reports: Arc<Local>,
    lookups: Arc<Local>,
    /// Set with `shared = true`.
    shared: Option<SharedRates>,
}

impl Limiter {
    pub fn new(limits: Limits, app: &App) -> Limiter {
        Limiter {
            logins: Arc::new(Local::new(limits.logins_per_minute)),
            reports: Arc::new(Local::new(limits.anonymous_reports_per_minute)),
            lookups: Arc::new(Local::new(limits.follow_lookups_per_minute)),
            shared: limits.shared.then(|| SharedRates::new(app.clone())),
            limits,
        }
    }

    /// Counts a request under `bucket`; `Err(seconds to wait)` when over the limit.
    ///
    /// Shared counting that fails (the database unreachable or slow to answer) falls back to this
    /// server's own count, with a warning: the request is neither refused for the outage (a 429
    /// would tell the client it was at fault, and to come back in a minute) nor let through
    /// uncounted (a guesser would be unlimited while the database struggles). Both limited
    /// requests need the database anyway, and answer 503 themselves when it is gone.
    async fn hit(&self, bucket: &'static str, client: &str) -> Result<(), u64> {
        let (local, per_minute) = match bucket {
            "login" => (&self.logins, self.limits.logins_per_minute),
            "follow" => (&self.lookups, self.limits.follow_lookups_per_minute),
            _ => (&self.reports, self.limits.anonymous_reports_per_minute),
        };
        if let Some(shared) = &self.shared {
            match shared.hit(bucket, client, per_minute).await {
                Ok(None) => return Ok(()),
                Ok(Some(wait)) => return Err(wait),
                Err(e) => tracing::warn!(error = %e, bucket, "shared rate limit not counted: this server counts alone"),
            }
        }
        local.hit(client)
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
        // Every short-code request, whoever sends it: each one tries a code.
        (_, p) if p.starts_with("/api/v1/follow/") => Some(("follow", limiter.limits.follow_lookups_per_minute)),
        _ => None,
    };
    // Short codes are guessed from a site's many addresses: counted by its /48.
    let counted = if rule.is_some_and(|(b, _)| b == "follow") { crate::client::site(&client) } else { client.clone() };
    if let Some((bucket, n)) = rule
        && let Err(wait) = limiter.hit(bucket, &counted).await
    {
        let mut res = ApiError::rate_limited(format!(
            "too many requests from {counted}: at most {n} a minute; retry in {wait} s"
        ))
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
    fn each_client_has_its_own_allowance() {
        let l = Local::new(3);
        for _ in 0..3 {
            assert!(l.hit("10.0.0.1").is_ok());
        }
        let wait = l.hit("10.0.0.1").unwrap_err();
        assert!((1..=20).contains(&wait), "one more every 20 s: {wait}");
        assert!(l.hit("10.0.0.2").is_ok(), "another client has its own allowance");
        assert!(Local::new(0).hit("10.0.0.1").is_err(), "a limit of 0 lets nothing through");
    }

    #[test]
    fn many_clients_are_forgotten_once_back_to_a_full_allowance() {
        // 600 a minute: one more every 100 ms; a client is forgotten once its last request is
        // two of those behind (governor keeps a margin).
        let l = Local::new(600);
        l.clean_at.store(100, Ordering::Relaxed);
        let limiter = l.limiter.as_ref().unwrap();
        for i in 0..100 {
            assert!(l.hit(&format!("10.0.{}.{}", i / 256, i % 256)).is_ok());
        }
        assert_eq!(limiter.len(), 100);
        std::thread::sleep(Duration::from_millis(250));
        // The 101st passes the bound of 100: the cleanup keeps only the clients still counting.
        l.hit("10.1.0.1").unwrap();
        l.hit("10.1.0.2").unwrap();
        assert!(limiter.len() <= 2, "{}", limiter.len());
        assert_eq!(l.clean_at.load(Ordering::Relaxed), KEEP_CLIENTS);
    }

    #[test]
    fn waits_are_whole_seconds_of_at_least_one() {
        assert_eq!(whole_seconds(Duration::from_millis(1)), 1);
        assert_eq!(whole_seconds(Duration::ZERO), 1);
        assert_eq!(whole_seconds(Duration::from_millis(20_001)), 21);
        assert_eq!(whole_seconds(Duration::from_secs(20)), 20);
    }
}
