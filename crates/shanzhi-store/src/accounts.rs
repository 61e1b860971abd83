//! Accounts in the database: password hashes and login state, login tokens and API keys (both
//! looked up by their SHA-256 hash, never stored in clear).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{api_key, auth_token, credential};
use crate::{Result, Store, StoreError};

/// A user's stored password. (Failed logins are counted per name and address in
/// `login_failures`; the `failures` and `locked_until` columns of `credentials` are no longer used.)
#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    pub password_hash: String,
}

/// A login token as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    pub username: String,
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
}

/// An API key as stored (without the key).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKeyRecord {
    pub name: String,
    pub username: String,
    pub scope: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_key::Model> for ApiKeyRecord {
    fn from(m: api_key::Model) -> Self {
        ApiKeyRecord {
            name: m.name,
            username: m.username,
            scope: m.scope,
            created_at: m.created_at,
            revoked_at: m.revoked_at,
        }
    }
}

/// A password as stored: a new hash with the login state cleared.
pub(crate) fn credential_row(username: &str, hash: &str, now: DateTime<Utc>) -> credential::ActiveModel {
    credential::ActiveModel {
        username: Set(username.to_string()),
        password_hash: Set(hash.to_string()),
        failures: Set(0),
        locked_until: Set(None),
        changed_at: Set(now),
    }
}

/// A password written over an earlier one.
pub(crate) fn credential_upsert() -> OnConflict {
    OnConflict::column(credential::Column::Username)
        .update_columns([
            credential::Column::PasswordHash,
            credential::Column::Failures,
            credential::Column::LockedUntil,
            credential::Column::ChangedAt,
        ])
        .to_owned()
}

/// Ends an account's logins, but the one with the hash `keep`; how many it ended.
pub(crate) async fn revoke_tokens(
    db: &impl sea_orm::ConnectionTrait,
    username: &str,
    keep: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let mut q = auth_token::Entity::update_many()
        .col_expr(auth_token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(auth_token::Column::Username.eq(username))
        .filter(auth_token::Column::RevokedAt.is_null());
    if let Some(k) = keep {
        q = q.filter(auth_token::Column::TokenHash.ne(k));
    }
    Ok(q.exec(db).await?.rows_affected)
}

impl Store {
    pub async fn credential(&self, username: &str) -> Result<Option<Credential>> {
        Ok(credential::Entity::find_by_id(username.to_string())
            .one(self.db())
            .await?
            .map(|m| Credential { password_hash: m.password_hash }))
    }

    /// Sets (or replaces) a password hash.
    pub async fn set_password(&self, username: &str, hash: &str, now: DateTime<Utc>) -> Result<()> {
        self.set_passwords(&[username], hash, now).await
    }

    /// Gives several users the same password hash (the demo accounts), in one statement per 500.
    pub async fn set_passwords(&self, usernames: &[&str], hash: &str, now: DateTime<Utc>) -> Result<()> {
        for chunk in usernames.chunks(500) {
            credential::Entity::insert_many(chunk.iter().map(|u| credential_row(u, hash, now)))
                .on_conflict(credential_upsert())
                .exec_without_returning(self.db())
                .await?;
        }
        Ok(())
    }

    pub async fn insert_token(
        &self,
        hash: &str,
        username: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<()> {
        auth_token::Entity::insert(auth_token::ActiveModel {
            token_hash: Set(hash.to_string()),
            username: Set(username.to_string()),
            created_at: Set(now),
            expires_at: Set(expires),
            revoked_at: Set(None),
        })
        .exec_without_returning(self.db())
        .await?;
        Ok(())
    }

    pub async fn token(&self, hash: &str) -> Result<Option<TokenRecord>> {
        Ok(auth_token::Entity::find_by_id(hash.to_string()).one(self.db()).await?.map(|m| TokenRecord {
            username: m.username,
            expires_at: m.expires_at,
            revoked: m.revoked_at.is_some(),
        }))
    }

    /// Revokes one token; returns whether it was live.
    pub async fn revoke_token(&self, hash: &str, now: DateTime<Utc>) -> Result<bool> {
        let r = auth_token::Entity::update_many()
            .col_expr(auth_token::Column::RevokedAt, Expr::value(Some(now)))
            .filter(auth_token::Column::TokenHash.eq(hash))
            .filter(auth_token::Column::RevokedAt.is_null())
            .exec(self.db())
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// Revokes every live token of a user (after a password change), but `keep`.
    pub async fn revoke_tokens_of(&self, username: &str, keep: Option<&str>, now: DateTime<Utc>) -> Result<u64> {
        revoke_tokens(self.db(), username, keep, now).await
    }

    /// Stores a new API key; a name already used is a `Conflict`.
    pub async fn insert_api_key(
        &self,
        name: &str,
        hash: &str,
        username: &str,
        scope: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if api_key::Entity::find_by_id(name.to_string()).one(self.db()).await?.is_some() {
            return Err(StoreError::Conflict(format!("an API key named `{name}` exists: choose another name")));
        }
        api_key::Entity::insert(api_key::ActiveModel {
            name: Set(name.to_string()),
            key_hash: Set(hash.to_string()),
            username: Set(username.to_string()),
            scope: Set(scope.to_string()),
            created_at: Set(now),
            revoked_at: Set(None),
        })
        .exec_without_returning(self.db())
        .await?;
        Ok(())
    }

    pub async fn api_key_by_hash(&self, hash: &str) -> Result<Option<ApiKeyRecord>> {
        Ok(api_key::Entity::find().filter(api_key::Column::KeyHash.eq(hash)).one(self.db()).await?.map(Into::into))
    }

    pub async fn api_keys(&self) -> Result<Vec<ApiKeyRecord>> {
        Ok(api_key::Entity::find()
            .order_by_asc(api_key::Column::Name)
            .all(self.db())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Revokes a key by name; `NotFound` if there is no live key of that name.
    pub async fn revoke_api_key(&self, name: &str, now: DateTime<Utc>) -> Result<()> {
        let r = api_key::Entity::update_many()
            .col_expr(api_key::Column::RevokedAt, Expr::value(Some(now)))
            .filter(api_key::Column::Name.eq(name))
            .filter(api_key::Column::RevokedAt.is_null())
            .exec(self.db())
            .await?;
        if r.rows_affected == 0 {
            return Err(StoreError::NotFound(format!("live API key `{name}`")));
        }
        Ok(())
    }
}
