//! Reads served from memory, coherent with the database across processes.
//!
//! Every change the store writes bumps a counter in its own transaction (once per transaction,
//! by the kind of change its audit row records), so a change made by another process counts
//! too: the CLI on the same SQLite file, a second server on the same PostgreSQL. (Rows edited
//! with SQL outside Guarantor bump nothing: such edits are what `audit verify` reports as
//! tampering; a restarted server reads afresh.) A cached read first learns
//! the counters from one small statement that *began after the read was asked for*, and is
//! served from memory only when its entry was read at the counter the database holds now. So a
//! read sees every write committed before it was asked for (read-your-writes across servers),
//! as an uncached read would.
//!
//! Reads asked for while such a statement is running wait for the next one and share it: under
//! load, one statement per batch of concurrent reads instead of two per read. Within one request
//! of the server ([`request_scope`]), "asked for" is when the request arrived, so its credential
//! and its proposal share one statement; a write committed through this store moves that point
//! to after the write, so a request that writes and then reads sees its own write.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use sqlx::{AnyPool, Row};
use tokio::sync::watch;

use crate::StoreError;

/// The two counters (table `generation`, migration 0008).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Generations {
    /// Bumped by writes to credentials: API tokens, sessions, accounts, invitations.
    pub access: i64,
    /// Bumped by writes to campaigns, proposals and revisions.
    pub data: i64,
}

/// One of the two counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counter {
    /// Credentials: API tokens, sessions, accounts, invitations.
    Access,
    /// Campaigns, proposals, revisions (and anything else a change writes).
    Data,
}

impl Counter {
    fn name(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Data => "data",
        }
    }
}

