//! Every unit a case was ever assigned (primary or assisting) or summoned to: a department's data
//! scope ("what was dispatched to it") is a lookup here, kept in the transaction that saves the
//! case. Existing cases get their present primary unit.

use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("case_units")
                .if_not_exists()
                .col(string("unit"))
                .col(string("county_code"))
                .col(big_integer("case_id"))
                .primary_key(Index::create().col("unit").col("county_code").col("case_id"))
                .to_owned(),
        )
        .await?;
        // A resident's or device's own reports are read by reporter.
        m.create_index(
            Index::create().name("ix_cases_reporter").table("cases").col("reporter").if_not_exists().to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO case_units (unit, county_code, case_id) \
                 SELECT primary_unit, county_code, id FROM cases WHERE primary_unit IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_cases_reporter").table("cases").to_owned()).await?;
        m.drop_table(Table::drop().table("case_units").if_exists().to_owned()).await
    }
}
