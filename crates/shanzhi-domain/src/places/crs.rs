//! Coordinate reference systems accepted at the edge (WGS-84, GCJ-02, BD-09) and conversion to
//! the canonical WGS-84 in which every grid and point is stored and located.

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Crs {
    /// GPS / CGCS2000, canonical.
    #[default]
    Wgs84,
    /// The obfuscated datum of AMap, Tencent and WeChat maps.
    Gcj02,
    /// Baidu's datum.
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
        match self {
            Crs::Wgs84 => "wgs84",
            Crs::Gcj02 => "gcj02",
            Crs::Bd09 => "bd09",
        }
    }

    pub fn parse(s: &str) -> Result<Crs, CoordError> {
        match s.to_ascii_lowercase().as_str() {
            "wgs84" | "wgs-84" | "epsg:4326" | "cgcs2000" => Ok(Crs::Wgs84),
            "gcj02" | "gcj-02" => Ok(Crs::Gcj02),
            "bd09" | "bd-09" => Ok(Crs::Bd09),
            _ => Err(CoordError::UnknownCrs(s.to_string())),
        }
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
