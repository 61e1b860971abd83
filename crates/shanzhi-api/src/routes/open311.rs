//! Open311 GeoReport v2 at `/open311/v2/` (docs/open311.md): discovery, services,
//! service definitions, reports (form-encoded, with an API key in the body, the query or a
//! header), tokens, request lists with the standard's filters and paging, single requests, and
//! FixMyStreet's `servicerequestupdates` (read, and posted as notes); every answer in XML or JSON by the path's suffix, and
//! errors as the standard shapes them (404, 403, else 400).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use shanzhi_app::auth::{Caller, Credentials};
use shanzhi_app::open311::{MAX_REQUESTS, Open311Report, PublicRequest, RequestQuery};
use shanzhi_app::{App, AppError};

use crate::open311_format::{Format, V, reply};

const SPEC: &str = "http://wiki.open311.org/GeoReport_v2";

/// Parameters from the query string or a form body; an empty value counts as absent.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(text: &str) -> Params {
        Params(crate::query::pairs(text))
    }

    /// A parameter with a NUL character (PostgreSQL cannot store or compare one).
    fn nul(&self) -> Option<Fail> {
        self.0
            .iter()
            .find(|(k, v)| k.contains('\0') || v.contains('\0'))
            .map(|(k, _)| Fail::bad(&k.replace('\0', ""), "may not contain a NUL character"))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim())
    }

    /// A comma-separated list.
    fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    }

    /// A field the standard gives one value, given more than once (in the query and the form,
    /// or twice in one of them): which value was meant cannot be known. Attributes may repeat
    /// (a multi-value list).
    fn repeated(&self) -> Option<Fail> {
        let mut seen = std::collections::HashSet::new();
        self.0
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| !k.starts_with("attribute["))
            .find(|k| !seen.insert(*k))
            .map(|k| Fail::bad(k, "is given more than once"))
    }

    fn merge(mut self, other: Params) -> Params {
        self.0.extend(other.0);
        self
    }
}

/// An Open311 error answer: the HTTP status and the `errors` list.
struct Fail(StatusCode, String);

impl Fail {
    fn bad(field: &str, message: impl std::fmt::Display) -> Fail {
        Fail(StatusCode::BAD_REQUEST, format!("{field}: {message}"))
    }

    fn not_found(what: impl std::fmt::Display) -> Fail {
        Fail(StatusCode::NOT_FOUND, format!("{what} not found"))
    }

    fn reply(self, format: Format) -> Response {
        let v = V::List(
            "error",
            vec![V::Obj(vec![("code", V::I(i64::from(self.0.as_u16()))), ("description", V::s(self.1))])],
        );
        reply(self.0, format, "errors", &v)
    }
}

impl From<AppError> for Fail {
    fn from(e: AppError) -> Fail {
        match e.untranslated() {
            AppError::Invalid { field, message } | AppError::Unknown { field, message } => Fail::bad(&field, message),
            AppError::NotFound { what } => Fail::not_found(what),
            AppError::Unauthenticated(m) | AppError::Forbidden(m) | AppError::Locked(m) => {
                Fail(StatusCode::FORBIDDEN, m)
            }
            AppError::Refused(m) | AppError::Conflict(m) => Fail(StatusCode::BAD_REQUEST, m),
            AppError::KeyReused(m) => Fail(StatusCode::UNPROCESSABLE_ENTITY, m),
            AppError::Busy(m) => Fail(StatusCode::BAD_REQUEST, m),
            AppError::Rejected { problems } => {
                Fail(StatusCode::BAD_REQUEST, format!("{} problem(s) in the file", problems.len()))
            }
            // The standard answers 400 when the service is down; the body says which.
            AppError::Unavailable(m) => {
                tracing::error!(error = %m, "database unavailable");
                Fail(StatusCode::BAD_REQUEST, "the service is unavailable; retry later".into())
            }
            AppError::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                Fail(StatusCode::INTERNAL_SERVER_ERROR, "internal error".into())
            }
            AppError::Translated { .. } => unreachable!("untranslated() removes every translation"),
        }
    }
}

