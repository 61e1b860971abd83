//! A year of demo history over the shipped data and the demo grids: every case ends in a
//! declared state, every log replays through the engine (and the sweep) to the same case, the
//! rates are believable, the seasons show, and the same seed gives the same history.

mod support;

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use chrono::{Datelike, FixedOffset, Timelike};
use shanzhi_demo::history::{GeneratedCase, HistoryConfig, HistoryInput, HistoryStats, generate_history};
use shanzhi_demo::{demo_units, demo_users};
use shanzhi_domain::calendar::WorkCalendar;
use shanzhi_domain::cases::case::{Channel, NewReport};
use shanzhi_domain::cases::engine::{apply, create};
use shanzhi_domain::cases::routing::{RoutingRules, route};
use shanzhi_domain::cases::sweep::sweep;
use shanzhi_domain::cases::workflow::Workflow;
use shanzhi_domain::org::Departments;
use shanzhi_domain::people::User;
use shanzhi_domain::places::division::{DivisionKind, DivisionTree};
use shanzhi_domain::places::grid::Grid;
use shanzhi_domain::taxonomy::Taxonomy;

struct World {
    workflows: HashMap<String, Workflow>,
    taxonomy: Taxonomy,
    departments: Departments,
    calendar: WorkCalendar,
    tree: DivisionTree,
    grids: Vec<Grid>,
    routing: RoutingRules,
    users: Vec<User>,
}

impl World {
    fn input(&self) -> HistoryInput<'_> {
        HistoryInput {
            workflows: &self.workflows,
            taxonomy: &self.taxonomy,
            departments: &self.departments,
            calendar: &self.calendar,
            tree: &self.tree,
            grids: &self.grids,
            routing: &self.routing,
            users: &self.users,
        }
    }
}

static WORLD: LazyLock<World> = LazyLock::new(|| {
    let departments = support::departments();
    let taxonomy = support::taxonomy(&departments);
    let calendar = support::calendar();
    let tree = support::divisions();
    let routing = support::routing_rules();
    let places = support::demo_places(&tree, &mut |_, _| {});
    let users = demo_users(&demo_units(&tree, &departments));
    let workflows = ["event", "demand"].into_iter().map(support::workflow).map(|wf| (wf.kind.clone(), wf)).collect();
    World { workflows, taxonomy, departments, calendar, tree, grids: places.grids, routing, users }
});

fn generate(cfg: &HistoryConfig) -> (Vec<GeneratedCase>, HistoryStats) {
    let mut out = Vec::with_capacity(cfg.cases);
    let stats = generate_history(&WORLD.input(), cfg, &mut |c| out.push(c)).unwrap();
    (out, stats)
}

static YEAR: LazyLock<(Vec<GeneratedCase>, HistoryStats)> =
    LazyLock::new(|| generate(&HistoryConfig { cases: 20_000, ..HistoryConfig::default() }));

fn utc8() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

/// Re-plays a generated case from its report through the engine and the sweep.
fn replay(w: &World, g: &GeneratedCase) {
    let wf = &w.workflows[&g.case.kind];
    let c = &g.case;
    let first = &g.log[0];
    let report = NewReport {
        type_code: c.type_code,
        channel: c.channel,
        description: c.description.clone(),
        location: c.location,
        grid: c.grid.clone(),
        reporter: c.reporter.clone(),
        fields: Default::default(),
    };
    let (mut case, entry) = create(wf, &w.taxonomy, &w.calendar, report, &first.actor, first.at).unwrap();
    assert_eq!(&entry, first);
    let ty = w.taxonomy.get(&c.type_code).unwrap();
    let community = c.grid.as_ref().map(|g| g.community());
    case.route = Some(route(ty, community.as_ref(), &w.tree, &w.departments, &w.routing));
    assert_eq!(g.commands.len() + 1, g.log.len());
    for (e, command) in g.log[1..].iter().zip(&g.commands) {
        let (next, entry) = match command {
            Some(command) => {
                assert_eq!(command.action, e.action);
                apply(wf, &w.calendar, &case, command, &e.actor, e.at)
                    .unwrap_or_else(|r| panic!("{} in {}: {r}", e.action, case.state))
            }
            None => sweep(wf, &w.calendar, &case, e.at).unwrap().expect("the sweep had something to do"),
        };
        assert_eq!(&entry, e);
        case = next;
    }
    assert_eq!(&case, c);
}

