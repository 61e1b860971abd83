//! Cases: the generic case engine. Workflows (one per kind: event, demand, …) are data; the
//! engine creates cases and applies actions as pure functions, with step clocks on the work
//! calendar and an immutable log.

pub mod case;
pub mod clock;
pub mod counts;
pub mod duplicates;
pub mod engine;
pub mod events;
pub mod fields;
pub mod figures;
pub mod grants;
pub mod notes;
pub mod open311;
pub mod refusal;
pub mod routing;
pub mod short_code;
pub mod sweep;
pub mod todo;
pub mod workflow;
