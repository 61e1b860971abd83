//! Typed codes of places: statistical division codes (4/6/9/12 digits) and 15-digit grid codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use strum::{EnumString, IntoStaticStr, VariantNames};
use thiserror::Error;

/// Why a code was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CodeError {
    #[error("`{0}` is not a division code: expected 4, 6, 9 or 12 digits")]
    Division(String),
    #[error("`{0}` is not a grid code: expected 15 digits (12-digit community code + 3-digit sequence)")]
    Grid(String),
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The four levels of the statistical division tree below the province.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    IntoStaticStr,
    VariantNames,
    EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Level {
    /// 地级市, 4 digits (e.g. 1302 唐山市).
    City,
    /// 区 / 县 / 县级市 / 功能区, 6 digits.
    County,
    /// 街道 / 镇 / 乡, 9 digits.
    Township,
    /// 社区 / 村, 12 digits.
    Village,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn digits(self) -> usize {
        match self {
            Level::City => 4,
            Level::County => 6,
            Level::Township => 9,
            Level::Village => 12,
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        s.parse().ok()
    }
}

/// A statistical division code (GB/T 2260 + NBS township and village extensions).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DivisionCode(String);

impl DivisionCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> Level {
        match self.0.len() {
            4 => Level::City,
            6 => Level::County,
            9 => Level::Township,
            _ => Level::Village,
        }
    }

    /// The enclosing division, or `None` for a city.
    pub fn parent(&self) -> Option<DivisionCode> {
        let len = match self.level() {
            Level::City => return None,
            Level::County => 4,
            Level::Township => 6,
            Level::Village => 9,
        };
        Some(DivisionCode(self.0[..len].to_string()))
    }

    /// The code of the ancestor at `level` (itself when the levels match); `None` below it.
    pub fn ancestor(&self, level: Level) -> Option<DivisionCode> {
        (level.digits() <= self.0.len()).then(|| DivisionCode(self.0[..level.digits()].to_string()))
    }

    /// Whether `other` is this division or lies inside it.
    pub fn contains(&self, other: &DivisionCode) -> bool {
        other.0.starts_with(&self.0)
    }
}

impl FromStr for DivisionCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, CodeError> {
        if all_digits(s) && matches!(s.len(), 4 | 6 | 9 | 12) {
            Ok(DivisionCode(s.to_string()))
        } else {
            Err(CodeError::Division(s.to_string()))
        }
    }
}

/// A grid code: the 12-digit community code plus a 3-digit sequence (GB/T 30428.1 shape).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GridCode(String);

impl GridCode {
    pub fn new(community: &DivisionCode, seq: u16) -> Result<GridCode, CodeError> {
        let code = format!("{}{:03}", community.as_str(), seq);
        code.parse()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn community(&self) -> DivisionCode {
        DivisionCode(self.0[..12].to_string())
    }

    pub fn sequence(&self) -> u16 {
        self.0[12..].parse().unwrap_or(0)
    }
}

impl FromStr for GridCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, CodeError> {
        if all_digits(s) && s.len() == 15 && &s[12..] != "000" {
            Ok(GridCode(s.to_string()))
        } else {
            Err(CodeError::Grid(s.to_string()))
        }
    }
}

macro_rules! code_traits {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
code_traits!(DivisionCode);
code_traits!(GridCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_codes_know_their_level_and_parents() {
        let c: DivisionCode = "130202001001".parse().unwrap();
        assert_eq!(c.level(), Level::Village);
        assert_eq!(c.parent().unwrap().as_str(), "130202001");
        assert_eq!(c.ancestor(Level::County).unwrap().as_str(), "130202");
        assert_eq!(c.ancestor(Level::City).unwrap().as_str(), "1302");
        assert!("1302".parse::<DivisionCode>().unwrap().contains(&c));
        assert!(!"130203".parse::<DivisionCode>().unwrap().contains(&c));
        assert!("13020200100".parse::<DivisionCode>().is_err());
        assert!("13020a".parse::<DivisionCode>().is_err());
    }

    #[test]
    fn grid_codes_are_community_plus_sequence() {
        let c: DivisionCode = "130202001001".parse().unwrap();
        let g = GridCode::new(&c, 7).unwrap();
        assert_eq!(g.as_str(), "130202001001007");
        assert_eq!(g.community(), c);
        assert_eq!(g.sequence(), 7);
        assert!("130202001001000".parse::<GridCode>().is_err());
        assert!("13020200100100".parse::<GridCode>().is_err());
    }
}
