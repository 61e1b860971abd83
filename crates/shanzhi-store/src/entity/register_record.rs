//! The `register_records` table: one record of a register (a house, a person, a unit).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "register_records")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub register: String,
    pub county_code: String,
    pub grid_code: String,
    /// 1 for a new record, one more at each change (a change names the version it read).
    pub version: i32,
    /// `{"fields": …, "tags": […], "removed_reason"?}` as JSON, sealed.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// `,tag,tag,` (the record's tags, in the clear for lists).
    pub tags: String,
    /// `,key=value,` for each field its register declares `filter`.
    pub facets: String,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    pub removed_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
