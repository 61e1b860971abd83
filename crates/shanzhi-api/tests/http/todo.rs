//! The to-do lists (待办) on SQLite and PostgreSQL: each role's lists are the states its kinds'
//! workflows put on them, each count is what the case list its filter opens holds, and a case
//! moves from one role's list to the next as it is worked.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{T, setups};

/// The caller's lists, by `kind:state:whose`.
async fn lists(t: &T, user: &str) -> Vec<Value> {
    let (s, v) = t.call("GET", "/api/v1/todo", Some(user), None, None).await;
    assert_eq!(s, StatusCode::OK, "{}: {user}: {v}", t.db);
    v.as_array().unwrap().clone()
}

fn count(lists: &[Value], kind: &str, state: &str, whose: &str) -> u64 {
    lists
        .iter()
        .find(|l| l["kind"] == kind && l["state"] == state && l["whose"] == whose)
        .unwrap_or_else(|| panic!("no list {kind}:{state}:{whose} in {lists:?}"))["count"]
        .as_u64()
        .unwrap()
}

/// Every list's count against the case list its filter opens (the caller's own scope).
async fn agree(t: &T, user: &str) {
    for l in lists(t, user).await {
        let mut q = format!(
            "kind={}&state={}&closed=false&page_size=1",
            l["kind"].as_str().unwrap(),
            l["state"].as_str().unwrap()
        );
        if let Some(u) = l["unit"].as_str() {
            q += &format!("&unit={u}");
        }
        if l["summoned"] == true {
            q += "&summoned=true";
        }
        let (s, v) = t.call("GET", &format!("/api/v1/cases?{q}"), Some(user), None, None).await;
        assert_eq!(s, StatusCode::OK, "{}: {user}: {q}: {v}", t.db);
        assert_eq!(v["total"], l["count"], "{}: {user}'s {} ({q})", t.db, l["name_zh"]);
        let n = |k: &str| l[k].as_u64().unwrap_or_else(|| panic!("{k} in {l}"));
        assert!(n("yellow") <= n("count") && n("red") <= n("count"), "{l}");
    }
}

