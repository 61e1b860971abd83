//! Tests of `assessment`.

use super::*;

const SHIPPED: &str = include_str!("../../../../../../data/assessment/weights.toml");

fn shipped() -> Assessment {
    Assessment::from_toml(SHIPPED).unwrap_or_else(|e| panic!("{e}"))
}

fn round2(x: Option<f64>) -> Option<f64> {
    x.map(|v| (v * 100.0).round() / 100.0)
}

#[test]
fn the_shipped_weights_load_and_sum_to_one() {
    let a = shipped();
    assert_eq!(a.version, "assessment-2026.1");
    let r = &a.region;
    let sum = r.public_report_rate + r.filed + r.closing_rate + r.on_time_closing_rate;
    assert!((sum - 1.0).abs() < 1e-12);
    assert_eq!(a.grades.len(), 5);
}

#[test]
fn the_sources_seventy_percent_region_weights_are_refused() {
    let text = SHIPPED.replace("on_time_closing_rate = 0.40", "on_time_closing_rate = 0.10");
    let Err(AssessmentError::Invalid { problems, .. }) = Assessment::from_toml(&text) else {
        panic!("weights summing to 0.7 must be refused")
    };
    assert!(problems.iter().any(|p| p.contains("region weights sum to 0.7")), "{problems:?}");
}

#[test]
fn broken_bands_and_grades_are_refused_with_every_problem() {
    let text = SHIPPED
        .replace("up_to = 4\nscore = 75", "up_to = 1\nscore = 175")
        .replace("name = \"E\"\nmin = 0", "name = \"E\"\nmin = 50")
        .replace("rework = 0.30 ", "rework = 0.50 ");
    let Err(AssessmentError::Invalid { problems, .. }) = Assessment::from_toml(&text) else {
        panic!("must be refused")
    };
    let all = problems.join("\n");
    for expected in [
        "up_to 1 does not increase",
        "score 175",
        "last grade E must start at 0",
        "grade E (min 50) must be below grade D",
        "department weights sum to",
    ] {
        assert!(all.contains(expected), "missing `{expected}` in:\n{all}");
    }
    assert!(matches!(Assessment::from_toml("version = 1"), Err(AssessmentError::Parse(_))));
}

#[test]
fn tianmen_december_2016() {
    // 立案 996, 应结案 972, 结案 911 (93.72 %), 按期 737 (75.82 %) — docs/domain.md §4.3.
    let c = Counters { filed: 996, due: 972, closed: 911, closed_on_time: 737, ..Counters::default() };
    let r = shipped().rates(&c);
    assert_eq!(round2(r.closing), Some(93.72));
    assert_eq!(round2(r.on_time_closing), Some(75.82));
}

#[test]
fn fuzhou_q2_2022_rework_and_extension_rates() {
    // 返工率 0.11 %, 延期率 0.20 % of 277,924 cases (as counts that give those rates).
    let c = Counters { filed: 277_924, handled: 277_924, rework: 306, extensions: 556, ..Counters::default() };
    let r = shipped().rates(&c);
    assert_eq!(round2(r.rework), Some(0.11));
    assert_eq!(round2(r.extension), Some(0.2));
}

#[test]
fn every_rate_follows_its_formula_and_a_zero_denominator_is_none() {
    let c = Counters {
        filed: 40,
        filed_public: 10,
        due: 50,
        handled: 40,
        handled_on_time: 30,
        closed: 45,
        closed_on_time: 35,
        rework: 4,
        extensions: 2,
        satisfied: 6,
        basically_satisfied: 2,
        dissatisfied: 2,
        ..Counters::default()
    };
    let r = Rates::of(&c, 0.5);
    assert_eq!(r.closing, Some(90.0));
    assert_eq!(r.on_time_closing, Some(70.0));
    assert_eq!(r.handling, Some(80.0));
    assert_eq!(r.on_time_handling, Some(60.0));
    assert_eq!(r.rework, Some(10.0));
    assert_eq!(r.extension, Some(5.0));
    assert_eq!(r.public_report, Some(25.0));
    assert_eq!(r.satisfaction, Some(70.0));
    assert_eq!(Rates::of(&c, 1.0).satisfaction, Some(80.0));
    let empty = Rates::of(&Counters::default(), 1.0);
    assert_eq!(empty, Rates::default());
    assert!(empty.closing.is_none() && empty.satisfaction.is_none());
}

