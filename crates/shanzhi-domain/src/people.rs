//! Units (departments, street offices, the six community organisations) and people (users with a
//! role and a home unit, grid workers, building heads).

use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantNames};

use crate::ids::{DivisionCode, GridCode};

/// What a unit is. Each community has six organisations (六位一体).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, VariantNames, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum UnitKind {
    /// 城市运行管理服务指挥中心 (city or county)
    CommandCentre,
    /// A city or county department or utility (部门).
    Department,
    /// 街道办事处 / 乡镇政府
    StreetOffice,
    /// 社区党组织
    PartyOrganisation,
    /// 居民委员会 / 村民委员会
    ResidentsCommittee,
    /// 业主委员会
    OwnersCommittee,
    /// 物业服务企业
    PropertyService,
    /// 楼门长 (the building heads of a community, as one body)
    BuildingHeads,
    /// 综合服务站
    ServiceStation,
}

impl UnitKind {
    pub const ALL: [UnitKind; 9] = [
        UnitKind::CommandCentre,
        UnitKind::Department,
        UnitKind::StreetOffice,
        UnitKind::PartyOrganisation,
        UnitKind::ResidentsCommittee,
        UnitKind::OwnersCommittee,
        UnitKind::PropertyService,
        UnitKind::BuildingHeads,
        UnitKind::ServiceStation,
    ];

    /// The six organisations of a community, in the seed's order.
    pub const SIX: [UnitKind; 6] = [
        UnitKind::PartyOrganisation,
        UnitKind::ResidentsCommittee,
        UnitKind::OwnersCommittee,
        UnitKind::PropertyService,
        UnitKind::BuildingHeads,
        UnitKind::ServiceStation,
    ];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<UnitKind> {
        s.parse().ok()
    }
}

/// An organisation that can own, handle or be summoned to a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    /// Stable key, e.g. `130202:urban-management` or `130202001001:party_organisation`.
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
    /// The area the unit serves.
    pub area: DivisionCode,
    /// The department key of departments.toml, for departments.
    pub department: Option<String>,
}

/// Roles (RuoYi-style), docs/domain.md §9.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr, VariantNames, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    CityAdmin,
    IntakeOperator,
    ShiftSupervisor,
    Dispatcher,
    DepartmentHandler,
    StreetStaff,
    PartyOrganisation,
    ResidentsCommittee,
    OwnersCommittee,
    PropertyService,
    BuildingHead,
    ServiceStation,
    GridWorker,
    Resident,
    Device,
}

impl Role {
    pub const ALL: [Role; 15] = [
        Role::CityAdmin,
        Role::IntakeOperator,
        Role::ShiftSupervisor,
        Role::Dispatcher,
        Role::DepartmentHandler,
        Role::StreetStaff,
        Role::PartyOrganisation,
        Role::ResidentsCommittee,
        Role::OwnersCommittee,
        Role::PropertyService,
        Role::BuildingHead,
        Role::ServiceStation,
        Role::GridWorker,
        Role::Resident,
        Role::Device,
    ];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<Role> {
        s.parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Role::CityAdmin => "市级管理员",
            Role::IntakeOperator => "受理员",
            Role::ShiftSupervisor => "值班长",
            Role::Dispatcher => "派遣员",
            Role::DepartmentHandler => "部门处置人员",
            Role::StreetStaff => "街道工作人员",
            Role::PartyOrganisation => "社区党组织",
            Role::ResidentsCommittee => "居委会",
            Role::OwnersCommittee => "业委会",
            Role::PropertyService => "物业服务企业",
            Role::BuildingHead => "楼门长",
            Role::ServiceStation => "综合服务站",
            Role::GridWorker => "网格员",
            Role::Resident => "居民",
            Role::Device => "设备",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Role::CityAdmin => "City administrator",
            Role::IntakeOperator => "Intake operator",
            Role::ShiftSupervisor => "Shift supervisor",
            Role::Dispatcher => "Dispatcher",
            Role::DepartmentHandler => "Department handler",
            Role::StreetStaff => "Street office staff",
            Role::PartyOrganisation => "Community Party organisation",
            Role::ResidentsCommittee => "Residents' committee",
            Role::OwnersCommittee => "Owners' committee",
            Role::PropertyService => "Property service company",
            Role::BuildingHead => "Building head",
            Role::ServiceStation => "Community service station",
            Role::GridWorker => "Grid worker",
            Role::Resident => "Resident",
            Role::Device => "Device",
        }
    }

    /// The kinds of unit an account of this role may belong to: command-centre staff to a command
    /// centre, department handlers to a department, street staff to a street office, each
    /// community organisation to its own kind, grid workers and residents with accounts to a
    /// residents' committee or service station, devices to whichever unit runs them.
    pub fn unit_kinds(self) -> &'static [UnitKind] {
        match self {
            Role::CityAdmin | Role::IntakeOperator | Role::ShiftSupervisor | Role::Dispatcher => {
                &[UnitKind::CommandCentre]
            }
            Role::DepartmentHandler => &[UnitKind::Department],
            Role::StreetStaff => &[UnitKind::StreetOffice],
            Role::PartyOrganisation => &[UnitKind::PartyOrganisation],
            Role::ResidentsCommittee => &[UnitKind::ResidentsCommittee],
            Role::OwnersCommittee => &[UnitKind::OwnersCommittee],
            Role::PropertyService => &[UnitKind::PropertyService],
            Role::BuildingHead => &[UnitKind::BuildingHeads],
            Role::ServiceStation => &[UnitKind::ServiceStation],
            Role::GridWorker | Role::Resident => &[UnitKind::ResidentsCommittee, UnitKind::ServiceStation],
            Role::Device => &UnitKind::ALL,
        }
    }

    /// Whether an account of this role may belong to a unit of `kind`.
    pub fn fits(self, kind: UnitKind) -> bool {
        self.unit_kinds().contains(&kind)
    }
}

/// A login account with a role and a home unit (passwords and tokens come with issue 4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit: String,
    /// What the account sees besides what its role's rule gives it (RuoYi's custom data scope,
    /// 自定义数据权限): division codes (a county, street or community, or a grid) and unit ids,
    /// e.g. a street's staff covering the next street, or a district handler of a city
    /// department. See `access::DataScope::of`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_scope: Vec<String>,
}

/// A grid worker (网格员): one named full-time worker per grid, part-time helpers besides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridWorker {
    pub id: u32,
    pub name: String,
    pub phone: String,
    pub grid: GridCode,
    pub full_time: bool,
}

/// A building (楼栋) of a grid and its building head (楼门长).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Building {
    /// Grid code + 5-digit sequence.
    pub code: String,
    pub grid: GridCode,
    pub name: String,
    pub head_name: String,
    pub head_phone: String,
}
