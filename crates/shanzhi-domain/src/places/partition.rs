//! Weighted partitioning of a lon/lat (multi)polygon into pieces by recursive straight-line
//! bisection (`split_weighted`), used to generate the demo street, community and grid outlines,
//! and the ellipsoidal area measure (`area_m2`) the piece sizes are proportional in.
//!
//! # How a shape is cut
//!
//! The weights are split into two contiguous halves with sums as equal as possible. The shape is
//! cut by one axis-parallel line perpendicular to the longer side of its bounding box (longitude
//! scaled by cos(latitude), so the comparison is in local metres); the low side (west or south)
//! gets the first half. The cut coordinate is found by bisection so that the low side's share of
//! the area equals the first half's share of the weight; the area of one side is evaluated
//! cheaply by clipping every ring against the half-plane (Sutherland–Hodgman) and summing signed
//! areas, which is exact for area even on concave rings. Only the chosen cut is computed with
//! geo's `BooleanOps` (one intersection per side). Then each side is cut again, recursively.
//!
//! # The lattice: why the halves meet exactly
//!
//! geo's boolean operations (i_overlay) snap every coordinate to an integer grid derived from the
//! bounding box of the operands, so two overlays with different operands round differently. Here
//! every overlay of one call is given the same frame (two tiny marker triangles at the corners of
//! a fixed square outside the shape), which pins i_overlay's grid to one lattice: multiples of
//! 2^-29 degrees (about 0.2 mm) for any shape under about 1.5° across. The input is rounded onto
//! that lattice once, every cut coordinate is a lattice point, the points where the cut line
//! crosses the outline are inserted as vertices (rounded to the nearest lattice point) before
//! the two overlays, and both overlays use the same integer mapping; so the two sides' shared
//! boundary has bit-identical vertices, and a later cut meets an earlier cut edge at an exact
//! lattice point. The price: the outline moves by up to ~0.1 mm where it is cut, changing the
//! total area by up to ~0.1 mm × the crossed edge's length (~0.1 m² for a 1 km edge). All outputs of all calls
//! (for shapes under ~1.5°) therefore lie on the same lattice, and a piece fed back in as the
//! shape of a finer partition is not moved at all.

use geo::{BooleanOps, BoundingRect, Coord, LineString, MultiPolygon, Polygon, Rect};
use thiserror::Error;

/// WGS-84 semi-major axis, metres.
const WGS84_A: f64 = 6_378_137.0;
/// WGS-84 flattening.
const WGS84_F: f64 = 1.0 / 298.257_223_563;

/// i_overlay maps a frame of half-size 2^k onto integers of magnitude up to 2^29.
const OVERLAY_BITS: i32 = 29;
/// log2 of the smallest frame half-size (degrees): fixes the lattice at 2^-29° for small shapes.
const MIN_FRAME_LOG2: i32 = 0;
/// log2 of the largest frame half-size (degrees).
const MAX_FRAME_LOG2: i32 = 9;
/// Relative difference between even-odd area and ring-by-ring area that marks a shape invalid.
const INVALID_AREA_TOLERANCE: f64 = 1e-6;
/// Square metres per square degree, at most (at the equator).
const M2_PER_DEG2_MAX: f64 = 111_320.0 * 111_320.0;
/// Largest relative miss of a side's area share, at one cut, before the piece is refused.
const SHARE_TOLERANCE: f64 = 1e-3;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum PartitionError {
    #[error("no weights: at least one piece must be asked for")]
    NoWeights,
    #[error("weight #{index} is {value}: weights must be positive and finite")]
    BadWeight { index: usize, value: f64 },
    #[error("the shape has a non-finite coordinate")]
    NonFiniteCoordinate,
    #[error("the shape has no area")]
    EmptyShape,
    #[error(
        "the shape is not a valid (multi)polygon: its rings cross or overlap \
         (area {ring_area_m2} m² ring by ring, {even_odd_area_m2} m² by even-odd rule)"
    )]
    InvalidShape { ring_area_m2: f64, even_odd_area_m2: f64 },
    #[error("the shape is too large to partition: {extent_deg}° across")]
    TooLarge { extent_deg: f64 },
    #[error(
        "weights #{first}..=#{last} would get an empty piece: their share of the total is too \
         small for the shape"
    )]
    PieceTooSmall { first: usize, last: usize },
}

