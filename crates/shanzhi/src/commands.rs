//! What each subcommand does: open the store, call the application, print the outcome.

use std::sync::Arc;

use anyhow::{Context, bail};
use shanzhi_app::clock::SystemClock;
use shanzhi_app::{App, AppError};
use shanzhi_demo::DemoConfig;
use shanzhi_store::{DataKey, ReferenceKind, Store};

use crate::cli::{
    ApikeyAction, AuditAction, CaseAction, Cli, Command, DatakeyAction, GridsAction, RefAction, SearchAction,
};
use crate::config::Config;
use crate::progress;

/// The data key from the configuration; for the demo's database (a SQLite file named
/// `shanzhi-demo.db`) with none given, the demo's own key in `shanzhi-demo.key` beside it, made
/// on first use. Then the old keys, kept for reading what they sealed.
fn data_keys(cfg: &Config) -> anyhow::Result<(Option<DataKey>, Vec<DataKey>)> {
    let old =
        cfg.old_data_keys.iter().map(|k| DataKey::from_base64(k).map_err(|e| anyhow::anyhow!("old_data_keys: {e}")));
    Ok((data_key(cfg)?, old.collect::<anyhow::Result<_>>()?))
}

fn data_key(cfg: &Config) -> anyhow::Result<Option<DataKey>> {
    let text = match (&cfg.data_key, demo_key_file(&cfg.db)) {
        (Some(k), _) => k.clone(),
        (None, None) => return Ok(None),
        (None, Some(path)) => {
            if !path.exists() {
                write_private(&path, &DataKey::generate()).with_context(|| format!("writing {}", path.display()))?;
            }
            std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?
        }
    };
    Ok(Some(DataKey::from_base64(&text).map_err(|e| anyhow::anyhow!("data_key: {e}"))?))
}

fn demo_key_file(db: &str) -> Option<std::path::PathBuf> {
    let file = std::path::Path::new(db.strip_prefix("sqlite://")?.split('?').next()?);
    (file.file_name()? == "shanzhi-demo.db").then(|| file.with_file_name("shanzhi-demo.key"))
}

/// Writes a file only its owner may read.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

/// What must hold before anything is opened, loaded or served, so that a command fails at once
/// instead of after minutes of work: the administrator's first password (from the environment)
/// keeps the password rules, and personal data on PostgreSQL is sealed unless told otherwise.
fn preflight(cfg: &Config, key: Option<&DataKey>) -> anyhow::Result<()> {
    if let Ok(pw) = std::env::var("SHANZHI_ADMIN_PASSWORD")
        && let Err(m) = cfg.login.check_password("admin", &pw)
    {
        anyhow::bail!("SHANZHI_ADMIN_PASSWORD breaks the password rules: {}（{}）; nothing was loaded", m.en, m.zh);
    }
    if cfg.db.starts_with("postgres") && key.is_none() && !cfg.allow_unsealed {
        anyhow::bail!(
            "no data_key is set, so personal data would be stored unsealed on PostgreSQL: give one as \
             SHANZHI_DATA_KEY (`shanzhi datakey` prints a new key), or set SHANZHI_ALLOW_UNSEALED=true \
             (allow_unsealed = true) to store it unsealed on purpose（未配置数据密钥，个人信息将以明文存入 \
             PostgreSQL：请设置 SHANZHI_DATA_KEY，或明确设置 SHANZHI_ALLOW_UNSEALED=true）"
        );
    }
    Ok(())
}

async fn open(cfg: &Config) -> anyhow::Result<App> {
    let (key, old) = data_keys(cfg)?;
    preflight(cfg, key.as_ref())?;
    let store = Store::connect(&cfg.db, cfg.db_schema.as_deref()).await.context("opening the database")?;
    let store = store.with_data_keys(key, old);
    store.migrate().await.context("applying migrations")?;
    let files = shanzhi_app::files::Files::open(&cfg.files.location, cfg.files.policy.clone()).map_err(explain)?;
    cfg.map.check().map_err(anyhow::Error::msg)?;
    let app = App::open(store, Arc::new(SystemClock))
        .await
        .map_err(explain)?
        .with_login_policy(cfg.login)
        .with_files(files)
        .with_base_map(cfg.map.clone());
    bootstrap_admin(&app).await?;
    Ok(app)
}

