//! What the dashboards stand on, on SQLite and PostgreSQL: a figure's table exported as a
//! workbook with Chinese headers (names, counters, rates, scores, the total) within the caller's
//! scope and audited, and the drill-down from a figure to the cases behind it (reported or closed
//! in a month).

use crate::support::{T, setups};
use axum::http::StatusCode;
use serde_json::{Value, json};

const PHOTO: &str = "https://evidence.example.org/1.jpg";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn read(bytes: Vec<u8>) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an xlsx workbook");
    let name = wb.sheet_names()[0].clone();
    wb.worksheet_range(&name).unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// A case taken around the whole loop: dispatched to the street office, handled, re-checked on
/// site, closed.
async fn close(t: &T, id: &str) {
    t.act(1, id, "shouli", json!({"action": "register"})).await;
    t.act(1, id, "zhiban", json!({"action": "file"})).await;
    // The dispatcher is offered the units this case may go to, by name, routing's choice first;
    // whoever has no action needing units is offered none.
    let (_, d) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("paiqian"), None, None).await;
    let choices = d["unit_choices"].as_array().unwrap();
    assert_eq!(choices[0]["id"], d["route"]["unit"], "{d}");
    let named = |u: &str| choices.iter().find(|c| c["id"] == u).map(|c| c["name"].as_str().unwrap().to_string());
    assert_eq!(named("130202:urban-management").as_deref(), Some("路南区城市管理综合行政执法局"));
    assert_eq!(named("130202001:street-office").as_deref(), Some("学院南路街道办事处"));
    assert!(named("1302:urban-management").is_some() && named("130202001001:residents_committee").is_some());
    assert!(named("130203:urban-management").is_none(), "no other county's units");
    let (_, d) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("lixin-wangge"), None, None).await;
    assert_eq!(d["unit_choices"], json!([]));
    t.act(1, id, "paiqian", json!({"action": "dispatch", "units": {"primary": "130202001:street-office"}})).await;
    t.act(30, id, "xueyuan-jiedao", json!({"action": "feedback", "opinion": "已清运", "attachments": [PHOTO]})).await;
    t.act(30, id, "lixin-wangge", json!({"action": "check_pass", "attachments": [PHOTO]})).await;
    t.act(5, id, "zhiban", json!({"action": "close"})).await;
}

fn col(rows: &[Vec<String>], header: &str) -> usize {
    rows[1].iter().position(|h| h == header).unwrap_or_else(|| panic!("no column {header}: {:?}", rows[1]))
}

