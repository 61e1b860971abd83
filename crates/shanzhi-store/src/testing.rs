//! Test support (not used by the server) shared by every suite that needs databases: a migrated SQLite file and, when
//! PostgreSQL is reachable, a migrated fresh schema. PostgreSQL is `SHANZHI_TEST_PG_URL` (default
//! postgres://postgres@127.0.0.1:5432/test); with `SHANZHI_REQUIRE_PG=1` (CI) an unreachable
//! server fails the test, otherwise the PostgreSQL half is skipped with a message.

use crate::Store;

/// A migrated store per backend, named `sqlite` and `postgres`, isolated for the test `name`.
pub async fn test_stores(name: &str) -> Vec<(String, Store)> {
    let mut out = vec![("sqlite".to_string(), sqlite_store(name).await)];
    let url = std::env::var("SHANZHI_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("t_{}_{name}", std::process::id());
    match Store::connect(&url, Some(&schema)).await {
        Ok(pg) => {
            pg.drop_schema_for_tests(&schema).await.expect("drop the test schema");
            let pg = Store::connect(&url, Some(&schema)).await.expect("reconnect to PostgreSQL");
            pg.migrate().await.expect("migrate PostgreSQL");
            out.push(("postgres".to_string(), pg));
        }
        Err(e) if std::env::var("SHANZHI_REQUIRE_PG").as_deref() == Ok("1") => {
            panic!("PostgreSQL is required here but unreachable: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED PostgreSQL for `{name}`: {e} (set SHANZHI_TEST_PG_URL to run it)")
        }
    }
    out
}

/// A migrated SQLite store in a fresh file under the temporary directory.
pub async fn sqlite_store(name: &str) -> Store {
    let dir = std::env::temp_dir().join(format!("shanzhi-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the test directory");
    let path = dir.join("t.db");
    let _ = std::fs::remove_file(&path);
    let store = Store::connect(&format!("sqlite://{}", path.display()), None).await.expect("open SQLite");
    store.migrate().await.expect("migrate SQLite");
    store
}

/// Runs a statement behind the application's back (tests that tamper with stored data).
pub async fn execute_raw(store: &Store, sql: &str) -> crate::Result<()> {
    use sea_orm::ConnectionTrait;
    store.db().execute_unprepared(sql).await?;
    Ok(())
}
