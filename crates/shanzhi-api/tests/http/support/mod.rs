//! The harness of the HTTP suites: the Tangshan demo on SQLite and PostgreSQL, every demo account
//! with one test password, and requests sent through the real router as a logged-in account.
#![allow(dead_code)]

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use chrono::{Duration, TimeZone, Utc};
use geo::InteriorPoint;
use serde_json::{Value, json};
use shanzhi_app::App;
use shanzhi_app::clock::ManualClock;
use shanzhi_demo::DemoConfig;
use tower::ServiceExt;

pub struct T {
    pub db: String,
    pub app: App,
    pub clock: Arc<ManualClock>,
    /// The attachment folder, removed with the harness.
    pub files: tempfile::TempDir,
    /// Login tokens by account, logged in on first use.
    tokens: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

/// The password the tests give every demo account.
pub const PASSWORD: &str = "Test@2026-pw";

/// The demo on each backend, every account with [`PASSWORD`] (but those in `without`).
pub async fn setups_except(test: &str, without: &[&str]) -> Vec<T> {
    let mut out = Vec::new();
    for (db, store) in demo_stores(test).await {
        let (app, clock, files) = open(store).await;
        let users: Vec<String> = app.store().load_users().await.unwrap().into_iter().map(|u| u.username).collect();
        let with: Vec<&str> = users.iter().map(String::as_str).filter(|u| !without.contains(u)).collect();
        app.set_shared_password(&with, PASSWORD).await.unwrap();
        out.push(T { db, app, clock, files, tokens: Default::default() });
    }
    out
}

/// A store per backend for `test` holding the demo as `shanzhi demo` loads it (a copy of the
/// stores it was loaded into once per run).
pub async fn demo_stores(test: &str) -> Vec<(String, shanzhi_store::Store)> {
    demo_template().await;
    shanzhi_store::testing::copy_stores(DEMO, test).await
}

/// The name of the stores the demo is loaded into once per run, each test working on a copy.
const DEMO: &str = "demo_template";

/// Loads the demo, as `shanzhi demo` does, into the template stores the tests copy (once).
async fn demo_template() {
    static LOADED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    LOADED
        .get_or_init(|| async {
            for (_, store) in shanzhi_store::testing::test_stores(DEMO).await {
                let (app, _, _) = open(store).await;
                app.load_demo(DemoConfig::default(), Box::new(|_, _, _| {})).await.unwrap();
                shanzhi_store::testing::keep_as_template(app.store(), DEMO).await;
            }
        })
        .await;
}

/// The application over `store` at Monday 2026-03-02 09:00 in Tangshan, with its own attachment
/// folder and an in-memory search index.
async fn open(store: shanzhi_store::Store) -> (App, Arc<ManualClock>, tempfile::TempDir) {
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()));
    let files = tempfile::tempdir().unwrap();
    let app = App::open(store, clock.clone())
        .await
        .unwrap()
        .with_files(shanzhi_app::files::Files::open(files.path().to_str().unwrap(), Default::default()).unwrap())
        .with_search(shanzhi_search::SearchIndex::in_memory().unwrap());
    (app, clock, files)
}