#[test]
fn every_case_ends_in_a_declared_state_and_its_log_replays() {
    let w = &*WORLD;
    let (cases, stats) = &*YEAR;
    assert_eq!(cases.len(), 20_000);
    assert_eq!(stats.cases, 20_000);
    let cfg = HistoryConfig::default();
    let mut actions = HashSet::new();
    for g in cases {
        let wf = &w.workflows[&g.case.kind];
        assert!(wf.state(&g.case.state).is_some(), "{} is a state of {}", g.case.state, wf.kind);
        assert!(g.case.route.is_some() && g.case.grid.is_some() && g.case.location.is_some());
        for (i, e) in g.log.iter().enumerate() {
            assert_eq!(e.seq as usize, i + 1);
            assert!(e.at < cfg.end, "nothing happens after the end");
            if i > 0 {
                assert!(e.at >= g.log[i - 1].at, "the log is in time order");
            }
            actions.insert(e.action.clone());
        }
        replay(w, g);
    }
    // The history uses the workflows' side paths too.
    for a in [
        "self_handle",
        "request_verification",
        "deny",
        "refuse",
        "approve_return",
        "approve_extension",
        "approve_suspension",
        "resume",
        "check_fail",
        "rate",
        "rate_by_phone",
        "whistle",
        "report_in",
        "overdue",
        "answer_directly",
        "accept",
        "urge",
        "reply",
        "call_back",
        "call_back_unreached",
        "request_rehandle",
        "approve_void",
    ] {
        assert!(actions.contains(a), "some case takes `{a}`");
    }
}

#[test]
fn the_rates_are_a_real_citys() {
    let (cases, s) = &*YEAR;
    let (sat, basic, dis) = s.satisfaction_shares();
    let report = format!(
        "结案率 {:.2} %, 按期结案 {:.2} %, 按期处置 {:.2} %, 返工率 {:.2} %, 延期率 {:.2} %, \
         满意 {:.1} % / 基本满意 {:.1} % / 不满意 {:.1} % of {} rated, patrol {:.1} % of events; {s:#?}",
        100.0 * s.closing_rate(),
        100.0 * s.on_time_share(),
        100.0 * s.handled_on_time_share(),
        100.0 * s.rework_share(),
        100.0 * s.extension_share(),
        100.0 * sat,
        100.0 * basic,
        100.0 * dis,
        s.rated(),
        100.0 * s.patrol_share_of_events(),
    );
    println!("{report}");
    assert!((0.75..=0.99).contains(&s.on_time_share()), "{report}");
    assert!((0.90..=0.9999).contains(&s.closing_rate()), "{report}");
    assert!((0.001..=0.05).contains(&s.rework_share()), "{report}");
    assert!((0.0005..=0.03).contains(&s.extension_share()), "{report}");
    assert!(sat >= 0.80 && dis <= 0.1, "{report}");
    assert!(s.rated() > 1_000, "{report}");
    assert!(s.patrol_share_of_events() >= 0.80, "{report}");
    let events = s.by_kind["event"] as f64;
    assert!((0.7..0.9).contains(&(events / s.cases as f64)), "mostly events: {report}");
    for ch in ["patrol", "hotline", "device", "resident_web", "resident_phone", "open311"] {
        assert!(s.by_channel.get(ch).copied().unwrap_or(0) > 0, "some {ch} cases");
    }
    assert!(s.suspensions > 0 && s.returns > 0 && s.extensions > 0);

    // The last days' cases are mostly still open; the first months' are almost all finished.
    let cfg = HistoryConfig::default();
    let recent: Vec<&GeneratedCase> =
        cases.iter().filter(|g| cfg.end - g.case.reported_at < chrono::Duration::hours(12)).collect();
    let open_recent = recent.iter().filter(|g| g.case.closed_at.is_none()).count();
    assert!(open_recent * 2 > recent.len(), "{open_recent} of {} recent cases open", recent.len());
    let early: Vec<&GeneratedCase> =
        cases.iter().filter(|g| cfg.end - g.case.reported_at > chrono::Duration::days(300)).collect();
    let open_early = early.iter().filter(|g| g.case.closed_at.is_none()).count();
    assert!(open_early * 200 < early.len(), "{open_early} of {} early cases open", early.len());
}

