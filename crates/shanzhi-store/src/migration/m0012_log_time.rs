//! The case log by time: Open311 clients (FixMyStreet's `servicerequestupdates`) ask for the
//! updates of a time window.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(Index::create().name("ix_case_log_at").table("case_log").col("at").if_not_exists().to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_case_log_at").table("case_log").to_owned()).await
    }
}