/// The application with its full-text index (for the commands that serve or rebuild it; the
/// others leave the index to the server that holds it).
async fn open_with_search(cfg: &Config) -> anyhow::Result<App> {
    let app = open(cfg).await?;
    let folder = cfg.search.location.clone();
    let index = tokio::task::spawn_blocking(move || shanzhi_search::SearchIndex::open(&folder))
        .await?
        .with_context(|| format!("opening the search index in {}", cfg.search.location.display()))?;
    Ok(app.with_search(index))
}

/// Builds the index from the cases, with a progress bar.
async fn build_search(app: &App) -> anyhow::Result<u64> {
    let mut report = progress::reporter();
    let n = app
        .rebuild_search(move |done, total| report("search", done as usize, total as usize))
        .await
        .map_err(explain)?;
    app.catch_up_search().await.map_err(explain)?;
    Ok(n)
}

/// The administrator's first password comes from the environment (never from a file), once.
async fn bootstrap_admin(app: &App) -> anyhow::Result<()> {
    if let Ok(pw) = std::env::var("SHANZHI_ADMIN_PASSWORD")
        && app.bootstrap_admin(&pw).await.map_err(explain)?
    {
        eprintln!("admin: password set from SHANZHI_ADMIN_PASSWORD");
    }
    Ok(())
}

/// Gives the demo's accounts the demo password where they have none (a fresh load, or a
/// database loaded before accounts existed); a password someone changed is kept.
async fn demo_passwords(app: &App, password: &str) -> anyhow::Result<()> {
    let missing = app.users_without_password().await.map_err(explain)?;
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(String::as_str).collect();
        app.set_shared_password(&names, password).await.map_err(explain)?;
    }
    Ok(())
}

/// Turns an application error into a message for a person at a terminal.
fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Rejected { problems } => {
            let mut msg = format!("rejected, nothing was imported: {} problem(s)\n", problems.len());
            for p in problems {
                let at = p.feature.map(|f| format!("feature {f}")).unwrap_or_else(|| "file".into());
                let code = p.code.map(|c| format!(" ({c})")).unwrap_or_default();
                msg.push_str(&format!("  {at}{code}: [{}] {}\n", p.kind, p.message));
            }
            anyhow::anyhow!(msg)
        }
        other => anyhow::anyhow!(other.to_string()),
    }
}

