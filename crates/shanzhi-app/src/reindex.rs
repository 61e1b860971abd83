//! Rebuilding the full-text index while the server runs (`POST /api/v1/admin/search/reindex`):
//! started by the city's administrator, run in the background with its progress kept for the
//! page to show, searches answering "busy" meanwhile. The index is this process's own, so on a
//! cluster each server rebuilds its index when asked through it.

use chrono::{DateTime, Utc};

use crate::admin::require_admin;
use crate::auth::Caller;
use crate::{App, AppError};

/// How the last rebuild went, or how far the running one is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rebuild {
    pub running: bool,
    /// Who started it, and when.
    pub by: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    /// Cases indexed so far, of how many.
    pub done: u64,
    pub total: u64,
    pub finished_at: Option<DateTime<Utc>>,
    /// Why it failed, if it did (the index is then built again by the next search).
    pub error: Option<String>,
}

impl Rebuild {
    /// `Busy` while a rebuild runs.
    pub(crate) fn refuse_while_running(&self) -> Result<(), AppError> {
        if !self.running {
            return Ok(());
        }
        let (done, total) = (self.done, self.total);
        Err(AppError::Busy(format!(
            "the search index is being rebuilt ({done} of {total} cases): search again in a few minutes"
        ))
        .with_zh(format!("全文索引正在重建（已完成 {done} / {total} 件），请几分钟后再检索")))
    }
}

impl App {
    /// How the index's last rebuild went, or how far the running one is.
    pub fn search_rebuild(&self, caller: &Caller) -> Result<Rebuild, AppError> {
        require_admin(caller)?;
        Ok(self.search()?.rebuild.lock().expect("rebuild lock").clone())
    }

    /// Starts rebuilding the index from every case, in the background (audited
    /// `search.reindex`); a rebuild already running is a conflict.
    pub async fn start_search_rebuild(&self, caller: &Caller) -> Result<Rebuild, AppError> {
        require_admin(caller)?;
        let now = self.clock().now();
        let (started, before) = {
            let mut state = self.search()?.rebuild.lock().expect("rebuild lock");
            if state.running {
                return Err(AppError::Conflict(format!(
                    "a rebuild started by {} is running ({} of {} cases)",
                    state.by.as_deref().unwrap_or("?"),
                    state.done,
                    state.total
                ))
                .with_zh("全文索引正在重建，请等它完成"));
            }
            let before = state.clone();
            *state = Rebuild {
                running: true,
                by: Some(caller.actor.user.clone()),
                started_at: Some(now),
                ..Rebuild::default()
            };
            (state.clone(), before)
        };
        if let Err(e) = self.audit(&caller.actor.user, "search.reindex", "search", "started").await {
            // Not started: the record of the last rebuild stays as it was.
            *self.search()?.rebuild.lock().expect("rebuild lock") = before;
            return Err(e);
        }
        let app = self.clone();
        tokio::spawn(async move {
            // The work in a task of its own: should it panic, the rebuild still ends, as failed,
            // instead of leaving every search "busy" until the server restarts.
            let worker = app.clone();
            let clock = std::time::Instant::now();
            let result = match tokio::spawn(async move { worker.run_search_rebuild().await }).await {
                Ok(r) => r,
                Err(e) => Err(AppError::internal(format!("the rebuild stopped: {e}"))),
            };
            app.finish_search_rebuild(result, clock);
        });
        Ok(started)
    }

    async fn run_search_rebuild(&self) -> Result<u64, AppError> {
        let search = self.search()?;
        let progress = |done: u64, total: u64| {
            let mut state = search.rebuild.lock().expect("rebuild lock");
            (state.done, state.total) = (done, total);
        };
        let n = self.rebuild_search(progress).await?;
        Ok(n + self.catch_up_search().await?)
    }

    fn finish_search_rebuild(&self, result: Result<u64, AppError>, clock: std::time::Instant) {
        let Ok(search) = self.search() else { return };
        let mut state = search.rebuild.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        state.running = false;
        state.finished_at = Some(self.clock().now());
        match result {
            Ok(n) => tracing::info!(cases = n, seconds = clock.elapsed().as_secs_f64(), "search index rebuilt"),
            Err(e) => {
                tracing::error!(error = %e, "the search index could not be rebuilt");
                state.error = Some(e.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_are_told_how_far_a_running_rebuild_is() {
        assert!(Rebuild::default().refuse_while_running().is_ok());
        let running = Rebuild { running: true, done: 3000, total: 9000, ..Rebuild::default() };
        match running.refuse_while_running() {
            Err(AppError::Translated { zh, error }) => {
                assert!(zh.contains("3000 / 9000"), "{zh}");
                assert!(matches!(*error, AppError::Busy(ref m) if m.contains("3000 of 9000")), "{error:?}");
            }
            other => panic!("{other:?}"),
        }
    }
}
