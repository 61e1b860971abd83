//! Stories played through the public HTTP API, on SQLite and PostgreSQL, with the Tangshan demo:
//! each step is a request a real client would send, as the demo account that would send it.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Duration;
use serde_json::{Value, json};
use shanzhi_app::App;
use shanzhi_domain::access::DataScope;
use tower::ServiceExt;

use crate::support::setups;

/// Evidence already on the web (uploads are tested in `attachments.rs`).
const PHOTO: &str = "https://evidence.example.org/1.jpg";

#[tokio::test]
async fn a_patrol_report_is_closed_on_time() {
    for t in setups("scn_patrol").await {
        let (lon, lat) = t.point_in("130202001001");
        let c = t
            .report("lixin-wangge", json!({"kind": "event", "type": "0602", "description": "立新楼路口暴露垃圾", "lon": lon, "lat": lat, "crs": "wgs84", "channel": "patrol"}))
            .await;
        assert_eq!((c["state"].as_str(), c["located"].as_bool()), (Some("reported"), Some(true)), "{}", t.db);
        assert!(c["grid"].as_str().unwrap().starts_with("130202001001"));
        assert_eq!(c["route"]["unit"], "130202001:street-office");
        assert_eq!(c["light"], "green");
        let id = c["id"].as_str().unwrap();
        t.act(3, id, "shouli", json!({"action": "register"})).await;
        t.act(5, id, "zhiban", json!({"action": "file"})).await;
        let d = t.act(5, id, "paiqian", json!({"action": "dispatch"})).await;
        assert_eq!(d["units"]["primary"], "130202001:street-office", "dispatched where routing said");
        assert_eq!(d["step"], "handling");
        t.act(60, id, "xueyuan-jiedao", json!({"action": "feedback", "opinion": "已清运", "attachments": [PHOTO]}))
            .await;
        t.act(30, id, "lixin-wangge", json!({"action": "check_pass", "attachments": [PHOTO]})).await;
        let closed = t.act(5, id, "zhiban", json!({"action": "close"})).await;
        assert_eq!(closed["state"], "closed");
        assert!(closed["closed_at"].is_string());
        let (_, detail) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("zhiban"), None, None).await;
        let log = detail["log"].as_array().unwrap();
        assert_eq!(log.len(), 7, "{}", t.db);
        assert!(log.iter().all(|e| e["overdue"] == false), "closed on time");
        assert_eq!(log[3]["units"]["primary"], "130202001:street-office");
    }
}

#[tokio::test]
async fn a_resident_report_is_verified_returned_reworked_closed_and_rated() {
    for t in setups("scn_resident").await {
        let (lon, lat) = t.point_in("130202001001");
        let (glon, glat) = coordtransform::wgs84_to_gcj02(lon, lat);
        let c = t
            .report("jumin", json!({"kind": "event", "type": "0101", "description": "小区门口上水井盖缺失", "lon": glon, "lat": glat, "crs": "gcj02", "channel": "resident_web"}))
            .await;
        assert!(c["grid"].as_str().unwrap().starts_with("130202001001"), "GCJ-02 converted on the way in");
        assert_eq!(c["route"]["unit"], "130202:water-supply");
        let id = c["id"].as_str().unwrap();
        t.act(2, id, "shouli", json!({"action": "request_verification"})).await;
        t.act(20, id, "lixin-wangge", json!({"action": "confirm", "attachments": [PHOTO]})).await;
        t.act(5, id, "zhiban", json!({"action": "file"})).await;
        // Sent to the wrong department, which asks to return it.
        t.act(5, id, "paiqian", json!({"action": "dispatch", "units": {"primary": "130202:urban-management"}})).await;
        t.act(30, id, "lunan-chengguan", json!({"action": "request_return", "opinion": "井盖属供水公司"})).await;
        let back = t.act(10, id, "paiqian", json!({"action": "approve_return"})).await;
        assert_eq!((back["state"].as_str(), back["units"].is_null()), (Some("filed"), true));
        let again = t.act(5, id, "paiqian", json!({"action": "dispatch"})).await;
        assert_eq!(again["units"]["primary"], "130202:water-supply");
        // The urban-management bureau can no longer act on it.
        let (s, v) = t
            .call(
                "POST",
                &format!("/api/v1/cases/{id}/actions"),
                Some("lunan-chengguan"),
                Some(json!({"action": "feedback", "opinion": "x", "attachments": [PHOTO]})),
                None,
            )
            .await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{v}");
        t.act(40, id, "lunan-gongshui", json!({"action": "feedback", "opinion": "已补装井盖", "attachments": [PHOTO]}))
            .await;
        let rework = t
            .act(
                20,
                id,
                "lixin-wangge",
                json!({"action": "check_fail", "opinion": "井盖未固定", "attachments": [PHOTO]}),
            )
            .await;
        assert_eq!((rework["state"].as_str(), rework["rework_count"].as_u64()), (Some("dispatched"), Some(1)));
        t.act(30, id, "lunan-gongshui", json!({"action": "feedback", "opinion": "已加固", "attachments": [PHOTO]}))
            .await;
        t.act(20, id, "lixin-wangge", json!({"action": "check_pass", "attachments": [PHOTO]})).await;
        t.act(5, id, "zhiban", json!({"action": "close"})).await;
        let rated = t
            .act(
                60,
                id,
                "jumin",
                json!({"action": "rate", "rating": {"satisfaction": "basically_satisfied", "reason": "返工一次"}}),
            )
            .await;
        assert_eq!(rated["rating"]["satisfaction"], "basically_satisfied");
        let (s, v) = t
            .call(
                "POST",
                &format!("/api/v1/cases/{id}/actions"),
                Some("jumin"),
                Some(json!({"action": "rate", "rating": {"satisfaction": "satisfied"}})),
                None,
            )
            .await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::CONFLICT, Some("action_refused")), "rated once: {v}");
        assert_eq!(v["details"]["message_zh"], "案件已经评价过", "the refusal also in Chinese: {v}");
        let (_, list) =
            t.call("GET", "/api/v1/cases?area=130202001001&state=closed", Some("paiqian"), None, None).await;
        assert_eq!(list["total"], 1, "{}: {list}", t.db);
    }
}

