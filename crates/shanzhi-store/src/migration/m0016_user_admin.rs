//! `disabled_at` on users: an administrator disables an account (staff who left) rather than
//! deleting it, so the audit log and the case logs keep naming someone who existed. A disabled
//! account cannot log in, and its tokens and API keys stop working.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("users").add_column(timestamp_with_time_zone_null("disabled_at")).to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("users").drop_column("disabled_at").to_owned()).await
    }
}
