//! Live events over server-sent events, on SQLite and PostgreSQL: real event streams read frame by
//! frame through the router while cases are reported, dispatched and swept. Each watcher gets the
//! events of its data scope only, in log order; a watcher that comes back with `Last-Event-ID`
//! gets what it missed.

use std::pin::Pin;

use crate::support::{T, setups};
use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use chrono::Duration;
use futures_util::{Stream, StreamExt};
use serde_json::{Value, json};
use tower::ServiceExt;

type Frames = Pin<Box<dyn Stream<Item = Result<Bytes, axum::Error>> + Send>>;

/// An open event stream and the text received but not yet parsed.
struct Watch {
    frames: Frames,
    buffer: String,
}

impl Watch {
    async fn open(t: &T, user: &str, query: &str, last: Option<&str>) -> Watch {
        Watch::with(t, &t.token(user, true).await, query, last).await
    }

    /// A stream opened with this token (or API key).
    async fn with(t: &T, token: &str, query: &str, last: Option<&str>) -> Watch {
        let mut req =
            Request::builder().uri(format!("/api/v1/events{query}")).header("authorization", format!("Bearer {token}"));
        if let Some(l) = last {
            req = req.header("last-event-id", l);
        }
        let res = shanzhi_api::router(t.app.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}: the stream was refused", t.db);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        Watch { frames: Box::pin(res.into_body().into_data_stream()), buffer: String::new() }
    }

    /// The next event: (id, kind, data). No event within a minute (keep-alives aside) fails the
    /// test.
    async fn next(&mut self) -> (String, String, Value) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(name).map(|v| v.trim_start().to_string()))
                        .unwrap_or_default()
                };
                if block.lines().all(|l| l.starts_with(':') || l.is_empty()) {
                    continue; // keep-alive
                }
                let data = field("data:");
                return (field("id:"), field("event:"), serde_json::from_str(&data).unwrap_or(Value::String(data)));
            }
            let frame = tokio::time::timeout_at(deadline, self.frames.next())
                .await
                .expect("no event within a minute")
                .expect("the stream ended")
                .unwrap();
            self.buffer.push_str(std::str::from_utf8(&frame).unwrap());
        }
    }

    /// Whether the stream ends before any further event (keep-alives aside), within a minute.
    async fn ends(&mut self) -> bool {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            if self.buffer.lines().any(|l| l.starts_with("data:")) {
                return false;
            }
            match tokio::time::timeout_at(deadline, self.frames.next())
                .await
                .expect("the stream neither ended nor spoke")
            {
                None => return true,
                Some(frame) => self.buffer.push_str(std::str::from_utf8(&frame.unwrap()).unwrap()),
            }
        }
    }

    /// Events up to and including the first one about `case` of kind `kind`.
    async fn until(&mut self, case: &str, kind: &str) -> Vec<(String, String, Value)> {
        let mut seen = Vec::new();
        loop {
            let e = self.next().await;
            let done = e.2["case"] == case && e.1 == kind;
            seen.push(e);
            if done {
                return seen;
            }
        }
    }
}

fn cases_of(events: &[(String, String, Value)]) -> Vec<String> {
    events.iter().map(|e| e.2["case"].as_str().unwrap_or("").to_string()).collect()
}

