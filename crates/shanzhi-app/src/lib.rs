//! shanzhi-app: the use cases of shanzhi over the domain and the store: loading the demo,
//! locating points, summarising areas, importing reference data and grids. Owns the clock.

pub mod admin;
pub mod auth;
pub mod cases;
pub mod clock;
mod datakeys;
pub mod demo;
mod error;
pub mod events;
pub mod export;
mod export_stats;
pub mod field_filter;
pub mod files;
pub mod follow;
pub mod history;
pub mod imports;
mod intake;
mod kept;
pub mod live;
pub mod map;
pub mod open311;
mod operator;
pub mod places;
pub mod rates;
pub mod reference;
pub mod register_sheets;
pub mod registers;
pub mod reindex;
pub mod scopes;
pub mod search;
pub mod stats;
pub mod todo;
pub mod visits;

pub use error::AppError;

use std::sync::{Arc, RwLock};

use shanzhi_domain::calendar::WorkCalendar;
use shanzhi_domain::cases::routing::RoutingRules;
use shanzhi_domain::cases::workflow::Workflow;
use shanzhi_domain::org::Departments;
use shanzhi_domain::taxonomy::Taxonomy;
use shanzhi_store::Store;

use crate::clock::Clock;
use crate::places::Places;

/// Reference data in force, parsed once.
pub struct Reference {
    pub departments: Departments,
    pub taxonomy: Taxonomy,
    pub calendar: WorkCalendar,
    /// Workflows by kind (`event`, …).
    pub workflows: std::collections::HashMap<String, Workflow>,
    pub routing: RoutingRules,
    pub duplicates: shanzhi_domain::cases::duplicates::DuplicateRules,
    pub assessment: shanzhi_domain::cases::figures::assessment::Assessment,
    /// The registers of the grid by key (`person`, `house`, `org`, …).
    pub registers: std::collections::BTreeMap<String, shanzhi_domain::registers::Register>,
}

/// The application: a store, a clock, and the in-memory views rebuilt when their data changes.
#[derive(Clone)]
pub struct App {
    store: Store,
    clock: Arc<dyn Clock>,
    ids: Arc<clock::IdGen>,
    intake: intake::Intake,
    /// Accounts by username, reloaded with the places.
    users: Arc<RwLock<Arc<std::collections::HashMap<String, shanzhi_domain::people::User>>>>,
    places: Arc<RwLock<Arc<Places>>>,
    reference: Arc<RwLock<Arc<Reference>>>,
    auth: Arc<auth::AuthState>,
    login_policy: shanzhi_domain::accounts::LoginPolicy,
    /// Where attachments are kept (none: uploads answer `Unavailable`).
    files: Option<Arc<files::Files>>,
    /// The live event feed of this process.
    feed: Arc<events::Feed>,
    /// The full-text index of this process (none: searches answer `Unavailable`).
    search: Option<Arc<search::Search>>,
    /// The base map the console draws outlines on.
    base_map: Arc<map::BaseMap>,
}

impl App {
    /// Opens the application over a migrated store: reads places and the current reference data
    /// (the shipped files where none was imported yet).
    pub async fn open(store: Store, clock: Arc<dyn Clock>) -> Result<App, AppError> {
        let reference = reference::load_current(&store, clock.now()).await?;
        filter_fields_of(&store, &reference);
        // Work a migration left (derived columns filled from bodies only the data key opens).
        for (task, changed) in store
            .run_store_tasks(&mut |task, n| {
                if n % 10_000 == 0 {
                    tracing::info!(task, cases = n, "store task running");
                }
            })
            .await?
        {
            tracing::info!(task, changed, "store task done");
        }
        let places = Places::build(store.load_places().await?)?;
        let intake = intake::Intake::start(store.clone());
        let host = std::env::var("HOSTNAME").unwrap_or_default();
        let node = store.register_node(&format!("{host} pid {}", std::process::id()), clock.now()).await?;
        let users = store.load_users().await?.into_iter().map(|u| (u.username.clone(), u)).collect();
        Ok(App {
            users: Arc::new(RwLock::new(Arc::new(users))),
            store,
            ids: Arc::new(clock::IdGen::new(clock.now(), node as u64)),
            intake,
            clock,
            places: Arc::new(RwLock::new(Arc::new(places))),
            reference: Arc::new(RwLock::new(Arc::new(reference))),
            auth: Arc::default(),
            login_policy: Default::default(),
            files: None,
            feed: Default::default(),
            search: None,
            base_map: Default::default(),
        })
    }