#[tokio::test]
async fn a_suspended_case_stops_its_clock() {
    for t in setups("scn_suspend").await {
        let (lon, lat) = t.point_in("130202001001");
        // 私搭乱建: a district matter with a working-days limit.
        let c = t.report("lixin-wangge", json!({"kind": "event", "type": "0601", "description": "楼顶违章搭建", "lon": lon, "lat": lat, "channel": "patrol"})).await;
        let id = c["id"].as_str().unwrap();
        t.act(1, id, "shouli", json!({"action": "register"})).await;
        t.act(1, id, "zhiban", json!({"action": "file"})).await;
        let d = t.act(1, id, "paiqian", json!({"action": "dispatch"})).await;
        assert_eq!(d["units"]["primary"], "130202:urban-management");
        let deadline = d["deadline"].as_str().unwrap().to_string();
        t.act(60, id, "lunan-chengguan", json!({"action": "request_suspension", "opinion": "需列入拆除计划"})).await;
        let s = t.act(30, id, "paiqian", json!({"action": "approve_suspension"})).await;
        assert_eq!(s["state"], "suspended");
        // Thirty days later the light has not moved and the deadline stands still.
        t.clock.advance(Duration::days(30));
        let (_, shown) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("paiqian"), None, None).await;
        assert_eq!(
            (shown["light"].as_str(), shown["deadline"].as_str()),
            (Some("green"), Some(deadline.as_str())),
            "{}",
            t.db
        );
        // The case says its clock stopped (a desk shows 计时暂停, not a lateness that is not there).
        assert!(shown["paused_at"].is_string(), "{}: {shown}", t.db);
        let resumed = t.act(0, id, "paiqian", json!({"action": "resume"})).await;
        assert!(resumed.get("paused_at").is_none(), "running again: {resumed}");
        assert!(resumed["deadline"].as_str().unwrap() > deadline.as_str(), "the paused time is added back");
        assert_eq!(resumed["light"], "green");
    }
}

#[tokio::test]
async fn a_device_report_outside_every_grid_is_kept_and_flagged() {
    for t in setups("scn_device").await {
        let body = json!({"kind": "event", "type": "0905", "description": "无人机发现海面漂浮油污", "lon": 118.6, "lat": 38.7, "channel": "device"});
        let (s, c) =
            t.call("POST", "/api/v1/cases", Some("device-drone-01"), Some(body.clone()), Some("drone-01-0001")).await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        assert_eq!((c["located"].as_bool(), c["grid"].is_null()), (Some(false), true));
        assert!(c["nearest"]["distance_m"].as_f64().unwrap() > 1000.0);
        assert_eq!(c["route"]["rule"], "unlocated");
        // A retry with the same key is the same case, not a second one.
        let (s2, c2) =
            t.call("POST", "/api/v1/cases", Some("device-drone-01"), Some(body), Some("drone-01-0001")).await;
        assert_eq!((s2, &c2["id"]), (StatusCode::CREATED, &c["id"]));
        let (_, list) = t.call("GET", "/api/v1/cases?kind=event", Some("paiqian"), None, None).await;
        assert_eq!(list["total"], 1, "{}", t.db);
        assert_eq!(list["items"][0]["located"], false);
    }
}

#[tokio::test]
async fn bad_reports_and_actions_get_clear_errors() {
    for t in setups("scn_errors").await {
        let ok = json!({"kind": "event", "type": "0602", "description": "垃圾", "lon": 118.17, "lat": 39.62, "channel": "resident_web"});
        let with = |k: &str, v: Value| {
            let mut b = ok.clone();
            b[k] = v;
            b
        };
        let mut missing_kind = ok.clone();
        missing_kind.as_object_mut().unwrap().remove("kind");
        for (user, body, status, code, field) in [
            (None, missing_kind, 400, "invalid_parameter", Some("kind")),
            (None, with("kind", json!("parade")), 400, "invalid_parameter", Some("kind")),
            (None, with("type", json!("9999")), 400, "invalid_parameter", Some("type")),
            (None, with("description", json!("  ")), 400, "invalid_parameter", Some("description")),
            (None, with("lat", json!(91.0)), 400, "invalid_parameter", Some("lat")),
            (None, with("channel", json!("pigeon")), 400, "invalid_parameter", Some("channel")),
            (None, with("channel", json!("patrol")), 403, "forbidden", None),
        ] {
            let (s, v) = t.call("POST", "/api/v1/cases", user, Some(body.clone()), None).await;
            assert_eq!((s.as_u16(), v["code"].as_str()), (status, Some(code)), "{}: {body}: {v}", t.db);
            if let Some(f) = field {
                assert_eq!(v["details"]["field"], f, "{body}");
            }
        }
        // A forged or malformed credential is refused, never taken for an anonymous resident.
        for auth in ["Bearer szt_forged", "Bearer szk_forged", "Basic YWRtaW46eA=="] {
            let req = Request::post("/api/v1/cases")
                .header("content-type", "application/json")
                .header("authorization", auth)
                .body(Body::from(ok.to_string()))
                .unwrap();
            let res = shanzhi_api::router(t.app.clone()).oneshot(req).await.unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{auth}");
        }
        let (_, list) = t.call("GET", "/api/v1/cases", Some("paiqian"), None, None).await;
        assert_eq!(list["total"], 0, "nothing half-written");
        // A resident's report inside 立新东楼社区, where lixin-wangge works.
        let (lon, lat) = t.point_in("130202001001");
        let mut here = with("lon", json!(lon));
        here["lat"] = json!(lat);
        let c = t.report("jumin", here).await;
        let id = c["id"].as_str().unwrap();
        let (s, v) = t
            .call(
                "POST",
                &format!("/api/v1/cases/{id}/actions"),
                Some("zhiban"),
                Some(json!({"action": "close"})),
                None,
            )
            .await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::CONFLICT, Some("action_refused")), "{v}");
        let zh = v["details"]["message_zh"].as_str().unwrap_or_default();
        assert!(zh.starts_with("案件当前为「") && zh.ends_with("不能「结案」"), "{v}");
        // What the case page shows on a control the reporter may not use: who may, in both languages.
        let (_, d) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("jumin"), None, None).await;
        let refused: Vec<&Value> = d["actions"].as_array().unwrap().iter().filter(|o| o["allowed"] == false).collect();
        assert!(!refused.is_empty(), "{d}");
        for o in refused {
            let (zh, en) = (o["reason"].as_str().unwrap(), o["reason_en"].as_str().unwrap());
            assert!(zh.starts_with("居民不能「") && zh.contains("此操作由"), "{o}");
            assert!(en.starts_with("Resident may not take ") && en.contains("it is for: "), "{o}");
        }
        let (s, v) = t
            .call(
                "POST",
                &format!("/api/v1/cases/{id}/actions"),
                Some("lixin-wangge"),
                Some(json!({"action": "request_verification"})),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        t.act(1, id, "shouli", json!({"action": "request_verification"})).await;
        let (s, v) = t
            .call(
                "POST",
                &format!("/api/v1/cases/{id}/actions"),
                Some("lixin-wangge"),
                Some(json!({"action": "deny"})),
                None,
            )
            .await;
        assert_eq!((s.as_u16(), v["details"]["field"].as_str()), (400, Some("opinion")), "{v}");
        let (s, _) = t.call("GET", "/api/v1/cases/12345", None, None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, v) = t.call("GET", "/api/v1/cases?light=purple", None, None, None).await;
        assert_eq!((s.as_u16(), v["details"]["field"].as_str()), (400, Some("light")));
    }
}

