//! The Open311 GeoReport v2 part of the OpenAPI document. Its routes dispatch on the path's file
//! name (`services.json`), so the paths are written here, one per resource, with the JSON shapes
//! of the standard (schema-validation's `georeport-v2` schemas) and the XML as text.

use serde_json::{Value, json};
use utoipa::Modify;
use utoipa::openapi::OpenApi;

/// Adds the Open311 paths and schemas.
pub struct Open311;

fn format_param() -> Value {
    json!({"name": "format", "in": "path", "required": true, "description": "xml (the standard's) or json",
           "schema": {"type": "string", "enum": ["xml", "json"]}})
}

fn query(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": "string"}})
}

fn jurisdiction() -> Value {
    query("jurisdiction_id", "The city's division code (optional: this endpoint serves one jurisdiction)")
}

fn ok(status: &str, schema: &str) -> (String, Value) {
    (
        status.to_string(),
        json!({"description": "The answer, in the format of the path's suffix",
               "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}},
                           "text/xml": {"schema": {"type": "string"}}}}),
    )
}

fn errors(statuses: &[&str]) -> Vec<(String, Value)> {
    statuses
        .iter()
        .map(|s| {
            (
                s.to_string(),
                json!({"description": "Open311 errors: 404 not found, 403 bad api_key, 400 anything else",
                       "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Open311Errors"}},
                                   "text/xml": {"schema": {"type": "string"}}}}),
            )
        })
        .collect()
}

fn operation(id: &str, summary: &str, params: Vec<Value>, responses: Vec<(String, Value)>) -> Value {
    json!({"tags": ["open311"], "operationId": id, "summary": summary, "parameters": params,
           "responses": responses.into_iter().collect::<serde_json::Map<String, Value>>()})
}

