//! Imports: a city's own taxonomy or work calendar (new versions; old ones are kept), and grids
//! from GeoJSON (validated whole: any problem and nothing is written).

use shanzhi_domain::places::geojson;
use shanzhi_store::ReferenceKind;

use crate::reference::{parse_calendar, parse_taxonomy};
use crate::{App, AppError};

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub version: String,
    pub items: usize,
}

impl App {
    /// Validates a catalogue against the current departments and makes it the current version.
    pub async fn import_taxonomy(&self, text: &str) -> Result<Imported, AppError> {
        let t = parse_taxonomy(text, &self.reference().departments)?;
        self.store().put_reference(ReferenceKind::Taxonomy, &t.version, text, self.clock().now()).await?;
        self.reload_reference().await?;
        Ok(Imported { version: t.version.clone(), items: t.types.len() })
    }

    pub async fn import_calendar(&self, text: &str) -> Result<Imported, AppError> {
        let c = parse_calendar(text)?;
        self.store().put_reference(ReferenceKind::Calendar, c.version(), text, self.clock().now()).await?;
        self.reload_reference().await?;
        Ok(Imported { version: c.version().to_string(), items: 0 })
    }

    /// Imports grids from a GeoJSON FeatureCollection; replaces grids with the same codes.
    pub async fn import_grids(&self, text: String) -> Result<Imported, AppError> {
        let places = self.places();
        let parsed = tokio::task::spawn_blocking(move || geojson::import(&text, &places.tree, &places.grids))
            .await
            .map_err(AppError::internal)?;
        let grids = parsed.map_err(|problems| AppError::Rejected { problems })?;
        self.store().upsert_grids(&grids).await?;
        self.reload_places().await?;
        Ok(Imported { version: String::new(), items: grids.len() })
    }

    /// All grids as GeoJSON.
    pub fn export_grids(&self) -> String {
        geojson::export(&self.places().grids)
    }
}
