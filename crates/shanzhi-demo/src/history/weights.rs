//! The types of case and how often each comes up: weights by stream (patrol, public, device)
//! with a seasonal pattern, the types a grid worker may fix on the spot or that are complained
//! about at night, and each type's limit as a budget (how tight, whether it can be extended).

use std::collections::HashMap;

use chrono::Duration;

use super::config::HistoryInput;
use super::places::URBAN;
use super::seasons::Day;
use super::seasons::Season::{self, *};
use super::streams::Stream;
use super::world::World;
use shanzhi_domain::calendar::WorkCalendar;
use shanzhi_domain::taxonomy::EventType;
use shanzhi_domain::time_limit::TimeUnit;

/// Type weights: (code, patrol, public (hotline, web), device, season). Types not listed get a
/// small default weight (components more than events for patrols).
const WEIGHTS: &[(&str, f64, f64, f64, Season)] = &[
    // 01 公用设施
    ("0101", 0.4, 0.4, 0.5, Flat),
    ("0102", 0.5, 0.4, 0.5, Flat),
    ("0103", 0.5, 0.3, 0.5, RainBoost(1.5)),
    ("0104", 0.6, 0.3, 0.0, RainBoost(2.0)),
    ("0105", 0.2, 0.1, 0.2, Flat),
    ("0106", 0.2, 0.1, 0.0, Flat),
    ("0107", 0.25, 0.1, 0.0, Flat),
    ("0108", 0.2, 0.2, 0.2, HeatingBoost(1.5)),
    ("0109", 0.15, 0.2, 0.2, Flat),
    ("0111", 0.25, 0.1, 0.0, Flat),
    ("0112", 0.2, 0.1, 0.0, Flat),
    ("0114", 0.25, 0.3, 0.0, Summer(0.4)),
    ("0117", 0.3, 0.2, 0.0, Flat),
    ("0118", 1.4, 2.5, 0.0, Winter(0.25)),
    ("0119", 0.3, 0.2, 0.0, Flat),
    ("0127", 0.4, 0.4, 0.0, Summer(0.3)),
    ("0135", 0.2, 0.3, 0.0, HeatingBoost(2.0)),
    // 02 道路交通
    ("0201", 0.3, 0.6, 0.0, Flat),
    ("0203", 0.3, 0.3, 0.0, Flat),
    ("0204", 0.3, 0.2, 0.0, Flat),
    ("0210", 0.4, 0.3, 0.0, Flat),
    ("0211", 0.3, 0.8, 0.2, Flat),
    ("0212", 0.6, 0.3, 0.0, Flat),
    ("0213", 0.3, 0.1, 0.0, Flat),
    ("0215", 0.3, 0.1, 0.0, Flat),
    ("0220", 0.2, 0.3, 0.0, Flat),
    ("0221", 0.4, 0.3, 0.0, Flat),
    // 03 市容环境设施
    ("0301", 0.4, 0.6, 0.0, Summer(0.4)),
    ("0303", 0.2, 1.0, 0.0, Summer(0.6)),
    ("0304", 0.4, 0.3, 0.0, Summer(0.5)),
    ("0305", 1.5, 0.4, 0.0, Flat),
    ("0306", 0.8, 0.4, 0.0, Summer(0.3)),
    ("0307", 0.2, 0.4, 0.0, Summer(0.5)),
    ("0309", 0.4, 0.2, 0.0, Flat),
    ("0313", 0.3, 0.2, 0.0, Flat),
    // 04 园林绿化
    ("0401", 0.1, 0.1, 0.0, Flat),
    ("0402", 1.0, 1.5, 0.0, Summer(0.5)),
    ("0403", 0.6, 0.2, 0.0, Flat),
    ("0404", 0.3, 0.1, 0.0, Flat),
    ("0405", 0.6, 0.4, 0.0, Summer(0.5)),
    ("0406", 0.8, 0.3, 0.0, Summer(0.5)),
    ("0408", 0.3, 0.1, 0.0, Flat),
    ("0409", 0.3, 0.1, 0.0, Flat),
    ("0412", 0.3, 0.2, 0.0, Summer(0.3)),
    // 05 房屋土地及其他设施
    ("0501", 0.3, 0.1, 0.0, Flat),
    ("0504", 0.05, 0.3, 0.0, RainBoost(1.0)),
    ("0505", 0.4, 4.0, 0.0, Flat),
    ("0506", 0.1, 2.0, 0.0, Flat),
    ("0507", 0.2, 0.1, 0.0, Flat),
    ("0509", 0.1, 0.1, 0.0, Summer(0.5)),
    ("0510", 0.1, 0.1, 0.0, Rain),
    ("0511", 0.4, 0.2, 0.0, Construction),
    ("0513", 0.2, 0.3, 0.1, Flat),
    ("0514", 0.2, 0.3, 0.0, Flat),
    // 06 市容环境
    ("0601", 0.8, 3.0, 0.6, Construction),
    ("0602", 10.0, 3.0, 3.0, Summer(0.3)),
    ("0603", 2.5, 0.8, 0.5, Summer(0.2)),
    ("0604", 5.0, 0.8, 0.0, Flat),
    ("0605", 0.2, 0.4, 0.0, Summer(0.6)),
    ("0606", 2.0, 0.5, 0.0, Summer(0.4)),
    ("0607", 0.5, 0.4, 0.0, Flat),
    ("0608", 1.8, 0.4, 0.0, Flat),
    ("0609", 0.4, 0.1, 0.0, Winter(0.3)),
    ("0610", 1.6, 2.0, 0.0, Winter(0.2)),
    ("0611", 1.0, 0.3, 0.3, Construction),
    ("0612", 0.3, 0.1, 0.0, Flat),
    ("0613", 0.4, 0.5, 0.5, Leaves),
    ("0614", 0.3, 4.0, 0.0, Summer(0.3)),
    ("0615", 0.3, 0.3, 0.0, Summer(0.5)),
    ("0616", 0.2, 0.6, 0.0, Summer(0.3)),
    ("0617", 0.6, 2.5, 0.0, Flat),
    ("0618", 0.2, 1.5, 0.0, Summer(0.9)),
    ("0619", 3.0, 2.0, 3.0, Summer(0.5)),
    ("0620", 0.4, 0.3, 0.0, Flat),
    ("0621", 0.2, 0.8, 0.0, Summer(0.5)),
    ("0622", 0.6, 0.4, 1.0, Harvest),
    ("0623", 1.5, 0.2, 0.0, Flat),
    ("0699", 0.5, 1.5, 0.0, Flat),
    // 07 宣传广告
    ("0701", 18.0, 0.5, 0.0, Flat),
    ("0702", 0.5, 0.3, 0.0, Flat),
    ("0703", 1.2, 0.2, 0.0, Flat),
    ("0704", 1.2, 0.2, 0.0, Flat),
    ("0705", 0.3, 0.1, 0.0, Flat),
    ("0706", 0.6, 0.3, 0.0, Flat),
    ("0707", 0.1, 0.3, 0.0, Flat),
    ("0708", 0.2, 0.3, 0.0, Flat),
    // 08 施工管理
    ("0801", 0.3, 6.0, 0.0, Construction),
    ("0802", 0.6, 1.0, 0.5, Dust),
    ("0803", 0.6, 0.3, 0.0, Construction),
    ("0804", 0.5, 0.4, 0.0, Construction),
    ("0805", 0.2, 0.2, 0.0, Construction),
    ("0806", 0.2, 0.5, 0.2, Construction),
    ("0807", 0.3, 0.5, 1.0, Construction),
    ("0808", 0.4, 0.2, 0.0, Construction),
    ("0810", 0.6, 0.4, 1.0, Construction),
    ("0811", 0.1, 2.0, 0.0, Construction),
    ("0812", 0.3, 0.3, 0.0, Construction),
    // 09 突发事件
    ("0901", 0.05, 0.2, 0.0, RainBoost(2.0)),
    ("0902", 0.1, 1.5, 0.0, Winter(0.4)),
    ("0903", 0.02, 0.3, 0.2, Flat),
    ("0904", 0.3, 2.5, 0.0, RainBoost(3.0)),
    ("0905", 0.05, 0.5, 0.0, Heating),
    ("0906", 12.0, 10.0, 4.0, Rain),
    ("0907", 15.0, 6.0, 0.0, Snow),
    ("0908", 0.03, 0.2, 0.0, RainBoost(2.0)),
    ("0909", 0.2, 0.2, 0.0, Flat),
    ("0911", 0.1, 0.3, 0.0, RainBoost(4.0)),
    ("0912", 0.02, 2.5, 0.0, Summer(0.4)),
    ("0913", 0.02, 3.0, 0.0, Flat),
    ("0914", 0.0, 8.0, 0.0, Heating),
    ("0916", 0.1, 0.3, 0.0, Flat),
    ("0917", 0.0, 0.5, 0.0, Flat),
    ("0919", 0.05, 0.1, 0.0, RainBoost(1.0)),
    // 10 街面秩序
    ("1001", 2.5, 0.6, 2.0, Summer(0.3)),
    ("1002", 0.2, 0.5, 0.0, Winter(0.3)),
    ("1003", 0.6, 0.2, 0.0, Flat),
    ("1004", 8.0, 1.0, 4.0, Summer(0.4)),
    ("1005", 6.0, 2.0, 4.0, Summer(0.3)),
    ("1006", 4.5, 5.0, 5.0, Flat),
    ("1007", 3.5, 0.5, 1.0, Summer(0.2)),
    ("1008", 6.5, 1.0, 0.0, Flat),
    ("1009", 0.4, 6.0, 0.0, Summer(0.5)),
    ("1010", 0.2, 0.3, 0.0, Flat),
    ("1011", 0.8, 2.0, 1.0, Summer(0.9)),
    ("1012", 2.5, 0.3, 0.0, Summer(0.6)),
    ("1014", 0.2, 0.3, 0.0, Summer(0.3)),
    ("1015", 0.2, 3.0, 0.0, Summer(0.2)),
    ("1016", 0.4, 2.0, 0.0, Flat),
    ("1017", 0.2, 0.1, 0.0, Flat),
    ("1018", 0.5, 0.6, 0.0, Flat),
    ("1019", 0.2, 0.6, 0.0, Flat),
    ("1021", 0.5, 0.3, 0.0, Summer(0.3)),
    ("1022", 0.1, 1.0, 0.0, Festival),
    ("1023", 0.1, 1.5, 0.0, Flat),
    ("1099", 0.5, 1.0, 0.0, Flat),
];

