//! Imports, the `ReferenceData` service (`App::reference_data`): a city's own reference data as
//! new versions (old ones are kept, the new one is current at once): taxonomy, work calendar,
//! routing rules, duplicate windows, assessment weights and workflows (a new version of a kind, or
//! a new kind); and grids from GeoJSON (validated whole: any problem and nothing is written).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use shanzhi_domain::places::geojson;
use shanzhi_store::ReferenceKind;

use crate::reference::{
    parse_assessment, parse_calendar, parse_duplicates, parse_routing, parse_taxonomy, parse_workflow,
};
use crate::{App, AppError};

/// Sets its flag when dropped. An async fn holds one across the await of blocking work that
/// looks at the flag, so that the work stops when the fn's future is dropped: axum drops a
/// handler's future when its client disconnects or the request times out, and the blocking
/// thread would otherwise go on to the end.
#[derive(Default)]
pub(crate) struct CancelOnDrop(Arc<AtomicBool>);

impl CancelOnDrop {
    /// The flag, for the blocking work: true once this guard is dropped.
    pub(crate) fn flag(&self) -> Arc<AtomicBool> {
        self.0.clone()
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub version: String,
    pub items: usize,
}

/// Reference data over the application (`App::reference_data`): new versions of a city's files
/// (imported, or made in the administration pages from the version in force), the versions kept
/// and their text, and the grids (imported from GeoJSON, exported); the administrator's
/// operations (`…_as`, `versions`, `source`) are in `admin.rs`.
pub struct ReferenceData<'a> {
    pub(crate) app: &'a App,
}

impl App {
    /// The reference data service. (`App::reference` is the snapshot in force.)
    pub fn reference_data(&self) -> ReferenceData<'_> {
        ReferenceData { app: self }
    }
}