    /// The same application with another login policy (lockout, token lifetime, passwords).
    /// The attachment store (the binary sets it from `[files]`).
    pub fn with_files(mut self, files: files::Files) -> App {
        self.files = Some(Arc::new(files));
        self
    }

    pub fn with_login_policy(mut self, policy: shanzhi_domain::accounts::LoginPolicy) -> App {
        self.login_policy = policy;
        self
    }

    /// The base map the console draws on (the binary sets it from `[map]`).
    pub fn with_base_map(mut self, base: map::BaseMap) -> App {
        self.base_map = Arc::new(base);
        self
    }

    pub fn base_map(&self) -> &map::BaseMap {
        &self.base_map
    }

    pub fn login_policy(&self) -> shanzhi_domain::accounts::LoginPolicy {
        self.login_policy
    }

    /// The store, for the use cases (which apply the caller's data scope) and for tests: the API
    /// and the binary cannot reach it (`operator.rs` has what they need outside a login).
    #[cfg(feature = "testing")]
    pub fn store(&self) -> &Store {
        &self.store
    }

    #[cfg(not(feature = "testing"))]
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// The places in force (a cheap snapshot; readers never block writers for long).
    pub fn places(&self) -> Arc<Places> {
        self.places.read().expect("places lock").clone()
    }

    pub fn reference(&self) -> Arc<Reference> {
        self.reference.read().expect("reference lock").clone()
    }

    /// A known account.
    pub fn user(&self, username: &str) -> Option<shanzhi_domain::people::User> {
        self.users.read().expect("users lock").get(username).cloned()
    }

    /// Whoever acted, as people read it: an account's display name, never a resident's
    /// pseudonym or the system's user name (an unknown name, e.g. a disabled account's, as is:
    /// where the role is known, `actor_name` says the role instead).
    pub fn person_name(&self, username: &str, english: bool) -> String {
        self.known_name(username, english).unwrap_or_else(|| username.to_string())
    }

    /// The name of whoever took a step: as `person_name`, and for a name that is no account in
    /// force (a disabled account, a person of a loaded history, a device) the role's name, so a
    /// user name never reaches a page.
    pub fn actor_name(&self, actor: &shanzhi_domain::cases::case::Actor, english: bool) -> String {
        self.known_name(&actor.user, english)
            .unwrap_or_else(|| if english { actor.role.name_en().into() } else { actor.role.name_zh().into() })
    }

    /// The readable name of a user name the system knows: the anonymous resident, the system, the
    /// command-line operator, a follow code's holder, or an account in force.
    fn known_name(&self, username: &str, english: bool) -> Option<String> {
        let fixed = match (username, english) {
            (shanzhi_domain::cases::case::Actor::ANONYMOUS, false) => "匿名居民",
            (shanzhi_domain::cases::case::Actor::ANONYMOUS, true) => "Anonymous resident",
            ("system", false) => "系统",
            ("system", true) => "System",
            ("operator", false) => "运维人员（命令行）",
            ("operator", true) => "Operator (command line)",
            (u, false) if u.starts_with(auth::FOLLOWER_PREFIX) => "居民（跟踪码）",
            (u, true) if u.starts_with(auth::FOLLOWER_PREFIX) => "Resident (follow code)",
            (u, _) => return self.user(u).map(|u| u.display_name),
        };
        Some(fixed.into())
    }

