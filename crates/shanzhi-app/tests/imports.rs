//! Imports through the application on a real SQLite file: grids from GeoJSON (all or nothing,
//! every problem reported) and new taxonomy versions (old ones kept).

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use shanzhi_app::clock::ManualClock;
use shanzhi_app::reference::shipped;
use shanzhi_app::{App, AppError};
use shanzhi_demo::DemoConfig;
use shanzhi_domain::cases::case::Assignment;
use shanzhi_store::ReferenceKind;

async fn demo_app(name: &str) -> App {
    let store = shanzhi_store::testing::sqlite_store(name).await;
    let app = App::open(store, Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap())))
        .await
        .unwrap();
    app.load_demo(DemoConfig::default(), Box::new(|_, _, _| {})).await.unwrap();
    app
}

fn features(export: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(export).unwrap();
    v["features"].as_array().unwrap().clone()
}

fn collection(features: Vec<Value>) -> String {
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

#[tokio::test]
async fn exported_grids_import_back_and_a_bad_file_imports_nothing() {
    let app = demo_app("grids").await;
    let all = features(&app.reference_data().export_grids());
    assert_eq!(all.len(), 10_727);

    // Re-importing grids unchanged is accepted (they replace themselves).
    let some: Vec<Value> = all[..40].to_vec();
    let done = app.reference_data().import_grids(collection(some.clone())).await.unwrap();
    assert_eq!(done.items, 40);
    assert_eq!(app.store().count_grids().await.unwrap(), 10_727);

    // A file with five different problems, plus one good feature.
    let first = &all[0];
    let mut renamed = first.clone();
    renamed["properties"]["name"] = json!("不该写入");
    let mut overlap = all[1].clone();
    overlap["properties"]["code"] = json!(format!("{}999", &first["properties"]["community"].as_str().unwrap()));
    overlap["geometry"] = first["geometry"].clone(); // same outline as an existing grid
    let bow_tie = json!({"type": "Feature", "properties": {"code": "130202001001998"},
        "geometry": {"type": "Polygon", "coordinates": [[[118.0, 39.0], [118.01, 39.01], [118.01, 39.0], [118.0, 39.01], [118.0, 39.0]]]}});
    let open_ring = json!({"type": "Feature", "properties": {"code": "130202001001997"},
        "geometry": {"type": "Polygon", "coordinates": [[[118.0, 39.0], [118.01, 39.0], [118.01, 39.01], [118.0, 39.01]]]}});
    let unknown = json!({"type": "Feature", "properties": {"code": "130299999999001"},
        "geometry": {"type": "Polygon", "coordinates": [[[117.0, 39.0], [117.01, 39.0], [117.01, 39.01], [117.0, 39.0]]]}});
    let duplicate = json!({"type": "Feature", "properties": {"code": "130202001001998"},
        "geometry": {"type": "Polygon", "coordinates": [[[117.5, 39.0], [117.51, 39.0], [117.51, 39.01], [117.5, 39.0]]]}});
    let bad = collection(vec![renamed, bow_tie, open_ring, unknown, duplicate]);
    let Err(AppError::Rejected { problems }) = app.reference_data().import_grids(bad).await else {
        panic!("the file must be rejected")
    };
    let kinds: Vec<(Option<usize>, &str)> = problems.iter().map(|p| (p.feature, p.kind)).collect();
    assert!(kinds.contains(&(Some(1), "self_intersection")), "{kinds:?}");
    assert!(kinds.contains(&(Some(2), "invalid_ring")), "{kinds:?}");
    assert!(kinds.contains(&(Some(3), "unknown_community")), "{kinds:?}");
    assert!(kinds.contains(&(Some(4), "duplicate_code")), "{kinds:?}");
    // Each problem also says it in Chinese, for the console in zh-CN.
    let zh = |kind: &str| problems.iter().find(|p| p.kind == kind).map(|p| p.message_zh.as_str()).unwrap();
    assert!(zh("self_intersection").contains("外环自相交"), "{}", zh("self_intersection"));
    assert!(zh("invalid_ring").contains("环未闭合（首末两点不同）"), "{}", zh("invalid_ring"));
    assert!(zh("unknown_community").contains("不是已知的社区或村"), "{}", zh("unknown_community"));
    assert!(zh("duplicate_code").contains("已被第 2 个要素使用"), "{}", zh("duplicate_code"));
    let code = first["properties"]["code"].as_str().unwrap().parse().unwrap();
    assert_ne!(app.store().grid(&code).await.unwrap().name, "不该写入", "nothing was written");

    // Overlap with a grid that stays is found once the geometry is sound.
    let Err(AppError::Rejected { problems }) = app.reference_data().import_grids(collection(vec![overlap])).await
    else {
        panic!("overlap must be rejected")
    };
    assert_eq!(problems.iter().map(|p| p.kind).collect::<Vec<_>>(), ["overlap"]);
    assert!(problems[0].message.contains(first["properties"]["code"].as_str().unwrap()));
    assert!(problems[0].message_zh.contains(&format!("与现有网格 {}", first["properties"]["code"].as_str().unwrap())));
    assert_eq!(app.store().count_grids().await.unwrap(), 10_727);

    let Err(AppError::Rejected { problems }) =
        app.reference_data().import_grids("{\"type\": \"Feature\"}".into()).await
    else {
        panic!()
    };
    assert_eq!(problems[0].kind, "syntax");
}

/// A feature for grid `130202001001{k:03}` whose one ring is a circle of `n` positions.
fn circle(k: usize, n: usize) -> Value {
    let mut ring: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / n as f64;
            [118.0 + 0.01 * k as f64 + 0.004 * t.cos(), 39.6 + 0.004 * t.sin()]
        })
        .collect();
    ring.push(ring[0]);
    json!({"type": "Feature", "properties": {"code": format!("130202001001{k:03}")},
        "geometry": {"type": "Polygon", "coordinates": [ring]}})
}

