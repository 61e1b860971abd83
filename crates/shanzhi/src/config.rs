//! Configuration, layered: defaults → TOML file → SHANZHI_* environment → command-line flags.

use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::cli::{Cli, Command};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// Database URL.
    pub db: String,
    /// PostgreSQL schema, if any.
    pub db_schema: Option<String>,
    pub listen: String,
    pub log_json: bool,
    /// Log filter (tracing EnvFilter syntax).
    pub log: String,
    /// Seconds between deadline sweeps in `serve`/`demo` (0: no sweep in this process).
    pub sweep_interval_secs: u64,
    /// Days an idempotency key's answer is kept for retries (and an Open311 token finds its
    /// request); older ones are forgotten hourly. 0: kept for ever.
    pub idempotency_days: u32,
    /// The password the demo gives its printed accounts (on loading, or when one has none).
    pub demo_password: String,
    /// Lockout, token lifetime and password rules (`[login]` in the TOML file).
    pub login: shanzhi_domain::accounts::LoginPolicy,
    /// Logins and anonymous reports per minute per client address, counted by each server or,
    /// with `shared = true`, in the database for all servers together; connection caps and
    /// trusted proxies (`[limits]`).
    pub limits: shanzhi_api::Limits,
    /// Where attachments are kept and what is accepted (`[files]`, `[files.policy]`).
    pub files: FilesConfig,
    /// The full-text index (`[search]`).
    pub search: SearchConfig,
    /// The console's base map (`[map]`): none by default (outlines on a plain background, nothing
    /// from the internet); a tile URL and its datum otherwise.
    pub map: shanzhi_app::map::BaseMap,
    /// The key (32 bytes, base64; `shanzhi datakey` prints a new one) that seals personal data
    /// at rest. Best given as `SHANZHI_DATA_KEY` rather than written in a file. The demo makes
    /// its own (`shanzhi-demo.key`) when none is given.
    pub data_key: Option<String>,
    /// Keys that sealed data before `data_key` replaced them: kept for reading until
    /// `shanzhi datakey reseal` has moved everything to `data_key`. A list in the file, or
    /// `SHANZHI_OLD_DATA_KEYS` with the keys separated by commas.
    #[serde(deserialize_with = "key_list")]
    pub old_data_keys: Vec<String>,
    /// On PostgreSQL (a shared server, backed up elsewhere), personal data is stored only sealed:
    /// without `data_key` the commands refuse to start, unless this says on purpose that it may
    /// be stored unsealed (`SHANZHI_ALLOW_UNSEALED=true`).
    #[serde(default)]
    pub allow_unsealed: bool,
}

