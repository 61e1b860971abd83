//! The handling step and its side paths: a suspension, an extension, the 12345 centre urging a
//! late unit, and the whistle (吹哨报到) that summons a department to lead the case.

use chrono::Duration;
use rand::Rng;

use super::actors::role_of;
use super::draw::{expo, scale};
use super::opinions::{
    OP_DENY_EXTEND, OP_DENY_SUSPEND, OP_EXTEND, OP_FIXED, OP_REPLY, OP_SUSPEND, OP_URGE, OP_WHISTLE,
};
use super::sim::{Halt, Sim, cmd, opinion};
use shanzhi_domain::cases::case::Assignment;
use shanzhi_domain::cases::engine::Command;
use shanzhi_domain::people::Role;
use shanzhi_domain::taxonomy::HandlingLevel;
use shanzhi_domain::time_limit::{TimeLimit, TimeUnit};

impl Sim<'_, '_> {
    /// The handling step (event `dispatched`, demand `handling`) from its start to the fix
    /// reported by the case's primary unit; with a whistle, a suspension, an extension or urging
    /// on the way. Returns `Ok` once `finish` (feedback or reply) is logged.
    pub(super) fn handle(&mut self, round: u32, finish: &str) -> Result<(), Halt> {
        let mut unit = self.primary();
        if round == 0 && !self.stream.is_demand() {
            self.whistle(&unit)?;
            unit = self.primary();
        }
        let unit = unit.as_str();
        let handler = self.w.staff(unit, role_of(unit), self.rng);
        let budget = self.ty.budget;
        let start = self.last;
        let mut miss = self.w.miss(self.ty, unit, self.grid.county, self.day);
        if round > 0 {
            miss *= 0.5;
        }
        let mut late = self.chance(miss);
        let mut disturbed = false;
        let handling_state = self.case.state.clone();
        let frac = |s: &mut Self, lo: f64, hi: f64| {
            let f = s.rng.random_range(lo..hi);
            s.measured_add(start, scale(budget.dur, f), budget.working)
        };

        if round == 0 && self.chance(self.w.rates.suspension) {
            let t = frac(self, 0.05, 0.5);
            let t = self.act(opinion("request_suspension", OP_SUSPEND), &handler, t)?;
            let dispatcher = self.dispatcher();
            let t = self.wall(t, 60.0, 0.05);
            if self.chance(0.8) {
                let t = self.act(cmd("approve_suspension"), &dispatcher, t)?;
                let days = 2.0 + expo(&mut *self.rng, 8.0);
                let back = self
                    .cal
                    .add_working(t + Duration::seconds((days * 86_400.0) as i64), Duration::minutes(30))
                    .unwrap_or(t + Duration::days(3));
                self.act(cmd("resume"), &dispatcher, back)?;
            } else {
                self.act(opinion("deny_suspension", OP_DENY_SUSPEND), &dispatcher, t)?;
            }
            disturbed = true;
        }

        let p_ext = self.w.rates.extension * if late { 5.0 } else { 0.6 };
        if round == 0 && self.ty.extendable && self.chance(p_ext) {
            let deadline = self.deadline();
            let left = self.measure(self.last, deadline, budget.working);
            if left > Duration::minutes(30) {
                let f = self.rng.random_range(0.4..0.9);
                let t = self.measured_add(self.last, scale(left, f), budget.working);
                let ext = self.extension();
                let request = Command { extension: Some(ext), ..opinion("request_extension", OP_EXTEND) };
                let t = self.act(request, &handler, t)?;
                let dispatcher = self.dispatcher();
                let t = self.wall(t, 60.0, 0.05);
                if self.chance(0.85) {
                    self.act(cmd("approve_extension"), &dispatcher, t)?;
                    late = self.chance(miss * 0.4);
                } else {
                    self.act(opinion("deny_extension", OP_DENY_EXTEND), &dispatcher, t)?;
                }
                disturbed = true;
            }
        }

        let deadline = self.deadline();
        let done = if late {
            let over = scale(budget.dur, 0.03 + expo(&mut *self.rng, 0.45).min(6.0));
            self.measured_add(deadline, over, budget.working)
        } else {
            let x = (self.rng.random::<f64>() * self.rng.random::<f64>()).sqrt();
            let f = 0.05 + 0.9 * x;
            if disturbed {
                let left = self.measure(self.last, deadline, budget.working);
                self.measured_add(self.last, scale(left, f), budget.working)
            } else {
                self.measured_add(start, scale(budget.dur, f), budget.working)
            }
        };
        // 12345: the centre urges a unit that runs late.
        if self.stream.is_demand() && late && self.chance(0.6) && self.case.state == handling_state {
            let t = deadline + self.minutes(10.0, 180.0);
            if t + Duration::minutes(5) < done {
                let dispatcher = self.dispatcher();
                self.act(opinion("urge", OP_URGE), &dispatcher, t)?;
            }
        }
        let command = if finish == "feedback" { self.evidence(finish, OP_FIXED) } else { opinion(finish, OP_REPLY) };
        self.act(command, &handler, done)?;
        if self.log.last().is_some_and(|e| e.overdue) {
            self.late = true;
        }
        Ok(())
    }

