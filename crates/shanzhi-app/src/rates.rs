//! Rate limits shared by every server on one database: requests counted per (bucket, client
//! address) in fixed one-minute windows of the application's clock, in the store. The API's
//! limiter uses it when `[limits] shared = true`; otherwise each server counts on its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::{App, AppError};

/// The length of a window, in seconds.
const WINDOW_SECS: i64 = 60;

/// Counts requests in the database for one server; clones share the note of the last cleanup.
#[derive(Clone)]
pub struct SharedRates {
    app: App,
    /// The window this server last deleted older windows at (once per window and server).
    cleaned: Arc<AtomicI64>,
}

impl SharedRates {
    pub fn new(app: App) -> SharedRates {
        SharedRates { app, cleaned: Arc::new(AtomicI64::new(i64::MIN)) }
    }

    /// Counts one request of `client` under `bucket` (`login`, `report`); `Some(seconds to wait,
    /// at least 1)` when it is over `per_minute`, counted by every server on the database.
    pub async fn hit(&self, bucket: &str, client: &str, per_minute: u32) -> Result<Option<u64>, AppError> {
        let now = self.app.clock().now().timestamp();
        let start = now - now.rem_euclid(WINDOW_SECS);
        if self.cleaned.swap(start, Ordering::Relaxed) != start {
            self.app.store().forget_rate_windows(start).await?;
        }
        let hits = self.app.store().count_rate_hit(bucket, client, start).await?;
        Ok((hits > i64::from(per_minute)).then(|| (start + WINDOW_SECS - now).max(1) as u64))
    }
}
