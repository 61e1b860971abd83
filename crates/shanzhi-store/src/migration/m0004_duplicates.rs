//! Where each case is (WGS-84), and an index on (type, reported_at), so that likely duplicates
//! are found among recent cases of one type in a small box.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("cases").add_column(double_null("lon")).to_owned()).await?;
        m.alter_table(Table::alter().table("cases").add_column(double_null("lat")).to_owned()).await?;
        m.create_index(
            Index::create()
                .name("ix_cases_type_code_reported_at")
                .table("cases")
                .col("type_code")
                .col("reported_at")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_cases_type_code_reported_at").table("cases").to_owned()).await?;
        m.alter_table(Table::alter().table("cases").drop_column("lat").to_owned()).await?;
        m.alter_table(Table::alter().table("cases").drop_column("lon").to_owned()).await
    }
}
