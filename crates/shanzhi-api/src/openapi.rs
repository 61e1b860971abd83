//! The OpenAPI 3.1 document, served at `/openapi.json`.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::dto::*;
use crate::dto_admin::*;
use crate::dto_auth::*;
use crate::dto_cases::*;
use crate::dto_console::*;
use crate::error::ApiError;
use crate::openapi_open311::Open311;
use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "shanzhi 善治",
        description = "Grid-based community governance: places, grids, reference data and cases."
    ),
    modifiers(&Security, &Open311),
    paths(
        routes::system::healthz,
        routes::auth::login,
        routes::auth::logout,
        routes::auth::whoami,
        routes::auth::change_password,
        routes::auth::create_api_key,
        routes::auth::list_api_keys,
        routes::auth::revoke_api_key,
        routes::admin::list_users,
        routes::admin::create_user,
        routes::admin::show_user,
        routes::admin::change_user,
        routes::admin::reset_password,
        routes::admin::unlock_user,
        routes::admin::roles,
        routes::admin::edit_role_actions,
        routes::admin::workflows,
        routes::admin::search_state,
        routes::admin::reindex_search,
        routes::admin::units,
        routes::admin::scope_entries,
        routes::admin::reference,
        routes::admin::reference_source,
        routes::admin::import_reference,
        routes::admin::edit_type,
        routes::admin::change_holiday,
        routes::admin::change_work_hours,
        routes::admin::export_grids,
        routes::admin::import_grids,
        routes::admin::calendar,
        routes::admin::audit_log,
        routes::admin::verify_audit,
        routes::places::locate,
        routes::places::area,
        routes::places::taxonomy,
        routes::places::kinds,
        routes::command::base_map,
        routes::command::map,
        routes::command::overview,
        routes::cases::report,
        routes::cases::list,
        routes::cases::show,
        routes::cases::act,
        routes::cases::add_note,
        routes::cases::stats,
        routes::cases::export,
        routes::cases::export_stats,
        routes::attachments::upload,
        routes::attachments::show,
        routes::attachments::thumbnail,
        routes::events::watch
    ),
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
        CalendarDto
    ))
)]
pub struct ApiDoc;

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