    /// 吹哨报到: a community or street unit that cannot solve a case alone summons the type's
    /// department, which must report in within the `summons` limit and then leads the case (a
    /// summons missed is escalated by the sweep, and the unit above reports in).
    pub(super) fn whistle(&mut self, unit: &str) -> Result<(), Halt> {
        let p = match role_of(unit) {
            Role::ResidentsCommittee | Role::PropertyService => 0.05,
            Role::StreetStaff => 0.015,
            _ => 0.0,
        };
        if p == 0.0 || !self.ty.extendable || self.case.level == HandlingLevel::District || !self.chance(p) {
            return Ok(());
        }
        let county = &self.county.code;
        let dept = std::iter::once(&self.ty.ty.department)
            .chain(&self.ty.ty.assisting)
            .find(|d| d.as_str() != "street-office")
            .map(|d| format!("{county}:{d}"))
            .unwrap_or_else(|| format!("{county}:urban-management"));
        let caller = self.w.staff(unit, role_of(unit), self.rng);
        let f = self.rng.random_range(0.05..0.3);
        let t = self.measured_add(self.last, scale(self.ty.budget.dur, f), self.ty.budget.working);
        let whistle = Command {
            units: Some(Assignment { primary: dept.clone(), assisting: Vec::new() }),
            ..opinion("whistle", OP_WHISTLE)
        };
        self.act(whistle, &caller, t)?;
        // Each summoned unit reports in, mostly in time; one that misses is escalated by the
        // sweep and the unit above it is summoned in turn.
        let limit = self.wf.step_limit("summons").unwrap_or(TimeLimit { value: 2, unit: TimeUnit::WorkingHours });
        for _ in 0..3 {
            let Some(due) = self.case.summons.iter().filter(|s| s.pending()).map(|s| s.due).min() else {
                break;
            };
            let t = self.last;
            let hours = self.cal.add(t, limit).map(|d| self.measure(t, d, true).num_minutes() as f64 / 60.0);
            let at = self.work(t, hours.unwrap_or(2.0).max(0.5), 0.06);
            if at >= self.w.end {
                return Err(Halt::End);
            }
            if at > due {
                // Missed: the sweep escalates, and the unit above is summoned in turn.
                self.sweep_until(due + Duration::seconds(31))?;
                continue;
            }
            let pending: Vec<String> =
                self.case.summons.iter().filter(|s| s.pending()).map(|s| s.unit.clone()).collect();
            for u in pending {
                let who = self.w.staff(&u, role_of(&u), self.rng);
                let at = self.last.max(at) + self.minutes(2.0, 5.0);
                if at >= self.w.end {
                    return Err(Halt::End);
                }
                self.sweep_until(at)?;
                let summoned = self.case.summons.iter().any(|s| s.pending() && s.unit == u);
                if summoned && matches!(who.role, Role::DepartmentHandler | Role::StreetStaff) {
                    self.act(cmd("report_in"), &who, at)?;
                }
            }
        }
        Ok(())
    }
}
