//! Demo units (command centres, departments, street offices, the six organisations of each
//! community) and one demo account per kind of user.

use shanzhi_domain::ids::{DivisionCode, Level};
use shanzhi_domain::org::Departments;
use shanzhi_domain::people::{Role, Unit, UnitKind, User};
use shanzhi_domain::places::division::{Division, DivisionKind, DivisionTree};

/// The department key of street offices in the register.
const STREET_OFFICE: &str = "street-office";

/// Every unit of the demo city, in a stable order.
pub fn demo_units(tree: &DivisionTree, departments: &Departments) -> Vec<Unit> {
    let mut units = Vec::new();
    let unit = |area: &DivisionCode, kind: UnitKind, name: String, department: Option<String>| {
        let suffix = department.clone().unwrap_or_else(|| kind.as_str().to_string());
        Unit { id: format!("{area}:{suffix}"), name, kind, area: area.clone(), department }
    };
    for d in tree.all() {
        match d.level() {
            Level::City | Level::County => {
                let level = d.level();
                units.push(unit(&d.code, UnitKind::CommandCentre, format!("{}城市运行管理服务指挥中心", d.name), None));
                for dep in departments.departments.iter().filter(|dep| dep.exists_at(level)) {
                    units.push(unit(
                        &d.code,
                        UnitKind::Department,
                        format!("{}{}", d.name, dep.name_zh),
                        Some(dep.key.clone()),
                    ));
                }
            }
            Level::Township => {
                let name = match d.kind {
                    DivisionKind::Subdistrict => format!("{}办事处", d.name),
                    DivisionKind::Town | DivisionKind::Township => format!("{}人民政府", d.name),
                    _ => d.name.clone(),
                };
                // The street office is itself the township-level department `street-office`
                // when the register has one, so cases routed to that key find it.
                let own = departments
                    .departments
                    .iter()
                    .find(|dep| dep.key == STREET_OFFICE && dep.exists_at(Level::Township));
                units.push(unit(&d.code, UnitKind::StreetOffice, name, own.map(|dep| dep.key.clone())));
                for dep in departments
                    .departments
                    .iter()
                    .filter(|dep| dep.key != STREET_OFFICE && dep.exists_at(Level::Township))
                {
                    units.push(unit(
                        &d.code,
                        UnitKind::Department,
                        format!("{}{}", d.name, dep.name_zh),
                        Some(dep.key.clone()),
                    ));
                }
            }
            Level::Village => units.extend(six(d).into_iter().map(|(k, n)| unit(&d.code, k, n, None))),
        }
    }
    units
}

/// The six organisations of a community; a village has no owners' committee, property company or
/// building heads, so it gets the other three.
fn six(d: &Division) -> Vec<(UnitKind, String)> {
    let short = d.short_name();
    let urban = d.kind == DivisionKind::Community;
    UnitKind::SIX
        .into_iter()
        .filter_map(|k| {
            let name = match (k, urban) {
                (UnitKind::PartyOrganisation, _) => format!("{short}党支部"),
                (UnitKind::ResidentsCommittee, _) => d.name.clone(),
                (UnitKind::OwnersCommittee, true) => format!("{short}业主委员会"),
                (UnitKind::PropertyService, true) => format!("{short}物业服务企业"),
                (UnitKind::BuildingHeads, true) => format!("{short}楼门长"),
                (UnitKind::ServiceStation, true) => format!("{short}综合服务站"),
                (UnitKind::ServiceStation, false) => format!("{short}便民服务站"),
                (UnitKind::OwnersCommittee | UnitKind::PropertyService | UnitKind::BuildingHeads, false) => {
                    return None;
                }
                (UnitKind::CommandCentre | UnitKind::Department | UnitKind::StreetOffice, _) => {
                    return None;
                }
            };
            Some((k, name))
        })
        .collect()
}

/// One account per kind of user, placed in 路南区 学院南路街道 立新东楼社区 where local.
pub fn demo_users(units: &[Unit]) -> Vec<User> {
    let pick = |id: &str| {
        units.iter().find(|u| u.id == id).map(|u| u.id.clone()).unwrap_or_else(|| "1302:command_centre".into())
    };
    let u = |username: &str, display_name: &str, role: Role, unit: &str| User {
        username: username.into(),
        display_name: display_name.into(),
        role,
        unit: pick(unit),
        extra_scope: Vec::new(),
    };
    vec![
        u("admin", "系统管理员", Role::CityAdmin, "1302:command_centre"),
        u("shouli", "受理员 李敏", Role::IntakeOperator, "1302:command_centre"),
        u("zhiban", "值班长 王强", Role::ShiftSupervisor, "1302:command_centre"),
        u("paiqian", "派遣员 赵磊", Role::Dispatcher, "1302:command_centre"),
        u("lunan-chengguan", "路南区城管 刘洋", Role::DepartmentHandler, "130202:urban-management"),
        u("lunan-gongshui", "路南区供水 何明", Role::DepartmentHandler, "130202:water-supply"),
        u("xueyuan-jiedao", "学院南路街道 陈静", Role::StreetStaff, "130202001:street-office"),
        u("lixin-dangzhibu", "立新东楼社区党支部 周红", Role::PartyOrganisation, "130202001001:party_organisation"),
        u("lixin-juweihui", "立新东楼社区居委会 吴丽", Role::ResidentsCommittee, "130202001001:residents_committee"),
        u("lixin-wangge", "网格员 孙杰", Role::GridWorker, "130202001001:residents_committee"),
        u("lixin-loumenzhang", "楼门长 郑淑珍", Role::BuildingHead, "130202001001:building_heads"),
        u("jumin", "居民 张伟", Role::Resident, "130202001001:residents_committee"),
        u("device-drone-01", "无人机 01", Role::Device, "1302:command_centre"),
        // A neighbouring community in the same street, and a community in another district, so
        // that each role's data scope can be seen (and tested) from both sides.
        u("xinyi-wangge", "新谊社区网格员 马超", Role::GridWorker, "130202001002:residents_committee"),
        u("qiaotun-wangge", "乔屯楼社区网格员 田野", Role::GridWorker, "130203001001:residents_committee"),
        u("qiaotun-jiedao", "乔屯街道 韩雪", Role::StreetStaff, "130203001:street-office"),
        u("lubei-chengguan", "路北区城管 秦川", Role::DepartmentHandler, "130203:urban-management"),
    ]
}
