//! A demand case's (12345) path: answered directly or registered, voided or dispatched (withdrawn
//! and re-dispatched, returned), accepted, replied to and reviewed, called back (re-handled when
//! the resident is not satisfied), closed, and rated online.

use super::actors::role_of;
use super::opinions::{OP_ANSWER, OP_REHANDLE, OP_REJECT_REPLY, OP_UNREACHED, OP_WITHDRAW};
use super::sim::{Halt, Sim, cmd, opinion};
use super::streams::Stream;
use shanzhi_domain::cases::case::{Actor, Satisfaction};

impl Sim<'_, '_> {
    pub(super) fn demand(&mut self, reporter: &Actor) -> Result<(), Halt> {
        let t0 = self.last;
        let intake = self.intake();
        // 接: a call is registered at once, an online submission within two hours; some are
        // answered on the spot.
        let t = if self.stream == Stream::Hotline { self.wall(t0, 10.0, 0.02) } else { self.wall(t0, 120.0, 0.04) };
        if self.chance(0.08) {
            self.act(opinion("answer_directly", OP_ANSWER), &intake, t)?;
            return Ok(());
        }
        self.act(cmd("register"), &intake, t)?;
        let dispatcher = self.dispatcher();
        let review = |s: &mut Self| (s.supervisor(), s.work(s.last, 1.0, 0.03));
        if self.chance(0.015) && self.ask_to_void(&dispatcher, review, 0.9)? {
            return Ok(());
        }
        // 派: to the routed unit (a community's case to its street office).
        let routed = self.case.route.as_ref().map(|r| r.unit.clone()).unwrap_or_default();
        let mut unit = self.w.places.demand_unit(&routed, self.grid);
        let t = self.wall(self.last, 30.0, 0.03);
        self.act(self.dispatch_to(&unit), &dispatcher, t)?;
        if self.chance(0.004) {
            let t = self.last + self.minutes(5.0, 40.0);
            self.act(opinion("withdraw", OP_WITHDRAW), &dispatcher, t)?;
            unit = self.redispatch(&unit, &dispatcher, 0.03)?;
        }
        // 签收 or 退单.
        let handler = self.w.staff(&unit, role_of(&unit), self.rng);
        if self.chance(self.w.rates.returns * 1.5) {
            let review = |s: &mut Self| s.work(s.last, 1.0, 0.05);
            unit = self.ask_to_return(unit, &handler, &dispatcher, review, 0.7, 0.03)?;
        }
        let handler = if handler.unit == unit { handler } else { self.w.staff(&unit, role_of(&unit), self.rng) };
        let t = self.work(self.last, 2.0, 0.05);
        self.act(cmd("accept"), &handler, t)?;
        // 办, 评: replied, reviewed, called back; re-handled when the reply is sent back or the
        // resident is not satisfied.
        let mut round = 0;
        loop {
            self.handle(round, "reply")?;
            let reject = self.w.rates.rework * 0.5 * if round == 0 { 1.0 } else { 3.0 };
            if round < 2 && self.chance(reject) {
                let t = self.work(self.last, 2.0, 0.02);
                self.act(opinion("reject_reply", OP_REJECT_REPLY), &dispatcher, t)?;
                round += 1;
                continue;
            }
            let caller = self.intake();
            let t = self.work(self.last, 7.5, 0.03);
            if self.chance(0.8) {
                let s = self.satisfaction(round > 0);
                if s == Satisfaction::Dissatisfied && round < 2 && self.chance(0.5) {
                    self.act(opinion("request_rehandle", OP_REHANDLE), &caller, t)?;
                    round += 1;
                    continue;
                }
                let c = self.rating("call_back", s);
                self.act(c, &caller, t)?;
            } else {
                self.act(opinion("call_back_unreached", OP_UNREACHED), &caller, t)?;
            }
            break;
        }
        let supervisor = self.supervisor();
        let t = self.work(self.last, 1.0, 0.02);
        self.act(cmd("close"), &supervisor, t)?;
        // Residents who were not reached may rate online.
        if self.stream == Stream::DemandWeb && self.case.rating.is_none() && self.chance(0.3) {
            self.rate_online(reporter, round > 0, (30.0, 2880.0))?;
        }
        Ok(())
    }
}
