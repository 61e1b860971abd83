//! Loading a year of case history into the demo: the demo's generator runs on a blocking thread
//! and streams finished cases in batches to the store, which writes each batch (cases, logs and
//! figures) in one transaction; progress is reported per batch.

use shanzhi_demo::history::{GeneratedCase, HistoryConfig, HistoryInput, generate_history};
use shanzhi_domain::cases::case::Case;
use shanzhi_domain::ids::Level;
use shanzhi_store::{History, StoredCase};

use crate::clock::IdGen;
use crate::demo::Progress;
use crate::{App, AppError, Reference};

/// Cases per transaction.
const BATCH: usize = 20_000;

fn stored(reference: &Reference, ids: &IdGen, g: GeneratedCase) -> History {
    let case: Case = g.case;
    let county = case
        .grid
        .as_ref()
        .and_then(|g| g.community().ancestor(Level::County))
        .map(|c| c.to_string())
        .unwrap_or_else(|| "000000".into());
    let yellow_at = case.clock.as_ref().and_then(|k| k.yellow_at(&reference.calendar).ok());
    let id = ids.next(case.reported_at);
    // A loaded history has no short follow code: no one was ever told one.
    History {
        stored: StoredCase { id, county, case, yellow_at, short_code_hash: None },
        log: g.log,
        counted: g.counted,
    }
}

impl App {
    /// The demo's year of history (`cases` cases): ending now, so that what is still open looks
    /// like a working day in the city rather than a backlog gone red since a fixed date; at the
    /// latest 60 days before the work calendar ends, so that its deadlines can be computed.
    pub fn demo_history(&self, cases: usize) -> HistoryConfig {
        let calendar_end = self.reference().calendar.valid_to() - chrono::Duration::days(60);
        let latest = calendar_end.and_hms_opt(16, 0, 0).map(|t| t.and_utc()).unwrap_or_default();
        HistoryConfig { cases, end: self.clock.now().min(latest), ..Default::default() }
    }

    /// Generates `cfg.cases` cases of history over the loaded demo places and stores them.
    /// Returns how many were stored.
    pub async fn load_history(&self, cfg: HistoryConfig, mut progress: Progress) -> Result<usize, AppError> {
        let reference = self.reference();
        let places = self.places();
        let users = self.store().load_users().await?;
        let total = cfg.cases;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<History>>(1);
        let gen_reference = reference.clone();
        let node = self.ids.node();
        let producer = tokio::task::spawn_blocking(move || {
            let r = gen_reference;
            let ids = IdGen::new(cfg.end - chrono::Duration::days(i64::from(cfg.days) + 1), node);
            let input = HistoryInput {
                workflows: &r.workflows,
                taxonomy: &r.taxonomy,
                departments: &r.departments,
                calendar: &r.calendar,
                tree: &places.tree,
                grids: &places.grids,
                routing: &r.routing,
                users: &users,
            };
            let mut batch = Vec::with_capacity(BATCH);
            let mut closed = false;
            let result = generate_history(&input, &cfg, &mut |g| {
                if closed {
                    return;
                }
                batch.push(stored(&r, &ids, g));
                if batch.len() == BATCH && tx.blocking_send(std::mem::take(&mut batch)).is_err() {
                    closed = true;
                }
            });
            if !batch.is_empty() && !closed {
                let _ = tx.blocking_send(batch);
            }
            result.map(|_| ()).map_err(|e| AppError::Internal(format!("history: {e}")))
        });
        let mut written = 0;
        while let Some(batch) = rx.recv().await {
            self.store().insert_histories(&batch).await?;
            written += batch.len();
            progress("history", written, total);
        }
        producer.await.map_err(AppError::internal)??;
        Ok(written)
    }
}