type Answer = Result<(&'static str, V), Fail>;

fn answer(format: Format, result: Answer, status: StatusCode) -> Response {
    match result {
        Ok((root, v)) => reply(status, format, root, &v),
        Err(f) => f.reply(format),
    }
}

fn jurisdiction(app: &App, p: &Params) -> Result<(), Fail> {
    if let Some(f) = p.nul() {
        return Err(f);
    }
    if app.open311().is_jurisdiction(p.get("jurisdiction_id")) {
        Ok(())
    } else {
        Err(Fail::not_found(format!(
            "jurisdiction `{}` (this endpoint serves {})",
            p.get("jurisdiction_id").unwrap_or(""),
            app.open311().jurisdiction()
        )))
    }
}

/// `GET /open311/v2/{file}`: discovery, services, requests, servicerequestupdates.
pub async fn get_top(State(app): State<App>, Path(file): Path<String>, headers: HeaderMap, uri: Uri) -> Response {
    let Some((name, format)) = Format::split(&file) else {
        return Fail::not_found(format!("`{file}` (use .xml or .json)")).reply(Format::Xml);
    };
    let p = Params::parse(uri.query().unwrap_or(""));
    let result = match jurisdiction(&app, &p) {
        Err(f) => Err(f),
        Ok(()) => match name {
            "discovery" => Ok(("discovery", discovery(&app, &headers))),
            "services" => Ok(("services", services(&app, &p))),
            "requests" => requests(&app, &p).await,
            "servicerequestupdates" => updates(&app, &p).await,
            _ => Err(Fail::not_found(format!("`{name}`"))),
        },
    };
    answer(format, result, StatusCode::OK)
}

/// `GET /open311/v2/{dir}/{file}`: a service definition, a request, a token.
pub async fn get_one(State(app): State<App>, Path((dir, file)): Path<(String, String)>, uri: Uri) -> Response {
    let Some((key, format)) = Format::split(&file) else {
        return Fail::not_found(format!("`{file}` (use .xml or .json)")).reply(Format::Xml);
    };
    let p = Params::parse(uri.query().unwrap_or(""));
    let result = match jurisdiction(&app, &p) {
        Err(f) => Err(f),
        Ok(()) => match dir.as_str() {
            "services" => definition(&app, key),
            "requests" => request(&app, key, &p).await,
            "tokens" => token(&app, key).await,
            _ => Err(Fail::not_found(format!("`{dir}`"))),
        },
    };
    answer(format, result, StatusCode::OK)
}

/// `POST /open311/v2/{file}`: a report (`requests`).
pub async fn post_top(
    State(app): State<App>,
    Path(file): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    bytes: Bytes,
) -> Response {
    let Some((name, format)) = Format::split(&file) else {
        return Fail::not_found(format!("`{file}` (use .xml or .json)")).reply(Format::Xml);
    };
    if name != "requests" && name != "servicerequestupdates" {
        return Fail::not_found(format!("POST `{name}`")).reply(format);
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Fail::bad("body", "the form is not UTF-8").reply(format);
    };
    let p = Params::parse(uri.query().unwrap_or("")).merge(Params::parse(text));
    let result = match jurisdiction(&app, &p) {
        Err(f) => Err(f),
        Ok(()) if p.repeated().is_some() => Err(p.repeated().unwrap_or_else(|| Fail::bad("body", "repeated"))),
        Ok(()) if name == "requests" => create(&app, &p, &headers, uri.path()).await,
        Ok(()) => post_update(&app, &p, &headers, uri.path()).await,
    };
    answer(format, result, StatusCode::CREATED)
}

fn discovery(app: &App, headers: &HeaderMap) -> V {
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
    let scheme = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).unwrap_or("http");
    let changeset = app.reference().taxonomy.version.clone();
    let endpoint = V::Obj(vec![
        ("specification", V::s(SPEC)),
        ("url", V::s(format!("{scheme}://{host}/open311/v2"))),
        ("changeset", V::s(changeset.clone())),
        ("type", V::s("production")),
        ("formats", V::List("format", vec![V::s("text/xml"), V::s("application/json")])),
    ]);
    V::Obj(vec![
        ("changeset", V::s(changeset)),
        ("contact", V::s(format!("{} 网格化服务管理指挥中心", app.open311().jurisdiction()))),
        (
            "key_service",
            V::s(
                "API keys come from the city administrator: `shanzhi apikey create --scope open311` or POST /api/v1/admin/api-keys",
            ),
        ),
        ("max_requests", V::I(MAX_REQUESTS as i64)),
        ("endpoints", V::List("endpoint", vec![endpoint])),
    ])
}