/// Dropping a grid import's future, as axum does when the client goes away or the request times
/// out, stops its checks on the blocking thread. Dropping a runtime waits for its blocking
/// threads, so the time that takes is the time the checks went on.
#[test]
fn a_grid_import_whose_caller_is_gone_stops_its_checks() {
    const FEATURES: usize = 40;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let one = rt.block_on(async {
        let store = shanzhi_store::testing::sqlite_store("grids_cancelled").await;
        let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap()));
        let app = App::open(store, clock).await.unwrap();
        // No divisions: every grid's community is unknown, but every outline is still checked.
        let started = std::time::Instant::now();
        let Err(AppError::Rejected { problems }) =
            app.reference_data().import_grids(collection(vec![circle(1, 2_000)])).await
        else {
            panic!("an unknown community is a problem")
        };
        let one = started.elapsed();
        assert_eq!(problems.iter().map(|p| p.kind).collect::<Vec<_>>(), ["unknown_community"]);

        let file = collection((1..=FEATURES).map(|k| circle(k, 2_000)).collect());
        let gone =
            tokio::time::timeout(std::time::Duration::from_millis(100), app.reference_data().import_grids(file)).await;
        assert!(gone.is_err(), "the import was still checking when its caller gave up");
        one
    });
    let started = std::time::Instant::now();
    drop(rt);
    let stopping = started.elapsed();
    eprintln!("one feature took {one:?}; after the caller was gone the checks went on for {stopping:?}");
    // Checked to the end, the file would take about FEATURES × `one`.
    assert!(stopping * 10 < one * FEATURES as u32, "one feature {one:?}, stopping {stopping:?}");
}

#[tokio::test]
async fn a_city_imports_its_own_taxonomy_as_a_new_version() {
    let app = demo_app("taxonomy").await;
    assert_eq!(app.reference().taxonomy.version, "tangshan-2026.1");
    let mine = shipped::TAXONOMY.replacen("version = \"tangshan-2026.1\"", "version = \"tangshan-2027.1\"", 1);
    let done = app.reference_data().import_taxonomy(&mine).await.unwrap();
    assert_eq!((done.version.as_str(), done.items), ("tangshan-2027.1", 194));
    assert_eq!(app.reference().taxonomy.version, "tangshan-2027.1");
    let versions: Vec<(String, bool)> = app
        .store()
        .references(ReferenceKind::Taxonomy)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.version, r.is_current))
        .collect();
    assert_eq!(versions, [("tangshan-2026.1".to_string(), false), ("tangshan-2027.1".to_string(), true)]);

    let broken = mine.replacen("department = \"", "department = \"no-such-", 1);
    let err = app.reference_data().import_taxonomy(&broken).await.unwrap_err();
    assert!(matches!(err, AppError::Invalid { ref field, .. } if field == "taxonomy"), "{err}");
    assert_eq!(app.reference().taxonomy.version, "tangshan-2027.1", "a rejected file changes nothing");
}

