//! The `register_history` table: every version of a register record, who made it and when.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "register_history")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    /// `create`, `update`, `remove` or `restore`.
    pub action: String,
    pub actor: String,
    pub at: ChronoDateTimeUtc,
    /// The record's body after the change (as `register_records.body`), sealed.
    #[sea_orm(column_type = "Text")]
    pub body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
