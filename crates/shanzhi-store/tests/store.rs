//! The store suite: every test runs the same checks on SQLite (a temporary file) and on
//! PostgreSQL (a fresh schema per test); see `shanzhi_store::testing`.

use chrono::{TimeZone, Utc};
use geo::{MultiPolygon, polygon};
use shanzhi_domain::ids::DivisionCode;
use shanzhi_domain::people::{Building, GridWorker, Role, Unit, UnitKind, User};
use shanzhi_domain::places::division::{Division, DivisionKind};
use shanzhi_domain::places::grid::{Grid, GridKind, round7};
use shanzhi_store::{PlacesSnapshot, ReferenceKind, Store, StoreError};

async fn stores(test: &str) -> Vec<(String, Store)> {
    shanzhi_store::testing::test_stores(test).await
}

fn code(s: &str) -> DivisionCode {
    s.parse().unwrap()
}

fn square(x: f64, y: f64, s: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s), (x: x, y: y)]])
}

/// Storage keeps seven decimals (about 1 cm).
fn rounded(shape: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::MapCoords;
    shape.map_coords(|c| geo::Coord { x: round7(c.x), y: round7(c.y) })
}

fn snapshot() -> PlacesSnapshot {
    let d = |c: &str, n: &str, k| Division { code: code(c), name: n.into(), kind: k };
    let grid = |c: &str, x: f64| Grid {
        code: c.parse().unwrap(),
        name: format!("网格{c}"),
        kind: GridKind::General,
        shape: square(x, 39.6, 0.01),
    };
    PlacesSnapshot {
        divisions: vec![
            d("1302", "唐山市", DivisionKind::City),
            d("130202", "路南区", DivisionKind::District),
            d("130202001", "学院南路街道", DivisionKind::Subdistrict),
            d("130202001001", "立新东楼社区居民委员会", DivisionKind::Community),
        ],
        grids: vec![grid("130202001001001", 118.15), grid("130202001001002", 118.16)],
        units: vec![Unit {
            id: "130202:urban-management".into(),
            name: "路南区城管局".into(),
            kind: UnitKind::Department,
            area: code("130202"),
            department: Some("urban-management".into()),
        }],
        users: vec![User {
            username: "paiqian".into(),
            display_name: "派遣员".into(),
            role: Role::Dispatcher,
            unit: "130202:urban-management".into(),
            extra_scope: vec!["130203".into(), "130203:urban-management".into()],
        }],
        workers: vec![
            GridWorker {
                id: 1,
                name: "王芳".into(),
                phone: "13800000001".into(),
                grid: "130202001001001".parse().unwrap(),
                full_time: true,
            },
            GridWorker {
                id: 2,
                name: "李强".into(),
                phone: "13800000002".into(),
                grid: "130202001001001".parse().unwrap(),
                full_time: false,
            },
            GridWorker {
                id: 3,
                name: "赵磊".into(),
                phone: "13800000003".into(),
                grid: "130202001001002".parse().unwrap(),
                full_time: true,
            },
        ],
        buildings: vec![Building {
            code: "13020200100100100001".into(),
            grid: "130202001001001".parse().unwrap(),
            name: "1号楼".into(),
            head_name: "周红".into(),
            head_phone: "13900000000".into(),
        }],
    }
}

#[tokio::test]
async fn migrations_are_idempotent() {
    for (db, store) in stores("migrate").await {
        store.migrate().await.unwrap();
        let (applied, pending) = store.migration_status().await.unwrap();
        assert!(!applied.is_empty(), "{db}");
        assert!(pending.is_empty(), "{db}");
        assert_eq!(store.backend(), db);
    }
}

#[tokio::test]
async fn the_schemas_of_ended_test_processes_are_dropped_and_live_ones_kept() {
    use shanzhi_store::testing::{drop_dead_schemas, execute_raw, query_text, sweeps};
    let url = std::env::var("SHANZHI_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    for (db, store) in stores("sweep").await {
        if db != "postgres" || !sweeps(&url) {
            continue;
        }
        // No process has this id (Linux allows at most 2^22), and this process is alive.
        let own = format!("t_{}_sweep_probe", std::process::id());
        let sql = format!(
            "DROP SCHEMA IF EXISTS t_999999999_sweep_probe; CREATE SCHEMA t_999999999_sweep_probe; CREATE SCHEMA {own}"
        );
        execute_raw(&store, &sql).await.unwrap();
        drop_dead_schemas(&store).await;
        let sql =
            "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname LIKE '%sweep_probe'";
        assert_eq!(query_text(&store, sql).await, own, "{db}");
        execute_raw(&store, &format!("DROP SCHEMA {own}")).await.unwrap();
    }
}

