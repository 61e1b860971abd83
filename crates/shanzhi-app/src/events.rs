//! Live events (new, dispatched, whistle, overdue, escalated, closed, updated) for the command
//! centre and the units' inboxes. One poller per process follows the case log in commit order
//! (its positions), so a case written by any server process reaches the watchers of every process,
//! and an entry committed late is not skipped; the poller runs
//! while someone watches. Each watcher sees only what its data scope admits; a watcher that comes
//! back with the last event's id gets what it missed.

use shanzhi_domain::access::DataScope;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shanzhi_domain::access::involved_units;
use shanzhi_domain::cases::case::{Actor, LogEntry};
use shanzhi_domain::cases::events::event_kind;
use shanzhi_store::{CaseFilter, StoredCase};
use tokio::sync::broadcast;

use crate::{App, AppError};

/// Where a watcher is in the log: (position in commit order, case id, sequence).
pub type Cursor = (i64, i64, u32);

/// Entries read per query.
const BATCH: u64 = 1000;

/// Log entries (position, county, case id, entry) in commit order, the cases they touch, and
/// the cursor of the last entry.
pub(crate) struct LogBatch {
    pub entries: Vec<(i64, String, i64, LogEntry)>,
    pub cases: Vec<StoredCase>,
    pub last: Cursor,
}

/// One event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseEvent {
    /// The cursor, as text: resume from it with `Last-Event-ID`.
    pub id: String,
    /// new | dispatched | whistle | overdue | escalated | closed | updated
    pub event: &'static str,
    pub case: String,
    pub kind: String,
    pub type_code: String,
    pub action: String,
    pub state: String,
    pub at: DateTime<Utc>,
    pub county: String,
    /// The county's name, for a feed that speaks in names.
    pub county_name: String,
    pub grid: Option<String>,
    /// The units assigned or summoned now, and their names in the same order.
    pub units: Vec<String>,
    pub unit_names: Vec<String>,
    /// The type's Chinese and English names.
    pub type_name: String,
    pub type_name_en: String,
    pub deadline: Option<DateTime<Utc>>,
    #[serde(skip)]
    reporter: Option<String>,
}

impl CaseEvent {
    pub fn cursor(&self) -> Option<Cursor> {
        parse_cursor(&self.id)
    }
}

fn cursor_text((pos, case, seq): Cursor) -> String {
    format!("{pos}-{case}-{seq}")
}

/// A cursor from an event id (`Last-Event-ID`).
pub fn parse_cursor(s: &str) -> Option<Cursor> {
    let mut parts = s.trim().splitn(3, '-');
    let pos: i64 = parts.next()?.parse().ok()?;
    let case: i64 = parts.next()?.parse().ok()?;
    let seq: u32 = parts.next()?.parse().ok()?;
    (pos >= 0).then_some((pos, case, seq))
}

/// The feed of one process.
pub(crate) struct Feed {
    tx: broadcast::Sender<Arc<CaseEvent>>,
    state: Mutex<FeedState>,
}

struct FeedState {
    running: bool,
}

impl Default for Feed {
    fn default() -> Self {
        Feed { tx: broadcast::channel(4096).0, state: Mutex::new(FeedState { running: false }) }
    }
}

impl App {
    /// Where the log ends now: events after this cursor are new.
    pub async fn event_position(&self) -> Result<Cursor, AppError> {
        Ok((self.store().log_position().await?, i64::MAX, u32::MAX))
    }

    /// Events as the poller reads them; a poller that is not running starts after `start` (a
    /// position the caller read before subscribing, so that nothing falls between the two).
    pub fn watch(&self, start: Cursor) -> broadcast::Receiver<Arc<CaseEvent>> {
        let rx = self.feed.tx.subscribe();
        let mut state = self.feed.state.lock().unwrap_or_else(|e| e.into_inner());
        if !state.running {
            state.running = true;
            let app = self.clone();
            tokio::spawn(async move { app.poll(start).await });
        }
        rx
    }

