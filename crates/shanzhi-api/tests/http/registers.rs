//! The registers of the grid (一标三实) on SQLite and PostgreSQL: a grid worker registers a person
//! in their community, the record is masked for everyone but the roles the register names (each
//! unmasking audited), a neighbour's worker and a department see nothing of it, a change made from
//! an old version loses, every version is kept with who made it, and a removal keeps the record.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{T, setups};

const GRID: &str = "130202001001001";
const ID_NUMBER: &str = "11010519491231002X";

async fn list(t: &T, user: &str, query: &str) -> Value {
    let (s, v) = t.call("GET", &format!("/api/v1/registers/person/records?{query}"), Some(user), None, None).await;
    assert_eq!(s, StatusCode::OK, "{}: {user}: {query}: {v}", t.db);
    v
}

/// Whether a list (at most 200 of it, which the queries here stay under) holds the record.
async fn holds(t: &T, user: &str, query: &str, id: &str) -> bool {
    let v = list(t, user, &format!("{query}&page_size=200")).await;
    assert!(v["total"].as_u64().unwrap() <= 200, "{}: {query} is too wide for this check", t.db);
    v["items"].as_array().unwrap().iter().any(|r| r["id"] == id)
}

/// The due visit of a record in a list of visits due, if it is there.
async fn due_of(t: &T, user: &str, query: &str, id: &str) -> Option<Value> {
    let (s, v) = t.call("GET", &format!("/api/v1/visits?{query}&page_size=200"), Some(user), None, None).await;
    assert_eq!(s, StatusCode::OK, "{}: {user}: {query}: {v}", t.db);
    assert!(v["total"].as_u64().unwrap() <= 200, "{}: {query} is too wide for this check", t.db);
    assert!(v["overdue"].as_u64() <= v["total"].as_u64(), "{}: {v}", t.db);
    v["items"].as_array().unwrap().iter().find(|d| d["record"]["id"] == id).cloned()
}

