//! The demo's history in the database, on both backends: every generated case and log entry is
//! stored and reads back, and the stored figures equal a recomputation from the stored logs.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use shanzhi_app::App;
use shanzhi_app::cases::CaseFilter;
use shanzhi_app::clock::ManualClock;
use shanzhi_app::stats::StatsQuery;
use shanzhi_domain::cases::figures::recompute;
use shanzhi_domain::demo::DemoConfig;
use shanzhi_domain::demo::history::HistoryConfig;

#[tokio::test]
async fn a_history_loads_reads_back_and_its_figures_add_up() {
    for (db, store) in shanzhi_store::testing::test_stores("history").await {
        let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 29, 2, 0, 0).unwrap()));
        let app = App::open(store, clock).await.unwrap();
        app.load_demo(DemoConfig::default(), Box::new(|_, _, _| {})).await.unwrap();
        let last = Arc::new(std::sync::Mutex::new((0, 0)));
        let seen = last.clone();
        let progress = Box::new(move |_: &'static str, d, t| *seen.lock().unwrap() = (d, t));
        let n = app.load_history(HistoryConfig { cases: 1_500, ..Default::default() }, progress).await.unwrap();
        assert_eq!(n, 1_500, "{db}");
        assert_eq!(*last.lock().unwrap(), (1_500, 1_500), "{db}: progress reached its total");

        let store = app.store();
        let (total, _) = app
            .list_cases(&CaseFilter { limit: 1, ..Default::default() }, &app.actor(Some("admin")).await.unwrap())
            .await
            .unwrap();
        assert_eq!(total, 1_500, "{db}");
        let mut histories = Vec::new();
        let mut offset = 0;
        loop {
            let (_, page) = app
                .list_cases(
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
                let s = store.load_case(v.id).await.unwrap();
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
            .stats(
                &StatsQuery { kind: "event".into(), by: Some("period".into()), ..Default::default() },
                &app.actor(Some("admin")).await.unwrap(),
            )
            .await
            .unwrap();
        assert!(stats.rows.len() >= 12, "{db}: {} months", stats.rows.len());
        assert!(stats.total.counters.closed > 0 && stats.total.rates.on_time_closing.is_some(), "{db}");
    }
}