impl ReferenceData<'_> {
    /// Validates a reference file of `kind` (one of [`ReferenceKind::IMPORTABLE`]) against what
    /// is in force and makes it the current version.
    pub async fn import(&self, kind: &str, text: &str) -> Result<Imported, AppError> {
        self.import_by("operator", kind, text, false).await
    }

    /// [`ReferenceData::import`] on behalf of `by` (the audit names them); with `dry_run`, only
    /// the checks: nothing is written, and the answer says what the import would do.
    pub async fn import_by(&self, by: &str, kind: &str, text: &str, dry_run: bool) -> Result<Imported, AppError> {
        self.import_guarded(by, kind, text, dry_run, None, Vec::new()).await
    }

    /// [`ReferenceData::import_by`] for a change made in the page from version `based_on`: put
    /// in force only if that is still the version in force when it is written, and with `audit`
    /// (what the change was) in the same transaction as the version and its `reference.import`.
    pub(crate) async fn import_guarded(
        &self,
        by: &str,
        kind: &str,
        text: &str,
        dry_run: bool,
        based_on: Option<&str>,
        mut audit: Vec<shanzhi_domain::audit::AuditEvent>,
    ) -> Result<Imported, AppError> {
        let reference = self.app.reference();
        let (kind, version, items) = match kind {
            "taxonomy" => {
                let t = parse_taxonomy(text, &reference.departments)?;
                (ReferenceKind::Taxonomy, t.version.clone(), t.types.len())
            }
            "calendar" => {
                let c = parse_calendar(text)?;
                (ReferenceKind::Calendar, c.version().to_string(), 0)
            }
            "routing" => {
                let r = parse_routing(text)?;
                let tree = &self.app.places().tree;
                for rule in &r.rule {
                    let bad = |m: String| AppError::invalid("routing", format!("rule {}: {m}", rule.name));
                    if rule.area.as_str() != "1302" && tree.get(&rule.area).is_none() {
                        return Err(bad(format!("area {} is not a division", rule.area)));
                    }
                    for t in &rule.types {
                        if t.parse().ok().and_then(|c| reference.taxonomy.get(&c)).is_none() {
                            return Err(bad(format!("type {t} is not in catalogue {}", reference.taxonomy.version)));
                        }
                    }
                    for c in &rule.categories {
                        if reference.taxonomy.category(c).is_none() {
                            return Err(bad(format!(
                                "category {c} is not in catalogue {}",
                                reference.taxonomy.version
                            )));
                        }
                    }
                }
                (ReferenceKind::Routing, r.version.clone(), r.rule.len())
            }
            "duplicates" => {
                let d = parse_duplicates(text)?;
                (ReferenceKind::Duplicates, d.version.clone(), d.category.len() + d.types.len())
            }
            "assessment" => {
                let a = parse_assessment(text)?;
                (ReferenceKind::Assessment, a.version.clone(), 0)
            }
            "workflow" => {
                let wf = parse_workflow(text)?;
                // Every case of the kind must still be in a state the new version knows.
                let states = self.app.store().case_states(&wf.kind).await?;
                let missing: Vec<String> = states.iter().filter(|s| wf.state(s).is_none()).cloned().collect();
                if !missing.is_empty() {
                    return Err(AppError::invalid(
                        "workflow",
                        format!("cases of kind {} are in states this version lacks: {}", wf.kind, missing.join(", ")),
                    ));
                }
                // Nor may a field its cases may hold go, or change type: their values would be
                // read (and masked) as something else.
                if !states.is_empty()
                    && let Some(current) = self.app.reference().workflows.get(&wf.kind)
                {
                    for f in current.fields() {
                        let kept = wf.fields().iter().find(|n| n.key == f.key);
                        if kept.is_none_or(|n| n.ty != f.ty) {
                            return Err(AppError::invalid(
                                "workflow",
                                format!(
                                    "field {}: cases of kind {} may hold it, so a new version keeps it, as a {}",
                                    f.key,
                                    wf.kind,
                                    f.ty.as_str()
                                ),
                            ));
                        }
                    }
                }
                // Open311 services are one namespace: one kind published by catalogue type, and
                // each kind's own service code its own, whose type the catalogue in force has.
                if let Some(d) = wf.open311() {
                    let reference = self.app.reference();
                    let others = reference.workflows.values().filter(|w| w.kind != wf.kind);
                    for other in others.filter_map(|w| w.open311().map(|o| (w, o))) {
                        if (d.catalogue && other.1.catalogue)
                            || (d.service_code.is_some() && d.service_code == other.1.service_code)
                        {
                            return Err(AppError::invalid(
                                "workflow",
                                format!("open311: kind {} already publishes this service", other.0.kind),
                            ));
                        }
                    }
                    let known = d
                        .type_code
                        .as_deref()
                        .is_none_or(|t| t.parse().ok().and_then(|t| reference.taxonomy.get(&t)).is_some());
                    if !known {
                        return Err(AppError::invalid(
                            "workflow",
                            format!(
                                "open311: type {} is not in catalogue {}",
                                d.type_code.clone().unwrap_or_default(),
                                reference.taxonomy.version
                            ),
                        ));
                    }
                }
                (ReferenceKind::Workflow(wf.kind.clone()), wf.version.clone(), wf.actions().len())
            }
            "register" => {
                let r = crate::reference::parse_register(text)?;
                (ReferenceKind::Register(r.register.clone()), r.version.clone(), r.field.len())
            }
            other => {
                return Err(AppError::invalid(
                    "kind",
                    format!("`{other}` is not one of {}", ReferenceKind::IMPORTABLE.join(", ")),
                ));
            }
        };
        if dry_run {
            // The one check the store makes: a version name stands for one content.
            let same_name = self.app.store().references(kind.clone()).await?.into_iter().find(|r| r.version == version);
            if same_name.is_some_and(|r| r.source != text) {
                return Err(AppError::Conflict(format!(
                    "version {version} of {} was imported before with other content: give this one a new version",
                    kind.key()
                )));
            }
            return Ok(Imported { version: version.to_string(), items });
        }
        let now = self.app.clock().now();
        let import = shanzhi_domain::audit::AuditEvent::new(
            now,
            by,
            "reference.import",
            kind.key(),
            format!("version {version}"),
        );
        audit.insert(0, import);
        let filtered = |r: &crate::Reference, k: &str| -> Vec<String> {
            let defs = r.workflows.get(k).map(|w| w.fields().to_vec()).unwrap_or_default();
            defs.into_iter().filter(|d| d.filter).map(|d| d.key).collect()
        };
        let before = match &kind {
            ReferenceKind::Workflow(k) => filtered(&self.app.reference(), k),
            _ => Vec::new(),
        };
        self.app.store().put_reference_guarded(kind.clone(), &version, text, now, based_on, audit).await?;
        self.app.reload_reference().await?;
        // A version that lets a desk filter by a field the kind's cases may already hold: their
        // rows are filled in the background (and, if this process stops first, when the next
        // one opens).
        if let ReferenceKind::Workflow(k) = &kind
            && filtered(&self.app.reference(), k).iter().any(|f| !before.contains(f))
        {
            self.app.store().refill_case_fields_later().await?;
            let store = self.app.store().clone();
            // On a thread of its own: the walk's future is not `Send` (it holds the page being
            // written across awaits), so it is driven there rather than spawned.
            let runtime = tokio::runtime::Handle::current();
            tokio::task::spawn_blocking(move || match runtime.block_on(store.run_store_tasks(&mut |_, _| {})) {
                Ok(done) => tracing::info!(?done, "store tasks done after a workflow import"),
                Err(e) => {
                    tracing::warn!(error = %e, "store tasks after a workflow import failed; they run at the next start")
                }
            });
        }
        Ok(Imported { version: version.to_string(), items })
    }

    /// Validates a catalogue against the current departments and makes it the current version.
    pub async fn import_taxonomy(&self, text: &str) -> Result<Imported, AppError> {
        self.import("taxonomy", text).await
    }

    pub async fn import_calendar(&self, text: &str) -> Result<Imported, AppError> {
        self.import("calendar", text).await
    }

    /// Imports grids from a GeoJSON FeatureCollection; replaces grids with the same codes.
    pub async fn import_grids(&self, text: String) -> Result<Imported, AppError> {
        self.import_grids_by("operator", text, false).await
    }

    /// [`ReferenceData::import_grids`] on behalf of `by`; with `dry_run`, the validation report only.
    ///
    /// The checks run on a blocking thread and stop when this future is dropped (the client went
    /// away, or the request timed out): nothing is written then.
    pub async fn import_grids_by(&self, by: &str, text: String, dry_run: bool) -> Result<Imported, AppError> {
        let places = self.app.places();
        let cancel = CancelOnDrop::default();
        let cancelled = cancel.flag();
        let parsed = tokio::task::spawn_blocking(move || {
            geojson::import(&text, &places.tree, &places.grids, &|| cancelled.load(Ordering::Relaxed))
        })
        .await
        .map_err(AppError::internal)?;
        // Held until the checks have answered: dropped with this future before then, it stops them.
        drop(cancel);
        let grids = parsed.map_err(|e| match e {
            geojson::ImportError::Rejected(problems) => AppError::Rejected { problems },
            geojson::ImportError::Cancelled => {
                AppError::Refused("the grid import was cancelled before its checks ended: nothing was written".into())
                    .with_zh("网格导入在检查完成前已取消：未写入任何内容")
            }
        })?;
        if dry_run {
            return Ok(Imported { version: String::new(), items: grids.len() });
        }
        self.app.store().upsert_grids(&grids).await?;
        self.app.audit(by, "grids.import", format!("{} grids", grids.len()), "").await?;
        self.app.reload_places().await?;
        Ok(Imported { version: String::new(), items: grids.len() })
    }

    /// All grids as GeoJSON.
    pub fn export_grids(&self) -> String {
        geojson::export(&self.app.places().grids)
    }
}
