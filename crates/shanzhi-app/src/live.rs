//! The command centre's view of an area now: live counts (open, yellow, red, whistles waiting,
//! today's reports) for the area, each child area (or grid) and the area's unlocated cases, always
//! within the caller's data scope.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shanzhi_domain::access::DataScope;
use shanzhi_domain::cases::case::Actor;
use shanzhi_domain::cases::figures::day_start;
use shanzhi_domain::ids::{DivisionCode, GridCode, Level};
use shanzhi_store::{LiveCounts, LiveGroup, LiveQuery};

use crate::AppError;
use crate::places::Places;
use crate::stats::Figures;

/// An area and what is live in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaLive {
    pub code: String,
    pub name: String,
    /// city, county, township, village or grid.
    pub level: &'static str,
    pub open: u64,
    pub yellow: u64,
    pub red: u64,
    pub summoned: u64,
    pub today: u64,
}

impl AreaLive {
    fn new(code: String, name: String, level: &'static str, c: LiveCounts) -> AreaLive {
        AreaLive { code, name, level, open: c.open, yellow: c.yellow, red: c.red, summoned: c.summoned, today: c.today }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    pub area: AreaLive,
    /// The city → … → area chain above it (codes and names), for a breadcrumb.
    pub parents: Vec<(String, String)>,
    /// Every child area (grids for a community), with zeros where nothing is live.
    pub children: Vec<AreaLive>,
    /// Cases of the area with no grid (reported outside every grid): counted in the area's
    /// figures, under no child.
    pub unlocated: Option<AreaLive>,
    /// The area's counts for each kind in force (zeros included), in key order.
    pub kinds: Vec<KindLive>,
    pub at: DateTime<Utc>,
}

/// What is live of one kind in an area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindLive {
    pub kind: String,
    pub name_zh: String,
    pub name_en: String,
    pub counts: LiveCounts,
}

/// An area's name and level, the divisions above it and its children (code, name, level).
struct Where {
    name: String,
    level: &'static str,
    parents: Vec<DivisionCode>,
    children: Vec<(String, String, &'static str)>,
}

fn locate_area(places: &Places, code: &str) -> Result<Where, AppError> {
    let bad = |e: shanzhi_domain::ids::CodeError| AppError::invalid("area", e.to_string());
    if code.len() == 15 {
        let g: GridCode = code.parse().map_err(bad)?;
        let grid = places.grid(&g).ok_or_else(|| AppError::NotFound { what: format!("grid {code}") })?;
        let parents = places.tree.lineage(&g.community()).into_iter().map(|d| d.code.clone()).collect();
        return Ok(Where { name: grid.name.clone(), level: "grid", parents, children: Vec::new() });
    }
    let d: DivisionCode = code.parse().map_err(bad)?;
    let div = places.tree.get(&d).ok_or_else(|| AppError::NotFound { what: format!("area {code}") })?;
    let mut parents: Vec<DivisionCode> = places.tree.lineage(&d).into_iter().map(|d| d.code.clone()).collect();
    parents.pop();
    let children = if d.level() == Level::Village {
        places.community_grid_refs(&d).into_iter().map(|g| (g.code, g.name, "grid")).collect()
    } else {
        places.tree.children(&d).map(|c| (c.code.to_string(), c.short_name(), c.level().as_str())).collect()
    };
    Ok(Where { name: div.short_name(), level: d.level().as_str(), parents, children })
}

impl Figures<'_> {
    /// What is live in `area` (default: the caller's own area, or the city) and its children, of
    /// one kind or all, and the area's counts per kind. Every count is within the caller's data
    /// scope; residents and devices have no overview.
    pub async fn overview(&self, area: Option<&str>, kind: Option<&str>, actor: &Actor) -> Result<Overview, AppError> {
        let scope = self.app.scope_of(actor);
        let code = match (&scope, area) {
            (DataScope::Own(_), _) => {
                return Err(AppError::Forbidden(
                    "the overview is for the staff of the city, streets, communities and departments".into(),
                ));
            }
            (_, Some(a)) => a.to_string(),
            (_, None) => shanzhi_domain::access::home_area(actor).unwrap_or_else(|| "1302".to_string()),
        };
        self.app.cases().check_kind_and_type(kind, None)?;
        let places = self.app.places();
        let Where { name, level, parents, children } = locate_area(&places, &code)?;
        let now = self.app.clock().now();
        let group = children.first().map_or(LiveGroup::None, |(c, _, _)| LiveGroup::Area(c.len()));
        let query = LiveQuery {
            scope,
            area: code.clone(),
            group,
            kind: kind.map(str::to_string),
            unit: None,
            now,
            today: day_start(now),
        };
        let rows = self.app.store().live_counts(&query).await?;
        let by_kind = self.app.store().live_counts(&LiveQuery { group: LiveGroup::Kind, kind: None, ..query }).await?;
        let reference = self.app.reference();
        let mut kinds: Vec<KindLive> = reference
            .workflows
            .values()
            .map(|wf| KindLive {
                kind: wf.kind.clone(),
                name_zh: wf.name_zh.clone(),
                name_en: wf.name_en.clone(),
                counts: by_kind
                    .iter()
                    .find(|(k, _)| k.as_deref() == Some(wf.kind.as_str()))
                    .map(|(_, c)| *c)
                    .unwrap_or_default(),
            })
            .collect();
        kinds.sort_by(|a, b| a.kind.cmp(&b.kind));
        let mut total = LiveCounts::default();
        let mut unlocated = None;
        for (k, c) in &rows {
            total.add(c);
            if k.is_none() {
                unlocated = Some(AreaLive::new(code.clone(), String::new(), "unlocated", *c));
            }
        }
        let children = children
            .into_iter()
            .map(|(c, n, l)| {
                let counts = rows
                    .binary_search_by(|(k, _)| k.as_deref().cmp(&Some(c.as_str())))
                    .map(|i| rows[i].1)
                    .unwrap_or_default();
                AreaLive::new(c, n, l, counts)
            })
            .collect();
        let parents = parents
            .iter()
            .map(|p| (p.to_string(), places.tree.get(p).map(|d| d.short_name()).unwrap_or_default()))
            .collect();
        Ok(Overview { area: AreaLive::new(code, name, level, total), parents, children, unlocated, kinds, at: now })
    }
}
