//! An event case's (数字城管) path: fixed on the spot, or registered (verified first when the
//! public reported it), filed or refused, voided or dispatched, returned, handled and re-checked
//! (reworked when the check fails), closed and rated.

use super::actors::role_of;
use super::opinions::{OP_CHECK_FAIL, OP_DENY, OP_FIXED, OP_REFUSE};
use super::sim::{Halt, Sim, cmd, opinion};
use super::streams::Stream;
use shanzhi_domain::cases::case::Actor;

impl Sim<'_, '_> {
    pub(super) fn event(&mut self, reporter: &Actor) -> Result<(), Halt> {
        let t0 = self.last;
        let worker = self.grid.worker.clone();
        // 受理: a patrol's minor problem fixed on the spot; inspector and device reports
        // registered; the public's (and some devices') verified on site first.
        let verify = match self.stream {
            Stream::Patrol => {
                if self.chance(self.ty.fixable) {
                    // Fixed, then reported with the photo of the result.
                    let t = t0 + self.minutes(0.5, 6.0);
                    let c = self.evidence("self_handle", OP_FIXED);
                    self.act(c, reporter, t)?;
                    return Ok(());
                }
                false
            }
            Stream::Device => self.chance(0.15),
            _ => true,
        };
        let intake = self.intake();
        let t = self.wall(t0, 10.0, 0.02);
        if verify {
            let t = self.act(cmd("request_verification"), &intake, t)?;
            let t = self.work(t, 1.0, 0.05);
            let confirm = if self.stream == Stream::Device { 0.6 } else { 0.88 };
            if self.chance(confirm) {
                let c = self.evidence("confirm", "现场核实属实");
                self.act(c, &worker, t)?;
            } else {
                self.act(opinion("deny", OP_DENY), &worker, t)?;
                return Ok(());
            }
        } else {
            self.act(cmd("register"), &intake, t)?;
        }
        // 立案.
        let supervisor = self.supervisor();
        let t = self.wall(self.last, 30.0, 0.02);
        let refuse = if self.stream == Stream::Patrol { 0.01 } else { 0.03 };
        if self.chance(refuse) {
            self.act(opinion("refuse", OP_REFUSE), &supervisor, t)?;
            return Ok(());
        }
        self.act(cmd("file"), &supervisor, t)?;
        // 派遣 (or a duplicate voided).
        let dispatcher = self.dispatcher();
        let review = |s: &mut Self| (supervisor.clone(), s.wall(s.last, 60.0, 0.03));
        if self.chance(0.005) && self.ask_to_void(&dispatcher, review, 0.85)? {
            return Ok(());
        }
        let unit = self.case.route.as_ref().map(|r| r.unit.clone()).unwrap_or_default();
        let t = self.wall(self.last, 30.0, 0.02);
        self.act(self.dispatch_to(&unit), &dispatcher, t)?;
        // 回退: the unit says it is not theirs; approved, the case goes elsewhere.
        if self.chance(self.w.rates.returns) {
            let handler = self.w.staff(&unit, role_of(&unit), self.rng);
            let review = |s: &mut Self| s.wall(s.last, 60.0, 0.05);
            self.ask_to_return(unit, &handler, &dispatcher, review, 0.75, 0.05)?;
        }
        // 处置, 核查 (返工 when it fails).
        let mut round = 0;
        loop {
            self.handle(round, "feedback")?;
            let t = self.work(self.last, 2.0, 0.03);
            let fail = self.w.rates.rework * if round == 0 { 1.0 } else { 4.0 } * if self.late { 1.5 } else { 1.0 };
            if round < 2 && self.chance(fail) {
                let c = self.evidence("check_fail", OP_CHECK_FAIL);
                self.act(c, &worker, t)?;
                round += 1;
            } else {
                let c = self.evidence("check_pass", "现场核查已整改到位");
                self.act(c, &worker, t)?;
                break;
            }
        }
        // 结案.
        let t = self.wall(self.last, 30.0, 0.01);
        self.act(cmd("close"), &supervisor, t)?;
        // 评价: residents online rate it themselves; callers are called back.
        let rates = match self.stream {
            Stream::EventWeb => 0.55,
            Stream::EventPhone => 0.75,
            _ => 0.0,
        };
        let rated = self.chance(rates);
        match self.stream {
            Stream::EventWeb if rated => self.rate_online(reporter, round > 0, (20.0, 4320.0))?,
            Stream::EventPhone if rated => {
                let t = self.work(self.last, 7.5, 0.05);
                let s = self.satisfaction(round > 0);
                let c = self.rating("rate_by_phone", s);
                let intake = self.intake();
                self.act(c, &intake, t)?;
            }
            _ => {}
        }
        Ok(())
    }
}
