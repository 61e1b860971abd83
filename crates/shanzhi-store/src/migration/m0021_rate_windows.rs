//! `rate_windows`: requests counted per (bucket, client address, one-minute window) when the rate
//! limits are shared between servers through the database (`[limits] shared = true`). The table
//! holds about a minute of clients (older windows are deleted as the next begins), so it has no
//! index but its key: the deletion's scan is small, and every hit is one write fewer.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("rate_windows")
                .if_not_exists()
                .col(string("bucket"))
                .col(string("client"))
                .col(big_integer("window_start"))
                .col(integer("hits").default(0))
                .primary_key(Index::create().col("bucket").col("client").col("window_start"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("rate_windows").to_owned()).await
    }
}
