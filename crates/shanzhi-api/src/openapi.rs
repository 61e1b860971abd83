//! The OpenAPI 3.1 document, served at `/openapi.json`: its frame (title, security schemes,
//! Open311, shared types), the routes of the route table (`routes::table`), and the fields of
//! each kind in force (`document`).

use shanzhi_domain::cases::workflow::Workflow;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::dto::*;
use crate::dto_admin::*;
use crate::dto_auth::*;
use crate::dto_cases::*;
use crate::dto_console::*;
use crate::dto_follow::*;
use crate::error::ApiError;
use crate::openapi_open311::Open311;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "shanzhi 善治",
        description = "Grid-based community governance: places, grids, reference data and cases."
    ),
    modifiers(&Security, &Open311),
    components(schemas(
        ApiError,
        LoginDto,
        SessionDto,
        MeDto,
        PasswordDto,
        NewApiKeyDto,
        ApiKeyCreatedDto,
        ApiKeyDto,
        HealthDto,
        LocateDto,
        AreaDto,
        TaxonomyDto,
        KindDto,
        KindStateDto,
        KindActionDto,
        KindFieldDto,
        KindChoiceDto,
        ReportDto,
        CaseDto,
        CaseDetailDto,
        CaseListDto,
        ActionDto,
        NoteDto,
        StatsDto,
        AttachmentDto,
        OverviewDto,
        TodoDto,
        BaseMapDto,
        UserDto,
        UserPageDto,
        AuditEntryDto,
        AuditPageDto,
        AuditCheckDto,
        NewUserDto,
        UserChangeDto,
        NewPasswordDto,
        RoleDto,
        UnitDto,
        ScopeEntryDto,
        WorkflowRolesDto,
        WorkflowActionDto,
        RoleActionsDto,
        WorkHoursDto,
        SearchRebuildDto,
        ReferenceOverviewDto,
        ImportedDto,
        TypeEditDto,
        LimitDto,
        HolidayChangeDto,
        HolidayKeyDto,
        HolidayInDto,
        CalendarDto,
        FollowDto,
        FollowStepDto,
        FollowFileDto,
        FollowRatingDto,
        BilingualDto,
        EverydayDto,
        EverydayProblemDto,
        CommunityDto
    ))
)]
pub(crate) struct ApiDoc;

/// The document without the kinds' fields: the routes of the route table with their types.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    DOC.get_or_init(|| crate::routes::table().into_openapi()).clone()
}

/// The ways to authenticate: a login token (`Authorization: Bearer`), an API key (`X-API-Key`,
/// also accepted as `Authorization: Bearer szk_…` or `?api_key=`), and a resident's follow code
/// (`X-Follow-Code`: reports made under it, followed and rated with it, no account).
struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("opaque").build()),
        );
        components
            .add_security_scheme("api_key", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))));
        components.add_security_scheme(
            "follow_code",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Follow-Code",
                "32 to 64 hexadecimal digits a resident without an account chose: their reports, and only those",
            ))),
        );
    }
}

/// The document as served: the static one, with the fields of each kind in force described
/// (`components.schemas.Fields_<kind>`, named from the report's and the action's `fields`), so a
/// kind imported as a file is described as soon as it is in force.
pub fn document(workflows: &[&Workflow]) -> serde_json::Value {
    let mut doc = serde_json::to_value(api_doc()).unwrap_or_default();
    let mut names = Vec::new();
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(|s| s.as_object_mut()) {
        for wf in workflows {
            let name = format!("Fields_{}", wf.kind);
            schemas.insert(name.clone(), fields_schema(wf));
            names.push(name);
        }
    }
    let said = format!(
        "The kind's own fields, by key; each kind's are described in components.schemas: {}.",
        names.join(", ")
    );
    for dto in ["ReportDto", "ActionDto"] {
        if let Some(d) = doc.pointer_mut(&format!("/components/schemas/{dto}/properties/fields/description")) {
            *d = serde_json::Value::String(format!("{} {said}", d.as_str().unwrap_or_default()));
        }
    }
    doc
}

/// A kind's fields as a JSON schema: each field's type, limits and choices, which are required
/// with the report, and at which steps each may be given.
fn fields_schema(wf: &Workflow) -> serde_json::Value {
    use serde_json::json;
    use shanzhi_domain::cases::fields::{AT_REPORT, FieldType};
    let person = json!({
        "type": "object",
        "required": ["name"],
        "additionalProperties": false,
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 50},
            "phone": {"type": "string", "description": "an 11-digit mobile number or a landline with its area code"},
            "id_number": {"type": "string", "minLength": 18, "maxLength": 18},
        },
    });
    let mut properties = serde_json::Map::new();
    for f in wf.fields() {
        let mut s = match f.ty {
            FieldType::Text => json!({"type": "string", "minLength": 1, "maxLength": f.max.unwrap_or(2000)}),
            FieldType::Address => json!({"type": "string", "minLength": 1, "maxLength": 200}),
            FieldType::Number => {
                let mut n = json!({"type": "number"});
                if let Some(v) = f.min_value {
                    n["minimum"] = json!(v);
                }
                if let Some(v) = f.max_value {
                    n["maximum"] = json!(v);
                }
                n
            }
            FieldType::Date => json!({"type": "string", "format": "date"}),
            FieldType::Choice => {
                json!({"type": "string", "enum": f.choices.iter().map(|c| &c.key).collect::<Vec<_>>()})
            }
            FieldType::Person => person.clone(),
            FieldType::People => {
                json!({"type": "array", "minItems": 1, "maxItems": f.max.unwrap_or(200), "items": person})
            }
            FieldType::Attachments => {
                json!({"type": "array", "minItems": 1, "maxItems": f.max.unwrap_or(200), "items": {"type": "string"}})
            }
        };
        s["title"] = json!(f.name_zh);
        s["description"] = json!(format!(
            "{}. Given with: {}.{}{}",
            f.name_en,
            f.at.join(", "),
            if f.required { " Required." } else { "" },
            if f.ty.personal() { " Personal data: masked when shown." } else { "" }
        ));
        properties.insert(f.key.clone(), s);
    }
    let required: Vec<&str> =
        wf.fields().iter().filter(|f| f.required_at() == Some(AT_REPORT)).map(|f| f.key.as_str()).collect();
    json!({
        "type": "object",
        "title": format!("{} ({})", wf.name_zh, wf.kind),
        "description": format!("The fields of kind `{}` ({}), workflow {}; `required` lists those a report must give.", wf.kind, wf.name_en, wf.version),
        "additionalProperties": false,
        "properties": properties,
        "required": required,
    })
}
