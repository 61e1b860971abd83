//! Rates (docs/domain.md §4.2), composite scores and grades (§4.3) computed from
//! [`Counters`], with the weights, bands and grade thresholds loaded from versioned data
//! (`data/assessment/weights.toml`). A rate whose denominator is zero is `None`, never NaN.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::Counters;

/// `n / d` in percent; `None` when `d` is zero.
pub fn percent(n: u64, d: u64) -> Option<f64> {
    (d != 0).then(|| 100.0 * n as f64 / d as f64)
}

/// The rates of §4.2, in percent (0–100; a month that clears a backlog can exceed 100).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Rates {
    /// 结案率 = 结案数 / 应结案数 (`closed / due`).
    pub closing: Option<f64>,
    /// 按期结案率 = 按期结案数 / 应结案数 (`closed_on_time / due`).
    pub on_time_closing: Option<f64>,
    /// 处置率 = 处置数 / 应处置数 (`handled / due`).
    pub handling: Option<f64>,
    /// 按期处置率 = 按期处置数 / 应处置数 (`handled_on_time / due`).
    pub on_time_handling: Option<f64>,
    /// 返工率 = 返工数 / 处置数 (`rework / handled`).
    pub rework: Option<f64>,
    /// 延期率 = 延期数 / 立案数 (`extensions / filed`, as Fuzhou publishes it). A unit's rows
    /// have no filings (cases are filed before they are dispatched), so it is `None` there.
    pub extension: Option<f64>,
    /// 监督举报率 = 监督举报核实数 / 立案数 (`filed_public / filed`); lower is better.
    pub public_report: Option<f64>,
    /// 满意率 = (满意 + w × 基本满意) / 评价数, w from the weights file.
    pub satisfaction: Option<f64>,
}

impl Rates {
    /// The rates of `c`; `basically_satisfied` is the share of a 基本满意 counted as satisfied.
    pub fn of(c: &Counters, basically_satisfied: f64) -> Rates {
        let rated = c.rated();
        Rates {
            closing: percent(c.closed, c.due),
            on_time_closing: percent(c.closed_on_time, c.due),
            handling: percent(c.handled, c.due),
            on_time_handling: percent(c.handled_on_time, c.due),
            rework: percent(c.rework, c.handled),
            extension: percent(c.extensions, c.filed),
            public_report: percent(c.filed_public, c.filed),
            satisfaction: (rated != 0).then(|| {
                100.0 * (c.satisfied as f64 + basically_satisfied * c.basically_satisfied as f64) / rated as f64
            }),
        }
    }
}

/// One band of a count's score: counts up to `up_to` (inclusive) score `score`; the last band
/// has no `up_to` and takes every larger count.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    #[serde(default)]
    pub up_to: Option<f64>,
    pub score: f64,
}

/// The weights of the region composite (区域评价综合指标值).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegionWeights {
    /// 监督举报率分值 (100 − 监督举报率).
    pub public_report_rate: f64,
    /// 立案数分值 (filed per grid, banded).
    pub filed: f64,
    pub closing_rate: f64,
    pub on_time_closing_rate: f64,
    pub filed_band: Vec<Band>,
}

/// The weights of the department composite (部门评价).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentWeights {
    /// 立案数分值 (cases dispatched to the unit, banded).
    pub filed: f64,
    pub closing_rate: f64,
    pub on_time_handling_rate: f64,
    /// Weight of 100 − 返工率.
    pub rework: f64,
    pub filed_band: Vec<Band>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub name: String,
    /// The lowest score of the grade.
    pub min: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct SatisfactionWeights {
    basically_satisfied: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct WeightsFile {
    version: String,
    #[serde(default)]
    source: String,
    satisfaction: SatisfactionWeights,
    region: RegionWeights,
    department: DepartmentWeights,
    grade: Vec<Grade>,
}

/// A validated assessment scheme: one version of the weights file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub version: String,
    pub source: String,
    /// The share of a 基本满意 counted as satisfied in 满意率.
    pub basically_satisfied: f64,
    pub region: RegionWeights,
    pub department: DepartmentWeights,
    /// Grades from the highest `min` down; the last has `min` ≤ 0.
    pub grades: Vec<Grade>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AssessmentError {
    #[error("weights file: {0}")]
    Parse(String),
    #[error("weights {version}: {}", problems.join("; "))]
    Invalid { version: String, problems: Vec<String> },
}

/// One part of a composite: its name (the §4.3 term), weight and score (`None`: undefined, for
/// want of a denominator), and the counters it is computed from (so that a person can open the
/// cases behind each).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// Stable key of the part (`public_report`, `filed`, `closing`, `on_time_closing`,
    /// `on_time_handling`, `rework`).
    pub key: &'static str,
    pub name: &'static str,
    pub name_en: &'static str,
    pub weight: f64,
    pub score: Option<f64>,
    /// The counters of [`Counters`] the score is computed from, numerator first.
    pub counters: &'static [&'static str],
}

