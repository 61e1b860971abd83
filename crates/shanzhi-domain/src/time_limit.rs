//! Time limits as reference data: a value and the unit it is counted in.

use serde::{Deserialize, Serialize};
use strum::{IntoStaticStr, VariantNames};

/// The unit a time limit is counted in (docs/domain.md §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, VariantNames)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum TimeUnit {
    /// Wall-clock minutes, around the clock.
    Minutes,
    /// Wall-clock hours, around the clock.
    CalendarHours,
    /// Hours inside the working periods of working days.
    WorkingHours,
    /// Whole working days on the work calendar.
    WorkingDays,
}

impl TimeUnit {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The unit in Chinese: 分钟, 小时, 工作小时, 工作日.
    pub fn name_zh(self) -> &'static str {
        match self {
            TimeUnit::Minutes => "分钟",
            TimeUnit::CalendarHours => "小时",
            TimeUnit::WorkingHours => "工作小时",
            TimeUnit::WorkingDays => "工作日",
        }
    }
}

/// A handling or step time limit: `value` units of `unit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TimeLimit {
    pub value: u32,
    pub unit: TimeUnit,
}

impl TimeLimit {
    /// In Chinese, as a notice shows it: `2 工作日`.
    pub fn zh(&self) -> String {
        format!("{} {}", self.value, self.unit.name_zh())
    }
}
