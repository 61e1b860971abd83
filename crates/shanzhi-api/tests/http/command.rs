//! The command centre's data on SQLite and PostgreSQL: the live overview (counts per child area,
//! within each caller's scope, agreeing with the case list they link to, moving with the clock and
//! with whistles), the store task that fills `summons_due` for cases from before its migration,
//! and the map outlines (children of an area, made from their grids, in the asked datum).

use crate::support::{T, setups};
use axum::http::StatusCode;
use chrono::Duration;
use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use serde_json::{Value, json};

async fn overview(t: &T, user: &str, area: &str) -> Value {
    let uri = if area.is_empty() { "/api/v1/overview".to_string() } else { format!("/api/v1/overview?area={area}") };
    let (s, v) = t.call("GET", &uri, Some(user), None, None).await;
    assert_eq!(s, StatusCode::OK, "{}: {user} {area}: {v}", t.db);
    v
}

fn child<'v>(o: &'v Value, code: &str) -> &'v Value {
    o["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no child {code}: {o}"))
}

/// A case the residents' committee has summoned the street office to: 乱堆物堆料 (1008) is a
/// community matter, dispatched there by routing.
async fn whistled(t: &T) -> String {
    let w = t.patrol("lixin-wangge", "130202001001", "1008").await;
    t.act(1, &w, "shouli", json!({"action": "register"})).await;
    t.act(1, &w, "zhiban", json!({"action": "file"})).await;
    t.act(1, &w, "paiqian", json!({"action": "dispatch"})).await;
    let opinion = "社区协调不成";
    t.act(
        10,
        &w,
        "lixin-juweihui",
        json!({"action": "whistle", "opinion": opinion, "units": {"primary": "130202001:street-office"}}),
    )
    .await;
    w
}

/// The list's total for a link's filters, as `user`.
async fn listed(t: &T, user: &str, query: &str) -> u64 {
    let (s, v) = t.call("GET", &format!("/api/v1/cases?{query}"), Some(user), None, None).await;
    assert_eq!(s, StatusCode::OK, "{}: {query}: {v}", t.db);
    v["total"].as_u64().unwrap()
}

