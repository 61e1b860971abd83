//! What an attacker, a careless client and a retry can do, on SQLite and PostgreSQL: text that
//! XML cannot carry, actions naming what does not exist, masking that must hold whatever the
//! spelling, idempotency keys, tokens in the wrong place, login abuse and leaks by side channel.

use axum::http::StatusCode;
use serde_json::json;

use crate::open311::xml_of;
use crate::support::setups;

/// Every XML part of an xlsx workbook, parsed by a real parser; answers the text of them all.
fn workbook_xml(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut text = String::new();
        part.read_to_string(&mut text).unwrap();
        if name.ends_with(".xml") || name.ends_with(".rels") {
            if let Err(e) = roxmltree::Document::parse(&text) {
                panic!("{name} of the workbook is not XML: {e}");
            }
        }
        all.push_str(&text);
    }
    all
}

#[tokio::test]
async fn text_xml_cannot_carry_never_breaks_a_feed_or_a_workbook() {
    for t in setups("hard_xml").await {
        let (lon, lat) = t.point_in("130202001001");
        let bad = "井盖缺失\u{FFFE}\u{FFFF}\u{1}\u{1b}[31m <b>&amp;";
        let (s, v) = t
            .call(
                "POST",
                "/api/v1/cases",
                None,
                Some(json!({"kind": "event", "type": "0101", "description": bad, "lon": lon, "lat": lat, "channel": "resident_web"})),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{}: {v}", t.db);
        let id = v["id"].as_str().unwrap().to_string();
        // The text is kept as it came; where it leaves as XML, what XML cannot carry is U+FFFD.
        let (_, list) = xml_of(&t, "/open311/v2/requests.xml").await;
        let (_, one) = xml_of(&t, &format!("/open311/v2/requests/{id}.xml")).await;
        let doc = roxmltree::Document::parse(&one).unwrap();
        let description = doc.descendants().find(|n| n.has_tag_name("description")).unwrap().text().unwrap();
        assert_eq!(description, "井盖缺失\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}[31m <b>&amp;", "{}", t.db);
        assert!(list.contains(&id), "{}: the list carries the report", t.db);
        let (_, updates) = xml_of(&t, "/open311/v2/servicerequestupdates.xml").await;
        assert!(updates.starts_with("<?xml"));

        let (s, ct, bytes) = t.fetch(Some("zhiban"), "/api/v1/exports/cases.xlsx?type=0101").await;
        assert_eq!(s, StatusCode::OK, "{}: {ct}", t.db);
        let xml = workbook_xml(&bytes);
        assert!(
            xml.contains("井盖缺失\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}[31m"),
            "{}: the export carries the report",
            t.db
        );
    }
}

#[tokio::test]
async fn an_action_naming_a_unit_that_does_not_exist_is_refused_and_a_stuck_case_is_recovered() {
    for t in setups("hard_units").await {
        let id = t.patrol("lixin-wangge", "130202001001", "0602").await;
        t.act(1, &id, "shouli", json!({"action": "register"})).await;
        t.act(1, &id, "zhiban", json!({"action": "file"})).await;
        let uri = format!("/api/v1/cases/{id}/actions");
        for (units, field) in [
            (json!({"primary": "999:nothing"}), "units.primary"),
            (json!({"primary": "130202:urban-management", "assisting": ["130202:nothing"]}), "units.assisting"),
        ] {
            let body = json!({"action": "dispatch", "units": units});
            let (s, v) = t.call("POST", &uri, Some("paiqian"), Some(body), None).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{}: {v}", t.db);
            assert_eq!((v["code"].as_str(), v["details"]["field"].as_str()), (Some("unknown_reference"), Some(field)));
            assert!(v["details"]["message_zh"].as_str().unwrap().contains("不在现行单位名录中"), "{v}");
        }
        let too_many: Vec<String> = (0..21).map(|_| "130202:urban-management".to_string()).collect();
        let body =
            json!({"action": "dispatch", "units": {"primary": "130202:urban-management", "assisting": too_many}});
        let (s, v) = t.call("POST", &uri, Some("paiqian"), Some(body), None).await;
        assert_eq!((s, v["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("units.assisting")), "{v}");
        // Nothing was written: the case still waits for its dispatch.
        let (_, d) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("paiqian"), None, None).await;
        assert_eq!((d["state"].as_str(), d["log"].as_array().unwrap().len()), (Some("filed"), 3), "{}", t.db);

        // A case sent to a unit that never answers is taken back by the command centre and sent again.
        t.act(1, &id, "paiqian", json!({"action": "dispatch", "units": {"primary": "130202001:street-office"}})).await;
        let (s, v) = t.call("POST", &uri, Some("zhiban"), Some(json!({"action": "withdraw"})), None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{}: a withdrawal says why: {v}", t.db);
        let back = t.act(5, &id, "zhiban", json!({"action": "withdraw", "opinion": "单位无人响应，撤回改派"})).await;
        assert_eq!((back["state"].as_str(), &back["units"]), (Some("filed"), &json!(null)), "{back}");
        let again = t
            .act(1, &id, "paiqian", json!({"action": "dispatch", "units": {"primary": "130202:urban-management"}}))
            .await;
        assert_eq!(again["units"]["primary"], "130202:urban-management");
        let (s, _) =
            t.call("POST", &uri, Some("lixin-wangge"), Some(json!({"action": "withdraw", "opinion": "x"})), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{}: a grid worker may not withdraw", t.db);
    }
}

#[tokio::test]
async fn a_reporter_always_opens_their_report_and_learns_of_no_case_they_may_not_see() {
    for t in setups("hard_leaks").await {
        // A grid worker on an errand in another county reports what they see there.
        let (lon, lat) = t.point_in("130203");
        let away = t
            .report(
                "lixin-wangge",
                json!({"kind": "event", "type": "0602", "description": "路边暴露垃圾", "lon": lon, "lat": lat, "channel": "patrol"}),
            )
            .await;
        let away = away["id"].as_str().unwrap().to_string();
        let (s, d) = t.call("GET", &format!("/api/v1/cases/{away}"), Some("lixin-wangge"), None, None).await;
        assert_eq!((s, d["county"].as_str()), (StatusCode::OK, Some("130203")), "{}: {d}", t.db);
        let (_, list) = t.call("GET", "/api/v1/cases?area=130203", Some("lixin-wangge"), None, None).await;
        let ids: Vec<&str> = list["items"].as_array().unwrap().iter().filter_map(|c| c["id"].as_str()).collect();
        assert_eq!(ids, [away.as_str()], "{}: their own report, and no other case of that county", t.db);
        // Another grid worker's case there stays closed to them.
        let (s, _) = t.call("GET", &format!("/api/v1/cases/{away}"), Some("xinyi-wangge"), None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{}", t.db);

        // A resident reporting the same thing at the same place is not told the first case's id;
        // the command centre, which may open both, is.
        let (lon, lat) = t.point_in("130202001001");
        let first = t.patrol("lixin-wangge", "130202001001", "0602").await;
        let body = json!({"kind": "event", "type": "0602", "description": "暴露垃圾", "lon": lon, "lat": lat, "channel": "resident_web"});
        let (s, mine) = t.call("POST", "/api/v1/cases", Some("jumin"), Some(body.clone()), None).await;
        assert_eq!(s, StatusCode::CREATED, "{}: {mine}", t.db);
        assert_eq!(mine["possible_duplicate_of"], json!(null), "{}: {mine}", t.db);
        let (_, anon) = t.call("POST", "/api/v1/cases", None, Some(body), None).await;
        assert_eq!(anon["possible_duplicate_of"], json!(null), "{}: {anon}", t.db);
        let mine = mine["id"].as_str().unwrap();
        let (_, d) = t.call("GET", &format!("/api/v1/cases/{mine}"), Some("jumin"), None, None).await;
        assert_eq!(d["possible_duplicate_of"], json!(null), "{}: {d}", t.db);
        let (_, d) = t.call("GET", &format!("/api/v1/cases/{mine}"), Some("zhiban"), None, None).await;
        assert_eq!(d["possible_duplicate_of"], json!(first), "{}: the centre sees the link", t.db);
    }
}

#[tokio::test]
async fn every_bad_filter_field_and_layer_error_answers_in_the_error_shape_naming_the_field() {
    for t in setups("hard_contract").await {
        // Filters naming what does not exist are refused, not answered with an empty list.
        for (query, field) in [
            ("state=nonsense", "state"),
            ("kind=nonsense", "kind"),
            ("kind=demand&state=dispatched_typo", "state"),
            ("type=9999", "type"),
            ("type=abc", "type"),
            ("unit=999:nothing", "unit"),
            ("area=999999", "area"),
            ("area=130202001001999", "area"),
        ] {
            let (s, v) = t.call("GET", &format!("/api/v1/cases?{query}"), Some("zhiban"), None, None).await;
            assert_eq!(
                (s, v["code"].as_str(), v["details"]["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some("invalid_parameter"), Some(field)),
                "{}: {query}: {v}",
                t.db
            );
        }
        // Known ones still filter.
        let (s, v) = t
            .call(
                "GET",
                "/api/v1/cases?kind=event&state=filed&type=0602&area=130202&unit=130202:urban-management",
                Some("zhiban"),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{}: {v}", t.db);

        // A wrong type in a JSON body names the field, never the value sent.
        let id = t.patrol("lixin-wangge", "130202001001", "0602").await;
        let uri = format!("/api/v1/cases/{id}/actions");
        for (body, field) in [
            (json!({"action": "dispatch", "units": {"primary": 12345}}), "units.primary"),
            (json!({"action": 7}), "action"),
            (json!({"action": "rate", "rating": {"satisfaction": "great"}}), "rating.satisfaction"),
        ] {
            let (s, v) = t.call("POST", &uri, Some("paiqian"), Some(body.clone()), None).await;
            assert_eq!(
                (s, v["details"]["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some(field)),
                "{}: {body}: {v}",
                t.db
            );
            assert!(!v["details"]["field"].as_str().unwrap().contains("12345"), "{v}");
        }
        let (s, v) = t
            .call(
                "POST",
                "/api/v1/cases",
                Some("jumin"),
                Some(json!({"kind": "event", "type": "0602", "description": 5})),
                None,
            )
            .await;
        assert_eq!((s, v["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("description")), "{v}");

        // What the layers answer on their own comes in the same shape.
        let big = "x".repeat(17 * 1024 * 1024);
        let (s, ct, text) = t.text("POST", "/api/v1/cases", &[], Some(("application/json", big))).await;
        assert_eq!((s, ct.as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "application/json"), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap()["code"], "payload_too_large");
        let (s, ct, text) = t.text("DELETE", "/api/v1/cases", &[], None).await;
        assert_eq!((s, ct.as_str()), (StatusCode::METHOD_NOT_ALLOWED, "application/json"), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap()["code"], "method_not_allowed");
        let (s, ct, text) = t.text("GET", "/api/v1/cases/not-a-number", &[], None).await;
        assert_eq!((s.is_client_error(), ct.as_str()), (true, "application/json"), "{s}: {text}");

        // Open311 refuses a field given twice: which one was meant cannot be known.
        let k = t.app.create_api_key("admin", "client-twice", "jumin", "open311").await.unwrap();
        let (lon, lat) = t.point_in("130202001001");
        let form = format!("api_key={k}&service_code=0602&service_code=0101&lat={lat}&long={lon}&description=x");
        let (s, _, x) =
            t.text("POST", "/open311/v2/requests.xml", &[], Some(("application/x-www-form-urlencoded", form))).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{x}");
        assert!(x.contains("service_code: is given more than once"), "{x}");

        // The console and the API explorer allow only their own scripts.
        for page in ["/", "/docs/"] {
            let req = axum::http::Request::builder().uri(page).body(axum::body::Body::empty()).unwrap();
            let res = tower::ServiceExt::oneshot(shanzhi_api::router(t.app.clone()), req).await.unwrap();
            let csp = res.headers().get("content-security-policy").map(|v| v.to_str().unwrap().to_string());
            let csp = csp.unwrap_or_else(|| panic!("{page} ({}) has no content security policy", res.status()));
            assert!(csp.contains("script-src 'self';") && !csp.contains("unsafe-eval"), "{page}: {csp}");
        }
    }
}

#[test]
fn the_readme_lists_every_error_code_with_its_status() {
    let readme = include_str!("../../../../README.md");
    for (code, status, _) in shanzhi_api::ERROR_CODES {
        assert!(readme.contains(&format!("| `{code}` | {status} |")), "README's error table lacks `{code}` ({status})");
    }
    let listed = readme
        .lines()
        .filter(|l| l.starts_with("| `") && l.split('|').nth(2).is_some_and(|s| s.trim().parse::<u16>().is_ok()))
        .count();
    assert_eq!(listed, shanzhi_api::ERROR_CODES.len(), "README lists codes the server does not have");
}

#[tokio::test]
async fn a_login_token_never_travels_as_a_key_and_a_key_never_unmasks() {
    for t in setups("hard_tokens").await {
        // A login token, just used as it should be (so the server has it cached) …
        let token = t.token("jumin", false).await;
        let (s, _) = t.call("GET", "/api/v1/auth/me", Some("jumin"), None, None).await;
        assert_eq!(s, StatusCode::OK);
        // … is no API key: not in the address of an Open311 report, nor anywhere else.
        let (lon, lat) = t.point_in("130202001001");
        let form = format!("api_key={token}&service_code=0602&lat={lat}&long={lon}&description=垃圾");
        let (s, _, x) =
            t.text("POST", "/open311/v2/requests.json", &[], Some(("application/x-www-form-urlencoded", form))).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{}: {x}", t.db);
        let (s, _) = t.raw("GET", &format!("/api/v1/auth/me?api_key={token}"), &[], None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{}", t.db);

        // An API key of an account that may unmask does not unmask: that needs a person's login.
        let key = t.app.create_api_key("admin", "centre-reader", "zhiban", "read").await.unwrap();
        let id = t.patrol("lixin-wangge", "130202001001", "0602").await;
        let (s, v) = t.raw("GET", &format!("/api/v1/cases/{id}?unmask=true"), &[("x-api-key", &key)], None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{}: {v}", t.db);
        let (s, v) = t.raw("GET", "/api/v1/exports/cases.xlsx?unmask=true", &[("x-api-key", &key)], None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{}: {v}", t.db);
        let (s, _) = t.raw("GET", &format!("/api/v1/cases/{id}"), &[("x-api-key", &key)], None).await;
        assert_eq!(s, StatusCode::OK, "masked, it reads");
        let (s, _) = t.call("GET", &format!("/api/v1/cases/{id}?unmask=true"), Some("zhiban"), None, None).await;
        assert_eq!(s, StatusCode::OK, "the same account, logged in, unmasks");
    }
}
