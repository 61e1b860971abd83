//! Figures for dashboards: the stored counters of a kind over a range of months, broken down by
//! month, child area, unit or type, with the rates and composite scores of the assessment.

use std::collections::BTreeMap;

use serde::Serialize;
use shanzhi_domain::cases::figures::assessment::{Composite, Rates};
use shanzhi_domain::cases::figures::order::{Order, RowView};
use shanzhi_domain::cases::figures::{Counters, kept};
use shanzhi_store::FigureQuery;

use crate::{App, AppError};

/// What a dashboard asks.
#[derive(Debug, Clone, Default)]
pub struct StatsQuery {
    pub kind: String,
    /// `YYYY-MM`, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    /// A division or grid code; none: the whole city.
    pub area: Option<String>,
    pub unit: Option<String>,
    pub type_code: Option<String>,
    /// `period`, `area` (the children of `area`), `unit` or `type`; `area_period`: the children
    /// of `area` month by month (a heat map in one answer); none: one total.
    pub by: Option<String>,
    /// The breakdown's order (`shanzhi_domain::cases::figures::order`); none: by key.
    pub sort: Option<String>,
    /// Only rows whose name (Chinese or English) or key contains this, ignoring case.
    pub name: Option<String>,
    /// Rows skipped, then rows given at most (1 to [`ROWS_MAX`]; none: every row, for exports).
    pub offset: Option<u32>,
    pub limit: Option<u32>,
}

/// The most rows one answer gives (a city's units are thousands: pages or the top N).
pub const ROWS_MAX: u32 = 1000;
/// The rows an answer on screen gives when it is not told (exports give every row).
pub const ROWS_DEFAULT: u32 = 200;
/// The longest name a breakdown is searched for.
pub const NAME_MAX: usize = 40;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatRow {
    /// The value of the breakdown dimension (a month, an area code, a unit, a type); `*` for the total.
    pub key: String,
    /// What the key names: an area's or grid's name, a unit's, a type's; the month itself; for
    /// the total, empty. (`name_en`: a type's English name; otherwise the same as `name`.)
    pub name: String,
    pub name_en: String,
    pub counters: Counters,
    pub rates: Rates,
    /// The region score (for areas) or the department score (for units), when defined.
    pub score: Option<Composite>,
    /// With `by = area_period`: the month of the row (its `key` is the area's code).
    pub period: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub kind: String,
    pub by: Option<String>,
    pub rows: Vec<StatRow>,
    /// How many rows the breakdown has (matching `name`), of which `rows` is the page at `offset`.
    pub rows_total: usize,
    pub offset: usize,
    pub total: StatRow,
}

fn check_period(field: &str, p: &Option<String>) -> Result<(), AppError> {
    match p {
        Some(v)
            if !(v.len() == 7
                && v.as_bytes()[4] == b'-'
                && v[..4].parse::<u16>().is_ok()
                && v[5..].parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))) =>
        {
            Err(AppError::invalid(field, format!("{field} `{v}` is not a month YYYY-MM")))
        }
        _ => Ok(()),
    }
}

/// The figures over the application (`App::figures`): the kept counts and rates of the closed
/// loop and their workbook, the cases behind a figure, and the command centre's live counts.
pub struct Figures<'a> {
    pub(crate) app: &'a App,
}

impl App {
    /// The figures service.
    pub fn figures(&self) -> Figures<'_> {
        Figures { app: self }
    }
}