/// A composite score with its grade and the parts it was made of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Composite {
    /// Σ weight × score over the defined parts, divided by the sum of their weights (so an
    /// area with nothing due is judged on what it has, not given a zero).
    pub value: f64,
    pub grade: String,
    pub parts: Vec<Part>,
}

const EPS: f64 = 1e-9;

fn check_weights(name: &str, weights: &[(&str, f64)], problems: &mut Vec<String>) {
    for (w, v) in weights {
        if !(0.0..=1.0).contains(v) {
            problems.push(format!("{name}.{w} = {v} is not between 0 and 1"));
        }
    }
    let sum: f64 = weights.iter().map(|(_, v)| v).sum();
    if (sum - 1.0).abs() > EPS {
        problems.push(format!("the {name} weights sum to {sum}, not 1"));
    }
}

fn check_bands(name: &str, bands: &[Band], problems: &mut Vec<String>) {
    let Some((last, rest)) = bands.split_last() else {
        problems.push(format!("{name}: no bands"));
        return;
    };
    if last.up_to.is_some() {
        problems.push(format!("{name}: the last band must have no up_to"));
    }
    let mut previous = f64::NEG_INFINITY;
    for b in rest {
        match b.up_to {
            None => problems.push(format!("{name}: only the last band may omit up_to")),
            Some(u) if u <= previous => problems.push(format!("{name}: up_to {u} does not increase")),
            Some(u) => previous = u,
        }
    }
    for b in bands {
        if !(0.0..=100.0).contains(&b.score) {
            problems.push(format!("{name}: score {} is not between 0 and 100", b.score));
        }
    }
}

fn band_score(bands: &[Band], count: f64) -> f64 {
    bands.iter().find(|b| b.up_to.is_none_or(|u| count <= u)).map_or(0.0, |b| b.score)
}

/// A rate as a score: capped to 0–100.
fn capped(rate: Option<f64>) -> Option<f64> {
    rate.map(|r| r.clamp(0.0, 100.0))
}

impl Assessment {
    /// Parses and checks a weights file: each composite's weights lie in 0–1 and sum to 1,
    /// bands increase and end open, scores lie in 0–100, grades descend and the last starts at 0.
    pub fn from_toml(text: &str) -> Result<Assessment, AssessmentError> {
        let f: WeightsFile = toml::from_str(text).map_err(|e| AssessmentError::Parse(e.to_string()))?;
        let mut problems = Vec::new();
        if f.version.trim().is_empty() {
            problems.push("version is empty".to_string());
        }
        if !(0.0..=1.0).contains(&f.satisfaction.basically_satisfied) {
            problems.push("satisfaction.basically_satisfied is not between 0 and 1".to_string());
        }
        let r = &f.region;
        check_weights(
            "region",
            &[
                ("public_report_rate", r.public_report_rate),
                ("filed", r.filed),
                ("closing_rate", r.closing_rate),
                ("on_time_closing_rate", r.on_time_closing_rate),
            ],
            &mut problems,
        );
        check_bands("region.filed_band", &r.filed_band, &mut problems);
        let d = &f.department;
        check_weights(
            "department",
            &[
                ("filed", d.filed),
                ("closing_rate", d.closing_rate),
                ("on_time_handling_rate", d.on_time_handling_rate),
                ("rework", d.rework),
            ],
            &mut problems,
        );
        check_bands("department.filed_band", &d.filed_band, &mut problems);
        match f.grade.last() {
            None => problems.push("no grades".to_string()),
            Some(g) if g.min > 0.0 => problems.push(format!("the last grade {} must start at 0", g.name)),
            Some(_) => {}
        }
        for pair in f.grade.windows(2) {
            if pair[1].min >= pair[0].min {
                problems.push(format!(
                    "grade {} (min {}) must be below grade {} (min {})",
                    pair[1].name, pair[1].min, pair[0].name, pair[0].min
                ));
            }
        }
        if !problems.is_empty() {
            return Err(AssessmentError::Invalid { version: f.version, problems });
        }
        Ok(Assessment {
            version: f.version,
            source: f.source,
            basically_satisfied: f.satisfaction.basically_satisfied,
            region: f.region,
            department: f.department,
            grades: f.grade,
        })
    }

