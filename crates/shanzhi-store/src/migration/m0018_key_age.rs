//! Idempotency keys by age: the answers kept for retries are forgotten after a retention period
//! (`idempotency_days`), and the purge finds the old ones by this index.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("ix_idempotency_keys_created_at")
                .table("idempotency_keys")
                .col("created_at")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_idempotency_keys_created_at").table("idempotency_keys").to_owned()).await
    }
}