pub async fn run(cli: Cli, cfg: Config) -> anyhow::Result<()> {
    match cli.command {
        Command::Migrate => {
            let store = Store::connect(&cfg.db, cfg.db_schema.as_deref()).await?;
            store.migrate().await?;
            let (applied, _) = store.migration_status().await?;
            println!("{} migration(s) applied on {}: {}", applied.len(), store.backend(), applied.join(", "));
        }
        Command::Serve { .. } => {
            let app = open_with_search(&cfg).await?;
            if app.places().grids.is_empty() {
                eprintln!(
                    "note: the database holds no grids yet; `shanzhi grids import FILE` or `shanzhi demo` loads some"
                );
            }
            serve(app, &cfg, None).await?;
        }
        Command::Demo { reload, no_serve, history, .. } => {
            let app = open_with_search(&cfg).await?;
            if reload || app.places().grids.is_empty() {
                eprintln!("正在载入唐山示范数据 Loading the Tangshan demo into {} …", cfg.db);
                let started = std::time::Instant::now();
                app.clear_cases().await.map_err(explain)?;
                let loaded = app.load_demo(DemoConfig::default(), progress::reporter()).await.map_err(explain)?;
                let cases = if history > 0 {
                    let cfg = app.demo_history(history);
                    app.load_history(cfg, progress::reporter()).await.map_err(explain)?
                } else {
                    0
                };
                eprintln!(
                    "载入完成 loaded in {:.1} s: {} divisions, {} grids, {} grid workers, {} buildings, {} units, {} register records, {} cases of history",
                    started.elapsed().as_secs_f64(),
                    loaded.divisions,
                    loaded.grids,
                    loaded.workers,
                    loaded.buildings,
                    loaded.units,
                    loaded.records,
                    cases
                );
                let n = build_search(&app).await?;
                eprintln!("全文索引完成 search index built: {n} cases");
            }
            bootstrap_admin(&app).await?;
            demo_passwords(&app, &cfg.demo_password).await?;
            if !no_serve {
                let users = app.all_users().await.map_err(explain)?;
                let mut banner = format!(
                    "示范账号 Demo accounts (POST /api/v1/auth/login; password 密码: {}, unless changed):\n",
                    cfg.demo_password
                );
                for u in users {
                    banner.push_str(&format!(
                        "  {:20} {:18} {} @ {}\n",
                        u.username,
                        u.role.name_zh(),
                        u.display_name,
                        u.unit
                    ));
                }
                serve(app, &cfg, Some(banner)).await?;
            }
        }
        Command::Grids { action } => {
            let app = open(&cfg).await?;
            match action {
                GridsAction::Import { file } => {
                    let text = tokio::fs::read_to_string(&file)
                        .await
                        .with_context(|| format!("reading {}", file.display()))?;
                    let done = app.reference_data().import_grids(text).await.map_err(explain)?;
                    println!("imported {} grid(s) from {}", done.items, file.display());
                }
                GridsAction::Export { out } => {
                    let text = app.reference_data().export_grids();
                    match out {
                        Some(path) => {
                            tokio::fs::write(&path, text).await?;
                            eprintln!("wrote {} grid(s) to {}", app.places().grids.len(), path.display());
                        }
                        None => {
                            use tokio::io::AsyncWriteExt;
                            let mut stdout = tokio::io::stdout();
                            stdout.write_all(text.as_bytes()).await?;
                            stdout.flush().await?;
                        }
                    }
                }
            }
        }
        Command::Taxonomy { action } => reference(&cfg, "taxonomy", action).await?,
        Command::Calendar { action } => reference(&cfg, "calendar", action).await?,
        Command::Routing { action } => reference(&cfg, "routing", action).await?,
        Command::Duplicates { action } => reference(&cfg, "duplicates", action).await?,
        Command::Assessment { action } => reference(&cfg, "assessment", action).await?,
        Command::Workflow { action } => reference(&cfg, "workflow", action).await?,
        Command::Register { action } => reference(&cfg, "register", action).await?,
        Command::Case { action } => case(&cfg, action).await?,
        Command::Apikey { action } => {
            let app = open(&cfg).await?;
            match action {
                ApikeyAction::Create { name, scope, user } => {
                    let user = match user {
                        Some(u) => u,
                        None if app.user(&name).is_some() => name.clone(),
                        None => bail!("name the account the key acts as with --user (no account is called `{name}`)"),
                    };
                    let key = app.create_api_key("operator", &name, &user, &scope).await.map_err(explain)?;
                    eprintln!(
                        "API key `{name}` acting as {user} with scope {scope} (shown only now; send it as X-API-Key):"
                    );
                    println!("{key}");
                }
                ApikeyAction::List => {
                    for k in app.api_keys().await.map_err(explain)? {
                        println!(
                            "{:24} {:20} {:8} created {}{}",
                            k.name,
                            k.username,
                            k.scope,
                            k.created_at.format("%Y-%m-%d %H:%M"),
                            k.revoked_at
                                .map(|t| format!(", revoked {}", t.format("%Y-%m-%d %H:%M")))
                                .unwrap_or_default()
                        );
                    }
                }
                ApikeyAction::Revoke { name } => {
                    app.revoke_api_key("operator", &name).await.map_err(explain)?;
                    println!("API key `{name}` revoked");
                }
            }
        }
        Command::Datakey { action: Some(DatakeyAction::Reseal) } => {
            let app = open(&cfg).await?;
            let started = std::time::Instant::now();
            let mut report = progress::reporter();
            let done = app.reseal(move |table, done, total| report(table, done as usize, total as usize)).await;
            let done = done.map_err(explain)?;
            for (table, n) in &done.tables {
                println!("{table}: {n} row(s) re-sealed");
            }
            println!(
                "personal data re-sealed with data key {}: {} row(s) in {:.1} s",
                done.key,
                done.rows(),
                started.elapsed().as_secs_f64()
            );
            if done.remaining > 0 {
                bail!(
                    "{} row(s) are still not sealed with key {}: a server still seals with an old key \
                     (restart every server with the new data_key), or rows changed during the run; run it again",
                    done.remaining,
                    done.key
                );
            }
            println!("every row is sealed with key {}: the old keys can now be dropped from old_data_keys", done.key);
        }
        Command::Datakey { action: None } => {
            println!("{}", DataKey::generate());
            eprintln!(
                "Give it to the server as SHANZHI_DATA_KEY (or `data_key` in the configuration), and keep a copy:"
            );
            eprintln!("personal data sealed with it cannot be read without it.");
        }
        Command::Search { action: SearchAction::Reindex } => {
            let app = open_with_search(&cfg).await?;
            let started = std::time::Instant::now();
            let n = build_search(&app).await?;
            println!(
                "search index rebuilt in {} from {}: {n} cases ({:.1} s)",
                cfg.search.location.display(),
                cfg.db,
                started.elapsed().as_secs_f64()
            );
        }
        Command::Audit { action } => {
            let app = open(&cfg).await?;
            match action {
                AuditAction::Verify => {
                    let bar = indicatif::ProgressBar::new_spinner();
                    let report =
                        app.verify_audit(|n| bar.set_message(format!("{n} entries checked"))).await.map_err(explain)?;
                    bar.finish_and_clear();
                    match report.broken {
                        None => println!(
                            "audit chain intact: {} entries, every link and the head check out",
                            report.entries
                        ),
                        Some(b) => {
                            eprintln!("audit chain BROKEN after {} good entries: {b}", report.entries);
                            std::process::exit(1);
                        }
                    }
                }
                AuditAction::Tail { limit } => {
                    for e in app.audit_tail(limit).await.map_err(explain)? {
                        println!(
                            "{:>8} {} {:20} {:24} {:24} {}",
                            e.seq,
                            e.at.format("%Y-%m-%d %H:%M:%S"),
                            e.actor,
                            e.action,
                            e.target,
                            e.detail
                        );
                    }
                }
            }
        }
        Command::Passwd { username, password } => {
            let app = open(&cfg).await?;
            let pw = match password.or_else(|| std::env::var("SHANZHI_NEW_PASSWORD").ok()) {
                Some(p) => p,
                None => bail!("give --password or set SHANZHI_NEW_PASSWORD"),
            };
            app.set_password(&username, &pw).await.map_err(explain)?;
            println!("password of {username} changed");
        }
        Command::Unlock { username } => {
            let app = open(&cfg).await?;
            let n = app.accounts().unlock_as_operator(&username).await.map_err(explain)?;
            println!("{username}: {n} lock entries cleared");
        }
        Command::BenchIntake { addr, user, password, connections, rate, seconds } => {
            let token = crate::loadtest::login(&addr, &user, password.as_deref().unwrap_or(&cfg.demo_password)).await?;
            let plan = crate::loadtest::Plan {
                addr,
                token,
                connections: connections.max(1),
                rate,
                duration: std::time::Duration::from_secs(seconds.max(1)),
            };
            let mode = if rate == 0 { "closed loop".to_string() } else { format!("open loop at {rate}/s") };
            eprintln!("intake load: {} connections, {mode}, {} s against {}", plan.connections, seconds, plan.addr);
            let bar = indicatif::ProgressBar::new(seconds.max(1));
            let out = crate::loadtest::run(plan, |t| bar.set_position(t.as_secs())).await?;
            bar.finish_and_clear();
            println!(
                "created {} reports in {:.1} s: {:.0} reports/s; errors {}; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                out.created,
                out.elapsed.as_secs_f64(),
                out.per_second(),
                out.errors,
                out.percentile(0.50).as_secs_f64() * 1e3,
                out.percentile(0.99).as_secs_f64() * 1e3,
                out.latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
            );
        }
    }
    Ok(())
}