    async fn poll(self, mut cursor: Cursor) {
        loop {
            {
                let mut state = self.feed.state.lock().unwrap_or_else(|e| e.into_inner());
                if self.feed.tx.receiver_count() == 0 {
                    state.running = false;
                    return;
                }
            }
            match self.read_after(cursor).await {
                Ok((events, Some(last))) => {
                    cursor = last;
                    for e in events {
                        let _ = self.feed.tx.send(Arc::new(e));
                    }
                    continue;
                }
                Ok((_, None)) => {}
                Err(e) => tracing::warn!(error = %e, "the event feed could not read the case log"),
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// The events after a cursor, oldest first, for every scope: at most `max` entries' worth,
    /// and whether more remain.
    pub async fn events_after(&self, mut cursor: Cursor, max: usize) -> Result<(Vec<CaseEvent>, bool), AppError> {
        let mut out = Vec::new();
        let mut read = 0;
        while read < max {
            match self.read_after(cursor).await? {
                (events, Some(last)) => {
                    read += BATCH as usize;
                    cursor = last;
                    out.extend(events);
                }
                (_, None) => return Ok((out, false)),
            }
        }
        Ok((out, true))
    }

    /// One batch of the case log after a cursor, with the cases its entries touch (as they are
    /// now) and the cursor of its last entry; none when nothing was committed after the cursor.
    pub(crate) async fn log_batch(&self, after: Cursor) -> Result<Option<LogBatch>, AppError> {
        let entries = self.store().log_after(after, BATCH).await?;
        let Some(last) = entries.last().map(|(pos, _, id, e)| (*pos, *id, e.seq)) else {
            return Ok(None);
        };
        let cases = self.cases_touched(entries.iter().map(|(_, _, id, _)| *id), &[]).await?;
        Ok(Some(LogBatch { entries, cases, last }))
    }

    /// The cases (of these kinds; empty: any kind) that log entries touch, as they are now: one
    /// query for a batch of entries.
    pub(crate) async fn cases_touched(
        &self,
        ids: impl Iterator<Item = i64>,
        kinds: &[String],
    ) -> Result<Vec<StoredCase>, AppError> {
        let mut ids: Vec<i64> = ids.collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let limit = ids.len() as u64;
        let kinds_types = kinds.iter().map(|k| (k.clone(), Vec::new())).collect();
        let filter = CaseFilter { ids, kinds_types, limit, ..CaseFilter::default() };
        // Every case: each subscriber is sent only what its own scope admits.
        Ok(self.store().list_cases(&filter, &DataScope::All, self.clock().now()).await?.1)
    }

    /// The events after a cursor, and the cursor of the last entry read (none: nothing new).
    async fn read_after(&self, cursor: Cursor) -> Result<(Vec<CaseEvent>, Option<Cursor>), AppError> {
        let Some(LogBatch { entries, cases, last }) = self.log_batch(cursor).await? else {
            return Ok((Vec::new(), None));
        };
        let cases: HashMap<i64, _> = cases.into_iter().map(|s| (s.id, s)).collect();
        let reference = self.reference();
        let events = entries
            .into_iter()
            .filter_map(|(pos, county, id, e): (i64, String, i64, LogEntry)| {
                let s = cases.get(&id)?;
                let wf = reference.workflows.get(&s.case.kind);
                let units = involved_units(&s.case, [&e]);
                let ty = reference.taxonomy.get(&s.case.type_code);
                Some(CaseEvent {
                    id: cursor_text((pos, id, e.seq)),
                    event: event_kind(&e, wf),
                    case: id.to_string(),
                    kind: s.case.kind.clone(),
                    type_code: s.case.type_code.to_string(),
                    action: e.action.clone(),
                    state: e.to_state.clone(),
                    at: e.at,
                    county_name: self.places().division_name(&county).unwrap_or_else(|| county.clone()),
                    county,
                    grid: s.case.grid.as_ref().map(|g| g.to_string()),
                    unit_names: units.iter().map(|u| self.unit_name(u)).collect(),
                    units,
                    type_name: ty.map(|t| t.name_zh.clone()).unwrap_or_else(|| s.case.type_code.to_string()),
                    type_name_en: ty.map(|t| t.name_en.clone()).unwrap_or_else(|| s.case.type_code.to_string()),
                    deadline: e.deadline,
                    reporter: s.case.reporter.clone(),
                })
            })
            .collect();
        Ok((events, Some(last)))
    }

    /// Whether an event reaches an account (its data scope).
    pub fn may_watch(&self, actor: &Actor, e: &CaseEvent) -> bool {
        self.scope_of(actor).admits(&e.county, e.grid.as_deref(), e.reporter.as_deref(), &e.units)
    }
}
