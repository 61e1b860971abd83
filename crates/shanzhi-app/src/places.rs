//! The in-memory view of places: the division tree, the grid R-tree and per-area counts; and the
//! two questions asked of it: where is this point, and what is this area.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use shanzhi_domain::ids::{DivisionCode, GridCode, Level};
use shanzhi_domain::people::Unit;
use shanzhi_domain::places::crs::Crs;
use shanzhi_domain::places::division::{Division, DivisionTree};
use shanzhi_domain::places::grid::Grid;
use shanzhi_domain::places::locate::GridIndex;
use shanzhi_store::StoredPlaces;

use crate::AppError;

/// Grid and worker counts of an area (its whole subtree).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AreaCounts {
    pub grids: u32,
    pub full_time_workers: u32,
    pub part_time_workers: u32,
}

pub struct Places {
    pub tree: DivisionTree,
    pub grids: Vec<Grid>,
    index: GridIndex,
    by_code: HashMap<GridCode, u32>,
    counts: HashMap<DivisionCode, AreaCounts>,
    grid_workers: HashMap<GridCode, (u32, u32)>,
    /// The unit register by id (ids begin with the area served: `130202:water-supply`).
    units: std::collections::BTreeMap<String, Unit>,
    /// The units' ids in the pinyin order of their names (`text::pinyin_key`), made once.
    units_by_name: Vec<String>,
    /// Map answers already made (`map.rs`), by area and datum.
    pub(crate) maps: std::sync::Mutex<HashMap<(String, Crs), std::sync::Arc<std::sync::OnceLock<std::sync::Arc<str>>>>>,
}

/// A division as answered: code, name, level and kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaRef {
    pub code: String,
    pub name: String,
    pub level: &'static str,
    pub kind: &'static str,
}

impl From<&Division> for AreaRef {
    fn from(d: &Division) -> Self {
        AreaRef { code: d.code.to_string(), name: d.name.clone(), level: d.level().as_str(), kind: d.kind.as_str() }
    }
}

/// Where a point is: its grid and the chain of areas above it, or, outside every grid, the
/// nearest grid and how far it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Location {
    /// The point in WGS-84 after conversion.
    pub lon: f64,
    pub lat: f64,
    pub located: bool,
    pub grid: Option<GridRef>,
    /// City → county → township → community.
    pub areas: Vec<AreaRef>,
    pub nearest: Option<NearestGrid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridRef {
    pub code: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearestGrid {
    pub grid: GridRef,
    pub distance_m: f64,
}

/// An area with its parents, children and counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaSummary {
    pub area: AreaRef,
    pub parents: Vec<AreaRef>,
    pub children: Vec<(AreaRef, AreaCounts)>,
    pub counts: AreaCounts,
    /// The grids of a community or village (empty above that level).
    pub grids: Vec<GridRef>,
}

/// A community (or village) found by name: the resident's place picker when the phone gives no
/// position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommunityHit {
    pub code: String,
    /// Its everyday name (立新东楼社区).
    pub name: String,
    /// County, street and community (路南区学院南路街道立新东楼社区).
    pub address: String,
    /// A point inside its first grid (WGS-84), to report from when no better place is given;
    /// none for a community without grids.
    pub point: Option<(f64, f64)>,
}

/// The most communities a name search answers.
pub const MAX_COMMUNITIES_FOUND: usize = 20;
/// The longest text a community search takes, in characters.
pub const MAX_COMMUNITY_QUERY: usize = 40;

impl Places {
    /// Builds the view; stored divisions that do not form a tree are an internal error.
    pub fn build(mut stored: StoredPlaces) -> Result<Places, AppError> {
        let tree = DivisionTree::from_divisions(stored.divisions).map_err(AppError::internal)?;
        stored.grids.sort_by(|a, b| a.code.cmp(&b.code));
        let index = GridIndex::build(stored.grids.iter().map(|g| &g.shape));
        let by_code = stored.grids.iter().enumerate().map(|(i, g)| (g.code.clone(), i as u32)).collect();
        let grid_workers: HashMap<GridCode, (u32, u32)> =
            stored.workers_per_grid.into_iter().map(|(g, f, p)| (g, (f, p))).collect();
        let mut counts: HashMap<DivisionCode, AreaCounts> = HashMap::new();
        for g in &stored.grids {
            let (f, p) = grid_workers.get(&g.code).copied().unwrap_or_default();
            let mut code = Some(g.community());
            while let Some(c) = code {
                let e = counts.entry(c.clone()).or_default();
                e.grids += 1;
                e.full_time_workers += f;
                e.part_time_workers += p;
                code = c.parent();
            }
        }
        let mut named: Vec<(String, String)> =
            stored.units.iter().map(|u| (shanzhi_domain::text::pinyin_key(&u.name), u.id.clone())).collect();
        named.sort_unstable();
        let units_by_name = named.into_iter().map(|(_, id)| id).collect();
        let units = stored.units.into_iter().map(|u| (u.id.clone(), u)).collect();
        Ok(Places {
            tree,
            grids: stored.grids,
            index,
            by_code,
            counts,
            grid_workers,
            units,
            units_by_name,
            maps: Default::default(),
        })
    }

