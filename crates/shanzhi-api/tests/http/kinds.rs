//! A kind of work that exists only as a file, on SQLite and PostgreSQL: a residents' complaint
//! (居民投诉) with the households it affects, imported by the administrator, is listed with its
//! fields, reported (its fields checked, each problem naming the field), worked to its end,
//! read masked (whole only in an audited unmasking; the resident sees what they gave), searched by
//! the words of its fields, exported with a column per field, and counted in the figures: with no
//! code naming it.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::setups;

/// The kind, as a city would write it. No code anywhere knows its name, states or actions.
const COMPLAINT: &str = r#"
kind = "complaint"
version = "complaint-test-1"
name_zh = "居民投诉"
name_en = "Residents' complaint"

[entry]
default = "lodged"

[steps]
intake = { value = 1, unit = "working_days" }
review = { value = 2, unit = "working_days" }

[[field]]
key = "households"
name_zh = "受影响住户"
name_en = "Affected households"
type = "people"
required = true
max = 10

[[field]]
key = "nuisance"
name_zh = "扰民类型"
name_en = "Nuisance"
type = "choice"
required = true
public = true
choices = [
  { key = "noise", name_zh = "噪声", name_en = "Noise" },
  { key = "smell", name_zh = "异味", name_en = "Smell" },
]

[[field]]
key = "severity"
name_zh = "严重程度"
name_en = "Severity"
type = "choice"
at = ["take_on"]
filter = true
choices = [
  { key = "low", name_zh = "一般", name_en = "Low" },
  { key = "high", name_zh = "严重", name_en = "High" },
]

[[field]]
key = "finding"
name_zh = "处理结果"
name_en = "Finding"
type = "text"
at = ["answer"]
required = true

[[state]]
key = "lodged"
name_zh = "已投诉·待受理"
name_en = "Lodged"
step = "intake"

[[state]]
key = "assigned"
name_zh = "已交办"
name_en = "Assigned"
step = "handling"

[[state]]
key = "answered"
name_zh = "已答复·待审核"
name_en = "Answered"
step = "review"

[[state]]
key = "done"
name_zh = "已办结"
name_en = "Done"
terminal = true

[[action]]
key = "take_on"
name_zh = "受理交办"
name_en = "Take on and assign"
from = ["lodged"]
to = "assigned"
counts = ["filed", "dispatched", "due"]
roles = ["street_staff"]
needs = ["unit"]
effects = ["assign_units"]

[[action]]
key = "answer"
name_zh = "答复"
name_en = "Answer"
from = ["assigned"]
to = "answered"
counts = ["handled"]
roles = ["department_handler"]
party = "assigned_unit"
needs = ["opinion"]

[[action]]
key = "sign_off"
name_zh = "审核办结"
name_en = "Sign off"
from = ["answered"]
to = "done"
counts = ["closed"]
roles = ["street_staff"]
"#;

const XLSX_ROWS: fn(Vec<u8>) -> Vec<Vec<String>> = |bytes| {
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an xlsx workbook");
    let name = wb.sheet_names()[0].clone();
    wb.worksheet_range(&name).unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
};

