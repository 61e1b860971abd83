//! SeaORM entities: one module per table, columns as stored (codes as text, geometry as GeoJSON).

pub mod api_key;
pub mod attachment;
pub mod attachment_link;
pub mod auth_token;
pub mod building;
pub mod case;
pub mod case_field;
pub mod case_log;
pub mod case_unit;
pub mod credential;
pub mod division;
pub mod grid;
pub mod grid_worker;
pub mod idempotency_key;
pub mod login_failure;
pub mod reference_data;
pub mod register_due;
pub mod register_history;
pub mod register_record;
pub mod register_visit;
pub mod server_node;
pub mod todo_mark;
pub mod unit;
pub mod user;