fn paths() -> Vec<(&'static str, Value)> {
    let path = |name: &str| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}});
    let form_fields = json!({
        "type": "object",
        "required": ["service_code"],
        "properties": {
            "api_key": {"type": "string", "description": "An API key of scope open311 or full (or send X-API-Key)"},
            "jurisdiction_id": {"type": "string"},
            "service_code": {"type": "string"},
            "lat": {"type": "number"}, "long": {"type": "number"},
            "address_string": {"type": "string"}, "address_id": {"type": "string"},
            "email": {"type": "string"}, "device_id": {"type": "string"}, "account_id": {"type": "string"},
            "first_name": {"type": "string"}, "last_name": {"type": "string"}, "phone": {"type": "string"},
            "description": {"type": "string", "maxLength": 2000},
            "media_url": {"type": "string"},
            "attribute[crs]": {"type": "string", "enum": ["wgs84", "gcj02", "bd09"]}
        }
    });
    let mut post = operation(
        "open311_create_request",
        "Report a problem (an API key is required); it enters the same closed loop as any report",
        vec![format_param()],
        [vec![ok("201", "Open311Created")], errors(&["400", "403", "404"])].concat(),
    );
    post["requestBody"] =
        json!({"required": true, "content": {"application/x-www-form-urlencoded": {"schema": form_fields}}});
    let update_fields = json!({
        "type": "object",
        "required": ["service_request_id", "update_id", "updated_datetime", "status", "description"],
        "properties": {
            "api_key": {"type": "string", "description": "An API key of scope open311 or full (or send X-API-Key)"},
            "jurisdiction_id": {"type": "string"},
            "service_request_id": {"type": "string"},
            "update_id": {"type": "string", "maxLength": 100, "description": "The client's id of the update: a retry with the same id adds nothing"},
            "updated_datetime": {"type": "string", "format": "date-time"},
            "status": {"type": "string", "description": "An Open311 status (OPEN, CLOSED, FIXED, …): recorded with the note, the request keeps its state"},
            "description": {"type": "string", "maxLength": 1900},
            "media_url": {"type": "string"},
            "first_name": {"type": "string"}, "last_name": {"type": "string"},
            "email": {"type": "string"}, "phone": {"type": "string"}
        }
    });
    let mut post_update = operation(
        "open311_post_update",
        "FixMyStreet's update on a request (an API key is required): a note on the case, which stays in its state",
        vec![format_param()],
        [vec![ok("201", "Open311UpdateCreated")], errors(&["400", "403", "404"])].concat(),
    );
    post_update["requestBody"] =
        json!({"required": true, "content": {"application/x-www-form-urlencoded": {"schema": update_fields}}});
    let mut list_params = vec![
        format_param(),
        jurisdiction(),
        query("service_request_id", "Comma-separated ids; overrides every other filter"),
        query("service_code", "Comma-separated service codes"),
        query("start_date", "Reported at or after (W3C datetime; a bare date is Beijing midnight)"),
        query("end_date", "Reported before; the span may not exceed 90 days (default: the last 90 days)"),
        query("status", "open, closed or both, comma-separated"),
        query("extensions", "true adds extended_attributes and notes"),
    ];
    for (name, d) in [
        ("page", "Page, from 1 (with page_size)"),
        ("page_size", "1..=1000, default 1000"),
        ("limit", "Same as page_size"),
        ("offset", "Requests to skip"),
    ] {
        let (min, max) = match name {
            "offset" => (0, 1_000_000_000),
            "page" => (1, 1_000_000),
            _ => (1, 1000),
        };
        list_params.push(json!({"name": name, "in": "query", "required": false, "description": d,
                                "schema": {"type": "integer", "minimum": min, "maximum": max}}));
    }
    vec![
        (
            "/open311/v2/discovery.{format}",
            json!({"get": operation("open311_discovery", "Service discovery", vec![format_param()],
                [vec![ok("200", "Open311Discovery")], errors(&["404"])].concat())}),
        ),
        (
            "/open311/v2/services.{format}",
            json!({"get": operation("open311_services", "The services: every type of the event catalogue",
                vec![format_param(), jurisdiction(), query("lang", "en for English names")],
                [vec![ok("200", "Open311Services")], errors(&["404"])].concat())}),
        ),
        (
            "/open311/v2/services/{service_code}.{format}",
            json!({"get": operation("open311_service_definition", "A service definition (its attributes)",
                vec![path("service_code"), format_param(), jurisdiction()],
                [vec![ok("200", "Open311ServiceDefinition")], errors(&["404"])].concat())}),
        ),
        (
            "/open311/v2/requests.{format}",
            json!({
                "get": operation("open311_requests", "Public requests (urban-management events), newest first",
                    list_params, [vec![ok("200", "Open311Requests")], errors(&["400", "404"])].concat()),
                "post": post,
            }),
        ),
        (
            "/open311/v2/requests/{service_request_id}.{format}",
            json!({"get": operation("open311_request", "One request (an array of one)",
                vec![path("service_request_id"), format_param(), jurisdiction(), query("extensions", "true adds extended_attributes and notes")],
                [vec![ok("200", "Open311Requests")], errors(&["400", "404"])].concat())}),
        ),
        (
            "/open311/v2/tokens/{token}.{format}",
            json!({"get": operation("open311_token", "The request of a token (the Idempotency-Key sent with a report)",
                vec![path("token"), format_param(), jurisdiction()],
                [vec![ok("200", "Open311Tokens")], errors(&["404"])].concat())}),
        ),
        (
            "/open311/v2/servicerequestupdates.{format}",
            json!({
                "get": operation("open311_updates", "FixMyStreet's request updates: log entries of a window, oldest first",
                    vec![format_param(), jurisdiction(), query("start_date", "W3C datetime"), query("end_date", "W3C datetime")],
                    [vec![ok("200", "Open311Updates")], errors(&["400", "404"])].concat()),
                "post": post_update,
            }),
        ),
    ]
}

