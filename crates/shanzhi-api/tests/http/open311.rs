//! Open311 GeoReport v2, on SQLite and PostgreSQL, as a client sees it: every endpoint in XML
//! (parsed by a real XML parser, with the element names FixMyStreet's client reads) and in JSON
//! (bare arrays), keys in the body and the query, the standard's errors, and a report that
//! enters the closed loop and is followed to its closing through the Open311 list, the single
//! request, its notes and the update feed.

use crate::support::{T, setups};
use axum::http::StatusCode;
use serde_json::{Value, json};

/// Evidence already on the web (uploads are tested in `attachments.rs`).
const PHOTO: &str = "https://evidence.example.org/1.jpg";

fn form(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

async fn json_of(t: &T, uri: &str) -> (StatusCode, Value) {
    let (s, ct, body) = t.text("GET", uri, &[], None).await;
    assert_eq!(ct, "application/json; charset=utf-8", "{uri}");
    (s, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: {e}: {body}")))
}

/// A GET answered in XML: every XML answer is parsed by a real parser (roxmltree).
pub(crate) async fn xml_of(t: &T, uri: &str) -> (StatusCode, String) {
    let (s, ct, body) = t.text("GET", uri, &[], None).await;
    assert_eq!(ct, "text/xml; charset=utf-8", "{uri}");
    assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"), "{uri}: {body}");
    if let Err(e) = roxmltree::Document::parse(&body) {
        panic!("{}: {uri} is not XML: {e}: {body}", t.db);
    }
    (s, body)
}

/// A form POST; an answer in XML is parsed by a real parser.
async fn post(t: &T, uri: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> (StatusCode, String, String) {
    let (s, ct, body) =
        t.text("POST", uri, headers, Some(("application/x-www-form-urlencoded; charset=utf-8", form(fields)))).await;
    if ct.starts_with("text/xml")
        && let Err(e) = roxmltree::Document::parse(&body)
    {
        panic!("{}: {uri} answered what is not XML: {e}: {body}", t.db);
    }
    (s, ct, body)
}

/// The texts of the `path` elements under the root (`request/service_request_id`).
fn texts(xml: &str, path: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not XML: {e}: {xml}"));
    let (outer, inner) = path.split_once('/').unwrap();
    doc.root_element()
        .children()
        .filter(|n| n.has_tag_name(outer))
        .filter_map(|n| n.children().find(|c| c.has_tag_name(inner)))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

fn root(xml: &str) -> String {
    roxmltree::Document::parse(xml).unwrap().root_element().tag_name().name().to_string()
}

async fn key(t: &T, scope: &str) -> String {
    t.app.create_api_key("admin", &format!("client-{scope}"), "jumin", scope).await.unwrap()
}

#[tokio::test]
async fn discovery_services_and_definitions_in_both_formats() {
    for t in setups("o311_services").await {
        let (s, d) = json_of(&t, "/open311/v2/discovery.json").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(d["endpoints"][0]["specification"], "http://wiki.open311.org/GeoReport_v2");
        assert_eq!(d["endpoints"][0]["formats"], json!(["text/xml", "application/json"]));
        let (_, x) = xml_of(&t, "/open311/v2/discovery.xml").await;
        assert_eq!(root(&x), "discovery");
        assert!(x.contains("<endpoints><endpoint><specification>"), "{x}");
        assert!(x.contains("<formats><format>text/xml</format><format>application/json</format></formats>"));

        let (_, services) = json_of(&t, "/open311/v2/services.json").await;
        let services = services.as_array().unwrap();
        let count = t.app.reference().taxonomy.types.len();
        assert_eq!(services.len(), count, "{}: one service per catalogue type", t.db);
        let garbage = services.iter().find(|s| s["service_code"] == "0602").unwrap();
        assert_eq!(garbage["metadata"], true);
        assert_eq!(garbage["type"], "realtime");
        assert!(!garbage["group"].as_str().unwrap().is_empty());
        let (_, x) = xml_of(&t, "/open311/v2/services.xml").await;
        assert_eq!(root(&x), "services");
        assert_eq!(texts(&x, "service/service_code").len(), count);
        let (_, en) = json_of(&t, "/open311/v2/services.json?lang=en").await;
        assert_ne!(en[0]["service_name"], services[0]["service_name"], "English names on request");

        let (s, def) = json_of(&t, "/open311/v2/services/0602.json").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(def["service_code"], "0602");
        let attrs = def["attributes"].as_array().unwrap();
        let orders: Vec<u64> = attrs.iter().map(|a| a["order"].as_u64().unwrap()).collect();
        assert_eq!(orders, [1, 2, 3, 4]);
        let crs = attrs.iter().find(|a| a["code"] == "crs").unwrap();
        assert_eq!((crs["variable"].as_bool(), crs["datatype"].as_str()), (Some(true), Some("singlevaluelist")));
        assert_eq!(crs["values"].as_array().unwrap().len(), 3);
        let filing = &attrs[0];
        assert_eq!(filing["variable"], false, "the filing standard is shown, not asked");
        let (_, x) = xml_of(&t, "/open311/v2/services/0602.xml").await;
        assert_eq!(root(&x), "service_definition");
        assert!(x.contains("<attributes><attribute><variable>false</variable>"), "{x}");

        // Errors, as the standard shapes them.
        let (s, e) = json_of(&t, "/open311/v2/services/9999.json").await;
        assert_eq!((s, e[0]["code"].as_u64()), (StatusCode::NOT_FOUND, Some(404)));
        let (s, x) = xml_of(&t, "/open311/v2/services/9999.xml").await;
        assert_eq!((s, root(&x)), (StatusCode::NOT_FOUND, "errors".to_string()));
        assert_eq!(texts(&x, "error/code"), ["404"]);
        let (s, _) = json_of(&t, "/open311/v2/services.json?jurisdiction_id=1101").await;
        assert_eq!(s, StatusCode::NOT_FOUND, "another city's jurisdiction");
        let (s, _) = json_of(&t, "/open311/v2/services.json?jurisdiction_id=1302").await;
        assert_eq!(s, StatusCode::OK, "{}: Tangshan's", t.db);
        let (s, _) = json_of(&t, "/open311/v2/services.json?jurisdiction_id=").await;
        assert_eq!(s, StatusCode::OK, "an empty parameter is an absent one");
        let (s, _, _) = t.text("GET", "/open311/v2/services.html", &[], None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn reports_need_a_key_and_valid_fields() {
    for t in setups("o311_post").await {
        let (lon, lat) = t.point_in("130202001001");
        let (lon, lat) = (lon.to_string(), lat.to_string());
        let good =
            [("service_code", "0602"), ("lat", lat.as_str()), ("long", lon.as_str()), ("description", "路口垃圾堆积")];
        let uri = "/open311/v2/requests.json";
        let (s, _, body) = post(&t, uri, &good, &[]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{}: no key: {body}", t.db);
        assert!(body.contains("api_key"));
        let bad_key = [&good[..], &[("api_key", "szk_not-a-key")]].concat();
        assert_eq!(post(&t, uri, &bad_key, &[]).await.0, StatusCode::FORBIDDEN);
        let read_key = key(&t, "read").await;
        let with_read = [&good[..], &[("api_key", read_key.as_str())]].concat();
        assert_eq!(post(&t, uri, &with_read, &[]).await.0, StatusCode::FORBIDDEN, "a read-only key cannot report");

        let k = key(&t, "open311").await;
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut f: Vec<(&str, &str)> = good.to_vec();
            f.push(("api_key", k.as_str()));
            for (name, v) in extra {
                f.retain(|(n, _)| n != name);
                if !v.is_empty() {
                    f.push((name, v));
                }
            }
            f
        };
        for (extra, status, field) in [
            (vec![("service_code", "")], StatusCode::BAD_REQUEST, "service_code"),
            (vec![("service_code", "9999")], StatusCode::NOT_FOUND, "9999"),
            (vec![("lat", ""), ("long", "")], StatusCode::BAD_REQUEST, "lat"),
            (vec![("long", "")], StatusCode::BAD_REQUEST, "long"),
            (vec![("lat", "north")], StatusCode::BAD_REQUEST, "lat"),
            (vec![("attribute[crs]", "utm")], StatusCode::BAD_REQUEST, "attribute[crs]"),
            (vec![("attribute[colour]", "red")], StatusCode::BAD_REQUEST, "attribute[colour]"),
            (vec![("media_url", "file:///etc/passwd")], StatusCode::BAD_REQUEST, "media_url"),
            (vec![("jurisdiction_id", "1101")], StatusCode::NOT_FOUND, "jurisdiction"),
        ] {
            let (s, ct, body) = post(&t, uri, &with(&extra), &[]).await;
            assert_eq!(s, status, "{}: {extra:?}: {body}", t.db);
            assert_eq!(ct, "application/json; charset=utf-8");
            let e: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(e[0]["code"].as_u64(), Some(u64::from(status.as_u16())));
            assert!(e[0]["description"].as_str().unwrap().contains(field), "{extra:?}: {body}");
        }
        let long_text = "长".repeat(2001);
        let mut f = with(&[]);
        f.retain(|(n, _)| *n != "description");
        f.push(("description", &long_text));
        assert_eq!(post(&t, uri, &f, &[]).await.0, StatusCode::BAD_REQUEST, "over 2000 characters");
        assert_eq!(
            t.app.cases().list(&Default::default(), &t.app.actor(Some("admin")).await.unwrap()).await.unwrap().0,
            0,
            "{}: nothing half-written",
            t.db
        );

        // The key in the body, in the query, or as a header; XML and JSON answers.
        let (s, _, body) = post(&t, uri, &with(&[("jurisdiction_id", "1302"), ("attribute[crs]", "wgs84")]), &[]).await;
        assert_eq!(s, StatusCode::CREATED, "{}: {body}", t.db);
        let created: Value = serde_json::from_str(&body).unwrap();
        assert!(created[0]["service_request_id"].as_str().unwrap().parse::<i64>().is_ok());
        assert!(created[0]["service_notice"].as_str().unwrap().contains("130202001001"), "{body}");
        assert!(created[0]["service_notice"].as_str().unwrap().contains("；查询码 "), "the short follow code: {body}");
        assert!(created[0].get("token").is_none(), "an id or a token, never both");
        let query_uri = format!("/open311/v2/requests.xml?api_key={k}");
        let (s, ct, x) = post(&t, &query_uri, &good, &[]).await;
        assert_eq!((s, ct.as_str()), (StatusCode::CREATED, "text/xml; charset=utf-8"), "{x}");
        assert_eq!(root(&x), "service_requests");
        assert_eq!(texts(&x, "request/service_request_id").len(), 1);
        assert_eq!(post(&t, uri, &good, &[("x-api-key", k.as_str())]).await.0, StatusCode::CREATED);

        // Outside every grid: kept and flagged, not refused.
        let sea = [("service_code", "0905"), ("lat", "38.7"), ("long", "118.6"), ("api_key", k.as_str())];
        let (s, _, body) = post(&t, uri, &sea, &[]).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert!(body.contains("不在任何网格"), "{body}");
        let id = serde_json::from_str::<Value>(&body).unwrap()[0]["service_request_id"].as_str().unwrap().to_string();
        let (_, c) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("zhiban"), None, None).await;
        assert_eq!((c["located"].as_bool(), c["channel"].as_str()), (Some(false), Some("open311")));
        assert_eq!(c["type_name"], c["description"], "no description: the service's name");
    }
}

#[tokio::test]
async fn a_report_goes_round_the_loop_and_its_client_follows_it() {
    for t in setups("o311_loop").await {
        let k = key(&t, "open311").await;
        let (lon, lat) = t.point_in("130202001001");
        let (glon, glat) = coordtransform::wgs84_to_gcj02(lon, lat);
        let (glon, glat) = (glon.to_string(), glat.to_string());
        let fields = [
            ("api_key", k.as_str()),
            ("service_code", "0101"),
            ("lat", glat.as_str()),
            ("long", glon.as_str()),
            ("attribute[crs]", "gcj02"),
            ("description", "小区门口上水井盖缺失，联系 13812345678"),
            ("address_string", "文化路 12 号"),
            ("media_url", "https://example.org/p/1.jpg"),
            ("phone", "13900001111"),
            ("first_name", "张"),
        ];
        let (s, _, body) = post(&t, "/open311/v2/requests.json", &fields, &[("idempotency-key", "fms-77")]).await;
        assert_eq!(s, StatusCode::CREATED, "{}: {body}", t.db);
        let id = serde_json::from_str::<Value>(&body).unwrap()[0]["service_request_id"].as_str().unwrap().to_string();
        // A retry with the same key creates nothing; the token finds the request.
        let (_, _, again) = post(&t, "/open311/v2/requests.json", &fields, &[("idempotency-key", "fms-77")]).await;
        assert!(again.contains(&id), "{again}");
        let (s, tok) = json_of(&t, "/open311/v2/tokens/fms-77.json").await;
        assert_eq!(
            (s, &tok[0]["service_request_id"], &tok[0]["token"]),
            (StatusCode::OK, &json!(id), &json!("fms-77"))
        );
        let (_, x) = xml_of(&t, "/open311/v2/tokens/fms-77.xml").await;
        assert_eq!(texts(&x, "request/service_request_id"), std::slice::from_ref(&id));
        assert_eq!(json_of(&t, "/open311/v2/tokens/nope.json").await.0, StatusCode::NOT_FOUND);

        // In the closed loop like any report: GCJ-02 converted, routed, verified, dispatched.
        let (_, c) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("zhiban"), None, None).await;
        assert!(c["grid"].as_str().unwrap().starts_with("130202001001"), "{}: {c}", t.db);
        assert_eq!(
            (c["channel"].as_str(), c["route"]["unit"].as_str()),
            (Some("open311"), Some("130202:water-supply"))
        );
        let one = format!("/open311/v2/requests/{id}.json");
        let (_, r) = json_of(&t, &one).await;
        assert_eq!(r.as_array().unwrap().len(), 1, "an array of one");
        let r = &r[0];
        assert_eq!((r["status"].as_str(), r["service_code"].as_str()), (Some("open"), Some("0101")));
        assert!(r["description"].as_str().unwrap().contains("138****5678"), "masked: {r}");
        assert!(r["description"].as_str().unwrap().contains("文化路 12 号"));
        let text = r.to_string();
        assert!(!text.contains("1111") && !text.contains("张"), "contact details are not kept or shown: {r}");
        assert_eq!(r["media_url"], "https://example.org/p/1.jpg");
        assert!(r["address"].as_str().unwrap().contains("社区"), "{r}");
        assert!(r.get("notes").is_none(), "notes only with extensions=true");
        t.act(2, &id, "shouli", json!({"action": "request_verification"})).await;
        t.act(20, &id, "lixin-wangge", json!({"action": "confirm", "attachments": [PHOTO]})).await;
        t.act(5, &id, "zhiban", json!({"action": "file"})).await;
        t.act(5, &id, "paiqian", json!({"action": "dispatch"})).await;
        let (_, r) = json_of(&t, &format!("{one}?extensions=true")).await;
        let r = &r[0];
        assert_eq!(r["agency_responsible"], "路南区供水公司", "{}: {r}", t.db);
        assert!(r["expected_datetime"].is_string());
        let ext = &r["extended_attributes"];
        assert_eq!((ext["state"].as_str(), ext["extended_status"].as_str()), (Some("dispatched"), Some("IN_PROGRESS")));
        assert_eq!(ext["unit"], "130202:water-supply");
        let notes = r["notes"].as_array().unwrap();
        assert_eq!(notes.len(), 5);
        assert_eq!((notes[0]["type"].as_str(), notes[4]["type"].as_str()), (Some("submitted"), Some("activity")));
        assert!(notes.iter().all(|n| n.get("user").is_none() && !n.to_string().contains("lixin-wangge")), "no names");
        t.act(
            60,
            &id,
            "lunan-gongshui",
            json!({"action": "feedback", "opinion": "已补装井盖，回访电话 13812345678", "attachments": [PHOTO], "public": true}),
        )
        .await;
        // A staff opinion not marked public stays inside.
        t.act(
            20,
            &id,
            "lixin-wangge",
            json!({"action": "check_pass", "opinion": "内部意见：业主难沟通", "attachments": [PHOTO]}),
        )
        .await;
        t.act(5, &id, "zhiban", json!({"action": "close"})).await;
        let (_, x) = xml_of(&t, &format!("/open311/v2/requests/{id}.xml?extensions=true")).await;
        assert_eq!(texts(&x, "request/status"), ["closed"]);
        assert!(texts(&x, "request/status_notes")[0].contains("138****5678"), "{x}");
        assert!(!x.contains("内部意见"), "{}: an internal opinion is not published: {x}", t.db);
        assert!(x.contains("<type>closed</type>"), "{x}");
        assert!(x.contains("<expected_datetime/>"), "no expected time once closed");

        // The list: filters, status, paging, ids overriding the rest.
        let (_, all) = json_of(&t, "/open311/v2/requests.json").await;
        assert_eq!(all.as_array().unwrap().len(), 1, "{}: the only request of this test", t.db);
        let (_, closed) = json_of(&t, "/open311/v2/requests.json?status=closed&service_code=0101,0602").await;
        assert_eq!(closed[0]["service_request_id"], json!(id));
        let (_, open) = json_of(&t, "/open311/v2/requests.json?status=open").await;
        assert_eq!(open, json!([]));
        let (_, other) = json_of(&t, "/open311/v2/requests.json?service_code=0602").await;
        assert_eq!(other, json!([]));
        let (_, by_id) = json_of(&t, &format!("/open311/v2/requests.json?service_request_id={id}&status=open")).await;
        assert_eq!(by_id.as_array().unwrap().len(), 1, "the id overrides the other filters");
        let (_, x) = xml_of(&t, "/open311/v2/requests.xml?start_date=2026-03-01&end_date=2026-03-31").await;
        assert_eq!(texts(&x, "request/service_request_id"), std::slice::from_ref(&id));
        let (_, x) = xml_of(&t, "/open311/v2/requests.xml?start_date=2026-03-03T00:00:00Z").await;
        assert!(texts(&x, "request/service_request_id").is_empty());
        let (s, e) = json_of(&t, "/open311/v2/requests.json?start_date=2025-01-01&end_date=2026-03-31").await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "over 90 days");
        assert!(e[0]["description"].as_str().unwrap().contains("90"));
        for bad in [
            "status=pending",
            "start_date=yesterday",
            "page_size=0",
            "page_size=1001",
            "offset=99999999999999999999",
            "extensions=maybe",
            "service_request_id=x",
            "service_code=06%0002",
        ] {
            let (s, e) = json_of(&t, &format!("/open311/v2/requests.json?{bad}")).await;
            assert_eq!((s, e[0]["code"].as_u64()), (StatusCode::BAD_REQUEST, Some(400)), "{bad}");
        }
        let (_, page2) = json_of(&t, "/open311/v2/requests.json?page=2&page_size=1").await;
        assert_eq!(page2, json!([]));

        // FixMyStreet's update feed: every step, with its extended status.
        let (_, x) =
            xml_of(&t, "/open311/v2/servicerequestupdates.xml?start_date=2026-03-01&end_date=2026-03-31").await;
        assert_eq!(root(&x), "service_request_updates");
        let statuses = texts(&x, "request_update/status");
        assert_eq!(statuses.len(), 8, "{x}");
        assert_eq!(statuses.first().map(String::as_str), Some("OPEN"));
        assert!(statuses.contains(&"IN_PROGRESS".to_string()) && statuses.last().map(String::as_str) == Some("FIXED"));
        let ids = texts(&x, "request_update/update_id");
        assert_eq!(ids[0], format!("{id}-1"));
        let (_, u) = json_of(&t, "/open311/v2/servicerequestupdates.json").await;
        assert!(u.as_array().unwrap().iter().any(|e| e["description"].as_str().unwrap().contains("138****5678")));
        assert!(!u.to_string().contains("内部意见"), "{}: nor in the update feed", t.db);
    }
}

#[tokio::test]
async fn only_public_kinds_are_published() {
    for t in setups("o311_public").await {
        let (lon, lat) = t.point_in("130202001001");
        let demand = t
            .report("shouli", json!({"kind": "demand", "type": "0602", "description": "市民来电：家门口垃圾", "lon": lon, "lat": lat, "channel": "hotline"}))
            .await;
        let id = demand["id"].as_str().unwrap();
        let (s, _) = json_of(&t, &format!("/open311/v2/requests/{id}.json")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{}: a 12345 demand is not published", t.db);
        let (_, list) = json_of(&t, &format!("/open311/v2/requests.json?service_request_id={id}")).await;
        assert_eq!(list, json!([]));
        let (_, u) = json_of(&t, "/open311/v2/servicerequestupdates.json").await;
        assert_eq!(u, json!([]), "nor its updates");
        let (s, _) = json_of(&t, "/open311/v2/requests/abc.json").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_client_posts_updates_that_become_notes_once_each() {
    for t in setups("o311_post_update").await {
        let k = key(&t, "open311").await;
        let (lon, lat) = t.point_in("130202001001");
        let (lat, lon) = (lat.to_string(), lon.to_string());
        let report = [
            ("api_key", k.as_str()),
            ("service_code", "0101"),
            ("lat", lat.as_str()),
            ("long", lon.as_str()),
            ("description", "井盖缺失"),
        ];
        let (s, _, body) = post(&t, "/open311/v2/requests.json", &report, &[]).await;
        assert_eq!(s, StatusCode::CREATED, "{}: {body}", t.db);
        let id = serde_json::from_str::<Value>(&body).unwrap()[0]["service_request_id"].as_str().unwrap().to_string();
        let update = |update_id: &'static str| {
            vec![
                ("api_key", k.clone()),
                ("service_request_id", id.clone()),
                ("update_id", update_id.to_string()),
                ("updated_datetime", "2026-03-02T10:00:00+08:00".to_string()),
                ("status", "OPEN".to_string()),
                ("description", "仍然没有修好，电话13700001234".to_string()),
                ("media_url", PHOTO.to_string()),
                ("first_name", "李".to_string()),
            ]
        };
        let send = |v: Vec<(&'static str, String)>, format: &'static str| {
            let t = &t;
            async move {
                let refs: Vec<(&str, &str)> = v.iter().map(|(k, v)| (*k, v.as_str())).collect();
                post(t, &format!("/open311/v2/servicerequestupdates.{format}"), &refs, &[]).await
            }
        };

        // XML, as FixMyStreet sends it: the answer names our update id.
        let (s, _, x) = send(update("fms-u-1"), "xml").await;
        assert_eq!(s, StatusCode::CREATED, "{}: {x}", t.db);
        assert_eq!(root(&x), "service_request_updates");
        assert_eq!(texts(&x, "request_update/update_id"), [format!("{id}-2")]);
        // A retry of the same update adds nothing and answers the same id.
        let (s, _, j) = send(update("fms-u-1"), "json").await;
        assert_eq!(
            (s, serde_json::from_str::<Value>(&j).unwrap()),
            (StatusCode::CREATED, json!([{"update_id": format!("{id}-2")}]))
        );

        // The case keeps its state; the note carries the client's status, masked, with the photo.
        let (_, d) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("zhiban"), None, None).await;
        let log = d["log"].as_array().unwrap();
        assert_eq!(log.len(), 2, "{}: {d}", t.db);
        assert_eq!((log[1]["action"].as_str(), log[1]["to_state"].as_str()), (Some("note"), d["state"].as_str()));
        assert_eq!(log[1]["opinion"], "[OPEN] 仍然没有修好，电话137****1234");
        assert_eq!(log[1]["attachments"], json!([PHOTO]));
        assert!(!d.to_string().contains("李"), "the name is not kept");

        // What is refused: no key, a read key, a missing field, a status outside the vocabulary,
        // an unknown request, a request outside the key's account's scope.
        let mut no_key = update("fms-u-2");
        no_key.retain(|(k, _)| *k != "api_key");
        assert_eq!(send(no_key, "json").await.0, StatusCode::FORBIDDEN);
        let mut read = update("fms-u-3");
        read[0].1 = key(&t, "read").await;
        assert_eq!(send(read, "json").await.0, StatusCode::FORBIDDEN);
        for (field, value) in
            [("update_id", ""), ("updated_datetime", "yesterday"), ("status", "BROKEN"), ("description", "")]
        {
            let mut bad = update("fms-u-4");
            bad.iter_mut().filter(|(k, _)| *k == field).for_each(|(_, v)| *v = value.to_string());
            let (s, _, e) = send(bad, "json").await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{}: {field}", t.db);
            assert!(e.contains(field), "{field}: {e}");
        }
        let mut unknown = update("fms-u-5");
        unknown[1].1 = "999".into();
        assert_eq!(send(unknown, "json").await.0, StatusCode::NOT_FOUND);
        let mut stranger = update("fms-u-6");
        stranger[0].1 = t.app.create_api_key("admin", "client-xinyi", "xinyi-wangge", "open311").await.unwrap();
        assert_eq!(send(stranger, "json").await.0, StatusCode::NOT_FOUND, "{}", t.db);
        let (_, d) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("zhiban"), None, None).await;
        assert_eq!(d["log"].as_array().unwrap().len(), 2, "{}: nothing refused was written", t.db);

        // A 12345 demand is not published, so it takes no updates either, even from a key whose
        // account may see it.
        let demand = t
            .report("shouli", json!({"kind": "demand", "type": "0602", "description": "市民来电：垃圾", "lon": lon.parse::<f64>().unwrap(), "lat": lat.parse::<f64>().unwrap(), "channel": "hotline"}))
            .await;
        let mut private = update("fms-u-7");
        private[0].1 = t.app.create_api_key("admin", "client-centre", "zhiban", "open311").await.unwrap();
        private[1].1 = demand["id"].as_str().unwrap().to_string();
        assert_eq!(send(private, "json").await.0, StatusCode::NOT_FOUND, "{}", t.db);
    }
}

#[tokio::test]
async fn two_clients_with_the_same_key_make_two_reports() {
    for t in setups("o311_two_clients").await {
        let (lon, lat) = t.point_in("130202001001");
        let (lat, lon) = (lat.to_string(), lon.to_string());
        let mut ids = Vec::new();
        for user in ["jumin", "shouli"] {
            let k = t.app.create_api_key("admin", &format!("client-{user}"), user, "open311").await.unwrap();
            let fields = [
                ("api_key", k.as_str()),
                ("service_code", "0602"),
                ("lat", lat.as_str()),
                ("long", lon.as_str()),
                ("description", "路口垃圾"),
            ];
            for _retry in 0..2 {
                let (s, _, body) =
                    post(&t, "/open311/v2/requests.json", &fields, &[("idempotency-key", "fms-1")]).await;
                assert_eq!(s, StatusCode::CREATED, "{}: {body}", t.db);
                ids.push(serde_json::from_str::<Value>(&body).unwrap()[0]["service_request_id"].clone());
            }
        }
        assert_eq!(ids[0], ids[1], "{}: a client's retry answers its first report", t.db);
        assert_eq!(ids[2], ids[3]);
        assert_ne!(ids[0], ids[2], "{}: each client's key is its own", t.db);
        let (s, tok) = json_of(&t, "/open311/v2/tokens/fms-1.json").await;
        assert_eq!(s, StatusCode::OK, "{}: the token finds a request", t.db);
        assert!(ids[1..].contains(&tok[0]["service_request_id"]), "{tok}");
    }
}

/// A kind a city adds as a file, declared `[open311]` with a service code of its own, is one more
/// service: its report fields are the service's attributes (a person as three), a report through
/// them becomes a case of that kind with its fields, and errors name the attribute.
#[tokio::test]
async fn a_kind_of_its_own_is_one_service_with_its_fields_as_attributes() {
    const PERMIT: &str = include_str!("../../../../data/workflows/examples/stall-permit.toml");
    for t in setups("o311_kind").await {
        let db = t.db.clone();
        let bearer = format!("Bearer {}", t.token("admin", false).await);
        let (s, _, v) = t
            .text(
                "POST",
                "/api/v1/admin/reference/workflow",
                &[("authorization", bearer.as_str())],
                Some(("text/plain", PERMIT.to_string())),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{db}: {v}");
        let (_, services) = json_of(&t, "/open311/v2/services.json").await;
        let services = services.as_array().unwrap();
        assert_eq!(services.len(), t.app.reference().taxonomy.types.len() + 1, "{db}");
        let permit = services.iter().find(|s| s["service_code"] == "stall_permit").expect("listed");
        assert_eq!(
            (permit["service_name"].as_str(), permit["metadata"].as_bool()),
            (Some("占道经营许可申请"), Some(true))
        );
        let (_, def) = json_of(&t, "/open311/v2/services/stall_permit.json").await;
        let attrs: Vec<(&str, &str, bool)> = def["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["code"].as_str().unwrap(), a["datatype"].as_str().unwrap(), a["required"].as_bool().unwrap()))
            .collect();
        assert_eq!(
            attrs,
            [
                ("crs", "singlevaluelist", false),
                ("applicant.name", "string", true),
                ("applicant.phone", "string", false),
                ("applicant.id_number", "string", false),
                ("goods", "singlevaluelist", true),
                ("area_m2", "number", true),
                ("hours", "text", true),
            ],
            "{db}"
        );

        let k = key(&t, "open311").await;
        let (lon, lat) = t.point_in("130202001001");
        let (lon, lat) = (lon.to_string(), lat.to_string());
        let base = vec![
            ("api_key", k.as_str()),
            ("service_code", "stall_permit"),
            ("lat", lat.as_str()),
            ("long", lon.as_str()),
            ("description", "申请在小区东门外设早市菜摊"),
            ("attribute[applicant.name]", "赵六"),
            ("attribute[applicant.phone]", "13900001111"),
            ("attribute[goods]", "produce"),
            ("attribute[area_m2]", "4.5"),
        ];
        for (extra, field) in [
            (vec![], "attribute[hours]"),
            (vec![("attribute[hours]", "早市"), ("attribute[goods]", "guns")], "attribute[goods]"),
            (vec![("attribute[hours]", "早市"), ("attribute[area_m2]", "many")], "attribute[area_m2]"),
            (vec![("attribute[hours]", "早市"), ("attribute[applicant.phone]", "123")], "attribute[applicant.phone]"),
        ] {
            let mut fields: Vec<(&str, &str)> =
                base.iter().filter(|(k, _)| !extra.iter().any(|(e, _)| e == k)).copied().collect();
            fields.extend(extra.iter().copied());
            let (s, _, body) = post(&t, "/open311/v2/requests.json", &fields, &[]).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{db}: {fields:?}: {body}");
            assert!(body.contains(field), "{db}: {field} in {body}");
        }
        let fields = [&base[..], &[("attribute[hours]", "每日 6:00–9:00")]].concat();
        let (s, _, body) = post(&t, "/open311/v2/requests.json", &fields, &[]).await;
        assert_eq!(s, StatusCode::CREATED, "{db}: {body}");
        let id = serde_json::from_str::<Value>(&body).unwrap()[0]["service_request_id"].as_str().unwrap().to_string();
        let (_, c) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("zhiban"), None, None).await;
        assert_eq!(
            (c["kind"].as_str(), c["type"].as_str(), c["channel"].as_str()),
            (Some("stall_permit"), Some("1005"), Some("open311")),
            "{db}: {c}"
        );
        assert_eq!(c["fields"]["applicant"], json!({"name": "赵*", "phone": "139****1111"}), "{db}");
        assert_eq!(
            (c["fields"]["area_m2"].as_f64(), c["fields"]["goods"].as_str()),
            (Some(4.5), Some("produce")),
            "{db}"
        );

        // Published, and found by its service code; the catalogue's services do not list it.
        let (_, mine) = json_of(&t, "/open311/v2/requests.json?service_code=stall_permit").await;
        let ids: Vec<&str> =
            mine.as_array().unwrap().iter().map(|r| r["service_request_id"].as_str().unwrap()).collect();
        assert_eq!(ids, [id.as_str()], "{db}");
        let (_, other) = json_of(&t, "/open311/v2/requests.json?service_code=0602").await;
        assert!(!other.to_string().contains(&id), "{db}");
        let (_, one) = json_of(&t, &format!("/open311/v2/requests/{id}.json")).await;
        assert_eq!(
            (one[0]["service_code"].as_str(), one[0]["service_name"].as_str()),
            (Some("stall_permit"), Some("占道经营许可申请")),
            "{db}: {one}"
        );
        // Its public fields are published with it (the applicant, not public, is not), in JSON
        // and in XML.
        let (_, ext) = json_of(&t, &format!("/open311/v2/requests/{id}.json?extensions=true")).await;
        let attributes: Vec<(&str, &str)> = ext[0]["extended_attributes"]["attributes"]
            .as_array()
            .expect("attributes")
            .iter()
            .map(|a| (a["code"].as_str().unwrap(), a["value"].as_str().unwrap()))
            .collect();
        assert_eq!(attributes, [("goods", "produce"), ("area_m2", "4.5"), ("hours", "每日 6:00–9:00")], "{db}");
        let (_, x) = xml_of(&t, &format!("/open311/v2/requests/{id}.xml?extensions=true")).await;
        assert!(x.contains("<attribute><code>goods</code><value>produce</value></attribute>"), "{db}: {x}");
        assert!(!x.contains("赵") && !ext.to_string().contains("赵"), "{db}: the applicant is not public");
    }
}