fn point_in(app: &App, community: &str) -> (f64, f64) {
    use geo::InteriorPoint;
    let places = app.places();
    let g = places.grids.iter().find(|g| g.code.as_str().starts_with(community)).unwrap();
    let p = g.shape.interior_point().unwrap();
    (p.x(), p.y())
}

fn report(kind: &str, ty: &str, (lon, lat): (f64, f64), channel: &str) -> shanzhi_app::cases::ReportInput {
    shanzhi_app::cases::ReportInput {
        kind: kind.into(),
        type_code: ty.into(),
        description: "测试".into(),
        lon: Some(lon),
        lat: Some(lat),
        crs: None,
        channel: channel.into(),
        attachments: Vec::new(),
        fields: Default::default(),
    }
}

const TINY_PERMIT: &str = r#"
kind = "stall_permit"
version = "stall-permit-tiny"
name_zh = "占道经营许可（简）"
name_en = "Stall permit (tiny)"
[entry]
default = "applied"
[steps]
intake = { value = 3, unit = "working_days" }
[[state]]
key = "applied"
name_zh = "已申请"
name_en = "Applied"
step = "intake"
[[state]]
key = "done"
name_zh = "办结"
name_en = "Done"
terminal = true
[[action]]
key = "finish"
name_zh = "办结"
name_en = "Finish"
from = ["applied"]
to = "done"
roles = ["street_staff"]
"#;

