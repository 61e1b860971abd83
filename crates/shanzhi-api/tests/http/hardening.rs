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
        if (name.ends_with(".xml") || name.ends_with(".rels"))
            && let Err(e) = roxmltree::Document::parse(&text)
        {
            panic!("{name} of the workbook is not XML: {e}");
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
        // The update feed parses too (`xml_of` parses every XML answer).
        xml_of(&t, "/open311/v2/servicerequestupdates.xml").await;

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
        // It is read, not worked: that county works it.
        assert_eq!(d["actions"], json!([]), "{}: nothing is offered: {d}", t.db);
        let body = json!({"action": "self_handle", "attachments": ["https://evidence.example.org/1.jpg"]});
        let (s, _) =
            t.call("POST", &format!("/api/v1/cases/{away}/actions"), Some("lixin-wangge"), Some(body), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{}: no action on a case outside one's area", t.db);
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
        let anon_id = anon["id"].as_str().unwrap();
        let (_, d) = t.call("GET", &format!("/api/v1/cases/{anon_id}"), Some("zhiban"), None, None).await;
        assert_eq!(d["possible_duplicate_of"], json!(first), "{}: it was flagged, only not told", t.db);
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
            ("unit=130202", "unit"),
            ("area=999999", "area"),
            ("area=999999999999001", "area"),
        ] {
            let (s, v) = t.call("GET", &format!("/api/v1/cases?{query}"), Some("zhiban"), None, None).await;
            assert_eq!(
                (s, v["code"].as_str(), v["details"]["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some("invalid_parameter"), Some(field)),
                "{}: {query}: {v}",
                t.db
            );
        }
        // Known ones still filter, and so does a dissolved unit or a redrawn grid of a known
        // division (the way to find the cases still waiting on it).
        let (s, _) = t
            .call("GET", "/api/v1/cases?unit=130202:dissolved-bureau&area=130202001001999", Some("zhiban"), None, None)
            .await;
        assert_eq!(s, StatusCode::OK, "{}", t.db);
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
        // The audit names the login that unmasked (the start of its token's hash).
        let token = t.token("zhiban", false).await;
        let hash: String =
            <sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        let (_, audit) = t.call("GET", "/api/v1/admin/audit?action=pii.unmask", Some("admin"), None, None).await;
        assert!(audit.to_string().contains(&format!("by login {}", &hash[..12])), "{}: {audit}", t.db);
    }
}

#[tokio::test]
async fn idempotency_keys_follow_the_ietf_draft() {
    for t in setups("hard_keys").await {
        let (lon, lat) = t.point_in("130202001001");
        let report = |text: &str| json!({"kind": "event", "type": "0602", "description": text, "lon": lon, "lat": lat, "channel": "resident_web"});
        let send = |key: &'static str, body: serde_json::Value| {
            let t = &t;
            async move { t.raw("POST", "/api/v1/cases", &[("idempotency-key", key)], Some(body)).await }
        };
        // Malformed keys are refused, never ignored (ignoring one repeats the request on retry).
        for key in ["", "  ", "has space", "quote\"d"] {
            let (s, v) = send(key, report("垃圾")).await;
            assert_eq!(
                (s, v["details"]["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some("Idempotency-Key")),
                "{}: `{key}`: {v}",
                t.db
            );
        }
        let long: &'static str = Box::leak("k".repeat(256).into_boxed_str());
        assert_eq!(send(long, report("垃圾")).await.0, StatusCode::BAD_REQUEST);
        // A key with characters outside ASCII cannot be sent as text: its bytes are refused too.
        let req = axum::http::Request::builder()
            .method("POST")
            .uri("/api/v1/cases")
            .header("content-type", "application/json")
            .header("idempotency-key", axum::http::HeaderValue::from_bytes("键-1".as_bytes()).unwrap())
            .body(axum::body::Body::from(report("垃圾").to_string()))
            .unwrap();
        let res = tower::ServiceExt::oneshot(shanzhi_api::router(t.app.clone()), req).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{}", t.db);

        // The same key with the same body: the first answer, once; with another body: 422.
        let (s, first) = send("\"k-1\"", report("路口垃圾")).await;
        assert_eq!(s, StatusCode::CREATED, "{}: {first}", t.db);
        let (s, again) = send("k-1", report("路口垃圾")).await;
        assert_eq!(
            (s, &again["id"]),
            (StatusCode::CREATED, &first["id"]),
            "{}: a quoted and a bare key are one key",
            t.db
        );
        let (s, v) = send("k-1", report("另一处垃圾")).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("idempotency_key_reused")),
            "{}: {v}",
            t.db
        );
        assert!(v["details"]["message_zh"].as_str().unwrap().contains("已用于另一个不同的请求"), "{v}");
        let (_, list) = t.call("GET", "/api/v1/cases?q=另一处垃圾", Some("zhiban"), None, None).await;
        assert_eq!(list["total"], 0, "{}: nothing was stored for the reused key", t.db);

        // An action's key: the same action again is the first answer; another action is refused.
        let id = t.patrol("lixin-wangge", "130202001001", "0602").await;
        let uri = format!("/api/v1/cases/{id}/actions");
        let (s, _) = t.call("POST", &uri, Some("shouli"), Some(json!({"action": "register"})), Some("act-1")).await;
        assert_eq!(s, StatusCode::OK);
        let (s, v) = t.call("POST", &uri, Some("shouli"), Some(json!({"action": "register"})), Some("act-1")).await;
        assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("pending_filing")), "{v}");
        let (s, v) =
            t.call("POST", &uri, Some("shouli"), Some(json!({"action": "request_verification"})), Some("act-1")).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("idempotency_key_reused")),
            "{}: {v}",
            t.db
        );

        // Open311's tokens are the keys of Open311 reports only, never of the internal API.
        assert_eq!(t.text("GET", "/open311/v2/tokens/k-1.json", &[], None).await.0, StatusCode::NOT_FOUND, "{}", t.db);
        let k = t.app.create_api_key("admin", "client-token", "jumin", "open311").await.unwrap();
        let form = format!("api_key={k}&service_code=0602&lat={lat}&long={lon}&description=x");
        let (s, _, body) = t
            .text(
                "POST",
                "/open311/v2/requests.json",
                &[("idempotency-key", "fms-9")],
                Some(("application/x-www-form-urlencoded", form)),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert_eq!(t.text("GET", "/open311/v2/tokens/fms-9.json", &[], None).await.0, StatusCode::OK, "{}", t.db);
    }
}