impl T {
    /// A request as `user` (logged in with the demo password on first use, and again when the
    /// token has expired because the test clock moved on); `None` is an anonymous resident.
    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        user: Option<&str>,
        body: Option<Value>,
        key: Option<&str>,
    ) -> (StatusCode, Value) {
        for attempt in 0..2 {
            let token = match user {
                Some(u) => Some(self.token(u, attempt > 0).await),
                None => None,
            };
            let (s, v) = self.send(method, uri, token.as_deref(), body.clone(), key).await;
            if s != StatusCode::UNAUTHORIZED || user.is_none() {
                return (s, v);
            }
        }
        panic!("{}: {user:?} cannot log in", self.db)
    }

    pub async fn token(&self, user: &str, renew: bool) -> String {
        if !renew && let Some(t) = self.tokens.lock().unwrap().get(user) {
            return t.clone();
        }
        let (s, v) = self
            .send("POST", "/api/v1/auth/login", None, Some(json!({"username": user, "password": PASSWORD})), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{}: login {user}: {v}", self.db);
        let t = v["token"].as_str().unwrap().to_string();
        self.tokens.lock().unwrap().insert(user.to_string(), t.clone());
        t
    }

    pub async fn send(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
        key: Option<&str>,
    ) -> (StatusCode, Value) {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some(b) = &bearer {
            headers.push(("authorization", b));
        }
        if let Some(k) = key {
            headers.push(("idempotency-key", k));
        }
        self.raw(method, uri, &headers, body).await
    }

    /// A request with exactly these headers (besides the JSON content type).
    pub async fn raw(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(uri).header("content-type", "application/json");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let body = body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty);
        let res = shanzhi_api::router(self.app.clone()).oneshot(req.body(body).unwrap()).await.unwrap();
        let status = res.status();
        let bytes = to_bytes(res.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// A request with a body of any type, answered as (status, content type, text).
    pub async fn text(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, String)>,
    ) -> (StatusCode, String, String) {
        let mut req = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let body = match body {
            Some((content_type, text)) => {
                req = req.header("content-type", content_type);
                Body::from(text)
            }
            None => Body::empty(),
        };
        let res = shanzhi_api::router(self.app.clone()).oneshot(req.body(body).unwrap()).await.unwrap();
        let status = res.status();
        let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let bytes = to_bytes(res.into_body(), usize::MAX).await.unwrap();
        (status, ct, String::from_utf8(bytes.to_vec()).unwrap())
    }

    /// POST `bytes` of `content_type` as `user`, answered as JSON.
    pub async fn post_bytes(&self, user: &str, uri: &str, content_type: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("authorization", format!("Bearer {}", self.token(user, false).await))
            .header("content-type", content_type);
        let res = shanzhi_api::router(self.app.clone()).oneshot(req.body(Body::from(bytes)).unwrap()).await.unwrap();
        let status = res.status();
        let bytes = to_bytes(res.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// GET as `user`: (status, content type, bytes).
    pub async fn fetch(&self, user: Option<&str>, uri: &str) -> (StatusCode, String, Vec<u8>) {
        let mut req = Request::builder().uri(uri);
        if let Some(u) = user {
            req = req.header("authorization", format!("Bearer {}", self.token(u, false).await));
        }
        let res = shanzhi_api::router(self.app.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        let status = res.status();
        let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        (status, ct, to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec())
    }

    pub async fn report(&self, user: &str, body: Value) -> Value {
        let (s, v) = self.call("POST", "/api/v1/cases", Some(user), Some(body), None).await;
        assert_eq!(s, StatusCode::CREATED, "{}: {v}", self.db);
        v
    }

    /// A grid worker's patrol report of `type_code` (description 暴露垃圾) inside `community`'s first
    /// grid; answers its id.
    pub async fn patrol(&self, worker: &str, community: &str, type_code: &str) -> String {
        let (lon, lat) = self.point_in(community);
        let c = self
            .report(
                worker,
                json!({"kind": "event", "type": type_code, "description": "暴露垃圾", "lon": lon, "lat": lat, "channel": "patrol"}),
            )
            .await;
        c["id"].as_str().unwrap().to_string()
    }

    /// Takes an action after `minutes`, expecting success.
    pub async fn act(&self, minutes: i64, id: &str, user: &str, body: Value) -> Value {
        self.clock.advance(Duration::minutes(minutes));
        let (s, v) =
            self.call("POST", &format!("/api/v1/cases/{id}/actions"), Some(user), Some(body.clone()), None).await;
        assert_eq!(s, StatusCode::OK, "{}: {body} by {user}: {v}", self.db);
        v
    }

    /// A point inside the first grid of a community.
    pub fn point_in(&self, community: &str) -> (f64, f64) {
        let places = self.app.places();
        let g = places.grids.iter().find(|g| g.code.as_str().starts_with(community)).unwrap();
        let p = g.shape.interior_point().unwrap();
        (p.x(), p.y())
    }
}

/// The demo on each backend, every account with [`PASSWORD`].
pub async fn setups(test: &str) -> Vec<T> {
    setups_except(test, &[]).await
}
