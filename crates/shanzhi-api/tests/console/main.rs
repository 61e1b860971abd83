//! The console's server side in one test binary (one link instead of three): the command centre
//! (`command`), the dashboards (`dashboards`) and the resident's follow code (`follow`), each on
//! SQLite and PostgreSQL.

#[path = "../support/mod.rs"]
mod support;

mod command;
mod dashboards;
mod follow;