fn schemas() -> Vec<(&'static str, Value)> {
    let s = json!({"type": "string"});
    let sn = json!({"type": ["string", "null"]});
    let nn = json!({"type": ["number", "null"]});
    let request = json!({
        "type": "object",
        "required": ["service_request_id", "status", "service_code", "requested_datetime"],
        "properties": {
            "service_request_id": s, "status": {"type": "string", "enum": ["open", "closed"]},
            "status_notes": sn, "service_name": sn, "service_code": s, "description": sn,
            "agency_responsible": sn, "service_notice": sn, "requested_datetime": {"type": "string", "format": "date-time"},
            "updated_datetime": sn, "expected_datetime": sn, "address": sn, "address_id": sn, "zipcode": sn,
            "lat": nn, "long": nn, "media_url": sn,
            "extended_attributes": {"type": "object"},
            "notes": {"type": "array", "items": {"type": "object",
                "required": ["datetime", "type"],
                "properties": {"datetime": s, "summary": s, "description": sn, "type": s, "extended_attributes": {"type": "object"}}}}
        }
    });
    vec![
        (
            "Open311Errors",
            json!({"type": "array", "items": {"type": "object", "required": ["code", "description"],
            "properties": {"code": {"type": "integer"}, "description": s}}}),
        ),
        (
            "Open311Discovery",
            json!({"type": "object", "required": ["changeset", "contact", "key_service", "endpoints"],
            "properties": {"changeset": s, "contact": s, "key_service": s, "max_requests": {"type": "integer"},
                "endpoints": {"type": "array", "items": {"type": "object",
                    "required": ["specification", "url", "changeset", "type", "formats"],
                    "properties": {"specification": s, "url": s, "changeset": s,
                        "type": {"type": "string", "enum": ["production", "test"]},
                        "formats": {"type": "array", "items": s}}}}}}),
        ),
        (
            "Open311Services",
            json!({"type": "array", "items": {"type": "object",
            "required": ["service_code", "service_name", "metadata", "type"],
            "properties": {"service_code": s, "service_name": s, "description": sn, "metadata": {"type": "boolean"},
                "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]}, "keywords": sn, "group": sn}}}),
        ),
        (
            "Open311ServiceDefinition",
            json!({"type": "object", "required": ["service_code", "attributes"],
            "properties": {"service_code": s, "attributes": {"type": "array", "items": {"type": "object",
                "required": ["variable", "code", "datatype", "required", "order", "description"],
                "properties": {"variable": {"type": "boolean"}, "code": s,
                    "datatype": {"type": "string", "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]},
                    "required": {"type": "boolean"}, "datatype_description": sn, "order": {"type": "integer", "minimum": 1},
                    "description": s, "values": {"type": "array", "items": {"type": "object", "required": ["key", "name"],
                        "properties": {"key": s, "name": s}}}}}}}}),
        ),
        ("Open311Requests", json!({"type": "array", "items": request})),
        (
            "Open311Created",
            json!({"type": "array", "items": {"type": "object", "required": ["service_request_id"],
            "properties": {"service_request_id": s, "service_notice": sn, "account_id": sn}}}),
        ),
        (
            "Open311UpdateCreated",
            json!({"type": "array", "items": {"type": "object", "required": ["update_id"],
            "properties": {"update_id": s}}}),
        ),
        (
            "Open311Tokens",
            json!({"type": "array", "items": {"type": "object", "required": ["service_request_id", "token"],
            "properties": {"service_request_id": s, "token": s}}}),
        ),
        (
            "Open311Updates",
            json!({"type": "array", "items": {"type": "object",
            "required": ["update_id", "service_request_id", "status", "updated_datetime", "description"],
            "properties": {"update_id": s, "service_request_id": s, "status": s, "updated_datetime": s,
                "description": s, "media_url": sn, "external_status_code": sn}}}),
        ),
    ]
}

impl Modify for Open311 {
    fn modify(&self, doc: &mut OpenApi) {
        for (path, item) in paths() {
            match serde_json::from_value(item) {
                Ok(item) => {
                    doc.paths.paths.insert(path.to_string(), item);
                }
                Err(e) => panic!("the Open311 path {path} is not a valid OpenAPI path item: {e}"),
            }
        }
        let components = doc.components.get_or_insert_with(Default::default);
        for (name, schema) in schemas() {
            match serde_json::from_value(schema) {
                Ok(schema) => {
                    components.schemas.insert(name.to_string(), schema);
                }
                Err(e) => panic!("the Open311 schema {name} is not a valid schema: {e}"),
            }
        }
    }
}
