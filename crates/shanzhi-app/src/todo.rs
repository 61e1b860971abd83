//! The caller's to-do lists (待办), from the workflows' data: for each kind in force, the states
//! its workflow puts on the caller's role's lists (`shanzhi_domain::cases::todo`), each with how
//! many open cases wait there for the caller (in their data scope, assigned to their unit, or
//! summoned), how many of those are yellow and red, and the case-list filter that shows them.

use chrono::{DateTime, Utc};
use shanzhi_domain::cases::case::Actor;
use shanzhi_domain::cases::figures::day_start;
use shanzhi_domain::cases::todo::{self, Whose};
use shanzhi_store::{CaseFilter, LiveGroup, LiveQuery};

use crate::AppError;
use crate::cases::Cases;

/// One to-do list with its counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Todo {
    pub kind: String,
    pub kind_name_zh: String,
    pub kind_name_en: String,
    pub state: String,
    pub name_zh: String,
    pub name_en: String,
    pub whose: Whose,
    /// Open cases on the list.
    pub count: u64,
    /// Of those, how many have their step's light yellow, and red (a summoned list: none counted).
    pub yellow: u64,
    pub red: u64,
    /// The case list's filter for it: `kind`, `state`, and `unit` (the caller's, for a list of
    /// the cases assigned to it) or `summoned=true`.
    pub unit: Option<String>,
    /// That unit's name (`路南区城市管理综合行政执法局`).
    pub unit_name: Option<String>,
    pub summoned: Option<bool>,
    /// When the caller last opened this list (none: never), and how many of its cases changed
    /// (have a log entry) since then: what is new since the last visit.
    pub seen_at: Option<DateTime<Utc>>,
    pub changed: u64,
}

impl Todo {
    /// The list's key (`kind:state:whose`), as its mark is kept.
    pub fn key(&self) -> String {
        format!("{}:{}:{}", self.kind, self.state, self.whose.as_str())
    }

    /// The case-list filter that shows this list's open cases (and, with `since`, only those
    /// that changed after it).
    pub fn filter(&self, since: Option<DateTime<Utc>>) -> CaseFilter {
        CaseFilter {
            kind: Some(self.kind.clone()),
            state: Some(self.state.clone()),
            unit: self.unit.clone(),
            summoned: self.summoned,
            closed: Some(false),
            changed_since: since,
            limit: 1,
            ..Default::default()
        }
    }
}

/// The longest list key a mark is asked for.
const KEY_MAX: usize = 200;

/// The area that is every case in the caller's scope (four digits: the whole city).
const EVERYWHERE: &str = "0000";

impl Cases<'_> {
    /// The caller's to-do lists, kinds in key order and each kind's lists in its states' order,
    /// empty lists included (a role sees where its work would be).
    pub async fn todo(&self, actor: &Actor) -> Result<Vec<Todo>, AppError> {
        let reference = self.app.reference();
        let mut workflows: Vec<_> = reference.workflows.values().collect();
        workflows.sort_by(|a, b| a.kind.cmp(&b.kind));
        let lists: Vec<_> =
            workflows.iter().flat_map(|wf| todo::lists(wf, actor.role).into_iter().map(move |l| (*wf, l))).collect();
        if lists.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.app.clock().now();
        let scope = self.app.scope_of(actor);
        let query = LiveQuery {
            scope: scope.clone(),
            area: EVERYWHERE.to_string(),
            group: LiveGroup::KindState,
            kind: None,
            unit: None,
            now,
            today: day_start(now),
        };
        let store = self.app.store();
        let in_scope = store.live_counts(&query).await?;
        let mine = if lists.iter().any(|(_, l)| l.whose == Whose::Unit) {
            store.live_counts(&LiveQuery { unit: Some(actor.unit.clone()), ..query }).await?
        } else {
            Vec::new()
        };
        let marks = store.todo_marks(&actor.user).await?;
        let counts = |rows: &[(Option<String>, shanzhi_store::LiveCounts)], key: &str| {
            rows.iter().find(|(k, _)| k.as_deref() == Some(key)).map(|(_, c)| *c).unwrap_or_default()
        };
        let mut out: Vec<Todo> = lists
            .into_iter()
            .map(|(wf, l)| {
                let key = format!("{}:{}", wf.kind, l.state);
                let (count, yellow, red) = match l.whose {
                    Whose::Scope => {
                        let c = counts(&in_scope, &key);
                        (c.open, c.yellow, c.red)
                    }
                    Whose::Unit => {
                        let c = counts(&mine, &key);
                        (c.open, c.yellow, c.red)
                    }
                    Whose::Summoned => (counts(&in_scope, &key).summoned, 0, 0),
                };
                let state = wf.state(&l.state);
                Todo {
                    kind: wf.kind.clone(),
                    kind_name_zh: wf.name_zh.clone(),
                    kind_name_en: wf.name_en.clone(),
                    name_zh: state.map(|s| s.name_zh.clone()).unwrap_or_default(),
                    name_en: state.map(|s| s.name_en.clone()).unwrap_or_default(),
                    state: l.state,
                    whose: l.whose,
                    count,
                    yellow,
                    red,
                    unit: (l.whose == Whose::Unit).then(|| actor.unit.clone()),
                    unit_name: (l.whose == Whose::Unit).then(|| self.app.unit_name(&actor.unit)),
                    summoned: (l.whose == Whose::Summoned).then_some(true),
                    seen_at: None,
                    changed: 0,
                }
            })
            .collect();
        // What changed since each list was last opened: one count per list with a mark and cases.
        for t in &mut out {
            t.seen_at = marks.get(&t.key()).copied();
            if let Some(since) = t.seen_at.filter(|_| t.count > 0) {
                t.changed = store.list_cases(&t.filter(Some(since)), &scope, now).await?.0;
            }
        }
        Ok(out)
    }

    /// The caller opened one of their to-do lists (`kind:state:whose`): what changes after now is
    /// new to them. A key that is not one of the caller's lists is refused.
    pub async fn mark_todo_seen(&self, actor: &Actor, list: &str) -> Result<DateTime<Utc>, AppError> {
        let bad = || {
            AppError::invalid(
                "list",
                format!("`{}` is not one of your to-do lists", list.chars().take(60).collect::<String>()),
            )
            .with_zh("不是本账号的待办清单")
        };
        if list.len() > KEY_MAX {
            return Err(bad());
        }
        let reference = self.app.reference();
        let mine = reference.workflows.values().any(|wf| {
            todo::lists(wf, actor.role).iter().any(|l| format!("{}:{}:{}", wf.kind, l.state, l.whose.as_str()) == list)
        });
        if !mine {
            return Err(bad());
        }
        let now = self.app.clock().now();
        self.app.store().set_todo_mark(&actor.user, list, now).await?;
        Ok(now)
    }
}
