//! Figures kept incrementally equal figures recomputed from the logs: long random histories of
//! many cases (random channels, types from the shipped catalogue, grids across counties and
//! unlocated reports, random actors, actions and time steps), every key compared; and each level
//! of a rolled-up dimension is the sum of the level below.

mod support;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shanzhi_domain::calendar::WorkCalendar;
use shanzhi_domain::cases::case::{Actor, Assignment, Case, Channel, LogEntry, NewReport, Rating, Satisfaction};
use shanzhi_domain::cases::engine::{Command, apply, create};
use shanzhi_domain::cases::figures::{
    ALL, Counted, Counters, FigureKey, NO_UNIT, UNLOCATED, deltas, period_of, recompute,
};
use shanzhi_domain::cases::workflow::Workflow;
use shanzhi_domain::people::Role;
use shanzhi_domain::taxonomy::{Taxonomy, TypeCode};
use shanzhi_domain::time_limit::{TimeLimit, TimeUnit};
use support::actor;

struct World {
    wf: Workflow,
    /// The states that end a case unsolved (taken less often, so that more cases get closed).
    dead_ends: Vec<String>,
    tax: Taxonomy,
    cal: WorkCalendar,
    types: Vec<TypeCode>,
    cast: Vec<Actor>,
}

const UNITS: [&str; 4] =
    ["130202:urban-management", "130203:water-supply", "130202001001:residents_committee", "130202001:street-office"];

/// Grids in three counties, two in one community; `None` is an unlocated report.
const GRIDS: [Option<&str>; 6] = [
    Some("130202001001001"),
    Some("130202001001002"),
    Some("130202002003001"),
    Some("130203001010004"),
    Some("130281001010001"),
    None,
];

/// The shipped world for a kind's workflow. The cast can take every action of the event and
/// demand workflows except the whistle; `whistlers` adds a residents' committee and a street
/// office, who may blow it (吹哨) on an event dispatched to them.
fn world_of(kind: &str, whistlers: bool) -> World {
    let tax = support::taxonomy(&support::departments());
    let types = tax.types.iter().map(|t| t.code).collect();
    let mut cast = vec![
        actor("shouli", Role::IntakeOperator, "1302:command_centre"),
        actor("zhiban", Role::ShiftSupervisor, "1302:command_centre"),
        actor("paiqian", Role::Dispatcher, "1302:command_centre"),
        actor("chengguan", Role::DepartmentHandler, UNITS[0]),
        actor("shuiwu", Role::DepartmentHandler, UNITS[1]),
        actor("wangge", Role::GridWorker, "130202001001:residents_committee"),
        actor("jumin", Role::Resident, "130202001001:residents_committee"),
    ];
    if whistlers || kind == "demand" {
        // Street offices handle 12345 orders (签收、答复); on events they may only whistle.
        cast.push(actor("jiedao", Role::StreetStaff, UNITS[3]));
    }
    if whistlers {
        cast.push(actor("juweihui", Role::ResidentsCommittee, UNITS[2]));
    }
    let dead_ends = vec!["rejected".to_string(), "voided".to_string()];
    World { wf: support::workflow(kind), dead_ends, tax, cal: support::calendar(), types, cast }
}

/// Monday 2026-01-05 09:00 in Tangshan.
fn start() -> DateTime<Utc> {
    support::tangshan(2026, 1, 5, 9, 0)
}

/// One random move: open the next case, or act on one.
#[derive(Debug, Clone, Copy)]
struct Move {
    /// Which case (or, when `open`, which channel/type/grid/reporter).
    pick: u32,
    open: bool,
    action: u32,
    actor: u32,
    payload: u32,
    minutes: i64,
}

/// The history: each case with its log, and the figures kept incrementally.
#[derive(Default)]
struct History {
    cases: Vec<(Case, Vec<LogEntry>)>,
    kept: HashMap<FigureKey, Counters>,
    /// Each entry's case (kind, grid, type), time, and what it counted, as the store keeps them.
    entries: Vec<(Case, DateTime<Utc>, Counted)>,
}

impl History {
    fn keep(&mut self, case: &Case, entry: &LogEntry) {
        let d = deltas(case, entry);
        let keys: std::collections::HashSet<_> = d.iter().map(|(k, _)| k).collect();
        assert_eq!(keys.len(), d.len(), "each key once in the deltas of {}", entry.action);
        for (key, c) in d {
            self.kept.entry(key).or_default().add(&c);
        }
        self.entries.push((case.clone(), entry.at, Counted::of(case, entry)));
    }