    fn grid_ref(&self, i: u32) -> GridRef {
        let g = &self.grids[i as usize];
        GridRef { code: g.code.to_string(), name: g.name.clone(), kind: g.kind.as_str().to_string() }
    }

    /// Locates a point given in `crs`. Never fails for a real coordinate: outside every grid the
    /// answer is "unlocated" with the nearest grid.
    pub fn locate(&self, lon: f64, lat: f64, crs: Crs) -> Result<Location, AppError> {
        let (lon, lat) = crs.to_wgs84(lon, lat).map_err(|e| {
            let field = match e {
                shanzhi_domain::places::crs::CoordError::Latitude(_) => "lat",
                shanzhi_domain::places::crs::CoordError::Longitude(_) => "lon",
                shanzhi_domain::places::crs::CoordError::UnknownCrs(_) => "crs",
            };
            AppError::invalid(field, e.to_string())
        })?;
        Ok(match self.index.locate(lon, lat) {
            Some(i) => {
                let community = self.grids[i as usize].community();
                Location {
                    lon,
                    lat,
                    located: true,
                    grid: Some(self.grid_ref(i)),
                    areas: self.tree.lineage(&community).into_iter().map(AreaRef::from).collect(),
                    nearest: None,
                }
            }
            None => Location {
                lon,
                lat,
                located: false,
                grid: None,
                areas: Vec::new(),
                nearest: self.index.nearest(lon, lat).map(|n| NearestGrid {
                    grid: self.grid_ref(n.grid),
                    distance_m: (n.distance_m * 10.0).round() / 10.0,
                }),
            },
        })
    }

    /// The grid index position for a grid code.
    /// The short name of a division given by its code (`路南区`), if there is one.
    pub fn division_name(&self, code: &str) -> Option<String> {
        let code: DivisionCode = code.parse().ok()?;
        self.tree.get(&code).map(|d| d.short_name())
    }

    /// The names from the county down to `code`: 路北区乔屯街道文北社区.
    pub fn address(&self, code: &DivisionCode) -> String {
        self.tree.lineage(code).iter().filter(|d| d.level() != Level::City).map(|d| d.short_name()).collect()
    }

    pub fn grid(&self, code: &GridCode) -> Option<&Grid> {
        self.by_code.get(code).map(|&i| &self.grids[i as usize])
    }

    pub fn counts(&self, code: &DivisionCode) -> AreaCounts {
        self.counts.get(code).copied().unwrap_or_default()
    }

    pub fn area(&self, code: &str) -> Result<AreaSummary, AppError> {
        let code: DivisionCode =
            code.parse().map_err(|e: shanzhi_domain::ids::CodeError| AppError::invalid("code", e.to_string()))?;
        let d = self.tree.get(&code).ok_or_else(|| AppError::NotFound { what: format!("area {code}") })?;
        let mut parents: Vec<AreaRef> = self.tree.lineage(&code).into_iter().map(AreaRef::from).collect();
        parents.pop();
        let children = self.tree.children(&code).map(|c| (AreaRef::from(c), self.counts(&c.code))).collect();
        let grids = if code.level() == Level::Village { self.community_grid_refs(&code) } else { Vec::new() };
        Ok(AreaSummary { area: AreaRef::from(d), parents, children, counts: self.counts(&code), grids })
    }

    /// The codes of an area's children: counties of the city, streets of a county, communities
    /// of a street, grids of a community.
    pub fn child_codes(&self, code: &DivisionCode) -> Vec<String> {
        if code.level() == Level::Village {
            self.grids_under(code.as_str()).map(|i| self.grids[i].code.to_string()).collect()
        } else {
            self.tree.children(code).map(|c| c.code.to_string()).collect()
        }
    }

