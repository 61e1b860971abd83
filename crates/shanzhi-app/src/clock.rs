//! The injected clock: the system clock in production, a fixed or stepped one in tests.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> ManualClock {
        ManualClock(Mutex::new(at))
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().expect("clock lock") += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

/// Case ids: milliseconds since the Unix epoch shifted left 16 bits, plus a counter, so ids sort
/// by creation time and one process never repeats one. Two processes may collide in the same
/// millisecond; the store's unique index refuses the second, which then retries.
pub struct IdGen(AtomicU64);

impl IdGen {
    pub fn new(now: DateTime<Utc>) -> IdGen {
        IdGen(AtomicU64::new((now.timestamp_millis().max(0) as u64) << 16 | u64::from(std::process::id() as u16)))
    }

    pub fn next(&self, now: DateTime<Utc>) -> i64 {
        let floor = (now.timestamp_millis().max(0) as u64) << 16;
        let mut cur = self.0.load(Ordering::Relaxed);
        loop {
            let next = cur.max(floor) + 1;
            match self.0.compare_exchange_weak(cur, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return (next & (i64::MAX as u64)) as i64,
                Err(seen) => cur = seen,
            }
        }
    }
}