    fn play(&mut self, w: &World, at: DateTime<Utc>, m: Move) {
        if m.open || self.cases.is_empty() {
            let p = m.pick as usize;
            let channel = Channel::ALL[p % Channel::ALL.len()];
            let report = NewReport {
                type_code: w.types[(p / 7) % w.types.len()],
                channel,
                description: "随机".into(),
                location: None,
                grid: GRIDS[(p / 3) % GRIDS.len()].map(|g| g.parse().unwrap()),
                reporter: (!p.is_multiple_of(5)).then(|| "jumin".to_string()),
                fields: Default::default(),
            };
            let who = if channel == Channel::Patrol { &w.cast[5] } else { &w.cast[0] };
            if let Ok((case, entry)) = create(&w.wf, &w.tax, &w.cal, report, who, at) {
                self.keep(&case, &entry);
                self.cases.push((case, vec![entry]));
            }
            return;
        }
        // Mostly one of the latest cases, so that cases live through their steps in time.
        let n = self.cases.len();
        let p = m.pick as usize;
        let i = if p.is_multiple_of(8) { p / 8 % n } else { n - 1 - (p / 8) % n.min(3) };
        let case = &self.cases[i].0;
        // Mostly an action the state allows, by someone of a role that may take it.
        // (Urging, which leaves the case where it is, comes only among the random tries below, so
        // that cases move on.)
        let offered: Vec<_> = w.wf.actions().iter().filter(|a| a.from.contains(&case.state) && !a.stays).collect();
        let def = if !m.action.is_multiple_of(5) && !offered.is_empty() {
            // Dead ends (not filed, voided) are taken less often, so more cases get closed.
            let k = m.action as usize % offered.len();
            let dead_end = w.dead_ends.contains(&offered[k].to);
            offered[if dead_end && !m.action.is_multiple_of(4) { (k + 1) % offered.len() } else { k }]
        } else {
            &w.wf.actions()[m.action as usize % w.wf.actions().len()]
        };
        let fit: Vec<_> = w.cast.iter().filter(|a| def.roles.contains(&a.role)).collect();
        let who = if !m.actor.is_multiple_of(6) && !fit.is_empty() {
            fit[m.actor as usize % fit.len()]
        } else {
            &w.cast[m.actor as usize % w.cast.len()]
        };
        let p = m.payload;
        let command = Command {
            action: def.key.clone(),
            opinion: (!p.is_multiple_of(9)).then(|| "意见".to_string()),
            units: (!p.is_multiple_of(11))
                .then(|| Assignment { primary: UNITS[(p as usize / 2) % UNITS.len()].into(), assisting: vec![] }),
            extension: (!p.is_multiple_of(13)).then_some(TimeLimit { value: 1 + p % 3, unit: TimeUnit::WorkingDays }),
            rating: (!p.is_multiple_of(17)).then(|| Rating {
                satisfaction: [Satisfaction::Satisfied, Satisfaction::BasicallySatisfied, Satisfaction::Dissatisfied]
                    [p as usize % 3],
                reason: None,
            }),
            attachments: if !p.is_multiple_of(10) { vec!["p.jpg".into()] } else { vec![] },
            parent: None,
            public: p.is_multiple_of(7),
            fields: Default::default(),
        };
        if let Ok((next, entry)) = apply(&w.wf, &w.cal, case, &command, who, at) {
            self.keep(&next, &entry);
            let (case, log) = &mut self.cases[i];
            *case = next;
            log.push(entry);
        }
    }
}

fn run(w: &World, moves: &[Move]) -> History {
    let mut h = History::default();
    let mut at = start();
    for m in moves {
        at += Duration::minutes(m.minutes);
        h.play(w, at, *m);
    }
    h
}

/// The first keys where two sets of figures differ (at most 5), for a readable failure.
fn differences(a: &HashMap<FigureKey, Counters>, b: &HashMap<FigureKey, Counters>) -> Vec<String> {
    let keys: BTreeMap<&FigureKey, ()> = a.keys().chain(b.keys()).map(|k| (k, ())).collect();
    keys.into_keys()
        .filter(|k| a.get(*k) != b.get(*k))
        .take(5)
        .map(|k| format!("{k:?}:\n  kept     {:?}\n  recomputed {:?}", a.get(k), b.get(k)))
        .collect()
}