/// Area of a lon/lat (degrees, WGS-84) shape in square metres, on the WGS-84 ellipsoid, with
/// edges taken as straight lines in lon/lat (as drawn on a plate carrée map).
///
/// Computed as −∮ q dλ · a²/2 in the equal-area coordinates longitude × authalic q(latitude),
/// exact for that edge model up to rounding and additive when an edge is split at a point on it.
/// It differs from geo's `GeodesicArea` (geodesic edges) only by the edge model: ~1e-6
/// relative on a 1000-vertex county outline, a few 1e-4 on a polygon with 0.3°-long edges, and
/// both agree to ~1e-9 once the edges are densified. Holes are subtracted; ring orientation
/// does not matter. `split_weighted` makes piece areas in this measure proportional to the
/// weights.
pub fn area_m2(shape: &MultiPolygon<f64>) -> f64 {
    let Some(reference) = shape.0.iter().find_map(|p| p.exterior().0.first()) else {
        return 0.0;
    };
    let q_ref = authalic_q(reference.y);
    let mut area = 0.0;
    for polygon in shape {
        area += ring_area(polygon.exterior(), q_ref).abs();
        for hole in polygon.interiors() {
            area -= ring_area(hole, q_ref).abs();
        }
    }
    plane_area_to_m2(area)
}

/// Splits `shape` into `weights.len()` pieces whose areas (`area_m2`) are proportional to the
/// weights, by recursive bisection with axis-parallel cuts (see the module documentation).
///
/// Piece `i` belongs to `weights[i]`. The pieces do not overlap, meet exactly along the cut
/// lines, and their union is the input rounded onto the 2^-29° lattice (the outline moves by
/// ~0.1 mm at most). Each piece is a valid, non-empty `MultiPolygon` (several parts where a cut
/// crosses a concave bay or separates islands). Contiguous index ranges that come from the same
/// bisection node form compact regions: first halves lie west or south of second halves.
/// Deterministic: the same input gives bit-identical output.
///
/// With one weight the shape itself is returned, unchanged.
///
/// The shape must be a valid (multi)polygon in lon/lat degrees: parts must not overlap and holes
/// must lie inside their exterior (rings are read with the even-odd rule; a shape whose even-odd
/// area differs from its ring-by-ring area is rejected as `InvalidShape`). Duplicate consecutive
/// points, collinear points, unclosed rings and any ring orientation are fine.
pub fn split_weighted(shape: &MultiPolygon<f64>, weights: &[f64]) -> Result<Vec<MultiPolygon<f64>>, PartitionError> {
    if weights.is_empty() {
        return Err(PartitionError::NoWeights);
    }
    for (index, &value) in weights.iter().enumerate() {
        if !(value.is_finite() && value > 0.0) {
            return Err(PartitionError::BadWeight { index, value });
        }
    }
    if shape
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|ring| ring.0.iter())
        .any(|c| !(c.x.is_finite() && c.y.is_finite()))
    {
        return Err(PartitionError::NonFiniteCoordinate);
    }
    let Some(bbox) = shape.bounding_rect() else {
        return Err(PartitionError::EmptyShape);
    };
    let ring_area = area_m2(shape);
    if ring_area.is_nan() || ring_area <= 0.0 {
        return Err(PartitionError::EmptyShape);
    }
    if weights.len() == 1 {
        return Ok(vec![shape.clone()]);
    }

    let frame = Frame::around(bbox)?;
    let normalised = frame.normalise(shape);
    let even_odd_area = area_m2(&normalised);
    if even_odd_area.is_nan() || even_odd_area <= 0.0 {
        return Err(PartitionError::EmptyShape);
    }
    // Rounding onto the lattice may change the area by up to perimeter × step.
    let rounding_m2 = 2.0 * perimeter_deg(shape) * frame.step * M2_PER_DEG2_MAX;
    if (even_odd_area - ring_area).abs() > INVALID_AREA_TOLERANCE * ring_area + rounding_m2 {
        return Err(PartitionError::InvalidShape { ring_area_m2: ring_area, even_odd_area_m2: even_odd_area });
    }

    // Weights relative to the largest, so that sums cannot overflow.
    let max_weight = weights.iter().copied().fold(0.0_f64, f64::max);
    let scaled: Vec<f64> = weights.iter().map(|w| w / max_weight).collect();

    let mut pieces: Vec<Option<MultiPolygon<f64>>> = vec![None; weights.len()];
    // Explicit stack: very skewed weights make the bisection tree deep.
    let mut jobs = vec![(normalised, 0_usize, weights.len())];
    while let Some((part, start, end)) = jobs.pop() {
        if end - start == 1 {
            pieces[start] = Some(part);
            continue;
        }
        let (mid, share) = balanced_split(&scaled[start..end]);
        let mid = start + mid;
        let (low, high) = frame.cut(&part, share, (start, mid - 1), (mid, end - 1))?;
        jobs.push((high, mid, end));
        jobs.push((low, start, mid));
    }
    Ok(pieces.into_iter().map(|p| p.expect("every index is assigned exactly once")).collect())
}

