//! Who acts: the roles units act in, the county centres' staff pools (with the demo's named
//! accounts), a unit's staff member for a step, and the centre staff on duty for a case.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::config::HistoryInput;
use super::draw::normal;
use super::sim::Sim;
use super::world::World;
use crate::cases::case::Actor;
use crate::people::{Role, User};

/// What a device that reports a type is.
pub(super) const DRONE: &[&str] = &["0601", "0613", "0622", "0806", "0810", "0513"];
pub(super) const SENSOR: &[&str] = &["0101", "0102", "0103", "0105", "0108", "0109", "0211", "0903", "0906"];

pub(super) struct County {
    pub(super) code: String,
    /// Event centre staff: intake operators, shift supervisors, dispatchers.
    pub(super) intake: Vec<Actor>,
    pub(super) supervisors: Vec<Actor>,
    pub(super) dispatchers: Vec<Actor>,
    /// How much more often than average this county's units miss limits.
    pub(super) miss: f64,
}

pub(super) fn actor(user: String, role: Role, unit: String) -> Actor {
    Actor { user, role, unit }
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

pub(super) fn county(code: &str, input: &HistoryInput, rng: &mut ChaCha8Rng) -> County {
    let unit = format!("{code}:command_centre");
    let known: Vec<&User> = input.users.iter().filter(|u| u.unit == unit).collect();
    let pool = |role: Role, prefix: &str, n: usize| -> Vec<Actor> {
        let mut v: Vec<Actor> = (1..=n).map(|k| actor(format!("{code}-{prefix}-{k}"), role, unit.clone())).collect();
        v.extend(known.iter().filter(|u| u.role == role).map(|u| actor(u.username.clone(), role, unit.clone())));
        v
    };
    County {
        code: code.to_string(),
        intake: pool(Role::IntakeOperator, "shouli", 4),
        supervisors: pool(Role::ShiftSupervisor, "zhiban", 2),
        dispatchers: pool(Role::Dispatcher, "paiqian", 3),
        miss: (0.35 * normal(rng)).exp(),
    }
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
}

impl Sim<'_, '_> {
    pub(super) fn intake(&mut self) -> Actor {
        if self.stream.is_demand() {
            self.w.hot_intake[self.rng.random_range(0..self.w.hot_intake.len())].clone()
        } else {
            self.county.intake[self.rng.random_range(0..self.county.intake.len())].clone()
        }
    }

    pub(super) fn supervisor(&mut self) -> Actor {
        if self.stream.is_demand() {
            self.w.hot_supervisors[self.rng.random_range(0..self.w.hot_supervisors.len())].clone()
        } else {
            self.county.supervisors[self.rng.random_range(0..self.county.supervisors.len())].clone()
        }
    }

    pub(super) fn dispatcher(&mut self) -> Actor {
        if self.stream.is_demand() {
            self.w.hot_dispatchers[self.rng.random_range(0..self.w.hot_dispatchers.len())].clone()
        } else {
            self.county.dispatchers[self.rng.random_range(0..self.county.dispatchers.len())].clone()
        }
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