/// Minor problems a grid worker may fix on the spot (自行处置), and how often.
const FIXABLE: &[(&str, f64)] = &[
    ("0701", 0.35),
    ("0602", 0.15),
    ("0604", 0.2),
    ("0606", 0.15),
    ("0608", 0.1),
    ("0617", 0.2),
    ("0623", 0.3),
    ("0703", 0.25),
    ("0704", 0.3),
    ("1007", 0.3),
    ("1008", 0.12),
    ("1012", 0.3),
    ("1003", 0.1),
];

/// Types complained about mostly in the evening and at night.
const NIGHT: &[&str] = &["0801", "1009", "1011", "1022", "1015", "0614"];

/// How a limit is measured: its length and whether in working time.
#[derive(Debug, Clone, Copy)]
pub(super) struct Budget {
    pub(super) dur: Duration,
    pub(super) working: bool,
}

pub(super) struct TypeInfo<'a> {
    pub(super) ty: &'a EventType,
    /// Weights per column (patrol, public, device).
    pub(super) w: [f64; 3],
    pub(super) season: Season,
    /// Chance a case of this type lies in an urban grid; `None`: the grids' own mix.
    pub(super) urban: Option<f64>,
    /// Index into `Places::restricted`.
    pub(super) only_in: Option<usize>,
    pub(super) fixable: f64,
    pub(super) night: bool,
    pub(super) budget: Budget,
    /// Base miss factor from the tightness of the limit.
    pub(super) tight: f64,
    pub(super) extendable: bool,
}

