//! The OpenAPI 3.1 document, served at `/openapi.json`.

use utoipa::OpenApi;

use crate::dto::*;
use crate::error::ApiError;
use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "shanzhi 善治",
        description = "Grid-based community governance: places, grids and reference data."
    ),
    paths(
        routes::system::healthz,
        routes::places::locate,
        routes::places::area,
        routes::places::taxonomy
    ),
    components(schemas(ApiError, HealthDto, LocateDto, AreaDto, TaxonomyDto))
)]
pub struct ApiDoc;
