//! Accounts as the administrator sees them: users listed with filters and pages, created,
//! changed and disabled, each with whether it has a password and is locked. The active accounts
//! the application caches come from `load_users` (disabled ones are left out there).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::LikeExpr;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use shanzhi_domain::audit::AuditEvent;
use shanzhi_domain::people::{Role, User};

use crate::accounts::{credential_row, credential_upsert, revoke_tokens};
use crate::entity::{credential, user};
use crate::{Result, Store, StoreError};

/// A user as the administration pages list it.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    pub user: User,
    pub disabled_at: Option<DateTime<Utc>>,
    pub has_password: bool,
    pub locked_until: Option<DateTime<Utc>>,
}

/// Which users to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserQuery {
    /// Part of the username or the display name.
    pub text: Option<String>,
    pub role: Option<Role>,
    /// Units in this area (a division code: the unit id starts with it) or this exact unit id.
    pub unit: Option<String>,
    /// Only disabled (true) or only active (false) accounts.
    pub disabled: Option<bool>,
    pub offset: u64,
    pub limit: u64,
}

/// A LIKE pattern that matches `text` literally: at the start (`prefix_only`) or anywhere.
pub(crate) fn like_part(text: &str, prefix_only: bool) -> LikeExpr {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let pattern = if prefix_only { format!("{escaped}%") } else { format!("%{escaped}%") };
    LikeExpr::new(pattern).escape('\\')
}

/// An extra data scope as the `users.extra_scope` column holds it.
pub(crate) fn scope_text(extra: &[String]) -> String {
    extra.join(" ")
}

pub(crate) fn decode_user(m: user::Model) -> Result<(User, Option<DateTime<Utc>>)> {
    let role =
        Role::parse(&m.role).ok_or_else(|| StoreError::Corrupt(format!("user {}: role `{}`", m.username, m.role)))?;
    let extra_scope = m.extra_scope.split_whitespace().map(str::to_string).collect();
    let user = User { username: m.username, display_name: m.display_name, role, unit: m.unit_id, extra_scope };
    Ok((user, m.disabled_at))
}