#[tokio::test]
async fn the_community_whistles_up_to_the_street_and_two_departments_one_is_late() {
    for t in setups("scn_whistle").await {
        let (lon, lat) = t.point_in("130202001001");
        // 乱堆物堆料 in a compound: a community matter.
        let c = t.report("lixin-wangge", json!({"kind": "event", "type": "1008", "description": "楼间空地大量堆物，涉及多户", "lon": lon, "lat": lat, "channel": "patrol"})).await;
        let id = c["id"].as_str().unwrap();
        assert_eq!(c["route"]["unit"], "130202001001:residents_committee");
        t.act(1, id, "shouli", json!({"action": "register"})).await;
        t.act(1, id, "zhiban", json!({"action": "file"})).await;
        t.act(1, id, "paiqian", json!({"action": "dispatch"})).await;
        let up = t
            .act(30, id, "lixin-juweihui", json!({"action": "whistle", "opinion": "社区协调不成", "units": {"primary": "130202001:street-office"}}))
            .await;
        assert_eq!(up["units"]["primary"], "130202001:street-office");
        t.act(20, id, "xueyuan-jiedao", json!({"action": "report_in"})).await;
        t.act(
            60,
            id,
            "xueyuan-jiedao",
            json!({"action": "whistle", "opinion": "需执法与供水共同处置",
                   "units": {"primary": "130202:urban-management", "assisting": ["130202:water-supply"]}}),
        )
        .await;
        t.act(30, id, "lunan-chengguan", json!({"action": "report_in"})).await;
        // The water company never reports in. Four hours later two server processes sweep at once:
        // the second has its own connection pool to the same database and shares no memory.
        t.clock.advance(Duration::hours(4));
        let other = App::open(t.app.store().open_again().await.unwrap(), t.clock.clone()).await.unwrap();
        let (a, b) = tokio::join!(t.app.sweep_once(100), other.sweep_once(100));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.swept + b.swept, 1, "{}: escalated exactly once ({a:?}, {b:?})", t.db);
        assert_eq!(t.app.sweep_once(100).await.unwrap().swept, 0, "idempotent");
        let (_, detail) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("paiqian"), None, None).await;
        let escalations: Vec<&Value> =
            detail["log"].as_array().unwrap().iter().filter(|e| e["action"] == "escalate").collect();
        assert_eq!(escalations.len(), 1, "{}", t.db);
        // Said in words (the units are in the case's summons, by name on its page).
        let said = escalations[0]["opinion"].as_str().unwrap();
        assert!(said.contains("已提级召集") && !said.contains("water-supply"), "{}: {said}", t.db);
        assert!(detail["units"]["assisting"].as_array().unwrap().iter().any(|u| u == "1302:water-supply"));
        // The lead department handles it; the grid worker re-checks; closed.
        t.act(30, id, "lunan-chengguan", json!({"action": "feedback", "opinion": "已清理", "attachments": [PHOTO]}))
            .await;
        t.act(30, id, "lixin-wangge", json!({"action": "check_pass", "attachments": [PHOTO]})).await;
        let done = t.act(5, id, "zhiban", json!({"action": "close"})).await;
        assert_eq!(done["state"], "closed");
    }
}

