//! The command line (clap): global options and subcommands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "shanzhi", version, about = "善治 shanzhi: grid-based community governance")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Database URL: sqlite://FILE or postgres://USER@HOST/DB [env: SHANZHI_DB]
    #[arg(long, global = true)]
    pub db: Option<String>,
    /// PostgreSQL schema to keep every table in (default: the search path) [env: SHANZHI_DB_SCHEMA]
    #[arg(long, global = true)]
    pub db_schema: Option<String>,
    /// Configuration file (TOML); default ./shanzhi.toml when present [env: SHANZHI_CONFIG]
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Log as JSON lines [env: SHANZHI_LOG_JSON]
    #[arg(long, global = true)]
    pub log_json: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create ./shanzhi-demo.db with Tangshan's places when absent, then serve it
    Demo {
        /// Address to listen on [default: 127.0.0.1:8080]
        #[arg(long)]
        listen: Option<String>,
        /// Regenerate the demo data even if the database already holds it
        #[arg(long)]
        reload: bool,
        /// Load the demo and exit without serving
        #[arg(long)]
        no_serve: bool,
        /// Cases of history to generate when the demo is loaded (a year; 0: none)
        #[arg(long, default_value_t = 370_000)]
        history: usize,
    },
    /// Serve the API on an existing database
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080]
        #[arg(long)]
        listen: Option<String>,
    },
    /// Apply the database migrations
    Migrate,
    /// Import or export grids as GeoJSON (RFC 7946)
    Grids {
        #[command(subcommand)]
        action: GridsAction,
    },
    /// Import a taxonomy (catalogue of categories and types) as a new version
    Taxonomy {
        #[command(subcommand)]
        action: RefAction,
    },
    /// Import a work calendar as a new version
    Calendar {
        #[command(subcommand)]
        action: RefAction,
    },
    /// Import routing rules (which unit a new case goes to, per area) as a new version
    Routing {
        #[command(subcommand)]
        action: RefAction,
    },
    /// Import the likely-duplicate radius and window per type as a new version
    Duplicates {
        #[command(subcommand)]
        action: RefAction,
    },
    /// Import the assessment weights and grades as a new version
    Assessment {
        #[command(subcommand)]
        action: RefAction,
    },
    /// Import a workflow (a new version of a case kind, or a new kind) as a new version
    Workflow {
        #[command(subcommand)]
        action: RefAction,
    },
    /// Import a register of the grid (people, houses, units, or a new one) as a new version
    Register {
        #[command(subcommand)]
        action: RefAction,
    },
    /// Load driver: POST reports to a running server and measure throughput and latency
    BenchIntake {
        /// Server address (host:port)
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// The reporting account (a grid worker)
        #[arg(long, default_value = "lixin-wangge")]
        user: String,
        /// Its password [default: the demo password]
        #[arg(long)]
        password: Option<String>,
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// Reports per second in all (0: as fast as the server answers)
        #[arg(long, default_value_t = 0)]
        rate: u32,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// API keys for devices and external systems: create (prints the key once), list, revoke
    Apikey {
        #[command(subcommand)]
        action: ApikeyAction,
    },
    /// Print a new random data key (base64) for `data_key` / SHANZHI_DATA_KEY; `datakey reseal`
    /// re-seals personal data sealed with an old key (or none) under the current key
    Datakey {
        #[command(subcommand)]
        action: Option<DatakeyAction>,
    },
    /// The full-text index of cases: rebuild it from the database (stop the server first)
    Search {
        #[command(subcommand)]
        action: SearchAction,
    },
    /// The audit chain: verify every link (exit status 1 if it is broken), or show the latest entries
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Set a user's password (as the operator of the database)
    Passwd {
        username: String,
        /// The new password; read from SHANZHI_NEW_PASSWORD when not given
        #[arg(long)]
        password: Option<String>,
    },
    /// Lift every lock of a name and forget its failed logins, from every address (as the
    /// operator of the database: when the administrator is the one locked out)
    Unlock { username: String },
    /// Report, show and act on cases as an account (the operator of the database may act as anyone)
    Case {
        #[command(subcommand)]
        action: CaseAction,
    },
}

#[derive(Subcommand, Debug)]
pub enum DatakeyAction {
    /// Re-seal, under `data_key`, every value sealed with an old key (listed in `old_data_keys`)
    /// or stored before a key was set, with progress; safe beside a running server and to repeat
    Reseal,
}

#[derive(Subcommand, Debug)]
pub enum SearchAction {
    /// Empty the index in `[search] location` and index every case again, with progress
    Reindex,
}

#[derive(Subcommand, Debug)]
pub enum AuditAction {
    /// Recompute the hash chain from the first entry to the head
    Verify,
    /// Show the latest entries
    Tail {
        #[arg(long, default_value_t = 20)]
        limit: u64,
    },
}

#[derive(Subcommand, Debug)]
pub enum ApikeyAction {
    /// Create a key; it is printed once and stored only as a hash
    Create {
        #[arg(long)]
        name: String,
        /// report (POST /api/v1/cases), read (GET), open311 or full
        #[arg(long)]
        scope: String,
        /// The account the key acts as [default: the account named like the key]
        #[arg(long)]
        user: Option<String>,
    },
    /// List the keys (never the keys themselves)
    List,
    /// Revoke a key by name
    Revoke { name: String },
}

#[derive(Subcommand, Debug)]
pub enum CaseAction {
    /// Report a problem; prints the new case as JSON
    Report {
        /// The account reporting (e.g. lixin-wangge); none: an anonymous resident
        #[arg(long = "as")]
        user: Option<String>,
        #[arg(long, default_value = "event")]
        kind: String,
        /// 4-digit type code
        #[arg(long = "type")]
        type_code: String,
        #[arg(long)]
        description: String,
        #[arg(long, allow_hyphen_values = true)]
        lon: f64,
        #[arg(long, allow_hyphen_values = true)]
        lat: f64,
        #[arg(long, default_value = "wgs84")]
        crs: String,
        /// patrol, resident_web, resident_phone, hotline, device, open311
        #[arg(long, default_value = "resident_web")]
        channel: String,
        /// Makes a retried report safe
        #[arg(long)]
        idempotency_key: Option<String>,
    },
    /// Show a case with its log and the actions the account may take
    Show {
        id: i64,
        #[arg(long = "as")]
        user: Option<String>,
    },
    /// Take an action on a case
    Act {
        id: i64,
        #[arg(long = "as")]
        user: String,
        /// The action (register, file, dispatch, feedback, ...)
        #[arg(long)]
        action: String,
        #[arg(long)]
        opinion: Option<String>,
        /// Primary unit for a dispatch (default: where routing sent the case)
        #[arg(long)]
        unit: Option<String>,
        /// Assisting units
        #[arg(long)]
        assisting: Vec<String>,
        /// Attachment references (evidence)
        #[arg(long)]
        attachment: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum GridsAction {
    /// Validate a FeatureCollection and import it whole, or report every problem and import nothing
    Import { file: PathBuf },
    /// Write every grid as a FeatureCollection (to stdout, or --out FILE)
    Export {
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RefAction {
    /// Validate a TOML file and make it the current version (earlier versions are kept)
    Import { file: PathBuf },
    /// List the stored versions
    List,
}