#[tokio::test]
async fn places_round_trip() {
    for (db, store) in stores("places").await {
        let s = snapshot();
        let mut calls = 0;
        store
            .replace_places(&s, &mut |done, total| {
                calls += 1;
                assert!(done <= total);
            })
            .await
            .unwrap();
        assert!(calls > 0, "{db}: progress was reported");
        let back = store.load_places().await.unwrap();
        assert_eq!(back.divisions, s.divisions, "{db}");
        assert_eq!(back.grids.len(), 2, "{db}");
        for (a, b) in back.grids.iter().zip(&s.grids) {
            assert_eq!((&a.code, &a.name, a.kind), (&b.code, &b.name, b.kind), "{db}");
            assert_eq!(a.shape, rounded(&b.shape), "{db}: the outline survives storage");
        }
        let counts: Vec<(String, u32, u32)> =
            back.workers_per_grid.iter().map(|(g, f, p)| (g.to_string(), *f, *p)).collect();
        assert_eq!(counts, vec![("130202001001001".into(), 1, 1), ("130202001001002".into(), 1, 0)], "{db}");
        assert_eq!(store.load_units().await.unwrap(), s.units, "{db}");
        assert_eq!(store.load_users().await.unwrap(), s.users, "{db}");
        assert_eq!(store.count_buildings().await.unwrap(), 1, "{db}");
        let w = store.workers_of(&"130202001001001".parse().unwrap()).await.unwrap();
        assert_eq!(w.iter().map(|w| (w.id, w.full_time)).collect::<Vec<_>>(), vec![(1, true), (2, false)], "{db}");
        // Replacing again leaves exactly the new content.
        store.replace_places(&s, &mut |_, _| {}).await.unwrap();
        assert_eq!(store.count_grids().await.unwrap(), 2, "{db}");
    }
}

#[tokio::test]
async fn a_failed_replacement_leaves_the_old_places() {
    for (db, store) in stores("atomic").await {
        store.replace_places(&snapshot(), &mut |_, _| {}).await.unwrap();
        let mut bad = snapshot();
        bad.grids.push(bad.grids[0].clone()); // duplicate primary key
        bad.divisions.truncate(3);
        let err = store.replace_places(&bad, &mut |_, _| {}).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{db}: {err}");
        assert_eq!(store.count_grids().await.unwrap(), 2, "{db}");
        assert_eq!(store.load_divisions().await.unwrap().len(), 4, "{db}");
    }
}

#[tokio::test]
async fn upsert_replaces_by_code_and_adds() {
    for (db, store) in stores("upsert").await {
        store.replace_places(&snapshot(), &mut |_, _| {}).await.unwrap();
        let mut g = snapshot().grids[1].clone();
        g.name = "改名网格".into();
        g.shape = square(118.2, 39.7, 0.02);
        let mut new = g.clone();
        new.code = "130202001001003".parse().unwrap();
        new.shape = square(118.3, 39.7, 0.02);
        store.upsert_grids(&[g.clone(), new]).await.unwrap();
        let grids = store.load_grids().await.unwrap();
        assert_eq!(grids.len(), 3, "{db}");
        let back = store.grid(&g.code).await.unwrap();
        assert_eq!((back.name.as_str(), &back.shape), ("改名网格", &rounded(&g.shape)), "{db}");
        let missing = store.grid(&"130202001001009".parse().unwrap()).await.unwrap_err();
        assert!(matches!(missing, StoreError::NotFound(_)), "{db}");
    }
}

#[tokio::test]
async fn reference_versions_are_kept_and_one_is_current() {
    for (db, store) in stores("reference").await {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let t1 = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        assert!(store.current_reference(ReferenceKind::Taxonomy).await.unwrap().is_none(), "{db}");
        store.put_reference(ReferenceKind::Taxonomy, "v1", "one", t0).await.unwrap();
        store.put_reference(ReferenceKind::Taxonomy, "v2", "two", t1).await.unwrap();
        store.put_reference(ReferenceKind::Calendar, "c1", "cal", t1).await.unwrap();
        let all = store.references(ReferenceKind::Taxonomy).await.unwrap();
        assert_eq!(
            all.iter().map(|r| (r.version.as_str(), r.is_current)).collect::<Vec<_>>(),
            vec![("v1", false), ("v2", true)],
            "{db}"
        );
        assert_eq!(all[0].imported_at, t0, "{db}");
        let err = store.put_reference(ReferenceKind::Taxonomy, "v1", "changed", t1).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{db}");
        store.put_reference(ReferenceKind::Taxonomy, "v1", "one", t1).await.unwrap();
        let cur = store.current_reference(ReferenceKind::Taxonomy).await.unwrap().unwrap();
        assert_eq!((cur.version.as_str(), cur.source.as_str()), ("v1", "one"), "{db}");
        assert_eq!(store.current_reference(ReferenceKind::Calendar).await.unwrap().unwrap().version, "c1", "{db}");

        // A change made from a version puts in force only while that version is in force, and
        // its audit entry is written with it or not at all.
        use shanzhi_domain::audit::AuditEvent;
        let event = |what: &str| vec![AuditEvent::new(t1, "admin", "taxonomy.type", "0602", what)];
        let edits = |store: &shanzhi_store::Store| {
            let store = store.clone();
            async move {
                let q =
                    shanzhi_store::AuditQuery { action: Some("taxonomy.type".into()), limit: 10, ..Default::default() };
                store.audit_page(&q).await.unwrap().into_iter().map(|e| e.detail).collect::<Vec<_>>()
            }
        };
        let stale = store
            .put_reference_guarded(ReferenceKind::Taxonomy, "v3", "three", t1, Some("v2"), event("from v2"))
            .await
            .unwrap_err();
        assert!(matches!(&stale, StoreError::Conflict(m) if m.contains("version v1, not v2")), "{db}: {stale:?}");
        assert_eq!(store.current_reference(ReferenceKind::Taxonomy).await.unwrap().unwrap().version, "v1", "{db}");
        assert!(edits(&store).await.is_empty(), "{db}: no audit entry for what was not written");
        store
            .put_reference_guarded(ReferenceKind::Taxonomy, "v3", "three", t1, Some("v1"), event("from v1"))
            .await
            .unwrap();
        assert_eq!(store.current_reference(ReferenceKind::Taxonomy).await.unwrap().unwrap().version, "v3", "{db}");
        assert_eq!(edits(&store).await, ["from v1"], "{db}");
    }
}