#[tokio::test]
async fn a_duplicate_is_flagged_merged_and_its_reporter_hears_when_the_parent_closes() {
    for t in setups("scn_dup").await {
        let (lon, lat) = t.point_in("130202001001");
        let first = t.report("lixin-wangge", json!({"kind": "event", "type": "0602", "description": "路口暴露垃圾", "lon": lon, "lat": lat, "channel": "patrol"})).await;
        let parent = first["id"].as_str().unwrap();
        assert!(first["possible_duplicate_of"].is_null());
        // A resident reports the same heap 20 m away an hour later.
        t.clock.advance(Duration::hours(1));
        let second = t
            .report("jumin", json!({"kind": "event", "type": "0602", "description": "这里有一堆垃圾", "lon": lon + 0.0002, "lat": lat, "channel": "resident_web"}))
            .await;
        // The resident may not open the grid worker's case, so is not told its id; the centre is.
        assert!(second["possible_duplicate_of"].is_null(), "{}: {second}", t.db);
        let (_, seen) = t
            .call("GET", &format!("/api/v1/cases/{}", second["id"].as_str().unwrap()), Some("paiqian"), None, None)
            .await;
        assert_eq!(seen["possible_duplicate_of"].as_str(), Some(parent), "{}", t.db);
        // Another type at the same place, or the same type far away, is not a duplicate.
        let other = t.report("jumin", json!({"kind": "event", "type": "0604", "description": "道路不洁", "lon": lon, "lat": lat, "channel": "resident_web"})).await;
        assert!(other["possible_duplicate_of"].is_null());
        let child = second["id"].as_str().unwrap();
        let (s, v) = t
            .call(
                "POST",
                &format!("/api/v1/cases/{child}/actions"),
                Some("paiqian"),
                Some(json!({"action": "merge", "opinion": "重复上报", "parent": child})),
                None,
            )
            .await;
        assert_eq!((s.as_u16(), v["details"]["field"].as_str()), (400, Some("parent")), "{v}");
        let merged =
            t.act(5, child, "paiqian", json!({"action": "merge", "opinion": "重复上报", "parent": parent})).await;
        assert_eq!((merged["state"].as_str(), merged["merged_into"].as_str()), (Some("merged"), Some(parent)));
        // The parent goes through its loop and closes; the child's reporter sees it on their case.
        t.act(1, parent, "shouli", json!({"action": "register"})).await;
        t.act(1, parent, "zhiban", json!({"action": "file"})).await;
        t.act(1, parent, "paiqian", json!({"action": "dispatch"})).await;
        t.act(30, parent, "xueyuan-jiedao", json!({"action": "feedback", "opinion": "已清运", "attachments": [PHOTO]}))
            .await;
        t.act(30, parent, "lixin-wangge", json!({"action": "check_pass", "attachments": [PHOTO]})).await;
        let closed = t.act(5, parent, "zhiban", json!({"action": "close"})).await;
        assert_eq!(closed["merged"].as_array().unwrap().len(), 1);
        let (_, mine) = t.call("GET", &format!("/api/v1/cases/{child}"), Some("jumin"), None, None).await;
        let last = mine["log"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["action"], "parent_closed", "{}: {mine}", t.db);
        assert!(last["opinion"].as_str().unwrap().contains("已结案"), "{mine}");
        assert!(!mine.to_string().contains(parent), "{}: the reporter is not told the parent's id", t.db);
    }
}

