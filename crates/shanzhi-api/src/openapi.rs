//! The OpenAPI 3.1 document, served at `/openapi.json`.

use utoipa::OpenApi;

use crate::dto::*;
use crate::dto_cases::*;
use crate::error::ApiError;
use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "shanzhi 善治",
        description = "Grid-based community governance: places, grids, reference data and cases."
    ),
    paths(
        routes::system::healthz,
        routes::places::locate,
        routes::places::area,
        routes::places::taxonomy,
        routes::cases::report,
        routes::cases::list,
        routes::cases::show,
        routes::cases::act,
        routes::cases::stats
    ),
    components(schemas(
        ApiError,
        HealthDto,
        LocateDto,
        AreaDto,
        TaxonomyDto,
        ReportDto,
        CaseDto,
        CaseDetailDto,
        CaseListDto,
        ActionDto,
        StatsDto
    ))
)]
pub struct ApiDoc;
