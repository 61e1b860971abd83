//! The migrations, backend-agnostic (SeaQuery DDL), applied in order on SQLite and PostgreSQL.

mod m0001_places;
mod m0002_cases;
mod m0003_sweep;
mod m0004_duplicates;
mod m0005_figures;
mod m0006_duplicate_index;

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
        ]
    }
}
