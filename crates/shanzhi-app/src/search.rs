//! Full-text search over cases, combined with the filters and the caller's data scope: the index
//! (shanzhi-search) finds case ids, and the store applies everything else to them. The index
//! follows the case log in commit order: every search first indexes what was committed since the
//! last, a task of the server keeps it caught up between searches, and a new or outdated index is
//! built from the cases. What is indexed is masked first (personal data never reaches the index).
//! Searching is the `Cases` service's (`search`, `list_with_words`); keeping the index is `App`'s.

use shanzhi_domain::access::DataScope;
use std::sync::Arc;

use shanzhi_domain::cases::case::Actor;
use shanzhi_domain::privacy::mask_text;
use shanzhi_search::{CaseDoc, Found, Position, SearchIndex};
use shanzhi_store::{CaseFilter, StoredCase};

use crate::cases::{CaseView, Cases};
use crate::events::LogBatch;
use crate::{App, AppError};

/// The most matches one query keeps (the newest): the store narrows them by the other filters.
pub const MAX_MATCHES: usize = 5_000;

/// Cases (or log entries) read per step.
const BATCH: u64 = 1000;

/// The index of this process, the turn to update it, and how its last rebuild by an
/// administrator went (`reindex.rs`).
pub(crate) struct Search {
    index: Arc<SearchIndex>,
    turn: tokio::sync::Mutex<()>,
    pub(crate) rebuild: std::sync::Mutex<crate::reindex::Rebuild>,
}

fn failed(e: shanzhi_search::SearchError) -> AppError {
    match e {
        shanzhi_search::SearchError::InUse => AppError::Unavailable(e.to_string()),
        e => AppError::internal(e),
    }
}

/// Runs index work on a blocking thread (it reads and writes files).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> shanzhi_search::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f).await.map_err(AppError::internal)?.map_err(failed)
}

impl App {
    /// The search index (the binary opens it from `[search]` for the commands that serve).
    pub fn with_search(mut self, index: SearchIndex) -> App {
        self.search =
            Some(Arc::new(Search { index: Arc::new(index), turn: Default::default(), rebuild: Default::default() }));
        self
    }

    /// Whether the index must be built from the cases before it can follow the log.
    pub fn search_needs_build(&self) -> bool {
        self.search.as_ref().is_some_and(|s| s.index.position().is_none())
    }

    pub(crate) fn search(&self) -> Result<&Search, AppError> {
        self.search.as_deref().ok_or_else(|| AppError::Unavailable("full-text search is not set up here".into()))
    }
}

impl Cases<'_> {
    /// The cases holding every word of `q` (in their description, place or notes), newest first,
    /// at most `MAX_MATCHES`, once the index holds everything committed before the call.
    pub async fn search(&self, q: &str) -> Result<Found, AppError> {
        // While an administrator rebuilds the index it holds part of the cases: say so, rather
        // than answer with part of the matches or wait minutes for the rebuild to end. Asked
        // again with the turn held (a rebuild flagged meanwhile has not cleared anything yet),
        // and the turn kept while searching, so no rebuild clears the index under the search.
        let s = self.app.search()?;
        s.rebuild.lock().expect("rebuild lock").refuse_while_running()?;
        let _turn = s.turn.lock().await;
        s.rebuild.lock().expect("rebuild lock").refuse_while_running()?;
        self.app.catch_up_locked(s).await?;
        let index = s.index.clone();
        let q = q.to_string();
        blocking(move || index.search(&q, MAX_MATCHES)).await
    }

    /// The cases matching the filter and holding every word of `q`, inside the caller's data
    /// scope: (total, the page, capped: more than `MAX_MATCHES` cases held the words, and only
    /// the newest of them were filtered).
    pub async fn list_with_words(
        &self,
        filter: &CaseFilter,
        q: &str,
        actor: &Actor,
    ) -> Result<(u64, Vec<CaseView>, bool), AppError> {
        if matches!(self.app.scope_of(actor), DataScope::Own(_)) {
            return self.own_with_words(filter, q, actor).await;
        }
        let Some((filter, capped)) = self.words_filter(filter, q).await? else {
            return Ok((0, Vec::new(), false));
        };
        let (total, items) = self.list(&filter, actor).await?;
        Ok((total, items, capped))
    }

    /// Residents, devices and building heads search only what they read of their own reports
    /// (the masked descriptions): the index also holds the staff's internal opinions, and its
    /// answer would tell them a word is there. Their reports are few; the newest 1,000 (one page
    /// of the store) are searched.
    async fn own_with_words(
        &self,
        filter: &CaseFilter,
        q: &str,
        actor: &Actor,
    ) -> Result<(u64, Vec<CaseView>, bool), AppError> {
        let words: Vec<&str> = q.split_whitespace().collect();
        const OWN: u64 = 1000;
        let all = CaseFilter { limit: OWN, offset: 0, ..filter.clone() };
        let (total, items) = self.list(&all, actor).await?;
        let found: Vec<CaseView> =
            items.into_iter().filter(|c| words.iter().all(|w| c.description.contains(w))).collect();
        let n = found.len() as u64;
        let page = found.into_iter().skip(filter.offset as usize).take(filter.limit as usize).collect();
        Ok((n, page, total > OWN))
    }

    /// The filter narrowed to the cases holding the words (the newest `MAX_MATCHES`), and
    /// whether more held them; none when no case does (an empty id list would be no condition).
    pub(crate) async fn words_filter(
        &self,
        filter: &CaseFilter,
        q: &str,
    ) -> Result<Option<(CaseFilter, bool)>, AppError> {
        let found = self.search(q).await?;
        let mut ids = found.ids;
        if !filter.ids.is_empty() {
            ids.retain(|id| filter.ids.contains(id));
        }
        Ok((!ids.is_empty()).then(|| (CaseFilter { ids, ..filter.clone() }, found.capped)))
    }
}