    /// The rates of `c` under this scheme.
    pub fn rates(&self, c: &Counters) -> Rates {
        Rates::of(c, self.basically_satisfied)
    }

    /// The grade of a score.
    pub fn grade(&self, value: f64) -> &str {
        self.grades.iter().find(|g| value >= g.min).or(self.grades.last()).map_or("", |g| g.name.as_str())
    }

    fn composite(&self, parts: Vec<Part>) -> Option<Composite> {
        let defined = parts.iter().filter_map(|p| p.score.map(|s| (p.weight, s)));
        let (weight, sum) = defined.fold((0.0, 0.0), |(w, s), (pw, ps)| (w + pw, s + pw * ps));
        (weight > EPS).then(|| {
            let value = sum / weight;
            Composite { value, grade: self.grade(value).to_string(), parts }
        })
    }

    /// 区域评价综合指标值 of an area's counters; `grids` is the number of unit grids in the area
    /// (1 for a grid), by which 立案数 is averaged before banding.
    pub fn region(&self, c: &Counters, grids: u64) -> Option<Composite> {
        let w = &self.region;
        let r = self.rates(c);
        self.composite(vec![
            Part {
                key: "public_report",
                name: "监督举报率分值",
                name_en: "public report rate score",
                weight: w.public_report_rate,
                score: capped(r.public_report.map(|p| 100.0 - p)),
                counters: &["filed_public", "filed"],
            },
            Part {
                key: "filed",
                name: "立案数分值",
                name_en: "filings score",
                weight: w.filed,
                score: (grids != 0).then(|| band_score(&w.filed_band, c.filed as f64 / grids as f64)),
                counters: &["filed"],
            },
            Part {
                key: "closing",
                name: "结案率分值",
                name_en: "closing rate score",
                weight: w.closing_rate,
                score: capped(r.closing),
                counters: &["closed", "due"],
            },
            Part {
                key: "on_time_closing",
                name: "按期结案率分值",
                name_en: "on-time closing rate score",
                weight: w.on_time_closing_rate,
                score: capped(r.on_time_closing),
                counters: &["closed_on_time", "due"],
            },
        ])
    }

    /// 部门评价 of a unit's counters (the rows with that unit).
    pub fn department(&self, c: &Counters) -> Option<Composite> {
        let w = &self.department;
        let r = self.rates(c);
        self.composite(vec![
            Part {
                key: "filed",
                name: "立案数分值",
                name_en: "filings score",
                weight: w.filed,
                score: Some(band_score(&w.filed_band, c.dispatched as f64)),
                counters: &["dispatched"],
            },
            Part {
                key: "closing",
                name: "结案率",
                name_en: "closing rate",
                weight: w.closing_rate,
                score: capped(r.closing),
                counters: &["closed", "due"],
            },
            Part {
                key: "on_time_handling",
                name: "按期处置率",
                name_en: "on-time handling rate",
                weight: w.on_time_handling_rate,
                score: capped(r.on_time_handling),
                counters: &["handled_on_time", "due"],
            },
            Part {
                key: "rework",
                name: "100 − 返工率",
                name_en: "100 − rework rate",
                weight: w.rework,
                score: capped(r.rework.map(|p| 100.0 - p)),
                counters: &["rework", "handled"],
            },
        ])
    }
}

#[cfg(test)]
mod tests;