#[tokio::test]
async fn a_city_imports_a_new_case_kind_and_new_rules_and_they_apply_at_once() {
    let app = demo_app("rules").await;
    let here = point_in(&app, "130202001001");
    let resident = app.actor(None).await.unwrap();

    // A new case kind, a street-stall permit, from the example file: reportable and workable at once.
    let permit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/workflows/examples/stall-permit.toml"
    ))
    .unwrap();
    let done = app.reference_data().import("workflow", &permit).await.unwrap();
    assert_eq!(done.version, "stall-permit-2026.2");
    let application = shanzhi_app::cases::ReportInput {
        fields: serde_json::from_value(json!({
            "applicant": {"name": "赵六", "phone": "13900001111"},
            "goods": "produce",
            "area_m2": 4,
            "hours": "每日 6:00–9:00",
        }))
        .unwrap(),
        ..report("stall_permit", "1005", here, "resident_web")
    };
    let case = app.cases().report(application, &resident, None).await.unwrap();
    assert_eq!(case.state, "applied");
    assert_eq!(case.fields["applicant"], json!({"name": "赵*", "phone": "139****1111"}), "masked");
    let street = app.actor(Some("xueyuan-jiedao")).await.unwrap();
    let accept = shanzhi_domain::cases::engine::Command {
        action: "accept".into(),
        units: Some(Assignment { primary: "130202:urban-management".into(), assisting: vec![] }),
        ..Default::default()
    };
    assert_eq!(app.cases().act(case.id, accept, &street).await.unwrap().state, "surveying");

    // A version of the kind that lacks a state a case is in is refused, and nothing changes.
    let Err(AppError::Invalid { field, message }) = app.reference_data().import("workflow", TINY_PERMIT).await else {
        panic!("a workflow that strands cases must be refused")
    };
    assert_eq!(field, "workflow");
    assert!(message.contains("surveying"), "{message}");
    assert_eq!(app.reference().workflows["stall_permit"].version, "stall-permit-2026.2");

    // Wider duplicate windows: a report 170 m away is not a duplicate before and is one after.
    let first = app.cases().report(report("event", "0602", here, "resident_web"), &resident, None).await.unwrap();
    let away = (here.0 + 0.002, here.1);
    let before = app.cases().report(report("event", "0602", away, "resident_web"), &resident, None).await.unwrap();
    assert_eq!(before.possible_duplicate_of, None);
    let wide = "version = \"wide-2026.2\"\ndefault = { radius_m = 500, window_hours = 72 }\n";
    app.reference_data().import("duplicates", wide).await.unwrap();
    let after = app.cases().report(report("event", "0602", away, "resident_web"), &resident, None).await.unwrap();
    // The anonymous resident may open neither earlier case, so is not told of it; the centre is.
    assert_eq!(after.possible_duplicate_of, None);
    let centre = app.actor(Some("zhiban")).await.unwrap();
    let after = app.cases().detail(after.id, &centre, None).await.unwrap().case;
    assert!([Some(first.id), Some(before.id)].contains(&after.possible_duplicate_of), "{after:?}");
    let versions = app.store().references(ReferenceKind::Duplicates).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| (v.version.as_str(), v.is_current)).collect::<Vec<_>>(),
        [("tangshan-duplicates-2026.1", false), ("wide-2026.2", true)]
    );

    // Routing that names a type the catalogue lacks is refused, naming the rule.
    let bad_routing = "version = \"r2\"\n[[rule]]\nname = \"typo\"\narea = \"130202\"\ntypes = [\"9999\"]\ntarget = \"street_office\"\nreason_zh = \"x\"\nreason_en = \"x\"\n";
    let Err(AppError::Invalid { field, message }) = app.reference_data().import("routing", bad_routing).await else {
        panic!("a routing rule with an unknown type must be refused")
    };
    assert_eq!((field.as_str(), message.contains("typo") && message.contains("9999")), ("routing", true), "{message}");

    // A restart reads what was imported, not the shipped files.
    let again = App::open(app.store().clone(), Arc::new(ManualClock::new(Utc::now()))).await.unwrap();
    let r = again.reference();
    assert_eq!(
        (r.workflows["stall_permit"].version.as_str(), r.duplicates.version.as_str()),
        ("stall-permit-2026.2", "wide-2026.2")
    );
}

/// A database whose event workflow was stored before actions declared what they count (and before
/// kinds declared whether Open311 publishes them): on the next start it is given the shipped
/// counts and Open311 declaration, as a new version, once, and counts and publishes what it did.
#[tokio::test]
async fn a_workflow_stored_before_counts_keeps_counting_after_an_upgrade() {
    use shanzhi_domain::cases::counts::Count;
    let store = shanzhi_store::testing::sqlite_store("counts-upgrade").await;
    let old: String = shipped::WORKFLOWS[0]
        .lines()
        .filter(|l| !l.starts_with("counts = ") && *l != "[open311]" && *l != "catalogue = true")
        .map(|l| if l.starts_with("version = ") { "version = \"event-old\"\n".to_string() } else { format!("{l}\n") })
        .collect();
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap();
    store.put_reference(ReferenceKind::Workflow("event".into()), "event-old", &old, now).await.unwrap();
    let open = || App::open(store.clone(), Arc::new(ManualClock::new(now)));
    let app = open().await.unwrap();
    let wf = &app.reference().workflows["event"];
    assert_eq!(wf.version, "event-old+counts");
    assert_eq!(wf.action("close").unwrap().counts, [Count::Closed]);
    assert_eq!(wf.action("dispatch").unwrap().counts, [Count::Dispatched, Count::Due]);
    assert!(wf.action("request_return").unwrap().counts.is_empty());
    assert!(wf.open311().is_some_and(|d| d.catalogue), "published over Open311 as before");
    drop(app);
    // Once: the next start finds counts and stores nothing new.
    let again = open().await.unwrap();
    assert_eq!(again.reference().workflows["event"].version, "event-old+counts");
    let versions = store.references(ReferenceKind::Workflow("event".into())).await.unwrap();
    assert_eq!(versions.iter().map(|v| v.version.as_str()).collect::<Vec<_>>(), ["event-old", "event-old+counts"]);
}