impl Figures<'_> {
    /// Figures inside the caller's data scope: an area inside its own (by default its own), or a
    /// department's own unit; residents and devices see none.
    pub async fn stats(&self, q: &StatsQuery, actor: &shanzhi_domain::cases::case::Actor) -> Result<Stats, AppError> {
        let scope = self.app.scope_of(actor);
        let mut q = q.clone();
        // By default the own area, or a department's own unit (unless it asks for an area it was
        // given to see whole).
        if let shanzhi_domain::access::DataScope::Within { areas, units, .. } = &scope {
            let given = q.area.as_deref().is_some_and(|a| areas.iter().any(|m| a.starts_with(m.as_str())));
            match shanzhi_domain::access::home_area(actor) {
                Some(area) if q.area.is_none() => q.area = Some(area),
                None if q.unit.is_none() && !given => q.unit = units.first().cloned(),
                _ => {}
            }
        }
        if !scope.may_count(q.area.as_deref(), q.unit.as_deref(), q.by.as_deref() == Some("unit")) {
            return Err(match scope {
                shanzhi_domain::access::DataScope::Own(_) => AppError::Forbidden(
                    "figures are for the staff of the city, streets, communities and departments".into(),
                )
                .with_zh("统计数据仅供市、街道、社区和部门的工作人员查看"),
                _ => AppError::Forbidden("these figures are outside your area or unit".into())
                    .with_zh("这些数据超出了本账号的辖区或单位"),
            });
        }
        let q = &q;
        let reference = self.app.reference();
        if !reference.workflows.contains_key(&q.kind) {
            return Err(AppError::invalid("kind", format!("unknown kind `{}`", q.kind)));
        }
        check_period("from", &q.from)?;
        check_period("to", &q.to)?;
        let order = match &q.sort {
            Some(s) => Order::parse(s).map_err(|e| {
                AppError::invalid("sort", e.to_string())
                    .with_zh("sort 须为 key、name、score、某个计数或比率，前加“-”为降序")
            })?,
            None => Order::default(),
        };
        if let Some(l) = q.limit
            && !(1..=ROWS_MAX).contains(&l)
        {
            return Err(AppError::invalid("limit", format!("limit {l} is not between 1 and {ROWS_MAX}"))
                .with_zh(format!("limit 须在 1 到 {ROWS_MAX} 之间")));
        }
        let matching = match q.name.as_deref().map(str::trim) {
            Some(n) if n.chars().count() > NAME_MAX => {
                return Err(AppError::invalid("name", format!("name is longer than {NAME_MAX} characters"))
                    .with_zh(format!("name 不能超过 {NAME_MAX} 个字")));
            }
            Some(n) if !n.is_empty() => Some(n.to_lowercase()),
            _ => None,
        };
        if let Some(a) = &q.area
            && (!a.bytes().all(|b| b.is_ascii_digit()) || ![4, 6, 9, 12, 15].contains(&a.len()))
        {
            return Err(AppError::invalid("area", format!("area `{a}` is not a 4, 6, 9, 12 or 15-digit code")));
        }
        // An area month by month reads as an area breakdown, each month a row of its own.
        let split = q.by.as_deref() == Some("area_period");
        let by = if split { Some("area".to_string()) } else { q.by.clone() };
        let children = match by.as_deref() {
            None | Some("period" | "unit" | "type") => None,
            Some("area") => {
                let parent = q.area.clone().unwrap_or_else(|| "1302".into());
                let child_len = match parent.len() {
                    4 => 6,
                    6 => 9,
                    9 => 12,
                    12 => 15,
                    _ => return Err(AppError::invalid("by", "a grid has no child areas")),
                };
                let code = parent
                    .parse()
                    .map_err(|e: shanzhi_domain::ids::CodeError| AppError::invalid("area", e.to_string()))?;
                Some((self.app.places().child_codes(&code), child_len))
            }
            Some(other) => {
                return Err(AppError::invalid(
                    "by",
                    format!("by `{other}` is not period, area, area_period, unit or type"),
                ));
            }
        };
        // Which area codes the rows will have, and whether that breakdown is kept there.
        let level_area = match &children {
            Some((_, len)) => "0".repeat(*len),
            None => q.area.clone().unwrap_or_else(|| "*".into()),
        };
        let all_units = q.unit.is_none() && by.as_deref() != Some("unit");
        let all_types = q.type_code.is_none() && by.as_deref() != Some("type");
        if !kept(&level_area, all_units, all_types) {
            return Err(AppError::invalid(
                "area",
                "figures are kept by unit from the community up, by type from the street up, and by unit and type together from the county up: ask at a higher level",
            ));
        }
        let rows = self
            .app
            .store()
            .figures(&FigureQuery {
                kind: q.kind.clone(),
                period_from: q.from.clone(),
                period_to: q.to.clone(),
                area: q.area.clone(),
                unit: q.unit.clone(),
                type_code: q.type_code.clone(),
                by: by.clone(),
                areas: children.map(|(codes, _)| codes),
            })
            .await?;
        let mut grouped: BTreeMap<(String, Option<String>), Counters> = BTreeMap::new();
        let mut total = Counters::default();
        for (k, c) in &rows {
            let key = match by.as_deref() {
                Some("period") => k.period.clone(),
                Some("area") => k.area.clone(),
                Some("unit") => k.unit.clone(),
                Some("type") => k.type_code.clone(),
                _ => "*".into(),
            };
            grouped.entry((key, split.then(|| k.period.clone()))).or_default().add(c);
            total.add(c);
        }
        let places = self.app.places();
        let row = |key: String, period: Option<String>, c: Counters| {
            let score = match by.as_deref() {
                Some("unit") => reference.assessment.department(&c),
                _ => {
                    // Each area's own grids; the total's, the area asked about.
                    let area = if by.as_deref() == Some("area") && key != "*" {
                        key.clone()
                    } else {
                        q.area.clone().unwrap_or_else(|| "1302".into())
                    };
                    let grids = if area.len() == 15 {
                        1
                    } else {
                        area.parse().map(|d| places.counts(&d).grids as u64).unwrap_or(0)
                    };
                    reference.assessment.region(&c, grids.max(1))
                }
            };
            let (name, name_en) = self.key_name(by.as_deref(), &key);
            StatRow { key, name, name_en, rates: reference.assessment.rates(&c), counters: c, score, period }
        };
        let mut rows: Vec<StatRow> = if by.is_some() {
            grouped
                .into_iter()
                .map(|((k, period), c)| row(k, period, c))
                .filter(|r| {
                    matching.as_deref().is_none_or(|m| {
                        r.name.to_lowercase().contains(m) || r.name_en.to_lowercase().contains(m) || r.key.contains(m)
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        order.sort(&mut rows, |r| RowView {
            key: &r.key,
            name: &r.name,
            counters: &r.counters,
            rates: &r.rates,
            score: r.score.as_ref().map(|s| s.value),
        });
        let rows_total = rows.len();
        let offset = (q.offset.unwrap_or(0) as usize).min(rows_total);
        let rows: Vec<StatRow> =
            rows.into_iter().skip(offset).take(q.limit.map_or(usize::MAX, |l| l as usize)).collect();
        let total = row("*".into(), None, total);
        Ok(Stats { kind: q.kind.clone(), by: q.by.clone(), rows, rows_total, offset, total })
    }
}

impl Figures<'_> {
    /// The (Chinese, English) name of a breakdown's key (see `StatRow::name`).
    fn key_name(&self, by: Option<&str>, key: &str) -> (String, String) {
        let same = |n: String| (n.clone(), n);
        match by {
            _ if key == "*" => same(String::new()),
            Some("area") if key.len() == 15 => same(
                key.parse()
                    .ok()
                    .and_then(|g| self.app.places().grid(&g).map(|g| g.name.clone()))
                    .unwrap_or_else(|| key.into()),
            ),
            Some("area") => same(self.app.places().division_name(key).unwrap_or_else(|| key.into())),
            Some("unit") => same(self.app.unit_name(key)),
            Some("type") => key
                .parse()
                .ok()
                .and_then(|t| self.app.reference().taxonomy.get(&t).map(|t| (t.name_zh.clone(), t.name_en.clone())))
                .unwrap_or_else(|| same(key.into())),
            _ => same(key.into()),
        }
    }
}

impl Figures<'_> {
    /// The condition that lists the cases behind a figure: cases with a log entry that counted
    /// `figure` (any counter of `Counters::FIELDS`) in `[from, to)` (`due`: whose handling
    /// deadline falls in it), under `unit` when given (the unit the entry counted under; `-`: none).
    /// A case is listed once however many of its entries counted.
    pub fn figure_filter(
        &self,
        figure: &str,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
        unit: Option<String>,
    ) -> Result<crate::cases::Acted, AppError> {
        let counter = match (figure, Counters::bit(figure)) {
            ("due", _) => shanzhi_store::Counter::Due,
            (_, Some(bit)) => shanzhi_store::Counter::Bit(bit),
            (_, None) => {
                return Err(AppError::invalid(
                    "figure",
                    format!("`{figure}` is not a figure: one of {}", Counters::FIELDS.join(", ")),
                ));
            }
        };
        if from >= to {
            return Err(AppError::invalid("figure_to", "figure_to must be after figure_from"));
        }
        Ok(crate::cases::Acted { counter, from, to, unit })
    }
}
