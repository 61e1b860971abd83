//! Group commit for intake: new cases go to one writer task, which takes whatever has queued up
//! and handles it together: one read for the idempotency keys already used, one read for the
//! duplicate candidates of every report (reports in the same batch are candidates for each
//! other too), then one transaction (one commit, one fsync) for all the new cases, and then it
//! answers each caller. Under light load a batch is one report and nothing waits; under heavy
//! load many reports share each read and each commit. Every report is durable before its caller
//! hears "201". If a batch fails to store, its cases are stored one by one so each caller gets
//! its own answer. Each new case carries a short follow code drawn at random; the writer reads
//! which of the batch's codes cases already have (one query) and draws again for those, and for
//! a code drawn twice in the batch, before it stores (the unique index is the last word).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use shanzhi_domain::cases::case::LogEntry;
use shanzhi_domain::cases::duplicates::{Candidate, Probe};
use shanzhi_domain::cases::short_code::ShortCode;
use shanzhi_store::{NewCase, Store, StoreError, StoredCase};
use tokio::sync::{mpsc, oneshot};

/// Most reports in one batch.
const MAX_BATCH: usize = 256;

/// Builds the answer kept with an idempotency key, from the case as it will be stored and its
/// short follow code.
pub(crate) type Answer = Box<dyn FnOnce(&StoredCase, &ShortCode) -> Result<String, StoreError> + Send>;

/// Most rounds of drawing new short codes for a batch (each round is one query; a second round
/// is already a one-in-a-million event).
const CODE_ROUNDS: usize = 8;

pub(crate) struct Job {
    pub stored: StoredCase,
    /// The case's short follow code (its hash is `stored.short_code_hash`).
    pub short_code: ShortCode,
    pub first: LogEntry,
    /// Where to look for a likely duplicate (none for a report without a location).
    pub probe: Option<Probe>,
    /// The idempotency key, and how to build the answer it keeps.
    pub key: Option<(String, Answer)>,
    /// The report's fingerprint (`kept::fingerprint`): a key used before answers only the same report.
    pub request: String,
    pub now: DateTime<Utc>,
    pub reply: oneshot::Sender<Result<Stored, StoreError>>,
}

/// What became of a report.
#[derive(Debug)]
pub(crate) enum Stored {
    /// Stored as this case (with its duplicate flag decided) under this short follow code.
    New(Box<StoredCase>, ShortCode),
    /// Its idempotency key was used before: the answer given then.
    Replayed(String),
    /// Its idempotency key was used before for another report: nothing was stored.
    Reused,
}

/// The answer to a job whose key was used before: the kept answer, or `Reused`.
fn replay(kept: &str, request: &str) -> Stored {
    match crate::kept::answer_for(kept, request) {
        Ok(answer) => Stored::Replayed(answer.to_string()),
        Err(()) => Stored::Reused,
    }
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

    /// Hands a report to the writer; returns once it is committed (or failed, or replayed).
    pub async fn store(
        &self,
        job: Job,
        answer: oneshot::Receiver<Result<Stored, StoreError>>,
    ) -> Result<Stored, StoreError> {
        self.0.send(job).await.map_err(|_| StoreError::Unavailable("the intake writer has stopped".into()))?;
        answer.await.map_err(|_| StoreError::Unavailable("the intake writer has stopped".into()))?
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
        handle(&store, std::mem::take(&mut batch)).await;
    }
}

/// A job ready to store: its idempotency answer is built.
struct Ready {
    job: Job,
    answer: Option<(String, String)>,
}

async fn handle(store: &Store, batch: Vec<Job>) {
    // Keys used before are answered from the store; a key repeated within the batch waits for
    // its first use.
    let keys: Vec<&str> = batch.iter().filter_map(|j| j.key.as_ref().map(|(k, _)| k.as_str())).collect();
    let used = if keys.is_empty() { Ok(HashMap::new()) } else { store.idempotent_responses(&keys).await };
    let used = match used {
        Ok(u) => u,
        Err(e) => return fail_all(batch, &e),
    };
    let mut fresh: Vec<Job> = Vec::with_capacity(batch.len());
    let mut twins: Vec<(Job, String)> = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for j in batch {
        match j.key.as_ref().map(|(k, _)| k.clone()) {
            Some(k) if used.contains_key(&k) => {
                let _ = j.reply.send(Ok(replay(&used[&k], &j.request)));
            }
            Some(k) if !seen.insert(k.clone()) => twins.push((j, k)),
            _ => fresh.push(j),
        }
    }

    if let Err(e) = unique_codes(store, &mut fresh).await {
        fail_all(twins.into_iter().map(|(j, _)| j).collect(), &e);
        return fail_all(fresh, &e);
    }

    // Likely duplicates: the nearest open case in the store or earlier in this batch.
    let probes: Vec<&Probe> = fresh.iter().filter_map(|j| j.probe.as_ref()).collect();
    let candidates = if probes.is_empty() { Ok(Vec::new()) } else { store.duplicate_candidates(&probes).await };
    let mut candidates = match candidates {
        Ok(c) => c,
        Err(e) => {
            fail_all(twins.into_iter().map(|(j, _)| j).collect(), &e);
            return fail_all(fresh, &e);
        }
    };
    for j in &mut fresh {
        if let Some(p) = &j.probe {
            j.stored.case.possible_duplicate_of = p.nearest(&candidates);
            candidates.push(Candidate {
                id: j.stored.id,
                kind: p.kind.clone(),
                type_code: p.type_code.clone(),
                at: p.here,
                reported_at: p.at,
            });
        }
    }

    let mut ready: Vec<Ready> = Vec::with_capacity(fresh.len());
    for mut j in fresh {
        let answer = match j.key.take() {
            Some((k, build)) => match build(&j.stored, &j.short_code) {
                Ok(a) => Some((k, a)),
                Err(e) => {
                    let _ = j.reply.send(Err(e));
                    continue;
                }
            },
            None => None,
        };
        ready.push(Ready { job: j, answer });
    }

    let now = ready.iter().map(|r| r.job.now).max().unwrap_or_else(Utc::now);
    // A batch of replays only has nothing to store (but its twins, if any, still get answers).
    let together = if ready.is_empty() {
        Ok(())
    } else {
        store.insert_cases(&ready.iter().map(new_case).collect::<Vec<_>>(), now).await
    };
    let mut answers: HashMap<String, Result<String, String>> = HashMap::new();
    match together {
        Ok(()) => {
            for r in ready {
                if let Some((k, a)) = r.answer {
                    answers.insert(k, Ok(a));
                }
                let _ = r.job.reply.send(Ok(Stored::New(Box::new(r.job.stored), r.job.short_code)));
            }
        }
        Err(_) if ready.len() > 1 => {
            for r in ready {
                let one = store.insert_cases(&[new_case(&r)], r.job.now).await;
                if let Some((k, a)) = &r.answer {
                    answers.insert(k.clone(), one.as_ref().map(|_| a.clone()).map_err(|e| e.to_string()));
                }
                let _ = r.job.reply.send(one.map(|()| Stored::New(Box::new(r.job.stored), r.job.short_code)));
            }
        }
        Err(e) => {
            for r in ready {
                if let Some((k, _)) = &r.answer {
                    answers.insert(k.clone(), Err(e.to_string()));
                }
                let _ = r.job.reply.send(Err(clone_err(&e)));
            }
        }
    }
    for (j, k) in twins {
        let _ = j.reply.send(match answers.get(&k) {
            Some(Ok(a)) => Ok(replay(a, &j.request)),
            // The first use failed (or never reached the store): this one is told to retry.
            _ => Err(StoreError::Conflict(format!("idempotency key `{k}` is in use by a request that failed; retry"))),
        });
    }
}

