//! When each account last opened each of its to-do lists (`todo_marks`): read with the lists,
//! written when one is opened, so a list can say how many of its cases changed since.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::entity::todo_mark;
use crate::{Result, Store};

impl Store {
    /// The account's marks, by list key.
    pub async fn todo_marks(&self, username: &str) -> Result<HashMap<String, DateTime<Utc>>> {
        Ok(todo_mark::Entity::find()
            .filter(todo_mark::Column::Username.eq(username))
            .all(self.db())
            .await?
            .into_iter()
            .map(|m| (m.list, m.seen_at))
            .collect())
    }

    /// The account opened a list at `at`.
    pub async fn set_todo_mark(&self, username: &str, list: &str, at: DateTime<Utc>) -> Result<()> {
        let row = todo_mark::ActiveModel { username: Set(username.into()), list: Set(list.into()), seen_at: Set(at) };
        todo_mark::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([todo_mark::Column::Username, todo_mark::Column::List])
                    .update_columns([todo_mark::Column::SeenAt])
                    .to_owned(),
            )
            .exec_without_returning(self.db())
            .await?;
        Ok(())
    }
}
