//! Changing the work calendar in the page: a holiday added, replaced (say, a provisional one by
//! the State Council's notice) or removed, or the working hours and the range of dates covered
//! changed (say, extended to next year before its holidays are entered), as a new version of the
//! calendar made from the text in force, every other line kept. The result is an ordinary
//! calendar file, checked like an import.

use chrono::NaiveDate;
use toml_edit::{Item, Table};

use super::Holiday;
pub use crate::edit::EditError;
use crate::edit::{open, replace_value, set_list, set_text, tables};

/// The calendar `source` with `version` as its version, the holiday named `old` (its Chinese name
/// and first rest day) replaced by `new`, or removed when `new` is none; without `old`, `new` is
/// added.
pub fn with_holiday(
    source: &str,
    version: &str,
    old: Option<(&str, NaiveDate)>,
    new: Option<&Holiday>,
) -> Result<String, EditError> {
    let mut doc = open(source, version, &["version"])?;
    if old.is_none() && doc.get("holiday").is_none() {
        doc["holiday"] = Item::ArrayOfTables(toml_edit::ArrayOfTables::new());
    }
    let what = old.map_or_else(String::new, |(name, first)| format!("holiday {name} from {first}"));
    let holidays = tables(&mut doc, "holiday", &what)?;
    let at = match old {
        None => None,
        Some((name, first)) => {
            let first = first.to_string();
            let found = holidays.iter().position(|h| {
                h.get("name_zh").and_then(Item::as_str) == Some(name)
                    && h.get("days").and_then(Item::as_array).and_then(|d| d.get(0)).and_then(|d| d.as_str())
                        == Some(first.as_str())
            });
            Some(found.ok_or_else(|| EditError::Unknown(what.clone()))?)
        }
    };
    match (at, new) {
        (Some(i), None) => {
            holidays.remove(i);
        }
        (Some(i), Some(h)) => fill(holidays.get_mut(i).expect("found above"), h),
        (None, Some(h)) => {
            let mut t = Table::new();
            fill(&mut t, h);
            holidays.push(t);
        }
        (None, None) => {}
    }
    Ok(doc.to_string())
}

/// The calendar `source` with `version` as its version, `periods` (`HH:MM` starts and ends) as
/// its daily working hours and `valid_from..=valid_to` as the dates it covers; whether they are
/// sound (times, order, holidays inside the range) is the calendar's own check.
pub fn with_hours(
    source: &str,
    version: &str,
    periods: &[(String, String)],
    valid_from: NaiveDate,
    valid_to: NaiveDate,
) -> Result<String, EditError> {
    let mut doc = open(source, version, &["version"])?;
    let mut list = toml_edit::Array::new();
    for (start, end) in periods {
        list.push(toml_edit::Array::from_iter([start.trim(), end.trim()]));
    }
    replace_value(&mut doc["work_periods"], list);
    replace_value(&mut doc["valid_from"], valid_from.to_string());
    replace_value(&mut doc["valid_to"], valid_to.to_string());
    Ok(doc.to_string())
}

