//! Fresh PostgreSQL test databases, shared by the store tests and the server's API and web tests
//! (which include this file by path).

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use chrono::Utc;
use sqlx::Connection;

/// Creates an empty database `{prefix}{pid}_{n}_{creation time in µs}` on the server of `admin`
/// (a URL whose role may create databases) and returns its URL.
pub async fn fresh_postgres(admin: &str, prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "{prefix}{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        Utc::now().timestamp_micros()
    );
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .expect("connect to the PostgreSQL test server");
    drop_stale(&mut conn, prefix).await;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create a test database");
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    format!("{base}/{name}")
}

/// Drops the test databases of `prefix` that earlier runs left behind (created over an hour ago:
/// a run still going has only younger ones), once per test binary, so a PostgreSQL server kept
/// for development does not fill up. Failures only warn: the tests do not depend on it.
async fn drop_stale(conn: &mut sqlx::PgConnection, prefix: &str) {
    static DONE: AtomicBool = AtomicBool::new(false);
    if DONE.swap(true, Ordering::Relaxed) {
        return;
    }
    let names: Vec<String> = match sqlx::query_scalar("SELECT datname FROM pg_database")
        .fetch_all(&mut *conn)
        .await
    {
        Ok(names) => names,
        Err(e) => return eprintln!("listing old test databases failed: {e}"),
    };
    let hour_ago = Utc::now().timestamp_micros() - 3_600_000_000;
    for name in names.into_iter().filter(|n| n.starts_with(prefix)) {
        let created = name.rsplit('_').next().and_then(|t| t.parse::<i64>().ok());
        if created.is_some_and(|t| t < hour_ago) {
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            if let Err(e) = sqlx::query(&drop).execute(&mut *conn).await {
                eprintln!("dropping old test database {name} failed: {e}");
            }
        }
    }
}
