//! Duplicate candidates are looked up by type and a small lon/lat box: index (type, lat, lon), so
//! the lookup reads the few cases near the point rather than every recent case of the type.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_cases_type_code_reported_at").table("cases").to_owned()).await?;
        m.create_index(
            Index::create()
                .name("ix_cases_type_code_lat_lon")
                .table("cases")
                .col("type_code")
                .col("lat")
                .col("lon")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_cases_type_code_lat_lon").table("cases").to_owned()).await?;
        m.create_index(
            Index::create()
                .name("ix_cases_type_code_reported_at")
                .table("cases")
                .col("type_code")
                .col("reported_at")
                .to_owned(),
        )
        .await
    }
}
