//! The permission matrix, on SQLite and PostgreSQL: every demo account × list, count, read, act
//! and figures × cases in three communities (two streets, two districts), one outside every grid
//! and one dispatched to a department. What each account should see is written out by hand below
//! (from the roles' rules, not from the code under test): no leak, and no false denial.

use std::collections::BTreeSet;

use crate::support::{T, setups};
use axum::http::StatusCode;
use serde_json::json;

/// The cases of the matrix, by letter.
struct Cases {
    /// 立新东楼社区 (130202001001), patrol report, dispatched to 路南区供水 (water supply).
    a: String,
    /// 新谊社区 (130202001002), same street, patrol report.
    b: String,
    /// 乔屯楼社区 (130203001001), 路北区, patrol report, dispatched to 路北区城管.
    c: String,
    /// 立新东楼社区, a resident's own web report.
    d: String,
    /// A drone's report outside every grid (the sea off 曹妃甸).
    e: String,
}

async fn dispatch(t: &T, id: &str, unit: &str) {
    t.act(1, id, "shouli", json!({"action": "register"})).await;
    t.act(1, id, "zhiban", json!({"action": "file"})).await;
    t.act(1, id, "paiqian", json!({"action": "dispatch", "units": {"primary": unit}})).await;
}

async fn cases(t: &T) -> Cases {
    let a = t.patrol("lixin-wangge", "130202001001", "0602").await;
    dispatch(t, &a, "130202:water-supply").await;
    let b = t.patrol("xinyi-wangge", "130202001002", "0602").await;
    let c = t.patrol("qiaotun-wangge", "130203001001", "0602").await;
    dispatch(t, &c, "130203:urban-management").await;
    let (lon, lat) = t.point_in("130202001001");
    let d = t
        .report("jumin", json!({"kind": "event", "type": "0604", "description": "楼前道路不洁", "lon": lon, "lat": lat, "channel": "resident_web"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let e = t
        .report("device-drone-01", json!({"kind": "event", "type": "0905", "description": "海面油污", "lon": 118.6, "lat": 38.7, "channel": "device"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    Cases { a, b, c, d, e }
}

/// Who sees which cases, by hand.
fn expected(user: &str) -> &'static str {
    match user {
        "admin" | "shouli" | "zhiban" | "paiqian" => "abcde",
        "lunan-gongshui" => "a",
        "lunan-chengguan" => "",
        "lubei-chengguan" => "c",
        "xueyuan-jiedao" => "abd",
        "qiaotun-jiedao" => "c",
        "lixin-dangzhibu" | "lixin-juweihui" | "lixin-wangge" => "ad",
        "xinyi-wangge" => "b",
        "qiaotun-wangge" => "c",
        "lixin-loumenzhang" => "",
        "jumin" => "d",
        "device-drone-01" => "e",
        other => panic!("no expectation for {other}"),
    }
}

#[tokio::test]
async fn every_account_sees_exactly_its_scope() {
    for t in setups("scope_matrix").await {
        let cs = cases(&t).await;
        let by_letter = [('a', &cs.a), ('b', &cs.b), ('c', &cs.c), ('d', &cs.d), ('e', &cs.e)];
        let users: Vec<String> = t.app.store().load_users().await.unwrap().into_iter().map(|u| u.username).collect();
        assert_eq!(users.len(), 17, "the demo's accounts");
        for user in users.iter().map(String::as_str).map(Some).chain([None]) {
            let want: BTreeSet<&str> = match user {
                Some(u) => {
                    by_letter.iter().filter(|(l, _)| expected(u).contains(*l)).map(|(_, id)| id.as_str()).collect()
                }
                None => BTreeSet::new(),
            };
            let who = format!("{}: {}", t.db, user.unwrap_or("anonymous"));

            // List and count.
            let (s, list) = t.call("GET", "/api/v1/cases?page_size=100", user, None, None).await;
            assert_eq!(s, StatusCode::OK, "{who}: {list}");
            let got: BTreeSet<&str> =
                list["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
            assert_eq!(got, want, "{who}: list");
            assert_eq!(list["total"].as_u64(), Some(want.len() as u64), "{who}: count");

            for (letter, id) in by_letter {
                let inside = want.contains(id.as_str());
                // Read: a case outside the scope does not exist for the caller.
                let (s, v) = t.call("GET", &format!("/api/v1/cases/{id}"), user, None, None).await;
                let expect = if inside { StatusCode::OK } else { StatusCode::NOT_FOUND };
                assert_eq!(s, expect, "{who}: read {letter}: {v}");
                // Act: outside the scope nothing is even looked at; inside, the workflow answers.
                let (s, v) = t
                    .call(
                        "POST",
                        &format!("/api/v1/cases/{id}/actions"),
                        user,
                        Some(json!({"action": "no_such_action"})),
                        None,
                    )
                    .await;
                let expect = if inside { StatusCode::BAD_REQUEST } else { StatusCode::NOT_FOUND };
                assert_eq!(s, expect, "{who}: act on {letter}: {v}");
            }
        }
        // Filters narrow inside the scope and never widen it.
        let (_, v) = t.call("GET", "/api/v1/cases?area=130203", Some("lixin-wangge"), None, None).await;
        assert_eq!(v["total"], 0);
        let (_, v) = t.call("GET", "/api/v1/cases?area=130202001002", Some("xueyuan-jiedao"), None, None).await;
        assert_eq!(v["total"], 1);
    }
}

#[tokio::test]
async fn figures_stay_inside_the_area_or_unit() {
    for t in setups("scope_stats").await {
        cases(&t).await;
        let stats = |user: &'static str, q: &'static str| {
            let t = &t;
            async move { t.call("GET", &format!("/api/v1/stats?kind=event&from=2026-03&{q}"), Some(user), None, None).await }
        };
        for (user, q, status) in [
            ("paiqian", "area=130203", 200),
            ("xueyuan-jiedao", "", 200),
            ("xueyuan-jiedao", "area=130202001002", 200),
            ("xueyuan-jiedao", "area=130202", 403),
            ("xueyuan-jiedao", "area=130203001", 403),
            ("lixin-wangge", "", 200),
            ("lixin-wangge", "area=130202001002", 403),
            ("lunan-gongshui", "", 200),
            ("lunan-gongshui", "unit=130202:urban-management", 403),
            ("lunan-gongshui", "by=unit&area=130202", 403),
            ("lunan-gongshui", "area=130202", 200),
            // Naming one's own unit does not open every unit's figures of a wider area.
            ("xueyuan-jiedao", "area=130202&unit=130202001:street-office&by=unit", 403),
            ("xueyuan-jiedao", "area=1302&unit=130202001:street-office&by=unit", 403),
            ("xueyuan-jiedao", "area=1302&unit=130202001:street-office", 200),
            ("xueyuan-jiedao", "area=130202001&by=unit", 200),
            ("jumin", "", 403),
            ("device-drone-01", "", 403),
        ] {
            let (s, v) = stats(user, q).await;
            assert_eq!(s.as_u16(), status, "{}: {user} {q}: {v}", t.db);
        }
        // A street's default figures are its own: the three reports in its communities.
        let (_, v) = stats("xueyuan-jiedao", "").await;
        assert_eq!(v["total"]["counters"]["reported"], 3, "{}: {v}", t.db);
        let (_, v) = stats("lixin-wangge", "").await;
        assert_eq!(v["total"]["counters"]["reported"], 2, "{}: {v}", t.db);
    }
}

/// The ids an account's case list holds, by its token (no new login: the old one must still work).
async fn seen(t: &T, token: &str) -> BTreeSet<String> {
    let (s, list) = t.send("GET", "/api/v1/cases?page_size=100", Some(token), None, None).await;
    assert_eq!(s, StatusCode::OK, "{}: {list}", t.db);
    list["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn an_administrator_widens_an_accounts_scope_and_narrows_it_again() {
    for t in setups("scope_extra").await {
        let cs = cases(&t).await;
        let db = t.db.clone();
        let admin = Some("admin");
        let ids = |v: &[&String]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<String>>();
        let street = t.token("xueyuan-jiedao", false).await;
        assert_eq!(seen(&t, &street).await, ids(&[&cs.a, &cs.b, &cs.d]), "{db}");

        // 学院南路街道's staff also cover 乔屯街道 (another district) for a while.
        let patch = |user: &'static str, body: serde_json::Value| {
            let t = &t;
            async move { t.call("PATCH", &format!("/api/v1/admin/users/{user}"), admin, Some(body), None).await }
        };
        let (s, v) = patch("xueyuan-jiedao", json!({"extra_scope": ["130203001"]})).await;
        assert_eq!(s, StatusCode::OK, "{db}: {v}");
        assert_eq!(
            v["extra_scope"],
            json!([{"id": "130203001", "name": "路北区乔屯街道", "kind": "township"}]),
            "{db}"
        );
        assert_eq!(seen(&t, &street).await, ids(&[&cs.a, &cs.b, &cs.c, &cs.d]), "{db}: at once, same login");
        let (s, v) = t.send("GET", &format!("/api/v1/cases/{}", cs.c), Some(&street), None, None).await;
        assert_eq!(s, StatusCode::OK, "{db}: {v}");
        let (s, v) =
            t.send("GET", "/api/v1/stats?kind=event&from=2026-03&area=130203001", Some(&street), None, None).await;
        assert_eq!((s, v["total"]["counters"]["reported"].as_u64()), (StatusCode::OK, Some(1)), "{db}: {v}");
        let (s, _) =
            t.send("GET", "/api/v1/stats?kind=event&from=2026-03&area=130203002", Some(&street), None, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}: not the rest of 路北区");

        // A district department's handler also sees what was dispatched to the water utility.
        let dept = t.token("lunan-chengguan", false).await;
        assert!(seen(&t, &dept).await.is_empty(), "{db}");
        let (s, v) = patch("lunan-chengguan", json!({"extra_scope": ["130202:water-supply"]})).await;
        assert_eq!(s, StatusCode::OK, "{db}: {v}");
        assert_eq!(seen(&t, &dept).await, ids(&[&cs.a]), "{db}");

        // Refused, with the field named, and nothing written.
        for (user, extra, says) in [
            ("jumin", json!(["130202001"]), "only what they reported"),
            ("paiqian", json!(["130202"]), "every case already"),
            ("xueyuan-jiedao", json!(["130299"]), "no county, street"),
            ("xueyuan-jiedao", json!(["130203001", "130203001"]), "twice"),
            ("xueyuan-jiedao", json!(["路北区"]), "neither a division"),
            ("xueyuan-jiedao", json!(["130202:no-such-unit"]), "no county, street"),
        ] {
            let (s, v) = patch(user, json!({"extra_scope": extra})).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{db}: {user} {extra}: {v}");
            assert_eq!(v["details"]["field"], "extra_scope", "{db}: {v}");
            assert!(v["message"].as_str().unwrap().contains(says), "{db}: {v}");
            assert!(v["details"]["message_zh"].as_str().is_some_and(|m| !m.is_ascii()), "{db}: said in Chinese: {v}");
        }
        assert_eq!(seen(&t, &street).await.len(), 4, "{db}: the refused change left the scope as it was");
        // A new role that sees only its own reports cannot keep the extra scope.
        let (s, v) =
            patch("xueyuan-jiedao", json!({"role": "resident", "unit": "130202001001:residents_committee"})).await;
        assert_eq!((s, v["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("extra_scope")), "{db}: {v}");

        // Narrowed again: the other street's case is gone, at once.
        let (s, v) = patch("xueyuan-jiedao", json!({"extra_scope": []})).await;
        assert_eq!((s, v["extra_scope"].clone()), (StatusCode::OK, json!([])), "{db}: {v}");
        assert_eq!(seen(&t, &street).await, ids(&[&cs.a, &cs.b, &cs.d]), "{db}");
        let (s, _) = t.send("GET", &format!("/api/v1/cases/{}", cs.c), Some(&street), None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{db}");

        // Each change is audited with what was before.
        let (_, log) = t.call("GET", "/api/v1/admin/audit?action=user.scope&limit=10", admin, None, None).await;
        let details: Vec<&str> =
            log["items"].as_array().unwrap().iter().map(|e| e["detail"].as_str().unwrap()).collect();
        assert_eq!(
            details,
            ["none (was 130203001)", "130202:water-supply (was none)", "130203001 (was none)"],
            "{db}: newest first: {log}"
        );
        // The picker finds streets and units by name.
        let (s, v) = t.call("GET", "/api/v1/admin/scope-entries?q=乔屯", admin, None, None).await;
        assert_eq!(s, StatusCode::OK, "{db}: {v}");
        let found: Vec<&str> = v.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert!(found.starts_with(&["130203001"]) && found.contains(&"130203001001"), "{db}: {v}");
        let (s, _) = t.call("GET", "/api/v1/admin/scope-entries?q=乔屯", Some("zhiban"), None, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}");
    }
}
