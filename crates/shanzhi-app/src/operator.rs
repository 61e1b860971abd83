//! What the operator's command line and the health check read and do outside any login: the
//! database's health, the accounts and which have no password yet, the API keys, the audit chain,
//! the versions of reference data, the data key, and clearing the cases before a demo reload.
//! Everything else reaches the store through the use cases, which apply the caller's data scope;
//! the store itself is not reachable from outside this crate (only with the `testing` feature).

use shanzhi_domain::audit::AuditEntry;
use shanzhi_domain::people::User;
use shanzhi_store::{ApiKeyRecord, AuditReport, ReferenceKind, ReferenceVersion};

use crate::{App, AppError};

impl App {
    /// Whether the database answers, and which it is (`sqlite` or `postgres`).
    pub async fn health(&self) -> Result<&'static str, AppError> {
        self.store().ping().await?;
        Ok(self.store().backend())
    }

    /// Every account, as stored.
    pub async fn all_users(&self) -> Result<Vec<User>, AppError> {
        Ok(self.store().load_users().await?)
    }

    /// The accounts that have no password yet.
    pub async fn users_without_password(&self) -> Result<Vec<String>, AppError> {
        let mut missing = Vec::new();
        for u in self.store().load_users().await? {
            if self.store().credential(&u.username).await?.is_none() {
                missing.push(u.username);
            }
        }
        Ok(missing)
    }

    /// The API keys (their names, owners and scopes; never the keys).
    pub async fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, AppError> {
        Ok(self.store().api_keys().await?)
    }

    /// Checks the audit chain from its first entry, reporting progress.
    pub async fn verify_audit(&self, progress: impl FnMut(i64)) -> Result<AuditReport, AppError> {
        Ok(self.store().verify_audit(progress).await?)
    }

    /// The latest audit entries.
    pub async fn audit_tail(&self, limit: u64) -> Result<Vec<AuditEntry>, AppError> {
        Ok(self.store().audit_tail(limit).await?)
    }

    /// The case kinds with a stored workflow.
    pub async fn workflow_kinds(&self) -> Result<Vec<String>, AppError> {
        Ok(self.store().workflow_kinds().await?)
    }

    /// The registers with a version in force (the shipped ones and those a city added).
    pub async fn register_keys(&self) -> Result<Vec<String>, AppError> {
        Ok(self.store().register_keys().await?)
    }

    /// Every stored version of one kind of reference data.
    pub async fn references(&self, kind: ReferenceKind) -> Result<Vec<ReferenceVersion>, AppError> {
        Ok(self.store().references(kind).await?)
    }

    /// The id of the key that seals personal data, if one is set.
    pub fn data_key_id(&self) -> Option<&str> {
        self.store().data_key_id()
    }

    /// Deletes every case, log entry, figure and idempotency key (before a demo reload).
    pub async fn clear_cases(&self) -> Result<(), AppError> {
        Ok(self.store().delete_all_cases().await?)
    }
}
