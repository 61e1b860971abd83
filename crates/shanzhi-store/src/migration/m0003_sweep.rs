//! The sweep's index: when each case next needs the deadline sweep (a pending summons or a step
//! deadline not yet noted), so the sweep reads only what is due.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("cases").add_column(timestamp_with_time_zone_null("sweep_at")).to_owned())
            .await?;
        m.create_index(
            Index::create().name("ix_cases_sweep_at").table("cases").col("sweep_at").if_not_exists().to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_cases_sweep_at").table("cases").to_owned()).await?;
        m.alter_table(Table::alter().table("cases").drop_column("sweep_at").to_owned()).await
    }
}