impl Store {
    /// A page of users in username order, and how many match in all.
    pub async fn user_rows(&self, q: &UserQuery) -> Result<(Vec<UserRow>, u64)> {
        let mut cond = Condition::all();
        if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            cond = cond.add(
                Condition::any().add(user::Column::Username.like(like_part(&text.to_lowercase(), false))).add(
                    Expr::expr(Func::lower(Expr::col(user::Column::DisplayName)))
                        .like(like_part(&text.to_lowercase(), false)),
                ),
            );
        }
        if let Some(role) = q.role {
            cond = cond.add(user::Column::Role.eq(role.as_str()));
        }
        if let Some(unit) = q.unit.as_deref().filter(|u| !u.is_empty()) {
            cond = cond.add(if unit.contains(':') {
                user::Column::UnitId.eq(unit)
            } else {
                user::Column::UnitId.like(like_part(unit, true))
            });
        }
        match q.disabled {
            Some(true) => cond = cond.add(user::Column::DisabledAt.is_not_null()),
            Some(false) => cond = cond.add(user::Column::DisabledAt.is_null()),
            None => {}
        }
        let query = user::Entity::find().filter(cond);
        let total = query.clone().count(self.db()).await?;
        let rows = query.order_by_asc(user::Column::Username).offset(q.offset).limit(q.limit).all(self.db()).await?;
        Ok((self.with_credentials(rows).await?, total))
    }

    /// One user, active or disabled.
    pub async fn user_row(&self, username: &str) -> Result<Option<UserRow>> {
        let rows = user::Entity::find_by_id(username.to_string()).all(self.db()).await?;
        Ok(self.with_credentials(rows).await?.pop())
    }

    async fn with_credentials(&self, rows: Vec<user::Model>) -> Result<Vec<UserRow>> {
        let names: Vec<String> = rows.iter().map(|m| m.username.clone()).collect();
        let locks = self.locks_of(&names).await?;
        let creds: std::collections::HashMap<String, Option<DateTime<Utc>>> = credential::Entity::find()
            .filter(credential::Column::Username.is_in(names))
            .all(self.db())
            .await?
            .into_iter()
            .map(|c| {
                let lock = locks.get(&c.username).copied();
                (c.username, lock)
            })
            .collect();
        rows.into_iter()
            .map(|m| {
                let (user, disabled_at) = decode_user(m)?;
                let cred = creds.get(&user.username);
                Ok(UserRow { has_password: cred.is_some(), locked_until: cred.copied().flatten(), user, disabled_at })
            })
            .collect()
    }

    /// Adds an account, with its first password if given, and its audit entry: all or nothing.
    /// `Conflict` if the name is taken (by an active or a disabled account).
    pub async fn create_account(
        &self,
        u: &User,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<()> {
        let txn = self.db().begin().await?;
        let row = user::ActiveModel {
            username: Set(u.username.clone()),
            display_name: Set(u.display_name.clone()),
            role: Set(u.role.as_str().to_string()),
            unit_id: Set(u.unit.clone()),
            disabled_at: Set(None),
            extra_scope: Set(scope_text(&u.extra_scope)),
        };
        user::Entity::insert(row).exec(&txn).await.map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("the username `{}` is taken", u.username)),
            other => other,
        })?;
        if let Some(hash) = password_hash {
            credential::Entity::insert(credential_row(&u.username, hash, now))
                .on_conflict(credential_upsert())
                .exec_without_returning(&txn)
                .await?;
        }
        crate::audit::append(&txn, vec![audit]).await?;
        txn.commit().await?;
        Ok(())
    }

    /// An administrator's change to one account, written whole in one transaction with its audit
    /// entries; answers how many logins it ended.
    pub async fn change_account(&self, c: &AccountChange, now: DateTime<Utc>) -> Result<u64> {
        let txn = self.db().begin().await?;
        let mut update = user::Entity::update_many().filter(user::Column::Username.eq(c.username.clone()));
        if let Some(v) = &c.display_name {
            update = update.col_expr(user::Column::DisplayName, v.clone().into());
        }
        if let Some(v) = c.role {
            update = update.col_expr(user::Column::Role, v.as_str().into());
        }
        if let Some(v) = &c.unit {
            update = update.col_expr(user::Column::UnitId, v.clone().into());
        }
        if let Some(v) = c.disabled {
            update = update.col_expr(user::Column::DisabledAt, v.into());
        }
        if let Some(v) = &c.extra_scope {
            update = update.col_expr(user::Column::ExtraScope, scope_text(v).into());
        }
        // The user's own name, written again when nothing else changes: it proves the account exists.
        update = update.col_expr(user::Column::Username, c.username.clone().into());
        if update.exec(&txn).await?.rows_affected == 0 {
            return Err(StoreError::NotFound(format!("user {}", c.username)));
        }
        if let Some(hash) = &c.password_hash {
            credential::Entity::insert(credential_row(&c.username, hash, now))
                .on_conflict(credential_upsert())
                .exec_without_returning(&txn)
                .await?;
        }
        let ended = match &c.end_logins {
            Some(keep) => revoke_tokens(&txn, &c.username, keep.as_deref(), now).await?,
            None => 0,
        };
        crate::audit::append(&txn, c.audit.clone()).await?;
        txn.commit().await?;
        Ok(ended)
    }
}

/// What an administrator changes about one account (absent: unchanged).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountChange {
    pub username: String,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub unit: Option<String>,
    /// Disabled from then (`Some(Some(t))`) or enabled again (`Some(None)`).
    pub disabled: Option<Option<DateTime<Utc>>>,
    /// A new extra data scope (empty: none).
    pub extra_scope: Option<Vec<String>>,
    /// A new password (its hash).
    pub password_hash: Option<String>,
    /// End the account's logins, but the one whose token hash is given.
    pub end_logins: Option<Option<String>>,
    pub audit: Vec<AuditEvent>,
}