/// Index `m` (1..len) splitting `weights` into `[..m]` and `[m..]` with sums as equal as possible,
/// and the first part's share of the total.
fn balanced_split(weights: &[f64]) -> (usize, f64) {
    let total: f64 = weights.iter().sum();
    let mut best = (1, f64::INFINITY, 0.0);
    let mut prefix = 0.0;
    for (i, w) in weights[..weights.len() - 1].iter().enumerate() {
        prefix += w;
        let imbalance = (2.0 * prefix - total).abs();
        if imbalance < best.1 {
            best = (i + 1, imbalance, prefix);
        }
    }
    (best.0, best.2 / total)
}

/// The fixed square every overlay of one `split_weighted` call is framed in, pinning
/// i_overlay's integer grid to the lattice of multiples of `step` degrees.
struct Frame {
    /// Lattice spacing, degrees: 2^(k - 29) for a frame of half-size 2^k.
    step: f64,
    /// Bounds of the clipping rectangles: around the shape, strictly inside the frame.
    clip: Rect<f64>,
    /// Two tiny triangles in the frame's corners, outside `clip`, whose points make the
    /// operands' bounding box exactly the frame.
    markers: [Polygon<f64>; 2],
}

impl Frame {
    fn around(bbox: Rect<f64>) -> Result<Frame, PartitionError> {
        let half = 0.5 * bbox.width().max(bbox.height());
        let mut k = MIN_FRAME_LOG2;
        let (size, step) = loop {
            let size = 2f64.powi(k);
            let step = 2f64.powi(k - OVERLAY_BITS);
            if size >= 1.25 * half + 4.0 * step {
                break (size, step);
            }
            k += 1;
            if k > MAX_FRAME_LOG2 {
                return Err(PartitionError::TooLarge { extent_deg: 2.0 * half });
            }
        };
        let centre = bbox.center();
        let (cx, cy) = (snap(centre.x, step), snap(centre.y, step));
        // Rounding moves points by at most step / 2, so `clip` still contains the shape.
        let margin = 0.125 * half + step;
        let clip = Rect::new(
            Coord { x: bbox.min().x - margin, y: bbox.min().y - margin },
            Coord { x: bbox.max().x + margin, y: bbox.max().y + margin },
        );
        let (lo, hi) = (Coord { x: cx - size, y: cy - size }, Coord { x: cx + size, y: cy + size });
        let gap = (clip.min().x - lo.x).min(clip.min().y - lo.y).min(hi.x - clip.max().x).min(hi.y - clip.max().y);
        debug_assert!(gap > 2.0 * step);
        let e = 0.5 * gap;
        let markers = [
            triangle(lo, Coord { x: lo.x + e, y: lo.y }, Coord { x: lo.x, y: lo.y + e }),
            triangle(hi, Coord { x: hi.x - e, y: hi.y }, Coord { x: hi.x, y: hi.y - e }),
        ];
        Ok(Frame { step, clip, markers })
    }

