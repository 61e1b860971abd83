//! Prometheus metrics at `/metrics`: requests by method, route template and status, and request
//! durations by route (a histogram), counted by a middleware; the grids in force. The text
//! format is written here (no global recorder), so each router counts its own traffic.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shanzhi_app::App;

/// Upper bounds of the duration buckets, in seconds.
const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Counts {
    /// (method, route, status) → requests.
    requests: BTreeMap<(String, String, u16), u64>,
    /// route → durations.
    durations: BTreeMap<String, Histogram>,
}

/// The counters of one router.
#[derive(Clone, Default)]
pub struct Metrics(Arc<Mutex<Counts>>);

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut c = self.0.lock().expect("metrics");
        *c.requests.entry((method.to_string(), route.to_string(), status)).or_default() += 1;
        let h = c.durations.entry(route.to_string()).or_default();
        h.count += 1;
        h.sum += seconds;
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                h.counts[i] += 1;
            }
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self, app: &App) -> String {
        let c = self.0.lock().expect("metrics");
        let mut out = String::new();
        out.push_str("# HELP shanzhi_http_requests_total HTTP requests answered, by method, route and status.\n");
        out.push_str("# TYPE shanzhi_http_requests_total counter\n");
        for ((method, route, status), n) in &c.requests {
            let _ = writeln!(
                out,
                "shanzhi_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP shanzhi_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE shanzhi_http_request_duration_seconds histogram\n");
        for (route, h) in &c.durations {
            for (le, n) in BUCKETS.iter().zip(h.counts) {
                let _ =
                    writeln!(out, "shanzhi_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {n}");
            }
            let _ = writeln!(
                out,
                "shanzhi_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "shanzhi_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
            let _ = writeln!(out, "shanzhi_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
        }
        out.push_str("# HELP shanzhi_grids Grids in force.\n# TYPE shanzhi_grids gauge\n");
        let _ = writeln!(out, "shanzhi_grids {}", app.places().grids.len());
        out
    }
}

/// The middleware: times each request and counts it under its route template (never the raw
/// path, so ids do not explode the label set). Only matched routes pass through it.
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let route =
        req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let res = next.run(req).await;
    metrics.record(&method, &route, res.status().as_u16(), started.elapsed().as_secs_f64());
    res
}

/// `GET /metrics`.
pub async fn expose(State(app): State<App>, axum::Extension(metrics): axum::Extension<Metrics>) -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], metrics.render(&app))
}