#[tokio::test]
async fn a_kind_that_is_only_a_file_is_reported_worked_read_searched_exported_and_counted() {
    for t in setups("kinds_file").await {
        let db = t.db.clone();
        // The administrator imports it; it is in force at once, with its fields.
        let bearer = format!("Bearer {}", t.token("admin", false).await);
        let h = [("authorization", bearer.as_str())];
        let (s, _, v) =
            t.text("POST", "/api/v1/admin/reference/workflow", &h, Some(("text/plain", COMPLAINT.to_string()))).await;
        assert_eq!(s, StatusCode::OK, "{db}: {v}");
        let (_, kinds) = t.call("GET", "/api/v1/kinds", None, None, None).await;
        let kind = kinds.as_array().unwrap().iter().find(|k| k["kind"] == "complaint").expect("listed");
        let fields: Vec<(&str, &str, bool)> = kind["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["key"].as_str().unwrap(), f["type"].as_str().unwrap(), f["personal"].as_bool().unwrap()))
            .collect();
        assert_eq!(
            fields,
            [
                ("households", "people", true),
                ("nuisance", "choice", false),
                ("severity", "choice", false),
                ("finding", "text", false)
            ]
        );
        // The OpenAPI document describes its fields as soon as it is in force.
        let (_, doc) = t.call("GET", "/openapi.json", None, None, None).await;
        let schema = &doc["components"]["schemas"]["Fields_complaint"];
        assert_eq!(schema["required"], json!(["households", "nuisance"]), "{db}: {schema}");
        assert_eq!(schema["properties"]["nuisance"]["enum"], json!(["noise", "smell"]), "{db}");
        assert_eq!(schema["properties"]["households"]["items"]["required"], json!(["name"]), "{db}");
        assert!(
            doc["components"]["schemas"]["ReportDto"]["properties"]["fields"]["description"]
                .as_str()
                .unwrap()
                .contains("Fields_complaint")
        );

        // A report without the households, or with a wrong phone, names the field, in both languages.
        let (lon, lat) = t.point_in("130202001001");
        let report = |fields: Value| {
            json!({"kind": "complaint", "type": "0602", "description": "楼下饭店油烟扰民", "lon": lon, "lat": lat,
                   "channel": "resident_web", "fields": fields})
        };
        let (s, e) =
            t.call("POST", "/api/v1/cases", Some("jumin"), Some(report(json!({"nuisance": "smell"}))), None).await;
        assert_eq!(
            (s, e["code"].as_str(), e["details"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_parameter"), Some("fields.households")),
            "{db}: {e}"
        );
        assert!(e["details"]["message_zh"].as_str().unwrap().contains("受影响住户"), "{db}: {e}");
        let bad = json!({"nuisance": "smell", "households": [{"name": "王五", "phone": "1381234"}]});
        let (s, e) = t.call("POST", "/api/v1/cases", Some("jumin"), Some(report(bad)), None).await;
        assert_eq!(
            (s, e["details"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("fields.households[0].phone")),
            "{db}: {e}"
        );
        let (s, e) = t
            .call(
                "POST",
                "/api/v1/cases",
                Some("jumin"),
                Some(report(json!({"nuisance": "smell", "households": [{"name": "王五"}], "finding": "x"}))),
                None,
            )
            .await;
        assert_eq!(
            (s, e["details"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("fields.finding")),
            "{db}: the staff's field"
        );

        // Reported with two households: their personal data is masked in the answer.
        let households = json!([
            {"name": "王小明", "phone": "13812345678", "id_number": "11010519491231002X"},
            {"name": "李四", "phone": "0315-2345678"},
        ]);
        let c = t.report("jumin", report(json!({"nuisance": "smell", "households": households}))).await;
        let id = c["id"].as_str().unwrap().to_string();
        let shown = c["fields"].to_string();
        for whole in ["王小明", "13812345678", "11010519491231002X", "2345678"] {
            assert!(!shown.contains(whole), "{db}: {whole} in {shown}");
        }
        assert!(shown.contains("138****5678"), "{db}: {shown}");
        assert_eq!(c["fields"]["nuisance"], "smell");

        // Worked to its end by the street office and the unit it assigns; the answer must carry
        // the finding, and only the answer may.
        t.act(
            10,
            &id,
            "xueyuan-jiedao",
            json!({"action": "take_on", "units": {"primary": "130202:urban-management"}, "fields": {"severity": "high"}}),
        )
        .await;
        // The staff filter by the staff's field; the resident who reported it may not (the
        // answer would tell them its value), and is told there is no such field for them.
        let (s, v) =
            t.call("GET", "/api/v1/cases?kind=complaint&fields=severity:high", Some("zhiban"), None, None).await;
        assert_eq!((s, v["total"].as_u64()), (StatusCode::OK, Some(1)), "{db}: {v}");
        let (s, e) =
            t.call("GET", "/api/v1/cases?kind=complaint&fields=severity:high", Some("jumin"), None, None).await;
        assert_eq!((s, e["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("fields")), "{db}: {e}");
        let (s, v) =
            t.call("GET", "/api/v1/cases?kind=complaint&fields=nuisance:smell", Some("jumin"), None, None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{db}: nuisance is not declared filter: {v}");
        let (s, e) = t
            .call(
                "POST",
                &format!("/api/v1/cases/{id}/actions"),
                Some("lunan-chengguan"),
                Some(json!({"action": "answer", "opinion": "已处理"})),
                None,
            )
            .await;
        assert_eq!((s, e["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("fields.finding")), "{db}: {e}");
        let answered = t
            .act(
                30,
                &id,
                "lunan-chengguan",
                json!({"action": "answer", "opinion": "已处理", "fields": {"finding": "饭店已加装油烟净化器"}}),
            )
            .await;
        assert_eq!(answered["state"], "answered", "{db}");
        let done = t.act(30, &id, "xueyuan-jiedao", json!({"action": "sign_off"})).await;
        assert_eq!(done["state"], "done", "{db}");

        // The staff read it masked, or whole in an audited unmasking; the resident reads what they
        // gave (masked) and what is public, not the staff's finding.
        let (_, staff) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("zhiban"), None, None).await;
        assert_eq!(staff["fields"]["finding"], "饭店已加装油烟净化器", "{db}: {staff}");
        assert!(!staff["fields"].to_string().contains("13812345678"), "{db}");
        let (s, whole) = t.call("GET", &format!("/api/v1/cases/{id}?unmask=true"), Some("zhiban"), None, None).await;
        assert_eq!(s, StatusCode::OK, "{db}: {whole}");
        assert_eq!(whole["fields"]["households"][0]["id_number"], "11010519491231002X", "{db}");
        let (_, audit) = t.call("GET", "/api/v1/admin/audit?action=pii.unmask", Some("admin"), None, None).await;
        assert!(audit.to_string().contains(&id), "{db}: the unmasking is audited: {audit}");
        let (_, own) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("jumin"), None, None).await;
        let keys: Vec<&String> = own["fields"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["households", "nuisance"], "{db}");

        // Searched by the words of a field; exported with a column per field, masked.
        let (_, found) = t.call("GET", "/api/v1/cases?q=%E5%87%80%E5%8C%96%E5%99%A8", Some("zhiban"), None, None).await;
        assert!(found["items"].as_array().unwrap().iter().any(|c| c["id"] == id.as_str()), "{db}: {found}");
        let (s, _, bytes) = t.fetch(Some("zhiban"), "/api/v1/exports/cases.xlsx?kind=complaint").await;
        assert_eq!(s, StatusCode::OK, "{db}");
        let rows = XLSX_ROWS(bytes);
        let header = &rows[1];
        let col =
            |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{db}: no {name}: {header:?}"));
        let row = rows.iter().find(|r| r[0] == id).expect("exported");
        assert_eq!(row[col("扰民类型")], "异味", "{db}");
        assert_eq!(row[col("处理结果")], "饭店已加装油烟净化器", "{db}");
        assert!(
            row[col("受影响住户")].contains("138****5678") && !row[col("受影响住户")].contains("王小明"),
            "{db}: {row:?}"
        );

        // A new version may not drop (or retype) a field its cases may hold.
        let dropped = COMPLAINT
            .replace("key = \"households\"", "key = \"homes\"")
            .replace("complaint-test-1", "complaint-test-2");
        let (s, _, v) = t.text("POST", "/api/v1/admin/reference/workflow", &h, Some(("text/plain", dropped))).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{db}: {v}");
        assert!(v.contains("field households"), "{db}: {v}");
        // A version that lets the desk filter by a field the cases already hold: their values are
        // filled in the background, and the filter finds the case.
        let (s, v) =
            t.call("GET", "/api/v1/cases?kind=complaint&fields=nuisance:smell", Some("zhiban"), None, None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{db}: not yet a filter field: {v}");
        let filtered = COMPLAINT
            .replacen("public = true\n", "public = true\nfilter = true\n", 1)
            .replace("complaint-test-1", "complaint-test-3");
        let (s, _, v) = t.text("POST", "/api/v1/admin/reference/workflow", &h, Some(("text/plain", filtered))).await;
        assert_eq!(s, StatusCode::OK, "{db}: {v}");
        let mut found = Value::Null;
        for _ in 0..100 {
            let (_, v) =
                t.call("GET", "/api/v1/cases?kind=complaint&fields=nuisance:smell", Some("zhiban"), None, None).await;
            found = v;
            // (The rows are written before the task is struck off: wait for both.)
            if found["total"] == 1 && t.app.store().pending_store_tasks().await.unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(found["items"][0]["id"], id.as_str(), "{db}: {found}");
        assert!(t.app.store().pending_store_tasks().await.unwrap().is_empty(), "{db}: the task is struck off");

        // Counted: reported, filed, dispatched, due, handled (on time), closed, all under the kind.
        let (s, stats) =
            t.call("GET", "/api/v1/stats?kind=complaint&from=2026-03&to=2026-03", Some("zhiban"), None, None).await;
        assert_eq!(s, StatusCode::OK, "{db}: {stats}");
        let c = &stats["total"]["counters"];
        for (name, n) in [
            ("reported", 1),
            ("filed", 1),
            ("dispatched", 1),
            ("due", 1),
            ("handled", 1),
            ("handled_on_time", 1),
            ("closed", 1),
        ] {
            assert_eq!(c[name].as_u64(), Some(n), "{db}: {name} in {c}");
        }
    }
}

/// A desk filters a kind's cases by the values of its own fields: a mediation's kind of dispute
/// (any of several), the sum at stake (a range), in the list and the export; the values follow
/// the steps that change them; a bad condition is a 400 naming `fields`, in both languages; and
/// cases stored before the filter existed get their values when the application opens.
#[tokio::test]
async fn a_kinds_cases_are_filtered_by_the_values_of_its_fields() {
    for t in setups("kinds_filter").await {
        let db = t.db.clone();
        let (lon, lat) = t.point_in("130202001001");
        let mut ids = Vec::new();
        for (dispute, amount, words) in [
            ("neighbours", Some(500), "楼上漏水，邻里协商赔偿"),
            ("family", Some(3000), "赡养费纠纷"),
            ("property", None, "物业费争议"),
        ] {
            let mut fields = json!({"dispute_type": dispute, "parties": [{"name": "张三", "phone": "13900001111"}]});
            if let Some(a) = amount {
                fields["amount"] = json!(a);
            }
            let c = t
                .report(
                    "jumin",
                    json!({"kind": "mediation", "type": "0602", "description": words, "lon": lon, "lat": lat,
                           "channel": "resident_web", "fields": fields}),
                )
                .await;
            ids.push(c["id"].as_str().unwrap().to_string());
        }
        let (neighbours, family, property) = (&ids[0], &ids[1], &ids[2]);
        let listed = |query: &'static str| {
            let t = &t;
            async move {
                let (s, v) =
                    t.call("GET", &format!("/api/v1/cases?kind=mediation&{query}"), Some("zhiban"), None, None).await;
                assert_eq!(s, StatusCode::OK, "{query}: {v}");
                let mut got: Vec<String> =
                    v["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();
                got.sort();
                assert_eq!(v["total"].as_u64(), Some(got.len() as u64), "{query}");
                got
            }
        };
        let sorted = |mut v: Vec<&String>| {
            v.sort();
            v.into_iter().cloned().collect::<Vec<_>>()
        };
        assert_eq!(listed("fields=dispute_type:family|neighbours").await, sorted(vec![neighbours, family]), "{db}");
        assert_eq!(listed("fields=amount:1000..").await, sorted(vec![family]), "{db}");
        assert_eq!(listed("fields=amount:..500").await, sorted(vec![neighbours]), "{db}: both ends included");
        assert_eq!(listed("fields=amount:500..3000").await, sorted(vec![neighbours, family]), "{db}");
        assert!(listed("fields=dispute_type:neighbours,amount:1000..").await.is_empty(), "{db}: every condition holds");
        assert_eq!(listed("fields=dispute_type:property&state=applied").await, sorted(vec![property]), "{db}");

        // The residents' committee accepts the first and finds it a land dispute: the filter follows.
        t.act(10, neighbours, "lixin-juweihui", json!({"action": "accept", "fields": {"dispute_type": "land"}})).await;
        assert_eq!(listed("fields=dispute_type:land").await, sorted(vec![neighbours]), "{db}");
        assert!(listed("fields=dispute_type:neighbours").await.is_empty(), "{db}");
        assert_eq!(listed("fields=amount:..500").await, sorted(vec![neighbours]), "{db}: its other values kept");

        // The export takes the same filter.
        let (s, _, bytes) =
            t.fetch(Some("zhiban"), "/api/v1/exports/cases.xlsx?kind=mediation&fields=amount:1000..").await;
        assert_eq!(s, StatusCode::OK, "{db}");
        let rows = XLSX_ROWS(bytes);
        let exported: Vec<&String> = rows.iter().map(|r| &r[0]).filter(|id| ids.contains(id)).collect();
        assert_eq!(exported, [family], "{db}: {rows:?}");

        // A bad condition names `fields` and says why, in both languages.
        for (query, zh) in [
            ("fields=dispute_type:family", "类别"),
            ("kind=mediation&fields=agreement:yes", "不能用于筛选"),
            ("kind=mediation&fields=parties:x", "不能用于筛选"),
            ("kind=mediation&fields=dispute_type:war", "没有选项"),
            ("kind=mediation&fields=amount:lots", "数字或范围"),
            ("kind=mediation&fields=colour:red", "没有字段"),
        ] {
            let (s, e) = t.call("GET", &format!("/api/v1/cases?{query}"), Some("zhiban"), None, None).await;
            assert_eq!(
                (s, e["code"].as_str(), e["details"]["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some("invalid_parameter"), Some("fields")),
                "{db}: {query}: {e}"
            );
            assert!(e["details"]["message_zh"].as_str().unwrap_or_default().contains(zh), "{db}: {query}: {e}");
        }

        // Only choices, numbers and dates are kept beside the case, never the parties.
        let store = t.app.store();
        let kept = shanzhi_store::testing::raw_strings(store, "SELECT field FROM case_fields").await.unwrap();
        assert!(!kept.is_empty() && kept.iter().all(|f| f == "dispute_type" || f == "amount"), "{db}: {kept:?}");

        // As a store migrated from before the filter: no values kept, the task pending. The
        // application fills them from the sealed bodies when it opens.
        shanzhi_store::testing::execute_raw(store, "DELETE FROM case_fields").await.unwrap();
        shanzhi_store::testing::execute_raw(store, "INSERT INTO store_tasks (name) VALUES ('cases.fields')")
            .await
            .unwrap();
        assert!(listed("fields=amount:1000..").await.is_empty(), "{db}: nothing kept");
        let reopened = shanzhi_app::App::open(store.clone(), t.clock.clone()).await.unwrap();
        assert!(reopened.store().pending_store_tasks().await.unwrap().is_empty(), "{db}");
        assert_eq!(listed("fields=amount:1000..").await, sorted(vec![family]), "{db}");
        assert_eq!(listed("fields=dispute_type:land").await, sorted(vec![neighbours]), "{db}");
    }
}

/// Who may take each action is the staff's to read: the public kinds list names no role.
#[tokio::test]
async fn the_public_kinds_list_keeps_the_grants_to_staff() {
    for t in setups("kinds_grants").await {
        let roles = |v: &Value| -> usize {
            v.as_array()
                .unwrap()
                .iter()
                .flat_map(|k| k["actions"].as_array().unwrap())
                .map(|a| a["roles"].as_array().unwrap().len())
                .sum()
        };
        for user in [None, Some("jumin")] {
            let (s, v) = t.call("GET", "/api/v1/kinds", user, None, None).await;
            assert_eq!((s, roles(&v)), (StatusCode::OK, 0), "{}: {user:?}", t.db);
            assert!(
                v.as_array().unwrap().iter().any(|k| !k["actions"].as_array().unwrap().is_empty()),
                "{}: the actions stay",
                t.db
            );
        }
        let (s, v) = t.call("GET", "/api/v1/kinds", Some("paiqian"), None, None).await;
        assert!(s == StatusCode::OK && roles(&v) > 0, "{}: staff read the grants", t.db);
        let event = v.as_array().unwrap().iter().find(|k| k["kind"] == "event").unwrap();
        let dispatch = event["actions"].as_array().unwrap().iter().find(|a| a["key"] == "dispatch").unwrap();
        assert_eq!(dispatch["roles"], json!(["dispatcher"]), "{}", t.db);
        let urge = event["actions"].as_array().unwrap().iter().find(|a| a["key"] == "urge").unwrap();
        assert!(urge["roles"].as_array().unwrap().contains(&json!("street_staff")), "{}", t.db);
    }
}
