//! Server processes: each one that opens the store takes the next number here, and the low bits
//! of that number go into every case id it makes, so two servers on one database never make the
//! same id.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("server_nodes")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(string("host"))
                .col(timestamp_with_time_zone("started_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("server_nodes").if_exists().to_owned()).await
    }
}
