//! The migrations, backend-agnostic (SeaQuery DDL), applied in order on SQLite and PostgreSQL.

mod m0001_places;
mod m0002_cases;
mod m0003_sweep;
mod m0004_duplicates;
mod m0005_figures;
mod m0006_duplicate_index;
mod m0007_lean_indexes;
mod m0008_server_nodes;
mod m0009_accounts;
mod m0010_case_units;
mod m0011_audit;
mod m0012_log_time;
mod m0013_attachments;
mod m0014_log_position;
pub(crate) mod m0015_summons;
mod m0016_user_admin;
mod m0017_log_figures;
mod m0018_key_age;
mod m0019_user_scope;
mod m0020_login_failures;
mod m0021_rate_windows;
pub(crate) mod m0022_case_fields;
mod m0023_short_codes;
mod m0024_todo_marks;
mod m0025_registers;
mod m0026_register_visits;

use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_places::Migration),
            Box::new(m0002_cases::Migration),
            Box::new(m0003_sweep::Migration),
            Box::new(m0004_duplicates::Migration),
            Box::new(m0005_figures::Migration),
            Box::new(m0006_duplicate_index::Migration),
            Box::new(m0007_lean_indexes::Migration),
            Box::new(m0008_server_nodes::Migration),
            Box::new(m0009_accounts::Migration),
            Box::new(m0010_case_units::Migration),
            Box::new(m0011_audit::Migration),
            Box::new(m0012_log_time::Migration),
            Box::new(m0013_attachments::Migration),
            Box::new(m0014_log_position::Migration),
            Box::new(m0015_summons::Migration),
            Box::new(m0016_user_admin::Migration),
            Box::new(m0017_log_figures::Migration),
            Box::new(m0018_key_age::Migration),
            Box::new(m0019_user_scope::Migration),
            Box::new(m0020_login_failures::Migration),
            Box::new(m0021_rate_windows::Migration),
            Box::new(m0022_case_fields::Migration),
            Box::new(m0023_short_codes::Migration),
            Box::new(m0024_todo_marks::Migration),
            Box::new(m0025_registers::Migration),
            Box::new(m0026_register_visits::Migration),
        ]
    }
}

#[cfg(test)]
mod tests {
    /// The figures table's counter columns (frozen in its migration) are the domain's counters.
    #[test]
    fn the_figure_columns_are_the_domain_counters() {
        assert_eq!(&super::m0005_figures::COUNTERS[..], shanzhi_domain::cases::figures::Counters::FIELDS);
    }
}
