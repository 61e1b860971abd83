//! Coordinate reference systems accepted at the edge (WGS-84, GCJ-02, BD-09) and conversion to
//! the canonical WGS-84 in which every grid and point is stored and located.

use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantNames};
use thiserror::Error;

/// Named as serde names it; parsed also under the other names in use (`WGS-84`, `EPSG:4326`,
/// `CGCS2000`, `GCJ-02`, `BD-09`), in any case.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, IntoStaticStr, VariantNames, EnumString,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase", ascii_case_insensitive)]
pub enum Crs {
    /// GPS / CGCS2000, canonical.
    #[default]
    #[strum(to_string = "wgs84", serialize = "wgs-84", serialize = "epsg:4326", serialize = "cgcs2000")]
    Wgs84,
    /// The obfuscated datum of AMap, Tencent and WeChat maps.
    #[strum(to_string = "gcj02", serialize = "gcj-02")]
    Gcj02,
    /// Baidu's datum.
    #[strum(to_string = "bd09", serialize = "bd-09")]
    Bd09,
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum CoordError {
    #[error("unknown crs `{0}`: expected wgs84, gcj02 or bd09")]
    UnknownCrs(String),
    #[error("longitude {0} is outside -180..180")]
    Longitude(f64),
    #[error("latitude {0} is outside -90..90")]
    Latitude(f64),
}

impl Crs {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Result<Crs, CoordError> {
        s.parse().map_err(|_| CoordError::UnknownCrs(s.to_string()))
    }

    /// Converts a point in this CRS to WGS-84, after checking that it is a real coordinate.
    /// Outside mainland China GCJ-02 and BD-09 carry no offset, as their providers do.
    pub fn to_wgs84(self, lon: f64, lat: f64) -> Result<(f64, f64), CoordError> {
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(CoordError::Longitude(lon));
        }
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(CoordError::Latitude(lat));
        }
        Ok(match self {
            Crs::Wgs84 => (lon, lat),
            Crs::Gcj02 => coordtransform::gcj02_to_wgs84(lon, lat),
            Crs::Bd09 => coordtransform::bd09_to_wgs84(lon, lat),
        })
    }

    /// Converts a WGS-84 point into this CRS (for display on a provider's base map).
    pub fn from_wgs84(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Crs::Wgs84 => (lon, lat),
            Crs::Gcj02 => coordtransform::wgs84_to_gcj02(lon, lat),
            Crs::Bd09 => coordtransform::wgs84_to_bd09(lon, lat),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_stay_within_a_metre_in_tangshan() {
        for crs in [Crs::Wgs84, Crs::Gcj02, Crs::Bd09] {
            let (x, y) = crs.from_wgs84(118.18, 39.63);
            let (lon, lat) = crs.to_wgs84(x, y).unwrap();
            assert!((lon - 118.18).abs() < 1e-5 && (lat - 39.63).abs() < 1e-5, "{crs:?}");
        }
        // GCJ-02 shifts Tangshan by hundreds of metres: the conversion is not a no-op.
        let (gx, _) = Crs::Gcj02.from_wgs84(118.18, 39.63);
        assert!((gx - 118.18).abs() > 1e-3);
    }

    #[test]
    fn refuses_impossible_coordinates() {
        assert_eq!(Crs::Wgs84.to_wgs84(200.0, 10.0), Err(CoordError::Longitude(200.0)));
        assert!(Crs::Wgs84.to_wgs84(10.0, f64::NAN).is_err());
        assert!(Crs::parse("utm").is_err());
        assert_eq!(Crs::parse("GCJ02").unwrap(), Crs::Gcj02);
    }
}