#[tokio::test]
async fn the_overview_counts_what_is_live_in_each_child_within_the_callers_scope() {
    for t in setups("cmd_overview").await {
        // Three reports in 路南区 (two in 立新东楼社区, one in 新谊社区), one in 路北区, one at sea.
        let a = t.patrol("lixin-wangge", "130202001001", "1008").await;
        let _b = t.patrol("lixin-wangge", "130202001001", "0602").await;
        let _c = t.patrol("xinyi-wangge", "130202001002", "0602").await;
        let _d = t.patrol("qiaotun-wangge", "130203001001", "0602").await;
        t.report("device-drone-01", json!({"kind": "event", "type": "0905", "description": "海面油污", "lon": 118.6, "lat": 38.7, "channel": "device"}))
            .await;

        let city = overview(&t, "paiqian", "").await;
        assert_eq!(city["area"]["code"], "1302");
        assert_eq!((city["area"]["open"].as_u64(), city["area"]["today"].as_u64()), (Some(5), Some(5)), "{}", t.db);
        assert_eq!(child(&city, "130202")["open"], 3);
        assert_eq!(child(&city, "130203")["open"], 1);
        assert_eq!(city["unlocated"]["open"], 1, "{}: the report at sea is counted under no county", t.db);
        let children: u64 = city["children"].as_array().unwrap().iter().map(|c| c["open"].as_u64().unwrap()).sum();
        assert_eq!(children + 1, 5, "children and unlocated make the whole");
        assert_eq!(city["children"].as_array().unwrap().len(), 18, "every county and zone, zeros included");
        // Per kind: every kind in force, zeros included; `kind` narrows the area and its children.
        let kinds: Vec<(&str, u64)> = city["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| (k["kind"].as_str().unwrap(), k["open"].as_u64().unwrap()))
            .collect();
        assert_eq!(kinds, [("demand", 0), ("event", 5), ("mediation", 0)], "{}", t.db);
        let (_, events) = t.call("GET", "/api/v1/overview?kind=event", Some("paiqian"), None, None).await;
        assert_eq!((events["area"]["open"].as_u64(), child(&events, "130202")["open"].as_u64()), (Some(5), Some(3)));
        let (_, demands) = t.call("GET", "/api/v1/overview?kind=demand", Some("paiqian"), None, None).await;
        assert_eq!((demands["area"]["open"].as_u64(), child(&demands, "130202")["open"].as_u64()), (Some(0), Some(0)));
        assert_eq!(demands["kinds"], city["kinds"], "the per-kind counts are of every kind");
        let (s, v) = t.call("GET", "/api/v1/overview?kind=complaint", Some("paiqian"), None, None).await;
        assert_eq!((s.as_u16(), v["details"]["field"].as_str()), (400, Some("kind")), "{v}");

        // Drilling down: county → street → community → grid; the breadcrumb names the way.
        let county = overview(&t, "paiqian", "130202").await;
        assert_eq!(child(&county, "130202001")["open"], 3);
        assert_eq!(county["parents"][0]["code"], "1302");
        let community = overview(&t, "paiqian", "130202001001").await;
        assert_eq!(community["area"]["open"], 2);
        let grid = &community["children"].as_array().unwrap().iter().find(|g| g["open"] == 2).unwrap()["code"];
        assert_eq!(grid.as_str().unwrap().len(), 15);
        assert_eq!(community["parents"].as_array().unwrap().len(), 3, "city, county, street");

        // Each figure is the total of the list it links to.
        for (what, query) in [("open", "closed=false"), ("today", "from=2026-03-01T16:00:00Z")] {
            assert_eq!(
                listed(&t, "paiqian", &format!("area=130202&{query}")).await,
                county["area"][what].as_u64().unwrap()
            );
        }
        assert_eq!(listed(&t, "paiqian", "area=1302&located=false&closed=false").await, 1);

        // Scope: a street counts its own street by default; a department what was sent to it.
        let street = overview(&t, "xueyuan-jiedao", "").await;
        assert_eq!((street["area"]["code"].as_str(), street["area"]["open"].as_u64()), (Some("130202001"), Some(3)));
        let lubei = overview(&t, "xueyuan-jiedao", "130203").await;
        assert_eq!(lubei["area"]["open"], 0, "{}: another county's cases stay out of a street's counts", t.db);
        let water = overview(&t, "lunan-gongshui", "").await;
        assert_eq!(water["area"]["open"], 0);
        t.act(1, &a, "shouli", json!({"action": "register"})).await;
        t.act(1, &a, "zhiban", json!({"action": "file"})).await;
        t.act(1, &a, "paiqian", json!({"action": "dispatch", "units": {"primary": "130202:water-supply"}})).await;
        let water = overview(&t, "lunan-gongshui", "").await;
        assert_eq!((water["area"]["open"].as_u64(), child(&water, "130202")["open"].as_u64()), (Some(1), Some(1)));
        for (user, status) in [("jumin", 403), ("device-drone-01", 403)] {
            let (s, _) = t.call("GET", "/api/v1/overview", Some(user), None, None).await;
            assert_eq!(s.as_u16(), status, "{user}");
        }
        let (s, _) = t.call("GET", "/api/v1/overview", None, None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        for (area, status) in [("13020", 400), ("130299999", 404), ("130202001001999", 404)] {
            let (s, v) = t.call("GET", &format!("/api/v1/overview?area={area}"), Some("paiqian"), None, None).await;
            assert_eq!(s.as_u16(), status, "{area}: {v}");
        }

        // A whistle waits until the unit summoned reports in.
        let summoned = |o: &Value| o["area"]["summoned"].as_u64().unwrap();
        assert_eq!(summoned(&overview(&t, "paiqian", "").await), 0);
        let w = whistled(&t).await;
        let city = overview(&t, "paiqian", "").await;
        assert_eq!((summoned(&city), child(&city, "130202")["summoned"].as_u64()), (1, Some(1)), "{}", t.db);
        assert_eq!(listed(&t, "paiqian", "summoned=true&closed=false").await, 1);
        t.act(5, &w, "xueyuan-jiedao", json!({"action": "report_in"})).await;
        assert_eq!(summoned(&overview(&t, "paiqian", "").await), 0, "{}: reported in", t.db);

        // The lights follow the clock, and each agrees with the list behind it (every 3 hours for
        // three days, so that each light is seen lit, then 20 days on); tomorrow nothing was
        // reported today.
        let mut lit = std::collections::BTreeSet::new();
        for (step, hours) in std::iter::repeat_n(3, 24).chain([24 * 20]).enumerate() {
            t.clock.advance(Duration::hours(hours));
            let city = overview(&t, "paiqian", "").await;
            for light in ["red", "yellow"] {
                let n = listed(&t, "paiqian", &format!("light={light}&closed=false")).await;
                assert_eq!(city["area"][light].as_u64(), Some(n), "{}: {light} at step {step}", t.db);
                if n > 0 {
                    lit.insert(light);
                }
            }
            if hours == 24 * 20 {
                assert_eq!(city["area"]["red"], city["area"]["open"], "{}: everything open is late by now", t.db);
                assert_eq!(city["area"]["today"], 0);
            }
        }
        assert_eq!(lit.len(), 2, "{}: each light was seen lit, so the checks compared something: {lit:?}", t.db);
    }
}

/// The backfill a migration leaves: cases from before `summons_due` existed get it from their
/// (sealed) bodies when the application opens, and the task is struck off.
#[tokio::test]
async fn the_store_task_fills_summons_due_from_sealed_bodies() {
    for t in setups("cmd_task").await {
        whistled(&t).await;
        // As a store migrated from before: the column empty, the task pending.
        let store = t.app.store();
        shanzhi_store::testing::execute_raw(store, "UPDATE cases SET summons_due = NULL").await.unwrap();
        shanzhi_store::testing::execute_raw(store, "INSERT INTO store_tasks (name) VALUES ('cases.summons_due')")
            .await
            .unwrap();
        assert_eq!(overview(&t, "paiqian", "").await["area"]["summoned"], 0);
        let bodies = shanzhi_store::testing::raw_strings(store, "SELECT body FROM cases").await.unwrap();
        assert!(bodies.iter().all(|b| b.starts_with("sz1:")), "the bodies are sealed");
        let reopened = shanzhi_app::App::open(store.clone(), t.clock.clone()).await.unwrap();
        assert!(reopened.store().pending_store_tasks().await.unwrap().is_empty());
        assert_eq!(overview(&t, "paiqian", "").await["area"]["summoned"], 1, "{}", t.db);
        // Running again finds nothing to do.
        assert!(store.run_store_tasks(&mut |_, _| {}).await.unwrap().is_empty());
    }
}

fn shapes(v: &Value) -> Vec<(String, MultiPolygon<f64>)> {
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let polys = f["geometry"]["coordinates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let rings: Vec<LineString<f64>> = p
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| {
                            r.as_array()
                                .unwrap()
                                .iter()
                                .map(|c| Coord { x: c[0].as_f64().unwrap(), y: c[1].as_f64().unwrap() })
                                .collect()
                        })
                        .collect();
                    Polygon::new(rings[0].clone(), rings[1..].to_vec())
                })
                .collect();
            (f["properties"]["code"].as_str().unwrap().to_string(), MultiPolygon(polys))
        })
        .collect()
}