/// Bumps `counters` in the transaction of the change that makes them stale, so that the bump
/// commits exactly when the change does.
pub(crate) async fn bump(
    conn: &mut sqlx::AnyConnection,
    counters: &[Counter],
) -> Result<(), StoreError> {
    for c in counters {
        sqlx::query("UPDATE generation SET value = value + 1 WHERE name = $1")
            .bind(c.name())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn read_generations(pool: &AnyPool) -> Result<Generations, sqlx::Error> {
    let mut g = Generations::default();
    for row in sqlx::query("SELECT name, value FROM generation")
        .fetch_all(pool)
        .await?
    {
        let value: i64 = row.try_get("value")?;
        match row.try_get::<String, _>("name")?.as_str() {
            "access" => g.access = value,
            "data" => g.data = value,
            _ => {}
        }
    }
    Ok(g)
}

tokio::task_local! {
    static ARRIVED: Instant;
}

/// Runs `request` as one request that arrived now: the reads it makes may share one check of
/// the counters begun after this moment (and after any write it commits through the store).
pub async fn request_scope<F: std::future::Future>(request: F) -> F::Output {
    ARRIVED.scope(Instant::now(), request).await
}

/// A round's result: its number, when it began, and the counters it read (or why it could not).
type Round = Option<(u64, Instant, Result<Generations, String>)>;

/// Rounds of the counters' statement shared by concurrent reads.
#[derive(Debug)]
pub(crate) struct Freshness {
    rounds: Mutex<Rounds>,
    done: watch::Sender<Round>,
    /// The first round that began after the last write this store committed.
    floor: AtomicU64,
}

#[derive(Debug)]
struct Rounds {
    /// Rounds begun so far; the round numbered `started` is running when `running`.
    started: u64,
    /// When the round numbered `started` began.
    began: Instant,
    /// The highest round a read waits for.
    wanted: u64,
    running: bool,
}

impl Default for Freshness {
    fn default() -> Self {
        Self {
            rounds: Mutex::new(Rounds {
                started: 0,
                began: Instant::now(),
                wanted: 0,
                running: false,
            }),
            done: watch::Sender::new(None),
            floor: AtomicU64::new(0),
        }
    }
}

impl Freshness {
    /// The counters as the database holds them, read by a statement begun after this call (or,
    /// within [`request_scope`], after the request arrived).
    pub(crate) async fn current(
        self: &Arc<Self>,
        pool: &AnyPool,
    ) -> Result<Generations, StoreError> {
        let pool = pool.clone();
        self.current_with(move || {
            let pool = pool.clone();
            async move { read_generations(&pool).await.map_err(|e| e.to_string()) }
        })
        .await
    }

    /// [`Self::current`] with the statement as a function (tests stand in for the database).
    async fn current_with<R, F>(self: &Arc<Self>, read: R) -> Result<Generations, StoreError>
    where
        R: Fn() -> F + Send + 'static,
        F: std::future::Future<Output = Result<Generations, String>> + Send + 'static,
    {
        let now = Instant::now();
        let since = ARRIVED.try_with(|t| (*t).min(now)).unwrap_or(now);
        let counts =
            |n: u64, began: Instant| began >= since && n >= self.floor.load(Ordering::Acquire);
        if let Some((n, began, Ok(g))) = &*self.done.borrow()
            && counts(*n, *began)
        {
            return Ok(*g);
        }
        let mut rx = self.done.subscribe();
        let need = {
            let mut r = self.rounds.lock().unwrap_or_else(|e| e.into_inner());
            // A running round that began too early does not count; the next one does.
            let need = if r.running && counts(r.started, r.began) {
                r.started
            } else {
                r.started + 1
            };
            r.wanted = r.wanted.max(need);
            if !r.running {
                r.running = true;
                tokio::spawn(Arc::clone(self).drive(read));
            }
            need
        };
        let round = rx
            .wait_for(|v| v.as_ref().is_some_and(|(n, _, _)| *n >= need))
            .await
            .map_err(|_| StoreError::Database("the freshness check stopped".into()))?;
        match round.as_ref().map(|(_, _, r)| r) {
            Some(Ok(g)) => Ok(*g),
            Some(Err(e)) => Err(StoreError::Database(e.clone())),
            None => Err(StoreError::Database("the freshness check stopped".into())),
        }
    }

    /// Called after this store committed a write: later reads wait for a round begun after it,
    /// whenever their request arrived.
    pub(crate) fn wrote(&self) {
        let r = self.rounds.lock().unwrap_or_else(|e| e.into_inner());
        // The round running now (or the last one) may have begun before the commit.
        self.floor.fetch_max(r.started + 1, Ordering::AcqRel);
    }

    /// Runs rounds while reads wait for one not yet begun.
    async fn drive<R, F>(self: Arc<Self>, read: R)
    where
        R: Fn() -> F,
        F: std::future::Future<Output = Result<Generations, String>>,
    {
        // Dropped with its task (a runtime shutting down) in the middle of a round, the guard
        // answers that round's readers with an error and lets the next read start a new task,
        // instead of leaving them waiting on a task that no longer runs.
        struct Stopped<'a>(&'a Freshness, Option<(u64, Instant)>);
        impl Drop for Stopped<'_> {
            fn drop(&mut self) {
                if let Some((round, began)) = self.1 {
                    let mut r = self.0.rounds.lock().unwrap_or_else(|e| e.into_inner());
                    r.running = false;
                    // Every round a read waits for ends here; the next read begins a later one.
                    let last = r.wanted.max(round);
                    r.started = last;
                    drop(r);
                    self.0.done.send_replace(Some((
                        last,
                        began,
                        Err("the check of the database's changes was stopped".into()),
                    )));
                }
            }
        }
        let mut guard = Stopped(&self, None);
        loop {
            let (round, began) = {
                let mut r = self.rounds.lock().unwrap_or_else(|e| e.into_inner());
                r.started += 1;
                r.began = Instant::now();
                (r.started, r.began)
            };
            guard.1 = Some((round, began));
            let counters = read().await;
            guard.1 = None;
            self.done.send_replace(Some((round, began, counters)));
            let mut r = self.rounds.lock().unwrap_or_else(|e| e.into_inner());
            if r.wanted <= round {
                r.running = false;
                return;
            }
        }
    }
}

/// Entries read at one value of a counter; a newer value empties it.
#[derive(Debug)]
pub(crate) struct Cache<K, V> {
    inner: Mutex<(i64, HashMap<K, V>)>,
}

impl<K, V> Default for Cache<K, V> {
    fn default() -> Self {
        Self {
            inner: Mutex::new((i64::MIN, HashMap::new())),
        }
    }
}

