//! The `reference_data` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reference_data")]
pub struct Model {
    /// `taxonomy`, `calendar` or `departments`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: String,
    /// The file as imported (TOML), kept whole so that old cases can be explained.
    pub source: String,
    pub imported_at: ChronoDateTimeUtc,
    pub is_current: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