async fn map(t: &T, path: &str) -> (StatusCode, String, Value) {
    let (s, ct, bytes) = t.fetch(None, path).await;
    (s, ct, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_map_draws_each_child_from_its_grids() {
    // One database is enough: outlines come from the places in memory.
    let t = setups("cmd_map").await.into_iter().next().unwrap();
    let (s, ct, city) = map(&t, "/api/v1/map/1302").await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/geo+json"));
    let counties = shapes(&city);
    let grids: u64 =
        city["features"].as_array().unwrap().iter().map(|f| f["properties"]["grids"].as_u64().unwrap()).sum();
    assert_eq!(grids, 10_727, "every grid is in exactly one county's outline");
    assert!(counties.len() >= 14, "{} counties", counties.len());
    // A point inside a grid of 立新东楼社区 is inside 路南区's outline and no other county's.
    let (lon, lat) = t.point_in("130202001001");
    let inside: Vec<&str> =
        counties.iter().filter(|(_, s)| s.contains(&Point::new(lon, lat))).map(|(c, _)| c.as_str()).collect();
    assert_eq!(inside, ["130202"]);

    // A community's map is its grids, named.
    let (_, _, community) = map(&t, "/api/v1/map/130202001001").await;
    let features = community["features"].as_array().unwrap();
    assert!(!features.is_empty());
    assert!(
        features.iter().all(|f| f["properties"]["level"] == "grid"
            && f["properties"]["code"].as_str().unwrap().starts_with("130202001001"))
    );
    let grids = shapes(&community);
    assert_eq!(grids.iter().filter(|(_, s)| s.contains(&Point::new(lon, lat))).count(), 1);

    // In GCJ-02 (for an AMap-style base map) the same outline is moved by a few hundred metres.
    let (_, _, gcj) = map(&t, "/api/v1/map/130202001001?crs=gcj02").await;
    let (x0, x1) = (
        &community["features"][0]["geometry"]["coordinates"][0][0][0],
        &gcj["features"][0]["geometry"]["coordinates"][0][0][0],
    );
    let dx = x1[0].as_f64().unwrap() - x0[0].as_f64().unwrap();
    assert!(dx > 0.003 && dx < 0.01, "{dx}");

    for (path, status) in [("/api/v1/map/13020", 400), ("/api/v1/map/139999", 404), ("/api/v1/map/1302?crs=mars", 400)]
    {
        let (s, _, v) = map(&t, path).await;
        assert_eq!(s.as_u16(), status, "{path}: {v}");
    }
    let (s, _, base) = map(&t, "/api/v1/map").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((base["tiles"].clone(), base["crs"].clone()), (Value::Null, json!("wgs84")), "offline by default");
}
