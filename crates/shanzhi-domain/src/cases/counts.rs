//! What an action counts as: the vocabulary a workflow file uses (`counts = ["closed"]`) to say
//! which figures of docs/domain.md §4.1 its action adds to. The engine records an action's counts
//! on the log entry it writes, and the figures read them there, so no figure rule names a kind,
//! an action or a state.

use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantNames};

/// One thing an action counts as. Besides these, every case counts once as reported (its first
/// entry) and every entry that ends a step late counts as an overdue step; the rates that
/// qualify a count (public, on time, satisfied) follow from the case and the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, EnumString, IntoStaticStr, VariantNames)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Count {
    /// 立案 / 受理登记: `filed`, and `filed_public` when the report came from the public.
    Filed,
    /// 派遣 / 派单: `dispatched` (once per unit the case is sent to).
    Dispatched,
    /// The entry starts a unit's handling clock: `due` (应结案数) in the month of its deadline. Only
    /// for an action whose `to` state runs the handling step.
    Due,
    /// 处置反馈 / 答复: `handled`, and `handled_on_time` unless the handling step ended late.
    Handled,
    /// 返工: the handling is sent back to be done again.
    Reworked,
    /// 结案: `closed`, and `closed_on_time` when no handling step of the case ended late.
    Closed,
    /// 延期 approved: `extensions`.
    Extended,
    /// 挂账 approved: `suspended`.
    Suspended,
    /// 回退: the case is taken back from its unit (`returned`; counted under no unit when the
    /// action also has the `clear_units` effect, as the shipped returns do).
    Returned,
    /// 作废: `voided`.
    Voided,
    /// 不予立案 / 核实不属实: `rejected`.
    Rejected,
    /// 自行处置 / 直接答复办结: `self_handled`.
    SelfHandled,
    /// 评价 / 回访: the case's rating, as `satisfied`, `basically_satisfied` or `dissatisfied`. Only
    /// for an action with the `rate` effect.
    Rated,
}

impl Count {
    /// The name a workflow file uses.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Every name a workflow file may use, for error messages.
    pub fn names() -> &'static [&'static str] {
        Self::VARIANTS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_as_the_same_count() {
        for name in Count::names() {
            let c: Count = name.parse().unwrap();
            assert_eq!(c.as_str(), *name);
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{name}\""));
        }
        assert!("close".parse::<Count>().is_err(), "an action key is not a count");
    }
}
