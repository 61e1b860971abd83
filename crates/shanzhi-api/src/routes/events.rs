//! Live events over server-sent events: `GET /api/v1/events`, filtered by the caller's data scope
//! (the city's centre sees every case, a department what is assigned to it now, a grid worker
//! their community), optionally by kind, resumable with `Last-Event-ID`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use futures_util::stream::{self, StreamExt};
use shanzhi_app::App;
use shanzhi_app::auth::Caller;
use shanzhi_app::events::{CaseEvent, Cursor, parse_cursor};
use shanzhi_domain::cases::case::Actor;
use tokio::sync::broadcast::error::RecvError;

use crate::error::ApiError;
use crate::query::Query;
use crate::routes::auth::Authed;

/// The most log entries replayed for `Last-Event-ID`.
const MAX_BACKLOG: usize = 20_000;

const KINDS: [&str; 7] = ["new", "dispatched", "whistle", "overdue", "escalated", "closed", "updated"];

fn sse(e: &CaseEvent) -> Event {
    let data = serde_json::to_string(e).unwrap_or_else(|_| "{}".into());
    Event::default().id(e.id.clone()).event(e.event).data(data)
}

/// How often a quiet stream checks that its login still stands (a logout, a revoked key, a
/// disabled account or a new role ends it).
const RECHECK: Duration = Duration::from_secs(15);

struct Watcher {
    app: App,
    caller: Caller,
    actor: Actor,
    /// When the caller's credentials were last found to stand.
    checked: Instant,
    kinds: Option<Vec<String>>,
    /// Where the stream started, or the last event sent from the backlog: live events up to it
    /// are not sent (again).
    replayed: Cursor,
}

impl Watcher {
    /// Whether the login still stands: asked before each event sent and, on a quiet stream,
    /// every [`RECHECK`] (cheap within the trust period, and a logout in this process is known at
    /// once).
    async fn still_valid(&mut self) -> bool {
        match self.app.still_valid(&self.caller).await {
            Ok(true) => {
                self.checked = Instant::now();
                true
            }
            Ok(false) => false,
            // The database is unreachable for a moment: keep the stream, ask again later.
            Err(e) => {
                tracing::warn!(error = %e, "the event stream could not re-check its login");
                true
            }
        }
    }

    fn wants(&self, e: &CaseEvent) -> bool {
        e.cursor().is_some_and(|c| c > self.replayed)
            && self.kinds.as_ref().is_none_or(|k| k.iter().any(|k| k == e.event))
            && self.app.may_watch(&self.actor, e)
    }
}

/// What a watcher receives and from where.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WatchParams {
    /// Comma-separated kinds to receive (default: all)
    events: Option<String>,
    /// Resume after this event (as the `Last-Event-ID` header, which wins)
    last_event_id: Option<String>,
}

/// Live case events as `text/event-stream`: each event is named by its kind (new, dispatched,
/// whistle, overdue, escalated, closed, updated) and carries the case, its state, area, units and
/// deadline as JSON. A login or an API key is required.
#[utoipa::path(get, path = "/api/v1/events", tag = "cases",
    params(
        WatchParams,
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event (also `last_event_id` in the query)"),
    ),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "An event stream", content_type = "text/event-stream", body = String),
              (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn watch(
    State(app): State<App>,
    Authed(caller): Authed,
    headers: HeaderMap,
    Query(q): Query<WatchParams>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    if caller.is_anonymous() {
        return Err(ApiError::unauthenticated("log in (or send an API key) to watch events"));
    }
    let kinds = match q.events.map(|v| v.split(',').map(str::trim).map(str::to_string).collect::<Vec<_>>()) {
        Some(list) => {
            if let Some(bad) = list.iter().find(|k| !KINDS.contains(&k.as_str())) {
                return Err(ApiError::invalid("events", format!("`{bad}` is not one of {}", KINDS.join(", "))));
            }
            Some(list)
        }
        None => None,
    };
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or(q.last_event_id)
        .filter(|s| !s.trim().is_empty());
    let resume = match resume {
        Some(s) => Some(
            parse_cursor(&s).ok_or_else(|| ApiError::invalid("Last-Event-ID", format!("`{s}` is not an event id")))?,
        ),
        None => None,
    };
    // Where the log ends, then listen, then read from the resumed event (or that end) on: nothing
    // falls between the three, and live events already read are not sent twice.
    let now = app.event_position().await?;
    let rx = app.watch(now);
    // An id beyond the log's end is not one of this log's (another database, or ids of an older
    // version): start from the end and tell the client to reload its lists.
    let unknown = resume.is_some_and(|c| c.0 > now.0);
    let from = resume.filter(|_| !unknown).unwrap_or(now);
    let (backlog, more) = app.events_after(from, MAX_BACKLOG).await?;
    let actor = caller.actor.clone();
    let mut watcher = Watcher { app, caller, actor, checked: Instant::now(), kinds, replayed: from };
    let mut missed: Vec<Result<Event, Infallible>> =
        backlog.iter().filter(|e| watcher.wants(e)).map(|e| Ok(sse(e))).collect();
    if more || unknown {
        // Too much was missed to send, or the id is unknown: the client reloads its lists instead.
        missed.push(Ok(Event::default().event("lagged").data(if unknown { "unknown" } else { "backlog" })));
    }
    watcher.replayed = backlog.last().and_then(CaseEvent::cursor).map_or(from, |c| c.max(from));
    // The stream ends when the login does: each event waits for a check that it still stands.
    let live = stream::unfold((rx, watcher), |(mut rx, mut watcher)| async move {
        loop {
            let quiet = RECHECK.saturating_sub(watcher.checked.elapsed());
            match tokio::time::timeout(quiet, rx.recv()).await {
                Err(_) => {
                    if !watcher.still_valid().await {
                        return None;
                    }
                }
                Ok(Ok(e)) if watcher.wants(&e) => {
                    if !watcher.still_valid().await {
                        return None;
                    }
                    return Some((Ok(sse(&Arc::clone(&e))), (rx, watcher)));
                }
                Ok(Ok(_)) => continue,
                // Too slow a reader: say so, so the client reloads its lists.
                Ok(Err(RecvError::Lagged(n))) => {
                    return Some((Ok(Event::default().event("lagged").data(n.to_string())), (rx, watcher)));
                }
                Ok(Err(RecvError::Closed)) => return None,
            }
        }
    });
    Ok(Sse::new(stream::iter(missed).chain(live)).keep_alive(KeepAlive::default()))
}
