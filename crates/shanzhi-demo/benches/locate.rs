//! Point → grid over the 10,727 demo grids of Tangshan: single lookups on one thread, and bulk
//! assignment of 1,000,000 random points. Run: `cargo bench -p shanzhi-demo --bench locate`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use geo::BoundingRect;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shanzhi_domain::places::locate::GridIndex;

#[path = "../tests/support/mod.rs"]
mod support;

fn setup() -> (GridIndex, Vec<(f64, f64)>, Vec<(f64, f64)>) {
    let places = support::demo_places(&support::divisions(), &mut |_, _| {});
    assert_eq!(places.grids.len(), 10_727);
    let index = GridIndex::build(places.grids.iter().map(|g| &g.shape));
    let mut bbox = places.grids[0].shape.bounding_rect().unwrap();
    for g in &places.grids {
        let r = g.shape.bounding_rect().unwrap();
        bbox = geo::Rect::new(
            (bbox.min().x.min(r.min().x), bbox.min().y.min(r.min().y)),
            (bbox.max().x.max(r.max().x), bbox.max().y.max(r.max().y)),
        );
    }
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let mut any = || (rng.random_range(bbox.min().x..bbox.max().x), rng.random_range(bbox.min().y..bbox.max().y));
    let uniform: Vec<(f64, f64)> = (0..1_000_000).map(|_| any()).collect();
    let inside: Vec<(f64, f64)> =
        uniform.iter().copied().filter(|&(x, y)| index.locate(x, y).is_some()).take(100_000).collect();
    eprintln!(
        "{} of the first 1,000,000 uniform points fall in a grid",
        uniform.iter().filter(|&&(x, y)| index.locate(x, y).is_some()).count()
    );
    (index, uniform, inside)
}

fn bench(c: &mut Criterion) {
    let (index, uniform, inside) = setup();
    let mut g = c.benchmark_group("locate");
    g.throughput(Throughput::Elements(1));
    let mut i = 0;
    g.bench_function("one point inside a grid", |b| {
        b.iter(|| {
            i = (i + 1) % inside.len();
            let (x, y) = inside[i];
            black_box(index.locate(black_box(x), black_box(y)))
        })
    });
    let mut j = 0;
    g.bench_function("one point anywhere in the city's box", |b| {
        b.iter(|| {
            j = (j + 1) % uniform.len();
            let (x, y) = uniform[j];
            black_box(index.locate(black_box(x), black_box(y)))
        })
    });
    g.finish();

    let mut g = c.benchmark_group("bulk");
    g.sample_size(10);
    g.throughput(Throughput::Elements(uniform.len() as u64));
    g.bench_function("assign 1,000,000 random points", |b| {
        b.iter(|| {
            let mut located = 0u32;
            for &(x, y) in &uniform {
                located += u32::from(index.locate(x, y).is_some());
            }
            black_box(located)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