#[tokio::test]
async fn a_person_is_registered_masked_changed_with_history_and_removed() {
    for t in setups("registers").await {
        let db = t.db.clone();
        // The registers a grid worker keeps, each with its fields and special groups.
        let (s, regs) = t.call("GET", "/api/v1/registers", Some("lixin-wangge"), None, None).await;
        assert_eq!(s, StatusCode::OK, "{db}: {regs}");
        let keys: Vec<&str> = regs.as_array().unwrap().iter().map(|r| r["register"].as_str().unwrap()).collect();
        assert_eq!(keys, ["house", "org", "person"], "{db}");
        let person = regs.as_array().unwrap().iter().find(|r| r["register"] == "person").unwrap();
        assert_eq!((person["may_write"].as_bool(), person["may_unmask"].as_bool()), (Some(true), Some(false)), "{db}");
        assert!(
            person["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["key"] == "elderly_alone" && t["visit_every"]["value"] == 168)
        );
        // Residents and devices are not staff; nobody must log in.
        for (user, want) in [(Some("jumin"), StatusCode::FORBIDDEN), (None, StatusCode::UNAUTHORIZED)] {
            let (s, _) = t.call("GET", "/api/v1/registers", user, None, None).await;
            assert_eq!(s, want, "{db}: {user:?}");
        }

        // The demo's own records are there already; what follows is measured against them.
        let before = list(&t, "lixin-wangge", "").await["total"].as_u64().unwrap();
        assert!(before > 0, "{db}: the demo registers the community's people");
        let body = json!({
            "grid": GRID,
            "fields": {
                "person": {"name": "王秀兰", "phone": "１３８-1234-5678", "id_number": "11010519491231002x"},
                "residence": "registered", "address": "3号楼2单元501室", "gender": "female",
                "notes": "女儿电话 13900001111，每周来一次"
            },
            "tags": ["elderly_alone", "very_old"]
        });
        // Bad input names the field, in both languages, and writes nothing.
        let mut bad = body.clone();
        bad["fields"]["person"]["id_number"] = json!("110105194912310021");
        let (s, e) = t.call("POST", "/api/v1/registers/person/records", Some("lixin-wangge"), Some(bad), None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{db}: {e}");
        assert_eq!(e["details"]["field"], "fields.person.id_number", "{db}: {e}");
        assert!(e["details"]["message_zh"].as_str().unwrap().contains("身份证号"), "{db}: {e}");
        let mut bad = body.clone();
        bad["tags"] = json!(["vip"]);
        let (s, e) = t.call("POST", "/api/v1/registers/person/records", Some("lixin-wangge"), Some(bad), None).await;
        assert_eq!((s, e["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("tags")), "{db}: {e}");
        assert_eq!(list(&t, "lixin-wangge", "").await["total"], before, "{db}: nothing half-written");
        // A grid outside the worker's community, and one that does not exist.
        let mut elsewhere = body.clone();
        elsewhere["grid"] = json!("130202001002001");
        let (s, _) =
            t.call("POST", "/api/v1/registers/person/records", Some("lixin-wangge"), Some(elsewhere), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}");
        let mut nowhere = body.clone();
        nowhere["grid"] = json!("130202001001999");
        let (s, _) =
            t.call("POST", "/api/v1/registers/person/records", Some("lixin-wangge"), Some(nowhere), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{db}");

        let (s, rec) = t.call("POST", "/api/v1/registers/person/records", Some("lixin-wangge"), Some(body), None).await;
        assert_eq!(s, StatusCode::CREATED, "{db}: {rec}");
        let id = rec["id"].as_str().unwrap().to_string();
        assert_eq!(rec["label"], "王*兰", "{db}");
        assert_eq!(rec["tags"], json!(["elderly_alone", "very_old"]), "{db}");
        assert!(rec["place_name"].as_str().unwrap().contains("立新"), "{db}: {rec}");
        let text = rec.to_string();
        for secret in ["秀", "12345678", "1949123", "00001111"] {
            assert!(!text.contains(secret), "{db}: {secret} shows in {text}");
        }

        // Lists: by tag and by a filter field's value, inside the caller's areas only.
        assert_eq!(list(&t, "lixin-wangge", "").await["total"], before + 1, "{db}");
        let area = format!("area={GRID}&tag=elderly_alone");
        assert!(holds(&t, "lixin-wangge", &area, &id).await, "{db}");
        assert!(!holds(&t, "lixin-wangge", &format!("area={GRID}&tag=disabled"), &id).await, "{db}");
        assert!(holds(&t, "lixin-wangge", &format!("{area}&facet=residence%3Dregistered"), &id).await, "{db}");
        assert!(!holds(&t, "lixin-wangge", &format!("{area}&facet=residence%3Dmigrant"), &id).await, "{db}");
        assert!(holds(&t, "xueyuan-jiedao", &area, &id).await, "{db}: the street sees it");
        assert_eq!(list(&t, "xinyi-wangge", &area).await["total"], 0, "{db}: the neighbour's worker does not");
        for q in ["facet=person%3Dx", "tag=vip", "area=13", "page_size=201"] {
            let (s, e) =
                t.call("GET", &format!("/api/v1/registers/person/records?{q}"), Some("lixin-wangge"), None, None).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{db}: {q}: {e}");
        }
        let (s, _) =
            t.call("GET", &format!("/api/v1/registers/person/records/{id}"), Some("xinyi-wangge"), None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{db}");
        let (s, _) = t.call("GET", "/api/v1/registers/person/records", Some("lubei-chengguan"), None, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}: a department has no register");
        let (s, e) = t.call("GET", "/api/v1/registers/people/records", Some("lixin-wangge"), None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{db}: {e}");

        // Whole only for the roles the register names, and audited.
        let uri = format!("/api/v1/registers/person/records/{id}?unmask=true");
        let (s, _) = t.call("GET", &uri, Some("lixin-wangge"), None, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}");
        let (s, whole) = t.call("GET", &uri, Some("lixin-juweihui"), None, None).await;
        assert_eq!(s, StatusCode::OK, "{db}: {whole}");
        assert_eq!(whole["fields"]["person"]["id_number"], ID_NUMBER, "{db}");
        assert_eq!(whole["fields"]["person"]["phone"], "13812345678", "{db}");
        assert_eq!(whole["label"], "王秀兰", "{db}");
        let (_, audit) =
            t.call("GET", "/api/v1/admin/audit?action=register.unmask&limit=10", Some("admin"), None, None).await;
        let entries = audit["items"].as_array().unwrap_or_else(|| panic!("{db}: {audit}"));
        assert!(
            entries.iter().any(|e| e["actor"] == "lixin-juweihui" && e["target"].as_str().unwrap().contains(&id)),
            "{db}: {audit}"
        );

        // A change from the version read; a second change from the same version loses.
        let change = json!({"version": 1, "fields": {"address": "5号楼1单元101室"}, "tags": ["elderly_alone"]});
        let uri = format!("/api/v1/registers/person/records/{id}");
        let (s, v2) = t.call("PATCH", &uri, Some("lixin-juweihui"), Some(change.clone()), None).await;
        assert_eq!((s, v2["version"].as_i64()), (StatusCode::OK, Some(2)), "{db}: {v2}");
        let (s, e) = t.call("PATCH", &uri, Some("lixin-wangge"), Some(change), None).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{db}: {e}");
        let (s, e) = t
            .call("PATCH", &uri, Some("lixin-wangge"), Some(json!({"version": 2, "fields": {"residence": null}})), None)
            .await;
        assert_eq!(
            (s, e["details"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("fields.residence")),
            "{db}: {e}"
        );
        let (s, e) = t.call("PATCH", &uri, Some("lixin-dangzhibu"), Some(json!({"version": 2})), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}: the party branch reads, it does not keep: {e}");

        let (s, h) = t.call("GET", &format!("{uri}/history"), Some("lixin-wangge"), None, None).await;
        assert_eq!(s, StatusCode::OK, "{db}: {h}");
        let h = h.as_array().unwrap();
        assert_eq!(h.len(), 2, "{db}");
        assert_eq!(
            (h[0]["action"].as_str(), h[0]["actor_name"].as_str()),
            (Some("create"), Some("网格员 孙杰")),
            "{db}"
        );
        assert_eq!(h[1]["changed"], json!(["address", "tags"]), "{db}: {h:?}");
        assert_eq!(h[1]["actor_name"], "立新东楼社区居委会 吴丽", "{db}");
        assert!(!serde_json::to_string(h).unwrap().contains("1949123"), "{db}: the history is masked");

        // A removal keeps the record, with its reason, among the removed.
        let (s, e) = t
            .call(
                "POST",
                &format!("{uri}/remove"),
                Some("lixin-wangge"),
                Some(json!({"version": 2, "reason": " "})),
                None,
            )
            .await;
        assert_eq!((s, e["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("reason")), "{db}: {e}");
        let (s, gone) = t
            .call(
                "POST",
                &format!("{uri}/remove"),
                Some("lixin-wangge"),
                Some(json!({"version": 2, "reason": "迁往外地，新电话13800138000"})),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{db}: {gone}");
        let reason = gone["removed_reason"].as_str().unwrap_or_default();
        assert!(gone["removed_at"].is_string() && reason.starts_with("迁往外地"), "{db}: {gone}");
        assert!(!reason.contains("00138000"), "{db}: the reason is masked: {reason}");
        assert!(!holds(&t, "lixin-wangge", &area, &id).await, "{db}");
        assert!(holds(&t, "lixin-wangge", &format!("{area}&removed=true"), &id).await, "{db}");
        let (s, _) = t.call("PATCH", &uri, Some("lixin-wangge"), Some(json!({"version": 3})), None).await;
        assert_eq!(s, StatusCode::CONFLICT, "{db}: a removed record is not changed");
    }
}

/// The visits a grid worker owes (走访): a person tagged 独居老人 is due a week after being
/// registered, late after that, and a visit moves the plan on a week from when it was made; the
/// late visit is counted late, a tag without a plan has none, and nothing shows outside the
/// worker's community.
#[tokio::test]
async fn special_groups_are_visited_on_their_plan_and_a_missed_visit_is_late() {
    for t in setups("register_visits").await {
        let db = t.db.clone();
        let body = json!({
            "grid": GRID,
            "fields": {"person": {"name": "赵桂芝"}, "residence": "registered", "address": "7号楼1单元302室"},
            "tags": ["elderly_alone", "veteran"]
        });
        let (s, rec) = t.call("POST", "/api/v1/registers/person/records", Some("lixin-wangge"), Some(body), None).await;
        assert_eq!(s, StatusCode::CREATED, "{db}: {rec}");
        let id = rec["id"].as_str().unwrap().to_string();
        let registered = t.app.clock().now();

        let mine = format!("register=person&area={GRID}");
        let item = due_of(&t, "lixin-wangge", &mine, &id).await.unwrap_or_else(|| panic!("{db}: not due"));
        assert_eq!(
            (item["tag"].as_str(), item["tag_name_zh"].as_str()),
            (Some("elderly_alone"), Some("独居老人")),
            "{db}"
        );
        assert_eq!((item["record"]["label"].as_str(), item["overdue"].as_bool()), (Some("赵*芝"), Some(false)), "{db}");
        let due_at: chrono::DateTime<chrono::Utc> = item["due_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(due_at - registered, chrono::Duration::hours(168), "{db}");
        let planned = |tag: &str| item["tag"] == tag;
        assert!(!planned("veteran"), "{db}: a tag without a plan is never due");
        assert!(
            due_of(&t, "lixin-wangge", &format!("{mine}&within_days=3"), &id).await.is_none(),
            "{db}: not within 3 days"
        );
        assert!(due_of(&t, "xinyi-wangge", &mine, &id).await.is_none(), "{db}: not the neighbour's");
        assert!(due_of(&t, "xueyuan-jiedao", &mine, &id).await.is_some(), "{db}: the street sees its area's");

        // Eight days on, the visit is late; made now, it counts late and the plan moves on.
        t.clock.advance(chrono::Duration::days(8));
        let late = due_of(&t, "lixin-wangge", &format!("{mine}&within_days=0"), &id).await;
        assert_eq!(late.map(|d| d["overdue"].clone()), Some(json!(true)), "{db}");
        let uri = format!("/api/v1/registers/person/records/{id}/visits");
        for (bad, field) in [
            (json!({"tag": "elderly_alone", "note": "  "}), "note"),
            (json!({"tag": "disabled", "note": "x"}), "tag"),
            (json!({"tag": "vip", "note": "x"}), "tag"),
        ] {
            let (s, e) = t.call("POST", &uri, Some("lixin-wangge"), Some(bad.clone()), None).await;
            assert_eq!((s, e["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{db}: {bad}: {e}");
        }
        let (s, _) =
            t.call("POST", &uri, Some("xinyi-wangge"), Some(json!({"tag": "elderly_alone", "note": "x"})), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{db}: not in the neighbour's area");
        let note = json!({"tag": "elderly_alone", "note": "老人身体尚可，女儿电话 13900001111，已提醒按时服药"});
        let (s, done) = t.call("POST", &uri, Some("lixin-wangge"), Some(note), None).await;
        assert_eq!(s, StatusCode::CREATED, "{db}: {done}");
        assert_eq!(done["on_time"], false, "{db}: a day late");
        let next: chrono::DateTime<chrono::Utc> = done["next_due_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(next - t.app.clock().now(), chrono::Duration::hours(168), "{db}");
        let item = due_of(&t, "lixin-wangge", &mine, &id).await.unwrap_or_else(|| panic!("{db}: no longer planned"));
        assert_eq!((item["overdue"].as_bool(), item["last_visit_at"].is_string()), (Some(false), true), "{db}: {item}");
        // A visit for a tag without a plan is kept and moves nothing.
        let (s, done) =
            t.call("POST", &uri, Some("lixin-wangge"), Some(json!({"tag": "veteran", "note": "慰问"})), None).await;
        assert_eq!(
            (s, done["on_time"].as_bool(), done["next_due_at"].is_null()),
            (StatusCode::CREATED, Some(true), true),
            "{db}"
        );

        let (s, visits) = t.call("GET", &uri, Some("lixin-wangge"), None, None).await;
        assert_eq!(s, StatusCode::OK, "{db}: {visits}");
        let visits = visits.as_array().unwrap();
        assert_eq!(visits.len(), 2, "{db}");
        assert_eq!(
            (visits[1]["tag_name_zh"].as_str(), visits[1]["actor_name"].as_str()),
            (Some("独居老人"), Some("网格员 孙杰"))
        );
        assert!(!visits[1]["note"].as_str().unwrap().contains("00001111"), "{db}: the note is masked");

        // A change to the record made from before the visit leaves the visit standing.
        let (s, _) = t
            .call(
                "PATCH",
                &format!("/api/v1/registers/person/records/{id}"),
                Some("lixin-wangge"),
                Some(json!({"version": 1, "fields": {"address": "7号楼1单元303室"}})),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{db}");
        let item = due_of(&t, "lixin-wangge", &mine, &id).await.unwrap();
        assert_eq!((item["overdue"].as_bool(), item["last_visit_at"].is_string()), (Some(false), true), "{db}: {item}");
        // Untagging ends the plan; removing the record ends it too.
        let (s, _) = t
            .call(
                "PATCH",
                &format!("/api/v1/registers/person/records/{id}"),
                Some("lixin-wangge"),
                Some(json!({"version": 2, "tags": ["veteran"]})),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{db}");
        assert!(due_of(&t, "lixin-wangge", &mine, &id).await.is_none(), "{db}: no plan without the tag");
    }
}

/// A sheet's rows of text (calamine).
fn sheet_rows(bytes: Vec<u8>) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an xlsx workbook");
    let name = wb.sheet_names()[0].clone();
    wb.worksheet_range(&name).unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// A workbook with a stamp row, the header row and these rows.
fn workbook(headers: &[String], rows: &[Vec<&str>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "立新东楼社区 实有人口登记表").unwrap();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(1, c as u16, h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 2, c as u16, *v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

/// The register as the workbook offices keep: exported masked (whole only for the roles the
/// register names, audited), and imported back as new records, all rows or none, every problem
/// named by row and column.
#[tokio::test]
async fn a_register_goes_out_as_a_workbook_and_new_records_come_in_from_one() {
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    for t in setups("register_sheets").await {
        let db = t.db.clone();
        let area = format!("area={GRID}&tag=elderly_alone");
        let (s, ct, bytes) =
            t.fetch(Some("lixin-wangge"), &format!("/api/v1/registers/person/export.xlsx?{area}")).await;
        assert_eq!((s, ct.as_str()), (StatusCode::OK, XLSX), "{db}");
        let rows = sheet_rows(bytes);
        let headers = rows[1].clone();
        assert_eq!(&headers[..3], ["编号", "网格", "网格编码"], "{db}");
        let id_col = headers.iter().position(|h| h == "姓名及证件·身份证号").unwrap();
        let shown = list(&t, "lixin-wangge", &area).await["total"].as_u64().unwrap();
        assert_eq!(rows.len() as u64 - 2, shown, "{db}: one row a record");
        assert!(shown > 0 && rows[2..].iter().all(|r| r[id_col].contains('*')), "{db}: masked: {rows:?}");
        let tags_col = headers.iter().position(|h| h == "标签").unwrap();
        assert!(rows[2..].iter().all(|r| r[tags_col].contains("独居老人")), "{db}: tags by name");
        // Whole, for the residents' committee, audited.
        let (s, _, bytes) =
            t.fetch(Some("lixin-juweihui"), &format!("/api/v1/registers/person/export.xlsx?{area}&unmask=true")).await;
        assert_eq!(s, StatusCode::OK, "{db}");
        let whole = sheet_rows(bytes);
        assert!(whole[2..].iter().all(|r| r[id_col].len() == 18 && !r[id_col].contains('*')), "{db}: {whole:?}");
        let (s, _, _) =
            t.fetch(Some("lixin-wangge"), &format!("/api/v1/registers/person/export.xlsx?{area}&unmask=true")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}");
        let (_, audit) =
            t.call("GET", "/api/v1/admin/audit?action=register.&limit=20", Some("admin"), None, None).await;
        let actions: Vec<&str> =
            audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
        assert!(actions.contains(&"register.export") && actions.contains(&"register.unmask"), "{db}: {actions:?}");

        // Import: the export's headers, new rows (the number empty).
        let col = |h: &str| headers.iter().position(|x| x == h).unwrap_or_else(|| panic!("{h} in {headers:?}"));
        let row = |name: &'static str, id: &'static str, grid: &'static str, tags: &'static str| {
            let mut r = vec![""; headers.len()];
            r[col("网格编码")] = grid;
            r[col("姓名及证件·姓名")] = name;
            r[col("姓名及证件·身份证号")] = id;
            r[col("人口类别")] = "户籍人口";
            r[col("现住地址（楼栋-单元-室）")] = "9号楼1单元101室";
            r[col("标签")] = tags;
            r
        };
        let before = list(&t, "lixin-wangge", "").await["total"].as_u64().unwrap();
        let import = "/api/v1/registers/person/import.xlsx";
        // Three problems, each named by row and column; nothing written.
        let bad = workbook(
            &headers,
            &[
                row("刘桂英", "11010519491231002X", GRID, "独居老人"),
                row("孙德胜", "110105194912310021", GRID, ""),
                row("马秀珍", "110105195001010012", "130202001002001", ""),
                row("周建国", "11010519491231002X", GRID, "外星人"),
            ],
        );
        let (s, e) = t.post_bytes("lixin-wangge", import, XLSX, bad).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rejected")), "{db}: {e}");
        let problems: Vec<(u64, String)> = e["details"]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["feature"].as_u64().unwrap(), p["code"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(
            problems,
            [(4, "姓名及证件·身份证号".to_string()), (5, "网格编码".to_string()), (6, "标签".to_string())],
            "{db}: {e}"
        );
        assert!(e["details"]["problems"][0]["message_zh"].as_str().unwrap().contains("身份证号"), "{db}");
        assert_eq!(list(&t, "lixin-wangge", "").await["total"], before, "{db}: nothing half-imported");

        let good = workbook(
            &headers,
            &[row("刘桂英", "11010519491231002X", GRID, "独居老人"), row("孙德胜", "110105194912310011", GRID, "")],
        );
        let (s, v) = t.post_bytes("lixin-wangge", &format!("{import}?dry_run=true"), XLSX, good.clone()).await;
        assert_eq!((s, v["rows"].as_u64(), v["dry_run"].as_bool()), (StatusCode::OK, Some(2), Some(true)), "{db}: {v}");
        assert_eq!(list(&t, "lixin-wangge", "").await["total"], before, "{db}: a dry run writes nothing");
        let (s, v) = t.post_bytes("lixin-dangzhibu", import, XLSX, good.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}: {v}");
        // A sheet that claims the whole grid of a worksheet is refused without being laid out.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(1, 2, "网格编码").unwrap();
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        let (s, v) = t.post_bytes("lixin-wangge", import, XLSX, book.save_to_buffer().unwrap()).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rejected")), "{db}: {v}");
        let (s, v) = t.post_bytes("lixin-wangge", import, XLSX, b"not a workbook".to_vec()).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rejected")), "{db}: {v}");
        let (s, v) = t.post_bytes("lixin-wangge", import, XLSX, good).await;
        assert_eq!((s, v["rows"].as_u64()), (StatusCode::OK, Some(2)), "{db}: {v}");
        assert_eq!(list(&t, "lixin-wangge", "").await["total"], before + 2, "{db}");
        // The imported elderly woman is on the plan like any record tagged in the pages.
        let (_, due) = t
            .call(
                "GET",
                &format!("/api/v1/visits?register=person&area={GRID}&page_size=200"),
                Some("lixin-wangge"),
                None,
                None,
            )
            .await;
        assert!(due["items"].as_array().unwrap().iter().any(|d| d["record"]["label"] == "刘*英"), "{db}: {due}");
    }
}
