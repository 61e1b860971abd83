//! 催办, 督办 and 撤回改派 on SQLite and PostgreSQL: the command centre and the street press the
//! unit working a case without moving it or its deadline, each urging counted on the case and
//! written to its log and the audit chain; a department may not urge; a case dispatched to the
//! wrong unit is withdrawn and dispatched again.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::setups;

#[tokio::test]
async fn urging_keeps_the_case_where_it_is_counts_and_is_audited_and_a_wrong_dispatch_is_withdrawn() {
    for t in setups("urging").await {
        let db = t.db.clone();
        let id = t.patrol("lixin-wangge", "130202001001", "0602").await;
        t.act(3, &id, "shouli", json!({"action": "register"})).await;
        t.act(5, &id, "zhiban", json!({"action": "file"})).await;
        // Dispatched to the wrong unit (the other district's), then withdrawn and sent again.
        t.act(5, &id, "paiqian", json!({"action": "dispatch", "units": {"primary": "130203:urban-management"}})).await;
        let back = t.act(5, &id, "paiqian", json!({"action": "withdraw", "opinion": "派错区了，改派路南区"})).await;
        assert_eq!((back["state"].as_str(), back["units"].is_null()), (Some("filed"), true), "{db}: {back}");
        let sent = t
            .act(2, &id, "paiqian", json!({"action": "dispatch", "units": {"primary": "130202:urban-management"}}))
            .await;
        assert_eq!(sent["state"], "dispatched", "{db}");
        let deadline = sent["deadline"].clone();

        // The shift supervisor urges, the street supervises: the case stays, its clock runs on.
        let urged = t.act(30, &id, "zhiban", json!({"action": "urge", "opinion": "群众反映强烈，请尽快处置"})).await;
        assert_eq!(
            (urged["state"].as_str(), urged["deadline"].clone(), urged["urge_count"].as_u64()),
            (Some("dispatched"), deadline.clone(), Some(1)),
            "{db}: {urged}"
        );
        let supervised = t.act(10, &id, "xueyuan-jiedao", json!({"action": "supervise", "opinion": "街道督办"})).await;
        assert_eq!(
            (supervised["state"].as_str(), supervised["urge_count"].as_u64(), supervised["supervise_count"].as_u64()),
            (Some("dispatched"), Some(1), Some(1)),
            "{db}: {supervised}"
        );
        // Urging needs words, at most 2,000 of them, and is not the department's to do.
        let long = json!({"action": "urge", "opinion": "快".repeat(2001)});
        let (s, e) = t.call("POST", &format!("/api/v1/cases/{id}/actions"), Some("zhiban"), Some(long), None).await;
        assert_eq!((s, e["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("opinion")), "{db}: {e}");
        let (s, e) = t
            .call("POST", &format!("/api/v1/cases/{id}/actions"), Some("zhiban"), Some(json!({"action": "urge"})), None)
            .await;
        assert_eq!((s, e["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("opinion")), "{db}: {e}");
        let (s, e) = t
            .call(
                "POST",
                &format!("/api/v1/cases/{id}/actions"),
                Some("lunan-chengguan"),
                Some(json!({"action": "urge", "opinion": "x"})),
                None,
            )
            .await;
        assert!(s.is_client_error() && s != StatusCode::BAD_REQUEST, "{db}: {s} {e}");
        // The log names each step, the person and their unit; the audit chain has them.
        let (_, detail) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("zhiban"), None, None).await;
        let log = detail["log"].as_array().unwrap();
        let urge = log.iter().find(|e| e["action"] == "urge").expect("the urging is in the log");
        assert_eq!(
            (
                urge["action_name"].as_str(),
                urge["user_name"].as_str(),
                urge["from_state"].as_str(),
                urge["to_state"].as_str()
            ),
            (Some("催办"), Some("值班长 王强"), Some("dispatched"), Some("dispatched")),
            "{db}: {urge}"
        );
        assert!(urge["unit_name"].as_str().is_some_and(|n| !n.contains(':')), "{db}: {urge}");
        let tail = t.app.store().audit_tail(20).await.unwrap();
        for (action, actor) in
            [("case.withdraw", "paiqian"), ("case.urge", "zhiban"), ("case.supervise", "xueyuan-jiedao")]
        {
            assert!(
                tail.iter().any(|e| e.action == action && e.actor == actor && e.target == id),
                "{db}: {action}: {tail:?}"
            );
        }
        // Named as people read them: an action two kinds name differently is named both ways.
        assert_eq!(t.app.audit_action_name("case.urge").0, "案件·催办");
        assert_eq!(t.app.audit_action_name("case.dispatch").0, "案件·派单／派遣", "{db}");
        // A person who is no account in force (a loaded history's, a device) is named by role.
        let ghost = shanzhi_domain::cases::case::Actor {
            user: "wangge-130202001001001".into(),
            role: shanzhi_domain::people::Role::GridWorker,
            unit: "130202001001:residents_committee".into(),
        };
        assert_eq!(
            (t.app.actor_name(&ghost, false), t.app.actor_name(&ghost, true)),
            ("网格员".into(), "Grid worker".into())
        );
        assert_eq!(t.app.person_name("operator", false), "运维人员（命令行）");
    }
}

#[tokio::test]
async fn a_batch_acts_on_each_case_on_its_own_and_says_what_it_did_to_each() {
    for t in setups("batch").await {
        let db = t.db.clone();
        let mut filed = Vec::new();
        for ty in ["0602", "0101", "0602"] {
            let id = t.patrol("lixin-wangge", "130202001001", ty).await;
            t.act(1, &id, "shouli", json!({"action": "register"})).await;
            t.act(1, &id, "zhiban", json!({"action": "file"})).await;
            filed.push(id);
        }
        // One is not filed yet: the dispatcher's batch dispatches the three, each where routing
        // sends it, and says why the fourth was not.
        let waiting = t.patrol("lixin-wangge", "130202001001", "0602").await;
        let ids: Vec<&str> = filed.iter().map(String::as_str).chain([waiting.as_str(), filed[0].as_str()]).collect();
        let send = || {
            let body = json!({"ids": ids, "action": "dispatch"});
            t.call("POST", "/api/v1/batch/actions", Some("paiqian"), Some(body), Some("b-1"))
        };
        let (s, v) = send().await;
        assert_eq!((s, v["done"].as_u64(), v["failed"].as_u64()), (StatusCode::OK, Some(3), Some(1)), "{db}: {v}");
        let results = v["results"].as_array().unwrap();
        assert_eq!(results.len(), 4, "{db}: a repeated id is taken once: {v}");
        for r in &results[..3] {
            assert_eq!(r["case"]["state"], "dispatched", "{db}: {r}");
            assert!(r["case"]["unit_name"].as_str().is_some_and(|n| !n.is_empty()), "{db}: routed: {r}");
        }
        assert_eq!(results[3]["id"], waiting.as_str(), "{db}");
        assert_eq!(results[3]["error"]["code"], "action_refused", "{db}: {}", results[3]);
        // The same batch again (a retry): nothing is done twice.
        let (_, again) = send().await;
        assert_eq!(again["done"], 3, "{db}: the retry answers as before: {again}");
        let (_, one) = t.call("GET", &format!("/api/v1/cases/{}", filed[0]), Some("paiqian"), None, None).await;
        assert_eq!(one["log"].as_array().unwrap().iter().filter(|e| e["action"] == "dispatch").count(), 1, "{db}");

        // The shift supervisor urges them together; the urging is on every case.
        let (s, v) = t
            .call(
                "POST",
                "/api/v1/batch/actions",
                Some("zhiban"),
                Some(json!({"ids": filed, "action": "urge", "opinion": "今日内处置"})),
                None,
            )
            .await;
        assert_eq!((s, v["done"].as_u64()), (StatusCode::OK, Some(3)), "{db}: {v}");
        assert!(v["results"].as_array().unwrap().iter().all(|r| r["case"]["urge_count"] == 1), "{db}: {v}");

        // A selection exports as a workbook of exactly those cases.
        let (s, _, bytes) =
            t.fetch(Some("zhiban"), &format!("/api/v1/exports/cases.xlsx?ids={},{}", filed[0], filed[1])).await;
        assert_eq!(s, StatusCode::OK, "{db}");
        use calamine::{Reader, Xlsx, open_workbook_from_rs};
        let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let name = wb.sheet_names()[0].clone();
        let rows = wb.worksheet_range(&name).unwrap().rows().count();
        assert_eq!(rows, 4, "{db}: the stamp, the headers and two cases");

        // Bounds: no ids, too many, a bad one.
        for (body, field) in [
            (json!({"ids": [], "action": "dispatch"}), "ids"),
            (json!({"ids": vec!["1"; 101], "action": "dispatch"}), "ids"),
            (json!({"ids": ["x"], "action": "dispatch"}), "ids"),
        ] {
            let (s, e) = t.call("POST", "/api/v1/batch/actions", Some("paiqian"), Some(body), None).await;
            assert_eq!((s, e["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{db}: {e}");
        }
        let (s, _) =
            t.call("POST", "/api/v1/batch/actions", None, Some(json!({"ids": ["1"], "action": "urge"})), None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{db}");
    }
}