async fn reference(cfg: &Config, kind: &str, action: RefAction) -> anyhow::Result<()> {
    let app = open(cfg).await?;
    match action {
        RefAction::Import { file } => {
            let text = tokio::fs::read_to_string(&file).await.with_context(|| format!("reading {}", file.display()))?;
            let done = app.reference_data().import(kind, &text).await.map_err(explain)?;
            println!("{kind} version {} is now current ({} items)", done.version, done.items);
        }
        RefAction::List => {
            let kinds = match kind {
                "taxonomy" => vec![ReferenceKind::Taxonomy],
                "calendar" => vec![ReferenceKind::Calendar],
                "routing" => vec![ReferenceKind::Routing],
                "duplicates" => vec![ReferenceKind::Duplicates],
                "assessment" => vec![ReferenceKind::Assessment],
                "register" => {
                    app.register_keys().await.map_err(explain)?.into_iter().map(ReferenceKind::Register).collect()
                }
                _ => app.workflow_kinds().await.map_err(explain)?.into_iter().map(ReferenceKind::Workflow).collect(),
            };
            for k in kinds {
                for r in app.references(k.clone()).await.map_err(explain)? {
                    println!(
                        "{}{:24} {:32} imported {}",
                        if r.is_current { "* " } else { "  " },
                        k.key(),
                        r.version,
                        r.imported_at.format("%Y-%m-%d %H:%M:%S UTC")
                    );
                }
            }
        }
    }
    Ok(())
}

