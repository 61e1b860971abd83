//! Prometheus metrics at `/metrics`: requests by method, route template and status, and request
//! durations by route (a histogram), counted by a middleware; the grids in force. Recorded with
//! the `metrics` crate into a `metrics-exporter-prometheus` recorder of each router's own (never
//! installed globally), so each router counts its own traffic.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusRecorder};
use shanzhi_app::App;

const REQUESTS: &str = "shanzhi_http_requests_total";
const DURATIONS: &str = "shanzhi_http_request_duration_seconds";
const GRIDS: &str = "shanzhi_grids";

/// Upper bounds of the duration buckets, in seconds.
const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// Requests between two upkeeps of the recorder: durations wait in a queue until a scrape or an
/// upkeep folds them into their buckets, so an unscraped server folds them itself.
const UPKEEP_EVERY: u64 = 1024;

/// The recorder of one router.
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    requests: Arc<AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(DURATIONS.into()), &BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        metrics::with_local_recorder(&recorder, || {
            metrics::describe_counter!(REQUESTS, "HTTP requests answered, by method, route and status.");
            metrics::describe_histogram!(DURATIONS, "Time to answer, by route.");
            metrics::describe_gauge!(GRIDS, "Grids in force.");
        });
        Metrics { recorder: Arc::new(recorder), requests: Arc::default() }
    }
}

impl Metrics {
    fn record(&self, method: String, route: String, status: u16, seconds: f64) {
        metrics::with_local_recorder(self.recorder.as_ref(), || {
            metrics::counter!(REQUESTS, "method" => method, "route" => route.clone(), "status" => status.to_string())
                .increment(1);
            metrics::histogram!(DURATIONS, "route" => route).record(seconds);
        });
        if (self.requests.fetch_add(1, Ordering::Relaxed) + 1).is_multiple_of(UPKEEP_EVERY) {
            self.recorder.handle().run_upkeep();
        }
    }

    /// The Prometheus text exposition, with the grids in force.
    pub fn render(&self, grids: usize) -> String {
        metrics::with_local_recorder(self.recorder.as_ref(), || metrics::gauge!(GRIDS).set(grids as f64));
        self.recorder.handle().render()
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
    metrics.record(method, route, res.status().as_u16(), started.elapsed().as_secs_f64());
    res
}

/// `GET /metrics`.
pub async fn expose(State(app): State<App>, axum::Extension(metrics): axum::Extension<Metrics>) -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], metrics.render(app.places().grids.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_recorder_renders_its_own_counts_in_the_text_format() {
        let (a, b) = (Metrics::default(), Metrics::default());
        a.record("GET".into(), "/healthz".into(), 200, 0.003);
        a.record("GET".into(), "/healthz".into(), 200, 0.2);
        let text = a.render(7);
        for line in [
            "# HELP shanzhi_http_requests_total HTTP requests answered, by method, route and status.",
            "# TYPE shanzhi_http_requests_total counter",
            r#"shanzhi_http_requests_total{method="GET",route="/healthz",status="200"} 2"#,
            "# TYPE shanzhi_http_request_duration_seconds histogram",
            r#"shanzhi_http_request_duration_seconds_bucket{route="/healthz",le="0.0025"} 0"#,
            r#"shanzhi_http_request_duration_seconds_bucket{route="/healthz",le="0.005"} 1"#,
            r#"shanzhi_http_request_duration_seconds_bucket{route="/healthz",le="0.25"} 2"#,
            r#"shanzhi_http_request_duration_seconds_bucket{route="/healthz",le="+Inf"} 2"#,
            r#"shanzhi_http_request_duration_seconds_count{route="/healthz"} 2"#,
            "# TYPE shanzhi_grids gauge",
            "shanzhi_grids 7",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
        assert!(!b.render(0).contains("shanzhi_http_requests_total{"), "another router counted nothing");
    }
}