/// Entries kept at most (a bound on memory; beyond it the cache starts again empty).
const CACHE_ENTRIES: usize = 4096;

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    /// The entry for `key` if it was read at `generation`.
    pub(crate) fn get(&self, generation: i64, key: &K) -> Option<V> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.0 != generation {
            if generation > inner.0 {
                *inner = (generation, HashMap::new());
            }
            return None;
        }
        inner.1.get(key).cloned()
    }

    /// Keeps `value`, read after the counter was seen at `generation`. An entry read at an older
    /// value than the newest seen is dropped.
    pub(crate) fn put(&self, generation: i64, key: K, value: V) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if generation > inner.0 {
            *inner = (generation, HashMap::new());
        }
        if generation == inner.0 {
            if inner.1.len() >= CACHE_ENTRIES {
                inner.1.clear();
            }
            inner.1.insert(key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_served_only_at_the_generation_it_was_read_at() {
        let cache: Cache<&str, i32> = Cache::default();
        cache.put(3, "GBR", 1);
        assert_eq!(cache.get(3, &"GBR"), Some(1));
        // A write since: the entry is not served, and it is gone for good.
        assert_eq!(cache.get(4, &"GBR"), None);
        assert_eq!(cache.get(3, &"GBR"), None);
        // A read that saw the older counter cannot put back what it read.
        cache.put(3, "GBR", 1);
        assert_eq!(cache.get(4, &"GBR"), None);
        cache.put(4, "GBR", 2);
        assert_eq!(cache.get(4, &"GBR"), Some(2));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_read_sees_a_write_committed_before_it_was_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("g.db").display());
        let store = crate::Store::open(&url).await.unwrap();
        let pool = store.pool().clone();
        let fresh = Arc::new(Freshness::default());
        for i in 0..50 {
            // Many reads at once, then a write, then reads again: each later read sees it.
            let before: Vec<_> = (0..8)
                .map(|_| {
                    let (f, p) = (Arc::clone(&fresh), pool.clone());
                    tokio::spawn(async move { f.current(&p).await.unwrap() })
                })
                .collect();
            sqlx::query("UPDATE generation SET value = value + 1 WHERE name = 'data'")
                .execute(&pool)
                .await
                .unwrap();
            let written = read_generations(&pool).await.unwrap();
            for b in before {
                assert!(b.await.unwrap().data <= written.data);
            }
            let after = fresh.current(&pool).await.unwrap();
            assert_eq!(after, written, "round {i}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_in_one_request_share_a_check_and_see_its_own_writes() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("g.db").display());
        let store = crate::Store::open(&url).await.unwrap();
        let pool = store.pool().clone();
        let fresh = Arc::new(Freshness::default());
        let started = |f: &Freshness| f.rounds.lock().unwrap().started;
        // Outside a request every read waits for a check of its own.
        fresh.current(&pool).await.unwrap();
        fresh.current(&pool).await.unwrap();
        assert_eq!(started(&fresh), 2);
        request_scope(async {
            let first = fresh.current(&pool).await.unwrap();
            assert_eq!(fresh.current(&pool).await.unwrap(), first);
            assert_eq!(
                started(&fresh),
                3,
                "the second read shares the first's check"
            );
            // A write committed in the request: the next read checks again and sees it.
            sqlx::query("UPDATE generation SET value = value + 1 WHERE name = 'data'")
                .execute(&pool)
                .await
                .unwrap();
            fresh.wrote();
            let after = fresh.current(&pool).await.unwrap();
            assert_eq!(started(&fresh), 4);
            assert_eq!(after.data, first.data + 1);
        })
        .await;
    }

    #[test]
    fn a_check_stopped_with_its_runtime_does_not_leave_later_reads_waiting() {
        let fresh = Arc::new(Freshness::default());
        let first = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        // A statement that never returns, and a read waiting on it, on a runtime then shut down.
        let f = Arc::clone(&fresh);
        first.spawn(async move {
            let _ = f
                .current_with(std::future::pending::<Result<Generations, String>>)
                .await;
        });
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(fresh.rounds.lock().unwrap().running);
        first.shutdown_timeout(std::time::Duration::from_secs(1));
        let second = tokio::runtime::Runtime::new().unwrap();
        let got = second.block_on(async {
            tokio::time::timeout(
                std::time::Duration::from_secs(5),
                fresh.current_with(|| async { Ok(Generations { access: 1, data: 2 }) }),
            )
            .await
        });
        assert_eq!(
            got.expect("a later read is answered").unwrap(),
            Generations { access: 1, data: 2 }
        );
    }
}
