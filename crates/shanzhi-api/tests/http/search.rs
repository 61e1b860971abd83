//! Full-text search over cases (`GET /api/v1/cases?q=`), on SQLite and PostgreSQL: Chinese words
//! in descriptions, places and notes, combined with the other filters and the caller's data
//! scope; the index follows every write, holds no personal data, and rebuilds to the same answers.

use crate::support::{T, setups};
use axum::http::StatusCode;
use chrono::Duration;
use serde_json::json;

async fn patrol(t: &T, worker: &str, community: &str, ty: &str, description: &str) -> String {
    let (lon, lat) = t.point_in(community);
    t.clock.advance(Duration::minutes(1));
    let c = t
        .report(worker, json!({"kind": "event", "type": ty, "description": description, "lon": lon, "lat": lat, "channel": "patrol"}))
        .await;
    c["id"].as_str().unwrap().to_string()
}

/// The ids a search answers for `user`, and the total.
async fn find(t: &T, user: &str, query: &str) -> (Vec<String>, u64) {
    let (s, v) = t.call("GET", &format!("/api/v1/cases?page_size=100&{query}"), Some(user), None, None).await;
    assert_eq!(s, StatusCode::OK, "{}: {query}: {v}", t.db);
    let ids = v["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();
    (ids, v["total"].as_u64().unwrap())
}

fn q(words: &str) -> String {
    format!("q={}", url_encode(words))
}

fn url_encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn words_find_cases_within_the_filters_and_the_scope() {
    for t in setups("search").await {
        let a = patrol(&t, "lixin-wangge", "130202001001", "0101", "文化路12号窨井盖缺失，行人易绊倒").await;
        let b = patrol(&t, "xinyi-wangge", "130202001002", "0101", "新谊小区门口井盖破损").await;
        let c = patrol(&t, "lixin-wangge", "130202001001", "0602", "楼道口垃圾堆放，联系电话13812345678").await;

        // The city's dispatcher finds both covers, newest first; a sub-word finds the long word.
        assert_eq!(find(&t, "paiqian", &q("井盖")).await, (vec![b.clone(), a.clone()], 2), "{}", t.db);
        assert_eq!(find(&t, "paiqian", &q("井盖 缺失")).await.0, std::slice::from_ref(&a), "{}: every word", t.db);
        // The place's names are words of the case.
        assert_eq!(find(&t, "paiqian", &q("新谊社区")).await.0, std::slice::from_ref(&b), "{}", t.db);
        // Combined with the other filters.
        assert_eq!(find(&t, "paiqian", &format!("{}&type=0602", q("楼道"))).await.0, std::slice::from_ref(&c));
        assert_eq!(find(&t, "paiqian", &format!("{}&type=0602", q("井盖"))).await, (vec![], 0));
        // A grid worker finds only their community's cases, and counts only them.
        assert_eq!(find(&t, "lixin-wangge", &q("井盖")).await, (vec![a.clone()], 1), "{}", t.db);
        assert_eq!(find(&t, "xinyi-wangge", &q("井盖")).await, (vec![b.clone()], 1), "{}", t.db);
        // No match, or no words at all, is no case (never every case).
        assert_eq!(find(&t, "paiqian", &q("停车")).await, (vec![], 0));
        assert_eq!(find(&t, "paiqian", &q("，。")).await, (vec![], 0));
        // An empty q is no condition.
        assert!(find(&t, "paiqian", "q=").await.1 >= 3);
        // Personal data never reaches the index.
        assert_eq!(find(&t, "paiqian", &q("13812345678")).await, (vec![], 0), "{}", t.db);
        assert_eq!(find(&t, "paiqian", &q("垃圾")).await.0, std::slice::from_ref(&c));

        // Notes written on the case are found as soon as the action is answered.
        t.act(2, &a, "shouli", json!({"action": "register", "opinion": "已通知市政维修队"})).await;
        assert_eq!(find(&t, "paiqian", &q("维修队")).await.0, std::slice::from_ref(&a), "{}", t.db);

        // Rebuilt from the cases, the index gives the same answers.
        assert!(t.app.rebuild_search(|_, _| {}).await.unwrap() >= 3);
        assert_eq!(find(&t, "paiqian", &q("井盖")).await.0, [b.clone(), a.clone()], "{}", t.db);
        assert_eq!(find(&t, "paiqian", &q("维修队")).await.0, std::slice::from_ref(&a), "{}", t.db);

        // Too long a query is refused, naming the field.
        let (s, e) =
            t.call("GET", &format!("/api/v1/cases?{}", q(&"井".repeat(101))), Some("paiqian"), None, None).await;
        assert_eq!((s, e["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("q")));
    }
}

#[tokio::test]
async fn a_server_without_an_index_says_search_is_unavailable() {
    let t = setups("search_none").await.remove(0);
    let app = shanzhi_app::App::open(t.app.store().clone(), t.clock.clone()).await.unwrap();
    let admin = app.actor(Some("admin")).await.unwrap();
    match app.cases().list_with_words(&Default::default(), "井盖", &admin).await {
        Err(shanzhi_app::AppError::Unavailable(m)) => assert!(m.contains("search"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_administrator_rebuilds_the_index_while_the_server_runs() {
    for t in setups("search_reindex").await {
        let db = t.db.clone();
        let a = patrol(&t, "lixin-wangge", "130202001001", "0101", "文化路窨井盖缺失").await;
        let b = patrol(&t, "xinyi-wangge", "130202001002", "0101", "新谊小区门口井盖破损").await;
        let (s, v) = t.call("GET", "/api/v1/admin/search", Some("admin"), None, None).await;
        assert_eq!(
            (s, v["running"].as_bool(), v["started_at"].is_null()),
            (StatusCode::OK, Some(false), true),
            "{db}: {v}"
        );
        let (s, _) = t.call("POST", "/api/v1/admin/search/reindex", Some("zhiban"), None, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}");

        let (s, v) = t.call("POST", "/api/v1/admin/search/reindex", Some("admin"), None, None).await;
        assert_eq!(
            (s, v["running"].as_bool(), v["by"].as_str()),
            (StatusCode::ACCEPTED, Some(true), Some("admin")),
            "{db}: {v}"
        );
        // It runs in the background; the state says how far it is, then how it ended.
        let mut state = v;
        for _ in 0..600 {
            if state["running"] == false {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            state = t.call("GET", "/api/v1/admin/search", Some("admin"), None, None).await.1;
        }
        assert_eq!((state["running"].as_bool(), state["error"].as_str()), (Some(false), None), "{db}: {state}");
        assert!(state["finished_at"].is_string() && state["done"] == state["total"], "{db}: {state}");
        assert!(state["total"].as_u64().unwrap() >= 2, "{db}: {state}");
        assert_eq!(find(&t, "paiqian", &q("井盖")).await.0, [b.clone(), a.clone()], "{db}");
        let (_, log) =
            t.call("GET", "/api/v1/admin/audit?action=search.reindex&limit=5", Some("admin"), None, None).await;
        assert_eq!(log["items"][0]["actor"], "admin", "{db}: {log}");
    }
}
