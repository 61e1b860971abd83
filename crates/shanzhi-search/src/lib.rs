//! shanzhi-search: the full-text index of cases. One document per case: its words (description
//! and place) and the notes of its log, cut into Chinese words by jieba (every sub-word when
//! indexing, the plain words when querying), kept by tantivy in a folder of its own. The index
//! answers case ids only; the store applies the caller's filters and data scope to them. Each
//! commit records the log position the index has reached, so it can follow the log after a
//! restart. The index holds terms only, and is fed masked text: no personal data.

mod words;

use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions};
use tantivy::{Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term, doc};

pub use words::words;

/// The version of the documents' shape and of their words: an index of another version is
/// rebuilt. (3: masking also catches spaced and dashed phone numbers, which older indexes hold
/// whole.)
const VERSION: u32 = 3;

/// Memory the writer may use before it writes a segment.
const WRITER_MEMORY: usize = 50_000_000;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("the search index folder is in use by another process; give each server its own `[search] location`")]
    InUse,
    #[error("search index folder {0}: {1}")]
    Folder(String, std::io::Error),
}

pub type Result<T> = std::result::Result<T, SearchError>;

/// Where the index is in the case log: (position, case id, sequence), as the store counts them.
pub type Position = (i64, i64, u32);

/// What is indexed of one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDoc {
    pub id: i64,
    /// The description and the place (county, street, community, grid names).
    pub text: String,
    /// The opinions written in the case's log.
    pub notes: String,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The matching cases, newest (highest id) first.
    pub ids: Vec<i64>,
    /// More cases matched than `limit`: only the newest are in `ids`.
    pub capped: bool,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    version: u32,
    position: Option<Position>,
}

struct Fields {
    id: Field,
    text: Field,
    notes: Field,
}

/// An open index, shared by the server's tasks (calls block: run them on blocking threads).
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    fields: Fields,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(words::INDEXING).set_index_option(IndexRecordOption::WithFreqs),
    );
    let id = b.add_i64_field("id", INDEXED | STORED | FAST);
    let text = b.add_text_field("text", words.clone());
    let notes = b.add_text_field("notes", words);
    (b.build(), Fields { id, text, notes })
}

impl SearchIndex {
    /// Opens the index in a folder (made if missing). An index of another version or shape is
    /// emptied, to be rebuilt: `position()` is then `None`.
    pub fn open(folder: &Path) -> Result<SearchIndex> {
        let fail = |e: std::io::Error| SearchError::Folder(folder.display().to_string(), e);
        std::fs::create_dir_all(folder).map_err(fail)?;
        let (schema, fields) = schema();
        let dir = MmapDirectory::open(folder).map_err(tantivy::TantivyError::from)?;
        let kept = match Index::exists(&dir) {
            Ok(true) => Index::open(dir.clone()).ok().filter(|i| i.schema() == schema && payload(i).is_some()),
            _ => None,
        };
        let index = match kept {
            Some(index) => index,
            None if !Index::exists(&dir).unwrap_or(false)
                && std::fs::read_dir(folder).map_err(fail)?.next().is_some() =>
            {
                // Never empty a folder that holds something else (a wrong `[search] location`).
                return Err(SearchError::Folder(
                    folder.display().to_string(),
                    std::io::Error::other(
                        "the folder holds other files and no search index; give the index a folder of its own",
                    ),
                ));
            }
            None => {
                // None yet, or of another version: the index is derived data, so it is made anew,
                // once its writer lock shows no other process has it open (one that has just
                // made it, before its first commit, would lose its files).
                if Index::exists(&dir).unwrap_or(false)
                    && let Ok(old) = Index::open(dir.clone())
                {
                    lock_writer(&old)?;
                }
                for entry in std::fs::read_dir(folder).map_err(fail)? {
                    let path = entry.map_err(fail)?.path();
                    if path.is_dir() {
                        std::fs::remove_dir_all(&path).map_err(fail)?;
                    } else {
                        std::fs::remove_file(&path).map_err(fail)?;
                    }
                }
                Index::create_in_dir(folder, schema)?
            }
        };
        SearchIndex::with(index, fields)
    }