#[tokio::test]
async fn personal_data_is_masked_whatever_its_spelling_in_answers_and_public_feeds() {
    for t in setups("hard_mask").await {
        let (lon, lat) = t.point_in("130202001001");
        let text = "联系人：张三丰，电话１３８．１２３４．５６７８，座机（0315）2345678，\
                    身份证130202 19900101 1232，车牌冀c 92345占道";
        let (s, v) = t
            .call("POST", "/api/v1/cases", None, Some(json!({"kind": "event", "type": "0602", "description": text, "lon": lon, "lat": lat, "channel": "resident_web"})), None)
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let id = v["id"].as_str().unwrap().to_string();
        let hidden = ["三丰", "１２３４", "1234", "234567", "19900101", "92345", "c 923"];
        let leaks = |what: &str, body: &str| {
            for h in hidden {
                assert!(!body.contains(h), "{}: {what} shows `{h}`: {body}", t.db);
            }
        };
        leaks("the answer to the report", &v.to_string());
        for user in ["zhiban", "paiqian", "lixin-wangge"] {
            let (_, d) = t.call("GET", &format!("/api/v1/cases/{id}"), Some(user), None, None).await;
            leaks(user, &d["description"].to_string());
        }
        let (_, list) = t.call("GET", "/api/v1/cases?type=0602", Some("zhiban"), None, None).await;
        leaks("the list", &list.to_string());
        let (_, _, feed) = t.text("GET", "/open311/v2/requests.json", &[], None).await;
        assert!(feed.contains(&id), "{}: the report is public", t.db);
        leaks("the Open311 feed", &feed);
        let (_, _, one) = t.text("GET", &format!("/open311/v2/requests/{id}.xml"), &[], None).await;
        leaks("the Open311 request", &one);
        // Unmasked for the centre that calls people back, and that is audited.
        let (_, d) = t.call("GET", &format!("/api/v1/cases/{id}?unmask=true"), Some("zhiban"), None, None).await;
        assert!(d["description"].as_str().unwrap().contains("张三丰"), "{d}");

        // A staff opinion not marked public stays out of the feeds and out of what the resident reads;
        // a public reply reaches both, masked.
        let mine = t.report("jumin", json!({"kind": "event", "type": "0602", "description": "垃圾", "lon": lon, "lat": lat, "channel": "resident_web"})).await;
        let mine = mine["id"].as_str().unwrap();
        t.act(1, mine, "shouli", json!({"action": "request_verification", "opinion": "内部：报案人脾气大"})).await;
        let photo = "https://evidence.example.org/1.jpg";
        let confirm = json!({"action": "confirm", "opinion": "已核实，电话13812345678回复您", "public": true, "attachments": [photo]});
        t.act(1, mine, "lixin-wangge", confirm).await;
        let (_, d) = t.call("GET", &format!("/api/v1/cases/{mine}"), Some("jumin"), None, None).await;
        let log = d["log"].to_string();
        assert!(!log.contains("脾气") && log.contains("138****5678"), "{}: {log}", t.db);
        let (_, d) = t.call("GET", &format!("/api/v1/cases/{mine}"), Some("zhiban"), None, None).await;
        assert!(d["log"].to_string().contains("脾气"), "staff read each other's opinions");
        // Nor does a search tell the resident the word is there.
        let (_, found) = t.call("GET", "/api/v1/cases?q=脾气", Some("jumin"), None, None).await;
        assert_eq!(found["total"], 0, "{}: {found}", t.db);
        let (_, found) = t.call("GET", "/api/v1/cases?q=垃圾", Some("jumin"), None, None).await;
        assert!(found["items"].to_string().contains(mine), "{}: their own words are found: {found}", t.db);
        let (_, found) = t.call("GET", "/api/v1/cases?q=脾气", Some("zhiban"), None, None).await;
        assert!(found["items"].to_string().contains(mine), "{}: staff search the opinions: {found}", t.db);
        let (_, _, feed) = t.text("GET", &format!("/open311/v2/requests/{mine}.json?extensions=true"), &[], None).await;
        assert!(!feed.contains("脾气") && feed.contains("138****5678"), "{}: {feed}", t.db);
    }
}

