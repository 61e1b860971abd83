//! shanzhi-demo: the Tangshan demo generator. Grids partitioned from the county outlines, grid
//! workers, buildings and building heads, units and demo accounts, and `history`, a year of cases
//! driven through the domain's engine; deterministic for a given seed. Pure like the domain: it
//! takes the shipped files' text and returns values.

pub mod history;
mod names;
mod places;
mod registers;
mod units;

pub use places::{CountyOutline, DemoError, DemoPlaces, generate_places, parse_county_outlines, parse_zone_hosts};
pub use registers::{DemoRecord, demo_records};
pub use units::{demo_units, demo_users};

/// Figures of the demo; the defaults are the seed's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoConfig {
    pub seed: u64,
    /// Tangshan: 10,727 grids.
    pub grids: usize,
    /// Tangshan: 12,222 grid workers.
    pub workers: usize,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig { seed: 1302, grids: 10_727, workers: 12_222 }
    }
}
