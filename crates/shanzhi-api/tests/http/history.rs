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
        units_come_sorted_paged_and_found_by_name(&app, &db).await;
        behind_every_figure(&app, &db).await;
    }
}

/// A city's unit breakdown is bounded: sorted by any figure, a page at a time, found by name,
/// and each page is the slice of the whole breakdown in that order.
async fn units_come_sorted_paged_and_found_by_name(app: &App, db: &str) {
    let admin = app.actor(Some("admin")).await.unwrap();
    let ask = |sort: Option<&str>, name: Option<&str>, offset: Option<u32>, limit: Option<u32>| StatsQuery {
        kind: "event".into(),
        by: Some("unit".into()),
        sort: sort.map(Into::into),
        name: name.map(Into::into),
        offset,
        limit,
        ..Default::default()
    };
    let all = app.figures().stats(&ask(None, None, None, None), &admin).await.unwrap();
    assert!(all.rows.len() > 32 && all.rows_total == all.rows.len(), "{db}: {} units", all.rows.len());
    let score = |r: &shanzhi_app::stats::StatRow| r.score.as_ref().map(|s| s.value);
    let mut by_score: Vec<_> = all.rows.clone();
    by_score.sort_by(|a, b| match (score(a), score(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let first = app.figures().stats(&ask(Some("score"), None, None, Some(16)), &admin).await.unwrap();
    let second = app.figures().stats(&ask(Some("score"), None, Some(16), Some(16)), &admin).await.unwrap();
    assert_eq!((first.rows.len(), first.rows_total, second.offset), (16, all.rows.len(), 16), "{db}");
    let keys = |rows: &[shanzhi_app::stats::StatRow]| rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>();
    assert_eq!(keys(&first.rows), keys(&by_score[..16]), "{db}: the lowest scores first");
    assert_eq!(keys(&second.rows), keys(&by_score[16..32]), "{db}: the next page goes on from there");
    assert_eq!(first.total, all.total, "{db}: the total is the whole breakdown's");
    let most = app.figures().stats(&ask(Some("-reported"), None, None, Some(5)), &admin).await.unwrap();
    let reported: Vec<u64> = most.rows.iter().map(|r| r.counters.reported).collect();
    let top = all.rows.iter().map(|r| r.counters.reported).max().unwrap();
    assert!(reported.windows(2).all(|w| w[0] >= w[1]) && reported[0] == top, "{db}: {reported:?}");
    // Found by name: exactly the rows whose name holds the words.
    let found = app.figures().stats(&ask(Some("name"), Some("城市管理"), None, Some(1000)), &admin).await.unwrap();
    let expected = all.rows.iter().filter(|r| r.name.contains("城市管理")).count();
    assert!(expected > 0 && found.rows.len() == expected && found.rows_total == expected, "{db}: {expected}");
    // A bad order, page or name is refused, naming the parameter.
    for (q, field) in [
        (ask(Some("loudest"), None, None, None), "sort"),
        (ask(None, None, None, Some(0)), "limit"),
        (ask(None, None, None, Some(1001)), "limit"),
        (ask(None, Some(&"长".repeat(41)), None, None), "name"),
    ] {
        match app.figures().stats(&q, &admin).await.map_err(shanzhi_app::AppError::untranslated) {
            Err(shanzhi_app::AppError::Invalid { field: f, .. }) => assert_eq!(f, field, "{db}"),
            other => panic!("{db}: {field}: {other:?}"),
        }
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