/// A short follow code from 40 bits of the thread's CSPRNG (ChaCha, seeded by the OS).
pub(crate) fn draw_short_code() -> ShortCode {
    use rand::RngCore;
    let mut bits = [0u8; 5];
    rand::rng().fill_bytes(&mut bits);
    ShortCode::from_random(bits)
}

/// Gives every job a short code no stored case has and no other job of the batch has.
async fn unique_codes(store: &Store, jobs: &mut [Job]) -> Result<(), StoreError> {
    let mut codes: Vec<ShortCode> = jobs.iter().map(|j| j.short_code).collect();
    let taken = |hashes: Vec<String>| {
        let store = store.clone();
        async move {
            let hashes: Vec<&str> = hashes.iter().map(String::as_str).collect();
            store.short_codes_taken(&hashes).await
        }
    };
    redraw_taken(&mut codes, taken, draw_short_code).await?;
    for (j, code) in jobs.iter_mut().zip(codes) {
        j.stored.short_code_hash = Some(code.lookup_key());
        j.short_code = code;
    }
    Ok(())
}

/// Draws again (`draw`) for each code that `taken` says is taken (one call per round, with the
/// hashes to check) or that an earlier code of the list already is, and checks the new ones again,
/// for at most [`CODE_ROUNDS`] rounds (the unique index refuses what is left after them).
async fn redraw_taken<F, Fut>(
    codes: &mut [ShortCode],
    mut taken: F,
    mut draw: impl FnMut() -> ShortCode,
) -> Result<(), StoreError>
where
    F: FnMut(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = Result<std::collections::HashSet<String>, StoreError>>,
{
    let mut pending: Vec<usize> = (0..codes.len()).collect();
    let mut kept: std::collections::HashSet<String> = std::collections::HashSet::new();
    for _ in 0..CODE_ROUNDS {
        if pending.is_empty() {
            break;
        }
        let used = taken(pending.iter().map(|&i| codes[i].lookup_key()).collect()).await?;
        let mut again = Vec::new();
        for i in pending {
            let hash = codes[i].lookup_key();
            if used.contains(&hash) || !kept.insert(hash) {
                codes[i] = draw();
                again.push(i);
            }
        }
        pending = again;
    }
    Ok(())
}

fn new_case(r: &Ready) -> NewCase<'_> {
    NewCase {
        stored: &r.job.stored,
        first: &r.job.first,
        idempotency: r.answer.as_ref().map(|(k, a)| (k.as_str(), a.as_str())),
    }
}

fn fail_all(jobs: Vec<Job>, e: &StoreError) {
    for j in jobs {
        let _ = j.reply.send(Err(clone_err(e)));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> ShortCode {
        ShortCode::parse(text).unwrap()
    }

    #[tokio::test]
    async fn codes_taken_or_drawn_twice_are_drawn_again_until_none_is() {
        let (a, b, c, d) = (code("AAAA-AAAA"), code("BBBB-BBBB"), code("CCCC-CCCC"), code("DDDD-DDDD"));
        // The store has B; the batch drew A twice and B; the next draws are B (taken), C, D.
        let stored: std::collections::HashSet<String> = [b.lookup_key()].into();
        let mut asked = Vec::new();
        let mut draws = vec![d, c, b];
        let mut codes = vec![a, a, b];
        let taken = |hashes: Vec<String>| {
            asked.push(hashes.len());
            let used = hashes.into_iter().filter(|h| stored.contains(h)).collect();
            async move { Ok(used) }
        };
        redraw_taken(&mut codes, taken, || draws.pop().unwrap()).await.unwrap();
        assert_eq!(codes, vec![a, d, c]);
        assert_eq!(asked, vec![3, 2, 1], "each round asks about the codes drawn in the last");
    }
}