#[test]
fn seasons_types_places_and_hours_show() {
    let w = &*WORLD;
    let (cases, s) = &*YEAR;
    let local = |g: &GeneratedCase| g.case.reported_at.with_timezone(&utc8());
    let code = |g: &GeneratedCase| g.case.type_code.to_string();

    // Snow and ice only in winter, standing water only in July and August, heating failures only
    // in the heating season.
    let winter = |m: u32, d: u32| (m, d) >= (11, 15) || (m, d) <= (3, 15);
    let mut seen = HashMap::<&str, usize>::new();
    for g in cases {
        let t = local(g);
        let (m, d) = (t.month(), t.day());
        match code(g).as_str() {
            "0907" => {
                assert!(winter(m, d), "道路积雪结冰 on {t}");
                *seen.entry("snow").or_default() += 1;
            }
            "0906" => {
                assert!((7..=8).contains(&m), "道路积水 on {t}");
                *seen.entry("rain").or_default() += 1;
            }
            "0914" => {
                assert!(winter(m, d), "供暖中断 on {t}");
                *seen.entry("heating").or_default() += 1;
            }
            _ => {}
        }
    }
    assert!(seen.get("snow").copied().unwrap_or(0) > 20 && seen.get("rain").copied().unwrap_or(0) > 20, "{seen:?}");
    assert!(seen.get("heating").copied().unwrap_or(0) > 50, "{seen:?}");
    // Rubbish, odours, barbecues and street trading peak in summer.
    let summer_types = ["0602", "0619", "0618", "1011", "1004", "1009"];
    let in_months = |months: &[u32]| {
        cases.iter().filter(|g| summer_types.contains(&code(g).as_str()) && months.contains(&local(g).month())).count()
    };
    let (summer, winter_n) = (in_months(&[6, 7, 8]), in_months(&[12, 1, 2]));
    assert!(summer as f64 > 1.3 * winter_n as f64, "summer {summer}, winter {winter_n}");

    // A few types dominate.
    let mut counts: Vec<u64> = s.by_type.values().copied().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let top5: u64 = counts.iter().take(5).sum();
    assert!(top5 as f64 > 0.3 * s.cases as f64, "top five types: {top5}");
    assert!(counts.len() > 100, "most types occur: {}", counts.len());

    // More cases per grid in the city than in villages.
    let urban: HashSet<String> = w
        .grids
        .iter()
        .filter(|g| w.tree.get(&g.community()).is_some_and(|d| d.kind == DivisionKind::Community))
        .map(|g| g.code.to_string())
        .collect();
    let in_urban = cases.iter().filter(|g| urban.contains(g.case.grid.as_ref().unwrap().as_str())).count();
    let per_urban = in_urban as f64 / urban.len() as f64;
    let per_rural = (cases.len() - in_urban) as f64 / (w.grids.len() - urban.len()) as f64;
    assert!(per_urban > 2.0 * per_rural, "per urban grid {per_urban:.2}, per rural grid {per_rural:.2}");

    // Patrols in the daytime, the hotline around the clock.
    let by = |ch: Channel| cases.iter().filter(move |g| g.case.channel == ch).map(local);
    let patrol: Vec<_> = by(Channel::Patrol).collect();
    let daytime = patrol.iter().filter(|t| (8..18).contains(&t.hour())).count();
    assert!(daytime as f64 > 0.85 * patrol.len() as f64, "{daytime} of {} patrol reports by day", patrol.len());
    let hotline: Vec<_> = by(Channel::Hotline).collect();
    let night = hotline.iter().filter(|t| t.hour() < 6 || t.hour() >= 22).count();
    assert!(night > 0 && (night as f64) < 0.25 * hotline.len() as f64, "{night} of {} calls at night", hotline.len());
    // Fewer patrol reports at weekends.
    let weekend = patrol.iter().filter(|t| t.weekday().number_from_monday() >= 6).count();
    assert!((weekend as f64) < 0.2 * patrol.len() as f64, "{weekend} of {} patrol reports at weekends", patrol.len());
    // Every case lies in its grid.
    let shapes: HashMap<&str, &Grid> = w.grids.iter().map(|g| (g.code.as_str(), g)).collect();
    for g in cases.iter().step_by(50) {
        use geo::Intersects;
        let grid = shapes[g.case.grid.as_ref().unwrap().as_str()];
        let (x, y) = g.case.location.unwrap();
        assert!(grid.shape.intersects(&geo::Point::new(x, y)), "{} at {x},{y}", grid.code);
    }
}

