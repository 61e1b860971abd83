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

/// Bits of a case id that name the server process that made it.
pub const NODE_BITS: u32 = 6;

/// Case ids: milliseconds since the Unix epoch shifted left 16 bits; below that, a counter
/// (10 bits) and the server's node number (6 bits, from `Store::register_node`). Ids sort by
/// creation time, one process never repeats one, and two processes with different node numbers
/// never make the same one (64 servers may run on one database at once). A process that makes
/// more than 1,024 ids in a millisecond borrows from the next millisecond.
pub struct IdGen {
    last: AtomicU64,
    node: u64,
}

impl IdGen {
    pub fn new(now: DateTime<Utc>, node: u64) -> IdGen {
        let node = node % (1 << NODE_BITS);
        IdGen { last: AtomicU64::new(((now.timestamp_millis().max(0) as u64) << 16) | node), node }
    }

    pub fn node(&self) -> u64 {
        self.node
    }

    pub fn next(&self, now: DateTime<Utc>) -> i64 {
        let floor = ((now.timestamp_millis().max(0) as u64) << 16) | self.node;
        let mut cur = self.last.load(Ordering::Relaxed);
        loop {
            let next = (cur + (1 << NODE_BITS)).max(floor);
            match self.last.compare_exchange_weak(cur, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return (next & (i64::MAX as u64)) as i64,
                Err(seen) => cur = seen,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_grow_and_two_nodes_never_meet() {
        let now = Utc::now();
        let (a, b) = (IdGen::new(now, 1), IdGen::new(now, 2));
        let mut seen = std::collections::HashSet::new();
        let mut last = 0;
        for i in 0..5_000 {
            let at = now + Duration::milliseconds(i / 100);
            for g in [&a, &b] {
                let id = g.next(at);
                assert!(seen.insert(id), "id {id} made twice");
                if std::ptr::eq(g, &a) {
                    assert!(id > last);
                    last = id;
                }
            }
        }
        // An id made later in time is larger, whatever the node.
        assert!(b.next(now + Duration::seconds(10)) > a.next(now + Duration::seconds(9)));
        assert_eq!(a.next(now + Duration::seconds(20)) & 63, 1);
    }
}