    /// The grids of a community or village.
    pub fn community_grid_refs(&self, code: &DivisionCode) -> Vec<GridRef> {
        self.grids_under(code.as_str()).map(|i| self.grid_ref(i as u32)).collect()
    }

    /// Grids are sorted by code, so an area's grids are one run starting with its code.
    pub(crate) fn grids_under(&self, code: &str) -> std::ops::Range<usize> {
        let start = self.grids.partition_point(|g| g.code.as_str() < code);
        start..start + self.grids[start..].partition_point(|g| g.code.as_str().starts_with(code))
    }

    /// Communities and villages whose county, street and name hold every word of `text`
    /// (space-separated), those whose own name holds the whole text first, at most `limit` (and
    /// at most [`MAX_COMMUNITIES_FOUND`]). One pass over the ~6,300 communities.
    pub fn find_communities(&self, text: &str, limit: usize) -> Vec<CommunityHit> {
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.is_empty() {
            return Vec::new();
        }
        let whole: String = words.concat();
        let limit = limit.min(MAX_COMMUNITIES_FOUND);
        let (mut first, mut then) = (Vec::new(), Vec::new());
        for d in self.tree.at_level(Level::Village) {
            let address = self.address(&d.code);
            if !words.iter().all(|w| address.contains(w)) {
                continue;
            }
            let name = d.short_name();
            let list = if name.contains(&whole) { &mut first } else { &mut then };
            if list.len() < limit {
                list.push((d, name, address));
            }
            if first.len() >= limit {
                break;
            }
        }
        first
            .into_iter()
            .chain(then)
            .take(limit)
            .map(|(d, name, address)| CommunityHit {
                code: d.code.to_string(),
                name,
                address,
                point: self.grids_under(d.code.as_str()).next().and_then(|i| self.grids[i].inside_point()),
            })
            .collect()
    }

    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.get(id)
    }

    /// Units whose name contains `text` or whose id starts with it, of the given kinds (empty:
    /// any), in id order, at most `limit` (the administration's unit picker).
    pub fn find_units(&self, text: &str, kinds: &[shanzhi_domain::people::UnitKind], limit: usize) -> Vec<&Unit> {
        let text = text.trim();
        self.units
            .values()
            .filter(|u| kinds.is_empty() || kinds.contains(&u.kind))
            .filter(|u| text.is_empty() || u.id.starts_with(text) || u.name.contains(text))
            .take(limit)
            .collect()
    }

    /// Units that `keep` admits whose name holds `text` (or whose id starts with it), then those
    /// whose name has its characters in order (城管 finds 城市管理综合行政执法局, 住建 住房和城乡建设局):
    /// at most `limit`, each group in the pinyin order of the names. One pass over the register in
    /// that order (made when the places were loaded), stopped once `limit` of the first group
    /// are found: no sort per request.
    pub fn find_units_where(&self, text: &str, limit: usize, keep: impl Fn(&Unit) -> bool) -> Vec<&Unit> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let in_order = |name: &str| {
            let mut rest = name.chars();
            text.chars().all(|c| rest.any(|n| n == c))
        };
        let (mut first, mut then) = (Vec::new(), Vec::new());
        for u in self.units_by_name.iter().filter_map(|id| self.units.get(id)) {
            if first.len() >= limit {
                break;
            }
            if text.is_empty() || u.id.starts_with(text.as_str()) || u.name.contains(text.as_str()) {
                if keep(u) {
                    first.push(u);
                }
            } else if then.len() < limit && in_order(&u.name) && keep(u) {
                then.push(u);
            }
        }
        first.extend(then);
        first.truncate(limit);
        first
    }

    /// The units serving an area and every area above it, the city's first: those a case there
    /// may be dispatched or summoned to.
    pub fn units_above(&self, code: &DivisionCode) -> Vec<&Unit> {
        let mut chain: Vec<String> = Vec::new();
        let mut c = Some(code.clone());
        while let Some(d) = c {
            chain.push(d.to_string());
            c = d.parent();
        }
        chain
            .iter()
            .rev()
            .flat_map(|a| {
                let from = format!("{a}:");
                let to = format!("{a};");
                self.units.range(from..to).map(|(_, u)| u)
            })
            .collect()
    }

    pub fn workers_of(&self, grid: &GridCode) -> (u32, u32) {
        self.grid_workers.get(grid).copied().unwrap_or_default()
    }
}