#[tokio::test]
async fn the_audit_chain_holds_under_concurrent_writers_and_shows_any_tampering() {
    use shanzhi_domain::audit::{AuditEvent, Break};
    for (db, store) in stores("audit").await {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 30, 1, 0, 0).unwrap();
        // Twenty writers append at once, through two independent pools (two servers).
        let other = store.open_again().await.unwrap();
        let writes = (0..20).map(|i| {
            let s = if i % 2 == 0 { store.clone() } else { other.clone() };
            async move {
                let events = (0..3)
                    .map(|j| AuditEvent::new(t0, "paiqian", "case.dispatch", format!("{i}-{j}"), "甲 → 乙"))
                    .collect();
                s.audit(events).await
            }
        });
        for r in futures_util::future::join_all(writes).await {
            r.unwrap();
        }
        let report = store.verify_audit(|_| {}).await.unwrap();
        assert_eq!((report.entries, report.broken), (60, None), "{db}");

        // Changing one entry, removing one, or cutting the end is found, at the right place.
        shanzhi_store::testing::execute_raw(&store, "UPDATE audit_log SET detail = '乙 → 甲' WHERE seq = 7")
            .await
            .unwrap();
        assert_eq!(store.verify_audit(|_| {}).await.unwrap().broken, Some(Break::Altered { seq: 7 }), "{db}");
        shanzhi_store::testing::execute_raw(&store, "UPDATE audit_log SET detail = '甲 → 乙' WHERE seq = 7")
            .await
            .unwrap();
        assert_eq!(store.verify_audit(|_| {}).await.unwrap().broken, None, "{db}: restored");
        shanzhi_store::testing::execute_raw(&store, "DELETE FROM audit_log WHERE seq = 30").await.unwrap();
        assert_eq!(
            store.verify_audit(|_| {}).await.unwrap().broken,
            Some(Break::Gap { expected: 30, found: 31 }),
            "{db}"
        );
        shanzhi_store::testing::execute_raw(&store, "DELETE FROM audit_log WHERE seq >= 30").await.unwrap();
        assert_eq!(
            store.verify_audit(|_| {}).await.unwrap().broken,
            Some(Break::Truncated { last: 29, head: 60 }),
            "{db}"
        );
    }
}

#[tokio::test]
async fn rate_windows_count_every_hit_of_every_server_once() {
    for (db, store) in stores("rates").await {
        // Twenty hits at once through two independent pools (two servers): each gets its own count.
        let other = store.open_again().await.unwrap();
        let hits = (0..20).map(|i| {
            let s = if i % 2 == 0 { store.clone() } else { other.clone() };
            async move { s.count_rate_hit("login", "203.0.113.7", 600).await }
        });
        let mut counts: Vec<i64> = futures_util::future::join_all(hits).await.into_iter().map(Result::unwrap).collect();
        counts.sort();
        assert_eq!(counts, (1..=20).collect::<Vec<_>>(), "{db}");
        // Another client, bucket or window counts from 1.
        assert_eq!(store.count_rate_hit("login", "198.51.100.4", 600).await.unwrap(), 1, "{db}");
        assert_eq!(store.count_rate_hit("report", "203.0.113.7", 600).await.unwrap(), 1, "{db}");
        assert_eq!(store.count_rate_hit("login", "203.0.113.7", 660).await.unwrap(), 1, "{db}");
        // Windows before 660 go; the one of 660 stays.
        assert_eq!(store.forget_rate_windows(660).await.unwrap(), 3, "{db}");
        assert_eq!(store.count_rate_hit("login", "203.0.113.7", 660).await.unwrap(), 2, "{db}");
    }
}
