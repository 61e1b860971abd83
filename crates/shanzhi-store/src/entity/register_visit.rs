//! The `register_visits` table: a visit made to a record for one of its tags.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "register_visits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i32,
    pub tag: String,
    pub actor: String,
    pub at: ChronoDateTimeUtc,
    /// Made by the time it was due.
    pub on_time: bool,
    /// `{"note", "attachments"}` as JSON, sealed.
    #[sea_orm(column_type = "Text")]
    pub body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
