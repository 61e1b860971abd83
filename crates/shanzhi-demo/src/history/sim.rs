//! The per-case driver: a case is reported through the engine and routed, then walked step by
//! step, each command applied at a plausible time by a plausible actor and the deadline sweep
//! run in between, until its path ends or the period does.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::HistoryError;
use super::actors::County;
use super::opinions::{R_BASIC, R_DISSATISFIED};
use super::places::GridInfo;
use super::seasons::Day;
use super::stats::GeneratedCase;
use super::streams::{Pending, Stream};
use super::weights::TypeInfo;
use super::world::World;
use shanzhi_domain::calendar::WorkCalendar;
use shanzhi_domain::cases::case::{Actor, Assignment, Case, LogEntry, NewReport, Rating, Satisfaction};
use shanzhi_domain::cases::engine::{Command, Refusal, apply, create};
use shanzhi_domain::cases::figures::Counted;
use shanzhi_domain::cases::routing::route;
use shanzhi_domain::cases::sweep::{next_sweep_at, sweep};
use shanzhi_domain::cases::workflow::Workflow;
use shanzhi_domain::time_limit::TimeLimit;

pub(super) enum Halt {
    /// The next step would happen after the end of the period.
    End,
    Refused(HistoryError),
}

pub(super) struct Sim<'w, 'a> {
    pub(super) w: &'w World<'a>,
    pub(super) wf: &'a Workflow,
    pub(super) cal: &'a WorkCalendar,
    pub(super) rng: &'w mut ChaCha8Rng,
    pub(super) ty: &'w TypeInfo<'a>,
    pub(super) grid: &'w GridInfo,
    pub(super) county: &'w County,
    pub(super) day: &'w Day,
    pub(super) stream: Stream,
    pub(super) case: Case,
    pub(super) log: Vec<LogEntry>,
    pub(super) commands: Vec<Option<Command>>,
    /// What each entry counted (`counted[i]` is `log[i]`'s).
    pub(super) counted: Vec<Counted>,
    pub(super) last: DateTime<Utc>,
    /// Whether any handling step ended late so far (ratings suffer).
    pub(super) late: bool,
}

pub(super) fn cmd(action: &str) -> Command {
    Command { action: action.to_string(), ..Default::default() }
}

pub(super) fn opinion(action: &str, text: &str) -> Command {
    Command { opinion: Some(text.to_string()), ..cmd(action) }
}

/// The engine refused `action` in `state`: a bug in the history (or the workflow), reported.
fn refused(wf: &Workflow, ty: &TypeInfo, action: &str, state: &str, refusal: Refusal) -> HistoryError {
    HistoryError::Refused {
        kind: wf.kind.clone(),
        type_code: ty.ty.code.to_string(),
        action: action.to_string(),
        state: state.to_string(),
        refusal,
    }
}

impl<'w, 'a> Sim<'w, 'a> {
    pub(super) fn run(
        w: &'w World<'a>,
        p: &Pending,
        day: &'w Day,
        rng: &'w mut ChaCha8Rng,
    ) -> Result<GeneratedCase, HistoryError> {
        let ty = &w.types[p.ty];
        let grid = &w.places.grids[p.grid];
        let county = &w.places.counties[grid.county];
        let wf = w.wf(p.stream);
        let reporter = w.reporter(p, rng);
        let location = grid.location(&w.input.grids[p.grid].shape, rng);
        let report = NewReport {
            type_code: ty.ty.code,
            channel: p.stream.channel(),
            description: reporter.description,
            location: Some(location),
            grid: Some(w.input.grids[p.grid].code.clone()),
            reporter: reporter.user,
            fields: Default::default(),
        };
        let (mut case, first) = create(wf, w.input.taxonomy, w.cal, report, &reporter.actor, p.at)
            .map_err(|e| refused(wf, ty, "report", "", e))?;
        case.route = Some(route(ty.ty, Some(&grid.community), w.input.tree, w.input.departments, w.input.routing));
        let mut sim = Sim {
            w,
            wf,
            cal: w.cal,
            rng,
            ty,
            grid,
            county,
            day,
            stream: p.stream,
            case,
            log: Vec::with_capacity(12),
            commands: Vec::with_capacity(11),
            counted: Vec::with_capacity(12),
            last: p.at,
            late: false,
        };
        sim.counted.push(Counted::of(&sim.case, &first));
        sim.log.push(first);
        let story = if p.stream.is_demand() { sim.demand(&reporter.actor) } else { sim.event(&reporter.actor) };
        match story {
            Ok(()) | Err(Halt::End) => {}
            Err(Halt::Refused(e)) => return Err(e),
        }
        // What is still running at the end has been swept up to then.
        if let Err(Halt::Refused(e)) = sim.sweep_until(w.end) {
            return Err(e);
        }
        Ok(GeneratedCase { case: sim.case, log: sim.log, commands: sim.commands, counted: sim.counted })
    }

    /// Applies a command at `at` (moved to just after the previous entry if need be), after the
    /// deadline sweep has noted whatever ran late in between.
    pub(super) fn act(&mut self, command: Command, who: &Actor, at: DateTime<Utc>) -> Result<DateTime<Utc>, Halt> {
        let at = at.max(self.last + Duration::seconds(30 + self.rng.random_range(0..90)));
        if at >= self.w.end {
            return Err(Halt::End);
        }
        self.sweep_until(at)?;
        let at = at.max(self.last + Duration::seconds(1));
        match apply(self.wf, self.cal, &self.case, &command, who, at) {
            Ok((next, entry)) => {
                self.record(next, entry, Some(command), at);
                Ok(at)
            }
            Err(refusal) => Err(self.refused(&command.action, refusal)),
        }
    }