    /// The shape rounded onto the lattice and cleaned by one overlay (even-odd rule): valid,
    /// counter-clockwise exteriors, no repeated or collinear points.
    fn normalise(&self, shape: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        let step = self.step;
        let snapped = MultiPolygon(
            shape
                .0
                .iter()
                .map(|p| {
                    let ring = |r: &LineString<f64>| {
                        LineString(r.0.iter().map(|c| Coord { x: snap(c.x, step), y: snap(c.y, step) }).collect())
                    };
                    Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect())
                })
                .collect(),
        );
        snapped.intersection(&self.clip_shape(self.clip))
    }

    /// `part` with a vertex inserted wherever an edge crosses the line x = c (`vertical`) or
    /// y = c, rounded to the nearest lattice point (unbiased, unlike the overlay's own rounding).
    fn with_crossings(&self, part: &MultiPolygon<f64>, vertical: bool, c: f64) -> MultiPolygon<f64> {
        let step = self.step;
        let ring = |r: &LineString<f64>| {
            let mut out = Vec::with_capacity(r.0.len() + 4);
            for w in r.0.windows(2) {
                let (p, q) = (w[0], w[1]);
                out.push(p);
                let (kp, kq) = if vertical { (p.x, q.x) } else { (p.y, q.y) };
                if (kp < c && c < kq) || (kq < c && c < kp) {
                    let f = (c - kp) / (kq - kp);
                    out.push(if vertical {
                        Coord { x: c, y: snap(p.y + f * (q.y - p.y), step) }
                    } else {
                        Coord { x: snap(p.x + f * (q.x - p.x), step), y: c }
                    });
                }
            }
            out.extend(r.0.last());
            LineString(out)
        };
        MultiPolygon(
            part.0.iter().map(|p| Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect())).collect(),
        )
    }

    fn clip_shape(&self, rect: Rect<f64>) -> MultiPolygon<f64> {
        MultiPolygon(vec![rect.to_polygon(), self.markers[0].clone(), self.markers[1].clone()])
    }

    /// Cuts `part` (already on the lattice) so that the low side holds `share` of its area;
    /// `low` and `high` are the weight index ranges of the two sides, for errors.
    fn cut(
        &self,
        part: &MultiPolygon<f64>,
        share: f64,
        low: (usize, usize),
        high: (usize, usize),
    ) -> Result<(MultiPolygon<f64>, MultiPolygon<f64>), PartitionError> {
        let too_small = |(first, last): (usize, usize)| PartitionError::PieceTooSmall { first, last };
        let whole = too_small((low.0, high.1));
        let bbox = part.bounding_rect().ok_or_else(|| whole.clone())?;
        let mid_lat = 0.5 * (bbox.min().y + bbox.max().y);
        let vertical = bbox.width() * mid_lat.to_radians().cos() >= bbox.height();
        let (lo, hi) = if vertical { (bbox.min().x, bbox.max().x) } else { (bbox.min().y, bbox.max().y) };
        let (k_lo, k_hi) = ((lo / self.step).round() as i64, (hi / self.step).round() as i64);
        if k_hi - k_lo < 2 {
            return Err(whole);
        }
        let rings = Rings::new(part, bbox.min().y);
        let area_below = |k: i64| {
            let t = k as f64 * self.step;
            let q_t = if vertical { 0.0 } else { authalic_q(t) - rings.q_ref };
            rings.area_below(vertical, t, q_t)
        };
        let total = rings.area_below(vertical, f64::INFINITY, 0.0);
        let target = share * total;
        // Invariant: area below lattice line `a` < target <= area below lattice line `b`.
        let (mut a, mut b) = (k_lo, k_hi);
        let (mut area_a, mut area_b) = (0.0, total);
        while b - a > 1 {
            let m = a + (b - a) / 2;
            let area = area_below(m);
            if area >= target {
                (b, area_b) = (m, area);
            } else {
                (a, area_a) = (m, area);
            }
        }
        let (k, area) = if target - area_a <= area_b - target { (a, area_a) } else { (b, area_b) };
        // The lattice is too coarse for this share: one side would be empty or far off.
        let miss = (area - target).abs();
        if k <= k_lo || miss > SHARE_TOLERANCE * target {
            return Err(too_small(low));
        }
        if k >= k_hi || miss > SHARE_TOLERANCE * (total - target) {
            return Err(too_small(high));
        }

        let c = k as f64 * self.step;
        let (min, max) = (self.clip.min(), self.clip.max());
        let (low_rect, high_rect) = if vertical {
            (Rect::new(min, Coord { x: c, y: max.y }), Rect::new(Coord { x: c, y: min.y }, max))
        } else {
            (Rect::new(min, Coord { x: max.x, y: c }), Rect::new(Coord { x: min.x, y: c }, max))
        };
        // Both overlays see the crossings as existing vertices, so neither computes (and rounds)
        // an intersection of its own: the two sides get bit-identical boundary points.
        let part = self.with_crossings(part, vertical, c);
        let low_part = part.intersection(&self.clip_shape(low_rect));
        let high_part = part.intersection(&self.clip_shape(high_rect));
        if low_part.0.is_empty() {
            return Err(too_small(low));
        }
        if high_part.0.is_empty() {
            return Err(too_small(high));
        }
        Ok((low_part, high_part))
    }
}