/// Rolled-up rows are the sums of the rows below them: `*` units over the units, `*` types over
/// the types, the `*` area over the cities and `unlocated`, each area over its children.
fn roll_ups_add_up(figures: &HashMap<FigureKey, Counters>) -> Result<(), String> {
    let mut by_unit: HashMap<FigureKey, Counters> = HashMap::new();
    let mut by_type: HashMap<FigureKey, Counters> = HashMap::new();
    let mut by_area: HashMap<FigureKey, Counters> = HashMap::new();
    for (k, c) in figures {
        if k.unit != ALL {
            let up = FigureKey { unit: ALL.into(), ..k.clone() };
            by_unit.entry(up).or_default().add(c);
        }
        if k.type_code != ALL {
            let up = FigureKey { type_code: ALL.into(), ..k.clone() };
            by_type.entry(up).or_default().add(c);
        }
        let parent = match k.area.len() {
            _ if k.area == UNLOCATED => Some(ALL.to_string()),
            15 => Some(k.area[..12].to_string()),
            12 => Some(k.area[..9].to_string()),
            9 => Some(k.area[..6].to_string()),
            6 => Some(k.area[..4].to_string()),
            4 => Some(ALL.to_string()),
            _ => None,
        };
        if let Some(area) = parent {
            let up = FigureKey { area, ..k.clone() };
            by_area.entry(up).or_default().add(c);
        }
    }
    for (name, sums) in [("unit", by_unit), ("type", by_type), ("area", by_area)] {
        for (k, sum) in sums {
            if figures.get(&k) != Some(&sum) {
                return Err(format!(
                    "{name} roll-up at {k:?}: rows below add up to {sum:?}, row is {:?}",
                    figures.get(&k)
                ));
            }
        }
    }
    Ok(())
}

fn moves() -> impl Strategy<Value = Vec<Move>> {
    let minutes = prop_oneof![8 => 1i64..60, 2 => 60i64..600, 1 => 600i64..4000];
    let one = (any::<u32>(), 0u32..4, any::<u32>(), any::<u32>(), any::<u32>(), minutes).prop_map(
        |(pick, open, action, actor, payload, minutes)| Move { pick, open: open == 0, action, actor, payload, minutes },
    );
    prop::collection::vec(one, 1..400)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Whatever happens, in whatever order, the figures kept entry by entry equal the figures
    /// recomputed from the logs, at every key, and the roll-ups add up.
    #[test]
    fn kept_figures_equal_figures_recomputed_from_the_logs(
        kind in prop::sample::select(vec!["event", "demand"]),
        moves in moves(),
    ) {
        let w = world_of(kind, false);
        let h = run(&w, &moves);
        let again = recompute(&h.cases);
        let diff = differences(&h.kept, &again);
        prop_assert!(diff.is_empty(), "{}", diff.join("\n"));
        prop_assert!(h.kept.values().all(|c| !c.is_zero()), "no zero rows are kept");
        let reported: u64 = h.kept.iter()
            .filter(|(k, _)| (k.area.as_str(), k.unit.as_str(), k.type_code.as_str()) == (ALL, ALL, ALL))
            .map(|(_, c)| c.reported)
            .sum();
        prop_assert_eq!(reported, h.cases.len() as u64);
        if let Err(e) = roll_ups_add_up(&h.kept) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// The workflow text of a kind with every state and action (and the kind) renamed to opaque
/// words, and the map from old state names to new.
fn renamed(text: &str) -> (String, HashMap<String, String>) {
    let mut doc: toml::Table = text.parse().unwrap();
    let rename = |v: &mut toml::Value, names: &HashMap<String, String>| {
        *v = toml::Value::String(names[v.as_str().unwrap()].clone());
    };
    let states: HashMap<String, String> = doc["state"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, s)| (s["key"].as_str().unwrap().to_string(), format!("zt{}", 97 - i)))
        .collect();
    let actions: HashMap<String, String> = doc["action"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, a)| (a["key"].as_str().unwrap().to_string(), format!("zd{}", 89 - i)))
        .collect();
    doc.insert("kind".into(), toml::Value::String("renamed".into()));
    for (_, v) in doc["entry"].as_table_mut().unwrap().iter_mut() {
        rename(v, &states);
    }
    for s in doc["state"].as_array_mut().unwrap() {
        rename(s.get_mut("key").unwrap(), &states);
    }
    for a in doc["action"].as_array_mut().unwrap() {
        rename(a.get_mut("key").unwrap(), &actions);
        // (An action that stays has no `to`.)
        if let Some(to) = a.get_mut("to") {
            rename(to, &states);
        }
        for from in a.get_mut("from").unwrap().as_array_mut().unwrap() {
            rename(from, &states);
        }
    }
    (toml::to_string(&doc).unwrap(), states)
}