fn services(app: &App, p: &Params) -> V {
    let english = p.get("lang").is_some_and(|l| l.starts_with("en"));
    V::List(
        "service",
        app.open311()
            .services(english)
            .into_iter()
            .map(|s| {
                V::Obj(vec![
                    ("service_code", V::s(s.code)),
                    ("service_name", V::s(s.name)),
                    ("description", V::s(s.description)),
                    ("metadata", V::B(true)),
                    ("type", V::s("realtime")),
                    ("keywords", V::s(s.keywords.join(","))),
                    ("group", V::s(s.group)),
                ])
            })
            .collect(),
    )
}

fn definition(app: &App, code: &str) -> Answer {
    let attributes = app.open311().service_definition(code)?;
    let v = V::Obj(vec![
        ("service_code", V::s(code)),
        (
            "attributes",
            V::List(
                "attribute",
                attributes
                    .into_iter()
                    .map(|a| {
                        V::Obj(vec![
                            ("variable", V::B(a.variable)),
                            ("code", V::s(a.code)),
                            ("datatype", V::s(a.datatype)),
                            ("required", V::B(a.required)),
                            ("datatype_description", V::opt(a.datatype_description)),
                            ("order", V::I(i64::from(a.order))),
                            ("description", V::s(a.description)),
                            (
                                "values",
                                V::List(
                                    "value",
                                    a.values
                                        .into_iter()
                                        .map(|(k, n)| V::Obj(vec![("key", V::s(k)), ("name", V::s(n))]))
                                        .collect(),
                                ),
                            ),
                        ])
                    })
                    .collect(),
            ),
        ),
    ]);
    Ok(("service_definition", v))
}

/// A W3C datetime (with a zone), or a bare date (midnight, Beijing time).
fn when(p: &Params, field: &str) -> Result<Option<DateTime<Utc>>, Fail> {
    let Some(v) = p.get(field) else { return Ok(None) };
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| t.and_local_timezone(chrono::FixedOffset::east_opt(8 * 3600)?).single())
        .map(|t| Some(t.with_timezone(&Utc)))
        .ok_or_else(|| Fail::bad(field, format!("`{v}` is not a W3C datetime like 2026-05-01T00:00:00+08:00")))
}

fn count(p: &Params, field: &str, max: u64) -> Result<Option<u64>, Fail> {
    p.get(field)
        .map(|v| {
            v.parse::<u64>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| Fail::bad(field, format!("`{v}` is not a number from 1 to {max}")))
        })
        .transpose()
}

fn extensions(p: &Params) -> Result<bool, Fail> {
    match p.get("extensions") {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(v) => Err(Fail::bad("extensions", format!("`{v}` is not true or false"))),
    }
}

