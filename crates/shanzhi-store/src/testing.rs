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
    out.extend(pg_store(name).await.map(|pg| ("postgres".to_string(), pg)));
    out
}

/// Keeps a filled test store as the template [`copy_stores`] copies: on SQLite a self-contained
/// copy of its file (no WAL) beside it; on PostgreSQL its schema, which nothing may write to from
/// now on.
pub async fn keep_as_template(store: &Store, template: &str) {
    if store.backend() == "sqlite" {
        let path = template_file(template);
        let _ = std::fs::remove_file(&path);
        execute_raw(store, &format!("VACUUM INTO '{}'", path.display())).await.expect("copy the SQLite template");
    }
}

/// A store per backend for the test `name`, holding what the stores of `template` held when
/// they were kept with [`keep_as_template`] in this process, but for the server processes they
/// registered (a copy registers its own, as a fresh database would). SQLite: a copy of the file;
/// PostgreSQL: a freshly migrated schema with every row of the template's tables.
pub async fn copy_stores(template: &str, name: &str) -> Vec<(String, Store)> {
    let path = sqlite_path(name);
    std::fs::copy(template_file(template), &path).expect("copy the SQLite template");
    let sqlite = migrated_sqlite(&path).await;
    execute_raw(&sqlite, "DELETE FROM server_nodes; DELETE FROM sqlite_sequence WHERE name = 'server_nodes'")
        .await
        .expect("forget the template's server processes");
    let mut out = vec![("sqlite".to_string(), sqlite)];
    if let Some(pg) = pg_store(name).await {
        copy_schema(&pg, &pg_schema(template), &pg_schema(name)).await;
        out.push(("postgres".to_string(), pg));
    }
    out
}

/// Replaces the rows of every table of schema `to` (but the migrations and server processes) with
/// those of the same table in schema `from`, and copies the sequences' positions.
async fn copy_schema(store: &Store, from: &str, to: &str) {
    // One statement, reading the catalogue directly: information_schema is slow on a server
    // holding many test schemas.
    let sql = format!(
        "DO $copy$ DECLARE t text; cols text; s record; BEGIN
           FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = '{from}' AND c.relkind = 'r'
                      AND c.relname NOT IN ('seaql_migrations', 'server_nodes') LOOP
             SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols FROM pg_attribute
              WHERE attrelid = format('%I.%I', '{from}', t)::regclass AND attnum > 0
                AND NOT attisdropped AND attgenerated = '';
             EXECUTE format('TRUNCATE %I.%I; INSERT INTO %I.%I (%s) SELECT %s FROM %I.%I',
                            '{to}', t, '{to}', t, cols, cols, '{from}', t);
           END LOOP;
           FOR s IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = '{from}' AND c.relkind = 'S' AND c.relname NOT LIKE 'server_nodes%' LOOP
             EXECUTE format('SELECT setval(%L, last_value, is_called) FROM %I.%I',
                            format('%I.%I', '{to}', s.relname), '{from}', s.relname);
           END LOOP;
         END $copy$"
    );
    execute_raw(store, &sql).await.expect("copy the template's rows");
}

/// The test's own PostgreSQL schema, freshly migrated, or none when the server is unreachable
/// and not required.
async fn pg_store(name: &str) -> Option<Store> {
    let url = std::env::var("SHANZHI_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = pg_schema(name);
    match Store::connect(&url, Some(&schema)).await {
        Ok(pg) => {
            if sweeps(&url) {
                static SWEPT: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
                SWEPT.get_or_init(|| drop_dead_schemas(&pg)).await;
            }
            pg.drop_schema_for_tests(&schema).await.expect("drop the test schema");
            let pg = Store::connect(&url, Some(&schema)).await.expect("reconnect to PostgreSQL");
            pg.migrate().await.expect("migrate PostgreSQL");
            Some(pg.with_data_key(Some(test_key())))
        }
        Err(e) if std::env::var("SHANZHI_REQUIRE_PG").as_deref() == Ok("1") => {
            panic!("PostgreSQL is required here but unreachable: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED PostgreSQL for `{name}`: {e} (set SHANZHI_TEST_PG_URL to run it)");
            None
        }
    }
}

fn pg_schema(name: &str) -> String {
    format!("t_{}_{name}", std::process::id())
}

/// Whether test schemas of ended processes are dropped on the server at `url`: only on one at
/// 127.0.0.1 or localhost, whose test processes are taken to be this machine's (containers that
/// share a server but not their process ids must not be pointed at one this way), and only
/// where /proc tells which processes live.
pub fn sweeps(url: &str) -> bool {
    (url.contains("@127.0.0.1") || url.contains("@localhost")) && std::path::Path::new("/proc/self").exists()
}

/// Whether the test process `pid` (of this machine) is gone, so that what it left may go. Where
/// that cannot be known (no /proc), nothing is taken for gone.
fn gone(pid: &str) -> bool {
    let Ok(pid) = pid.parse::<u32>() else { return false };
    pid != std::process::id()
        && std::path::Path::new("/proc/self").exists()
        && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Drops the test schemas (`t_<pid>_<name>`) of test processes that have ended, so that a
/// developer's server does not fill up with them run after run. Only for a server on this
/// machine, whose test processes are this machine's; another process may be dropping the same
/// schema, so a failure is no matter.
pub async fn drop_dead_schemas(store: &Store) {
    use sea_orm::{ConnectionTrait, Statement};
    let sql = "SELECT nspname FROM pg_namespace WHERE nspname ~ '^t_[0-9]+_'";
    let Ok(rows) = store.db().query_all_raw(Statement::from_string(store.db().get_database_backend(), sql)).await
    else {
        return;
    };
    let names: Vec<String> = rows.iter().filter_map(|r| r.try_get_by_index::<String>(0).ok()).collect();
    for name in names.iter().filter(|n| n.split('_').nth(1).is_some_and(gone)) {
        let _ = store.drop_schema_for_tests(name).await;
    }
}

/// The folder of the test (or template) `name` in this process, made if missing. The first call
/// of a process removes the folders of test processes that have ended.
fn test_dir(name: &str) -> std::path::PathBuf {
    static SWEPT: std::sync::Once = std::sync::Once::new();
    SWEPT.call_once(|| {
        let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
        for e in entries.flatten() {
            let file = e.file_name();
            let pid = file.to_str().and_then(|f| f.strip_prefix("shanzhi-test-")).and_then(|f| f.split('-').next());
            if pid.is_some_and(gone) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    });
    let dir = std::env::temp_dir().join(format!("shanzhi-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the test directory");
    dir
}

/// The test's SQLite file (the file and its WAL removed).
fn sqlite_path(name: &str) -> std::path::PathBuf {
    let path = test_dir(name).join("t.db");
    for end in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{end}", path.display()));
    }
    path
}

fn template_file(template: &str) -> std::path::PathBuf {
    test_dir(template).join("template.db")
}

/// A migrated SQLite store in a fresh file under the temporary directory.
pub async fn sqlite_store(name: &str) -> Store {
    migrated_sqlite(&sqlite_path(name)).await
}

/// The SQLite file at `path`, migrated, sealing with `test_key()`.
async fn migrated_sqlite(path: &std::path::Path) -> Store {
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

/// The first column of the first row of `sql`, as text (empty when there is none or it is null).
pub async fn query_text(store: &Store, sql: &str) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    let row = store.db().query_one_raw(Statement::from_string(store.db().get_database_backend(), sql)).await;
    row.expect("the query runs")
        .and_then(|r| r.try_get_by_index::<Option<String>>(0).ok().flatten())
        .unwrap_or_default()
}
