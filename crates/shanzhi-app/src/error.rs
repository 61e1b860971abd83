//! The application's error: what the store said, plus refusals the use cases make.

use shanzhi_domain::places::geojson::FeatureProblem;
use shanzhi_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AppError {
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// A well-formed value naming something the registers in force do not hold (a unit, an
    /// area, a type, an account): the field names it.
    #[error("{field}: {message}")]
    Unknown { field: String, message: String },
    /// An idempotency key sent again with a different request: the first answer belongs to
    /// another request, and nothing was done.
    #[error("idempotency key reused: {0}")]
    KeyReused(String),
    #[error("the file was rejected: {} problem(s)", problems.len())]
    Rejected { problems: Vec<FeatureProblem> },
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// Too many failed logins: the account is locked for a while.
    #[error("locked: {0}")]
    Locked(String),
    #[error("refused: {0}")]
    Refused(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Busy with something that ends by itself (a search index being rebuilt): try again later.
    /// Unlike `Unavailable`, the message is shown.
    #[error("busy: {0}")]
    Busy(String),
    #[error("internal error: {0}")]
    Internal(String),
    /// An error whose message also exists in Chinese (a workflow refusal): the answer carries
    /// both, and the console shows the one of its language.
    #[error("{error}")]
    Translated { zh: String, error: Box<AppError> },
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid { field: field.to_string(), message: message.into() }
    }

    pub fn internal(e: impl std::fmt::Display) -> AppError {
        AppError::Internal(e.to_string())
    }

    /// A value naming what the registers do not hold, said in both languages.
    pub fn unknown(field: &str, message: shanzhi_domain::text::Bilingual) -> AppError {
        AppError::Unknown { field: field.to_string(), message: message.en }.with_zh(message.zh)
    }

    /// A bad field whose message is said in both languages.
    pub fn invalid_in(field: &str, message: shanzhi_domain::text::Bilingual) -> AppError {
        AppError::invalid(field, message.en).with_zh(message.zh)
    }

    /// This error with its message in Chinese beside it.
    pub fn with_zh(self, zh: impl Into<String>) -> AppError {
        AppError::Translated { zh: zh.into(), error: Box::new(self) }
    }

    /// The error with the field it names renamed by `rename` (where it gives a new name): how an
    /// interface that names fields its own way (Open311's `attribute[...]`) reports ours.
    pub fn renamed_field(self, rename: impl Fn(&str) -> Option<String>) -> AppError {
        match self {
            AppError::Invalid { field, message } => {
                AppError::Invalid { field: rename(&field).unwrap_or(field), message }
            }
            AppError::Translated { zh, error } => {
                AppError::Translated { zh, error: Box::new(error.renamed_field(rename)) }
            }
            e => e,
        }
    }

    /// The error itself, without its translation (for callers that match on the kind).
    pub fn untranslated(self) -> AppError {
        match self {
            AppError::Translated { error, .. } => error.untranslated(),
            e => e,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => AppError::NotFound { what },
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Unavailable(m) => AppError::Unavailable(m),
            StoreError::Corrupt(m) => AppError::Internal(m),
        }
    }
}

/// An error's message in English and in Chinese (the English again when it has none).
pub(crate) fn messages(e: &AppError) -> (String, String) {
    match e {
        AppError::Translated { zh, error } => (error.to_string(), zh.clone()),
        other => (other.to_string(), other.to_string()),
    }
}
