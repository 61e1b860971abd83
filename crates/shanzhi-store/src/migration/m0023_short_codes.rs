//! `short_code_hash` on cases: the hash of a case's short follow code (查询码, domain
//! `cases::short_code`), by which a resident finds the case without an account; unique, so two
//! cases never answer one code. Cases stored before it (the demo's history too) have none: the
//! code is given at report time, never made up later, and the column is simply empty for them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("cases").add_column(string_null("short_code_hash")).to_owned()).await?;
        // Empty for most stored cases: both databases let a unique index hold any number of NULLs.
        m.create_index(
            Index::create()
                .name("ux_cases_short_code_hash")
                .table("cases")
                .col("short_code_hash")
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ux_cases_short_code_hash").table("cases").to_owned()).await?;
        m.alter_table(Table::alter().table("cases").drop_column("short_code_hash").to_owned()).await
    }
}
