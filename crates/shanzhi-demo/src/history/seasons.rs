//! The days of the period and what they are like: working days, weekends and holidays, the
//! summer-winter swing, snowfalls and storms (drawn from the seed), the heating season, the
//! Spring Festival, the harvests, falling leaves and the building season.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::config::HistoryConfig;
use super::draw::gauss;
use shanzhi_domain::calendar::WorkCalendar;

/// How a type's frequency moves through the year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Season {
    Flat,
    /// `1 ± a`: highest in mid-July, lowest in mid-January.
    Summer(f64),
    /// `1 ± a`: highest in mid-January.
    Winter(f64),
    /// Only on and just after snowfalls (mid-November to mid-March).
    Snow,
    /// Only in July and August, mostly on storm days.
    Rain,
    /// All year, more on storm days.
    RainBoost(f64),
    /// Only in the heating season (15 November to 15 March), most when it starts.
    Heating,
    /// All year, more in the heating season.
    HeatingBoost(f64),
    /// Around the Spring Festival (and 元宵), rarely otherwise.
    Festival,
    /// Wheat (June) and maize (October) harvests.
    Harvest,
    /// Fallen leaves (late autumn) and 清明.
    Leaves,
    /// Building season (quiet in winter).
    Construction,
    /// Building season, windier in spring.
    Dust,
}

use Season::*;

/// Lunar new year's days (春节) the history knows.
const SPRING_FESTIVAL: &[(i32, u32, u32)] = &[(2025, 1, 29), (2026, 2, 17), (2027, 2, 6), (2028, 1, 26)];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DayKind {
    Working,
    Weekend,
    Holiday,
}

/// One day of the period and what it is like.
pub(super) struct Day {
    pub(super) date: NaiveDate,
    /// Local midnight as an instant.
    pub(super) start: DateTime<Utc>,
    pub(super) kind: DayKind,
    /// 0 in mid-January … 1 in mid-July.
    pub(super) summer: f64,
    pub(super) snow: f64,
    pub(super) rain: f64,
    pub(super) heating: f64,
    pub(super) festival: f64,
    pub(super) festival_week: bool,
    pub(super) harvest: f64,
    pub(super) leaves: f64,
    pub(super) construction: f64,
    pub(super) dust: f64,
}

impl Day {
    pub(super) fn factor(&self, s: Season) -> f64 {
        match s {
            Flat => 1.0,
            Summer(a) => 1.0 + a * (2.0 * self.summer - 1.0),
            Winter(a) => 1.0 - a * (2.0 * self.summer - 1.0),
            Snow => self.snow,
            Rain => self.rain,
            RainBoost(a) => 1.0 + a * self.rain,
            Heating => self.heating,
            HeatingBoost(a) => 1.0 + a * self.heating,
            Festival => self.festival,
            Harvest => self.harvest,
            Leaves => self.leaves,
            Construction => self.construction,
            Dust => self.construction * self.dust,
        }
    }
}

fn in_md(date: NaiveDate, from: (u32, u32), to: (u32, u32)) -> bool {
    let md = (date.month(), date.day());
    if from <= to { from <= md && md <= to } else { md >= from || md <= to }
}