#[tokio::test]
async fn a_figure_table_exports_with_chinese_headers_and_drills_down_to_its_cases() {
    for t in setups("dash_export").await {
        let a = t.patrol("lixin-wangge", "130202001001", "0602").await;
        t.patrol("lixin-wangge", "130202001001", "0602").await;
        t.patrol("qiaotun-wangge", "130203001001", "0602").await;
        close(&t, &a).await;

        // The city's counties this month, as the dashboard's table, then as a workbook.
        let (s, stats) =
            t.call("GET", "/api/v1/stats?by=area&from=2026-03&to=2026-03", Some("zhiban"), None, None).await;
        assert_eq!(s, StatusCode::OK, "{stats}");
        let (s, ct, bytes) =
            t.fetch(Some("zhiban"), "/api/v1/exports/stats.xlsx?by=area&from=2026-03&to=2026-03").await;
        assert_eq!((s, ct.as_str()), (StatusCode::OK, XLSX), "{}", t.db);
        let rows = read(bytes);
        assert!(rows[0][0].contains("值班长 王强（值班长）") && rows[0][0].contains("by=area"), "{:?}", rows[0]);
        assert_eq!((rows[1][0].as_str(), rows[1][1].as_str()), ("区域代码", "名称"));
        let (reported, closed, rate) = (col(&rows, "上报数"), col(&rows, "结案数"), col(&rows, "按期结案率（%）"));
        assert!(rows[1].iter().any(|h| h == "综合得分"));
        let lunan = rows.iter().find(|r| r[0] == "130202").expect("路南区's row");
        assert_eq!(
            (lunan[1].as_str(), lunan[reported].as_str(), lunan[closed].as_str()),
            ("路南区", "2", "1"),
            "{}",
            t.db
        );
        let want = &stats["rows"].as_array().unwrap().iter().find(|r| r["key"] == "130202").unwrap()["rates"]["on_time_closing"];
        assert_eq!(lunan[rate].parse::<f64>().ok(), want.as_f64(), "{}: the rate as the API answers it", t.db);
        let total = rows.last().unwrap();
        assert_eq!((total[0].as_str(), total[reported].as_str()), ("合计", "3"));
        assert_eq!(rows.len(), 2 + stats["rows"].as_array().unwrap().len() + 1, "every row, then the total");

        // The counties month by month, the heat map's one answer: each row an area and a month,
        // and an area's months add up to its row over the same months; the workbook says both.
        let (s, heat) =
            t.call("GET", "/api/v1/stats?by=area_period&from=2026-01&to=2026-03", Some("zhiban"), None, None).await;
        assert_eq!((s, heat["by"].as_str()), (StatusCode::OK, Some("area_period")), "{heat}");
        let (_, whole) =
            t.call("GET", "/api/v1/stats?by=area&from=2026-01&to=2026-03", Some("zhiban"), None, None).await;
        let months: Vec<&Value> = heat["rows"].as_array().unwrap().iter().filter(|r| r["key"] == "130202").collect();
        assert!(!months.is_empty(), "{}: {heat}", t.db);
        assert!(
            months
                .iter()
                .all(|r| r["name"] == "路南区"
                    && matches!(r["period"].as_str(), Some("2026-01" | "2026-02" | "2026-03")))
        );
        let sum: u64 = months.iter().map(|r| r["counters"]["reported"].as_u64().unwrap()).sum();
        let lunan_whole = whole["rows"].as_array().unwrap().iter().find(|r| r["key"] == "130202").unwrap();
        assert_eq!((sum, lunan_whole["counters"]["reported"].as_u64()), (2, Some(2)), "{}", t.db);
        assert!(lunan_whole.get("period").is_none(), "a plain area row has no month");
        // The total's score is the whole area's, whatever the breakdown (its grids are the city's).
        let (_, plain) = t.call("GET", "/api/v1/stats?from=2026-01&to=2026-03", Some("zhiban"), None, None).await;
        for by in [&whole, &heat] {
            assert_eq!(by["total"]["score"]["value"], plain["total"]["score"]["value"], "{}: {by}", t.db);
        }
        let (_, _, book) =
            t.fetch(Some("zhiban"), "/api/v1/exports/stats.xlsx?by=area_period&from=2026-03&to=2026-03").await;
        let book = read(book);
        assert_eq!(book[1][0], "区域代码 月份");
        assert!(book.iter().any(|r| r[0] == "130202 2026-03" && r[1] == "路南区"), "{:?}", &book[..4.min(book.len())]);

        // By unit: the street office by its name; in English on asking.
        let (_, _, units) = t.fetch(Some("zhiban"), "/api/v1/exports/stats.xlsx?by=unit&area=130202&lang=en").await;
        let units = read(units);
        assert_eq!(units[1][0], "Unit");
        let office = units.iter().find(|r| r[0] == "130202001:street-office").expect("the street office's row");
        assert_eq!(office[1], "学院南路街道办事处");

        // Drill-down: the reported figure is the cases reported in the month, the closed figure
        // the cases closed in it.
        let month = "from=2026-02-28T16:00:00Z&to=2026-03-31T16:00:00Z";
        let (_, v) = t.call("GET", &format!("/api/v1/cases?area=130202&{month}"), Some("zhiban"), None, None).await;
        assert_eq!(v["total"].to_string(), lunan[reported], "{}", t.db);
        let closed_in =
            "state=closed&closed_from=2026-02-28T16:00:00Z&closed_to=2026-03-31T16:00:00Z&area=130202".to_string();
        let (_, v) = t.call("GET", &format!("/api/v1/cases?{closed_in}"), Some("zhiban"), None, None).await;
        assert_eq!(
            (v["total"].to_string(), v["items"][0]["id"].clone()),
            (lunan[closed].clone(), Value::from(a.clone()))
        );
        let (_, v) = t.call("GET", "/api/v1/cases?closed_from=2026-04-01T00:00:00Z", Some("zhiban"), None, None).await;
        assert_eq!(v["total"], 0);
        // Any figure a list can reproduce: the cases with an action it counts in the months.
        let row = &stats["rows"].as_array().unwrap().iter().find(|r| r["key"] == "130202").unwrap()["counters"];
        let months = "figure_from=2026-02-28T16:00:00Z&figure_to=2026-03-31T16:00:00Z";
        for figure in ["filed", "dispatched", "handled", "closed"] {
            let uri = format!("/api/v1/cases?kind=event&area=130202&located=true&figure={figure}&{months}");
            let (s, v) = t.call("GET", &uri, Some("zhiban"), None, None).await;
            assert_eq!(s, StatusCode::OK, "{}: {v}", t.db);
            assert_eq!(v["total"], row[figure], "{}: {figure}", t.db);
            assert!(row[figure].as_u64() > Some(0), "{}: no case was {figure}: the check would be empty", t.db);
        }
        let (_, v) = t
            .call("GET", "/api/v1/cases?kind=event&figure=closed&figure_from=2026-04-01T00:00:00Z&figure_to=2026-05-01T00:00:00Z", Some("zhiban"), None, None)
            .await;
        assert_eq!(v["total"], 0, "{}", t.db);
        for (query, field) in [
            ("figure=closed&figure_from=2026-04-01T00:00:00Z&figure_to=2026-03-01T00:00:00Z", "figure_to"),
            ("kind=event&figure=score&figure_from=2026-03-01T00:00:00Z&figure_to=2026-04-01T00:00:00Z", "figure"),
            ("kind=event&figure_unit=130202:urban-management", "figure_unit"),
            ("kind=event&figure=closed", "figure_from"),
        ] {
            let (s, v) = t.call("GET", &format!("/api/v1/cases?{query}"), Some("zhiban"), None, None).await;
            assert_eq!(
                (s, v["details"]["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some(field)),
                "{}: {query}",
                t.db
            );
        }

        // Scope and refusals as for the figures themselves; every export audited.
        let (s, _, _) = t.fetch(Some("xueyuan-jiedao"), "/api/v1/exports/stats.xlsx?area=130203").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, _) = t.fetch(Some("jumin"), "/api/v1/exports/stats.xlsx").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, _) = t.fetch(None, "/api/v1/exports/stats.xlsx").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, _, e) = t.fetch(Some("zhiban"), "/api/v1/exports/stats.xlsx?by=colour").await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&e));
        let (s, _, _) = t.fetch(Some("zhiban"), "/api/v1/exports/stats.xlsx?lang=fr").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let tail = t.app.store().audit_tail(10).await.unwrap();
        // The three workbooks (by area, by area and month, by unit); none for the refusals.
        assert_eq!(tail.iter().filter(|e| e.action == "stats.export" && e.actor == "zhiban").count(), 3, "{tail:?}");
    }
}
