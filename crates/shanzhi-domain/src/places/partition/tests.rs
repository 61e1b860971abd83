//! Tests of `partition`.

use super::*;
use geo::orient::{Direction, Orient};
use geo::{GeodesicArea, Validation};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const STEP: f64 = 1.0 / (1u64 << 29) as f64;

fn poly(exterior: &[(f64, f64)], holes: &[&[(f64, f64)]]) -> Polygon<f64> {
    Polygon::new(LineString::from(exterior.to_vec()), holes.iter().map(|h| LineString::from(h.to_vec())).collect())
}

/// Concave L near Tangshan: 0.3° × 0.3° with the north-east 0.2° × 0.2° removed.
fn l_shape() -> MultiPolygon<f64> {
    MultiPolygon(vec![poly(
        &[(118.0, 39.5), (118.3, 39.5), (118.3, 39.6), (118.1, 39.6), (118.1, 39.8), (118.0, 39.8)],
        &[],
    )])
}

/// A mainland with a lake (hole) and an island, clockwise rings on purpose.
fn two_islands() -> MultiPolygon<f64> {
    MultiPolygon(vec![
        poly(
            &[(118.5, 39.2), (118.5, 39.45), (118.9, 39.45), (118.9, 39.2)],
            &[&[(118.6, 39.3), (118.7, 39.3), (118.7, 39.35), (118.6, 39.35)]],
        ),
        poly(&[(118.95, 39.05), (119.05, 39.1), (119.1, 39.0), (119.0, 38.95)], &[]),
    ])
}

/// A county-like outline: `n` vertices, a wobbly star around (118.4°, 39.7°) with deep bays.
fn irregular(n: usize, seed: u64) -> MultiPolygon<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut radius: f64 = 0.25;
    let mut coords = Vec::with_capacity(n);
    for i in 0..n {
        let angle = std::f64::consts::TAU * i as f64 / n as f64;
        radius = (radius + rng.random_range(-0.015..0.015)).clamp(0.08, 0.4);
        let bay = 1.0 - 0.45 * (5.0 * angle).sin().max(0.0).powi(8);
        let r = radius * bay;
        coords.push((118.4 + r * angle.cos() / 39.7f64.to_radians().cos(), 39.7 + r * angle.sin()));
    }
    let shape = MultiPolygon(vec![poly(&coords, &[])]);
    assert!(shape.is_valid(), "test outline must be valid");
    shape
}

fn random_weights(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| rng.random_range(0.1..10.0)).collect()
}

fn overlap_area(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    let (ra, rb) = (a.bounding_rect().unwrap(), b.bounding_rect().unwrap());
    if ra.max().x < rb.min().x || rb.max().x < ra.min().x || ra.max().y < rb.min().y || rb.max().y < ra.min().y {
        return 0.0;
    }
    area_m2(&a.intersection(b))
}

