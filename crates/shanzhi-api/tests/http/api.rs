//! The HTTP API over the real router, on SQLite and on PostgreSQL, with the Tangshan demo loaded.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use chrono::{TimeZone, Utc};
use serde_json::Value;
use shanzhi_app::App;
use shanzhi_app::clock::ManualClock;
use tower::ServiceExt;

async fn apps(test: &str) -> Vec<(String, App)> {
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 30, 1, 0, 0).unwrap()));
    let mut out = Vec::new();
    for (db, store) in crate::support::demo_stores(test).await {
        out.push((db, App::open(store, clock.clone()).await.unwrap()));
    }
    out
}

async fn get(app: &App, uri: &str) -> (StatusCode, Value) {
    let res = shanzhi_api::router(app.clone()).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = res.status();
    let body = to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_demo_serves_tangshan() {
    for (db, app) in apps("demo").await {
        let (s, h) = get(&app, "/healthz").await;
        assert_eq!(
            (s, h["database"].as_str(), h["grids"].as_u64()),
            (StatusCode::OK, Some(db.as_str()), Some(10_727)),
            "{db}"
        );

        let (s, city) = get(&app, "/api/v1/areas/1302").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(city["name"], "唐山市");
        assert_eq!(city["counts"]["grids"], 10_727, "{db}");
        assert_eq!(city["counts"]["grid_workers"], 12_222, "{db}");
        assert_eq!(city["children"].as_array().unwrap().len(), 18);
        let child_grids: u64 =
            city["children"].as_array().unwrap().iter().map(|c| c["counts"]["grids"].as_u64().unwrap()).sum();
        assert_eq!(child_grids, 10_727, "{db}: children add up");

        // A point in central 路南区 (WGS-84) lands in a grid of 路南区, with its community and street.
        let (s, loc) = get(&app, "/api/v1/locate?lon=118.17&lat=39.62").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(loc["located"], true, "{db}: {loc}");
        assert_eq!(loc["county"]["name"], "路南区");
        assert_eq!(loc["city"]["code"], "1302");
        let grid = loc["grid"]["code"].as_str().unwrap();
        assert!(grid.starts_with(loc["community"]["code"].as_str().unwrap()));
        assert!(grid.starts_with(loc["street"]["code"].as_str().unwrap()));

        // The same place given in GCJ-02 and BD-09 converts back to the same grid.
        let (gx, gy) = coordtransform::wgs84_to_gcj02(118.17, 39.62);
        let (_, g) = get(&app, &format!("/api/v1/locate?lon={gx}&lat={gy}&crs=gcj02")).await;
        assert_eq!(g["grid"]["code"], grid, "{db}");
        let (bx, by) = coordtransform::wgs84_to_bd09(118.17, 39.62);
        let (_, b) = get(&app, &format!("/api/v1/locate?lon={bx}&lat={by}&crs=bd09")).await;
        assert_eq!(b["grid"]["code"], grid, "{db}");

        // A community answers with its grids; its parents run from the city down.
        let community = loc["community"]["code"].as_str().unwrap();
        let (_, c) = get(&app, &format!("/api/v1/areas/{community}")).await;
        assert!(c["grids"].as_array().unwrap().iter().any(|g| g["code"] == grid));
        let parents: Vec<&str> =
            c["parents"].as_array().unwrap().iter().map(|p| p["level"].as_str().unwrap()).collect();
        assert_eq!(parents, ["city", "county", "township"]);

        // Out at sea, off 曹妃甸: unlocated, with the nearest grid and a distance.
        let (s, sea) = get(&app, "/api/v1/locate?lon=118.6&lat=38.7").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(sea["located"], false);
        assert!(sea["grid"].is_null());
        assert!(sea["nearest"]["distance_m"].as_f64().unwrap() > 1_000.0, "{sea}");
        assert_eq!(sea["nearest"]["grid"]["code"].as_str().unwrap().len(), 15);

        let (s, t) = get(&app, "/api/v1/taxonomy").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!((t["category_count"].as_u64(), t["type_count"].as_u64()), (Some(10), Some(194)), "{db}");

        // The kinds in force, with what each action counts as: the console offers them all.
        let (s, k) = get(&app, "/api/v1/kinds").await;
        assert_eq!(s, StatusCode::OK);
        let kinds: Vec<&str> = k.as_array().unwrap().iter().map(|k| k["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["demand", "event", "mediation"], "{db}");
        let event = &k[1];
        let close = event["actions"].as_array().unwrap().iter().find(|a| a["key"] == "close").unwrap();
        assert_eq!(close["counts"], serde_json::json!(["closed"]));
        assert!(event["states"].as_array().unwrap().iter().any(|s| s["key"] == "closed" && s["terminal"] == true));
        // Where each action may be taken, by whom and with what: the desk's batch bar reads them.
        let action = |key: &str| event["actions"].as_array().unwrap().iter().find(|a| a["key"] == key).unwrap().clone();
        let dispatch = action("dispatch");
        assert_eq!(
            (&dispatch["from"], &dispatch["to"]),
            (&serde_json::json!(["filed"]), &serde_json::json!("dispatched"))
        );
        assert_eq!(dispatch["roles"], serde_json::json!([]), "the grants are told to staff only (kinds.rs)");
        assert_eq!(
            (&dispatch["needs"], &dispatch["assigns"]),
            (&serde_json::json!(["units"]), &serde_json::json!(true)),
            "{db}"
        );
        assert_eq!(action("whistle")["assigns"], false, "a whistle summons units; it does not assign the case");
        assert_eq!(
            (action("feedback")["party"].as_str(), action("report_in")["party"].as_str()),
            (Some("assigned_unit"), Some("summoned"))
        );
        assert_eq!(
            (dispatch["party"].as_str(), &action("register")["channels"]),
            (Some("role"), &serde_json::json!(["patrol", "device"]))
        );
        let urge = action("urge");
        assert_eq!(
            (&urge["to"], &urge["assigns"]),
            (&serde_json::json!(""), &serde_json::json!(false)),
            "an urging stays"
        );
        assert!(urge["needs"].as_array().unwrap().contains(&serde_json::json!("opinion")));
    }
}

#[tokio::test]
async fn bad_requests_get_stable_codes_naming_the_field() {
    for (db, app) in apps("errors").await {
        for (uri, status, code, field) in [
            ("/api/v1/locate?lat=39.6", 400, "invalid_parameter", Some("lon")),
            ("/api/v1/locate?lon=abc&lat=39.6", 400, "invalid_parameter", Some("lon")),
            ("/api/v1/locate?lon=118&lat=95", 400, "invalid_parameter", Some("lat")),
            ("/api/v1/locate?lon=118&lat=39&crs=utm", 400, "invalid_parameter", Some("crs")),
            ("/api/v1/areas/13020", 400, "invalid_parameter", Some("code")),
            ("/api/v1/areas/130299", 404, "not_found", None),
            ("/api/v1/nothing", 404, "not_found", None),
            // PostgreSQL cannot compare a NUL character: refused before any query.
            ("/api/v1/cases?type=%C2%84%00x", 400, "invalid_parameter", Some("type")),
            // Query strings are typed: an unknown, repeated or malformed parameter is named.
            ("/api/v1/cases?stat=closed", 400, "invalid_parameter", Some("stat")),
            ("/api/v1/cases?page=1&page=2", 400, "invalid_parameter", Some("page")),
            ("/api/v1/cases?light=blue", 400, "invalid_parameter", Some("light")),
            ("/api/v1/cases?from=yesterday", 400, "invalid_parameter", Some("from")),
            ("/api/v1/cases?page_size=501", 400, "invalid_parameter", Some("page_size")),
            ("/api/v1/stats?by=area&lang=en", 400, "invalid_parameter", Some("lang")),
        ] {
            let (s, body) = get(&app, uri).await;
            assert_eq!(s.as_u16(), status, "{db} {uri}: {body}");
            assert_eq!(body["code"], code, "{db} {uri}");
            assert!(!body["message"].as_str().unwrap().is_empty());
            if let Some(f) = field {
                assert_eq!(body["details"]["field"], f, "{db} {uri}");
            }
            if uri.starts_with("/api/v1/cases?") || uri.starts_with("/api/v1/stats?") {
                let zh = body["details"]["message_zh"].as_str().unwrap_or_default();
                assert!(zh.contains(field.unwrap_or_default()), "{db} {uri}: said in Chinese too: {body}");
            }
        }
    }
}

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let doc = serde_json::to_value(shanzhi_api::api_doc()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    assert_eq!(
        paths,
        [
            "/api/v1/admin/api-keys",
            "/api/v1/admin/api-keys/{name}",
            "/api/v1/admin/audit",
            "/api/v1/admin/audit/verify",
            "/api/v1/admin/calendar/holidays",
            "/api/v1/admin/calendar/hours",
            "/api/v1/admin/grids",
            "/api/v1/admin/reference",
            "/api/v1/admin/reference/{kind}",
            "/api/v1/admin/reference/{kind}/{version}",
            "/api/v1/admin/roles",
            "/api/v1/admin/roles/{role}/actions/{kind}",
            "/api/v1/admin/scope-entries",
            "/api/v1/admin/search",
            "/api/v1/admin/search/reindex",
            "/api/v1/admin/taxonomy/types/{code}",
            "/api/v1/admin/units",
            "/api/v1/admin/users",
            "/api/v1/admin/users/{username}",
            "/api/v1/admin/users/{username}/password",
            "/api/v1/admin/users/{username}/unlock",
            "/api/v1/admin/workflows",
            "/api/v1/areas/{code}",
            "/api/v1/attachments",
            "/api/v1/attachments/{id}",
            "/api/v1/attachments/{id}/thumbnail",
            "/api/v1/auth/login",
            "/api/v1/auth/logout",
            "/api/v1/auth/me",
            "/api/v1/auth/password",
            "/api/v1/batch/actions",
            "/api/v1/calendar",
            "/api/v1/cases",
            "/api/v1/cases/{id}",
            "/api/v1/cases/{id}/actions",
            "/api/v1/cases/{id}/notes",
            "/api/v1/communities",
            "/api/v1/events",
            "/api/v1/everyday-problems",
            "/api/v1/exports/cases.xlsx",
            "/api/v1/exports/stats.xlsx",
            "/api/v1/follow/{code}",
            "/api/v1/follow/{code}/attachments/{id}",
            "/api/v1/follow/{code}/attachments/{id}/thumbnail",
            "/api/v1/follow/{code}/rating",
            "/api/v1/kinds",
            "/api/v1/locate",
            "/api/v1/map",
            "/api/v1/map/{code}",
            "/api/v1/overview",
            "/api/v1/registers",
            "/api/v1/registers/{register}/export.xlsx",
            "/api/v1/registers/{register}/import.xlsx",
            "/api/v1/registers/{register}/records",
            "/api/v1/registers/{register}/records/{id}",
            "/api/v1/registers/{register}/records/{id}/history",
            "/api/v1/registers/{register}/records/{id}/remove",
            "/api/v1/registers/{register}/records/{id}/visits",
            "/api/v1/stats",
            "/api/v1/taxonomy",
            "/api/v1/todo",
            "/api/v1/todo/seen",
            "/api/v1/units",
            "/api/v1/visits",
            "/healthz",
            "/open311/v2/discovery.{format}",
            "/open311/v2/requests.{format}",
            "/open311/v2/requests/{service_request_id}.{format}",
            "/open311/v2/servicerequestupdates.{format}",
            "/open311/v2/services.{format}",
            "/open311/v2/services/{service_code}.{format}",
            "/open311/v2/tokens/{token}.{format}"
        ]
    );
    // Operation ids are unique, as OpenAPI requires (the console's types are generated from the
    // document, one entry per operation id).
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|p| p.as_object().unwrap().values().filter_map(|op| op["operationId"].as_str()))
        .collect();
    let operations = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), operations, "operation ids are unique");
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(
        (schemes["bearer"]["scheme"].as_str(), schemes["api_key"]["name"].as_str()),
        (Some("bearer"), Some("X-API-Key"))
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_for_prometheus() {
    for (db, app) in apps("metrics").await {
        let router = shanzhi_api::router(app.clone());
        for uri in ["/healthz", "/api/v1/cases/1", "/api/v1/cases/2", "/api/v1/areas/1302"] {
            router.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
        }
        let res = router.clone().oneshot(Request::get("/metrics").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
        let text = String::from_utf8(to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
        assert!(
            text.contains(r#"shanzhi_http_requests_total{method="GET",route="/healthz",status="200"} 1"#),
            "{db}: {text}"
        );
        // Two case ids, one label set: the route template, not the path.
        assert!(
            text.contains(r#"shanzhi_http_requests_total{method="GET",route="/api/v1/cases/{id}",status="404"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"shanzhi_http_request_duration_seconds_count{route="/api/v1/areas/{code}"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"shanzhi_http_request_duration_seconds_bucket{route="/healthz",le="+Inf"} 1"#),
            "{text}"
        );
        assert!(text.contains("shanzhi_grids 10727"), "{text}");
    }
}

/// The OpenAPI document as served with the shipped kinds, as committed: a change to the API shows
/// up as a change to this file (`SHANZHI_UPDATE_SNAPSHOTS=1 cargo test -p shanzhi-api --test http
/// openapi` rewrites it).
#[tokio::test]
async fn the_openapi_document_matches_its_snapshot_and_the_explorer_works_offline() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/openapi.snapshot.json");
    let mut snapshot: Option<Value> = None;
    for (db, app) in apps("explorer").await {
        let (s, served) = get(&app, "/openapi.json").await;
        assert_eq!((s, served["openapi"].as_str().map(|v| &v[..3])), (StatusCode::OK, Some("3.1")), "{db}");
        let expected = snapshot.get_or_insert_with(|| {
            let doc = serde_json::to_string_pretty(&served).unwrap() + "\n";
            if std::env::var("SHANZHI_UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
                std::fs::write(path, &doc).unwrap();
            }
            let committed = std::fs::read_to_string(path).unwrap_or_default();
            assert!(
                committed == doc,
                "the OpenAPI document changed: review it, then rerun with SHANZHI_UPDATE_SNAPSHOTS=1"
            );
            served.clone()
        });
        assert!(served == *expected, "{db}: the served document is the snapshot");
        // Every reference resolves (a parameter's enum, a body's type).
        fn refs<'v>(v: &'v serde_json::Value, out: &mut Vec<&'v str>) {
            match v {
                serde_json::Value::Object(m) => {
                    if let Some(r) = m.get("$ref").and_then(|r| r.as_str()) {
                        out.push(r);
                    }
                    m.values().for_each(|v| refs(v, out));
                }
                serde_json::Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let mut found = Vec::new();
        refs(&served, &mut found);
        assert!(found.len() > 50, "{db}: the document refers to its types");
        for r in found {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{db}: {r} is not a schema"));
            assert!(served["components"]["schemas"].get(name).is_some(), "{db}: {r} resolves to nothing");
        }
        // The static part is all there: every type the routes name.
        let types = serde_json::to_value(shanzhi_api::api_doc()).unwrap();
        for name in types["components"]["schemas"].as_object().unwrap().keys() {
            assert!(served["components"]["schemas"].get(name).is_some(), "{db}: {name}");
        }
        let res = shanzhi_api::router(app.clone())
            .oneshot(Request::get("/docs/").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let html = String::from_utf8(to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
        assert!(
            html.contains("swagger-ui") && !html.contains("https://"),
            "Swagger UI from the binary, nothing from the internet"
        );
        let res = shanzhi_api::router(app.clone())
            .oneshot(Request::get("/docs/swagger-initializer.js").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let js = String::from_utf8(to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
        assert!(js.contains("/openapi.json"), "{db}: the explorer reads the served document: {js}");
    }
}

#[tokio::test]
async fn the_console_is_served_for_its_own_paths_and_never_for_the_apis() {
    let (_, app) = apps("console").await.remove(0);
    let page = |uri: &'static str| {
        let app = app.clone();
        async move {
            let res = shanzhi_api::router(app).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
            let (status, ct) = (res.status(), res.headers()["content-type"].to_str().unwrap().to_string());
            (status, ct, String::from_utf8(to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap())
        }
    };
    let built = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/dist/index.html")).exists();
    let (root, case_page) = (page("/").await, page("/cases/123").await);
    assert_eq!(root, case_page, "the console's routes all answer its page");
    if built {
        assert_eq!((root.0, root.1.as_str()), (StatusCode::OK, "text/html"));
        assert!(root.2.contains("<div id=\"app\">"), "{}", root.2);
    } else {
        assert_eq!(root.0, StatusCode::SERVICE_UNAVAILABLE);
        assert!(root.2.contains("scripts/web.sh"), "the page says how to build the console: {}", root.2);
    }
    if built {
        let headers = shanzhi_api::router(app.clone())
            .oneshot(Request::get("/cases").body(Body::empty()).unwrap())
            .await
            .unwrap()
            .headers()
            .clone();
        assert_eq!(headers["x-frame-options"], "DENY", "never framed by another site");
    }
    for api in ["/api/v1/no-such-route", "/api", "/open311", "/open311/nothing"] {
        let (s, v) = get(&app, api).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{api} is never the console");
    }
    let posted =
        shanzhi_api::router(app.clone()).oneshot(Request::post("/cases").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(posted.status(), StatusCode::NOT_FOUND, "the console's pages are only read");
    assert_eq!(page("/assets/no-such-file.js").await.0, StatusCode::NOT_FOUND, "a missing file is missing");
    // Answers are gzipped for clients that ask (a phone on a slow link), and only for them.
    let zipped = shanzhi_api::router(app.clone())
        .oneshot(Request::get("/api/v1/taxonomy").header("accept-encoding", "gzip").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(zipped.headers().get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"));
    let bytes = to_bytes(zipped.into_body(), usize::MAX).await.unwrap();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b], "a gzip stream");
    let plain = shanzhi_api::router(app.clone())
        .oneshot(Request::get("/api/v1/taxonomy").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
}