#[tokio::test]
async fn each_roles_lists_agree_with_the_case_lists_they_open_and_follow_the_work() {
    for t in setups("todo").await {
        let db = t.db.clone();
        // The lists are the workflows' data: the dispatcher waits on filed events and on the
        // requests a dispatcher decides, named as the states are.
        let paiqian = lists(&t, "paiqian").await;
        let events: Vec<(&str, &str)> = paiqian
            .iter()
            .filter(|l| l["kind"] == "event")
            .map(|l| (l["state"].as_str().unwrap(), l["whose"].as_str().unwrap()))
            .collect();
        assert_eq!(
            events,
            [
                ("filed", "scope"),
                ("extension_requested", "scope"),
                ("return_requested", "scope"),
                ("suspension_requested", "scope"),
                ("suspended", "scope")
            ],
            "{db}"
        );
        let filed = paiqian.iter().find(|l| l["state"] == "filed" && l["kind"] == "event").unwrap();
        assert_eq!(filed["name_zh"], "已立案·待派遣", "{db}");
        assert!(lists(&t, "jumin").await.is_empty(), "{db}: a resident follows their own cases elsewhere");
        let (s, _) = t.call("GET", "/api/v1/todo", None, None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{db}");

        // A report moves along the lists as it is worked.
        let before = (
            count(&lists(&t, "shouli").await, "event", "reported", "scope"),
            count(&lists(&t, "zhiban").await, "event", "pending_filing", "scope"),
            count(&paiqian, "event", "filed", "scope"),
            count(&lists(&t, "lunan-chengguan").await, "event", "dispatched", "unit"),
        );
        // A grid worker's patrol report, which the intake operator registers.
        let id = t.patrol("lixin-wangge", "130202001001", "0602").await;
        assert_eq!(count(&lists(&t, "shouli").await, "event", "reported", "scope"), before.0 + 1, "{db}");
        t.act(3, &id, "shouli", json!({"action": "register"})).await;
        assert_eq!(count(&lists(&t, "shouli").await, "event", "reported", "scope"), before.0, "{db}");
        assert_eq!(count(&lists(&t, "zhiban").await, "event", "pending_filing", "scope"), before.1 + 1, "{db}");
        t.act(5, &id, "zhiban", json!({"action": "file"})).await;
        assert_eq!(count(&lists(&t, "paiqian").await, "event", "filed", "scope"), before.2 + 1, "{db}");
        t.act(5, &id, "paiqian", json!({"action": "dispatch", "units": {"primary": "130202:urban-management"}})).await;
        assert_eq!(count(&lists(&t, "paiqian").await, "event", "filed", "scope"), before.2, "{db}");
        let handler = lists(&t, "lunan-chengguan").await;
        assert_eq!(count(&handler, "event", "dispatched", "unit"), before.3 + 1, "{db}");
        let mine = handler.iter().find(|l| l["state"] == "dispatched" && l["whose"] == "unit").unwrap();
        assert_eq!(
            (mine["unit"].as_str(), mine["unit_name"].as_str()),
            (Some("130202:urban-management"), Some("路南区城市管理综合行政执法局")),
            "{db}"
        );
        // The list it opens names the case's place and unit, not their codes.
        let (_, page) = t
            .call(
                "GET",
                "/api/v1/cases?kind=event&state=dispatched&unit=130202:urban-management&closed=false&page_size=500",
                Some("lunan-chengguan"),
                None,
                None,
            )
            .await;
        let row = page["items"].as_array().unwrap().iter().find(|c| c["id"] == id.as_str()).expect("listed");
        assert!(row["place_name"].as_str().unwrap().starts_with("路南区学院南路街道立新东楼"), "{db}: {row}");
        assert_eq!(row["unit_name"], "路南区城市管理综合行政执法局", "{db}: {row}");
        // Every role's every count is what the list behind it holds.
        for user in [
            "shouli",
            "zhiban",
            "paiqian",
            "lunan-chengguan",
            "xueyuan-jiedao",
            "lixin-juweihui",
            "lixin-wangge",
            "lubei-chengguan",
        ] {
            agree(&t, user).await;
        }
    }
}

#[tokio::test]
async fn a_list_says_what_changed_since_the_caller_last_opened_it() {
    for t in setups("todo_marks").await {
        let db = t.db.clone();
        let find = |lists: &[Value], key: &str| lists.iter().find(|l| l["key"] == key).cloned().expect(key);
        // Never opened: nothing is marked new.
        let list = find(&lists(&t, "shouli").await, "event:reported:scope");
        assert_eq!((list["seen_at"].clone(), list["changed"].as_u64()), (Value::Null, Some(0)), "{db}: {list}");
        let (s, _) = t
            .call("POST", "/api/v1/todo/seen", Some("shouli"), Some(json!({"list": "event:reported:scope"})), None)
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{db}");
        let seen = find(&lists(&t, "shouli").await, "event:reported:scope");
        assert!(seen["seen_at"].is_string() && seen["changed"] == 0, "{db}: {seen}");

        // Two reports arrive after the visit: both are new to the intake operator, not to
        // another operator's mark (each account has its own).
        t.clock.advance(chrono::Duration::minutes(1));
        let a = t.patrol("lixin-wangge", "130202001001", "0602").await;
        let _b = t.patrol("lixin-wangge", "130202001001", "0101").await;
        let now = find(&lists(&t, "shouli").await, "event:reported:scope");
        assert_eq!(now["changed"], 2, "{db}: {now}");
        // The case list shows exactly those with `changed_since`.
        let since = now["seen_at"].as_str().unwrap();
        let q =
            format!("/api/v1/cases?kind=event&state=reported&closed=false&changed_since={}", since.replace('+', "%2B"));
        let (s, v) = t.call("GET", &q, Some("shouli"), None, None).await;
        assert_eq!((s, v["total"].as_u64()), (StatusCode::OK, Some(2)), "{db}: {v}");
        // One is registered: it leaves the list, so one new case is left on it.
        t.act(3, &a, "shouli", json!({"action": "register"})).await;
        assert_eq!(find(&lists(&t, "shouli").await, "event:reported:scope")["changed"], 1, "{db}");
        // Opening it again: nothing new.
        t.clock.advance(chrono::Duration::minutes(1));
        t.call("POST", "/api/v1/todo/seen", Some("shouli"), Some(json!({"list": "event:reported:scope"})), None).await;
        assert_eq!(find(&lists(&t, "shouli").await, "event:reported:scope")["changed"], 0, "{db}");

        // Only the caller's own lists are marked; a resident without an account marks nothing.
        for bad in [json!({"list": "event:filed:scope"}), json!({"list": "x".repeat(500)}), json!({"list": 3})] {
            let (s, v) = t.call("POST", "/api/v1/todo/seen", Some("shouli"), Some(bad.clone()), None).await;
            assert_eq!(
                (s, v["details"]["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some("list")),
                "{db}: {bad}: {v}"
            );
        }
        let (s, _) =
            t.call("POST", "/api/v1/todo/seen", None, Some(json!({"list": "event:reported:scope"})), None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{db}");
    }
}

#[tokio::test]
async fn a_desk_picks_a_unit_by_name_among_those_that_hold_its_cases() {
    for t in setups("desk_units").await {
        let db = t.db.clone();
        let ids = |v: &Value| -> Vec<String> {
            v.as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_string()).collect()
        };
        // The street finds the county's and the city's urban management by 城管, never another
        // county's; each with its name and kind.
        let (s, v) = t.call("GET", "/api/v1/units?q=%E5%9F%8E%E7%AE%A1", Some("xueyuan-jiedao"), None, None).await;
        assert_eq!(s, StatusCode::OK, "{db}: {v}");
        let found = ids(&v);
        assert!(found.contains(&"130202:urban-management".to_string()), "{db}: {found:?}");
        assert!(!found.iter().any(|u| u.starts_with("130203:")), "{db}: another county's: {found:?}");
        let unit = v.as_array().unwrap().iter().find(|u| u["id"] == "130202:urban-management").unwrap();
        assert_eq!(
            (unit["name"].as_str(), unit["kind"].as_str()),
            (Some("路南区城市管理综合行政执法局"), Some("department"))
        );
        // Its own street's committees too; a department only its own unit.
        let (_, v) = t.call("GET", "/api/v1/units?q=%E7%AB%8B%E6%96%B0", Some("xueyuan-jiedao"), None, None).await;
        assert!(ids(&v).contains(&"130202001001:residents_committee".to_string()), "{db}: {v}");
        let (_, v) = t.call("GET", "/api/v1/units", Some("lunan-chengguan"), None, None).await;
        assert_eq!(ids(&v), ["130202:urban-management"], "{db}");
        // The city's command centre sees every county's.
        let (_, v) = t.call("GET", "/api/v1/units?q=%E5%9F%8E%E7%AE%A1", Some("zhiban"), None, None).await;
        assert!(ids(&v).iter().any(|u| u.starts_with("130203:")), "{db}: {v}");
        // A resident picks no unit; nor does nobody; the words are bounded.
        let (s, _) = t.call("GET", "/api/v1/units?q=x", Some("jumin"), None, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}");
        let (s, _) = t.call("GET", "/api/v1/units?q=x", None, None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{db}");
        let long = "%E8%B7%AF".repeat(41);
        let (s, e) = t.call("GET", &format!("/api/v1/units?q={long}"), Some("zhiban"), None, None).await;
        assert_eq!((s, e["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("q")), "{db}: {e}");
    }
}