/// A login from a client address (as the server sees it behind its listener).
async fn login_from(t: &crate::support::T, user: &str, password: &str, ip: [u8; 4]) -> (StatusCode, serde_json::Value) {
    let mut req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/auth/login")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(json!({"username": user, "password": password}).to_string()))
        .unwrap();
    let addr = std::net::SocketAddr::from((ip, 40000));
    req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    let res = tower::ServiceExt::oneshot(shanzhi_api::router(t.app.clone()), req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_counts_on_its_own() {
    for t in setups("hard_proxy").await {
        let proxy: std::net::IpAddr = "127.0.0.1".parse().unwrap();
        let limits = shanzhi_api::Limits { trusted_proxies: vec![proxy], ..Default::default() };
        let router = shanzhi_api::router_with(t.app.clone(), limits);
        let login = |client: &'static str, password: &'static str| {
            let router = router.clone();
            async move {
                let mut req = axum::http::Request::builder()
                    .method("POST")
                    .uri("/api/v1/auth/login")
                    .header("content-type", "application/json")
                    .header("x-forwarded-for", client)
                    .body(axum::body::Body::from(json!({"username": "paiqian", "password": password}).to_string()))
                    .unwrap();
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 5000))));
                tower::ServiceExt::oneshot(router, req).await.unwrap().status()
            }
        };
        for _ in 0..5 {
            login("203.0.113.9", "Guess@2026-pw").await;
        }
        assert_eq!(login("203.0.113.9", crate::support::PASSWORD).await, StatusCode::LOCKED, "{}: the guesser", t.db);
        // Another client through the same proxy is not the guesser; a spoofed header left of the
        // proxy's own entry does not make the guesser someone else.
        assert_eq!(login("198.51.100.4", crate::support::PASSWORD).await, StatusCode::OK, "{}: the person", t.db);
        assert_eq!(login("198.51.100.4, 203.0.113.9", crate::support::PASSWORD).await, StatusCode::LOCKED, "{}", t.db);
    }
}

