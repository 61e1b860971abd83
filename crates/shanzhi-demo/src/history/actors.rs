//! Who acts: the roles units act in, the centres' staff (the county event centres and the 12345
//! centre, with the demo's named accounts), a unit's staff member for a step, the centre staff
//! on duty for a case, and who reports a case and what they write.

use std::collections::HashMap;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::draw::normal;
use super::sim::Sim;
use super::streams::{Pending, Stream};
use super::world::World;
use shanzhi_domain::cases::case::Actor;
use shanzhi_domain::people::{Role, User};

/// What a device that reports a type is.
pub(super) const DRONE: &[&str] = &["0601", "0613", "0622", "0806", "0810", "0513"];
pub(super) const SENSOR: &[&str] = &["0101", "0102", "0103", "0105", "0108", "0109", "0211", "0903", "0906"];

/// A centre's staff: intake operators, shift supervisors, dispatchers.
pub(super) struct Centre {
    intake: Vec<Actor>,
    supervisors: Vec<Actor>,
    dispatchers: Vec<Actor>,
}

impl Centre {
    /// The staff of the centre `unit`: of each role, `n` numbered members named `name(prefix, k)`,
    /// then the centre's named accounts in that role.
    pub(super) fn new(
        unit: &str,
        known: &HashMap<&str, Vec<&User>>,
        [intake, supervisors, dispatchers]: [(&str, usize); 3],
        name: impl Fn(&str, usize) -> String,
    ) -> Centre {
        let named = known.get(unit).map(Vec::as_slice).unwrap_or_default();
        let pool = |role: Role, (prefix, n): (&str, usize)| -> Vec<Actor> {
            let mut v: Vec<Actor> = (1..=n).map(|k| actor(name(prefix, k), role, unit.to_string())).collect();
            v.extend(
                named.iter().filter(|u| u.role == role).map(|u| actor(u.username.clone(), role, unit.to_string())),
            );
            v
        };
        Centre {
            intake: pool(Role::IntakeOperator, intake),
            supervisors: pool(Role::ShiftSupervisor, supervisors),
            dispatchers: pool(Role::Dispatcher, dispatchers),
        }
    }

    /// The 12345 centre.
    pub(super) fn hotline(known: &HashMap<&str, Vec<&User>>) -> Centre {
        let pools = [("huawu", 24), ("zhiban", 4), ("paidan", 8)];
        Centre::new("1302:command_centre", known, pools, |prefix, k| format!("12345-{prefix}-{k:02}"))
    }
}

pub(super) struct County {
    pub(super) code: String,
    /// The county's event centre.
    pub(super) centre: Centre,
    /// How much more often than average this county's units miss limits.
    pub(super) miss: f64,
}

impl County {
    pub(super) fn new(code: &str, known: &HashMap<&str, Vec<&User>>, rng: &mut ChaCha8Rng) -> County {
        let pools = [("shouli", 4), ("zhiban", 2), ("paiqian", 3)];
        County {
            code: code.to_string(),
            centre: Centre::new(&format!("{code}:command_centre"), known, pools, |prefix, k| {
                format!("{code}-{prefix}-{k}")
            }),
            miss: (0.35 * normal(rng)).exp(),
        }
    }
}

pub(super) fn actor(user: String, role: Role, unit: String) -> Actor {
    Actor { user, role, unit }
}

/// One of `pool`, drawn evenly.
fn one_of(pool: &[Actor], rng: &mut ChaCha8Rng) -> Actor {
    pool[rng.random_range(0..pool.len())].clone()
}

/// The role a unit's staff act in, from the unit's key.
pub(super) fn role_of(unit: &str) -> Role {
    match unit.rsplit(':').next().unwrap_or("") {
        "street-office" => Role::StreetStaff,
        "residents_committee" => Role::ResidentsCommittee,
        "property_service" => Role::PropertyService,
        "command_centre" => Role::Dispatcher,
        _ => Role::DepartmentHandler,
    }
}

/// Who reports a case: the actor, the reporter recorded on the case, and the description.
pub(super) struct Reporter {
    pub(super) actor: Actor,
    pub(super) user: Option<String>,
    pub(super) description: String,
}