/// A ring vertex: longitude and latitude (degrees) and q(latitude) − q_ref.
#[derive(Debug, Clone, Copy)]
struct Vertex {
    lon: f64,
    lat: f64,
    q: f64,
}

impl Vertex {
    fn new(c: Coord<f64>, q_ref: f64) -> Vertex {
        Vertex { lon: c.x, lat: c.y, q: authalic_q(c.y) - q_ref }
    }
}

/// Contribution of the edge p → r, straight in lon/lat, to the signed area in the equal-area
/// plane (longitude degrees × authalic q): −∫ q dλ along the edge (Green's theorem), by
/// Simpson's rule in the edge parameter. Exact for parallels and meridians (every cut edge);
/// the error on a sloping edge grows like Δφ⁵ and is below 1e-15 relative under a degree. Being
/// an integral along the true edge, it is additive when an edge is split at a point on it.
fn edge_area(p: Vertex, r: Vertex, q_ref: f64) -> f64 {
    let dlon = r.lon - p.lon;
    if dlon == 0.0 {
        return 0.0;
    }
    let q_mid = if p.lat == r.lat { p.q } else { authalic_q(0.5 * (p.lat + r.lat)) - q_ref };
    -dlon * (p.q + 4.0 * q_mid + r.q) / 6.0
}

/// Signed equal-area-plane area of a closed ring (positive when counter-clockwise).
fn ring_area(ring: &LineString<f64>, q_ref: f64) -> f64 {
    ring.0.windows(2).map(|w| edge_area(Vertex::new(w[0], q_ref), Vertex::new(w[1], q_ref), q_ref)).sum()
}

/// Equal-area-plane area (longitude degrees × q) to square metres: dA = a²/2 · dλ · dq.
fn plane_area_to_m2(area: f64) -> f64 {
    0.5 * WGS84_A * WGS84_A * std::f64::consts::PI / 180.0 * area
}

/// The rings of a part, prepared for repeated half-plane area evaluation.
struct Rings {
    q_ref: f64,
    vertices: Vec<Vertex>,
    /// `edges[i]` = `edge_area(vertices[i], vertices[i + 1])` within a ring.
    edges: Vec<f64>,
    /// (start, end, factor): `vertices[start..end]` is a closed ring; `factor` is ±1 so that
    /// factor × signed area is the ring's contribution (exteriors add, holes subtract).
    rings: Vec<(usize, usize, f64)>,
}

impl Rings {
    fn new(shape: &MultiPolygon<f64>, lat_ref: f64) -> Rings {
        let mut out = Rings { q_ref: authalic_q(lat_ref), vertices: Vec::new(), edges: Vec::new(), rings: Vec::new() };
        for polygon in shape {
            out.push(polygon.exterior(), 1.0);
            for hole in polygon.interiors() {
                out.push(hole, -1.0);
            }
        }
        out
    }

    fn push(&mut self, ring: &LineString<f64>, role: f64) {
        let q_ref = self.q_ref;
        let start = self.vertices.len();
        self.vertices.extend(ring.0.iter().map(|&c| Vertex::new(c, q_ref)));
        let end = self.vertices.len();
        self.edges.extend(self.vertices[start..end].windows(2).map(|w| edge_area(w[0], w[1], q_ref)));
        self.edges.push(0.0); // no edge leaves the ring's last vertex
        let signed: f64 = self.edges[start..end].iter().sum();
        let factor = if signed > 0.0 {
            role
        } else if signed < 0.0 {
            -role
        } else {
            0.0
        };
        self.rings.push((start, end, factor));
    }