impl App {
    /// Indexes the cases whose log grew since the index's position (a new or outdated index is
    /// built from all the cases first); answers how many cases were indexed.
    pub async fn catch_up_search(&self) -> Result<u64, AppError> {
        let s = self.search()?;
        let _turn = s.turn.lock().await;
        self.catch_up_locked(s).await
    }

    /// [`App::catch_up_search`] with the turn already held by the caller.
    async fn catch_up_locked(&self, s: &Search) -> Result<u64, AppError> {
        let mut done = 0;
        let mut position = match s.index.position() {
            Some(p) => p,
            None => {
                done += self.build_search(s, &mut |_, _| {}).await?;
                s.index.position().ok_or_else(|| AppError::internal("the rebuilt index has no position"))?
            }
        };
        loop {
            let Some(LogBatch { cases, last, .. }) = self.log_batch(position).await? else {
                return Ok(done);
            };
            let docs = self.case_docs(&cases).await?;
            done += docs.len() as u64;
            let index = s.index.clone();
            blocking(move || index.put(&docs, Some(last))).await?;
            position = last;
        }
    }

    /// Builds the index anew from every case (`shanzhi search reindex`), reporting (done, total)
    /// as it goes; answers the number of cases indexed.
    pub async fn rebuild_search(&self, mut progress: impl FnMut(u64, u64) + Send) -> Result<u64, AppError> {
        let s = self.search()?;
        let _turn = s.turn.lock().await;
        self.build_search(s, &mut progress).await
    }

    async fn build_search(&self, s: &Search, progress: &mut (dyn FnMut(u64, u64) + Send)) -> Result<u64, AppError> {
        // Where the log ends now: what is committed later is indexed by the next catch-up.
        let (end, _, _) = self.event_position().await?;
        let start: Position = (end, i64::MAX, u32::MAX);
        let index = s.index.clone();
        // Until the build is done the index records no position: an interrupted build starts over.
        blocking(move || index.clear()).await?;
        let mut offset = 0;
        loop {
            let filter = CaseFilter { limit: BATCH, offset, ..CaseFilter::default() };
            let (total, cases) = self.store().list_cases(&filter, &DataScope::All, self.clock().now()).await?;
            if cases.is_empty() {
                break;
            }
            offset += cases.len() as u64;
            let docs = self.case_docs(&cases).await?;
            let index = s.index.clone();
            blocking(move || index.put(&docs, None)).await?;
            progress(offset, total);
        }
        let index = s.index.clone();
        blocking(move || index.put(&[], Some(start))).await?;
        Ok(offset)
    }

    /// What is indexed of these cases: the masked description with the place's names and the
    /// kind's text and address fields (masked), and the masked opinions of the log.
    async fn case_docs(&self, cases: &[StoredCase]) -> Result<Vec<CaseDoc>, AppError> {
        let keys: Vec<(String, i64)> = cases.iter().map(|s| (s.county.clone(), s.id)).collect();
        let logs = self.store().case_logs(&keys).await?;
        let places = self.places();
        let reference = self.reference();
        Ok(cases
            .iter()
            .map(|s| {
                let mut text = mask_text(&s.case.description);
                let area = s.case.grid.as_ref().map(|g| g.community()).or_else(|| s.county.parse().ok());
                if let Some(a) = area {
                    text.push('\n');
                    text.push_str(&places.address(&a));
                }
                if let Some(g) = s.case.grid.as_ref().and_then(|g| places.grid(g)) {
                    text.push('\n');
                    text.push_str(&g.name);
                }
                if let Some(wf) = reference.workflows.get(&s.case.kind) {
                    let words = shanzhi_domain::cases::fields::search_text(wf.fields(), &s.case.fields);
                    if !words.is_empty() {
                        text.push('\n');
                        text.push_str(&mask_text(&words));
                    }
                }
                let notes = logs
                    .get(&s.id)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.opinion.as_deref())
                    .map(mask_text)
                    .collect::<Vec<_>>()
                    .join("\n");
                CaseDoc { id: s.id, text, notes }
            })
            .collect())
    }

    /// Keeps the index caught up with the log, every `every`, for as long as the server runs.
    pub async fn follow_search(self, every: std::time::Duration) {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match self.catch_up_search().await {
                Ok(n) if n > 0 => tracing::debug!(cases = n, "search index caught up"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "the search index could not follow the case log"),
            }
        }
    }
}
