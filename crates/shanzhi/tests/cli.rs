//! End to end: the real `shanzhi` binary loads the demo, exports and imports grids, lists
//! reference versions, and serves the API over TCP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_shanzhi")
}

fn workdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shanzhi-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin()).current_dir(dir).env_remove("SHANZHI_DB").args(args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn http_get(addr: &str, path: &str) -> String {
    http(addr, &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"))
}

/// Sends a whole request; answers the whole response.
fn http(addr: &str, request: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut body = String::new();
    s.read_to_string(&mut body).unwrap();
    body
}

#[test]
fn demo_export_import_and_serve() {
    let dir = workdir();
    let _ = std::fs::remove_file(dir.join("shanzhi-demo.db"));

    // The demo creates ./shanzhi-demo.db when absent and loads Tangshan.
    // The administrator's password comes from the environment at first start.
    let out = Command::new(bin())
        .current_dir(&dir)
        .env_remove("SHANZHI_DB")
        .env("SHANZHI_ADMIN_PASSWORD", "Chief#Cli2026")
        .args(["demo", "--no-serve", "--history", "1000"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("10727 grids, 12222 grid workers"), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("1000 cases of history"), "{}", text(&out.stderr));
    assert!(dir.join("shanzhi-demo.db").exists());
    // The demo seals personal data with a key of its own, beside its database.
    assert_eq!(std::fs::read_to_string(dir.join("shanzhi-demo.key")).unwrap().trim().len(), 44);
    let out = run(&dir, &["datakey"]);
    let new_key = text(&out.stdout).trim().to_string();
    assert_eq!(new_key.len(), 44, "{new_key}");
    let db = format!("sqlite://{}", dir.join("shanzhi-demo.db").display());

    let out = run(&dir, &["--db", &db, "migrate"]);
    assert!(text(&out.stdout).contains("applied on sqlite"), "{}", text(&out.stdout));

    let out = run(&dir, &["--db", &db, "grids", "export", "--out", "grids.geojson"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let exported: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("grids.geojson")).unwrap()).unwrap();
    assert_eq!(exported["features"].as_array().unwrap().len(), 10_727);

    std::fs::write(
        dir.join("bad.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"999"},"geometry":{"type":"Polygon","coordinates":[[[118,39],[118.1,39],[118.1,39.1]]]}}]}"#,
    )
    .unwrap();
    let out = run(&dir, &["--db", &db, "grids", "import", "bad.geojson"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("nothing was imported") && err.contains("bad_code") && err.contains("invalid_ring"), "{err}");

    let out = run(&dir, &["--db", &db, "taxonomy", "list"]);
    let listed = text(&out.stdout);
    assert!(listed.starts_with("* taxonomy") && listed.contains("tangshan-2026.1"), "{listed}");

    // A city adds a case kind of its own: a street-stall permit.
    let permit = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/workflows/examples/stall-permit.toml");
    let out = run(&dir, &["--db", &db, "workflow", "import", permit]);
    assert!(out.status.success() && text(&out.stdout).contains("stall-permit-2026.2"), "{}", text(&out.stderr));
    let out = run(&dir, &["--db", &db, "workflow", "list"]);
    let listed = text(&out.stdout);
    assert!(
        listed.contains("workflow:event")
            && listed.contains("workflow:mediation")
            && listed.contains("* workflow:stall_permit"),
        "{listed}"
    );

    // A case from the command line: reported by a grid worker, registered by the intake operator.
    let out = run(
        &dir,
        &[
            "--db",
            &db,
            "case",
            "report",
            "--as",
            "lixin-wangge",
            "--type",
            "0602",
            "--description",
            "暴露垃圾",
            "--lon",
            "118.17",
            "--lat",
            "39.62",
            "--channel",
            "patrol",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let case: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = case["id"].as_i64().unwrap().to_string();
    let out = run(&dir, &["--db", &db, "case", "act", &id, "--as", "shouli", "--action", "register"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(&dir, &["--db", &db, "case", "show", &id, "--as", "zhiban"]);
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["case"]["state"], "pending_filing");
    assert_eq!(shown["log"].as_array().unwrap().len(), 2);
    let out = run(&dir, &["--db", &db, "case", "act", &id, "--as", "shouli", "--action", "file"]);
    assert!(!out.status.success() && text(&out.stderr).contains("may not take `file`"), "{}", text(&out.stderr));

    // An API key for the drone, printed once; the list shows its name, never the key.
    let out = run(&dir, &["--db", &db, "apikey", "create", "--name", "device-drone-01", "--scope", "read"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let key = text(&out.stdout).trim().to_string();
    assert!(key.starts_with("szk_"), "{key}");
    let listed = text(&run(&dir, &["--db", &db, "apikey", "list"]).stdout);
    assert!(listed.contains("device-drone-01") && !listed.contains(&key[4..]), "{listed}");

    // The full-text index, rebuilt from the database with progress: the history and the case above
    // (two pages of the rebuild).
    let out = run(&dir, &["--db", &db, "search", "reindex"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("search index rebuilt") && text(&out.stdout).contains(": 1001 cases"),
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stderr).contains("建立全文索引"), "progress is shown: {}", text(&out.stderr));

    // Serve on a free port and ask for the city.
    let mut child = Command::new(bin())
        .current_dir(&dir)
        .args(["--db", &db, "serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line}"))
        .to_string();
    let city = http_get(&addr, "/api/v1/areas/1302");
    let health = http_get(&addr, "/healthz");
    // The administrator logs in with the password given at first start; the device with its key.
    let login = r#"{"username":"admin","password":"Chief#Cli2026"}"#;
    let admin = http(
        &addr,
        &format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{login}",
            login.len()
        ),
    );
    let me = http(
        &addr,
        &format!("GET /api/v1/auth/me HTTP/1.1\r\nHost: {addr}\r\nX-API-Key: {key}\r\nConnection: close\r\n\r\n"),
    );
    let token = admin.split("\"token\":\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default().to_string();
    // 暴露垃圾, the case reported from the command line, is found by its words.
    let found = http(
        &addr,
        &format!(
            "GET /api/v1/cases?q=%E6%9A%B4%E9%9C%B2%E5%9E%83%E5%9C%BE HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        ),
    );
    child.kill().unwrap();
    assert!(admin.starts_with("HTTP/1.1 200") && admin.contains("\"token\":\"szt_"), "{admin}");
    assert!(found.starts_with("HTTP/1.1 200") && found.contains(&format!("\"id\":\"{id}\"")), "{found}");
    assert!(me.starts_with("HTTP/1.1 200") && me.contains("\"role\":\"device\""), "{me}");

    // Key rotation: the new key seals from now on and the demo's key, kept as an old key, reads
    // what it sealed until `datakey reseal` has moved every row to the new key.
    let old_key = std::fs::read_to_string(dir.join("shanzhi-demo.key")).unwrap().trim().to_string();
    let with_keys = |old: &str, args: &[&str]| {
        Command::new(bin())
            .current_dir(&dir)
            .env_remove("SHANZHI_DB")
            .env("SHANZHI_DATA_KEY", &new_key)
            .env("SHANZHI_OLD_DATA_KEYS", old)
            .args(args)
            .output()
            .unwrap()
    };
    let out = with_keys("", &["--db", &db, "case", "show", &id, "--as", "zhiban"]);
    assert!(!out.status.success(), "the new key alone cannot read the old rows yet");
    let out = with_keys(&old_key, &["--db", &db, "datakey", "reseal"]);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(said.contains("cases: 1001 row(s)") && said.contains("every row is sealed with key"), "{said}");
    let out = with_keys(&old_key, &["--db", &db, "datakey", "reseal"]);
    assert!(text(&out.stdout).contains(": 0 row(s) in"), "a second run finds nothing left: {}", text(&out.stdout));
    let out = with_keys("", &["--db", &db, "case", "show", &id, "--as", "zhiban"]);
    assert!(out.status.success() && text(&out.stdout).contains("暴露垃圾"), "{}", text(&out.stderr));
    let new_id = shanzhi_store::DataKey::from_base64(&new_key).unwrap().id().to_string();
    let bodies = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = shanzhi_store::Store::connect(&db, None).await.unwrap();
        shanzhi_store::testing::raw_strings(&store, "SELECT body FROM case_log").await.unwrap()
    });
    assert!(bodies.iter().all(|b| b.starts_with(&format!("sz1:{new_id}:"))), "every log row under the new key");
    std::fs::write(dir.join("shanzhi-demo.key"), &new_key).unwrap();

    // Every write above is in the audit chain; changing one entry is found.
    let out = run(&dir, &["--db", &db, "audit", "verify"]);
    assert!(out.status.success() && text(&out.stdout).contains("audit chain intact"), "{}", text(&out.stderr));
    let out = run(&dir, &["--db", &db, "audit", "tail", "--limit", "50"]);
    let tail = text(&out.stdout);
    for action in ["case.report", "case.register", "apikey.create", "auth.login", "datakey.reseal"] {
        assert!(tail.contains(action), "{action}: {tail}");
    }
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = shanzhi_store::Store::connect(&db, None).await.unwrap();
        shanzhi_store::testing::execute_raw(&store, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2")
            .await
            .unwrap();
    });
    let out = run(&dir, &["--db", &db, "audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("entry 2 was altered"), "{}", text(&out.stderr));
    child.wait().unwrap();
    assert!(city.starts_with("HTTP/1.1 200"), "{city}");
    assert!(city.contains("\"grids\":10727"), "{city}");
    assert!(health.contains("\"database\":\"sqlite\""), "{health}");
}

/// A start that would go wrong fails before anything is loaded: a first administrator password
/// that breaks the rules, and PostgreSQL without a data key (unless unsealed storage is asked for).
#[test]
fn a_bad_start_fails_before_anything_is_loaded() {
    let dir = workdir().join("preflight");
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("fresh.db").display());
    let started = std::time::Instant::now();
    let out = Command::new(bin())
        .current_dir(&dir)
        .env_remove("SHANZHI_DB")
        .env("SHANZHI_ADMIN_PASSWORD", "short")
        .args(["--db", &db, "demo", "--no-serve", "--history", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("SHANZHI_ADMIN_PASSWORD breaks the password rules") && err.contains("密码至少"), "{err}");
    assert!(!err.contains("Loading the Tangshan demo"), "nothing was loaded: {err}");
    assert!(!dir.join("fresh.db").exists(), "no database was even created");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "it failed at once");

    let pg = std::env::var("SHANZHI_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    if std::env::var("SHANZHI_REQUIRE_PG").as_deref() != Ok("1") {
        eprintln!("SKIPPED the PostgreSQL half: SHANZHI_REQUIRE_PG is not 1 (scripts/test.sh sets it)");
        return;
    }
    let schema = format!("cli_unsealed_{}", std::process::id());
    let pg_run = |env: &[(&str, &str)]| {
        let mut c = Command::new(bin());
        c.current_dir(&dir)
            .env_remove("SHANZHI_DB")
            .env_remove("SHANZHI_DATA_KEY")
            .env_remove("SHANZHI_ADMIN_PASSWORD");
        for (k, v) in env {
            c.env(k, v);
        }
        c.args(["--db", &pg, "--db-schema", &schema, "apikey", "list"]).output().unwrap()
    };
    let out = pg_run(&[]);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("SHANZHI_ALLOW_UNSEALED=true"), "{}", text(&out.stderr));
    let out = pg_run(&[("SHANZHI_ALLOW_UNSEALED", "true")]);
    assert!(out.status.success(), "unsealed on purpose: {}", text(&out.stderr));
    let key = text(&run(&dir, &["datakey"]).stdout).trim().to_string();
    let out = pg_run(&[("SHANZHI_DATA_KEY", &key)]);
    assert!(out.status.success(), "sealed: {}", text(&out.stderr));
    let _ = Command::new("psql").args([&pg, "-q", "-c", &format!("DROP SCHEMA IF EXISTS {schema} CASCADE")]).output();
}
