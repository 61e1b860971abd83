//! Storing cases: insert with the first log entry (and an idempotency key), save an action with
//! a version check so two writers never both win, read one case with its log, and list cases by
//! the filters a desk needs.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use std::collections::HashMap;

use shanzhi_domain::access::{DataScope, involved_units};
use shanzhi_domain::audit::AuditEvent;
use shanzhi_domain::cases::case::{Actor, Case, LogEntry};
use shanzhi_domain::cases::clock::Light;
use shanzhi_domain::cases::duplicates::{Candidate, Probe};
use shanzhi_domain::cases::sweep::{next_sweep_at, summons_due};
use shanzhi_domain::people::Role;

use crate::attachments::{add_links, link_rows};
use crate::case_fields::{add_field_rows, field_condition, replace_field_rows};
use crate::entity::{case, case_field, case_log, case_unit, idempotency_key};
use crate::figures::{add_figures, upsert_figures};
use crate::sealed::Sealer;
use crate::{Result, Store, StoreError};
use shanzhi_domain::cases::figures::{Counted, NO_UNIT, recompute_each};

/// Records the units each case has involved (insert-only: a unit once assigned keeps seeing it).
async fn add_case_units(txn: &impl ConnectionTrait, rows: Vec<(String, String, i64)>) -> Result<()> {
    for chunk in rows.chunks(500) {
        let models = chunk.iter().map(|(unit, county, id)| case_unit::ActiveModel {
            unit: Set(unit.clone()),
            county_code: Set(county.clone()),
            case_id: Set(*id),
        });
        case_unit::Entity::insert_many(models)
            .on_conflict(
                sea_orm::sea_query::OnConflict::columns([
                    case_unit::Column::Unit,
                    case_unit::Column::CountyCode,
                    case_unit::Column::CaseId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

fn units_rows<'a>(s: &StoredCase, entries: impl IntoIterator<Item = &'a LogEntry>) -> Vec<(String, String, i64)> {
    involved_units(&s.case, entries).into_iter().map(|u| (u, s.county.clone(), s.id)).collect()
}

/// The audit entry of a log entry: who did what to which case.
fn audit_event(s: &StoredCase, e: &LogEntry) -> AuditEvent {
    let detail = format!("{} → {}", e.from_state.as_deref().unwrap_or("-"), e.to_state);
    AuditEvent::new(e.at, &e.actor.user, &format!("case.{}", e.action), s.id.to_string(), detail)
}

/// The data scope as a condition on `cases`.
/// The cases of an area: the whole city (4 digits), a county's shard (6: the cases located in it
/// and the unlocated ones nearest to it), a street's or community's grids (9, 12: a grid's code
/// begins with theirs, so one range on the grid index) or one grid (15).
pub(crate) fn area_condition(area: &str) -> Condition {
    match area.len() {
        4 => Condition::all(),
        6 => Condition::all().add(case::Column::CountyCode.eq(area)),
        9 | 12 => {
            Condition::all().add(case::Column::GridCode.gte(area)).add(case::Column::GridCode.lt(format!("{area}:")))
        }
        _ => Condition::all().add(case::Column::GridCode.eq(area)),
    }
}

pub(crate) fn scope_condition(scope: &DataScope) -> Condition {
    use sea_orm::sea_query::ExprTrait;
    let via_units = |units: &[String]| {
        Expr::col(case::Column::Id).in_subquery(
            sea_orm::sea_query::Query::select()
                .column(case_unit::Column::CaseId)
                .from(case_unit::Entity)
                .and_where(Expr::col(case_unit::Column::Unit).is_in(units.iter().cloned()))
                .to_owned(),
        )
    };
    match scope {
        DataScope::All => Condition::all(),
        DataScope::Within { areas, units, reporter } => {
            let mut any = Condition::any();
            // The account's own reports, wherever they lie (none named: a scope for acting).
            if !reporter.is_empty() {
                any = any.add(case::Column::Reporter.eq(reporter.clone()));
            }
            for area in areas {
                any = any.add(area_condition(area));
            }
            if !units.is_empty() {
                any = any.add(via_units(units));
            }
            // An empty `any` would match everything: a scope naming nothing sees nothing.
            if areas.is_empty() && units.is_empty() && reporter.is_empty() {
                any = any.add(case::Column::Id.is_in(Vec::<i64>::new()));
            }
            any
        }
        DataScope::Own(user) => Condition::all().add(case::Column::Reporter.eq(user.clone())),
    }
}

/// A case as stored: its id, its shard (county code), when its light turns yellow and the hash of
/// its short follow code.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCase {
    pub id: i64,
    pub county: String,
    pub case: Case,
    pub yellow_at: Option<DateTime<Utc>>,
    /// `ShortCode::lookup_key` of the code given at report time (none before m0023, and for
    /// loaded histories); unique among cases.
    pub short_code_hash: Option<String>,
}

/// A new case to store: the case, its first log entry and its idempotency key with the answer.
#[derive(Debug, Clone, Copy)]
pub struct NewCase<'a> {
    pub stored: &'a StoredCase,
    pub first: &'a LogEntry,
    pub idempotency: Option<(&'a str, &'a str)>,
}

/// Filters of the case list; every field narrows it.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub state: Option<String>,
    pub kind: Option<String>,
    pub type_code: Option<String>,
    /// A division code (4, 6, 9 or 12 digits) or a grid code (15).
    pub area: Option<String>,
    pub unit: Option<String>,
    pub light: Option<Light>,
    pub overdue: Option<bool>,
    pub reported_from: Option<DateTime<Utc>>,
    pub reported_to: Option<DateTime<Utc>>,
    /// Any of these ids (empty: no condition).
    pub ids: Vec<i64>,
    /// Any of these type codes (empty: no condition).
    pub types: Vec<String>,
    /// Cases of any of these kinds, each of any of its types (none: any type); empty: no
    /// condition. (What Open311 publishes: the public kinds, or the services asked for.)
    pub kinds_types: Vec<(String, Vec<String>)>,
    /// Closed (true) or still open (false).
    pub closed: Option<bool>,
    /// Closed (or ended in another final state) at or after / before these instants.
    pub closed_from: Option<DateTime<Utc>>,
    pub closed_to: Option<DateTime<Utc>>,
    /// With (true) or without (false) a summons of the whistle waiting for an answer.
    pub summoned: Option<bool>,
    /// In a grid (true) or outside every grid (false).
    pub located: Option<bool>,
    /// With a log entry of one of these actions in this time: the cases behind a figure.
    pub acted: Option<Acted>,
    /// Only cases with a log entry after this instant (what changed since a to-do list was last
    /// opened).
    pub changed_since: Option<DateTime<Utc>>,
    /// Whose fields' values pass every one of these tests (a kind's filterable fields: choices,
    /// numbers, dates; see `Store::filter_fields_of`).
    pub fields: Vec<shanzhi_domain::cases::fields::filter::Condition>,
    /// 1..=1000.
    pub limit: u64,
    pub offset: u64,
}

/// The cases behind a figure: cases with a log entry that counted `counter` (domain `Counted`)
/// at or after `from` and before `to`, under `unit` when given (the unit the entry counted under,
/// not the case's unit now; `-` for none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acted {
    pub counter: Counter,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub unit: Option<String>,
}