#[test]
fn grades_follow_the_thresholds() {
    let a = shipped();
    for (v, g) in [
        (100.0, "A"),
        (90.0, "A"),
        (89.99, "B"),
        (75.0, "B"),
        (60.0, "C"),
        (59.9, "D"),
        (40.0, "D"),
        (39.99, "E"),
        (0.0, "E"),
    ] {
        assert_eq!(a.grade(v), g, "{v}");
    }
}

#[test]
fn region_composite() {
    let a = shipped();
    // One grid: 2 filed (1 public) → 立案数分值 90, 监督举报率 50 % → 50; 结案率 80 %,
    // 按期结案率 60 %.
    let c = Counters { filed: 2, filed_public: 1, due: 5, closed: 4, closed_on_time: 3, ..Counters::default() };
    let s = a.region(&c, 1).unwrap();
    let expected = 0.1 * 50.0 + 0.2 * 90.0 + 0.3 * 80.0 + 0.4 * 60.0;
    assert!((s.value - expected).abs() < 1e-9, "{}", s.value);
    assert_eq!(s.grade, "C");
    assert_eq!(s.parts[1].score, Some(90.0));
    // The same counts over ten grids: 0.2 per grid → still band 1–2 → 90 (up_to 2); over
    // one grid with 9 filed → 0.
    assert_eq!(a.region(&c, 10).unwrap().parts[1].score, Some(90.0));
    let busy = Counters { filed: 9, ..c };
    assert_eq!(a.region(&busy, 1).unwrap().parts[1].score, Some(0.0));
    // A grid with nothing at all: only 立案数分值 is defined, and it is 100.
    let quiet = a.region(&Counters::default(), 1).unwrap();
    assert_eq!((quiet.value, quiet.grade.as_str()), (100.0, "A"));
    // A month that clears a backlog (rate over 100 %) scores at most 100.
    let backlog = Counters { closed: 8, closed_on_time: 8, ..c };
    assert_eq!(a.region(&backlog, 1).unwrap().parts[2].score, Some(100.0));
}

#[test]
fn department_composite() {
    let a = shipped();
    let c = Counters {
        dispatched: 120,
        due: 100,
        closed: 90,
        handled: 100,
        handled_on_time: 80,
        rework: 5,
        ..Counters::default()
    };
    let s = a.department(&c).unwrap();
    // 立案数分值 75 (≤ 200) × 10 % + 90 × 30 % + 80 × 30 % + 95 × 30 %.
    let expected = 0.1 * 75.0 + 0.3 * 90.0 + 0.3 * 80.0 + 0.3 * 95.0;
    assert!((s.value - expected).abs() < 1e-9, "{}", s.value);
    assert_eq!(s.grade, "B");
    let names: Vec<_> = s.parts.iter().map(|p| p.name).collect();
    assert_eq!(names, ["立案数分值", "结案率", "按期处置率", "100 − 返工率"]);
    // The source's already-weighted points: ≤ 50 → 10, ≤ 1000 → 4, above → 0.
    for (n, points) in [(50, 10.0), (51, 9.0), (1000, 4.0), (1001, 0.0)] {
        let c = Counters { dispatched: n, ..Counters::default() };
        let part = &a.department(&c).unwrap().parts[0];
        assert!((part.weight * part.score.unwrap() - points).abs() < 1e-9, "{n}");
    }
}

#[test]
fn every_part_names_the_counters_it_is_computed_from() {
    // The console opens the cases behind a part by these names: each must be a counter.
    let a = shipped();
    let c =
        Counters { filed: 10, filed_public: 2, due: 8, closed: 6, handled: 7, dispatched: 9, ..Counters::default() };
    let known = serde_json::to_value(c).unwrap();
    let parts: Vec<Part> =
        [a.region(&c, 2).unwrap(), a.department(&c).unwrap()].into_iter().flat_map(|s| s.parts).collect();
    assert_eq!(parts.len(), 8);
    for p in &parts {
        assert!(!p.counters.is_empty() && !p.name_en.is_empty(), "{p:?}");
        for counter in p.counters {
            assert!(known.get(counter).is_some(), "{}: `{counter}` is not a counter", p.key);
        }
    }
    let keys: Vec<&str> = parts.iter().map(|p| p.key).collect();
    assert_eq!(
        keys,
        ["public_report", "filed", "closing", "on_time_closing", "filed", "closing", "on_time_handling", "rework"]
    );
}