#[test]
fn the_same_seed_gives_the_same_history() {
    let cfg = HistoryConfig { cases: 3_000, ..HistoryConfig::default() };
    let (a, sa) = generate(&cfg);
    let (b, sb) = generate(&cfg);
    assert_eq!(sa, sb);
    assert!(a == b, "same seed, same cases");
    let (c, _) = generate(&HistoryConfig { seed: 7, ..cfg });
    assert!(a != c, "another seed, another history");
}

#[test]
#[ignore = "timing: run with --release -- --ignored --nocapture"]
fn a_full_year_of_370k_cases_is_quick() {
    let input = WORLD.input();
    let cfg = HistoryConfig::default();
    let t = std::time::Instant::now();
    let mut n = 0usize;
    let stats = generate_history(&input, &cfg, &mut |c| n += c.log.len()).unwrap();
    let elapsed = t.elapsed();
    let (sat, basic, dis) = stats.satisfaction_shares();
    println!(
        "{} cases, {} log entries in {:.2} s\n结案率 {:.2} %, 按期结案 {:.2} %, 按期处置 {:.2} %, 返工率 {:.2} %, \
         延期率 {:.2} %, 满意 {:.1} % / 基本满意 {:.1} % / 不满意 {:.1} % of {} rated, patrol {:.1} % of events\n\
         {} whistles, {} sweep notes, {} returns, {} suspensions, {} extensions, {} open at the end\n\
         by channel {:?}\nby month {:?}\nby state {:?}",
        stats.cases,
        n,
        elapsed.as_secs_f64(),
        100.0 * stats.closing_rate(),
        100.0 * stats.on_time_share(),
        100.0 * stats.handled_on_time_share(),
        100.0 * stats.rework_share(),
        100.0 * stats.extension_share(),
        100.0 * sat,
        100.0 * basic,
        100.0 * dis,
        stats.rated(),
        100.0 * stats.patrol_share_of_events(),
        stats.whistles,
        stats.sweep_notes,
        stats.returns,
        stats.suspensions,
        stats.extensions,
        stats.open,
        stats.by_channel,
        stats.by_month,
        stats.by_state,
    );
    let mut top: Vec<(&String, &u64)> = stats.by_type.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1));
    println!("top types {:?}", &top[..15]);
    assert_eq!(stats.cases, 370_000);
    assert!(elapsed.as_secs() < 30, "{elapsed:?}");
}