async fn serve(app: App, cfg: &Config, banner: Option<String>) -> anyhow::Result<()> {
    let listen = cfg.listen.as_str();
    match app.data_key_id() {
        Some(id) => tracing::info!(key = id, "personal data is sealed with data key {id}"),
        None => eprintln!(
            "warning: no data_key is set, so personal data is stored unsealed (`shanzhi datakey` prints a key)"
        ),
    }
    // Hourly: idempotency answers older than `idempotency_days` (0: kept) and stale failed logins.
    tokio::spawn(forget_keys_forever(app.clone(), cfg.idempotency_days));
    if cfg.sweep_interval_secs > 0 {
        tokio::spawn(sweep_forever(app.clone(), std::time::Duration::from_secs(cfg.sweep_interval_secs)));
    }
    if app.search_needs_build() {
        eprintln!("建立全文索引 building the search index in {} …", cfg.search.location.display());
        build_search(&app).await?;
    }
    tokio::spawn(app.clone().follow_search(std::time::Duration::from_secs(cfg.search.follow_secs.max(1))));
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    println!(
        "善治 shanzhi serving {} grids at http://{addr}/ (API: http://{addr}/api/v1/, OpenAPI: http://{addr}/openapi.json)",
        app.places().grids.len()
    );
    if let Some(b) = banner {
        print!("{b}");
    }
    let router = shanzhi_api::router_with(app, cfg.limits.clone());
    shanzhi_api::serve(listener, router, cfg.limits.clone(), shutdown()).await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn case(cfg: &Config, action: CaseAction) -> anyhow::Result<()> {
    use shanzhi_app::cases::ReportInput;
    use shanzhi_domain::cases::case::Assignment;
    use shanzhi_domain::cases::engine::Command as CaseCommand;
    let app = open(cfg).await?;
    let json = match action {
        CaseAction::Report { user, kind, type_code, description, lon, lat, crs, channel, idempotency_key } => {
            let actor = app.actor(user.as_deref()).await.map_err(explain)?;
            let input = ReportInput {
                kind,
                type_code,
                description,
                lon: Some(lon),
                lat: Some(lat),
                crs: Some(crs),
                channel,
                attachments: Vec::new(),
                fields: Default::default(),
            };
            serde_json::to_string_pretty(
                &app.cases().report(input, &actor, idempotency_key.as_deref()).await.map_err(explain)?,
            )?
        }
        CaseAction::Show { id, user } => {
            let actor = app.actor(user.as_deref()).await.map_err(explain)?;
            serde_json::to_string_pretty(&app.cases().detail(id, &actor, None).await.map_err(explain)?)?
        }
        CaseAction::Act { id, user, action, opinion, unit, assisting, attachment } => {
            let actor = app.actor(Some(&user)).await.map_err(explain)?;
            let units = unit.map(|primary| Assignment { primary, assisting });
            let command = CaseCommand { action, opinion, units, attachments: attachment, ..Default::default() };
            serde_json::to_string_pretty(&app.cases().act(id, command, &actor).await.map_err(explain)?)?
        }
    };
    println!("{json}");
    Ok(())
}

/// Forgets idempotency keys older than `days` days, at start and then hourly.
async fn forget_keys_forever(app: App, days: u32) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match app.forget_old_keys(days).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(forgotten = n, days, "idempotency keys forgotten"),
            Err(e) => tracing::warn!(error = %e, "forgetting old idempotency keys failed"),
        }
        match app.forget_old_login_failures().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(forgotten = n, "failed logins forgotten"),
            Err(e) => tracing::warn!(error = %e, "forgetting old failed logins failed"),
        }
    }
}

/// The deadline sweep, every `every`, for as long as the server runs. Safe beside other server
/// processes on the same database: each case is saved with a version check.
async fn sweep_forever(app: App, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        match app.sweep_once(500).await {
            Ok(r) if r.swept > 0 || r.lost_races > 0 => {
                tracing::info!(due = r.due, swept = r.swept, lost_races = r.lost_races, "deadline sweep")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "deadline sweep failed"),
        }
    }
}