async fn requests(app: &App, p: &Params) -> Answer {
    let ids = p
        .list("service_request_id")
        .iter()
        .map(|s| s.parse::<i64>().map_err(|_| Fail::bad("service_request_id", format!("`{s}` is not a request id"))))
        .collect::<Result<Vec<_>, _>>()?;
    let statuses = p.list("status");
    if let Some(s) = statuses.iter().find(|s| *s != "open" && *s != "closed") {
        return Err(Fail::bad("status", format!("`{s}` is not open or closed")));
    }
    // Paging: `page` + `page_size` (Chicago) or `limit` + `offset`; by default the first 1000.
    let size = count(p, "page_size", MAX_REQUESTS)?.or(count(p, "limit", MAX_REQUESTS)?).unwrap_or(MAX_REQUESTS);
    let offset = match (count(p, "page", 1_000_000)?, p.get("offset")) {
        (Some(page), _) => (page - 1) * size,
        (None, Some(o)) => o
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= 1_000_000_000)
            .ok_or_else(|| Fail::bad("offset", format!("`{o}` is not a number up to 1000000000")))?,
        (None, None) => 0,
    };
    let q = RequestQuery {
        ids,
        service_codes: p.list("service_code"),
        start: when(p, "start_date")?,
        end: when(p, "end_date")?,
        statuses,
        limit: size,
        offset,
    };
    let ext = extensions(p)?;
    let found = app.open311().public_requests(&q).await?;
    Ok(("service_requests", V::List("request", found.iter().map(|r| request_v(r, ext)).collect())))
}

async fn request(app: &App, id: &str, p: &Params) -> Answer {
    let n = id.parse::<i64>().map_err(|_| Fail::not_found(format!("service request `{id}`")))?;
    let ext = extensions(p)?;
    let r = app.open311().public_request(n).await?;
    Ok(("service_requests", V::List("request", vec![request_v(&r, ext)])))
}

/// A token is the `Idempotency-Key` a client sent with its report: it finds the request even
/// when the client lost the answer.
async fn token(app: &App, token: &str) -> Answer {
    let id = app.open311().request_of_token(token).await?;
    let v = V::Obj(vec![("service_request_id", V::s(id.to_string())), ("token", V::s(token))]);
    Ok(("service_requests", V::List("request", vec![v])))
}

async fn updates(app: &App, p: &Params) -> Answer {
    let found = app.open311().request_updates(when(p, "start_date")?, when(p, "end_date")?).await?;
    let items = found
        .into_iter()
        .map(|u| {
            V::Obj(vec![
                ("update_id", V::s(u.update_id)),
                ("service_request_id", V::s(u.request_id.to_string())),
                ("status", V::s(u.status)),
                ("updated_datetime", V::time(u.at)),
                ("description", V::s(u.description)),
                ("media_url", V::opt(u.media_url)),
                ("external_status_code", V::s(u.external_status_code)),
            ])
        })
        .collect();
    Ok(("service_request_updates", V::List("request_update", items)))
}

fn number(p: &Params, field: &str) -> Result<Option<f64>, Fail> {
    p.get(field)
        .map(|v| {
            v.parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| Fail::bad(field, format!("`{v}` is not a number")))
        })
        .transpose()
}

/// Who posts: the key in the body or the query (`api_key`), or as a header; its scope must
/// cover Open311.
async fn poster(app: &App, p: &Params, headers: &HeaderMap, path: &str) -> Result<Caller, Fail> {
    let bearer = headers.get("authorization").and_then(|h| h.to_str().ok()).and_then(|h| h.strip_prefix("Bearer "));
    let header_key = headers.get("x-api-key").and_then(|h| h.to_str().ok());
    let credentials = match (p.get("api_key"), header_key, bearer) {
        (Some(k), _, _) | (None, Some(k), _) => Credentials::ApiKey(k),
        (None, None, Some(t)) => Credentials::Bearer(t.trim()),
        (None, None, None) => return Err(Fail(StatusCode::FORBIDDEN, "api_key is required to post".into())),
    };
    let caller = app.authenticate(credentials).await?;
    if let Some(scope) = caller.scope
        && !scope.allows("POST", path)
    {
        return Err(Fail(
            StatusCode::FORBIDDEN,
            format!("the API key's scope `{}` does not cover Open311", scope.as_str()),
        ));
    }
    Ok(caller)
}

