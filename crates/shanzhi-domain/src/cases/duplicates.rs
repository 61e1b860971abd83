//! Likely duplicates: the radius and time window per type (data, with category and type
//! overrides), and the test that a new report matches an open case.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use thiserror::Error;

use crate::taxonomy::TypeCode;

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub radius_m: f64,
    pub window_hours: u32,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicateRules {
    pub version: String,
    pub default: Window,
    #[serde(default)]
    pub category: HashMap<String, Window>,
    #[serde(default, rename = "type")]
    pub types: HashMap<String, Window>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("duplicate rules: {0}")]
pub struct DuplicateRulesError(String);

impl DuplicateRules {
    pub fn from_toml(text: &str) -> Result<DuplicateRules, DuplicateRulesError> {
        let r: DuplicateRules = toml::from_str(text).map_err(|e| DuplicateRulesError(e.to_string()))?;
        for (k, w) in std::iter::once((&"default".to_string(), &r.default)).chain(&r.category).chain(&r.types) {
            if !(w.radius_m > 0.0 && w.radius_m.is_finite()) || w.window_hours == 0 {
                return Err(DuplicateRulesError(format!("{k}: radius and window must be positive")));
            }
        }
        Ok(r)
    }

    /// The window for a type: its own, else its category's, else the default.
    pub fn window(&self, ty: &TypeCode) -> Window {
        self.types.get(ty.as_str()).or_else(|| self.category.get(ty.category())).copied().unwrap_or(self.default)
    }
}

/// Metres between two WGS-84 points (haversine; ample for tens to hundreds of metres).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, la2) = (a.1.to_radians(), b.1.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.0 - a.0).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

/// The bounding box (min lon, min lat, max lon, max lat) that holds the circle, for a query.
pub fn search_box(at: (f64, f64), radius_m: f64) -> (f64, f64, f64, f64) {
    let dlat = radius_m / 111_195.0;
    let dlon = dlat / at.1.to_radians().cos().max(0.01);
    (at.0 - dlon, at.1 - dlat, at.0 + dlon, at.1 + dlat)
}

/// Whether a case reported at `then` at `there` is a likely duplicate of a report at `now`/`here`.
pub fn matches(w: Window, here: (f64, f64), now: DateTime<Utc>, there: (f64, f64), then: DateTime<Utc>) -> bool {
    now - then <= Duration::hours(i64::from(w.window_hours)) && then <= now && distance_m(here, there) <= w.radius_m
}

/// What a new report is compared against: its kind, type, point, time and the type's window.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub kind: String,
    pub type_code: String,
    pub here: (f64, f64),
    pub at: DateTime<Utc>,
    pub window: Window,
}

/// An open case that may be the same problem as a new report.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: i64,
    pub kind: String,
    pub type_code: String,
    pub at: (f64, f64),
    pub reported_at: DateTime<Utc>,
}

impl Probe {
    /// The box to look in (see [`search_box`]).
    pub fn search_box(&self) -> (f64, f64, f64, f64) {
        search_box(self.here, self.window.radius_m)
    }

    /// The earliest report time that can match.
    pub fn since(&self) -> DateTime<Utc> {
        self.at - Duration::hours(i64::from(self.window.window_hours))
    }

    /// The nearest candidate of the same kind and type within the radius and window.
    pub fn nearest<'c>(&self, candidates: impl IntoIterator<Item = &'c Candidate>) -> Option<i64> {
        candidates
            .into_iter()
            .filter(|c| c.kind == self.kind && c.type_code == self.type_code)
            .filter(|c| matches(self.window, self.here, self.at, c.at, c.reported_at))
            .map(|c| (distance_m(self.here, c.at), c.id))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(_, id)| id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_fall_back_from_type_to_category_to_default() {
        let r = DuplicateRules::from_toml(include_str!("../../../../data/duplicates/tangshan.toml")).unwrap();
        assert_eq!(r.window(&"0910".parse().unwrap()).radius_m, 1000.0);
        assert_eq!(r.window(&"0905".parse().unwrap()).radius_m, 300.0);
        assert_eq!(r.window(&"0602".parse().unwrap()).radius_m, 50.0);
    }

    #[test]
    fn distance_and_window() {
        let a = (118.17, 39.62);
        let b = (118.17 + 0.0005, 39.62); // ~43 m east
        assert!((distance_m(a, b) - 42.8).abs() < 1.0);
        let w = Window { radius_m: 50.0, window_hours: 72 };
        let now = Utc::now();
        assert!(matches(w, a, now, b, now - Duration::hours(71)));
        assert!(!matches(w, a, now, b, now - Duration::hours(73)));
        assert!(!matches(Window { radius_m: 40.0, ..w }, a, now, b, now));
        let (x0, y0, x1, y1) = search_box(a, 50.0);
        assert!(x0 < b.0 && b.0 < x1 && y0 < b.1 && b.1 < y1);
    }

    #[test]
    fn the_nearest_open_case_of_the_same_kind_and_type_is_the_likely_duplicate() {
        let now = Utc::now();
        let p = Probe {
            kind: "event".into(),
            type_code: "0602".into(),
            here: (118.17, 39.62),
            at: now,
            window: Window { radius_m: 50.0, window_hours: 72 },
        };
        let c = |id, kind: &str, ty: &str, dx: f64, hours| Candidate {
            id,
            kind: kind.into(),
            type_code: ty.into(),
            at: (118.17 + dx, 39.62),
            reported_at: now - Duration::hours(hours),
        };
        let all = [
            c(1, "event", "0602", 0.0004, 1), // ~34 m
            c(2, "event", "0602", 0.0001, 1), // ~9 m: the nearest
            c(3, "demand", "0602", 0.0, 1),   // another kind
            c(4, "event", "0604", 0.0, 1),    // another type
            c(5, "event", "0602", 0.0, 100),  // too old
            c(6, "event", "0602", 0.001, 1),  // ~86 m: too far
        ];
        assert_eq!(p.nearest(&all), Some(2));
        assert_eq!(p.nearest(&all[2..]), None);
        let (x0, y0, x1, y1) = p.search_box();
        assert!(x0 < 118.17 && 118.17 < x1 && y0 < 39.62 && 39.62 < y1);
        assert_eq!(p.since(), now - Duration::hours(72));
    }
}
