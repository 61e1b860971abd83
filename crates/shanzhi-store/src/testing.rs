//! Test support (not used by the server) shared by every suite that needs databases: a migrated SQLite file and, when
//! PostgreSQL is reachable, a migrated fresh schema. PostgreSQL is `SHANZHI_TEST_PG_URL` (default
//! postgres://postgres@127.0.0.1:5432/test); with `SHANZHI_REQUIRE_PG=1` (CI) an unreachable
//! server fails the test, otherwise the PostgreSQL half is skipped with a message.

use crate::Store;

/// The data key every test store seals personal data with.
pub fn test_key() -> crate::DataKey {
    crate::DataKey::from_base64("c2hhbnpoaS10ZXN0LWtleS0zMi1ieXRlcy1sb25nISE=").expect("a 32-byte test key")
}

/// A migrated store per backend, named `sqlite` and `postgres`, isolated for the test `name`,
/// sealing personal data with `test_key()`.
pub async fn test_stores(name: &str) -> Vec<(String, Store)> {
    let mut out = vec![("sqlite".to_string(), sqlite_store(name).await)];
    let url = std::env::var("SHANZHI_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("t_{}_{name}", std::process::id());
    match Store::connect(&url, Some(&schema)).await {
        Ok(pg) => {
            pg.drop_schema_for_tests(&schema).await.expect("drop the test schema");
            let pg = Store::connect(&url, Some(&schema)).await.expect("reconnect to PostgreSQL");
            pg.migrate().await.expect("migrate PostgreSQL");
            out.push(("postgres".to_string(), pg.with_data_key(Some(test_key()))));
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
    store.with_data_key(Some(test_key()))
}

/// The first column of every row a query answers, as text (tests that look at stored rows).
pub async fn raw_strings(store: &Store, sql: &str) -> crate::Result<Vec<String>> {
    use sea_orm::{ConnectionTrait, Statement};
    let rows = store.db().query_all_raw(Statement::from_string(store.db().get_database_backend(), sql)).await?;
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0).map_err(|e| crate::StoreError::Corrupt(e.to_string())))
        .collect()
}

/// Runs a statement behind the application's back (tests that tamper with stored data).
pub async fn execute_raw(store: &Store, sql: &str) -> crate::Result<()> {
    use sea_orm::ConnectionTrait;
    store.db().execute_unprepared(sql).await?;
    Ok(())
}
