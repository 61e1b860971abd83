//! `todo_marks`: when an account last opened each of its to-do lists (`list`: `kind:state:whose`),
//! so the lists can say what is new since: the cases with a log entry after the mark.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("todo_marks")
                .if_not_exists()
                .col(string("username"))
                .col(string("list"))
                .col(timestamp_with_time_zone("seen_at"))
                .primary_key(Index::create().col("username").col("list"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("todo_marks").to_owned()).await
    }
}
