//! Demo grids: each county outline (with the functional zones it hosts) is split into street
//! cells, each street into community cells and each community into grids, with areas weighted so
//! that city communities get small grids and villages large ones; then workers and buildings.

use std::collections::HashMap;

use geo::{Area, BooleanOps, MultiPolygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use thiserror::Error;

use crate::DemoConfig;
use crate::names::{mobile, person_name};
use shanzhi_domain::ids::{CodeError, DivisionCode, GridCode, Level};
use shanzhi_domain::people::{Building, GridWorker};
use shanzhi_domain::places::division::{DivisionKind, DivisionTree};
use shanzhi_domain::places::grid::{Grid, GridKind};
use shanzhi_domain::places::partition::{PartitionError, split_weighted};

#[derive(Debug, Error)]
pub enum DemoError {
    #[error("county outlines: {0}")]
    Outlines(String),
    #[error("zone hosts: {0}")]
    ZoneHosts(String),
    #[error("county {0} has no outline and no host county")]
    NoOutline(DivisionCode),
    #[error("{0} communities cannot share {1} grids: every community needs at least one")]
    TooFewGrids(usize, usize),
    #[error("partitioning {0}: {1}")]
    Partition(DivisionCode, PartitionError),
    #[error(transparent)]
    Code(#[from] CodeError),
}

/// A county's outline as shipped in `data/places/tangshan-counties.geojson`.
#[derive(Debug, Clone)]
pub struct CountyOutline {
    pub code: DivisionCode,
    pub shape: MultiPolygon<f64>,
}

/// What the demo generates over the places.
#[derive(Debug, Clone, Default)]
pub struct DemoPlaces {
    pub grids: Vec<Grid>,
    pub workers: Vec<GridWorker>,
    pub buildings: Vec<Building>,
}

/// Reads the county outlines (Features with a `code` property, Polygon or MultiPolygon).
pub fn parse_county_outlines(text: &str) -> Result<Vec<CountyOutline>, DemoError> {
    let bad = |m: String| DemoError::Outlines(m);
    let root: Value = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    let features = root.get("features").and_then(Value::as_array).ok_or_else(|| bad("no features".into()))?;
    let mut out = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let code = f
            .pointer("/properties/code")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("feature {i} has no code")))?;
        let code: DivisionCode = code.parse()?;
        let g = f.get("geometry").ok_or_else(|| bad(format!("feature {i} has no geometry")))?;
        let polys = match g.get("type").and_then(Value::as_str) {
            Some("Polygon") => vec![g["coordinates"].clone()],
            Some("MultiPolygon") => g["coordinates"].as_array().cloned().unwrap_or_default(),
            _ => return Err(bad(format!("feature {i} is not a (Multi)Polygon"))),
        };
        let mut parts = Vec::new();
        for p in polys {
            let rings: Vec<Vec<[f64; 2]>> = serde_json::from_value(p).map_err(|e| bad(format!("feature {i}: {e}")))?;
            let mut lines = rings
                .into_iter()
                .map(|r| geo::LineString::from(r.into_iter().map(|[x, y]| (x, y)).collect::<Vec<_>>()));
            let ext = lines.next().ok_or_else(|| bad(format!("feature {i} has an empty polygon")))?;
            parts.push(geo::Polygon::new(ext, lines.collect()));
        }
        out.push(CountyOutline { code, shape: MultiPolygon(parts) });
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

/// Reads `zone_code,host_county_code,note`.
pub fn parse_zone_hosts(text: &str) -> Result<Vec<(DivisionCode, DivisionCode)>, DemoError> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| DemoError::ZoneHosts(e.to_string()))?;
        out.push((rec[0].trim().parse()?, rec[1].trim().parse()?));
    }
    Ok(out)
}

