//! The `users` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: String,
    /// When an administrator disabled the account (none: it is active).
    pub disabled_at: Option<DateTimeUtc>,
    /// The account's extra data scope: division codes and unit ids, space-separated.
    pub extra_scope: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