/// A list of keys, or one text with keys separated by commas or spaces (from the environment).
fn key_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Keys {
        Many(Vec<String>),
        One(String),
    }
    let keys = match Keys::deserialize(d)? {
        Keys::Many(v) => v,
        Keys::One(s) => vec![s],
    };
    Ok(keys
        .iter()
        .flat_map(|k| k.split(|c: char| c == ',' || c.is_whitespace()))
        .filter(|k| !k.is_empty())
        .map(String::from)
        .collect())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchConfig {
    /// The index's own folder (relative to the working directory, or absolute); each server
    /// process keeps its own index, which follows the shared database.
    pub location: PathBuf,
    /// Seconds between catching up with the case log while serving (a search also catches up).
    pub follow_secs: u64,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig { location: "shanzhi-search".into(), follow_secs: 2 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct FilesConfig {
    /// A folder (relative to the working directory, or absolute), or `s3://bucket/prefix` in a
    /// build with the `s3` feature.
    pub location: String,
    pub policy: shanzhi_domain::attachments::FilePolicy,
}

impl Default for FilesConfig {
    fn default() -> Self {
        FilesConfig { location: "shanzhi-files".into(), policy: Default::default() }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            db: "sqlite://shanzhi.db".into(),
            db_schema: None,
            listen: "127.0.0.1:8080".into(),
            log_json: false,
            log: "info,sqlx=warn,sea_orm=warn".into(),
            sweep_interval_secs: 30,
            idempotency_days: 30,
            demo_password: "Shanzhi@2026".into(),
            login: Default::default(),
            limits: Default::default(),
            files: Default::default(),
            search: Default::default(),
            map: Default::default(),
            data_key: None,
            old_data_keys: Vec::new(),
            allow_unsealed: false,
        }
    }
}

/// Flags that were given, as a partial layer.
#[derive(Serialize, Default)]
struct Flags {
    #[serde(skip_serializing_if = "Option::is_none")]
    db: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    db_schema: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    log_json: Option<bool>,
}

pub fn load(cli: &Cli) -> anyhow::Result<Config> {
    let mut defaults = Config::default();
    if matches!(cli.command, Command::Demo { .. }) {
        defaults.db = "sqlite://shanzhi-demo.db".into();
        defaults.files.location = "shanzhi-demo-files".into();
        defaults.search.location = "shanzhi-demo-search".into();
    }
    let file = cli
        .global
        .config
        .clone()
        .or_else(|| std::env::var_os("SHANZHI_CONFIG").map(PathBuf::from))
        .or_else(|| Some(PathBuf::from("shanzhi.toml")).filter(|p| p.exists()));
    let listen = match &cli.command {
        Command::Demo { listen, .. } | Command::Serve { listen } => listen.clone(),
        _ => None,
    };
    let flags = Flags {
        db: cli.global.db.clone(),
        db_schema: cli.global.db_schema.clone(),
        listen,
        log_json: cli.global.log_json.then_some(true),
    };
    let mut fig = Figment::from(Serialized::defaults(defaults));
    if let Some(f) = file {
        if !f.exists() {
            anyhow::bail!("configuration file {} does not exist", f.display());
        }
        fig = fig.merge(Toml::file(f));
    }
    let cfg: Config = fig
        .merge(Env::prefixed("SHANZHI_").ignore(&["config", "admin_password"]))
        .merge(Serialized::defaults(flags))
        .extract()?;
    Ok(cfg)
}

pub fn init_logging(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SHANZHI_LOG_FILTER")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&cfg.log));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if cfg.log_json { builder.json().init() } else { builder.init() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn layers_apply_in_order_defaults_file_env_flags() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "c.toml",
                "db = \"sqlite://from-file.db\"\nlisten = \"127.0.0.1:9000\"\nlog_json = true\n",
            )?;
            let cli = Cli::parse_from(["shanzhi", "--config", "c.toml", "serve"]);
            let c = load(&cli).unwrap();
            assert_eq!(
                (c.db.as_str(), c.listen.as_str(), c.log_json),
                ("sqlite://from-file.db", "127.0.0.1:9000", true)
            );
            jail.set_env("SHANZHI_DB", "sqlite://from-env.db");
            let c = load(&cli).unwrap();
            assert_eq!(c.db, "sqlite://from-env.db");
            assert_eq!(c.listen, "127.0.0.1:9000");
            let cli = Cli::parse_from([
                "shanzhi",
                "--config",
                "c.toml",
                "--db",
                "sqlite://flag.db",
                "serve",
                "--listen",
                "127.0.0.1:1",
            ]);
            let c = load(&cli).unwrap();
            assert_eq!((c.db.as_str(), c.listen.as_str()), ("sqlite://flag.db", "127.0.0.1:1"));
            Ok(())
        });
    }

    #[test]
    fn old_data_keys_come_as_a_list_or_as_text() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("c.toml", "old_data_keys = [\"a2V5MQ==\", \"a2V5Mg==\"]\n")?;
            let cli = Cli::parse_from(["shanzhi", "--config", "c.toml", "serve"]);
            assert_eq!(load(&cli).unwrap().old_data_keys, ["a2V5MQ==", "a2V5Mg=="]);
            jail.set_env("SHANZHI_OLD_DATA_KEYS", "k+1/A=, k+2/B=");
            assert_eq!(load(&cli).unwrap().old_data_keys, ["k+1/A=", "k+2/B="]);
            Ok(())
        });
    }

    #[test]
    fn limits_are_shared_through_the_database_when_the_file_says_so() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("c.toml", "[limits]\nshared = true\nlogins_per_minute = 10\n")?;
            let limits = load(&Cli::parse_from(["shanzhi", "--config", "c.toml", "serve"])).unwrap().limits;
            assert_eq!((limits.shared, limits.logins_per_minute, limits.anonymous_reports_per_minute), (true, 10, 60));
            assert!(
                !load(&Cli::parse_from(["shanzhi", "serve"])).unwrap().limits.shared,
                "each server counts alone by default"
            );
            Ok(())
        });
    }

    #[test]
    fn the_demo_defaults_to_its_own_file() {
        figment::Jail::expect_with(|_| {
            let c = load(&Cli::parse_from(["shanzhi", "demo"])).unwrap();
            assert_eq!(c.db, "sqlite://shanzhi-demo.db");
            assert_eq!(c.listen, "127.0.0.1:8080");
            Ok(())
        });
    }
}