    /// Takes the case after an entry, with the entry, its command and what it counted.
    fn record(&mut self, next: Case, entry: LogEntry, command: Option<Command>, at: DateTime<Utc>) {
        self.counted.push(Counted::of(&next, &entry));
        self.case = next;
        self.log.push(entry);
        self.commands.push(command);
        self.last = at;
    }

    pub(super) fn refused(&self, action: &str, refusal: Refusal) -> Halt {
        Halt::Refused(refused(self.wf, self.ty, action, &self.case.state, refusal))
    }

    /// Runs the deadline sweep as the server would (every 30 s) for each deadline or summons
    /// that passes before `until` (and before the end of the period).
    pub(super) fn sweep_until(&mut self, until: DateTime<Utc>) -> Result<(), Halt> {
        while let Some(due) = next_sweep_at(&self.case) {
            let at = (due + Duration::seconds(self.rng.random_range(1..=30))).max(self.last + Duration::seconds(1));
            if at >= until || at >= self.w.end {
                break;
            }
            match sweep(self.wf, self.cal, &self.case, at) {
                Ok(Some((next, entry))) => self.record(next, entry, None, at),
                Ok(None) => break,
                Err(refusal) => return Err(self.refused("sweep", refusal)),
            }
        }
        Ok(())
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.rng.random::<f64>() < p
    }

    pub(super) fn minutes(&mut self, lo: f64, hi: f64) -> Duration {
        Duration::seconds((self.rng.random_range(lo..hi) * 60.0) as i64)
    }

    /// A centre step around the clock with a wall-clock limit of `limit` minutes: mostly well
    /// inside it, late with chance `late`.
    pub(super) fn wall(&mut self, from: DateTime<Utc>, limit: f64, late: f64) -> DateTime<Utc> {
        let d = if self.chance(late) {
            self.minutes(limit * 1.05, limit * 3.0)
        } else {
            let x = self.rng.random::<f64>() * self.rng.random::<f64>();
            Duration::seconds(((0.05 + 0.85 * x.sqrt()) * limit * 60.0) as i64)
        };
        from + d
    }

    /// A step done in working time with a working-time limit of `limit` hours.
    pub(super) fn work(&mut self, from: DateTime<Utc>, limit: f64, late: f64) -> DateTime<Utc> {
        let frac = if self.chance(late) { self.rng.random_range(1.05..3.0) } else { self.rng.random_range(0.05..0.9) };
        let d = Duration::seconds((frac * limit * 3600.0) as i64);
        self.cal.add_working(from, d).unwrap_or(from + d)
    }

    pub(super) fn measured_add(&self, from: DateTime<Utc>, d: Duration, working: bool) -> DateTime<Utc> {
        if d <= Duration::zero() {
            from
        } else if working {
            self.cal.add_working(from, d).unwrap_or(from + d)
        } else {
            from + d
        }
    }

    pub(super) fn measure(&self, a: DateTime<Utc>, b: DateTime<Utc>, working: bool) -> Duration {
        if working { self.cal.working_duration_between(a, b).unwrap_or(b - a) } else { b - a }
    }

    pub(super) fn deadline(&self) -> DateTime<Utc> {
        self.case.clock.as_ref().map(|c| c.deadline).unwrap_or(self.last)
    }

    pub(super) fn evidence(&mut self, action: &str, text: &str) -> Command {
        let n = self.log.len();
        Command {
            attachments: vec![format!("photo-{}-{n}.jpg", self.case.reported_at.timestamp())],
            ..opinion(action, text)
        }
    }

    pub(super) fn dispatch_to(&self, unit: &str) -> Command {
        let assisting = self.case.route.as_ref().map(|r| r.assisting.clone()).unwrap_or_default();
        Command { units: Some(Assignment { primary: unit.to_string(), assisting }), ..cmd("dispatch") }
    }

    pub(super) fn satisfaction(&mut self, reworked: bool) -> Satisfaction {
        let r = self.w.rates;
        let (mut sat, mut dis) = (r.satisfied, r.dissatisfied);
        if self.late {
            sat -= 0.25;
            dis += 0.12;
        }
        if reworked {
            sat -= 0.15;
            dis += 0.06;
        }
        if self.ty.night {
            sat -= 0.05;
            dis += 0.03;
        }
        let x = self.rng.random::<f64>();
        if x < sat.max(0.1) {
            Satisfaction::Satisfied
        } else if x < 1.0 - dis.max(0.0) {
            Satisfaction::BasicallySatisfied
        } else {
            Satisfaction::Dissatisfied
        }
    }

    pub(super) fn rating(&mut self, action: &str, s: Satisfaction) -> Command {
        let reason = match s {
            Satisfaction::Satisfied => None,
            Satisfaction::BasicallySatisfied => Some(R_BASIC.to_string()),
            Satisfaction::Dissatisfied => Some(R_DISSATISFIED.to_string()),
        };
        Command { rating: Some(Rating { satisfaction: s, reason }), ..cmd(action) }
    }

    pub(super) fn extension(&self) -> TimeLimit {
        let l = self.case.handling_limit;
        TimeLimit { value: l.value.div_ceil(2).max(1), unit: l.unit }
    }

    pub(super) fn primary(&self) -> String {
        self.case.units.as_ref().map(|u| u.primary.clone()).unwrap_or_default()
    }
}