/// Which entries count toward a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    /// Entries with this bit of `Counted::bits`, in the entry's month.
    Bit(i64),
    /// Entries that started a handling clock whose deadline falls in the time (应结案数).
    Due,
}

/// A finished case with its whole log and what each entry counted (for `insert_histories`).
#[derive(Debug, Clone)]
pub struct History {
    pub stored: StoredCase,
    pub log: Vec<LogEntry>,
    /// `counted[i]` is `log[i]`'s.
    pub counted: Vec<Counted>,
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn row(s: &StoredCase, seal: &Sealer) -> Result<case::ActiveModel> {
    let c = &s.case;
    let community = c.grid.as_ref().map(|g| g.community());
    Ok(case::ActiveModel {
        county_code: Set(s.county.clone()),
        id: Set(s.id),
        kind: Set(c.kind.clone()),
        type_code: Set(c.type_code.to_string()),
        channel: Set(c.channel.as_str().to_string()),
        state: Set(c.state.clone()),
        grid_code: Set(c.grid.as_ref().map(|g| g.to_string())),
        community_code: Set(community.as_ref().map(|g| g.to_string())),
        township_code: Set(community.as_ref().and_then(|g| g.parent()).map(|t| t.to_string())),
        located: Set(c.grid.is_some()),
        reporter: Set(c.reporter.clone()),
        primary_unit: Set(c.units.as_ref().map(|u| u.primary.clone())),
        step: Set(c.clock.as_ref().map(|k| k.step.clone())),
        deadline: Set(c.clock.as_ref().map(|k| k.deadline)),
        yellow_at: Set(s.yellow_at),
        reported_at: Set(c.reported_at),
        closed_at: Set(c.closed_at),
        seq: Set(c.seq as i32),
        sweep_at: Set(next_sweep_at(c)),
        summons_due: Set(summons_due(c)),
        lon: Set(c.location.map(|l| l.0)),
        lat: Set(c.location.map(|l| l.1)),
        short_code_hash: Set(s.short_code_hash.clone()),
        body: Set(seal.seal(&to_json(c)?)),
    })
}

/// A log row at its place in commit order (`pos`, see migration m0014).
fn log_row(
    county: &str,
    id: i64,
    e: &LogEntry,
    counted: &Counted,
    pos: i64,
    seal: &Sealer,
) -> Result<case_log::ActiveModel> {
    Ok(case_log::ActiveModel {
        pos: Set(pos),
        figure_bits: Set(counted.bits()),
        due_at: Set(counted.due_at),
        figure_unit: Set(counted.unit.clone()),
        county_code: Set(county.to_string()),
        case_id: Set(id),
        seq: Set(e.seq as i32),
        at: Set(e.at),
        actor_user: Set(e.actor.user.clone()),
        actor_role: Set(e.actor.role.as_str().to_string()),
        actor_unit: Set(e.actor.unit.clone()),
        action: Set(e.action.clone()),
        from_state: Set(e.from_state.clone()),
        to_state: Set(e.to_state.clone()),
        body: Set(seal.seal(&to_json(&LogRest::of(e))?)),
    })
}

/// What a log row keeps in its body: the entry's fields that have no column of their own.
#[derive(serde::Serialize, serde::Deserialize)]
struct LogRest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    opinion: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    units: Option<shanzhi_domain::cases::case::Assignment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deadline: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    overdue: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ended_step: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    public: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    counts: Vec<shanzhi_domain::cases::counts::Count>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    units_cleared: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    fields: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    held_late: bool,
}

