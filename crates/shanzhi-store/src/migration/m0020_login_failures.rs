//! `login_failures`: failed logins per name and client address (and per name from all addresses,
//! address `*`), with the lock and its backoff. Counted for any name tried, known or not, so the
//! answers never tell which accounts exist; the per-account columns of `credentials` are no
//! longer used for locking.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("login_failures")
                .if_not_exists()
                .col(string("username"))
                .col(string("address"))
                .col(integer("failures").default(0))
                .col(integer("locks").default(0))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("username").col("address"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_login_failures_updated")
                .table("login_failures")
                .col("updated_at")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("login_failures").to_owned()).await
    }
}
