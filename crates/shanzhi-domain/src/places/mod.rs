//! Places: the division tree (city → county → township → village), grids, coordinate systems,
//! point location, GeoJSON exchange and the polygon partitioning used to generate demo grids.

pub mod crs;
pub mod division;
pub mod geojson;
pub mod grid;
pub mod locate;
pub mod outline;
pub mod partition;
