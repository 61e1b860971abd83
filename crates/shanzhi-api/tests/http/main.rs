//! Every HTTP suite of the API in one test binary (one link instead of thirteen, and the tests
//! of all suites share the two cores), each through the real router on SQLite and PostgreSQL:
//! the API's basics and OpenAPI document (`api`), accounts and API keys (`auth`), data scopes
//! (`scope`), Open311 (`open311`), attachments (`attachments`), the live event stream (`events`),
//! search (`search`), the workflow scenarios (`scenarios`), a year of demo history (`history`),
//! and the console's server side: administration (`admin`), the command centre (`command`),
//! dashboards (`dashboards`) and the resident's follow code (`follow`); and a kind of work that
//! exists only as a file (`kinds`).

mod support;

mod admin;
mod api;
mod attachments;
mod auth;
mod command;
mod dashboards;
mod events;
mod follow;
mod hardening;
mod history;
mod kinds;
mod open311;
mod registers;
mod scenarios;
mod scope;
mod search;
mod todo;
mod urging;