fn fill(t: &mut Table, h: &Holiday) {
    set_text(t, "name_zh", &h.name_zh);
    set_text(t, "name_en", &h.name_en);
    let days: Vec<String> = h.days.iter().map(NaiveDate::to_string).collect();
    let make_up: Vec<String> = h.make_up_workdays.iter().map(NaiveDate::to_string).collect();
    set_list(t, "days", days.iter().map(String::as_str), false);
    set_list(t, "make_up_workdays", make_up.iter().map(String::as_str), false);
    if h.provisional {
        t["provisional"] = toml_edit::value(true);
    } else {
        t.remove("provisional");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::WorkCalendar;

    const SHIPPED: &str = include_str!("../../../../data/calendar/cn-2025-2027.toml");

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_provisional_holiday_is_replaced_by_the_notice_and_nothing_else_moves() {
        let before = WorkCalendar::from_toml(SHIPPED).unwrap();
        let spring = before.holidays().iter().find(|h| h.name_zh == "春节" && h.provisional).unwrap().clone();
        let notice = Holiday {
            provisional: false,
            days: (0..9).map(|i| date("2027-02-05") + chrono::Days::new(i)).collect(),
            make_up_workdays: vec![date("2027-02-20")],
            ..spring.clone()
        };
        let text = with_holiday(SHIPPED, "cn-2025-2027.2", Some(("春节", spring.days[0])), Some(&notice)).unwrap();
        let after = WorkCalendar::from_toml(&text).unwrap();
        assert_eq!(after.version(), "cn-2025-2027.2");
        let new =
            after.holidays().iter().find(|h| h.name_zh == "春节" && h.days[0].to_string().starts_with("2027")).unwrap();
        assert_eq!(new, &notice);
        assert_eq!(after.holidays().len(), before.holidays().len());
        assert!(text.contains("# 2027: PROVISIONAL."), "the comments stay");
        // Removed, and added back.
        let text = with_holiday(&text, "v3", Some(("春节", notice.days[0])), None).unwrap();
        assert_eq!(WorkCalendar::from_toml(&text).unwrap().holidays().len(), before.holidays().len() - 1);
        let text = with_holiday(&text, "v4", None, Some(&notice)).unwrap();
        assert!(WorkCalendar::from_toml(&text).unwrap().holidays().contains(&notice));
    }

    #[test]
    fn the_hours_and_range_change_and_the_holidays_stay() {
        let periods = [("08:00".to_string(), "12:00".to_string()), ("14:30".to_string(), "18:00".to_string())];
        let text = with_hours(SHIPPED, "cn-2025-2028.1", &periods, date("2025-01-01"), date("2028-12-31")).unwrap();
        let before = WorkCalendar::from_toml(SHIPPED).unwrap();
        let after = WorkCalendar::from_toml(&text).unwrap();
        assert_eq!(after.version(), "cn-2025-2028.1");
        let times: Vec<String> = after
            .work_periods()
            .iter()
            .map(|p| format!("{}-{}", p.start.format("%H:%M"), p.end.format("%H:%M")))
            .collect();
        assert_eq!(times, ["08:00-12:00", "14:30-18:00"]);
        assert_eq!(after.valid_to(), date("2028-12-31"));
        assert_eq!(after.holidays(), before.holidays());
        assert!(text.contains("# 2027: PROVISIONAL.") && text.contains("# Asia/Shanghai, no DST"), "comments stay");
        // A range that leaves out listed holidays, or hours out of order, fail the calendar's check.
        let short = with_hours(SHIPPED, "x", &periods, date("2026-01-01"), date("2027-12-31")).unwrap();
        assert!(WorkCalendar::from_toml(&short).is_err());
        let backwards = [("12:00".to_string(), "08:00".to_string())];
        let text = with_hours(SHIPPED, "x", &backwards, date("2025-01-01"), date("2027-12-31")).unwrap();
        assert!(WorkCalendar::from_toml(&text).is_err());
    }

    #[test]
    fn a_calendar_without_holidays_gets_its_first() {
        let bare = "version = \"bare.1\"\nutc_offset = \"+08:00\"\nvalid_from = \"2027-01-01\"\nvalid_to = \"2027-12-31\"\nwork_periods = [[\"08:30\", \"17:30\"]]\n";
        assert!(WorkCalendar::from_toml(bare).unwrap().holidays().is_empty());
        let new_year = Holiday {
            name_zh: "元旦".into(),
            name_en: "New Year's Day".into(),
            provisional: false,
            days: vec![date("2027-01-01")],
            make_up_workdays: vec![],
        };
        let text = with_holiday(bare, "bare.2", None, Some(&new_year)).unwrap();
        assert_eq!(WorkCalendar::from_toml(&text).unwrap().holidays(), [new_year]);
    }

    #[test]
    fn an_unknown_holiday_is_not_found_and_a_bad_one_fails_the_calendar_check() {
        let unknown = with_holiday(SHIPPED, "v2", Some(("春节", date("2027-03-01"))), None);
        assert!(matches!(unknown, Err(EditError::Unknown(_))), "{unknown:?}");
        // A make-up day on a Wednesday passes the edit and is caught by the calendar's own check.
        let bad = Holiday {
            name_zh: "测试".into(),
            name_en: "Test".into(),
            provisional: false,
            days: vec![date("2027-06-01")],
            make_up_workdays: vec![date("2027-06-02")],
        };
        let text = with_holiday(SHIPPED, "v2", None, Some(&bad)).unwrap();
        assert!(WorkCalendar::from_toml(&text).is_err());
    }
}