impl World<'_> {
    /// Someone of `unit` acting in `role`: a named account where there is one, else the unit's
    /// staff member `n`.
    pub(super) fn staff(&self, unit: &str, role: Role, rng: &mut ChaCha8Rng) -> Actor {
        if let Some(us) = self.known.get(unit) {
            let named: Vec<&&User> = us.iter().filter(|u| u.role == role).collect();
            if !named.is_empty() {
                let u = named[rng.random_range(0..named.len())];
                return actor(u.username.clone(), role, unit.to_string());
            }
        }
        let n = match role {
            Role::DepartmentHandler => rng.random_range(1..=3),
            Role::StreetStaff => rng.random_range(1..=2),
            _ => 1,
        };
        actor(format!("{unit}/{n:02}"), role, unit.to_string())
    }

    /// The centre that takes a stream's cases: the 12345 centre's for demand, the county's for
    /// events.
    fn centre<'s>(&'s self, stream: Stream, county: &'s County) -> &'s Centre {
        if stream.is_demand() { &self.hotline } else { &county.centre }
    }

    /// Who reports a pending case, and what they write.
    pub(super) fn reporter(&self, p: &Pending, rng: &mut ChaCha8Rng) -> Reporter {
        let ty = &self.types[p.ty];
        let grid = &self.places.grids[p.grid];
        let county = &self.places.counties[grid.county];
        let code = ty.ty.code.as_str();
        let grid_code = &self.input.grids[p.grid].code;
        let grid_name = &self.input.grids[p.grid].name;
        let name = &ty.ty.name_zh;
        let (actor, user, description) = match p.stream {
            Stream::Patrol => {
                (grid.worker.clone(), Some(grid.worker.user.clone()), format!("巡查发现{name}：{grid_name}"))
            }
            Stream::Device => {
                let county_centre = format!("{}:command_centre", county.code);
                let (a, what) = if DRONE.contains(&code) {
                    let a = if !self.drones.is_empty() && rng.random_bool(0.5) {
                        one_of(&self.drones, rng)
                    } else {
                        actor(format!("drone-{}", county.code), Role::Device, county_centre)
                    };
                    (a, "无人机巡查发现")
                } else if SENSOR.contains(&code) {
                    (actor(format!("sensor-{grid_code}"), Role::Device, county_centre), "传感器告警：")
                } else {
                    (actor(format!("camera-{grid_code}"), Role::Device, county_centre), "视频智能识别：")
                };
                (a, None, format!("{what}{name}（{grid_name}）"))
            }
            Stream::EventWeb | Stream::DemandWeb => {
                let unit = format!("{}:residents_committee", grid.community);
                let named = self
                    .known
                    .get(unit.as_str())
                    .and_then(|us| us.iter().find(|u| u.role == Role::Resident))
                    .filter(|_| rng.random_bool(0.5));
                let user = match named {
                    Some(u) => u.username.clone(),
                    None => format!("jumin-{:06}", rng.random_range(0..400_000u32)),
                };
                let d = format!("网上反映：{grid_name}附近{name}，请相关部门处理");
                (actor(user.clone(), Role::Resident, unit), Some(user), d)
            }
            Stream::EventPhone | Stream::Hotline => {
                let a = one_of(&self.centre(p.stream, county).intake, rng);
                let d = if p.stream == Stream::Hotline {
                    format!("市民来电反映{grid_name}附近{name}问题，要求尽快处理")
                } else {
                    format!("市民来电反映：{grid_name}附近{name}")
                };
                (a.clone(), Some(a.user), d)
            }
            Stream::Open311 => {
                let a = actor("open311".into(), Role::Resident, String::new());
                (a, None, format!("Open311：{grid_name}附近{name}"))
            }
        };
        Reporter { actor, user, description }
    }
}

impl Sim<'_, '_> {
    /// One of the staff on duty at the case's centre, from the pool `which`.
    fn on_duty(&mut self, which: fn(&Centre) -> &[Actor]) -> Actor {
        let centre = self.w.centre(self.stream, self.county);
        one_of(which(centre), self.rng)
    }

    pub(super) fn intake(&mut self) -> Actor {
        self.on_duty(|c| &c.intake)
    }

    pub(super) fn supervisor(&mut self) -> Actor {
        self.on_duty(|c| &c.supervisors)
    }

    pub(super) fn dispatcher(&mut self) -> Actor {
        self.on_duty(|c| &c.dispatchers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_act_in_their_roles() {
        assert_eq!(role_of("130202:urban-management"), Role::DepartmentHandler);
        assert_eq!(role_of("130202001:street-office"), Role::StreetStaff);
        assert_eq!(role_of("130202001001:residents_committee"), Role::ResidentsCommittee);
        assert_eq!(role_of("130202001001:property_service"), Role::PropertyService);
    }
}