/// Checks every invariant promised by `split_weighted`; returns the pieces.
fn check(shape: &MultiPolygon<f64>, weights: &[f64]) -> Vec<MultiPolygon<f64>> {
    let pieces = split_weighted(shape, weights).expect("split succeeds");
    assert_eq!(pieces.len(), weights.len());
    let total = area_m2(shape);
    let weight_sum: f64 = weights.iter().sum();
    let areas: Vec<f64> = pieces.iter().map(area_m2).collect();
    let sum: f64 = areas.iter().sum();
    // Against the input as rounded onto the lattice, and against the raw input (the
    // rounding moves the outline by at most ~0.1 mm).
    let frame = Frame::around(shape.bounding_rect().unwrap()).unwrap();
    let normalised = frame.normalise(shape);
    let rounded = area_m2(&normalised);
    assert!(
        weights.len() == 1 || ((sum - rounded) / rounded).abs() < 1e-9,
        "areas sum to {sum}, rounded input has {rounded} (rel {})",
        (sum - rounded) / rounded
    );
    assert!(
        ((sum - total) / total).abs() < 1e-7,
        "areas sum to {sum}, input has {total} (rel {})",
        (sum - total) / total
    );
    // Exact meeting: any mismatch between neighbours would leave a sliver hole in the union.
    if pieces.len() > 1 {
        let union = geo::unary_union(&pieces);
        let holes = |mp: &MultiPolygon<f64>| mp.0.iter().map(|p| p.interiors().len()).sum::<usize>();
        assert_eq!(union.0.len(), normalised.0.len(), "union has extra parts");
        assert_eq!(holes(&union), holes(&normalised), "union has gaps");
        assert!(((area_m2(&union) - rounded) / rounded).abs() < 1e-9);
    }
    for (i, piece) in pieces.iter().enumerate() {
        assert!(!piece.0.is_empty() && areas[i] > 0.0, "piece {i} is empty");
        assert!(piece.is_valid(), "piece {i} invalid: {:?}", piece.validation_errors());
        let want = weights[i] / weight_sum;
        let got = areas[i] / total;
        assert!(((got - want) / want).abs() < 1e-3, "piece {i}: share {got}, weight share {want}");
        if weights.len() == 1 {
            continue; // the shape itself, as given
        }
        for c in piece.0.iter().flat_map(|p| p.exterior().0.iter().chain(p.interiors().iter().flat_map(|h| h.0.iter())))
        {
            assert_eq!((c.x / STEP).fract(), 0.0, "piece {i}: {c:?} off the lattice");
            assert_eq!((c.y / STEP).fract(), 0.0, "piece {i}: {c:?} off the lattice");
        }
    }
    if pieces.len() > 1 {
        for i in 0..pieces.len() {
            for j in i + 1..pieces.len() {
                let overlap = overlap_area(&pieces[i], &pieces[j]);
                assert!(overlap < 1e-12 * total, "pieces {i} and {j} overlap by {overlap} m²");
            }
        }
    }
    pieces
}

fn bits(pieces: &[MultiPolygon<f64>]) -> Vec<Vec<Vec<Vec<(u64, u64)>>>> {
    pieces
        .iter()
        .map(|mp| {
            mp.0.iter()
                .map(|p| {
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(|r| r.0.iter().map(|c| (c.x.to_bits(), c.y.to_bits())).collect())
                        .collect()
                })
                .collect()
        })
        .collect()
}

#[test]
fn partition_area_m2_matches_geodesic_area() {
    // Straight lon/lat edges are not geodesics: a few 1e-4 apart on 0.3° edges, 1e-6 on a
    // 1000-vertex outline (densifying the outline makes the geodesic area converge to ours).
    for (shape, tolerance) in [(l_shape(), 1e-3), (two_islands(), 1e-3), (irregular(1000, 7), 1e-5)] {
        let ours = area_m2(&shape);
        // geo's geodesic area of a clockwise ring is the rest of the globe: orient first.
        let geodesic = shape.orient(Direction::Default).geodesic_area_unsigned();
        let rel = ((ours - geodesic) / geodesic).abs();
        assert!(rel < tolerance, "area_m2 {ours} vs geodesic {geodesic}: {rel}");
    }
    // A 0.001° square (about 85 m × 111 m).
    let small = MultiPolygon(vec![poly(&[(118.2, 39.6), (118.201, 39.6), (118.201, 39.601), (118.2, 39.601)], &[])]);
    let (ours, geodesic) = (area_m2(&small), small.geodesic_area_unsigned());
    assert!(((ours - geodesic) / geodesic).abs() < 1e-7, "{ours} vs {geodesic}");
}

#[test]
fn partition_l_shape() {
    check(&l_shape(), &[1.0, 2.0, 3.0]);
    check(&l_shape(), &random_weights(57, 1));
    check(&l_shape(), &[1.0, 1000.0, 1.0, 0.5]);
}

#[test]
fn partition_two_islands_with_a_lake() {
    check(&two_islands(), &[1.0, 1.0]);
    check(&two_islands(), &random_weights(40, 2));
}

#[test]
fn partition_irregular_outline() {
    check(&irregular(1000, 3), &random_weights(150, 3));
}

#[test]
fn partition_skewed_weights() {
    // A deep, lopsided bisection tree: shares from 1 down to 1.4^-35 ≈ 8e-6.
    let weights: Vec<f64> = (0..36).map(|i| 1.4f64.powi(-i)).collect();
    check(&irregular(1000, 12), &weights);
}

#[test]
fn partition_is_deterministic() {
    let shape = irregular(400, 4);
    let weights = random_weights(90, 4);
    let a = split_weighted(&shape, &weights).unwrap();
    let b = split_weighted(&shape, &weights).unwrap();
    assert_eq!(bits(&a), bits(&b));
}