/// Generates the demo grids, workers and buildings. `progress(done, total)` is called per street.
pub fn generate_places(
    tree: &DivisionTree,
    outlines: &[CountyOutline],
    zone_hosts: &[(DivisionCode, DivisionCode)],
    cfg: &DemoConfig,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<DemoPlaces, DemoError> {
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let communities: Vec<_> = tree.at_level(Level::Village).collect();
    let per_community = allot_grids(&communities.iter().map(|d| d.kind).collect::<Vec<_>>(), cfg.grids, &mut rng)?;
    let grids_of: HashMap<&DivisionCode, usize> = communities.iter().map(|d| &d.code).zip(per_community).collect();

    // Which streets each outline must hold: its own, then those of the zones it hosts.
    let hosts: HashMap<&DivisionCode, &DivisionCode> = zone_hosts.iter().map(|(z, h)| (z, h)).collect();
    let mut streets_of: HashMap<DivisionCode, Vec<DivisionCode>> = HashMap::new();
    for county in tree.at_level(Level::County) {
        let host = if outlines.iter().any(|o| o.code == county.code) {
            county.code.clone()
        } else {
            hosts.get(&county.code).map(|h| (*h).clone()).ok_or_else(|| DemoError::NoOutline(county.code.clone()))?
        };
        streets_of.entry(host).or_default().extend(tree.children(&county.code).map(|s| s.code.clone()));
    }
    let total_streets: usize = streets_of.values().map(Vec::len).sum();

    let mut out = DemoPlaces::default();
    let mut done = 0;
    let mut taken: Option<MultiPolygon<f64>> = None;
    for outline in outlines {
        // Counties never overlap, even where the coarse source outlines do.
        let shape = match &taken {
            None => outline.shape.clone(),
            Some(t) => drop_slivers(outline.shape.difference(t)),
        };
        taken = Some(match taken {
            None => shape.clone(),
            Some(t) => t.union(&shape),
        });
        let Some(streets) = streets_of.get(&outline.code) else {
            continue;
        };
        let street_members: Vec<Vec<&shanzhi_domain::places::division::Division>> =
            streets.iter().map(|s| tree.children(s).collect()).collect();
        // Area weights: a city community's grid is ~0.3 km², a village's ~3 km²; spread ±50 %.
        let community_weights: Vec<Vec<f64>> = street_members
            .iter()
            .map(|cs| cs.iter().map(|c| area_weight(c.kind, grids_of[&c.code], &mut rng)).collect())
            .collect();
        let street_weights: Vec<f64> = community_weights.iter().map(|w| w.iter().sum::<f64>().max(1e-3)).collect();
        let street_shapes =
            split_weighted(&shape, &street_weights).map_err(|e| DemoError::Partition(outline.code.clone(), e))?;
        for ((street, members), (street_shape, weights)) in
            streets.iter().zip(&street_members).zip(street_shapes.iter().zip(&community_weights))
        {
            if !members.is_empty() {
                let cells =
                    split_weighted(street_shape, weights).map_err(|e| DemoError::Partition(street.clone(), e))?;
                for (community, cell) in members.iter().zip(cells) {
                    let n = grids_of[&community.code];
                    let w: Vec<f64> = (0..n).map(|_| rng.random_range(0.6..1.4)).collect();
                    let pieces =
                        split_weighted(&cell, &w).map_err(|e| DemoError::Partition(community.code.clone(), e))?;
                    let short = community.short_name();
                    for (k, piece) in pieces.into_iter().enumerate() {
                        let code = GridCode::new(&community.code, (k + 1) as u16)?;
                        let kind = if community.kind == DivisionKind::Community && rng.random_bool(0.04) {
                            GridKind::Dedicated
                        } else {
                            GridKind::General
                        };
                        out.grids.push(Grid { code, name: format!("{short}第{}网格", k + 1), kind, shape: piece });
                    }
                }
            }
            done += 1;
            progress(done, total_streets);
        }
    }
    out.grids.sort_by(|a, b| a.code.cmp(&b.code));
    people(tree, cfg, &mut rng, &mut out);
    Ok(out)
}

/// Grids per community: one each, the rest mostly to city communities (largest remainder, so the
/// total is exact).
fn allot_grids(kinds: &[DivisionKind], total: usize, rng: &mut impl Rng) -> Result<Vec<usize>, DemoError> {
    if total < kinds.len() {
        return Err(DemoError::TooFewGrids(kinds.len(), total));
    }
    let extra = total - kinds.len();
    let w: Vec<f64> = kinds
        .iter()
        .map(|k| match k {
            DivisionKind::Community => rng.random_range(2.5..8.0),
            _ => {
                if rng.random_bool(0.15) {
                    rng.random_range(0.5..2.0)
                } else {
                    0.0
                }
            }
        })
        .collect();
    let sum: f64 = w.iter().sum();
    let exact: Vec<f64> = w.iter().map(|x| x / sum * extra as f64).collect();
    let mut counts: Vec<usize> = exact.iter().map(|x| 1 + x.floor() as usize).collect();
    let mut left = total - counts.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..kinds.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    for i in order {
        if left == 0 {
            break;
        }
        counts[i] += 1;
        left -= 1;
    }
    Ok(counts)
}

fn area_weight(kind: DivisionKind, grids: usize, rng: &mut impl Rng) -> f64 {
    let per_grid = match kind {
        DivisionKind::Community => 0.3,
        _ => 3.0,
    };
    per_grid * grids as f64 * rng.random_range(0.5..1.5)
}

fn drop_slivers(mp: MultiPolygon<f64>) -> MultiPolygon<f64> {
    // Below ~1 hectare a piece is an artefact of the coarse outlines, not land.
    MultiPolygon(mp.0.into_iter().filter(|p| p.unsigned_area() > 1e-6).collect())
}

fn people(tree: &DivisionTree, cfg: &DemoConfig, rng: &mut impl Rng, out: &mut DemoPlaces) {
    let urban = |g: &Grid| tree.get(&g.community()).is_some_and(|c| c.kind == DivisionKind::Community);
    for g in &out.grids {
        let id = out.workers.len() as u32 + 1;
        out.workers.push(GridWorker {
            id,
            name: person_name(rng),
            phone: mobile(rng),
            grid: g.code.clone(),
            full_time: true,
        });
    }
    let urban_grids: Vec<usize> = (0..out.grids.len()).filter(|&i| urban(&out.grids[i])).collect();
    while out.workers.len() < cfg.workers && !out.grids.is_empty() {
        // Part-time workers go to city grids four times out of five.
        let i = if !urban_grids.is_empty() && rng.random_bool(0.8) {
            urban_grids[rng.random_range(0..urban_grids.len())]
        } else {
            rng.random_range(0..out.grids.len())
        };
        let id = out.workers.len() as u32 + 1;
        out.workers.push(GridWorker {
            id,
            name: person_name(rng),
            phone: mobile(rng),
            grid: out.grids[i].code.clone(),
            full_time: false,
        });
    }
    for &i in &urban_grids {
        let g = &out.grids[i];
        for b in 1..=rng.random_range(3..=8u32) {
            out.buildings.push(Building {
                code: format!("{}{:05}", g.code, b),
                grid: g.code.clone(),
                name: format!("{b}号楼"),
                head_name: person_name(rng),
                head_phone: mobile(rng),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allotment_is_exact_and_favours_city_communities() {
        let kinds: Vec<DivisionKind> =
            (0..1000).map(|i| if i % 5 == 0 { DivisionKind::Community } else { DivisionKind::Village }).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let counts = allot_grids(&kinds, 1700, &mut rng).unwrap();
        assert_eq!(counts.iter().sum::<usize>(), 1700);
        assert!(counts.iter().all(|&c| c >= 1));
        let city: usize = counts.iter().step_by(5).sum();
        assert!(city > 600, "city communities got {city} grids");
        assert!(allot_grids(&kinds, 999, &mut rng).is_err());
    }
}
