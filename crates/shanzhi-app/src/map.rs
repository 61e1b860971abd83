//! Map outlines: the children of an area (counties of the city, streets of a county, communities
//! of a street, grids of a community) as a GeoJSON FeatureCollection. A division's outline is the
//! union of its grids, thinned for the screen, in the datum of the base map it is drawn on; each
//! answer is computed once per snapshot of places and kept.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use shanzhi_domain::ids::{CodeError, DivisionCode, GridCode, Level};
use shanzhi_domain::places::crs::Crs;
use shanzhi_domain::places::outline::{dissolve, feature, for_screen, tolerance};

use crate::AppError;
use crate::places::Places;

/// The base map under the outlines. Without `tiles` the console draws the outlines on a plain
/// background, with nothing fetched from the internet; with it (a city's Tianditu service, or a
/// provider in GCJ-02 such as AMap with `crs = "gcj02"`), tiles are fetched from that URL and the
/// outlines are sent in its datum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BaseMap {
    /// A tile URL template (`https://…/{z}/{x}/{y}.png`, Leaflet's placeholders, also `{s}`).
    pub tiles: Option<String>,
    /// The datum of the tiles: wgs84 (Tianditu, CGCS2000), gcj02 or bd09.
    pub crs: Crs,
    /// The credit the provider requires (shown in the corner of the map).
    pub attribution: String,
    pub max_zoom: u8,
}

impl Default for BaseMap {
    fn default() -> Self {
        BaseMap { tiles: None, crs: Crs::Wgs84, attribution: String::new(), max_zoom: 18 }
    }
}

impl BaseMap {
    /// Refuses a template that is not an http(s) URL with {z}, {x} and {y}.
    pub fn check(&self) -> Result<(), String> {
        let Some(t) = &self.tiles else { return Ok(()) };
        if !(t.starts_with("http://") || t.starts_with("https://") || t.starts_with('/')) {
            return Err(format!("map.tiles `{t}` must be an http(s) URL or a path on this server"));
        }
        if let Some(missing) = ["{z}", "{x}", "{y}"].into_iter().find(|p| !t.contains(p)) {
            return Err(format!("map.tiles `{t}` lacks the placeholder {missing}"));
        }
        if self.max_zoom == 0 || self.max_zoom > 22 {
            return Err(format!("map.max_zoom {} is not between 1 and 22", self.max_zoom));
        }
        Ok(())
    }
}

fn props(code: &str, name: &str, level: &str, grids: usize) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("code".into(), json!(code));
    m.insert("name".into(), json!(name));
    m.insert("level".into(), json!(level));
    m.insert("grids".into(), json!(grids));
    m
}

/// What a map shows: one grid, or the children of a division.
enum Subject<'p> {
    Grid(&'p shanzhi_domain::places::grid::Grid),
    Division(DivisionCode),
}

impl Places {
    /// The outlines of `code`'s children in `crs` (a grid: the grid itself), as GeoJSON text.
    /// Children without grids have no outline and are left out. Each answer is computed once,
    /// however many ask for it at the same time (a county's takes a moment of CPU).
    pub fn children_map(&self, code: &str, crs: Crs) -> Result<Arc<str>, AppError> {
        // Checked first, so that only real areas take a place in the cache.
        let bad = |e: CodeError| AppError::invalid("code", e.to_string());
        let subject = if code.len() == 15 {
            let g: GridCode = code.parse().map_err(bad)?;
            Subject::Grid(self.grid(&g).ok_or_else(|| AppError::NotFound { what: format!("grid {code}") })?)
        } else {
            let d: DivisionCode = code.parse().map_err(bad)?;
            if self.tree.get(&d).is_none() {
                return Err(AppError::NotFound { what: format!("area {code}") });
            }
            Subject::Division(d)
        };
        let cell = self.maps.lock().expect("maps lock").entry((code.to_string(), crs)).or_default().clone();
        Ok(cell.get_or_init(|| self.draw(code, &subject, crs)).clone())
    }

    fn draw(&self, code: &str, subject: &Subject<'_>, crs: Crs) -> Arc<str> {
        let features: Vec<Value> = match subject {
            Subject::Grid(grid) => {
                let thin = for_screen(&grid.shape, tolerance(Level::Village));
                vec![feature(&thin, crs, props(code, &grid.name, "grid", 1))]
            }
            Subject::Division(d) if d.level() == Level::Village => self
                .grids_under(code)
                .map(|i| &self.grids[i])
                .map(|g| {
                    feature(
                        &for_screen(&g.shape, tolerance(Level::Village)),
                        crs,
                        props(g.code.as_str(), &g.name, "grid", 1),
                    )
                })
                .collect(),
            Subject::Division(d) => self
                .tree
                .children(d)
                .filter_map(|c| {
                    let run = self.grids_under(c.code.as_str());
                    if run.is_empty() {
                        return None;
                    }
                    let n = run.len();
                    let outline = dissolve(self.grids[run].iter().map(|g| &g.shape));
                    let p = props(c.code.as_str(), &c.short_name(), c.level().as_str(), n);
                    Some(feature(&for_screen(&outline, tolerance(d.level())), crs, p))
                })
                .collect(),
        };
        json!({"type": "FeatureCollection", "features": features}).to_string().into()
    }
}