    /// Area (equal-area plane) of the part where longitude <= t (`vertical`) or latitude <= t;
    /// `q_t` = q(t) − q_ref when horizontal.
    fn area_below(&self, vertical: bool, t: f64, q_t: f64) -> f64 {
        self.rings
            .iter()
            .filter(|r| r.2 != 0.0)
            .map(|&(s, e, factor)| factor * self.ring_area_below(s, e, vertical, t, q_t))
            .sum()
    }

    /// Signed area of one ring clipped to the half-plane, by a Sutherland–Hodgman pass feeding
    /// a running Green's-theorem sum. On concave rings the clipped curve runs back and forth
    /// along the cut line; those stretches cancel, so the area is exact.
    fn ring_area_below(&self, start: usize, end: usize, vertical: bool, t: f64, q_t: f64) -> f64 {
        let q_ref = self.q_ref;
        let key = |v: Vertex| if vertical { v.lon } else { v.lat };
        let crossing = |p: Vertex, r: Vertex| {
            if vertical {
                let f = (t - p.lon) / (r.lon - p.lon);
                let lat = p.lat + f * (r.lat - p.lat);
                Vertex { lon: t, lat, q: authalic_q(lat) - q_ref }
            } else {
                let f = (t - p.lat) / (r.lat - p.lat);
                Vertex { lon: p.lon + f * (r.lon - p.lon), lat: t, q: q_t }
            }
        };
        let mut walk = Walk { first: None, last: self.vertices[start], sum: 0.0, q_ref };
        for i in start..end - 1 {
            let (p, r) = (self.vertices[i], self.vertices[i + 1]);
            match (key(p) <= t, key(r) <= t) {
                // `p` was the last point emitted, so the whole edge is known.
                (true, true) => walk.emit(r, Some(self.edges[i])),
                (true, false) => walk.emit(crossing(p, r), None),
                (false, true) => {
                    walk.emit(crossing(p, r), None);
                    walk.emit(r, None);
                }
                (false, false) => {}
            }
        }
        walk.finish()
    }
}

/// The running sum over the points emitted by a Sutherland–Hodgman pass.
struct Walk {
    first: Option<Vertex>,
    last: Vertex,
    sum: f64,
    q_ref: f64,
}

impl Walk {
    fn emit(&mut self, v: Vertex, known: Option<f64>) {
        if self.first.is_none() {
            self.first = Some(v);
        } else {
            self.sum += known.unwrap_or_else(|| edge_area(self.last, v, self.q_ref));
        }
        self.last = v;
    }

    fn finish(self) -> f64 {
        match self.first {
            Some(first) => self.sum + edge_area(self.last, first, self.q_ref),
            None => 0.0,
        }
    }
}

/// Authalic q(φ) of the WGS-84 ellipsoid (Snyder, Map Projections, eq. 3-12): the area between
/// the equator and latitude φ over a longitude span Δλ (radians) is a²/2 · Δλ · q(φ).
fn authalic_q(lat_deg: f64) -> f64 {
    let e2 = WGS84_F * (2.0 - WGS84_F);
    let e = e2.sqrt();
    let s = lat_deg.to_radians().sin();
    let es = e * s;
    (1.0 - e2) * (s / (1.0 - es * es) - (0.5 / e) * ((1.0 - es) / (1.0 + es)).ln())
}

/// Euclidean perimeter of all rings, in degrees.
fn perimeter_deg(shape: &MultiPolygon<f64>) -> f64 {
    shape
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| r.0.windows(2))
        .map(|w| (w[1].x - w[0].x).hypot(w[1].y - w[0].y))
        .sum()
}

fn snap(v: f64, step: f64) -> f64 {
    (v / step).round() * step
}

fn triangle(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> Polygon<f64> {
    Polygon::new(LineString(vec![a, b, c, a]), vec![])
}

#[cfg(test)]
mod tests;