    /// Units the caller's desk may filter by, found by name (`Places::find_units_where`): those
    /// that may hold cases in its data scope (`DataScope::may_see_unit`). A reporter, who sees only
    /// their own reports, has none to pick from.
    pub fn units_for(
        &self,
        actor: &shanzhi_domain::cases::case::Actor,
        text: &str,
        limit: usize,
    ) -> Result<Vec<shanzhi_domain::people::Unit>, AppError> {
        let scope = self.scope_of(actor);
        if matches!(scope, shanzhi_domain::access::DataScope::Own(_)) {
            return Err(AppError::Forbidden("units are picked by staff, within their data scope".into())
                .with_zh("只有工作人员可以在其数据范围内选择单位".to_string()));
        }
        let places = self.places();
        Ok(places
            .find_units_where(text, limit, |u| scope.may_see_unit(&u.id, u.area.as_str()))
            .into_iter()
            .cloned()
            .collect())
    }

    /// The data scope of an account: its role's rule over its unit, and the extra scope an
    /// administrator gave it. Read from the accounts in memory, which follow the store like the
    /// account itself (`fresh_user`): on this server at once, on the others when they check the
    /// login again (the trust period).
    pub fn scope_of(&self, actor: &shanzhi_domain::cases::case::Actor) -> shanzhi_domain::access::DataScope {
        let users = self.users.read().expect("users lock");
        let extra = users
            .get(&actor.user)
            .filter(|u| u.role == actor.role && u.unit == actor.unit)
            .map(|u| u.extra_scope.as_slice())
            .unwrap_or_default();
        shanzhi_domain::access::DataScope::of(actor, extra)
    }

    /// Re-reads the active accounts from the store.
    pub async fn reload_users(&self) -> Result<(), AppError> {
        let _turn = self.auth.reload.lock().await;
        let users = self.store.load_users().await?.into_iter().map(|u| (u.username.clone(), u)).collect();
        *self.users.write().expect("users lock") = Arc::new(users);
        Ok(())
    }

    /// An account as the store has it now (another server may have changed or disabled it),
    /// brought into the cache if it differs; `None` when it is missing or disabled.
    pub async fn fresh_user(&self, username: &str) -> Result<Option<shanzhi_domain::people::User>, AppError> {
        let epoch = self.account_epoch();
        let row = self.store.user_row(username).await?;
        let active = row.filter(|r| r.disabled_at.is_none()).map(|r| r.user);
        // Not when an administrator changed an account meanwhile: what was read may be older.
        if self.user(username) != active && self.account_epoch() == epoch {
            let mut guard = self.users.write().expect("users lock");
            let mut users = (**guard).clone();
            match &active {
                Some(u) => users.insert(u.username.clone(), u.clone()),
                None => users.remove(username),
            };
            *guard = Arc::new(users);
        }
        Ok(active)
    }

    /// Re-reads places (and accounts) from the store and swaps the in-memory index.
    pub async fn reload_places(&self) -> Result<(), AppError> {
        self.reload_users().await?;
        let stored = self.store.load_places().await?;
        let built = tokio::task::spawn_blocking(move || Places::build(stored)).await.map_err(AppError::internal)?;
        *self.places.write().expect("places lock") = Arc::new(built?);
        Ok(())
    }

    pub async fn reload_reference(&self) -> Result<(), AppError> {
        let r = reference::load_current(&self.store, self.clock.now()).await?;
        filter_fields_of(&self.store, &r);
        *self.reference.write().expect("reference lock") = Arc::new(r);
        Ok(())
    }
}

/// Tells the store the filterable fields of every kind in force, so the cases it saves keep the
/// values a desk filters by.
fn filter_fields_of(store: &Store, reference: &Reference) {
    store.filter_fields_of(reference.workflows.values().map(|wf| (wf.kind.clone(), wf.fields().to_vec())));
}