async fn patrol(t: &T, worker: &str, community: &str, ty: &str) -> String {
    let (lon, lat) = t.point_in(community);
    t.clock.advance(Duration::minutes(1));
    let c = t
        .report(worker, json!({"kind": "event", "type": ty, "description": "巡查发现", "lon": lon, "lat": lat, "channel": "patrol"}))
        .await;
    c["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn each_watcher_sees_its_scope_live_and_can_resume() {
    for t in setups("sse_scope").await {
        let (s, e) = t.call("GET", "/api/v1/events", None, None, None).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")), "{}", t.db);
        let (s, e) = t.call("GET", "/api/v1/events?events=new,bogus", Some("paiqian"), None, None).await;
        assert_eq!((s, e["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("events")));

        let mut centre = Watch::open(&t, "paiqian", "", None).await;
        let mut dispatched_only = Watch::open(&t, "paiqian", "?events=dispatched", None).await;
        let mut water = Watch::open(&t, "lunan-gongshui", "", None).await;
        let mut lixin = Watch::open(&t, "lixin-wangge", "", None).await;
        let mut xinyi = Watch::open(&t, "xinyi-wangge", "", None).await;

        // A: a water-supply cover in 立新东楼社区, dispatched to the water company.
        let a = patrol(&t, "lixin-wangge", "130202001001", "0101").await;
        t.act(2, &a, "shouli", json!({"action": "register"})).await;
        t.act(5, &a, "zhiban", json!({"action": "file"})).await;
        t.act(5, &a, "paiqian", json!({"action": "dispatch"})).await;
        // B: rubbish in the neighbouring 新谊社区; C: another cover, for the water company.
        let b = patrol(&t, "xinyi-wangge", "130202001002", "0602").await;
        let c = patrol(&t, "lixin-wangge", "130202001001", "0101").await;
        t.act(2, &c, "shouli", json!({"action": "register"})).await;
        t.act(5, &c, "zhiban", json!({"action": "file"})).await;
        t.act(5, &c, "paiqian", json!({"action": "dispatch"})).await;

        // The city's centre: everything, in log order.
        let seen = centre.until(&c, "dispatched").await;
        let kinds: Vec<(&str, &str)> = seen.iter().map(|e| (e.2["case"].as_str().unwrap(), e.1.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (a.as_str(), "new"),
                (a.as_str(), "updated"),
                (a.as_str(), "updated"),
                (a.as_str(), "dispatched"),
                (b.as_str(), "new"),
                (c.as_str(), "new"),
                (c.as_str(), "updated"),
                (c.as_str(), "updated"),
                (c.as_str(), "dispatched"),
            ],
            "{}",
            t.db
        );
        assert_eq!(seen[3].2["units"][0], "130202:water-supply");
        assert_eq!(seen[3].2["state"], "dispatched");
        let first_id = seen[0].0.clone();
        // Only dispatches, when asked.
        let d = dispatched_only.until(&c, "dispatched").await;
        assert_eq!(cases_of(&d), [a.clone(), c.clone()]);
        // The water company: its dispatches, never the rubbish in 新谊社区.
        let w = water.until(&c, "dispatched").await;
        assert!(w.iter().any(|e| e.2["case"] == a.as_str() && e.1 == "dispatched"), "{}: {w:?}", t.db);
        assert!(!cases_of(&w).contains(&b), "{}: another area's case leaked: {w:?}", t.db);
        // Each grid worker: their own community only.
        let l = lixin.until(&c, "dispatched").await;
        assert!(!cases_of(&l).contains(&b));
        assert!(cases_of(&l).contains(&a));
        let x = xinyi.until(&b, "new").await;
        assert_eq!(
            cases_of(&x),
            std::slice::from_ref(&b),
            "{}: 新谊社区 sees nothing of 立新东楼社区 before its own case",
            t.db
        );

        // The sweep: A's handling limit passes and the centre hears of it.
        // Ten days on, the morning's logins have expired and their streams end; a new login
        // watches the sweep.
        t.clock.advance(Duration::days(10));
        assert!(centre.ends().await, "{}: a stream outlived its login", t.db);
        let mut centre = Watch::open(&t, "paiqian", "", None).await;
        assert!(t.app.sweep_once(100).await.unwrap().swept >= 2);
        let o = centre.until(&a, "overdue").await;
        assert!(o.iter().all(|e| e.1 == "overdue" || e.1 == "escalated"), "{o:?}");

        // Coming back after the first event: everything after it, from the store.
        let mut again = Watch::open(&t, "paiqian", "", Some(&first_id)).await;
        let (_, kind, data) = again.next().await;
        assert_eq!(
            (kind.as_str(), data["case"].as_str(), data["action"].as_str()),
            ("updated", Some(a.as_str()), Some("register"))
        );
        // An id from beyond the log's end (another database, an older version): reload, then live.
        let mut stranger = Watch::open(&t, "paiqian", "", Some("99999999999-1-1")).await;
        assert_eq!(stranger.next().await.1, "lagged", "{}", t.db);
        let d = patrol(&t, "lixin-wangge", "130202001001", "0602").await;
        assert_eq!(stranger.next().await.2["case"], d.as_str(), "{}: live after the reload notice", t.db);
        let bearer = format!("Bearer {}", t.token("paiqian", true).await);
        let (s, e) = t
            .raw("GET", "/api/v1/events", &[("authorization", bearer.as_str()), ("last-event-id", "yesterday")], None)
            .await;
        assert_eq!((s, e["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("Last-Event-ID")));
    }
}

#[tokio::test]
async fn a_watcher_misses_nothing_when_many_write_at_once() {
    for t in setups("sse_race").await {
        let mut centre = Watch::open(&t, "paiqian", "?events=new", None).await;
        let (lon, lat) = t.point_in("130202001001");
        // Sixty reports in flight at once, on a clock that stands still: commit order is all there
        // is to tell them apart, and an entry committed after a later one must still arrive.
        let reports = (0..60).map(|i| {
            let body = json!({"kind": "event", "type": "0602", "description": format!("垃圾堆放 {i}"),
                              "lon": lon, "lat": lat, "channel": "patrol"});
            let t = &t;
            async move { t.report("lixin-wangge", body).await["id"].as_str().unwrap().to_string() }
        });
        let mut made: Vec<String> = futures_util::future::join_all(reports).await;
        let mut seen = Vec::new();
        let mut last = (-1i64, -1i64, -1i64);
        while seen.len() < made.len() {
            let (id, kind, data) = centre.next().await;
            assert_eq!(kind, "new");
            let parts: Vec<i64> = id.split('-').map(|p| p.parse().unwrap()).collect();
            let at = (parts[0], parts[1], parts[2]);
            assert!(at > last, "{}: event ids go forward ({at:?} after {last:?})", t.db);
            last = at;
            seen.push(data["case"].as_str().unwrap().to_string());
        }
        made.sort();
        seen.sort();
        assert_eq!(seen, made, "{}: every report once, none skipped", t.db);

        // An entry stamped before one already sent (the clock stands still, the case is older)
        // but committed after it still arrives: the feed follows commit order, not time.
        let mut updates = Watch::open(&t, "paiqian", "?events=updated", None).await;
        let older = made.iter().min_by_key(|id| id.parse::<i64>().unwrap()).unwrap().clone();
        let newer = made.iter().max_by_key(|id| id.parse::<i64>().unwrap()).unwrap().clone();
        t.act(0, &newer, "shouli", json!({"action": "register"})).await;
        assert_eq!(updates.next().await.2["case"], newer.as_str());
        t.act(0, &older, "shouli", json!({"action": "register"})).await;
        assert_eq!(updates.next().await.2["case"], older.as_str(), "{}: the late entry arrived", t.db);
    }
}

#[tokio::test]
async fn a_stream_ends_when_its_login_does() {
    for t in setups("sse_logout").await {
        // Logged out: the next event is not sent, the stream ends.
        let token = t.token("paiqian", true).await;
        let mut watch = Watch::with(&t, &token, "", None).await;
        let a = patrol(&t, "lixin-wangge", "130202001001", "0101").await;
        assert_eq!(watch.until(&a, "new").await.len(), 1, "{}", t.db);
        let (s, _) = t.send("POST", "/api/v1/auth/logout", Some(&token), None, None).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{}", t.db);
        patrol(&t, "lixin-wangge", "130202001001", "0602").await;
        assert!(watch.ends().await, "{}: a logged-out stream went on", t.db);

        // Disabled by the administrator: the same, for a login and for an API key of the account.
        let token = t.token("lunan-chengguan", true).await;
        let (_, key) = t
            .call(
                "POST",
                "/api/v1/admin/api-keys",
                Some("admin"),
                Some(json!({"name": "cg-screen", "username": "lunan-chengguan", "scope": "read"})),
                None,
            )
            .await;
        let mut by_login = Watch::with(&t, &token, "", None).await;
        let mut by_key = Watch::with(&t, key["key"].as_str().unwrap(), "", None).await;
        let (s, _) = t
            .call("PATCH", "/api/v1/admin/users/lunan-chengguan", Some("admin"), Some(json!({"disabled": true})), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{}", t.db);
        // A case dispatched to the department: the streams would have carried it.
        let b = patrol(&t, "lixin-wangge", "130202001001", "0602").await;
        t.act(2, &b, "shouli", json!({"action": "register"})).await;
        t.act(5, &b, "zhiban", json!({"action": "file"})).await;
        t.act(
            5,
            &b,
            "paiqian",
            json!({"action": "dispatch", "units": {"primary": "130202:urban-management", "assisting": []}}),
        )
        .await;
        assert!(by_login.ends().await, "{}: a disabled account's stream went on", t.db);
        assert!(by_key.ends().await, "{}: a disabled account's key kept its stream", t.db);
    }
}
