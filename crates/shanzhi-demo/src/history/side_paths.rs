//! The side paths both workflows share: a duplicate voided (or not), a case returned by its unit
//! (or not) and dispatched again elsewhere, and a resident rating a case online.

use chrono::{DateTime, Utc};

use super::opinions::{OP_DENY_RETURN, OP_DENY_VOID, OP_RETURN, OP_VOID};
use super::sim::{Halt, Sim, cmd, opinion};
use shanzhi_domain::cases::case::Actor;

impl Sim<'_, '_> {
    /// The dispatcher asks to void the case as a duplicate; `review` says who reviews it and
    /// when, and approves with chance `approve`. Returns whether the case was voided.
    pub(super) fn ask_to_void(
        &mut self,
        dispatcher: &Actor,
        review: impl FnOnce(&mut Self) -> (Actor, DateTime<Utc>),
        approve: f64,
    ) -> Result<bool, Halt> {
        let t = self.wall(self.last, 30.0, 0.02);
        self.act(opinion("request_void", OP_VOID), dispatcher, t)?;
        let (reviewer, t) = review(self);
        if self.chance(approve) {
            self.act(cmd("approve_void"), &reviewer, t)?;
            return Ok(true);
        }
        self.act(opinion("deny_void", OP_DENY_VOID), &reviewer, t)?;
        Ok(false)
    }

    /// 回退: `handler` says the case is not `unit`'s; the dispatcher reviews it at `review` and
    /// approves with chance `approve`, then dispatches it again (late with chance `late`).
    /// Returns the unit the case is with.
    pub(super) fn ask_to_return(
        &mut self,
        unit: String,
        handler: &Actor,
        dispatcher: &Actor,
        review: impl FnOnce(&mut Self) -> DateTime<Utc>,
        approve: f64,
        late: f64,
    ) -> Result<String, Halt> {
        let t = self.work(self.last, 2.0, 0.1);
        self.act(opinion("request_return", OP_RETURN), handler, t)?;
        let t = review(self);
        if self.chance(approve) {
            self.act(cmd("approve_return"), dispatcher, t)?;
            self.redispatch(&unit, dispatcher, late)
        } else {
            self.act(opinion("deny_return", OP_DENY_RETURN), dispatcher, t)?;
            Ok(unit)
        }
    }

    /// Dispatches the case again, to where it goes instead of `unit` (late with chance `late`).
    /// Returns the new unit.
    pub(super) fn redispatch(&mut self, unit: &str, dispatcher: &Actor, late: f64) -> Result<String, Halt> {
        let unit = self.w.places.alternative(unit, self.grid);
        let t = self.wall(self.last, 30.0, late);
        self.act(self.dispatch_to(&unit), dispatcher, t)?;
        Ok(unit)
    }

    /// The reporter rates the case online, `lo` to `hi` minutes after the last step.
    pub(super) fn rate_online(&mut self, reporter: &Actor, reworked: bool, (lo, hi): (f64, f64)) -> Result<(), Halt> {
        let t = self.last + self.minutes(lo, hi);
        let s = self.satisfaction(reworked);
        let c = self.rating("rate", s);
        self.act(c, reporter, t)?;
        Ok(())
    }
}
