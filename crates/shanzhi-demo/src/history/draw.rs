//! Drawing numbers: weighted picks from cumulative weights, normal and exponential draws,
//! rounding to an exact total, scaled durations and bell curves.

use chrono::Duration;
use rand::Rng;

pub(super) fn cumulative(w: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    w.iter()
        .map(|x| {
            acc += x.max(0.0);
            acc
        })
        .collect()
}

pub(super) fn pick(cdf: &[f64], rng: &mut impl Rng) -> usize {
    let total = *cdf.last().unwrap_or(&0.0);
    let x = rng.random::<f64>() * total;
    cdf.partition_point(|&c| c <= x).min(cdf.len().saturating_sub(1))
}

pub(super) fn normal(rng: &mut impl Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

pub(super) fn expo(rng: &mut impl Rng, mean: f64) -> f64 {
    -mean * rng.random::<f64>().max(1e-12).ln()
}

/// Whole numbers summing to `total`, each the floor of its expected value or one more (largest
/// remainders first, ties to the earlier).
pub(super) fn round_to(expected: &[f64], total: usize) -> Vec<usize> {
    let mut counts: Vec<usize> = expected.iter().map(|e| e.max(0.0).floor() as usize).collect();
    let mut order: Vec<usize> = (0..expected.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (expected[a] - expected[a].floor(), expected[b] - expected[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    let mut left = total.saturating_sub(counts.iter().sum());
    let mut i = 0;
    while left > 0 && !order.is_empty() {
        counts[order[i % order.len()]] += 1;
        left -= 1;
        i += 1;
    }
    counts
}

/// `d × f`, to the millisecond.
pub(super) fn scale(d: Duration, f: f64) -> Duration {
    Duration::milliseconds((d.num_milliseconds() as f64 * f) as i64)
}

pub(super) fn gauss(x: f64, mu: f64, sigma: f64) -> f64 {
    let z = (x - mu) / sigma;
    (-0.5 * z * z).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_keeps_the_total_and_stays_near_the_expected() {
        let e = [0.27, 0.27, 0.27, 3.6, 1.5, 0.09];
        let r = round_to(&e, 6);
        assert_eq!(r.iter().sum::<usize>(), 6);
        for (x, n) in e.iter().zip(&r) {
            assert!((*n as f64 - x).abs() < 1.0, "{e:?} → {r:?}");
        }
        assert_eq!(round_to(&[0.0, 0.0], 0), vec![0, 0]);
    }
}