#[tokio::test]
async fn a_repeated_hotline_demand_is_merged_and_its_caller_hears_when_the_parent_closes() {
    for t in setups("scn_demand_merge").await {
        let (lon, lat) = t.point_in("130202001001");
        let call = |text: &str| json!({"kind": "demand", "type": "0602", "description": text, "lon": lon, "lat": lat, "channel": "hotline"});
        let first = t.report("shouli", call("市民来电：小区门口垃圾三天无人清运")).await;
        let parent = first["id"].as_str().unwrap();
        t.clock.advance(Duration::minutes(40));
        let second = t.report("shouli", call("另一位市民来电反映同一处垃圾")).await;
        let child = second["id"].as_str().unwrap();
        assert_eq!(second["possible_duplicate_of"].as_str(), Some(parent), "{}", t.db);
        let merged =
            t.act(2, child, "shouli", json!({"action": "merge", "opinion": "同一事项", "parent": parent})).await;
        assert_eq!((merged["state"].as_str(), merged["merged_into"].as_str()), (Some("merged"), Some(parent)));
        // A merged demand takes no further action.
        let (s, _) = t
            .call(
                "POST",
                &format!("/api/v1/cases/{child}/actions"),
                Some("shouli"),
                Some(json!({"action": "register"})),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
        t.act(1, parent, "shouli", json!({"action": "register"})).await;
        let sent = t.act(1, parent, "paiqian", json!({"action": "dispatch"})).await;
        assert_eq!(sent["merged"].as_array().map(Vec::len), Some(1));
        t.act(10, parent, "xueyuan-jiedao", json!({"action": "accept"})).await;
        t.act(60, parent, "xueyuan-jiedao", json!({"action": "reply", "opinion": "已清运并告知物业"})).await;
        t.act(60, parent, "shouli", json!({"action": "call_back", "rating": {"satisfaction": "satisfied"}})).await;
        let closed = t.act(5, parent, "zhiban", json!({"action": "close"})).await;
        assert_eq!(closed["state"], "closed", "{}", t.db);
        let (_, mine) = t.call("GET", &format!("/api/v1/cases/{child}"), Some("shouli"), None, None).await;
        let last = mine["log"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["action"], "parent_closed", "{}: {mine}", t.db);
    }
}

#[tokio::test]
async fn reports_arriving_together_share_a_commit_but_never_a_case() {
    for t in setups("scn_together").await {
        let (lon, lat) = t.point_in("130202001001");
        let body = |i: usize| json!({"kind": "event", "type": "0602", "description": format!("垃圾堆 {i}"), "lon": lon + 0.00002 * i as f64, "lat": lat, "channel": "patrol"});
        // Ten reports of one heap arrive at once, and three of them are retried while the first
        // try is still in flight.
        let keys: Vec<String> = (0..10).map(|i| format!("together-{i}")).collect();
        let sends = (0..10)
            .chain(0..3)
            .map(|i| t.call("POST", "/api/v1/cases", Some("lixin-wangge"), Some(body(i)), Some(&keys[i])));
        let answers = futures_util::future::join_all(sends).await;
        for (s, v) in &answers {
            assert_eq!(*s, StatusCode::CREATED, "{}: {v}", t.db);
        }
        for i in 0..3 {
            assert_eq!(answers[i].1, answers[10 + i].1, "{}: a retry gets the first answer", t.db);
        }
        let ids: std::collections::BTreeSet<&str> = answers.iter().map(|(_, v)| v["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 10, "{}", t.db);
        // The first one stored is the original; every other points at one stored before it.
        let unflagged = answers[..10].iter().filter(|(_, v)| v["possible_duplicate_of"].is_null()).count();
        assert_eq!(
            unflagged,
            1,
            "{}: {:?}",
            t.db,
            answers.iter().map(|a| &a.1["possible_duplicate_of"]).collect::<Vec<_>>()
        );
        for (_, v) in &answers[..10] {
            if let Some(p) = v["possible_duplicate_of"].as_str() {
                assert!(ids.contains(p) && p != v["id"].as_str().unwrap(), "{}: {v}", t.db);
            }
        }
        let (_, list) = t.call("GET", "/api/v1/cases?type=0602&area=130202001", Some("paiqian"), None, None).await;
        assert_eq!(list["total"], 10, "{}", t.db);
    }
}

#[tokio::test]
async fn figures_follow_every_action_and_equal_a_recomputation_from_the_logs() {
    use shanzhi_domain::cases::figures::recompute;
    for t in setups("scn_figures").await {
        let (lon, lat) = t.point_in("130202001001");
        // Three cases: one closed on time and rated, one reworked, one left open and overdue.
        let mut ids = Vec::new();
        for (i, ty) in ["0602", "0604", "0101"].iter().enumerate() {
            let c = t
                .report("lixin-wangge", json!({"kind": "event", "type": ty, "description": format!("问题 {i}"), "lon": lon, "lat": lat, "channel": "patrol"}))
                .await;
            let id = c["id"].as_str().unwrap().to_string();
            t.act(1, &id, "shouli", json!({"action": "register"})).await;
            t.act(1, &id, "zhiban", json!({"action": "file"})).await;
            t.act(1, &id, "paiqian", json!({"action": "dispatch"})).await;
            ids.push((id, c["route"]["unit"].as_str().unwrap().to_string()));
        }
        let handler = |unit: &str| match unit {
            "130202001:street-office" => "xueyuan-jiedao",
            "130202:water-supply" => "lunan-gongshui",
            _ => "lunan-chengguan",
        };
        let (a, ua) = &ids[0];
        t.act(30, a, handler(ua), json!({"action": "feedback", "opinion": "ok", "attachments": [PHOTO]})).await;
        t.act(10, a, "lixin-wangge", json!({"action": "check_pass", "attachments": [PHOTO]})).await;
        t.act(5, a, "zhiban", json!({"action": "close"})).await;
        t.act(5, a, "shouli", json!({"action": "rate_by_phone", "rating": {"satisfaction": "satisfied"}})).await;
        let (b, ub) = &ids[1];
        t.act(30, b, handler(ub), json!({"action": "feedback", "opinion": "ok", "attachments": [PHOTO]})).await;
        t.act(10, b, "lixin-wangge", json!({"action": "check_fail", "opinion": "未清理干净", "attachments": [PHOTO]}))
            .await;
        t.clock.advance(Duration::days(3));
        assert!(t.app.sweep_once(100).await.unwrap().swept >= 1);

        let month = shanzhi_domain::cases::figures::period_of(shanzhi_app::clock::Clock::now(t.clock.as_ref()));
        let (s, city) = t
            .call("GET", &format!("/api/v1/stats?kind=event&from=2026-03&to={month}"), Some("paiqian"), None, None)
            .await;
        assert_eq!(s, StatusCode::OK, "{city}");
        let c = &city["total"]["counters"];
        assert_eq!(
            (c["reported"].as_u64(), c["filed"].as_u64(), c["dispatched"].as_u64()),
            (Some(3), Some(3), Some(3)),
            "{}: {c}",
            t.db
        );
        assert_eq!(
            (c["closed"].as_u64(), c["rework"].as_u64(), c["satisfied"].as_u64()),
            (Some(1), Some(1), Some(1)),
            "{c}"
        );
        // Still-open cases past their deadline are counted by the list, live.
        let (_, late) = t.call("GET", "/api/v1/cases?overdue=true", Some("paiqian"), None, None).await;
        assert!(late["total"].as_u64().unwrap() >= 1, "{late}");
        let (_, by_unit) =
            t.call("GET", "/api/v1/stats?kind=event&by=unit&from=2026-03", Some("paiqian"), None, None).await;
        assert!(
            by_unit["rows"].as_array().unwrap().iter().any(|r| r["key"] == ua.as_str() && r["counters"]["closed"] == 1),
            "{by_unit}"
        );
        let (_, by_area) = t
            .call("GET", "/api/v1/stats?kind=event&by=area&area=130202&from=2026-03", Some("paiqian"), None, None)
            .await;
        let streets: u64 =
            by_area["rows"].as_array().unwrap().iter().map(|r| r["counters"]["filed"].as_u64().unwrap()).sum();
        assert_eq!(streets, 3, "the streets add up to the district: {by_area}");
        let (s, bad) = t.call("GET", "/api/v1/stats?area=130202001001001&by=type", Some("paiqian"), None, None).await;
        assert_eq!((s.as_u16(), bad["details"]["field"].as_str()), (400, Some("area")), "a grid keeps totals only");
        let (s, bad) = t.call("GET", "/api/v1/stats?from=2026-13", Some("paiqian"), None, None).await;
        assert_eq!((s.as_u16(), bad["details"]["field"].as_str()), (400, Some("from")));

        // What the database kept action by action equals a recomputation from the stored logs.
        let store = t.app.store();
        let mut histories = Vec::new();
        let (_, all) = t
            .app
            .cases()
            .list(
                &shanzhi_app::cases::CaseFilter { limit: 500, ..Default::default() },
                &t.app.actor(Some("admin")).await.unwrap(),
            )
            .await
            .unwrap();
        for v in all {
            let stored = store.load_case(v.id, &DataScope::All).await.unwrap();
            let log = store.case_log(&stored.county, v.id).await.unwrap();
            histories.push((stored.case, log));
        }
        let expected = recompute(&histories);
        let kept: std::collections::HashMap<_, _> = store.all_figures().await.unwrap().into_iter().collect();
        assert_eq!(kept.len(), expected.len(), "{}", t.db);
        for (k, c) in &expected {
            assert_eq!(kept.get(k), Some(c), "{}: {k:?}", t.db);
        }
    }
}

#[tokio::test]
async fn personal_data_is_masked_unless_the_command_centre_unmasks_it_and_that_is_audited() {
    for t in setups("scn_privacy").await {
        let (lon, lat) = t.point_in("130202001001");
        let text = "冀C92345 长期占用消防通道，车主电话13812341234";
        let c = t.report("jumin", json!({"kind": "event", "type": "1006", "description": text, "lon": lon, "lat": lat, "channel": "resident_web"})).await;
        assert_eq!(c["description"], "冀C92*** 长期占用消防通道，车主电话138****1234", "{}", t.db);
        let id = c["id"].as_str().unwrap();
        let (_, mine) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("jumin"), None, None).await;
        assert_eq!(mine["description"], c["description"]);
        let (s, v) = t.call("GET", &format!("/api/v1/cases/{id}?unmask=true"), Some("jumin"), None, None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
        let (_, list) = t.call("GET", "/api/v1/cases", Some("paiqian"), None, None).await;
        assert_eq!(list["items"][0]["description"], c["description"], "lists are masked too");
        let (s, whole) = t.call("GET", &format!("/api/v1/cases/{id}?unmask=true"), Some("paiqian"), None, None).await;
        assert_eq!((s, whole["description"].as_str()), (StatusCode::OK, Some(text)), "{}", t.db);
        let tail = t.app.store().audit_tail(5).await.unwrap();
        assert!(tail.iter().any(|e| e.action == "pii.unmask" && e.actor == "paiqian" && e.target == id), "{tail:?}");

        // At rest the description, the log and the grid workers' and
        // building heads' names and phones are sealed: the stored rows hold none of it.
        let store = t.app.store();
        let rows = |sql: &'static str| async move { shanzhi_store::testing::raw_strings(store, sql).await.unwrap() };
        let bodies = rows("SELECT body FROM cases").await;
        assert!(!bodies.is_empty() && bodies.iter().all(|b| b.starts_with("sz1:")), "{}", t.db);
        assert!(!bodies.iter().any(|b| b.contains("13812341234") || b.contains("消防通道")), "{}", t.db);
        assert!(rows("SELECT body FROM case_log").await.iter().all(|b| b.starts_with("sz1:")));
        for sql in
            ["SELECT phone FROM grid_workers", "SELECT name FROM grid_workers", "SELECT head_phone FROM buildings"]
        {
            let values = rows(sql).await;
            assert!(!values.is_empty() && values.iter().all(|v| v.starts_with("sz1:")), "{}: {sql}", t.db);
        }
        // Sealed values open only with their key: another store without it says which key it needs.
        let keyless = store.open_again().await.unwrap().with_data_key(None);
        let err = keyless.load_case(id.parse().unwrap(), &DataScope::All).await.unwrap_err().to_string();
        assert!(err.contains(shanzhi_store::testing::test_key().id()), "{err}");
    }
}

#[tokio::test]
async fn a_new_data_key_reads_old_rows_and_reseal_moves_every_row_to_it() {
    use shanzhi_store::DataKey;
    use shanzhi_store::testing::{execute_raw, raw_strings, test_key};
    for t in setups("scn_rotate").await {
        let (lon, lat) = t.point_in("130202001001");
        let text = "楼道堆放杂物，联系电话13912345678";
        let body = json!({"kind": "event", "type": "1006", "description": text, "lon": lon, "lat": lat, "channel": "resident_web"});
        let (s, c) = t.call("POST", "/api/v1/cases", Some("jumin"), Some(body), Some("rotate-1")).await;
        assert_eq!(s, StatusCode::CREATED, "{}: {c}", t.db);
        let id: i64 = c["id"].as_str().unwrap().parse().unwrap();
        let store = t.app.store();
        // A value from before any key was set is stored as it is.
        execute_raw(
            store,
            "UPDATE buildings SET head_phone = '13800000000' WHERE code = (SELECT MIN(code) FROM buildings)",
        )
        .await
        .unwrap();

        let (old, new) = (test_key(), DataKey::from_base64(&DataKey::generate()).unwrap());
        let rotated = store.open_again().await.unwrap().with_data_keys(Some(new.clone()), vec![old.clone()]);
        assert_eq!(
            rotated.load_case(id, &DataScope::All).await.unwrap().case.description,
            text,
            "the old key still reads: {}",
            t.db
        );
        let mut seen = Vec::new();
        let report = rotated.reseal(|table, done, total| seen.push((table.to_string(), done, total))).await.unwrap();
        let moved = |table: &str| report.tables.iter().find(|(t, _)| t == table).map(|(_, n)| *n).unwrap();
        assert!(moved("cases") >= 1 && moved("case_log") >= 1 && moved("buildings") >= 1, "{}: {report:?}", t.db);
        assert!(moved("idempotency_keys") >= 1 && moved("grid_workers") > 500, "{}: several pages: {report:?}", t.db);
        assert_eq!((report.key.as_str(), report.remaining), (new.id(), 0));
        for (table, n) in &report.tables {
            let last = seen.iter().rev().find(|(t, _, _)| t == table).unwrap();
            assert_eq!((last.1, last.2), (*n, *n), "{}: progress ends at the total for {table}", t.db);
        }

        let prefix = format!("sz1:{}:", new.id());
        for sql in [
            "SELECT body FROM cases",
            "SELECT body FROM case_log",
            "SELECT response FROM idempotency_keys",
            "SELECT name FROM grid_workers",
            "SELECT phone FROM grid_workers",
            "SELECT head_name FROM buildings",
            "SELECT head_phone FROM buildings",
        ] {
            let values = raw_strings(store, sql).await.unwrap();
            assert!(values.iter().all(|v| v.starts_with(&prefix)), "{}: {sql}", t.db);
        }
        // The new key alone reads everything; the old key alone no longer can.
        let only_new = store.open_again().await.unwrap().with_data_key(Some(new.clone()));
        assert_eq!(only_new.load_case(id, &DataScope::All).await.unwrap().case.description, text);
        let county = only_new.load_case(id, &DataScope::All).await.unwrap().county;
        assert!(!only_new.case_log(&county, id).await.unwrap().is_empty());
        let only_old = store.open_again().await.unwrap().with_data_key(Some(old));
        let err = only_old.load_case(id, &DataScope::All).await.unwrap_err().to_string();
        assert!(err.contains(new.id()), "{err}");
        assert_eq!(rotated.reseal(|_, _, _| {}).await.unwrap().rows(), 0, "{}: nothing is left to move", t.db);
    }
}

#[tokio::test]
async fn notes_leave_the_case_where_it_is_and_retried_writes_happen_once() {
    for t in setups("scn_notes").await {
        let (lon, lat) = t.point_in("130202001001");
        let c = t.report("jumin", json!({"kind": "event", "type": "0602", "description": "楼下垃圾三天没人清", "lon": lon, "lat": lat, "channel": "resident_web"})).await;
        let id = c["id"].as_str().unwrap();
        let notes = format!("/api/v1/cases/{id}/notes");
        let log_of = |v: &Value| v["log"].as_array().unwrap().clone();

        // The resident follows up (催办); a retry with the same key adds nothing.
        let urge = json!({"text": "还没人来处理，请尽快，电话13912345678"});
        let (s, first) = t.call("POST", &notes, Some("jumin"), Some(urge.clone()), Some("note-1")).await;
        assert_eq!(s, StatusCode::CREATED, "{}: {first}", t.db);
        assert_eq!((first["state"].as_str(), first["version"].as_u64()), (Some("reported"), Some(2)));
        let (s, again) = t.call("POST", &notes, Some("jumin"), Some(urge), Some("note-1")).await;
        assert_eq!((s, &again), (StatusCode::CREATED, &first), "{}", t.db);
        // A key is the caller's own: the intake operator's note with the same key is a note of its own.
        let (s, theirs) =
            t.call("POST", &notes, Some("shouli"), Some(json!({"text": "已电话联系"})), Some("note-1")).await;
        assert_eq!((s, theirs["version"].as_u64()), (StatusCode::CREATED, Some(3)), "{}: {theirs}", t.db);
        let (_, d) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("zhiban"), None, None).await;
        let log = log_of(&d);
        assert_eq!(log.len(), 3, "{}: two notes: {d}", t.db);
        assert_eq!((log[1]["action"].as_str(), log[1]["to_state"].as_str()), (Some("note"), Some("reported")));
        assert!(log[1]["opinion"].as_str().unwrap().contains("139****5678"), "masked when shown: {}", log[1]);

        // Who may not: nobody logged in, a grid worker of another community; and what is no note.
        let (s, _) = t.call("POST", &notes, None, Some(json!({"text": "x"})), None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{}", t.db);
        let (s, _) = t.call("POST", &notes, Some("xinyi-wangge"), Some(json!({"text": "x"})), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{}: outside the scope the case does not exist", t.db);
        let (s, e) = t.call("POST", &notes, Some("jumin"), Some(json!({"text": "  "})), None).await;
        assert_eq!((s, e["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("text")), "{}: {e}", t.db);

        // An action retried with its key is taken once and answers the same.
        let act = format!("/api/v1/cases/{id}/actions");
        let verify = json!({"action": "request_verification"});
        // The same client key as a note before: an action is another kind of request.
        let (s, once) = t.call("POST", &act, Some("shouli"), Some(verify.clone()), Some("note-1")).await;
        assert_eq!(s, StatusCode::OK, "{}: {once}", t.db);
        let (s, twice) = t.call("POST", &act, Some("shouli"), Some(verify.clone()), Some("note-1")).await;
        assert_eq!((s, &twice), (StatusCode::OK, &once), "{}", t.db);
        let (s, _) = t.call("POST", &act, Some("shouli"), Some(verify), None).await;
        assert_ne!(s, StatusCode::OK, "{}: without the key it is a second attempt, refused", t.db);
        let (_, d) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("zhiban"), None, None).await;
        assert_eq!(log_of(&d).iter().filter(|e| e["action"] == "request_verification").count(), 1, "{}", t.db);
        // A key belongs to its first request: with another body it is refused as reused (IETF
        // draft: 422); with the same body on another case it is a conflict.
        let other = t.report("jumin", json!({"kind": "event", "type": "0602", "description": "另一处垃圾", "lon": lon, "lat": lat, "channel": "resident_web"})).await;
        let other_notes = format!("/api/v1/cases/{}/notes", other["id"].as_str().unwrap());
        let (s, e) = t.call("POST", &other_notes, Some("jumin"), Some(json!({"text": "y"})), Some("note-1")).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("idempotency_key_reused")),
            "{}: {e}",
            t.db
        );
        let urge = json!({"text": "还没人来处理，请尽快，电话13912345678"});
        let (s, e) = t.call("POST", &other_notes, Some("jumin"), Some(urge), Some("note-1")).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{}: {e}", t.db);
    }
}

#[tokio::test]
async fn exports_are_workbooks_within_the_scope_masked_unless_unmasked_and_audited() {
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let read = |bytes: Vec<u8>| -> Vec<Vec<String>> {
        let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an xlsx workbook");
        let name = wb.sheet_names()[0].clone();
        wb.worksheet_range(&name).unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    };
    for t in setups("scn_export").await {
        let (lon, lat) = t.point_in("130202001001");
        let text = "小区门口垃圾堆积，联系13812345678";
        let mine = t.report("jumin", json!({"kind": "event", "type": "0602", "description": text, "lon": lon, "lat": lat, "channel": "resident_web"})).await;
        let (lon, lat) = t.point_in("130202001002");
        t.report("jumin", json!({"kind": "event", "type": "0101", "description": "井盖缺失", "lon": lon, "lat": lat, "channel": "resident_web"})).await;
        let mine_id = mine["id"].as_str().unwrap();

        // The command centre exports the city: Chinese headers, who and when, masked text.
        let (s, ct, bytes) = t.fetch(Some("zhiban"), "/api/v1/exports/cases.xlsx").await;
        assert_eq!((s, ct.as_str()), (StatusCode::OK, XLSX), "{}", t.db);
        let rows = read(bytes);
        // Who exported it, by name and role, never by user name.
        assert!(
            rows[0][0].contains("值班长 王强（值班长）")
                && !rows[0][0].contains("zhiban")
                && rows[0][0].contains("个人信息已脱敏"),
            "{:?}",
            rows[0]
        );
        assert_eq!(
            (rows[1][0].as_str(), rows[1][5].as_str(), rows[1][10].as_str(), rows[1][17].as_str()),
            ("案件编号", "问题描述", "网格编码", "上报时间")
        );
        assert_eq!(rows.len(), 4, "{}: two cases: {rows:?}", t.db);
        let row = rows.iter().find(|r| r[0] == mine_id).expect("the case is exported");
        assert_eq!(row[5], "小区门口垃圾堆积，联系138****5678");
        // Names in the cells (the grid's code in its own column), the light in words.
        assert_eq!(
            (row[2].as_str(), row[4].as_str(), row[6].as_str(), row[10].as_str()),
            ("暴露垃圾", "市民网上上报", "路南区", "130202001001001"),
            "{row:?}"
        );
        assert!(row[9].ends_with("网格"), "the grid by name: {row:?}");
        assert!(["绿灯", "黄灯", "红灯", ""].contains(&row[13].as_str()), "the light in words: {row:?}");
        assert!(!row[17].is_empty(), "the time reported: {row:?}");
        let (_, _, en) = t.fetch(Some("zhiban"), "/api/v1/exports/cases.xlsx?lang=en&q=%E5%9E%83%E5%9C%BE").await;
        let en = read(en);
        assert_eq!((en[1][0].as_str(), en.len()), ("Case", 3), "{}: English, and only what holds the words", t.db);
        assert!(en[0][0].contains("Shift supervisor"), "{:?}", en[0]);
        assert_eq!(en[2][2], "Exposed rubbish", "{}: the type in English: {:?}", t.db, en[2]);

        // A grid worker exports their own community only; a resident may not unmask.
        let (_, _, own) = t.fetch(Some("lixin-wangge"), "/api/v1/exports/cases.xlsx").await;
        assert_eq!(read(own).len(), 3, "{}: one case in scope", t.db);
        let (s, _, _) = t.fetch(Some("jumin"), "/api/v1/exports/cases.xlsx?unmask=true").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, _) = t.fetch(None, "/api/v1/exports/cases.xlsx").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, _, e) = t.fetch(Some("zhiban"), "/api/v1/exports/cases.xlsx?light=blue").await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&e));

        // The dispatcher exports it whole; both exports and the unmasking are audited.
        let (_, _, whole) = t.fetch(Some("paiqian"), "/api/v1/exports/cases.xlsx?unmask=true").await;
        let whole = read(whole);
        assert!(whole[0][0].contains("仅限工作使用"), "{:?}", whole[0]);
        assert!(whole.iter().any(|r| r[5] == text), "{}", t.db);
        let tail = t.app.store().audit_tail(10).await.unwrap();
        assert!(
            tail.iter().any(|e| e.action == "case.export" && e.actor == "zhiban" && e.detail.starts_with("2 rows")),
            "{tail:?}"
        );
        assert!(
            tail.iter().any(|e| e.action == "pii.unmask" && e.actor == "paiqian" && e.target == "export"),
            "{tail:?}"
        );
    }
}

