//! Outlines for maps: an area has no outline of its own, its grids are its extent, so a county's,
//! street's or community's outline is the union of its grids (`dissolve`). For a screen an
//! outline is thinned (`for_screen`, Douglas–Peucker with a tolerance per map level) and written
//! as a GeoJSON feature in the CRS of the base map it will be drawn on (`feature`).

use geo::orient::{Direction, Orient};
use geo::{Area, Coord, MapCoords, MultiPolygon, Polygon, Simplify, unary_union};
use serde_json::{Map, Value, json};

use crate::ids::Level;
use crate::places::crs::Crs;
use crate::places::grid::Rings;

/// The union of shapes that tile an area (shared edges disappear, holes stay).
pub fn dissolve<'a>(shapes: impl IntoIterator<Item = &'a MultiPolygon<f64>>) -> MultiPolygon<f64> {
    // unary_union takes its fill rule from the first ring's winding: orient every ring alike.
    let oriented: Vec<MultiPolygon<f64>> = shapes.into_iter().map(|s| s.orient(Direction::Default)).collect();
    unary_union(oriented.iter())
}

/// Degrees of thinning for the children of an area at `parent`'s level: a county on the city's
/// map may lose ~100 m of detail, a grid on its community's map nothing visible.
pub fn tolerance(parent: Level) -> f64 {
    match parent {
        Level::City => 0.0008,
        Level::County => 0.0003,
        Level::Township => 0.0001,
        Level::Village => 0.00002,
    }
}

/// The outline thinned by `tolerance` degrees; parts and holes that thin to nothing are dropped.
pub fn for_screen(shape: &MultiPolygon<f64>, tolerance: f64) -> MultiPolygon<f64> {
    let min_area = tolerance * tolerance;
    let parts = shape
        .0
        .iter()
        .map(|p| p.simplify(tolerance))
        .filter(|p| p.exterior().0.len() >= 4 && p.unsigned_area() > min_area)
        .map(|p| {
            let (ext, holes) = p.into_inner();
            let holes = holes
                .into_iter()
                .filter(|h| h.0.len() >= 4 && Polygon::new(h.clone(), vec![]).unsigned_area() > min_area);
            Polygon::new(ext, holes.collect())
        });
    MultiPolygon(parts.collect())
}

/// Six decimals: ~10 cm, finer than any screen needs.
fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// A GeoJSON feature of `shape` (stored in WGS-84) with coordinates in `crs`, exteriors
/// counter-clockwise (RFC 7946), and `properties`.
pub fn feature(shape: &MultiPolygon<f64>, crs: Crs, properties: Map<String, Value>) -> Value {
    let moved = shape.map_coords(|c| {
        let (x, y) = crs.from_wgs84(c.x, c.y);
        Coord { x: round6(x), y: round6(y) }
    });
    let polys: Vec<Rings> = moved
        .orient(Direction::Default)
        .0
        .iter()
        .map(|p| {
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|r| r.coords().map(|c| [c.x, c.y]).collect())
                .collect()
        })
        .collect();
    json!({
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "MultiPolygon", "coordinates": polys},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Contains, Point, polygon};

    fn square(x: f64, y: f64, s: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)]])
    }

    #[test]
    fn neighbours_dissolve_into_one_outline_and_strangers_stay_apart() {
        // Two squares sharing an edge, one clockwise, and a third far away.
        let a = square(118.0, 39.0, 0.01);
        let b = square(118.01, 39.0, 0.01).orient(Direction::Reversed);
        let c = square(118.1, 39.1, 0.01);
        let u = dissolve([&a, &b, &c]);
        assert_eq!(u.0.len(), 2);
        let area: f64 = u.unsigned_area();
        assert!((area - 3.0 * 0.0001).abs() < 1e-12, "{area}");
        assert!(u.contains(&Point::new(118.0199, 39.005)));
        assert!(!u.contains(&Point::new(118.05, 39.005)));
        // The shared edge is gone: the merged part's exterior is a rectangle (5 points closed),
        // possibly with collinear points left where the squares met.
        let merged = u.0.iter().find(|p| p.unsigned_area() > 0.00015).unwrap();
        assert!(merged.interiors().is_empty());
    }

    #[test]
    fn thinning_drops_what_is_smaller_than_the_tolerance_and_keeps_the_rest() {
        // A zig-zag edge of 0.00001° teeth on a 0.01° square, and a speck.
        let mut ring: Vec<(f64, f64)> =
            (0..=100).map(|i| (118.0 + i as f64 * 0.0001, 39.0 + (i % 2) as f64 * 0.00001)).collect();
        ring.extend([(118.01, 39.01), (118.0, 39.01), (118.0, 39.0)]);
        let big = Polygon::new(ring.into(), vec![]);
        let speck = square(118.5, 39.5, 0.00001).0.remove(0);
        let thin = for_screen(&MultiPolygon(vec![big.clone(), speck]), tolerance(Level::County));
        assert_eq!(thin.0.len(), 1, "the speck is gone");
        assert!(thin.0[0].exterior().0.len() < 10, "the teeth are gone: {}", thin.0[0].exterior().0.len());
        let kept = thin.unsigned_area() / big.unsigned_area();
        assert!((kept - 1.0).abs() < 0.01, "{kept}");
    }

    #[test]
    fn a_feature_is_written_in_the_base_map_s_datum_counter_clockwise() {
        let s = square(118.18, 39.63, 0.01).orient(Direction::Reversed);
        let mut props = Map::new();
        props.insert("code".into(), json!("130202"));
        let wgs = feature(&s, Crs::Wgs84, props.clone());
        assert_eq!(wgs["properties"]["code"], "130202");
        let ring = wgs["geometry"]["coordinates"][0][0].as_array().unwrap();
        assert_eq!(ring[0], json!([118.18, 39.63]));
        // Counter-clockwise: the shoelace sum is positive.
        let pts: Vec<(f64, f64)> = ring.iter().map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())).collect();
        let twice: f64 = pts.windows(2).map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1).sum();
        assert!(twice > 0.0);
        // GCJ-02 moves Tangshan by a few hundred metres, as the conversion says.
        let gcj = feature(&s, Crs::Gcj02, props);
        let p = &gcj["geometry"]["coordinates"][0][0][0];
        let (x, y) = coordtransform::wgs84_to_gcj02(118.18, 39.63);
        assert_eq!(p, &json!([round6(x), round6(y)]));
        assert!((x - 118.18).abs() > 0.003);
    }
}