#[tokio::test]
async fn guessing_locks_the_guesser_out_not_the_person_and_tells_no_names() {
    for t in setups("hard_logins").await {
        const ATTACKER: [u8; 4] = [203, 0, 113, 9];
        const OFFICE: [u8; 4] = [10, 1, 2, 3];
        // Five wrong guesses from one address lock `admin` there …
        let mut known = Vec::new();
        for _ in 0..6 {
            known.push(login_from(&t, "admin", "Guess@2026-pw", ATTACKER).await);
        }
        assert_eq!(
            known.iter().map(|(s, _)| s.as_u16()).collect::<Vec<_>>(),
            [401, 401, 401, 401, 423, 423],
            "{}",
            t.db
        );
        // … not from the office, where the administrator still logs in.
        let (s, v) = login_from(&t, "admin", crate::support::PASSWORD, OFFICE).await;
        assert_eq!(s, StatusCode::OK, "{}: {v}", t.db);

        // A name that does not exist answers exactly as one that does, locks included.
        let mut unknown = Vec::new();
        for _ in 0..6 {
            unknown.push(login_from(&t, "no-such-admin", "Guess@2026-pw", ATTACKER).await);
        }
        let shape = |v: &[(StatusCode, serde_json::Value)]| -> Vec<(u16, String, String)> {
            v.iter()
                .map(|(s, b)| {
                    // The lock's time differs by the seconds between the two runs; the rest must not.
                    let msg = b["message"].as_str().unwrap_or("").split(" until ").next().unwrap_or("").to_string();
                    (s.as_u16(), b["code"].as_str().unwrap_or("").to_string(), msg)
                })
                .collect()
        };
        assert_eq!(shape(&unknown), shape(&known), "{}: an unknown name is told what a known one is", t.db);

        // The lock doubles each time it comes back without a good login in between.
        t.clock.advance(chrono::Duration::minutes(16));
        for _ in 0..5 {
            login_from(&t, "jumin", "Guess@2026-pw", ATTACKER).await;
        }
        t.clock.advance(chrono::Duration::minutes(16));
        assert_eq!(login_from(&t, "jumin", crate::support::PASSWORD, ATTACKER).await.0, StatusCode::OK, "15 minutes");
        for _ in 0..5 {
            login_from(&t, "jumin", "Guess@2026-pw", ATTACKER).await;
        }
        t.clock.advance(chrono::Duration::minutes(16));
        assert_eq!(
            login_from(&t, "jumin", crate::support::PASSWORD, ATTACKER).await.0,
            StatusCode::OK,
            "a success resets the backoff"
        );
        for round in 0..2 {
            for _ in 0..5 {
                login_from(&t, "shouli", "Guess@2026-pw", ATTACKER).await;
            }
            t.clock.advance(chrono::Duration::minutes(16));
            let (s, _) = login_from(&t, "shouli", "Guess@2026-pw", ATTACKER).await;
            if round == 1 {
                // The second lock lasts 30 minutes: 16 minutes on, the guess is still refused as locked.
                assert_eq!(s, StatusCode::LOCKED, "{}: the second lock is longer", t.db);
            } else {
                assert_eq!(s, StatusCode::UNAUTHORIZED, "{}: the first lock ran out", t.db);
            }
        }

        // The administrator lifts a lock at once, and it is audited.
        let (s, _) = t.call("POST", "/api/v1/admin/users/shouli/unlock", Some("zhiban"), None, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{}: only the administrator", t.db);
        let (s, v) = t.call("POST", "/api/v1/admin/users/shouli/unlock", Some("admin"), None, None).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{}: {v}", t.db);
        assert_eq!(login_from(&t, "shouli", crate::support::PASSWORD, ATTACKER).await.0, StatusCode::OK, "{}", t.db);
        let (_, audit) = t.call("GET", "/api/v1/admin/audit?action=auth.unlock", Some("admin"), None, None).await;
        assert!(audit.to_string().contains("shouli"), "{}: {audit}", t.db);
    }
}

#[tokio::test]
async fn a_client_that_dawdles_over_its_headers_or_hoards_connections_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    for t in setups("hard_conns").await {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let limits = shanzhi_api::Limits { header_read_secs: 2, connections_per_address: 2, ..Default::default() };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(shanzhi_api::serve(
            listener,
            shanzhi_api::router_with(t.app.clone(), limits.clone()),
            limits,
            async {
                let _ = stopped.await;
            },
        ));
        let within = |secs| std::time::Duration::from_secs(secs);
        let read_all = |mut s: TcpStream| async move {
            let mut out = Vec::new();
            let _ = s.read_to_end(&mut out).await;
            String::from_utf8_lossy(&out).into_owned()
        };

        // Headers begun and never finished: the server closes the connection after its deadline.
        let mut slow = TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        let started = std::time::Instant::now();
        tokio::time::timeout(within(5), read_all(slow)).await.expect("a slow client is cut off");
        assert!(started.elapsed() >= std::time::Duration::from_millis(1800), "{}: not before its deadline", t.db);

        // Two connections from one address are held; a third is closed at once (well before the
        // 2 s header deadline that would close an idle one anyway).
        let mut a = TcpStream::connect(addr).await.unwrap();
        let _b = TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let third = TcpStream::connect(addr).await.unwrap();
        let refused = tokio::time::timeout(std::time::Duration::from_millis(500), read_all(third))
            .await
            .expect("the third is closed at once");
        assert_eq!(refused, "", "{}: nothing is served on it", t.db);
        a.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
        let answer = tokio::time::timeout(within(5), read_all(a)).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{}: the held ones are served: {answer}", t.db);

        let _ = stop.send(());
        tokio::time::timeout(within(40), server).await.expect("the server stops").unwrap().unwrap();
    }
}
