//! Group commit for intake: new cases go to one writer task, which stores whatever has queued up
//! in one transaction (one commit, one fsync) and then answers each caller. Under light load a
//! batch is one case and nothing waits; under heavy load many reports share a commit. Every
//! report is durable before its caller hears "201". If a batch fails (say, a reused
//! idempotency key), its cases are stored one by one so each caller gets its own answer.

use chrono::{DateTime, Utc};
use shanzhi_domain::cases::case::LogEntry;
use shanzhi_store::{NewCase, Store, StoreError, StoredCase};
use tokio::sync::{mpsc, oneshot};

/// Most cases in one commit.
const MAX_BATCH: usize = 256;

pub(crate) struct Job {
    pub stored: StoredCase,
    pub first: LogEntry,
    pub idempotency: Option<(String, String)>,
    pub now: DateTime<Utc>,
    pub reply: oneshot::Sender<Result<(), StoreError>>,
}

/// The handle through which reports reach the writer.
#[derive(Clone)]
pub(crate) struct Intake(mpsc::Sender<Job>);

impl Intake {
    pub fn start(store: Store) -> Intake {
        let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(writer(store, rx));
        Intake(tx)
    }

    /// Stores a new case; returns once it is committed (or failed).
    pub async fn store(&self, job: Job, answer: oneshot::Receiver<Result<(), StoreError>>) -> Result<(), StoreError> {
        self.0.send(job).await.map_err(|_| StoreError::Unavailable("the intake writer has stopped".into()))?;
        answer.await.map_err(|_| StoreError::Unavailable("the intake writer has stopped".into()))?
    }
}

fn new_case(j: &Job) -> NewCase<'_> {
    NewCase {
        stored: &j.stored,
        first: &j.first,
        idempotency: j.idempotency.as_ref().map(|(k, a)| (k.as_str(), a.as_str())),
    }
}

async fn writer(store: Store, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let now = batch.iter().map(|j| j.now).max().unwrap_or_else(Utc::now);
        let cases: Vec<NewCase<'_>> = batch.iter().map(new_case).collect();
        let together = store.insert_cases(&cases, now).await;
        drop(cases);
        match together {
            Ok(()) => {
                for j in batch.drain(..) {
                    let _ = j.reply.send(Ok(()));
                }
            }
            Err(_) if batch.len() > 1 => {
                for j in batch.drain(..) {
                    let one = store.insert_cases(&[new_case(&j)], j.now).await;
                    let _ = j.reply.send(one);
                }
            }
            Err(e) => {
                for j in batch.drain(..) {
                    let _ = j.reply.send(Err(clone_err(&e)));
                }
            }
        }
    }
}

fn clone_err(e: &StoreError) -> StoreError {
    match e {
        StoreError::NotFound(m) => StoreError::NotFound(m.clone()),
        StoreError::Conflict(m) => StoreError::Conflict(m.clone()),
        StoreError::Unavailable(m) => StoreError::Unavailable(m.clone()),
        StoreError::Corrupt(m) => StoreError::Corrupt(m.clone()),
    }
}
