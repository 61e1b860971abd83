//! Grids (网格): polygons that each belong to exactly one community or village.

use geo::{MultiPolygon, Polygon};
use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantNames};

use crate::ids::{DivisionCode, GridCode};

/// 综合网格 or 专属网格 (docs/domain.md §5).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, IntoStaticStr, VariantNames, EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum GridKind {
    #[default]
    General,
    Dedicated,
}

impl GridKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<GridKind> {
        s.parse().ok()
    }
}

/// One grid, its outline in WGS-84 lon/lat.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub code: GridCode,
    pub name: String,
    pub kind: GridKind,
    pub shape: MultiPolygon<f64>,
}

impl Grid {
    pub fn community(&self) -> DivisionCode {
        self.code.community()
    }

    /// A point inside the grid (lon, lat), to stand for it where a place is chosen by name.
    pub fn inside_point(&self) -> Option<(f64, f64)> {
        use geo::InteriorPoint;
        self.shape.interior_point().map(|p| (p.x(), p.y()))
    }
}

/// GeoJSON coordinates of a polygon: rings of `[lon, lat]`.
pub type Rings = Vec<Vec<[f64; 2]>>;

/// A (Multi)Polygon as GeoJSON `{"type", "coordinates"}`, with exteriors counter-clockwise and
/// holes clockwise (RFC 7946 §3.1.6).
pub fn shape_to_geojson(shape: &MultiPolygon<f64>) -> serde_json::Value {
    use geo::orient::{Direction, Orient};
    let oriented = shape.orient(Direction::Default);
    let polys: Vec<Rings> = oriented.0.iter().map(polygon_rings).collect();
    if polys.len() == 1 {
        serde_json::json!({"type": "Polygon", "coordinates": polys[0]})
    } else {
        serde_json::json!({"type": "MultiPolygon", "coordinates": polys})
    }
}

fn polygon_rings(p: &Polygon<f64>) -> Rings {
    std::iter::once(p.exterior())
        .chain(p.interiors())
        .map(|r| r.coords().map(|c| [round7(c.x), round7(c.y)]).collect())
        .collect()
}

/// Seven decimals are about 1 cm: enough for any grid, and stable in text.
pub fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}