/// FixMyStreet's `POST servicerequestupdates`: a client (FixMyStreet sending on a citizen's
/// update) adds a note to a request it can see. The request stays in its state: the status the
/// client gives is recorded with the note for the command centre, not obeyed. A retry with the
/// same `update_id` adds nothing and gets the same answer.
async fn post_update(app: &App, p: &Params, headers: &HeaderMap, path: &str) -> Answer {
    let caller = poster(app, p, headers, path).await?;
    let required = |field: &str| p.get(field).ok_or_else(|| Fail::bad(field, format!("{field} is required")));
    let request = required("service_request_id")?;
    let id = request.parse::<i64>().map_err(|_| Fail::not_found(format!("service request `{request}`")))?;
    let update_id = required("update_id")?;
    if update_id.chars().count() > 100 {
        return Err(Fail::bad("update_id", "at most 100 characters"));
    }
    when(p, "updated_datetime")?.ok_or_else(|| Fail::bad("updated_datetime", "updated_datetime is required"))?;
    let status = required("status")?.to_uppercase();
    if !shanzhi_domain::cases::open311::EXTENDED_STATUSES.contains(&status.as_str()) {
        return Err(Fail::bad("status", format!("`{status}` is not an Open311 status")));
    }
    let description = required("description")?;
    if description.chars().count() > 1900 {
        return Err(Fail::bad("description", "at most 1900 characters"));
    }
    let attachments = match p.get("media_url") {
        Some(u) if u.starts_with("https://") || u.starts_with("http://") => vec![u.to_string()],
        Some(u) => return Err(Fail::bad("media_url", format!("`{u}` is not a web address"))),
        None => Vec::new(),
    };
    let text = format!("[{status}] {description}");
    let view = app.open311().open311_update(id, &text, attachments, &caller.actor, update_id).await?;
    let v = V::Obj(vec![("update_id", V::s(format!("{id}-{}", view.version)))]);
    Ok(("service_request_updates", V::List("request_update", vec![v])))
}

async fn create(app: &App, p: &Params, headers: &HeaderMap, path: &str) -> Answer {
    let caller = poster(app, p, headers, path).await?;
    let service_code = p.get("service_code").ok_or_else(|| Fail::bad("service_code", "service_code is required"))?;
    let attributes =
        p.0.iter()
            .filter_map(|(k, v)| {
                let code = k.strip_prefix("attribute[")?;
                let code = code.strip_suffix("][]").or_else(|| code.strip_suffix(']'))?;
                Some((code.to_string(), v.trim().to_string()))
            })
            .collect();
    let report = Open311Report {
        service_code: service_code.to_string(),
        lat: number(p, "lat")?,
        long: number(p, "long")?,
        address_string: p.get("address_string").map(str::to_string),
        description: p.get("description").map(str::to_string),
        media_url: p.get("media_url").map(str::to_string),
        attributes,
    };
    let input = app.open311().open311_input(report)?;
    let key = crate::routes::idempotency_key(headers).map_err(|e| Fail(StatusCode::BAD_REQUEST, e.message))?;
    let view = app.cases().report_open311(input, &caller.actor, key.as_deref()).await?;
    let notice = match (&view.grid, &view.route) {
        (Some(grid), Some(route)) => format!("已受理：网格 {grid}，拟派 {}", app.unit_name(&route.unit)),
        (Some(grid), None) => format!("已受理：网格 {grid}"),
        (None, _) => "已受理：位置不在任何网格内，已保留并标记，待指挥中心人工定位".to_string(),
    };
    // The short follow code, for the client to pass on to the citizen (it is told only here).
    let notice = match &view.short_code {
        Some(code) => format!("{notice}；查询码 {code}"),
        None => notice,
    };
    let v = V::Obj(vec![
        ("service_request_id", V::s(view.id.to_string())),
        ("service_notice", V::s(notice)),
        ("account_id", V::Null),
    ]);
    Ok(("service_requests", V::List("request", vec![v])))
}

