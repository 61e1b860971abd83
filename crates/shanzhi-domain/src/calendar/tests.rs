//! Tests of `calendar`.

use super::*;
use chrono::TimeZone;
use proptest::prelude::*;
use std::sync::LazyLock;

const SHIPPED: &str = include_str!("../../../../data/calendar/cn-2025-2027.toml");

static CAL: LazyLock<WorkCalendar> =
    LazyLock::new(|| WorkCalendar::from_toml(SHIPPED).expect("shipped calendar is valid"));

fn cal() -> &'static WorkCalendar {
    &CAL
}

/// A Beijing-time wall clock reading as a UTC instant.
fn bj(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap().with_timezone(&Utc)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn wh(n: u32) -> TimeLimit {
    TimeLimit { value: n, unit: TimeUnit::WorkingHours }
}
fn wd(n: u32) -> TimeLimit {
    TimeLimit { value: n, unit: TimeUnit::WorkingDays }
}
fn mins(n: u32) -> TimeLimit {
    TimeLimit { value: n, unit: TimeUnit::Minutes }
}
fn ch(n: u32) -> TimeLimit {
    TimeLimit { value: n, unit: TimeUnit::CalendarHours }
}

// ------------------------------------------------------------------ the shipped data

#[test]
fn calendar_shipped_file_loads() {
    let c = cal();
    assert_eq!(c.version(), "cn-2025-2027.1");
    assert_eq!(c.utc_offset().local_minus_utc(), 8 * 3600);
    assert_eq!(c.valid_from(), date(2025, 1, 1));
    assert_eq!(c.valid_to(), date(2027, 12, 31));
    assert_eq!(c.work_periods().len(), 2);
    assert_eq!(c.working_day_duration(), Duration::minutes(450));
    assert_eq!(c.holidays().len(), 20); // 6 in 2025, 7 in 2026, 7 in 2027
    // Exactly the 2027 entries are provisional.
    assert!(c.holidays().iter().all(|h| h.provisional == (h.days[0].year() == 2027)));
    assert!(c.is_provisional(date(2027, 5, 1)));
    assert!(!c.is_provisional(date(2026, 5, 1)));
}

#[test]
fn calendar_working_days_per_year_match_published_totals() {
    // 2025 and 2026 both have 248 working days (cross-checked against the
    // `chinese-calendar` data set); 248 × 7.5 h of working time each.
    let c = cal();
    for (y, days) in [(2025, 248), (2026, 248)] {
        let between = c.working_duration_between(bj(y, 1, 1, 0, 0), bj(y + 1, 1, 1, 0, 0)).unwrap();
        assert_eq!(between, Duration::minutes(450) * days, "{y}");
    }
}

#[test]
fn calendar_is_working_day_examples() {
    let c = cal();
    assert!(c.is_working_day(date(2025, 3, 3))); // ordinary Monday
    assert!(!c.is_working_day(date(2025, 3, 8))); // ordinary Saturday
    assert!(!c.is_working_day(date(2025, 1, 1))); // 元旦
    assert!(!c.is_working_day(date(2025, 1, 28))); // 除夕
    assert!(!c.is_working_day(date(2025, 2, 4))); // 初七
    assert!(c.is_working_day(date(2025, 1, 26))); // make-up Sunday
    assert!(c.is_working_day(date(2025, 2, 8))); // make-up Saturday
    assert!(!c.is_working_day(date(2025, 1, 25))); // plain Saturday before it
    assert!(!c.is_working_day(date(2025, 10, 8)));
    assert!(c.is_working_day(date(2025, 10, 11)));
    assert!(c.is_working_day(date(2026, 1, 4)));
    assert!(!c.is_working_day(date(2026, 2, 23)));
    assert!(c.is_working_day(date(2026, 9, 20)));
    assert!(!c.is_working_day(date(2027, 9, 15))); // provisional 中秋
}

// ------------------------------------------------------------------ concrete additions

#[test]
fn calendar_friday_afternoon_plus_4_working_hours_is_monday_morning() {
    // Fri 16:00: 1.5 h until 17:30, then Mon 08:30 + 2.5 h = 11:00.
    let r = cal().add(bj(2025, 3, 7, 16, 0), wh(4)).unwrap();
    assert_eq!(r, bj(2025, 3, 10, 11, 0));
}

#[test]
fn calendar_lunch_break_is_skipped() {
    // Mon 11:00 + 2 h: 1 h until 12:00, then 13:30 + 1 h.
    assert_eq!(cal().add(bj(2025, 3, 10, 11, 0), wh(2)).unwrap(), bj(2025, 3, 10, 14, 30));
    // Ending exactly at the end of a period gives that end, not the next start.
    assert_eq!(cal().add(bj(2025, 3, 10, 11, 0), wh(1)).unwrap(), bj(2025, 3, 10, 12, 0));
}

#[test]
fn calendar_start_in_spring_festival_rolls_to_first_working_day() {
    // 2025-01-29 (初一) 10:00 + 4 WH: rolls to Wed 02-05 08:30; 3.5 h to 12:00, 0.5 h after 13:30.
    let r = cal().add(bj(2025, 1, 29, 10, 0), wh(4)).unwrap();
    assert_eq!(r, bj(2025, 2, 5, 14, 0));
    // 2026: 02-20 (初四) + 1 working day → end of Tue 02-24.
    let r = cal().add(bj(2026, 2, 20, 9, 0), wd(1)).unwrap();
    assert_eq!(r, bj(2026, 2, 24, 17, 30));
}

#[test]
fn calendar_make_up_weekend_days_count() {
    // Fri 2025-01-24 16:00 + 4 WH: 1.5 h Friday, Sat 01-25 is a rest day, Sun 01-26 is a
    // make-up working day: 08:30 + 2.5 h.
    assert_eq!(cal().add(bj(2025, 1, 24, 16, 0), wh(4)).unwrap(), bj(2025, 1, 26, 11, 0));
    // Fri 2025-02-07 16:00 + 4 WH lands on make-up Saturday 02-08.
    assert_eq!(cal().add(bj(2025, 2, 7, 16, 0), wh(4)).unwrap(), bj(2025, 2, 8, 11, 0));
    // A case started on the make-up Saturday itself is in working time.
    assert!(cal().is_working_time(bj(2025, 10, 11, 9, 0)));
}

#[test]
fn calendar_national_day_plus_one_working_day_is_october_9() {
    let r = cal().add(bj(2025, 10, 1, 10, 0), wd(1)).unwrap();
    assert_eq!(r, bj(2025, 10, 9, 17, 30));
    // Started on the last working day before the holiday: same time on 10-09.
    let r = cal().add(bj(2025, 9, 30, 10, 0), wd(1)).unwrap();
    assert_eq!(r, bj(2025, 10, 9, 10, 0));
}

#[test]
fn calendar_working_days_definition_examples() {
    // Monday 10:00 + 1 WD → Tuesday 10:00.
    assert_eq!(cal().add(bj(2025, 3, 10, 10, 0), wd(1)).unwrap(), bj(2025, 3, 11, 10, 0));
    // Friday 20:00 + 1 WD → end of Monday's work periods.
    assert_eq!(cal().add(bj(2025, 3, 7, 20, 0), wd(1)).unwrap(), bj(2025, 3, 10, 17, 30));
    // Friday 20:00 + 3 WD → end of Wednesday.
    assert_eq!(cal().add(bj(2025, 3, 7, 20, 0), wd(3)).unwrap(), bj(2025, 3, 12, 17, 30));
    // Within the lunch break: rolls to 13:30; 4 h Monday afternoon + 3.5 h Tuesday morning
    // end exactly at Tuesday 12:00, the end of a period (no working time until 13:30).
    assert_eq!(cal().add(bj(2025, 3, 10, 12, 30), wd(1)).unwrap(), bj(2025, 3, 11, 12, 0));
}

#[test]
fn calendar_two_hundred_working_days_are_fast_and_exact() {
    // The 200th working day after Thu 2025-01-02 is 2025-10-27 (cross-checked).
    let start = bj(2025, 1, 2, 9, 0);
    let t = std::time::Instant::now();
    let r = cal().add(start, wd(200)).unwrap();
    assert!(t.elapsed() < std::time::Duration::from_millis(50));
    assert_eq!(r, bj(2025, 10, 27, 9, 0));
    assert_eq!(cal().working_duration_between(start, r).unwrap(), Duration::minutes(450) * 200);
}

#[test]
fn calendar_wall_clock_units_ignore_the_calendar() {
    let s = bj(2025, 1, 28, 23, 50); // 除夕 night
    assert_eq!(cal().add(s, mins(20)).unwrap(), bj(2025, 1, 29, 0, 10));
    assert_eq!(cal().add(s, ch(48)).unwrap(), bj(2025, 1, 30, 23, 50));
    // Beyond the valid range is fine for wall-clock units.
    assert_eq!(cal().add(bj(2027, 12, 31, 23, 0), ch(2)).unwrap(), bj(2028, 1, 1, 1, 0));
    assert!(matches!(cal().add(bj(2025, 1, 1, 0, 0), ch(u32::MAX)), Err(CalendarError::Overflow { .. })));
}

#[test]
fn calendar_zero_limit_returns_start() {
    let s = bj(2025, 3, 8, 3, 17); // Saturday night, not working time
    for l in [wh(0), wd(0), mins(0), ch(0)] {
        assert_eq!(cal().add(s, l).unwrap(), s);
    }
}

#[test]
fn calendar_out_of_range_is_an_error_never_a_guess() {
    let c = cal();
    // Friday 2027-12-31: 6 h of working time left after 10:00.
    assert_eq!(c.add(bj(2027, 12, 31, 10, 0), wh(6)).unwrap(), bj(2027, 12, 31, 17, 30));
    let err = c.add(bj(2027, 12, 31, 10, 0), wh(7)).unwrap_err();
    assert_eq!(
        err,
        CalendarError::OutOfRange {
            date: date(2028, 1, 1),
            valid_from: date(2025, 1, 1),
            valid_to: date(2027, 12, 31),
        }
    );
    assert!(err.to_string().contains("2028-01-01"));
    // Start before the range (2024-12-31 local).
    assert!(matches!(
        c.add(bj(2024, 12, 31, 10, 0), wh(1)),
        Err(CalendarError::OutOfRange { date: d, .. }) if d == date(2024, 12, 31)
    ));
    // 2025-01-01 00:30 local is 2024-12-31 16:30 UTC: covered (local date counts).
    assert_eq!(c.add(bj(2025, 1, 1, 0, 30), wh(1)).unwrap(), bj(2025, 1, 2, 9, 30));
    assert!(c.working_duration_between(bj(2026, 1, 1, 0, 0), bj(2028, 1, 3, 0, 0)).is_err());
    assert!(c.next_working_instant(bj(2027, 12, 31, 18, 0)).is_err());
}

#[test]
fn calendar_working_duration_between_examples() {
    let c = cal();
    // Friday 16:00 → Monday 11:00: 1.5 h + 2.5 h.
    assert_eq!(c.working_duration_between(bj(2025, 3, 7, 16, 0), bj(2025, 3, 10, 11, 0)).unwrap(), Duration::hours(4));
    // Reversed arguments give the negative.
    assert_eq!(c.working_duration_between(bj(2025, 3, 10, 11, 0), bj(2025, 3, 7, 16, 0)).unwrap(), -Duration::hours(4));
    // Entirely inside the Spring Festival: nothing.
    assert_eq!(c.working_duration_between(bj(2025, 1, 28, 9, 0), bj(2025, 2, 4, 17, 0)).unwrap(), Duration::zero());
    // Traffic light use: elapsed / limit.
    let start = bj(2025, 3, 10, 9, 0);
    let limit = c.add(start, wd(1)).unwrap();
    let elapsed = c.working_duration_between(start, bj(2025, 3, 10, 16, 0)).unwrap();
    let whole = c.working_duration_between(start, limit).unwrap();
    assert_eq!((elapsed.num_minutes(), whole.num_minutes()), (330, 450));
}

#[test]
fn calendar_next_working_instant() {
    let c = cal();
    assert_eq!(c.next_working_instant(bj(2025, 3, 10, 9, 0)).unwrap(), bj(2025, 3, 10, 9, 0));
    assert_eq!(c.next_working_instant(bj(2025, 3, 10, 12, 0)).unwrap(), bj(2025, 3, 10, 13, 30));
    assert_eq!(c.next_working_instant(bj(2025, 3, 10, 17, 30)).unwrap(), bj(2025, 3, 11, 8, 30));
    assert_eq!(c.next_working_instant(bj(2025, 9, 30, 18, 0)).unwrap(), bj(2025, 10, 9, 8, 30));
}

// ------------------------------------------------------------------ validation

#[test]
fn calendar_validation_names_every_problem() {
    let text = r#"
version = "bad"
utc_offset = "UTC+8"
valid_from = "2025-01-01"
valid_to = "2025-12-31"
work_periods = [["08:30", "12:00"], ["11:30", "17:30"], ["18:00", "18:00"], ["19:00", "25:00"]]

[[holiday]]
name_zh = "甲"
name_en = "A"
days = ["2025-02-30", "2026-01-01", "2025-05-01"]
make_up_workdays = ["2025-05-07", "2025-05-01", "2024-12-28"]

[[holiday]]
name_zh = "乙"
name_en = "B"
days = []
"#;
    let Err(CalendarError::Invalid(problems)) = WorkCalendar::from_toml(text) else {
        panic!("expected Invalid");
    };
    let has = |p: &CalendarProblem| problems.contains(p);
    let label = "holiday 1 (甲)".to_string();
    assert!(has(&CalendarProblem::BadUtcOffset("UTC+8".into())));
    assert!(has(&CalendarProblem::WorkPeriodsOverlapOrUnordered { index: 2 }));
    assert!(problems.iter().any(|p| matches!(p, CalendarProblem::EmptyWorkPeriod { index: 3, .. })));
    assert!(problems.iter().any(|p| matches!(p, CalendarProblem::BadTime { value, .. } if value == "25:00")));
    assert!(problems.iter().any(|p| matches!(p, CalendarProblem::BadDate { value, .. } if value == "2025-02-30")));
    assert!(has(&CalendarProblem::OutsideValidRange { holiday: label.clone(), date: date(2026, 1, 1) }));
    assert!(has(&CalendarProblem::OutsideValidRange { holiday: label.clone(), date: date(2024, 12, 28) }));
    assert!(has(&CalendarProblem::MakeUpNotWeekend {
        holiday: label.clone(),
        date: date(2025, 5, 7),
        weekday: Weekday::Wed
    }));
    assert!(has(&CalendarProblem::HolidayAndMakeUp { date: date(2025, 5, 1) }));
    assert!(has(&CalendarProblem::EmptyHoliday { holiday: "holiday 2 (乙)".into() }));
    let message = CalendarError::Invalid(problems.clone()).to_string();
    assert!(message.contains("2025-02-30") && message.contains("UTC+8"), "{message}");
}

#[test]
fn calendar_validation_more_cases() {
    let base = |to: &str, periods: &str, extra: &str| {
        format!(
            "version = \"t\"\nutc_offset = \"+08:00\"\nvalid_from = \"2025-06-01\"\n\
             valid_to = \"{to}\"\nwork_periods = {periods}\n{extra}"
        )
    };
    let Err(CalendarError::Invalid(p)) = WorkCalendar::from_toml(&base("2025-01-01", "[]", "")) else { panic!() };
    assert!(p.contains(&CalendarProblem::NoWorkPeriods));
    assert!(
        p.contains(&CalendarProblem::ValidRangeReversed { valid_from: date(2025, 6, 1), valid_to: date(2025, 1, 1) })
    );
    // Unordered (not overlapping) periods are rejected too.
    let Err(CalendarError::Invalid(p)) =
        WorkCalendar::from_toml(&base("2025-12-31", r#"[["13:30","17:30"],["08:30","12:00"]]"#, ""))
    else {
        panic!()
    };
    assert!(p.contains(&CalendarProblem::WorkPeriodsOverlapOrUnordered { index: 2 }));
    // Duplicated date across entries.
    let dup = "[[holiday]]\nname_zh=\"a\"\nname_en=\"a\"\ndays=[\"2025-03-03\"]\n\
               [[holiday]]\nname_zh=\"b\"\nname_en=\"b\"\ndays=[\"2025-03-03\"]\n";
    let text = base("2025-12-31", r#"[["08:30","12:00"]]"#, &dup.replace("03-03", "07-07"));
    let Err(CalendarError::Invalid(p)) = WorkCalendar::from_toml(&text) else { panic!() };
    assert_eq!(p, vec![CalendarProblem::DuplicateDate { holiday: "holiday 2 (b)".into(), date: date(2025, 7, 7) }]);
    // Shape errors: unknown key, missing key, not TOML.
    assert!(matches!(
        WorkCalendar::from_toml(&SHIPPED.replace("make_up_workdays = []", "make_up_days = []")),
        Err(CalendarError::Toml(_))
    ));
    assert!(matches!(
        WorkCalendar::from_toml(&SHIPPED.replace("utc_offset = \"+08:00\"", "")),
        Err(CalendarError::Toml(_))
    ));
    assert!(matches!(WorkCalendar::from_toml("[[["), Err(CalendarError::Toml(_))));
}

// ------------------------------------------------------------------ properties

/// Local Beijing wall time of a UTC instant.
fn local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&cal().utc_offset()).naive_local()
}

/// Inside a work period of a working day, or exactly at the end of one.
fn in_period_or_at_end(t: DateTime<Utc>) -> bool {
    let l = local(t);
    cal().is_working_day(l.date()) && cal().work_periods().iter().any(|p| p.start <= l.time() && l.time() <= p.end)
}

/// Starts from local 2025-01-01 to about 2027-06-30: arbitrary seconds, plus instants on
/// period boundaries, midnight and one second either side of them (from the second day on,
/// so that no start falls before the valid range).
fn start() -> impl Strategy<Value = DateTime<Utc>> {
    let first = bj(2025, 1, 1, 0, 0).timestamp();
    let days = 910i64;
    let any = (0..days * 86_400).prop_map(move |s| Utc.timestamp_opt(first + s, 0).unwrap());
    let edges = [0i64, 8 * 3600 + 1800, 12 * 3600, 13 * 3600 + 1800, 17 * 3600 + 1800];
    let edge = (1..days, proptest::sample::select(edges.to_vec()), -1i64..=1)
        .prop_map(move |(d, e, jiggle)| Utc.timestamp_opt(first + d * 86_400 + e + jiggle, 0).unwrap());
    prop_oneof![any, edge]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn calendar_prop_add_is_monotonic(s in start(), a in 0u32..600, b in 0u32..600) {
        let (n, m) = (a.min(b), a.max(b));
        let cases: [(fn(u32) -> TimeLimit, u32); 4] = [(wh, 1), (wd, 8), (mins, 1), (ch, 1)];
        for (mk, div) in cases {
            let rn = cal().add(s, mk(n / div)).unwrap();
            let rm = cal().add(s, mk(m / div)).unwrap();
            prop_assert!(rn <= rm, "{:?}: {} > {}", mk(0).unit, rn, rm);
        }
    }

    #[test]
    fn calendar_prop_add_is_additive(s in start(), n in 0u32..400, m in 0u32..400) {
        let cases: [(fn(u32) -> TimeLimit, u32, u32); 3] =
            [(wh, n, m), (mins, n * 60, m * 60), (wd, n / 8, m / 8)];
        for (mk, n, m) in cases {
            let once = cal().add(s, mk(n + m)).unwrap();
            let twice = cal().add(cal().add(s, mk(n)).unwrap(), mk(m)).unwrap();
            prop_assert_eq!(once, twice);
        }
    }

    #[test]
    fn calendar_prop_between_inverts_add(s in start(), n in 0u32..500) {
        let r = cal().add(s, wh(n)).unwrap();
        prop_assert_eq!(cal().working_duration_between(s, r).unwrap(), Duration::hours(i64::from(n)));
        let r = cal().add(s, wd(n / 8)).unwrap();
        prop_assert_eq!(
            cal().working_duration_between(s, r).unwrap(),
            Duration::minutes(450) * (n / 8) as i32
        );
    }

    #[test]
    fn calendar_prop_working_result_is_in_a_period(s in start(), n in 1u32..500) {
        let r = cal().add(s, wh(n)).unwrap();
        prop_assert!(in_period_or_at_end(r), "{} -> {}", local(s), local(r));
        let r = cal().add(s, wd(n / 8 + 1)).unwrap();
        prop_assert!(in_period_or_at_end(r), "{} -> {}", local(s), local(r));
    }

    #[test]
    fn calendar_prop_wall_clock_units_are_wall_clock(s in start(), n in 0u32..100_000) {
        prop_assert_eq!(cal().add(s, ch(n)).unwrap(), s + Duration::hours(i64::from(n)));
        prop_assert_eq!(cal().add(s, mins(n)).unwrap(), s + Duration::minutes(i64::from(n)));
    }

    #[test]
    fn calendar_prop_result_never_precedes_start(s in start(), n in 0u32..500) {
        for l in [wh(n), wd(n / 8), mins(n), ch(n)] {
            prop_assert!(cal().add(s, l).unwrap() >= s);
        }
        // And n > 0 working units strictly advance.
        if n > 0 {
            prop_assert!(cal().add(s, wh(n)).unwrap() > s);
        }
    }

    #[test]
    fn calendar_prop_between_is_additive(a in start(), b in start(), c in start()) {
        let mut v = [a, b, c];
        v.sort();
        let [a, b, c] = v;
        let ab = cal().working_duration_between(a, b).unwrap();
        let bc = cal().working_duration_between(b, c).unwrap();
        prop_assert_eq!(ab + bc, cal().working_duration_between(a, c).unwrap());
        prop_assert!(ab >= Duration::zero() && ab <= b - a);
    }

    #[test]
    fn calendar_prop_next_working_instant(s in start()) {
        let r = cal().next_working_instant(s).unwrap();
        prop_assert!(r >= s);
        prop_assert!(cal().is_working_time(r));
        prop_assert_eq!(cal().working_duration_between(s, r).unwrap(), Duration::zero());
        prop_assert_eq!(cal().is_working_time(s), r == s);
    }
}