    /// An index in memory (tests, and a server with no folder for it).
    pub fn in_memory() -> Result<SearchIndex> {
        let (schema, fields) = schema();
        SearchIndex::with(Index::create_in_ram(schema), fields)
    }

    fn with(index: Index, fields: Fields) -> Result<SearchIndex> {
        words::register(&index);
        let writer = lock_writer(&index)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { index, reader, writer: Mutex::new(writer), fields })
    }

    /// The log position of the last commit (none: the index must be built from the cases).
    pub fn position(&self) -> Option<Position> {
        payload(&self.index).and_then(|p| p.position)
    }

    /// The number of cases in the index.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Puts these cases (replacing what was indexed of them) and records the position reached,
    /// in one commit: after a crash the index is at the last position recorded, never between.
    /// `None`: no position (a build under way; the index is built again if it stops there).
    pub fn put(&self, docs: &[CaseDoc], position: Option<Position>) -> Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        for d in docs {
            writer.delete_term(Term::from_field_i64(self.fields.id, d.id));
            writer.add_document(doc!(self.fields.id => d.id, self.fields.text => d.text.as_str(),
                                     self.fields.notes => d.notes.as_str()))?;
        }
        self.commit(&mut writer, position)
    }

    /// Empties the index (before a build); it records no position until the build is done.
    pub fn clear(&self) -> Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        writer.delete_all_documents()?;
        self.commit(&mut writer, None)
    }

    fn commit(&self, writer: &mut IndexWriter<TantivyDocument>, position: Option<Position>) -> Result<()> {
        let mut commit = writer.prepare_commit()?;
        let payload = serde_json::to_string(&Payload { version: VERSION, position }).expect("payload");
        commit.set_payload(&payload);
        commit.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// The cases with every word of the query in their text or notes, newest first, at most
    /// `limit`. A query with no words finds nothing.
    pub fn search(&self, query: &str, limit: usize) -> Result<Found> {
        let terms = words::query_words(query);
        if terms.is_empty() || limit == 0 {
            return Ok(Found { ids: Vec::new(), capped: false });
        }
        // A term in the text or the notes.
        let term = |t: &str| -> Box<dyn Query> {
            let either: Vec<(Occur, Box<dyn Query>)> = [self.fields.text, self.fields.notes]
                .into_iter()
                .map(|f| {
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(Term::from_field_text(f, t), IndexRecordOption::Basic));
                    (Occur::Should, q)
                })
                .collect();
            Box::new(BooleanQuery::new(either))
        };
        // Each word: as a word, or by all its parts (in one field or across both).
        let each_word: Vec<Box<dyn Query>> = terms
            .iter()
            .map(|w| {
                let mut ways = vec![(Occur::Should, term(&w.word))];
                if !w.parts.is_empty() {
                    let all: Vec<Box<dyn Query>> = w.parts.iter().map(|p| term(p)).collect();
                    ways.push((Occur::Should, Box::new(BooleanQuery::intersection(all)) as Box<dyn Query>));
                }
                Box::new(BooleanQuery::new(ways)) as Box<dyn Query>
            })
            .collect();
        let query = BooleanQuery::intersection(each_word);
        let searcher = self.reader.searcher();
        let top =
            searcher.search(&query, &TopDocs::with_limit(limit + 1).order_by_fast_field::<i64>("id", Order::Desc))?;
        let capped = top.len() > limit;
        let ids = top.into_iter().take(limit).filter_map(|(id, _)| id).collect();
        Ok(Found { ids, capped })
    }
}

/// The index's one writer; another process holding it is `InUse`.
fn lock_writer(index: &Index) -> Result<IndexWriter<TantivyDocument>> {
    index.writer_with_num_threads(1, WRITER_MEMORY).map_err(|e| match e {
        tantivy::TantivyError::LockFailure(..) => SearchError::InUse,
        e => e.into(),
    })
}

fn payload(index: &Index) -> Option<Payload> {
    let metas = index.load_metas().ok()?;
    let p: Payload = serde_json::from_str(metas.payload.as_deref()?).ok()?;
    (p.version == VERSION).then_some(p)
}

#[cfg(test)]
mod tests;