impl LogRest {
    fn of(e: &LogEntry) -> LogRest {
        LogRest {
            opinion: e.opinion.clone(),
            attachments: e.attachments.clone(),
            units: e.units.clone(),
            deadline: e.deadline,
            overdue: e.overdue,
            ended_step: e.ended_step.clone(),
            public: e.public,
            counts: e.counts.clone(),
            units_cleared: e.units_cleared,
            fields: e.fields.clone(),
            held_late: e.held_late,
        }
    }
}

pub(crate) fn decode_log(m: case_log::Model, seal: &Sealer) -> Result<LogEntry> {
    let bad = |why: String| StoreError::Corrupt(format!("case {} log {}: {why}", m.case_id, m.seq));
    let body = seal.open(m.body.clone())?;
    let rest: LogRest = serde_json::from_str(&body).map_err(|e| bad(e.to_string()))?;
    let role = Role::parse(&m.actor_role).ok_or_else(|| bad(format!("role `{}`", m.actor_role)))?;
    Ok(LogEntry {
        seq: m.seq as u32,
        at: m.at,
        actor: Actor { user: m.actor_user, role, unit: m.actor_unit },
        action: m.action,
        from_state: m.from_state,
        to_state: m.to_state,
        opinion: rest.opinion,
        attachments: rest.attachments,
        units: rest.units,
        deadline: rest.deadline,
        overdue: rest.overdue,
        ended_step: rest.ended_step,
        public: rest.public,
        counts: rest.counts,
        units_cleared: rest.units_cleared,
        fields: rest.fields,
        held_late: rest.held_late,
    })
}

