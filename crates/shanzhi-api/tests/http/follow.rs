//! A resident without an account, on SQLite and PostgreSQL: they report under a follow code of
//! their own making (`X-Follow-Code`), follow what they reported with it (and only that), and
//! rate it once it is closed; a wrong or malformed code sees nothing.

use crate::support::setups;
use axum::http::StatusCode;
use serde_json::{Value, json};

const PHOTO: &str = "https://evidence.example.org/1.jpg";
const CODE: &str = "8f0c2a9e4b7d13f6a5c8e2d1b0f9a7c3";
const OTHER: &str = "00112233445566778899aabbccddeeff";

#[tokio::test]
async fn a_resident_reports_follows_and_rates_with_a_follow_code() {
    for t in setups("follow").await {
        let with = |code: &'static str| vec![("x-follow-code", code)];
        let (lon, lat) = t.point_in("130202001001");
        let report = json!({"kind": "event", "type": "0101", "description": "井盖缺失，电话13812345678", "lon": lon, "lat": lat, "channel": "resident_web", "attachments": [PHOTO]});
        let (s, c) = t.raw("POST", "/api/v1/cases", &with(CODE), Some(report.clone())).await;
        assert_eq!(s, StatusCode::CREATED, "{}: {c}", t.db);
        let id = c["id"].as_str().unwrap().to_string();

        // The code finds its own report, masked; another code, or none, finds nothing.
        let (_, mine) = t.raw("GET", "/api/v1/cases", &with(CODE), None).await;
        assert_eq!((mine["total"].as_u64(), mine["items"][0]["id"].as_str()), (Some(1), Some(id.as_str())), "{}", t.db);
        assert_eq!(mine["items"][0]["description"], "井盖缺失，电话138****5678");
        let (_, theirs) = t.raw("GET", "/api/v1/cases", &with(OTHER), None).await;
        assert_eq!(theirs["total"], 0);
        let (s, _) = t.raw("GET", &format!("/api/v1/cases/{id}"), &with(OTHER), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, nobody) = t.raw("GET", "/api/v1/cases", &[], None).await;
        assert_eq!(nobody["total"], 0);
        for bad in ["short", "zz112233445566778899aabbccddeeff", &"a".repeat(65)] {
            let (s, v) = t.raw("GET", "/api/v1/cases", &[("x-follow-code", bad)], None).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{bad}: {v}");
            assert!(v["message"].as_str().unwrap().contains("X-Follow-Code"));
        }
        // Nor does it reach a staff page.
        let (s, _) = t.raw("GET", "/api/v1/overview", &with(CODE), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // The city works it; the resident sees each step and may add a note, but may not rate yet.
        t.act(2, &id, "shouli", json!({"action": "request_verification"})).await;
        let (s, _) = t
            .raw("POST", &format!("/api/v1/cases/{id}/notes"), &with(CODE), Some(json!({"text": "井盖在单元门东侧"})))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{}", t.db);
        let (_, d) = t.raw("GET", &format!("/api/v1/cases/{id}"), &with(CODE), None).await;
        let rate = |d: &Value| d["actions"].as_array().unwrap().iter().find(|a| a["action"] == "rate").cloned();
        assert!(rate(&d).is_none_or(|r| r["allowed"] == false), "{d}");
        t.act(20, &id, "lixin-wangge", json!({"action": "confirm", "attachments": [PHOTO]})).await;
        t.act(5, &id, "zhiban", json!({"action": "file"})).await;
        t.act(5, &id, "paiqian", json!({"action": "dispatch"})).await;
        t.act(
            40,
            &id,
            "lunan-gongshui",
            json!({"action": "feedback", "opinion": "已补装井盖", "attachments": [PHOTO]}),
        )
        .await;
        t.act(20, &id, "lixin-wangge", json!({"action": "check_pass", "attachments": [PHOTO]})).await;
        t.act(5, &id, "zhiban", json!({"action": "close"})).await;

        // Closed: the reporter rates it, once; the other code cannot.
        let (_, d) = t.raw("GET", &format!("/api/v1/cases/{id}"), &with(CODE), None).await;
        assert_eq!(rate(&d).map(|r| r["allowed"].clone()), Some(json!(true)), "{}: {d}", t.db);
        let rating = json!({"action": "rate", "rating": {"satisfaction": "basically_satisfied", "reason": "修得慢"}});
        let (s, v) = t.raw("POST", &format!("/api/v1/cases/{id}/actions"), &with(OTHER), Some(rating.clone())).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
        let (s, v) = t.raw("POST", &format!("/api/v1/cases/{id}/actions"), &with(CODE), Some(rating.clone())).await;
        assert_eq!(s, StatusCode::OK, "{}: {v}", t.db);
        let (s, _) = t.raw("POST", &format!("/api/v1/cases/{id}/actions"), &with(CODE), Some(rating)).await;
        assert!(s.is_client_error(), "{}: rated once", t.db);
        let (_, d) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("zhiban"), None, None).await;
        let last = d["log"].as_array().unwrap().iter().rfind(|e| e["action"] == "rate").expect("the rating is logged");
        assert!(last["user"].as_str().unwrap().starts_with("anon:"), "{last}");
    }
}
