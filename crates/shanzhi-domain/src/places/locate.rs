//! Point → grid: an in-memory R-tree over the exact grid polygons, with a nearest-grid answer
//! for points outside every grid.
//!
//! Coordinates are stored scaled (x = lon·cos φ₀, y = lat, φ₀ the mean latitude of the grids) so
//! that distances are nearly isotropic, and point-in-polygon uses the half-open crossing rule: a
//! point on an edge shared by two grids belongs to exactly one of them.

use geo::{BoundingRect, MultiPolygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// Metres per degree of latitude (mean), used for distances in the scaled plane.
const METRES_PER_DEGREE: f64 = 111_195.0;

type Entry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// One polygon part of a grid: its rings (exterior first) in scaled coordinates.
struct Part {
    grid: u32,
    rings: Vec<Vec<[f64; 2]>>,
}

/// The spatial index. Grid numbers are the positions in the slice it was built from.
pub struct GridIndex {
    scale: f64,
    tree: RTree<Entry>,
    parts: Vec<Part>,
}

/// The nearest grid to a point outside every grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearest {
    pub grid: u32,
    pub distance_m: f64,
}

impl GridIndex {
    /// Builds the index over the grids' outlines (WGS-84 lon/lat).
    pub fn build<'a>(shapes: impl IntoIterator<Item = &'a MultiPolygon<f64>> + Clone) -> GridIndex {
        let (mut lat_sum, mut n) = (0.0, 0usize);
        for s in shapes.clone() {
            if let Some(r) = s.bounding_rect() {
                lat_sum += r.center().y;
                n += 1;
            }
        }
        let scale = if n == 0 { 1.0 } else { (lat_sum / n as f64).to_radians().cos() };
        let mut parts = Vec::new();
        let mut entries = Vec::new();
        for (g, shape) in shapes.into_iter().enumerate() {
            for poly in &shape.0 {
                let rings: Vec<Vec<[f64; 2]>> = std::iter::once(poly.exterior())
                    .chain(poly.interiors())
                    .map(|r| r.coords().map(|c| [c.x * scale, c.y]).collect())
                    .collect();
                let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
                for p in &rings[0] {
                    lo = [lo[0].min(p[0]), lo[1].min(p[1])];
                    hi = [hi[0].max(p[0]), hi[1].max(p[1])];
                }
                if rings[0].len() < 4 {
                    continue;
                }
                entries.push(GeomWithData::new(Rectangle::from_corners(lo, hi), parts.len() as u32));
                parts.push(Part { grid: g as u32, rings });
            }
        }
        GridIndex { scale, tree: RTree::bulk_load(entries), parts }
    }

    /// The grid containing the point, if any.
    #[inline]
    pub fn locate(&self, lon: f64, lat: f64) -> Option<u32> {
        let p = [lon * self.scale, lat];
        self.tree
            .locate_all_at_point(p)
            .map(|e| &self.parts[e.data as usize])
            .find(|part| inside(&part.rings, p))
            .map(|part| part.grid)
    }

    /// Every grid containing the point (more than one only if grids overlap): for checks.
    pub fn locate_all(&self, lon: f64, lat: f64) -> Vec<u32> {
        let p = [lon * self.scale, lat];
        let mut out: Vec<u32> = self
            .tree
            .locate_all_at_point(p)
            .map(|e| &self.parts[e.data as usize])
            .filter(|part| inside(&part.rings, p))
            .map(|part| part.grid)
            .collect();
        out.sort_unstable();
        out
    }

    /// The grid whose outline is closest to the point, with the distance in metres (0 inside).
    pub fn nearest(&self, lon: f64, lat: f64) -> Option<Nearest> {
        let p = [lon * self.scale, lat];
        let mut best: Option<(u32, f64)> = None;
        for (e, d2) in self.tree.nearest_neighbor_iter_with_distance_2(p) {
            if let Some((_, bd)) = best
                && d2.sqrt() > bd
            {
                break;
            }
            let part = &self.parts[e.data as usize];
            let d = if inside(&part.rings, p) { 0.0 } else { distance_to_rings(&part.rings, p) };
            if best.is_none_or(|(_, bd)| d < bd) {
                best = Some((part.grid, d));
            }
        }
        best.map(|(grid, d)| Nearest { grid, distance_m: d * METRES_PER_DEGREE })
    }

    /// Grids whose bounding boxes meet the given box (lon/lat); used to find overlap candidates.
    pub fn candidates(&self, min: [f64; 2], max: [f64; 2]) -> impl Iterator<Item = u32> + '_ {
        let aabb = AABB::from_corners([min[0] * self.scale, min[1]], [max[0] * self.scale, max[1]]);
        self.tree.locate_in_envelope_intersecting(aabb).map(|e| self.parts[e.data as usize].grid)
    }

    pub fn len(&self) -> usize {
        self.parts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

/// Crossing-number test over all rings (even-odd, so holes subtract), half-open on edges.
#[inline]
fn inside(rings: &[Vec<[f64; 2]>], p: [f64; 2]) -> bool {
    let mut c = false;
    for ring in rings {
        for w in ring.windows(2) {
            let (a, b) = (w[0], w[1]);
            if (a[1] > p[1]) != (b[1] > p[1]) {
                let x = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
                if p[0] < x {
                    c = !c;
                }
            }
        }
    }
    c
}

fn distance_to_rings(rings: &[Vec<[f64; 2]>], p: [f64; 2]) -> f64 {
    let mut best = f64::MAX;
    for ring in rings {
        for w in ring.windows(2) {
            best = best.min(segment_distance(w[0], w[1], p));
        }
    }
    best
}

fn segment_distance(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 { 0.0 } else { (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0) };
    let (qx, qy) = (a[0] + t * dx, a[1] + t * dy);
    ((p[0] - qx).powi(2) + (p[1] - qy).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{MultiPolygon, polygon};

    fn square(x0: f64, y0: f64, s: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![
            polygon![(x: x0, y: y0), (x: x0 + s, y: y0), (x: x0 + s, y: y0 + s), (x: x0, y: y0 + s), (x: x0, y: y0)],
        ])
    }

    #[test]
    fn locates_inside_and_answers_nearest_outside() {
        let shapes = [square(118.0, 39.0, 0.01), square(118.01, 39.0, 0.01)];
        let idx = GridIndex::build(shapes.iter());
        assert_eq!(idx.locate(118.005, 39.005), Some(0));
        assert_eq!(idx.locate(118.015, 39.005), Some(1));
        assert_eq!(idx.locate(118.03, 39.005), None);
        let n = idx.nearest(118.03, 39.005).unwrap();
        assert_eq!(n.grid, 1);
        // 0.01° of longitude at 39° N is about 864 m.
        assert!((n.distance_m - 864.0).abs() < 15.0, "{}", n.distance_m);
    }

    #[test]
    fn a_point_on_a_shared_edge_belongs_to_exactly_one_grid() {
        let shapes = [square(118.0, 39.0, 0.01), square(118.01, 39.0, 0.01)];
        let idx = GridIndex::build(shapes.iter());
        let hits = (0..2).filter(|&g| super::inside(&idx.parts[g].rings, [118.01 * idx.scale, 39.005])).count();
        assert_eq!(hits, 1);
        assert!(idx.locate(118.01, 39.005).is_some());
    }

    #[test]
    fn holes_are_outside() {
        let outer = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0), (x: 0.0, y: 0.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 1.0, y: 3.0), (x: 3.0, y: 3.0), (x: 3.0, y: 1.0), (x: 1.0, y: 1.0)]],
        );
        let shapes = [MultiPolygon(vec![outer]), square(1.0, 1.0, 2.0)];
        let idx = GridIndex::build(shapes.iter());
        assert_eq!(idx.locate(0.5, 0.5), Some(0));
        assert_eq!(idx.locate(2.0, 2.0), Some(1));
    }
}