pub(crate) fn decode(m: case::Model, seal: &Sealer) -> Result<StoredCase> {
    let body = seal.open(m.body.clone())?;
    let case: Case = serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(format!("case {}: {e}", m.id)))?;
    if case.seq as i32 != m.seq || case.state != m.state {
        return Err(StoreError::Corrupt(format!("case {}: its columns and its body disagree", m.id)));
    }
    Ok(StoredCase { id: m.id, county: m.county_code, case, yellow_at: m.yellow_at, short_code_hash: m.short_code_hash })
}

impl Store {
    /// Stores a new case with its first log entry, and the idempotency key with the answer
    /// given, all in one transaction. A key already used is a `Conflict`.
    pub async fn insert_case(
        &self,
        s: &StoredCase,
        first: &LogEntry,
        idempotency: Option<(&str, &str)>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.insert_cases(&[NewCase { stored: s, first, idempotency }], now).await
    }

    /// Stores several new cases in one transaction (one commit, one fsync: group commit under
    /// load). Any failure stores none of them.
    pub async fn insert_cases(&self, cases: &[NewCase<'_>], now: DateTime<Utc>) -> Result<()> {
        let txn = self.db().begin().await?;
        let keys: Vec<idempotency_key::ActiveModel> = cases
            .iter()
            .filter_map(|c| c.idempotency.map(|(key, response)| self.key_row(key, c.stored, response, now)))
            .collect();
        if !keys.is_empty() {
            idempotency_key::Entity::insert_many(keys).exec_without_returning(&txn).await?;
        }
        let rows = cases.iter().map(|c| row(c.stored, self.sealer())).collect::<Result<Vec<_>>>()?;
        case::Entity::insert_many(rows).exec_without_returning(&txn).await?;
        add_field_rows(&txn, self.field_rows(cases.iter().map(|c| c.stored))).await?;
        let units = cases.iter().flat_map(|c| units_rows(c.stored, [c.first])).collect();
        add_case_units(&txn, units).await?;
        let links = cases.iter().flat_map(|c| link_rows(&c.stored.county, c.stored.id, [c.first])).collect();
        add_links(&txn, links).await?;
        // The audit entries last but one: their sequence numbers place the log rows in commit order.
        let events = cases.iter().map(|c| audit_event(c.stored, c.first)).collect();
        let positions = crate::audit::append(&txn, events).await?;
        let logs = cases
            .iter()
            .zip(positions)
            .map(|(c, pos)| {
                let counted = Counted::of(&c.stored.case, c.first);
                log_row(&c.stored.county, c.stored.id, c.first, &counted, pos, self.sealer())
            })
            .collect::<Result<Vec<_>>>()?;
        case_log::Entity::insert_many(logs).exec_without_returning(&txn).await?;
        let entries: Vec<(&Case, &LogEntry)> = cases.iter().map(|c| (&c.stored.case, c.first)).collect();
        add_figures(&txn, &entries).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Stores many finished histories (cases with their whole logs) in one transaction, with
    /// their figures: for loading a demo or migrating from another system.
    pub async fn insert_histories(&self, batch: &[History]) -> Result<()> {
        const ROWS: usize = 300;
        if batch.is_empty() {
            return Ok(());
        }
        if let Some(h) = batch.iter().find(|h| h.counted.len() != h.log.len()) {
            return Err(StoreError::Corrupt(format!(
                "case {}: {} log entries but {} counted",
                h.stored.id,
                h.log.len(),
                h.counted.len()
            )));
        }
        let Some(last) = batch.iter().filter_map(|h| h.log.last()).map(|e| e.at).max() else {
            return Err(StoreError::Corrupt("histories without a single log entry".into()));
        };
        let txn = self.db().begin().await?;
        for chunk in batch.chunks(ROWS) {
            let rows = chunk.iter().map(|h| row(&h.stored, self.sealer())).collect::<Result<Vec<_>>>()?;
            case::Entity::insert_many(rows).exec_without_returning(&txn).await?;
        }
        add_field_rows(&txn, self.field_rows(batch.iter().map(|h| &h.stored))).await?;
        add_case_units(&txn, batch.iter().flat_map(|h| units_rows(&h.stored, &h.log)).collect()).await?;
        // One audit entry for the batch; its sequence number places every log row of the batch.
        let entries: usize = batch.iter().map(|h| h.log.len()).sum();
        let detail = format!("{} cases, {entries} log entries", batch.len());
        let event = AuditEvent::new(last, "system", "history.load", "cases", detail);
        let pos = crate::audit::append(&txn, vec![event]).await?[0];
        let mut logs = Vec::with_capacity(ROWS);
        for h in batch {
            for (e, counted) in h.log.iter().zip(&h.counted) {
                logs.push(log_row(&h.stored.county, h.stored.id, e, counted, pos, self.sealer())?);
                if logs.len() == ROWS {
                    case_log::Entity::insert_many(std::mem::take(&mut logs)).exec_without_returning(&txn).await?;
                }
            }
        }
        if !logs.is_empty() {
            case_log::Entity::insert_many(logs).exec_without_returning(&txn).await?;
        }
        // Finished histories: their figures come from the logs (the same counts the per-action
        // deltas would have kept; the figures property test proves the two agree).
        upsert_figures(&txn, recompute_each(batch.iter().map(|h| (&h.stored.case, h.log.as_slice())))).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Deletes every case, log entry, figure and idempotency key (a demo reload).
    pub async fn delete_all_cases(&self) -> Result<()> {
        let txn = self.db().begin().await?;
        idempotency_key::Entity::delete_many().exec(&txn).await?;
        case_log::Entity::delete_many().exec(&txn).await?;
        case_unit::Entity::delete_many().exec(&txn).await?;
        case_field::Entity::delete_many().exec(&txn).await?;
        case::Entity::delete_many().exec(&txn).await?;
        txn.execute_unprepared("DELETE FROM figures").await?;
        txn.commit().await?;
        Ok(())
    }

    /// An idempotency key's row: the answer it keeps, sealed.
    fn key_row(&self, key: &str, s: &StoredCase, response: &str, at: DateTime<Utc>) -> idempotency_key::ActiveModel {
        idempotency_key::ActiveModel {
            key: Set(key.to_string()),
            county_code: Set(s.county.clone()),
            case_id: Set(s.id),
            response: Set(self.sealer().seal(response)),
            created_at: Set(at),
        }
    }

    /// The answer first given for an idempotency key, if the key was used.
    pub async fn idempotent_response(&self, key: &str) -> Result<Option<String>> {
        idempotency_key::Entity::find_by_id(key.to_string())
            .one(self.db())
            .await?
            .map(|m| self.sealer().open(m.response))
            .transpose()
    }

    /// Forgets the answers kept for idempotency keys made before `before`: a retry after that is
    /// a new request. Answers how many were forgotten.
    pub async fn forget_idempotency_keys(&self, before: DateTime<Utc>) -> Result<u64> {
        let done = idempotency_key::Entity::delete_many()
            .filter(idempotency_key::Column::CreatedAt.lt(before))
            .exec(self.db())
            .await?;
        Ok(done.rows_affected)
    }

    /// The newest answer kept for a key that begins with `prefix`.
    pub async fn idempotent_response_starting(&self, prefix: &str) -> Result<Option<String>> {
        let rows = idempotency_key::Entity::find()
            .filter(idempotency_key::Column::Key.like(crate::users::like_part(prefix, true)))
            .order_by_desc(idempotency_key::Column::CreatedAt)
            .limit(20)
            .all(self.db())
            .await?;
        // SQLite's LIKE ignores the case of Latin letters: keep exact prefixes only.
        let found = rows.into_iter().find(|m| m.key.starts_with(prefix));
        found.map(|m| self.sealer().open(m.response)).transpose()
    }

    /// The answers first given for those of the keys that were used, by key.
    pub async fn idempotent_responses(&self, keys: &[&str]) -> Result<HashMap<String, String>> {
        let mut out = HashMap::new();
        for chunk in keys.chunks(500) {
            let rows = idempotency_key::Entity::find()
                .filter(idempotency_key::Column::Key.is_in(chunk.iter().map(|k| k.to_string())))
                .all(self.db())
                .await?;
            for m in rows {
                out.insert(m.key, self.sealer().open(m.response)?);
            }
        }
        Ok(out)
    }

    /// Saves an action: the case moves from version `before_seq` to its new version and the log
    /// entry is appended, or nothing happens and the answer is `Conflict` (someone else acted).
    pub async fn save_action(&self, s: &StoredCase, before_seq: u32, entry: &LogEntry) -> Result<()> {
        self.save_actions(&[(s, before_seq, entry)], None).await
    }

    /// Saves actions on several cases (a merge touches two) in one transaction, each with its
    /// version check, and the idempotency key with its answer (for the first case): all are
    /// saved or none. A key already used is a `Conflict`.
    pub async fn save_actions(
        &self,
        changes: &[(&StoredCase, u32, &LogEntry)],
        idempotency: Option<(&str, &str)>,
    ) -> Result<()> {
        let txn = self.db().begin().await?;
        if let (Some((key, response)), Some((s, _, _))) = (idempotency, changes.first()) {
            let at = changes.iter().map(|(_, _, e)| e.at).max().unwrap_or_default();
            idempotency_key::Entity::insert(self.key_row(key, s, response, at)).exec_without_returning(&txn).await?;
        }
        for (s, before_seq, _) in changes {
            let updated = case::Entity::update_many()
                .set(row(s, self.sealer())?)
                .filter(case::Column::CountyCode.eq(s.county.clone()))
                .filter(case::Column::Id.eq(s.id))
                .filter(case::Column::Seq.eq(*before_seq as i32))
                .exec(&txn)
                .await?;
            if updated.rows_affected != 1 {
                return Err(StoreError::Conflict(format!("case {} was changed by someone else; reload it", s.id)));
            }
        }
        // A step that gave fields may have changed the values filters find.
        let refielded: Vec<(&StoredCase, &[String])> = changes
            .iter()
            .filter(|(_, _, e)| !e.fields.is_empty())
            .map(|(s, _, e)| (*s, e.fields.as_slice()))
            .collect();
        replace_field_rows(&txn, self, &refielded).await?;
        add_case_units(&txn, changes.iter().flat_map(|(s, _, e)| units_rows(s, [*e])).collect()).await?;
        add_links(&txn, changes.iter().flat_map(|(s, _, e)| link_rows(&s.county, s.id, [*e])).collect()).await?;
        let positions = crate::audit::append(&txn, changes.iter().map(|(s, _, e)| audit_event(s, e)).collect()).await?;
        for ((s, _, entry), pos) in changes.iter().zip(positions) {
            let counted = Counted::of(&s.case, entry);
            case_log::Entity::insert(log_row(&s.county, s.id, entry, &counted, pos, self.sealer())?)
                .exec_without_returning(&txn)
                .await?;
        }
        let entries: Vec<(&Case, &LogEntry)> = changes.iter().map(|(s, _, e)| (&s.case, *e)).collect();
        add_figures(&txn, &entries).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Duplicate candidates for several new reports in one query: the open cases of each probe's
    /// type reported within its window inside its search box (columns only, no bodies decoded).
    pub async fn duplicate_candidates(&self, probes: &[&Probe]) -> Result<Vec<Candidate>> {
        let mut out = Vec::new();
        for chunk in probes.chunks(100) {
            let mut any = Condition::any();
            for p in chunk {
                let (min_lon, min_lat, max_lon, max_lat) = p.search_box();
                any = any.add(
                    Condition::all()
                        .add(case::Column::TypeCode.eq(p.type_code.clone()))
                        .add(case::Column::Lat.between(min_lat, max_lat))
                        .add(case::Column::Lon.between(min_lon, max_lon))
                        .add(case::Column::ReportedAt.gte(p.since())),
                );
            }
            let rows: Vec<(i64, String, String, Option<f64>, Option<f64>, DateTime<Utc>)> = case::Entity::find()
                .select_only()
                .column(case::Column::Id)
                .column(case::Column::Kind)
                .column(case::Column::TypeCode)
                .column(case::Column::Lon)
                .column(case::Column::Lat)
                .column(case::Column::ReportedAt)
                .filter(any)
                .filter(case::Column::ClosedAt.is_null())
                .limit(200 * chunk.len() as u64)
                .into_tuple()
                .all(self.db())
                .await?;
            out.extend(rows.into_iter().filter_map(|(id, kind, type_code, lon, lat, reported_at)| {
                Some(Candidate { id, kind, type_code, at: (lon?, lat?), reported_at })
            }));
        }
        Ok(out)
    }

    /// A case if it is inside the scope (`DataScope::All` for the system's own work); `NotFound`
    /// otherwise (a case outside one's scope does not exist for one).
    pub async fn load_case(&self, id: i64, scope: &DataScope) -> Result<StoredCase> {
        let m =
            case::Entity::find().filter(case::Column::Id.eq(id)).filter(scope_condition(scope)).one(self.db()).await?;
        decode(m.ok_or_else(|| StoreError::NotFound(format!("case {id}")))?, self.sealer())
    }

    /// The case whose short follow code has this hash (`ShortCode::lookup_key`), whoever reported
    /// it; `NotFound` when none has (the unique index finds it).
    pub async fn case_by_short_code(&self, hash: &str) -> Result<StoredCase> {
        let m = case::Entity::find().filter(case::Column::ShortCodeHash.eq(hash)).one(self.db()).await?;
        decode(m.ok_or_else(|| StoreError::NotFound("a case with that short code".into()))?, self.sealer())
    }

    /// Which of these short-code hashes cases already have (one query through the unique index):
    /// the intake draws new codes for those before it stores a batch.
    pub async fn short_codes_taken(&self, hashes: &[&str]) -> Result<std::collections::HashSet<String>> {
        let mut out = std::collections::HashSet::new();
        for chunk in hashes.chunks(500) {
            let rows: Vec<Option<String>> = case::Entity::find()
                .select_only()
                .column(case::Column::ShortCodeHash)
                .filter(case::Column::ShortCodeHash.is_in(chunk.iter().map(|h| h.to_string())))
                .into_tuple()
                .all(self.db())
                .await?;
            out.extend(rows.into_iter().flatten());
        }
        Ok(out)
    }

    pub async fn case_log(&self, county: &str, id: i64) -> Result<Vec<LogEntry>> {
        let rows = case_log::Entity::find()
            .filter(case_log::Column::CountyCode.eq(county))
            .filter(case_log::Column::CaseId.eq(id))
            .order_by_asc(case_log::Column::Seq)
            .all(self.db())
            .await?;
        rows.into_iter().map(|m| decode_log(m, self.sealer())).collect()
    }

    /// Cases the deadline sweep must look at by `now`, most urgent first (through the index).
    pub async fn due_for_sweep(&self, now: DateTime<Utc>, limit: u64) -> Result<Vec<StoredCase>> {
        let rows = case::Entity::find()
            .filter(case::Column::SweepAt.lte(now))
            .order_by_asc(case::Column::SweepAt)
            .limit(limit)
            .all(self.db())
            .await?;
        rows.into_iter().map(|m| decode(m, self.sealer())).collect()
    }

    /// Cases matching the filter inside the scope (`DataScope::All` for the system's own work),
    /// newest first, with the total count.
    pub async fn list_cases(
        &self,
        f: &CaseFilter,
        scope: &DataScope,
        now: DateTime<Utc>,
    ) -> Result<(u64, Vec<StoredCase>)> {
        let mut c = Condition::all().add(scope_condition(scope));
        if let Some(v) = &f.state {
            c = c.add(case::Column::State.eq(v.clone()));
        }
        if let Some(v) = &f.kind {
            c = c.add(case::Column::Kind.eq(v.clone()));
        }
        if let Some(v) = &f.type_code {
            c = c.add(case::Column::TypeCode.eq(v.clone()));
        }
        if let Some(a) = &f.area {
            c = c.add(area_condition(a));
        }
        if let Some(v) = &f.unit {
            c = c.add(case::Column::PrimaryUnit.eq(v.clone()));
        }
        let red = Condition::all().add(case::Column::Deadline.lt(now));
        match f.light {
            None => {}
            Some(Light::Red) => c = c.add(red.clone()),
            Some(Light::Yellow) => c = c.add(case::Column::YellowAt.lte(now)).add(case::Column::Deadline.gte(now)),
            Some(Light::Green) => c = c.add(case::Column::YellowAt.gt(now)),
        }
        match f.overdue {
            None => {}
            Some(true) => c = c.add(red),
            Some(false) => {
                c = c.add(Condition::any().add(case::Column::Deadline.is_null()).add(case::Column::Deadline.gte(now)))
            }
        }
        if !f.ids.is_empty() {
            c = c.add(case::Column::Id.is_in(f.ids.iter().copied()));
        }
        if !f.types.is_empty() {
            c = c.add(case::Column::TypeCode.is_in(f.types.iter().cloned()));
        }
        if !f.kinds_types.is_empty() {
            let any = f.kinds_types.iter().fold(Condition::any(), |any, (kind, types)| {
                let one = Condition::all().add(case::Column::Kind.eq(kind.clone()));
                any.add(if types.is_empty() {
                    one
                } else {
                    one.add(case::Column::TypeCode.is_in(types.iter().cloned()))
                })
            });
            c = c.add(any);
        }
        match f.closed {
            None => {}
            Some(true) => c = c.add(case::Column::ClosedAt.is_not_null()),
            Some(false) => c = c.add(case::Column::ClosedAt.is_null()),
        }
        match f.summoned {
            None => {}
            Some(true) => c = c.add(case::Column::SummonsDue.is_not_null()),
            Some(false) => c = c.add(case::Column::SummonsDue.is_null()),
        }
        if let Some(v) = f.located {
            c = c.add(case::Column::Located.eq(v));
        }
        if let Some(t) = f.closed_from {
            c = c.add(case::Column::ClosedAt.gte(t));
        }
        if let Some(t) = f.closed_to {
            c = c.add(case::Column::ClosedAt.lt(t));
        }
        if let Some(t) = f.reported_from {
            c = c.add(case::Column::ReportedAt.gte(t));
        }
        if let Some(t) = f.reported_to {
            c = c.add(case::Column::ReportedAt.lt(t));
        }
        for test in &f.fields {
            c = c.add(field_condition(test));
        }
        if let Some(t) = f.changed_since {
            use sea_orm::sea_query::{ExprTrait, Query};
            // Correlated on the log's primary key: a case's few entries.
            let log = |c: case_log::Column| Expr::col((case_log::Entity, c));
            let entries = Query::select()
                .expr(Expr::val(1))
                .from(case_log::Entity)
                .and_where(log(case_log::Column::CountyCode).equals((case::Entity, case::Column::CountyCode)))
                .and_where(log(case_log::Column::CaseId).equals((case::Entity, case::Column::Id)))
                .and_where(log(case_log::Column::At).gt(t))
                .to_owned();
            c = c.add(Expr::exists(entries));
        }
        if let Some(a) = &f.acted {
            use sea_orm::sea_query::{ExprTrait, Query};
            // Correlated on the log's primary key (a case's few entries), so a street or a county
            // over a year is a short walk of its own cases, not of the whole log in that time.
            let log = |c: case_log::Column| Expr::col((case_log::Entity, c));
            let mut entries = Query::select();
            entries
                .expr(Expr::val(1))
                .from(case_log::Entity)
                .and_where(log(case_log::Column::CountyCode).equals((case::Entity, case::Column::CountyCode)))
                .and_where(log(case_log::Column::CaseId).equals((case::Entity, case::Column::Id)));
            match a.counter {
                Counter::Bit(bit) => entries
                    .and_where(log(case_log::Column::At).gte(a.from))
                    .and_where(log(case_log::Column::At).lt(a.to))
                    .and_where(log(case_log::Column::FigureBits).bit_and(bit).ne(0)),
                Counter::Due => entries
                    .and_where(log(case_log::Column::DueAt).gte(a.from))
                    .and_where(log(case_log::Column::DueAt).lt(a.to)),
            };
            match a.unit.as_deref() {
                None => {}
                Some(NO_UNIT) => {
                    entries.and_where(log(case_log::Column::FigureUnit).is_null());
                }
                Some(unit) => {
                    entries.and_where(log(case_log::Column::FigureUnit).eq(unit));
                }
            }
            c = c.add(Expr::exists(entries.to_owned()));
        }
        let q = case::Entity::find().filter(c);
        let total = q.clone().count(self.db()).await?;
        let rows = q
            .order_by_desc(case::Column::ReportedAt)
            .order_by_desc(case::Column::Id)
            .limit(f.limit.clamp(1, 1000))
            .offset(f.offset)
            .all(self.db())
            .await?;
        Ok((total, rows.into_iter().map(|m| decode(m, self.sealer())).collect::<Result<_>>()?))
    }
}
