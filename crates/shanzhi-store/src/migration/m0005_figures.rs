//! Figures kept incrementally: one row per (kind, month, area, unit, type) with the base counts
//! of the assessment, updated in the same transaction as the case action that changes them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The counters, frozen as of this migration (later counters come with later migrations).
pub const COUNTERS: [&str; 20] = [
    "reported",
    "filed",
    "filed_public",
    "dispatched",
    "due",
    "handled",
    "handled_on_time",
    "closed",
    "closed_on_time",
    "rework",
    "overdue_steps",
    "extensions",
    "suspended",
    "returned",
    "voided",
    "rejected",
    "self_handled",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("figures")
            .if_not_exists()
            .col(string("county_code"))
            .col(string("kind"))
            .col(string("period"))
            .col(string("area"))
            .col(string("unit"))
            .col(string("type_code"));
        for c in COUNTERS {
            t.col(big_integer(c).default(0));
        }
        t.primary_key(Index::create().col("kind").col("period").col("area").col("unit").col("type_code"));
        m.create_table(t.to_owned()).await?;
        m.create_index(
            Index::create()
                .name("ix_figures_area_period")
                .table("figures")
                .col("area")
                .col("period")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_figures_unit_period")
                .table("figures")
                .col("unit")
                .col("period")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("figures").if_exists().to_owned()).await
    }
}
