//! The demo's history in the database, on both backends: every generated case and log entry is
//! stored and reads back, and the stored figures equal a recomputation from the stored logs.

use shanzhi_domain::access::DataScope;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use shanzhi_app::App;
use shanzhi_app::cases::CaseFilter;
use shanzhi_app::clock::ManualClock;
use shanzhi_app::stats::StatsQuery;
use shanzhi_demo::history::HistoryConfig;
use shanzhi_domain::cases::figures::recompute;

#[tokio::test]
async fn a_history_loads_reads_back_and_its_figures_add_up() {
    for (db, store) in crate::support::demo_stores("history").await {
        let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 29, 2, 0, 0).unwrap()));
        let app = App::open(store, clock).await.unwrap();
        let last = Arc::new(std::sync::Mutex::new((0, 0)));
        let seen = last.clone();
        let progress = Box::new(move |_: &'static str, d, t| *seen.lock().unwrap() = (d, t));
        let n = app.load_history(HistoryConfig { cases: 1_500, ..Default::default() }, progress).await.unwrap();
        assert_eq!(n, 1_500, "{db}");
        assert_eq!(*last.lock().unwrap(), (1_500, 1_500), "{db}: progress reached its total");

        let store = app.store();
        let (total, _) = app
            .cases()
            .list(&CaseFilter { limit: 1, ..Default::default() }, &app.actor(Some("admin")).await.unwrap())
            .await
            .unwrap();
        assert_eq!(total, 1_500, "{db}");
        let mut histories = Vec::new();
        let mut offset = 0;
        loop {
            let (_, page) = app
                .cases()
                .list(
                    &CaseFilter { limit: 500, offset, ..Default::default() },
                    &app.actor(Some("admin")).await.unwrap(),
                )
                .await
                .unwrap();
            if page.is_empty() {
                break;
            }
            offset += page.len() as u64;
            for v in page {
                let s = store.load_case(v.id, &DataScope::All).await.unwrap();
                let log = store.case_log(&s.county, v.id).await.unwrap();
                assert_eq!(log.len() as u32, s.case.seq, "{db}: case {} has its whole log", v.id);
                histories.push((s.case, log));
            }
        }
        let expected = recompute(&histories);
        let kept: HashMap<_, _> = store.all_figures().await.unwrap().into_iter().collect();
        assert_eq!(kept.len(), expected.len(), "{db}");
        for (k, c) in &expected {
            assert_eq!(kept.get(k), Some(c), "{db}: {k:?}");
        }
        // The year shows in the statistics, month by month.
        let stats = app
            .figures()
            .stats(
                &StatsQuery { kind: "event".into(), by: Some("period".into()), ..Default::default() },
                &app.actor(Some("admin")).await.unwrap(),
            )
            .await
            .unwrap();
        assert!(stats.rows.len() >= 12, "{db}: {} months", stats.rows.len());
        assert!(stats.total.counters.closed > 0 && stats.total.rates.on_time_closing.is_some(), "{db}");
        behind_every_figure(&app, &db).await;
    }
}

/// The first instant of a month (`YYYY-MM`) in Tangshan time, and of the month after it.
fn month_bounds(m: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    let tz = FixedOffset::east_opt(8 * 3600).unwrap();
    let first = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").unwrap();
    let next = first.checked_add_months(chrono::Months::new(1)).unwrap();
    let at = |d: NaiveDate| tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap()).unwrap().with_timezone(&Utc);
    (at(first), at(next))
}

/// The cases behind every figure of every month, of both kinds, and of the busiest unit: a
/// figure counts entries, the list counts cases (each once), so the list never has more; it
/// has some whenever the figure is not zero; and it has exactly as many for the counters that
/// count a case at most once (its report, filing, close and rating).
async fn behind_every_figure(app: &App, db: &str) {
    let admin = app.actor(Some("admin")).await.unwrap();
    let once = [
        "reported",
        "filed",
        "filed_public",
        "closed",
        "closed_on_time",
        "satisfied",
        "basically_satisfied",
        "dissatisfied",
    ];
    let mut checked = 0;
    for kind in ["event", "demand"] {
        let by = |by: &str| StatsQuery { kind: kind.into(), by: Some(by.into()), ..Default::default() };
        let months = app.figures().stats(&by("period"), &admin).await.unwrap().rows;
        let units = app.figures().stats(&by("unit"), &admin).await.unwrap().rows;
        let busiest = units.iter().filter(|r| r.key != "-").max_by_key(|r| r.counters.dispatched).unwrap();
        let rows = months.iter().map(|r| (r, None)).chain([(busiest, Some(busiest.key.clone()))]);
        for (row, unit) in rows {
            let (from, to) = if unit.is_some() {
                (month_bounds(&months[0].key).0, month_bounds(&months.last().unwrap().key).1)
            } else {
                month_bounds(&row.key)
            };
            for (name, figure) in row.counters.named() {
                let acted = app.figures().figure_filter(name, from, to, unit.clone()).unwrap();
                let filter = CaseFilter { kind: Some(kind.into()), acted: Some(acted), limit: 1, ..Default::default() };
                let (listed, _) = app.cases().list(&filter, &admin).await.unwrap();
                let at = format!("{db}: {kind} {} {unit:?} {name}", row.key);
                assert!(listed <= figure, "{at}: {listed} cases for a figure of {figure}");
                assert_eq!(listed > 0, figure > 0, "{at}: {listed} cases for a figure of {figure}");
                if once.contains(&name) {
                    assert_eq!(listed, figure, "{at}");
                }
                checked += usize::from(figure > 0);
            }
        }
    }
    assert!(checked > 300, "{db}: only {checked} figures were not zero");
}
