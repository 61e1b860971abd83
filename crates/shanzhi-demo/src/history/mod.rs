//! A year of case history for the demo: about 370,000 cases across Tangshan's grids, each driven
//! through the real engine (`create`, then `apply` with plausible actors at plausible times), so
//! every log is legal by construction. Deterministic for a seed; streamed to a sink case by case.
//!
//! # What it models
//!
//! * **Channels** (docs/domain.md §3.4): event cases (数字城管) mostly from grid workers'
//!   patrols (~90 % of events), some from devices (video AI, sensors, a drone) and residents;
//!   demand cases (12345) mostly by telephone, some online and through Open311.
//! * **Volume per day**: patrols follow the working week (fewer at weekends and holidays), the
//!   hotline runs every day with a Monday peak, devices do not rest; a little day-to-day noise.
//! * **Types**: skewed frequencies (a few types such as 非法小广告, 暴露垃圾, 店外经营 dominate
//!   patrols; 商业噪声, 施工扰民, 供暖中断 the hotline), each with a seasonal pattern: more rubbish,
//!   odours, barbecues and street trading in summer; 道路积雪结冰 only on and after snowfalls
//!   (mid-November to mid-March); 道路积水 only in July and August, mostly on storm days; 供暖中断
//!   only in the heating season, with a peak when it starts; fireworks around the Spring
//!   Festival; straw burning at the wheat and maize harvests; construction quiet in winter.
//! * **Places**: more cases in dense urban grids (city communities, the central districts); some
//!   types mostly urban (lifts, shop fronts), some rural (straw, livestock), coal-mining
//!   subsidence only in the mining districts.
//! * **Times**: patrol reports mostly in working hours, hotline calls around the clock with a
//!   daytime peak (noise complaints in the evening); centre staff work around the clock, units in
//!   working hours for working-time limits. Each step is mostly on time, sometimes late; handling
//!   durations are drawn against the type's limit, with the miss rate depending on how tight the
//!   limit is, the unit (utilities are quick, land and housing slow) and the county.
//! * **Paths**: self-handling on the spot, verification of non-patrol reports (some not
//!   confirmed), refusals, voids, returns and re-dispatch, extensions, suspensions, rework after a
//!   failed re-check or a dissatisfied call-back, urging, ratings (mostly satisfied, less so
//!   after a late or reworked case), and the whistle (吹哨): a community or street unit summons
//!   the type's department, which reports in (报到) and leads the case. Whatever would happen
//!   after the end of the period does not: cases reported in the last days (and a few long ones)
//!   are still open.
//! * **The sweep**: whenever a deadline or a summons passes between two steps, the deadline
//!   sweep runs as the server would (within 30 s) and its `overdue` / `escalate` entries are in
//!   the log, so flags and escalations are what a live system would have.
//!
//! Dispatch follows routing (`cases::routing::route`, stored on the case); a 12345 order whose
//! routed unit is a community's (which cannot accept orders in the demand workflow) goes to the
//! community's street office instead. A returned case goes from a department to the street office,
//! or from a street office or community to the county's urban management.
//!
//! # Layout
//!
//! What goes in and comes out: `config`, `stats`. The world, built once from the input and the
//! seed: `world`, with `seasons` (the days), `weights` (the types), `places` (grids, counties),
//! `streams` (channels, volume by day and hour) and `actors`. One case's story: `sim` (the
//! driver), `event` and `demand` (the two workflows' paths), `handling` (the handling step, the
//! whistle) and `side_paths` (voids, returns, online ratings). Helpers: `draw`, `opinions`.

mod actors;
mod config;
mod demand;
mod draw;
mod event;
mod handling;
mod opinions;
mod places;
mod seasons;
mod side_paths;
mod sim;
mod stats;
mod streams;
mod weights;
mod world;

use std::collections::BTreeMap;

use chrono::Datelike;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use thiserror::Error;

use shanzhi_domain::cases::engine::Refusal;

pub use config::{ChannelMix, HistoryConfig, HistoryInput, HistoryRates};
pub use stats::{GeneratedCase, HistoryStats};

use draw::{cumulative, pick};
use sim::Sim;
use streams::{Pending, STREAMS};
use world::World;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HistoryError {
    #[error("history: no `{0}` workflow")]
    MissingWorkflow(&'static str),
    #[error("history: no grids to place cases in")]
    NoGrids,
    #[error("history: the taxonomy has no type the history can use")]
    NoTypes,
    #[error("history: a period of 0 days")]
    EmptyPeriod,
    #[error("history: the engine refused `{action}` in `{state}` ({kind} case of type {type_code}): {refusal}")]
    Refused { kind: String, type_code: String, action: String, state: String, refusal: Refusal },
}

/// Generates the history, calling `sink` once per case in order of report time, and returns
/// what it generated in counts. Pure and deterministic: the same input and config give the same
/// cases.
pub fn generate_history(
    input: &HistoryInput,
    cfg: &HistoryConfig,
    sink: &mut dyn FnMut(GeneratedCase),
) -> Result<HistoryStats, HistoryError> {
    let event = input.workflows.get("event").ok_or(HistoryError::MissingWorkflow("event"))?;
    let demand = input.workflows.get("demand").ok_or(HistoryError::MissingWorkflow("demand"))?;
    if input.grids.is_empty() {
        return Err(HistoryError::NoGrids);
    }
    if cfg.days == 0 {
        return Err(HistoryError::EmptyPeriod);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let world = World::build(input, event, demand, cfg, &mut rng)?;
    let counts = world.allot(cfg, &mut rng);
    let mut stats = HistoryStats::default();
    let mut type_counts = vec![0u64; world.types.len()];
    let mut month_counts: BTreeMap<(i32, u32), u64> = BTreeMap::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut weights = Vec::new();
    for (d, day) in world.days.iter().enumerate() {
        pending.clear();
        for (s, stream) in STREAMS.iter().enumerate() {
            let n = counts[s][d];
            if n == 0 {
                continue;
            }
            world.type_weights(*stream, day, &mut weights);
            let cdf = cumulative(&weights);
            for _ in 0..n {
                let ty = pick(&cdf, &mut rng);
                let grid = world.places.pick_grid(&world.types[ty], *stream, &mut rng);
                let at = world.report_time(day, *stream, ty, cfg.end, &mut rng);
                pending.push(Pending { at, stream: *stream, ty, grid });
            }
        }
        pending.sort_by_key(|p| p.at);
        for p in &pending {
            let generated = Sim::run(&world, p, day, &mut rng)?;
            type_counts[p.ty] += 1;
            *month_counts.entry((day.date.year(), day.date.month())).or_default() += 1;
            let terminal = world.wf(p.stream).state(&generated.case.state).is_some_and(|s| s.terminal);
            stats.count(&generated, terminal, cfg.end);
            sink(generated);
        }
    }
    for (i, n) in type_counts.into_iter().enumerate() {
        if n > 0 {
            stats.by_type.insert(world.types[i].ty.code.to_string(), n);
        }
    }
    for ((y, m), n) in month_counts {
        stats.by_month.insert(format!("{y:04}-{m:02}"), n);
    }
    Ok(stats)
}