#[test]
fn partition_halves_share_their_cut_vertices_exactly() {
    let vertices = |mp: &MultiPolygon<f64>| -> Vec<Coord<f64>> {
        mp.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| r.0.iter().copied())
            .collect()
    };
    let on_line = |mp: &MultiPolygon<f64>, vertical: bool, c: f64| {
        let mut v: Vec<(u64, u64)> = vertices(mp)
            .into_iter()
            .filter(|p| if vertical { p.x == c } else { p.y == c })
            .map(|p| (p.x.to_bits(), p.y.to_bits()))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut shapes = vec![l_shape(), two_islands()];
    shapes.extend((0..6).map(|seed| irregular(1000, 20 + seed)));
    for shape in &shapes {
        for share in [0.5, 0.3, 0.77, 0.02] {
            let halves = split_weighted(shape, &[share, 1.0 - share]).unwrap();
            let (a, b) = (halves[0].bounding_rect().unwrap(), halves[1].bounding_rect().unwrap());
            let vertical = a.max().x == b.min().x;
            assert!(vertical || a.max().y == b.min().y, "halves do not touch");
            let c = if vertical { a.max().x } else { a.max().y };
            let (low, high) = (on_line(&halves[0], vertical, c), on_line(&halves[1], vertical, c));
            assert!(low.len() >= 2);
            assert_eq!(low, high, "the halves' points on the cut line differ");
        }
    }
}

#[test]
fn partition_pieces_can_be_split_again_without_moving() {
    // A piece fed back as a shape is on the lattice already: its outline is kept exactly.
    let streets = split_weighted(&irregular(300, 5), &random_weights(6, 5)).unwrap();
    for street in &streets {
        let again = Frame::around(street.bounding_rect().unwrap()).unwrap().normalise(street);
        assert!(((area_m2(&again) - area_m2(street)) / area_m2(street)).abs() < 1e-13);
        check(street, &random_weights(7, 6));
    }
}

#[test]
fn partition_small_shapes() {
    // A 20 m block split into four 5 m-ish grids: rounding onto the lattice is not mistaken
    // for invalidity, and shares hold at this scale too.
    let block = MultiPolygon(vec![poly(
        &[(118.180_01, 39.630_01), (118.180_24, 39.630_01), (118.180_24, 39.630_19), (118.180_01, 39.630_19)],
        &[],
    )]);
    check(&block, &[1.0, 2.0, 1.5, 1.0]);
}

#[test]
fn partition_one_weight_returns_the_shape() {
    let shape = irregular(100, 8);
    assert_eq!(split_weighted(&shape, &[3.0]).unwrap(), vec![shape]);
}

#[test]
fn partition_rejects_bad_input() {
    let shape = l_shape();
    assert_eq!(split_weighted(&shape, &[]), Err(PartitionError::NoWeights));
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        match split_weighted(&shape, &[1.0, 2.0, bad, 1.0]) {
            Err(PartitionError::BadWeight { index: 2, .. }) => {}
            other => panic!("weight {bad}: {other:?}"),
        }
    }
    assert_eq!(split_weighted(&MultiPolygon(vec![]), &[1.0, 1.0]), Err(PartitionError::EmptyShape));
    let flat = MultiPolygon(vec![poly(&[(118.0, 39.0), (118.1, 39.0), (118.2, 39.0)], &[])]);
    assert_eq!(split_weighted(&flat, &[1.0, 1.0]), Err(PartitionError::EmptyShape));
    let nan = MultiPolygon(vec![poly(&[(118.0, 39.0), (f64::NAN, 39.0), (118.2, 39.1)], &[])]);
    assert_eq!(split_weighted(&nan, &[1.0, 1.0]), Err(PartitionError::NonFiniteCoordinate));
    // Overlapping parts and a bow-tie are not valid shapes.
    let overlapping = MultiPolygon(vec![
        poly(&[(118.0, 39.0), (118.2, 39.0), (118.2, 39.2), (118.0, 39.2)], &[]),
        poly(&[(118.1, 39.1), (118.3, 39.1), (118.3, 39.3), (118.1, 39.3)], &[]),
    ]);
    assert!(matches!(split_weighted(&overlapping, &[1.0, 1.0]), Err(PartitionError::InvalidShape { .. })));
    let bow_tie = MultiPolygon(vec![poly(&[(118.0, 39.0), (118.2, 39.2), (118.2, 39.0), (118.0, 39.3)], &[])]);
    assert!(matches!(split_weighted(&bow_tie, &[1.0, 1.0]), Err(PartitionError::InvalidShape { .. })));
    // A weight far too small for the lattice gives an error, not a bad piece.
    assert!(matches!(split_weighted(&shape, &[1.0, 1e-30]), Err(PartitionError::PieceTooSmall { .. })));
}