pub(super) fn types<'a>(input: &HistoryInput<'a>, cal: &WorkCalendar) -> Vec<TypeInfo<'a>> {
    let table: HashMap<&str, ([f64; 3], Season)> =
        WEIGHTS.iter().map(|(c, p, q, d, s)| (*c, ([*p, *q, *d], *s))).collect();
    input
        .taxonomy
        .types
        .iter()
        .map(|ty| {
            let code = ty.code.as_str();
            let component = code.as_bytes()[0] == b'0' && code.as_bytes()[1] <= b'5';
            let emergency = ty.code.category() == "09";
            let (w, season) = table.get(code).copied().unwrap_or_else(|| {
                let patrol = if emergency {
                    0.02
                } else if component {
                    0.12
                } else {
                    0.1
                };
                ([patrol, if emergency { 0.05 } else { 0.08 }, 0.0], Flat)
            });
            let limit = ty.limit;
            let v = f64::from(limit.value);
            let (dur, working) = match limit.unit {
                TimeUnit::Minutes => (Duration::minutes(i64::from(limit.value)), false),
                TimeUnit::CalendarHours => (Duration::hours(i64::from(limit.value)), false),
                TimeUnit::WorkingHours => (Duration::hours(i64::from(limit.value)), true),
                TimeUnit::WorkingDays => (cal.working_day_duration() * limit.value as i32, true),
            };
            let tight = match limit.unit {
                TimeUnit::Minutes if v <= 30.0 => 2.6,
                TimeUnit::Minutes => 2.0,
                TimeUnit::CalendarHours if v <= 4.0 => 1.5,
                TimeUnit::CalendarHours => 1.1,
                TimeUnit::WorkingHours if v <= 4.0 => 1.3,
                TimeUnit::WorkingHours => 1.0,
                TimeUnit::WorkingDays if v >= 5.0 => 0.7,
                TimeUnit::WorkingDays => 0.85,
            };
            let extendable = match limit.unit {
                TimeUnit::Minutes => false,
                TimeUnit::CalendarHours => v >= 12.0,
                TimeUnit::WorkingHours => v >= 8.0,
                TimeUnit::WorkingDays => true,
            };
            TypeInfo {
                ty,
                w,
                season,
                urban: URBAN.iter().find(|(c, _)| *c == code).map(|(_, u)| *u),
                only_in: None,
                fixable: FIXABLE.iter().find(|(c, _)| *c == code).map(|(_, p)| *p).unwrap_or(0.0),
                night: NIGHT.contains(&code),
                budget: Budget { dur, working },
                tight,
                extendable,
            }
        })
        .collect()
}

impl World<'_> {
    /// Type weights of a stream on a day; returns their sum.
    pub(super) fn type_weights(&self, stream: Stream, day: &Day, out: &mut Vec<f64>) -> f64 {
        out.clear();
        let col = stream.column();
        let mut sum = 0.0;
        for t in &self.types {
            let mut w = t.w[col];
            if w > 0.0 {
                w *= day.factor(t.season);
            }
            out.push(w);
            sum += w;
        }
        sum
    }
}
