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

// ---- The short follow code (查询码) ----

/// A real 64×48 PNG.
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A request with a raw body and these headers: (status, content type, bytes).
async fn bytes(
    t: &crate::support::T,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> (StatusCode, String, Vec<u8>) {
    use axum::body::{Body, to_bytes};
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = shanzhi_api::router(t.app.clone()).oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
    let status = res.status();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, ct, to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec())
}

/// The ways a person may type a code shown as `ABCD-EFGH`.
fn spellings(code: &str) -> Vec<String> {
    let plain = code.replace('-', "");
    let wide: String = code.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect();
    vec![
        code.to_string(),
        plain.clone(),
        plain.to_lowercase(),
        format!(" {} {} ", &plain[..4].to_lowercase(), &plain[4..]),
        wide,
        format!("{}\u{3000}{}", &plain[..4], &plain[4..]),
    ]
}

/// A path segment as a browser sends it (percent-encoded).
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[tokio::test]
async fn follow_a_short_code_comes_with_each_report_and_shows_the_case_to_whoever_holds_it() {
    const STAFF: [&str; 6] = ["shouli", "lixin-wangge", "zhiban", "paiqian", "lunan-gongshui", "anon:"];
    for t in setups("follow_short").await {
        let with = vec![("x-follow-code", CODE)];
        let (lon, lat) = t.point_in("130202001001");
        let photo = png();
        let (s, _, up) = bytes(
            &t,
            "POST",
            "/api/v1/attachments?name=p.png",
            &[("x-follow-code", CODE), ("content-type", "application/octet-stream")],
            photo.clone(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{}", t.db);
        let att = serde_json::from_slice::<Value>(&up).unwrap()["id"].as_str().unwrap().to_string();
        let report = json!({"kind": "event", "type": "0101", "description": "井盖缺失，电话13812345678", "lon": lon, "lat": lat, "channel": "resident_web", "attachments": [att]});
        let (s, c) = t.raw("POST", "/api/v1/cases", &with, Some(report)).await;
        assert_eq!(s, StatusCode::CREATED, "{}: {c}", t.db);
        let id = c["id"].as_str().unwrap().to_string();
        let code = c["short_code"].as_str().expect("the report answers its short code").to_string();
        assert!(
            code.len() == 9
                && code.as_bytes()[4] == b'-'
                && code.replace('-', "").bytes().all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b)),
            "{code}"
        );
        assert_eq!(c["has_short_code"], true);
        // Read again, the case says it has a code but never tells it.
        let (_, again) = t.raw("GET", &format!("/api/v1/cases/{id}"), &with, None).await;
        assert_eq!((again["has_short_code"].as_bool(), again["short_code"].is_null()), (Some(true), true), "{again}");
        // Every report gets one, a grid worker's too, each its own.
        let patrol = t
            .report("lixin-wangge", json!({"kind": "event", "type": "0602", "description": "暴露垃圾", "lon": lon, "lat": lat, "channel": "patrol"}))
            .await;
        let staff_code = patrol["short_code"].as_str().unwrap().to_string();
        assert_ne!(staff_code, code);
        let (s, anon) = t.raw("POST", "/api/v1/cases", &[], Some(json!({"kind": "event", "type": "0118", "description": "路灯不亮", "lon": lon, "lat": lat, "channel": "resident_web"}))).await;
        assert_eq!(s, StatusCode::CREATED);
        let anon_code = anon["short_code"].as_str().unwrap().to_string();

        // Found by its code however it is typed, by anyone, with no login.
        for typed in spellings(&code) {
            let (s, v) = t.raw("GET", &format!("/api/v1/follow/{}", encoded(&typed)), &[], None).await;
            assert_eq!((s, v["id"].as_str()), (StatusCode::OK, Some(id.as_str())), "{}: {typed:?}: {v}", t.db);
        }
        let t = &t;
        let follow = |code: String| async move { t.raw("GET", &format!("/api/v1/follow/{code}"), &[], None).await };
        let (_, v) = follow(code.clone()).await;
        assert_eq!(v["short_code"], code.as_str());
        assert_eq!(
            (v["type_name"].as_str(), v["state_name"].as_str()),
            (Some("上水井盖"), Some("已上报·待受理")),
            "{v}"
        );
        assert_eq!(v["state_name_en"], "Reported, awaiting intake");
        let place = v["place_name"].as_str().unwrap();
        assert!(place.contains("学院南路街道立新东楼社区 ") && place.matches("立新东楼社区").count() == 1, "{v}");
        assert!(!v["route_unit_name"].as_str().unwrap_or_default().is_empty(), "where it will go, by name: {v}");
        assert_eq!(v["description"], "井盖缺失，电话138****5678");
        assert!(v["deadline"].is_string() && v["late"] == false, "{v}");
        // The report's photo is listed and read with the code (and its thumbnail), by nobody new.
        let files = &v["steps"][0]["files"];
        assert_eq!((files[0]["id"].as_str(), files[0]["thumbnail"].as_bool()), (Some(att.as_str()), Some(true)), "{v}");
        let (s, ct, back) =
            bytes(t, "GET", &format!("/api/v1/follow/{}/attachments/{att}", code.to_lowercase()), &[], vec![]).await;
        assert_eq!((s, ct.as_str(), back == photo), (StatusCode::OK, "image/png", true), "{}", t.db);
        let (s, ct, _) =
            bytes(t, "GET", &format!("/api/v1/follow/{code}/attachments/{att}/thumbnail"), &[], vec![]).await;
        assert_eq!((s, ct.as_str()), (StatusCode::OK, "image/jpeg"));
        for (uri, why) in [
            (format!("/api/v1/follow/{staff_code}/attachments/{att}"), "another case's code"),
            (format!("/api/v1/attachments/{att}"), "no code at all"),
        ] {
            let (s, _, _) = bytes(t, "GET", &uri, &[], vec![]).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{}: {why}", t.db);
        }

        // A wrong code is a 404; a malformed one a 400 naming the field, in both languages.
        let wrong = if code.starts_with('Z') { "Y000-0000" } else { "Z000-0000" };
        let (s, e) = follow(wrong.into()).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{e}");
        for bad in ["12345", "ABCD-EFG!", "UUUU-UUUU", &id] {
            let (s, e) = follow(encoded(bad)).await;
            assert_eq!(
                (s, e["code"].as_str(), e["details"]["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some("invalid_parameter"), Some("code")),
                "{bad}: {e}"
            );
            assert!(e["message"].as_str().unwrap().starts_with("code: "), "{e}");
            assert!(e["details"]["message_zh"].as_str().unwrap().contains("查询码"), "{e}");
        }
        let (_, e) = follow("12345".into()).await;
        assert!(
            e["message"].as_str().unwrap().contains("18 digits"),
            "a case number and the hotline are told apart: {e}"
        );

        // Not closed yet: nothing to rate.
        let rating = json!({"satisfaction": "basically_satisfied", "reason": "修得慢"});
        assert_eq!(v["can_rate"], false);
        let (s, e) = t.raw("POST", &format!("/api/v1/follow/{code}/rating"), &[], Some(rating.clone())).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("action_refused")), "{e}");

        // The city works it; an internal opinion stays inside, a public reply and its photo show.
        t.act(2, &id, "shouli", json!({"action": "request_verification", "opinion": "请核实，内部意见"})).await;
        t.act(20, &id, "lixin-wangge", json!({"action": "confirm", "attachments": [PHOTO]})).await;
        t.act(5, &id, "zhiban", json!({"action": "file"})).await;
        t.act(5, &id, "paiqian", json!({"action": "dispatch"})).await;
        let (_, v) = follow(code.clone()).await;
        let unit = v["unit_name"].as_str().expect("dispatched: the unit's name").to_string();
        assert!(!unit.is_empty() && !unit.contains(':'), "a name, not a code: {unit}");
        t.act(40, &id, "lunan-gongshui", json!({"action": "feedback", "opinion": "已补装井盖，联系人13987654321", "public": true, "attachments": [PHOTO]})).await;
        t.act(20, &id, "lixin-wangge", json!({"action": "check_pass", "attachments": [PHOTO]})).await;
        t.act(5, &id, "zhiban", json!({"action": "close"})).await;
        let (_, v) = follow(code.clone()).await;
        let text = v.to_string();
        for who in STAFF {
            assert!(!text.contains(who), "{}: no staff usernames ({who}): {v}", t.db);
        }
        assert!(!text.contains("13812345678") && !text.contains("13987654321"), "phones masked: {v}");
        assert!(!text.contains("内部意见"), "internal opinions stay inside: {v}");
        let feedback =
            v["steps"].as_array().unwrap().iter().find(|s| s["action"] == "feedback").expect("each step is listed");
        assert_eq!(feedback["note"], "已补装井盖，联系人139****4321");
        assert_eq!(feedback["files"][0]["id"], PHOTO);
        let confirm = v["steps"].as_array().unwrap().iter().find(|s| s["action"] == "confirm").unwrap();
        assert!(confirm["files"].as_array().unwrap().is_empty(), "a worker's working photo stays inside: {confirm}");
        assert_eq!((v["finished"].as_bool(), v["can_rate"].as_bool()), (Some(true), Some(true)), "{v}");

        // Rated once with the code, as its reporter; a second time is refused.
        let (s, r) = t
            .raw(
                "POST",
                &format!("/api/v1/follow/{}/rating", code.to_lowercase().replace('-', "")),
                &[],
                Some(rating.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{}: {r}", t.db);
        assert_eq!((r["rating"].as_str(), r["can_rate"].as_bool()), (Some("basically_satisfied"), Some(false)), "{r}");
        let (s, e) = t.raw("POST", &format!("/api/v1/follow/{code}/rating"), &[], Some(rating.clone())).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("action_refused")), "{}: {e}", t.db);
        let (_, d) = t.raw("GET", &format!("/api/v1/cases/{id}"), &with, None).await;
        assert_eq!(d["rating"]["satisfaction"], "basically_satisfied", "the reporter sees it rated");
        let (_, d) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("zhiban"), None, None).await;
        let rated = d["log"].as_array().unwrap().iter().rfind(|e| e["action"] == "rate").expect("logged");
        assert!(rated["user"].as_str().unwrap().starts_with("anon:"), "as the reporter: {rated}");
        let (s, e) =
            t.raw("POST", &format!("/api/v1/follow/{code}/rating"), &[], Some(json!({"satisfaction": "great"}))).await;
        assert_eq!((s, e["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("satisfaction")), "{e}");

        // A staff report's code shows the case but never rates it as the public would.
        let (_, v) = follow(staff_code.clone()).await;
        assert_eq!(v["can_rate"], false);
        assert!(v["rate_refusal"]["en"].as_str().unwrap().contains("reported by staff"), "{v}");
        let (s, _) = t.raw("POST", &format!("/api/v1/follow/{staff_code}/rating"), &[], Some(rating.clone())).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{}", t.db);
        // An anonymous report's code stands for its reporter: only the state keeps it from rating.
        let (_, v) = follow(anon_code).await;
        assert!(v["rate_refusal"]["en"].as_str().unwrap().contains("once it is closed"), "{v}");

        // Two cases never share a code (a unique index on both databases), and a case without
        // one (as every case from before codes were given) says so.
        let store = t.app.store();
        let patrol_id = patrol["id"].as_str().unwrap();
        let same = format!(
            "UPDATE cases SET short_code_hash = (SELECT c.short_code_hash FROM cases c WHERE c.id = {id}) WHERE id = {patrol_id}"
        );
        assert!(shanzhi_store::testing::execute_raw(store, &same).await.is_err(), "{}: unique", t.db);
        let none = format!("UPDATE cases SET short_code_hash = NULL WHERE id = {patrol_id}");
        shanzhi_store::testing::execute_raw(store, &none).await.unwrap();
        let (_, p) = t.call("GET", &format!("/api/v1/cases/{patrol_id}"), Some("lixin-wangge"), None, None).await;
        assert_eq!(p["has_short_code"], false, "{p}");
        let (s, _) = follow(staff_code).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn follow_short_code_lookups_are_limited_per_client_address() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    for t in setups("follow_limits").await {
        let limits = shanzhi_api::Limits { follow_lookups_per_minute: 3, ..Default::default() };
        let router = shanzhi_api::router_with(t.app.clone(), limits);
        let get = |uri: String, ip: [u8; 4]| {
            let req = Request::get(uri).extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((ip, 40000))));
            router.clone().oneshot(req.body(Body::empty()).unwrap())
        };
        let (lon, lat) = t.point_in("130202001001");
        let c = t.report("lixin-wangge", json!({"kind": "event", "type": "0602", "description": "暴露垃圾", "lon": lon, "lat": lat, "channel": "patrol"})).await;
        let code = c["short_code"].as_str().unwrap().to_string();
        const GUESSER: [u8; 4] = [203, 0, 113, 9];
        for guess in ["0000-0001", "0000-0002", "0000-0003"] {
            assert_eq!(get(format!("/api/v1/follow/{guess}"), GUESSER).await.unwrap().status(), StatusCode::NOT_FOUND);
        }
        // Spent: even the right code is refused to this address now, so a hit cannot be told apart.
        for uri in ["/api/v1/follow/0000-0004".to_string(), format!("/api/v1/follow/{code}")] {
            let res = get(uri, GUESSER).await.unwrap();
            assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{}", t.db);
            assert!(res.headers().contains_key("retry-after"));
        }
        // Another address has its own allowance.
        assert_eq!(get(format!("/api/v1/follow/{code}"), [198, 51, 100, 4]).await.unwrap().status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn follow_everyday_problems_and_communities_by_name_serve_the_report_page() {
    for t in setups("follow_everyday").await {
        let (s, e) = t.raw("GET", "/api/v1/everyday-problems", &[], None).await;
        assert_eq!(s, StatusCode::OK);
        let problems = e["problems"].as_array().unwrap();
        assert!((12..=20).contains(&problems.len()), "{e}");
        let (_, tax) = t.raw("GET", "/api/v1/taxonomy", &[], None).await;
        let types: Vec<&str> = tax["categories"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["types"].as_array().unwrap())
            .map(|ty| ty["code"].as_str().unwrap())
            .collect();
        for p in problems {
            assert!(types.contains(&p["type"].as_str().unwrap()), "{p}");
            assert!(!p["icon"].as_str().unwrap().is_empty() && !p["type_name"].as_str().unwrap().is_empty(), "{p}");
        }
        let light = problems.iter().find(|p| p["name"] == "路灯不亮").unwrap();
        assert_eq!(
            (light["type"].as_str(), light["kind"].as_str(), light["name_en"].as_str()),
            (Some("0118"), Some("event"), Some("Street light out"))
        );

        let (s, found) = t.raw("GET", "/api/v1/communities?q=%E7%AB%8B%E6%96%B0%E4%B8%9C%E6%A5%BC", &[], None).await;
        assert_eq!(s, StatusCode::OK, "{found}");
        let first = &found[0];
        assert_eq!(
            (first["code"].as_str(), first["name"].as_str()),
            (Some("130202001001"), Some("立新东楼社区")),
            "{found}"
        );
        let (lon, lat) = (first["lon"].as_f64().unwrap(), first["lat"].as_f64().unwrap());
        let (_, here) = t.raw("GET", &format!("/api/v1/locate?lon={lon}&lat={lat}"), &[], None).await;
        assert_eq!(
            here["grid"]["code"].as_str().map(|g| &g[..12]),
            Some("130202001001"),
            "the point lies in it: {here}"
        );
        // A street's name lists its communities; never more than 20.
        let (_, many) = t.raw("GET", "/api/v1/communities?q=%E8%B7%AF%E5%8D%97%E5%8C%BA", &[], None).await;
        assert_eq!(many.as_array().unwrap().len(), 20, "{many}");
        let long = "%E8%B7%AF".repeat(41);
        for uri in [
            "/api/v1/communities".to_string(),
            "/api/v1/communities?q=%20".into(),
            format!("/api/v1/communities?q={}", long),
        ] {
            let (s, e) = t.raw("GET", &uri, &[], None).await;
            assert_eq!((s, e["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("q")), "{uri}: {e}");
        }
    }
}