#[test]
fn partition_tolerates_duplicate_points_and_open_rings() {
    let shape = MultiPolygon(vec![poly(
        &[
            (118.0, 39.5),
            (118.0, 39.5),
            (118.3, 39.5),
            (118.3, 39.5),
            (118.3, 39.6),
            (118.2, 39.6),
            (118.1, 39.6),
            (118.1, 39.8),
            (118.0, 39.8),
            (118.0, 39.5),
            (118.0, 39.5),
        ],
        &[],
    )]);
    check(&shape, &random_weights(20, 9));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    #[test]
    fn partition_random_weights(weights in prop::collection::vec(0.1f64..10.0, 1..200)) {
        let shape = irregular(200, 10);
        check(&shape, &weights);
    }
}

/// Timing, for the record: `cargo test -p shanzhi-domain --release partition_timing --
/// --ignored --nocapture`.
#[test]
#[ignore]
fn partition_timing() {
    let stats = |shape: &MultiPolygon<f64>, weights: &[f64], pieces: &[MultiPolygon<f64>]| {
        let total = area_m2(shape);
        let wsum: f64 = weights.iter().sum();
        let sum: f64 = pieces.iter().map(area_m2).sum();
        let worst_share = pieces
            .iter()
            .zip(weights)
            .map(|(p, w)| ((area_m2(p) / total) / (w / wsum) - 1.0).abs())
            .fold(0.0, f64::max);
        let parts: Vec<f64> =
            pieces.iter().flat_map(|p| p.0.iter()).map(|p| area_m2(&MultiPolygon(vec![p.clone()]))).collect();
        let tiny = parts.iter().filter(|&&a| a < 1.0).count();
        (((sum - total) / total).abs(), worst_share, parts.len(), tiny)
    };

    let shape = irregular(1000, 11);
    let weights = random_weights(1000, 11);
    let t = std::time::Instant::now();
    let pieces = split_weighted(&shape, &weights).unwrap();
    let elapsed = t.elapsed();
    let (sum_err, share_err, parts, tiny) = stats(&shape, &weights, &pieces);
    println!(
        "1000-vertex outline into 1000 pieces: {elapsed:?}; area sum rel error {sum_err:.1e}, \
         worst share rel error {share_err:.1e}, {parts} parts, {tiny} under 1 m²"
    );

    // City scale: 14 county outlines → 8 streets → 12 communities → 8 grids = 10,752 grids.
    let t = std::time::Instant::now();
    let (mut cuts, mut count, mut worst_sum, mut worst_share, mut tiny_parts) = (0, 0, 0.0_f64, 0.0_f64, 0);
    for county in 0..14 {
        let outline = irregular(1000, 100 + county);
        let streets = split_weighted(&outline, &random_weights(8, county)).unwrap();
        cuts += 7;
        for (s, street) in streets.iter().enumerate() {
            let communities = split_weighted(street, &random_weights(12, 1000 * county + s as u64)).unwrap();
            cuts += 11;
            for (c, community) in communities.iter().enumerate() {
                let w = random_weights(8, 100_000 * county + 100 * s as u64 + c as u64);
                let grids = split_weighted(community, &w).unwrap();
                cuts += w.len() - 1;
                count += grids.len();
                let (sum_err, share_err, _, tiny) = stats(community, &w, &grids);
                worst_sum = worst_sum.max(sum_err);
                worst_share = worst_share.max(share_err);
                tiny_parts += tiny;
            }
        }
    }
    println!(
        "city scale: {count} grids, {cuts} cuts in {:?} (timing includes the checks); \
         worst community area sum rel error {worst_sum:.1e}, worst grid share rel error \
         {worst_share:.1e}, {tiny_parts} grid parts under 1 m²",
        t.elapsed()
    );
}