/// The world of a kind whose workflow has every name changed and nothing else.
fn renamed_world_of(kind: &str) -> World {
    let w = world_of(kind, false);
    let text = if kind == "event" { support::EVENT_WORKFLOW } else { support::DEMAND_WORKFLOW };
    let (text, states) = renamed(text);
    let wf = Workflow::from_toml(&text).unwrap();
    assert!(
        wf.actions().iter().all(|a| a.key.starts_with("zd")) && wf.states().iter().all(|s| s.key.starts_with("zt"))
    );
    World { wf, dead_ends: w.dead_ends.iter().filter_map(|s| states.get(s).cloned()).collect(), ..w }
}

/// The figures of a history, filed under one kind name (so that two kinds' can be compared).
fn as_kind(figures: &HashMap<FigureKey, Counters>, kind: &str) -> BTreeMap<FigureKey, Counters> {
    figures.iter().map(|(k, c)| (FigureKey { kind: kind.into(), ..k.clone() }, *c)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// No figure rule names a kind, a state or an action: a copy of a workflow with every name
    /// changed, played the same way, gives the same figures, kept and recomputed.
    #[test]
    fn renaming_every_state_and_action_changes_no_figure(
        kind in prop::sample::select(vec!["event", "demand"]),
        moves in moves(),
    ) {
        let h = run(&world_of(kind, false), &moves);
        let r = run(&renamed_world_of(kind), &moves);
        prop_assert!(r.cases.iter().all(|(c, _)| c.kind == "renamed"));
        prop_assert_eq!(as_kind(&r.kept, kind), as_kind(&h.kept, kind));
        prop_assert_eq!(as_kind(&recompute(&r.cases), kind), as_kind(&h.kept, kind));
    }
}

/// The renamed copy is not a vacuous one: over a long history it counts every counter that the
/// original counts.
#[test]
fn a_renamed_workflow_counts_every_counter_of_the_original() {
    for kind in ["event", "demand"] {
        let total = |w: &World| {
            let mut t = Counters::default();
            for (k, c) in long_history(w).kept {
                if (k.area.as_str(), k.unit.as_str(), k.type_code.as_str()) == (ALL, ALL, ALL) {
                    t.add(&c);
                }
            }
            t
        };
        let original = total(&world_of(kind, false));
        assert_eq!(total(&renamed_world_of(kind)), original);
        assert!(original.named().iter().filter(|(_, n)| *n > 0).count() >= 19, "{kind}: {original:?}");
    }
}

/// One long, seeded history: hundreds of cases over a year.
fn long_history(w: &World) -> History {
    let mut rng = ChaCha8Rng::seed_from_u64(20260305);
    let moves: Vec<Move> = (0..6000)
        .map(|_| {
            let r: u32 = rng.random_range(0..100);
            Move {
                pick: rng.random(),
                open: rng.random_range(0..25) == 0,
                action: rng.random(),
                actor: rng.random(),
                payload: rng.random(),
                minutes: match r {
                    0..80 => rng.random_range(1..30),
                    80..96 => rng.random_range(60..600),
                    _ => rng.random_range(600..3000),
                },
            }
        })
        .collect();
    run(w, &moves)
}

/// The long history checked the same way, making sure every counter is exercised somewhere, so
/// that the equality is not vacuous.
#[test]
fn a_long_history_exercises_every_counter() {
    long_history_of("event", &[]);
}

/// The same for 12345 orders, which are never refused (不予立案) but answered or voided.
#[test]
fn a_long_history_of_12345_orders_exercises_its_counters() {
    long_history_of("demand", &["rejected"]);
}

fn long_history_of(kind: &str, never: &[&str]) {
    let w = world_of(kind, false);
    let h = long_history(&w);
    assert!(h.cases.len() > 150, "{} cases", h.cases.len());
    let again = recompute(&h.cases);
    let diff = differences(&h.kept, &again);
    assert!(diff.is_empty(), "{}", diff.join("\n"));
    roll_ups_add_up(&h.kept).unwrap();

    let mut total = Counters::default();
    let mut periods = std::collections::BTreeSet::new();
    for (k, c) in &h.kept {
        if (k.area.as_str(), k.unit.as_str(), k.type_code.as_str()) == (ALL, ALL, ALL) {
            total.add(c);
            periods.insert(k.period.clone());
        }
    }
    for (name, n) in total.named() {
        assert_eq!(n > 0, !never.contains(&name), "{kind}: {name} counted {n} times: {total:?}");
    }
    assert!(periods.len() >= 6, "months: {periods:?}");
}

/// "The cases behind a figure": for every figure row kept, of every counter, the entries that
/// a case list selects (the case's kind, area and type; the entry's unit; the entry's month, or
/// for `due` its deadline's month; the entry's bit for the counter) are exactly what it counted.
#[test]
fn the_entries_behind_each_figure_are_what_it_counted() {
    for kind in ["event", "demand"] {
        let w = world_of(kind, false);
        let h = long_history(&w);
        let in_area = |case: &Case, area: &str| match (area, &case.grid) {
            (ALL, _) => true,
            (UNLOCATED, g) => g.is_none(),
            (code, Some(g)) => g.as_str().starts_with(code),
            (_, None) => false,
        };
        let mut exercised = std::collections::BTreeSet::new();
        for (key, counters) in &h.kept {
            let mut listed = Counters::default();
            for (case, at, counted) in &h.entries {
                let unit = counted.unit.as_deref().unwrap_or(NO_UNIT);
                if case.kind != key.kind
                    || !in_area(case, &key.area)
                    || !(key.unit == ALL || key.unit == unit)
                    || !(key.type_code == ALL || key.type_code == case.type_code.as_str())
                {
                    continue;
                }
                // What the store's list selects: the bit in the entry's month, `due` by deadline.
                let bits = counted.bits();
                let month = period_of(*at) == key.period;
                let values: Vec<u64> = Counters::FIELDS
                    .iter()
                    .map(|f| u64::from(month && Counters::bit(f).is_some_and(|b| bits & b != 0)))
                    .collect();
                let mut one = Counters::from_values(&values);
                one.due = u64::from(counted.due_at.map(period_of).as_ref() == Some(&key.period));
                listed.add(&one);
            }
            assert_eq!(&listed, counters, "{kind}: {key:?}");
            exercised.extend(counters.named().into_iter().filter(|(_, n)| *n > 0).map(|(f, _)| f));
        }
        assert!(exercised.len() >= 15, "{kind}: only {exercised:?} were exercised");
    }
}

/// With whistles blown: the whistle makes the first summoned unit the case's primary unit, but
/// its log entry does not record the new assignment (`LogEntry::units` is set only by
/// `assign_units`), so the unit of the entries after it cannot be recovered from the log.
#[test]
fn whistled_cases_are_recomputable_from_their_logs() {
    let w = world_of("event", true);
    let mut h = History::default();
    let t0 = start();
    // 乱堆物堆料 (1008), a community matter: dispatched to the residents' committee, who blow the
    // whistle; the street office leads from then on and reports the fix.
    let report = NewReport {
        type_code: "1008".parse().unwrap(),
        channel: Channel::Patrol,
        description: "乱堆物堆料".into(),
        location: None,
        grid: Some(GRIDS[0].unwrap().parse().unwrap()),
        reporter: None,
        fields: Default::default(),
    };
    let (mut case, first) = create(&w.wf, &w.tax, &w.cal, report, &w.cast[5], t0).unwrap();
    h.keep(&case, &first);
    let mut log = vec![first];
    let street_handler = actor("jiedao2", Role::DepartmentHandler, UNITS[3]);
    let to = |unit: &str, action: &str| Command {
        action: action.into(),
        opinion: Some("意见".into()),
        units: Some(Assignment { primary: unit.into(), assisting: vec![] }),
        attachments: vec!["p.jpg".into()],
        ..Command::default()
    };
    let steps = [
        (&w.cast[0], to(UNITS[2], "register")),
        (&w.cast[1], to(UNITS[2], "file")),
        (&w.cast[2], to(UNITS[2], "dispatch")),
        (w.cast.iter().find(|a| a.role == Role::ResidentsCommittee).unwrap(), to(UNITS[3], "whistle")),
        (&street_handler, to(UNITS[3], "feedback")),
    ];
    let mut at = t0;
    for (who, command) in steps {
        at += Duration::minutes(10);
        let (next, entry) = apply(&w.wf, &w.cal, &case, &command, who, at)
            .unwrap_or_else(|e| panic!("{} in {}: {e}", command.action, case.state));
        h.keep(&next, &entry);
        log.push(entry);
        case = next;
    }
    assert_eq!(case.units.as_ref().unwrap().primary, UNITS[3]);
    h.cases.push((case, log));
    let diff = differences(&h.kept, &recompute(&h.cases));
    assert!(diff.is_empty(), "{}", diff.join("\n"));
}