/// A retry with the same key answers the first report for as long as the key is kept
/// (`idempotency_days`, 30 by default); after that the key is forgotten and a retry is a new report.
#[tokio::test]
async fn an_idempotency_key_answers_retries_until_it_is_forgotten() {
    for t in setups("scn_keys").await {
        let body = json!({"kind": "event", "type": "0602", "description": "路灯不亮", "lon": 118.18246, "lat": 39.49733, "channel": "patrol"});
        let report = || t.call("POST", "/api/v1/cases", Some("lixin-wangge"), Some(body.clone()), Some("retry-1"));
        let (s, first) = report().await;
        assert_eq!(s, StatusCode::CREATED, "{}: {first}", t.db);
        t.clock.advance(Duration::days(29));
        assert_eq!(t.app.forget_old_keys(30).await.unwrap(), 0, "{}: nothing is 30 days old yet", t.db);
        let (_, again) = report().await;
        assert_eq!(again["id"], first["id"], "{}: a retry within the period is the same report", t.db);
        t.clock.advance(Duration::days(2));
        assert_eq!(t.app.forget_old_keys(0).await.unwrap(), 0, "{}: 0 keeps keys for ever", t.db);
        assert!(t.app.forget_old_keys(30).await.unwrap() >= 1, "{}", t.db);
        let (s, later) = report().await;
        assert_eq!(s, StatusCode::CREATED, "{}: {later}", t.db);
        assert_ne!(later["id"], first["id"], "{}: after the period the key is new again", t.db);
    }
}