fn request_v(r: &PublicRequest, ext: bool) -> V {
    let c = &r.case;
    let mut fields = vec![
        ("service_request_id", V::s(c.id.to_string())),
        ("status", V::s(r.status)),
        ("status_notes", V::opt(r.status_notes.clone())),
        ("service_name", V::s(r.service_name.clone())),
        ("service_code", V::s(r.service_code.clone())),
        ("description", V::s(c.description.clone())),
        ("agency_responsible", V::opt(r.agency.clone())),
        ("service_notice", V::Null),
        ("requested_datetime", V::time(c.reported_at)),
        ("updated_datetime", V::time(r.updated_at)),
        ("expected_datetime", c.deadline.filter(|_| c.closed_at.is_none()).map_or(V::Null, V::time)),
        ("address", V::s(r.address.clone())),
        ("address_id", V::Null),
        ("zipcode", V::Null),
        ("lat", c.lat.map_or(V::Null, V::N)),
        ("long", c.lon.map_or(V::Null, V::N)),
        ("media_url", V::opt(r.media_url.clone())),
    ];
    if ext {
        let id = |i: Option<i64>| V::opt(i.map(|i| i.to_string()));
        let units = c.units.as_ref();
        fields.push((
            "extended_attributes",
            V::Obj(vec![
                ("kind", V::s(c.kind.clone())),
                ("state", V::s(c.state.clone())),
                ("state_name", V::s(c.state_name_zh.clone())),
                ("extended_status", V::s(r.extended_status.clone())),
                ("channel", V::s(c.channel.clone())),
                ("located", V::B(c.located)),
                ("grid", V::opt(c.grid.clone())),
                ("community", V::opt(c.community.clone())),
                ("street", V::opt(c.street.clone())),
                ("county", V::s(c.county.clone())),
                ("unit", V::opt(units.map(|u| u.primary.clone()))),
                (
                    "assisting_units",
                    V::List(
                        "unit",
                        units.map(|u| u.assisting.iter().map(|a| V::s(a.clone())).collect()).unwrap_or_default(),
                    ),
                ),
                ("step", V::opt(c.step.clone())),
                ("deadline", c.deadline.map_or(V::Null, V::time)),
                ("light", V::opt(c.light.clone())),
                ("rework_count", V::I(i64::from(c.rework_count))),
                ("duplicate", id(c.possible_duplicate_of)),
                ("parent_service_request_id", id(c.merged_into)),
                ("closed_datetime", c.closed_at.map_or(V::Null, V::time)),
                (
                    "attributes",
                    V::List(
                        "attribute",
                        r.attributes
                            .iter()
                            .map(|(code, value)| {
                                V::Obj(vec![("code", V::s(code.clone())), ("value", V::s(value.clone()))])
                            })
                            .collect(),
                    ),
                ),
            ]),
        ));
        let notes = r
            .notes
            .iter()
            .map(|n| {
                V::Obj(vec![
                    ("datetime", V::time(n.at)),
                    ("summary", V::s(n.action_name.clone())),
                    ("description", V::opt(n.opinion.clone())),
                    ("type", V::s(n.kind)),
                    (
                        "extended_attributes",
                        V::Obj(vec![
                            ("action", V::s(n.action.clone())),
                            ("from_state", V::opt(n.from_state.clone())),
                            ("to_state", V::s(n.to_state.clone())),
                            ("unit", V::s(n.unit.clone())),
                            ("role", V::s(n.role)),
                            ("overdue", V::B(n.overdue)),
                        ]),
                    ),
                ])
            })
            .collect();
        fields.push(("notes", V::List("note", notes)));
    }
    V::Obj(fields)
}
