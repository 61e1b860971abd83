//! The audit chain: an append-only log of every write, each entry hashed with the one before, and
//! a one-row head (last sequence number and hash) that writers lock to append in order.

use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("audit_log")
                .if_not_exists()
                .col(big_integer("seq").primary_key())
                .col(timestamp_with_time_zone("at"))
                .col(string("actor"))
                .col(string("action"))
                .col(string("target"))
                .col(text("detail"))
                .col(string("prev_hash"))
                .col(string("hash"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("audit_head")
                .if_not_exists()
                .col(integer("id").primary_key())
                .col(big_integer("seq"))
                .col(string("hash"))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '{}')",
                shanzhi_domain::audit::GENESIS
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["audit_head", "audit_log"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
