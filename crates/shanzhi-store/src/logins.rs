//! Failed logins per name and client address (`login_failures`): read before a login, written
//! after it, cleared by a successful login or an administrator, forgotten when old.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use shanzhi_domain::accounts::LoginState;

use crate::entity::login_failure;
use crate::{Result, Store};

/// The address under which failures from every address are counted together.
pub const ALL_ADDRESSES: &str = "*";

impl Store {
    /// The failures counted for `username` from each of `addresses` (absent: none).
    pub async fn login_states(&self, username: &str, addresses: &[&str]) -> Result<HashMap<String, LoginState>> {
        let rows = login_failure::Entity::find()
            .filter(login_failure::Column::Username.eq(username))
            .filter(login_failure::Column::Address.is_in(addresses.iter().map(|a| a.to_string())))
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| {
                let state = LoginState {
                    failures: m.failures.max(0) as u32,
                    locked_until: m.locked_until,
                    locks: m.locks.max(0) as u32,
                };
                (m.address, state)
            })
            .collect())
    }

    /// Stores the failures counted for `username` from each address.
    pub async fn set_login_states(
        &self,
        username: &str,
        states: &[(&str, LoginState)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let rows = states.iter().map(|(address, s)| login_failure::ActiveModel {
            username: Set(username.to_string()),
            address: Set(address.to_string()),
            failures: Set(s.failures.min(i32::MAX as u32) as i32),
            locks: Set(s.locks.min(i32::MAX as u32) as i32),
            locked_until: Set(s.locked_until),
            updated_at: Set(now),
        });
        login_failure::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([login_failure::Column::Username, login_failure::Column::Address])
                    .update_columns([
                        login_failure::Column::Failures,
                        login_failure::Column::Locks,
                        login_failure::Column::LockedUntil,
                        login_failure::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(self.db())
            .await?;
        Ok(())
    }

    /// Forgets the failures counted for `username` from these addresses (a successful login:
    /// its own address and the count from all; the other addresses' locks run out by themselves,
    /// so that no one can tell from afar that the name logged in).
    pub async fn clear_login_failures_from(&self, username: &str, addresses: &[&str]) -> Result<u64> {
        let done = login_failure::Entity::delete_many()
            .filter(login_failure::Column::Username.eq(username))
            .filter(login_failure::Column::Address.is_in(addresses.iter().map(|a| a.to_string())))
            .exec(self.db())
            .await?;
        Ok(done.rows_affected)
    }

    /// Forgets every failure and lock of `username` (an administrator's unlock, a new
    /// password); answers how many entries there were.
    pub async fn clear_login_failures(&self, username: &str) -> Result<u64> {
        let done = login_failure::Entity::delete_many()
            .filter(login_failure::Column::Username.eq(username))
            .exec(self.db())
            .await?;
        Ok(done.rows_affected)
    }

    /// Forgets entries untouched since `before` whose lock (if any) has run out by then: names
    /// tried once and never again do not pile up.
    pub async fn forget_login_failures(&self, before: DateTime<Utc>) -> Result<u64> {
        let done = login_failure::Entity::delete_many()
            .filter(login_failure::Column::UpdatedAt.lt(before))
            .filter(
                sea_orm::Condition::any()
                    .add(login_failure::Column::LockedUntil.is_null())
                    .add(login_failure::Column::LockedUntil.lt(before)),
            )
            .exec(self.db())
            .await?;
        Ok(done.rows_affected)
    }

    /// When each of these accounts is locked until, from any address (the latest lock).
    pub async fn locks_of(&self, usernames: &[String]) -> Result<HashMap<String, DateTime<Utc>>> {
        let mut out: HashMap<String, DateTime<Utc>> = HashMap::new();
        for chunk in usernames.chunks(500) {
            let rows = login_failure::Entity::find()
                .filter(login_failure::Column::Username.is_in(chunk.iter().cloned()))
                .filter(login_failure::Column::LockedUntil.is_not_null())
                .all(self.db())
                .await?;
            for m in rows {
                if let Some(t) = m.locked_until {
                    let e = out.entry(m.username).or_insert(t);
                    *e = (*e).max(t);
                }
            }
        }
        Ok(out)
    }
}
