//! shanzhi-domain: the pure domain of shanzhi (places, grids, locate, taxonomy, work calendar,
//! organisations, cases). No I/O: everything here takes and returns values.

pub mod access;
pub mod accounts;
pub mod attachments;
pub mod audit;
pub mod calendar;
pub mod cases;
pub mod edit;
pub mod everyday;
pub mod ids;
pub mod org;
pub mod people;
pub mod places;
pub mod privacy;
pub mod registers;
pub mod taxonomy;
pub mod text;
pub mod time_limit;

#[cfg(test)]
mod names;