/// The days of the period with their weather and seasons; snowfalls and storms are drawn.
pub(super) fn days(cal: &WorkCalendar, cfg: &HistoryConfig, rng: &mut ChaCha8Rng) -> Vec<Day> {
    let offset = cal.utc_offset();
    let last = (cfg.end - Duration::nanoseconds(1)).with_timezone(&offset).date_naive();
    let first = last - Duration::days(i64::from(cfg.days) - 1);
    let dates: Vec<NaiveDate> = first.iter_days().take(cfg.days as usize).collect();
    let rest: HashSet<NaiveDate> = cal.holidays().iter().flat_map(|h| h.days.iter().copied()).collect();
    let n = dates.len();

    // Snowfalls: about seven a winter, each icy for a few days after.
    let mut snow = vec![0.0f64; n];
    let snow_days: Vec<usize> = (0..n).filter(|&i| in_md(dates[i], (11, 20), (3, 5))).collect();
    let winters = (snow_days.len() as f64 / 106.0).ceil().max(0.0) as usize;
    for _ in 0..winters * 7 {
        if snow_days.is_empty() {
            break;
        }
        let d = snow_days[rng.random_range(0..snow_days.len())];
        let intensity = rng.random_range(0.4..2.0);
        let length = if rng.random_bool(0.35) { 2 } else { 1 };
        for k in 0..length + 4 {
            let decay = if k < length { 1.0 } else { [0.6, 0.3, 0.12, 0.05][k - length] };
            if let Some(s) = snow.get_mut(d + k)
                && in_md(dates[d + k], (11, 15), (3, 15))
            {
                *s += intensity * decay;
            }
        }
    }
    // Storms: about eight a summer in July and August.
    let mut rain = vec![0.0f64; n];
    let rain_days: Vec<usize> = (0..n).filter(|&i| in_md(dates[i], (7, 1), (8, 31))).collect();
    for &i in &rain_days {
        rain[i] = 0.04;
    }
    let summers = (rain_days.len() as f64 / 62.0).ceil() as usize;
    for _ in 0..summers * 8 {
        if rain_days.is_empty() {
            break;
        }
        let d = rain_days[rng.random_range(0..rain_days.len())];
        let intensity = rng.random_range(0.5..2.5);
        rain[d] += intensity;
        if d + 1 < n && in_md(dates[d + 1], (7, 1), (8, 31)) {
            rain[d + 1] += 0.3 * intensity;
        }
    }
    let festivals: Vec<NaiveDate> =
        SPRING_FESTIVAL.iter().filter_map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)).collect();

    dates
        .iter()
        .enumerate()
        .map(|(i, &date)| {
            let start = offset
                .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight"))
                .single()
                .expect("a fixed offset")
                .with_timezone(&Utc);
            let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
            let kind = if rest.contains(&date) {
                DayKind::Holiday
            } else if cal.is_working_day(date) {
                DayKind::Working
            } else if weekend {
                DayKind::Weekend
            } else {
                DayKind::Holiday
            };
            let doy = f64::from(date.ordinal0());
            let summer = 0.5 * (1.0 - (std::f64::consts::TAU * (doy - 15.0) / 365.25).cos());
            // Heating season: 15 November – 15 March, troubles when it starts.
            let heating = if in_md(date, (11, 15), (3, 15)) {
                let season_start = if date.month() >= 11 {
                    NaiveDate::from_ymd_opt(date.year(), 11, 15)
                } else {
                    NaiveDate::from_ymd_opt(date.year() - 1, 11, 15)
                }
                .expect("a date");
                let since = (date - season_start).num_days() as f64;
                1.0 + 1.5 * (-since / 6.0).exp() + 0.5 * snow[i].min(2.0)
            } else {
                0.0
            };
            let (mut festival, mut festival_week) = (0.15, false);
            for f in &festivals {
                let k = (date - *f).num_days();
                let v = match k {
                    -1 | 0 => 25.0,
                    -7..=-2 => 4.0,
                    1..=5 => 8.0,
                    14 => 10.0,
                    6..=16 => 2.5,
                    _ => continue,
                };
                festival = v;
                festival_week = (-1..=6).contains(&k);
            }
            let harvest = 0.05 + gauss(doy, 166.0, 8.0) + 1.3 * gauss(doy, 281.0, 10.0);
            let leaves = 0.2 + gauss(doy, 305.0, 15.0) + 0.8 * gauss(doy, 94.0, 3.0);
            let construction = match date.month() {
                12 | 1 | 2 => 0.35,
                3 | 11 => 0.8,
                _ => 1.3,
            };
            let dust = 1.0 + 0.8 * gauss(doy, 105.0, 25.0);
            Day {
                date,
                start,
                kind,
                summer,
                snow: snow[i],
                rain: rain[i],
                heating,
                festival,
                festival_week,
                harvest,
                leaves,
                construction,
                dust,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_day_windows_wrap_around_the_new_year() {
        let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert!(in_md(d(1, 10), (11, 15), (3, 15)) && in_md(d(11, 15), (11, 15), (3, 15)));
        assert!(!in_md(d(7, 1), (11, 15), (3, 15)) && !in_md(d(3, 16), (11, 15), (3, 15)));
        assert!(in_md(d(7, 1), (7, 1), (8, 31)) && !in_md(d(9, 1), (7, 1), (8, 31)));
    }
}
