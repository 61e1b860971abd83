//! What a refusal says to a person, in Chinese and English, in the workflow's own names for its
//! actions and states (the console's tooltip on a disabled action, the message of a refused one).

use super::case::Channel;
use super::engine::Refusal;
use super::workflow::{Need, Workflow};
use crate::people::Role;
use crate::text::Bilingual;

impl Refusal {
    /// The refusal in words, naming actions, states, roles and channels as the workflow and the
    /// console name them (keys the workflow does not know are shown as they are).
    pub fn explain(&self, wf: &Workflow) -> Bilingual {
        let action = |key: &str| match wf.action(key) {
            Some(a) => (format!("「{}」", a.name_zh), a.name_en.clone()),
            None => (format!("「{key}」"), format!("`{key}`")),
        };
        match self {
            Refusal::UnknownAction { action: a, .. } => Bilingual::new(
                format!("「{a}」不是{}的操作", wf.name_zh),
                format!("`{a}` is not an action of {}", wf.name_en),
            ),
            Refusal::WrongState { action: a, state } => {
                let (zh, en) = action(a);
                let (state_zh, state_en) = match wf.state(state) {
                    Some(s) => (s.name_zh.clone(), s.name_en.clone()),
                    None => (state.clone(), state.clone()),
                };
                Bilingual::new(
                    format!("案件当前为「{state_zh}」，不能{zh}"),
                    format!("{en} cannot be taken while the case is “{state_en}”"),
                )
            }
            Refusal::WrongRole { action: a, role } => {
                let (zh, en) = action(a);
                let role = Role::parse(role);
                let (who_zh, who_en) =
                    role.map_or((String::new(), String::new()), |r| (r.name_zh().into(), r.name_en().into()));
                let allowed = wf.action(a).map(|d| d.roles.as_slice()).unwrap_or(&[]);
                let names_zh: Vec<&str> = allowed.iter().map(|r| r.name_zh()).collect();
                let names_en: Vec<&str> = allowed.iter().map(|r| r.name_en()).collect();
                Bilingual::new(
                    format!("{}不能{zh}，此操作由{}办理", or(&who_zh, "您的角色"), names_zh.join("、")),
                    format!("{} may not take {en}; it is for: {}", or(&who_en, "Your role"), names_en.join(", ")),
                )
            }
            Refusal::NotAssignedUnit { action: a } => {
                let (zh, en) = action(a);
                Bilingual::new(
                    format!("只有案件派遣到的主办单位才能{zh}"),
                    format!("Only the unit the case is assigned to may take {en}"),
                )
            }
            Refusal::NotReporter { action: a } => {
                let (zh, en) = action(a);
                Bilingual::new(format!("只有上报人本人才能{zh}"), format!("Only the reporter may take {en}"))
            }
            Refusal::WrongChannel { action: a, channels } => {
                let (zh, en) = action(a);
                let named: Vec<(String, String)> = channels
                    .split(", ")
                    .map(|c| match Channel::parse(c) {
                        Some(ch) => (ch.name_zh().to_string(), ch.name_en().to_string()),
                        None => (c.to_string(), c.to_string()),
                    })
                    .collect();
                let zh_list: Vec<&str> = named.iter().map(|(z, _)| z.as_str()).collect();
                let en_list: Vec<&str> = named.iter().map(|(_, e)| e.as_str()).collect();
                Bilingual::new(
                    format!("{zh}只适用于{}的案件", zh_list.join("、")),
                    format!("{en} is only for cases that came in by {}", en_list.join(", ")),
                )
            }
            Refusal::Missing { action: a, need, .. } => {
                let (zh, en) = action(a);
                let (what_zh, what_en) = need_names(*need);
                Bilingual::new(format!("{zh}需要{what_zh}"), format!("{en} needs {what_en}"))
            }
            Refusal::NotSummoned { action: a } => {
                let (zh, en) = action(a);
                Bilingual::new(
                    format!("只有被吹哨召集且尚未报到的单位才能{zh}"),
                    format!("Only a unit summoned by the whistle and not yet reported in may take {en}"),
                )
            }
            Refusal::TopLevel => {
                Bilingual::new("案件已在最高层级办理，不能再上提", "The case is already held at the top level")
            }
            Refusal::AlreadyRated => Bilingual::new("案件已经评价过", "The case has already been rated"),
            Refusal::UnknownType(code) => Bilingual::new(
                format!("事件类型 {code} 不在现行分类目录中"),
                format!("Type {code} is not in the catalogue in force"),
            ),
            Refusal::BadEntry(state) => Bilingual::new(
                format!("流程的入口状态「{state}」未定义"),
                format!("The workflow's entry state `{state}` is unknown"),
            ),
            Refusal::Calendar(m) => {
                Bilingual::new(format!("期限计算失败：{m}"), format!("Deadline arithmetic failed: {m}"))
            }
            Refusal::Field(p) => p.message.clone(),
        }
    }
}

fn or<'a>(s: &'a str, fallback: &'a str) -> &'a str {
    if s.is_empty() { fallback } else { s }
}

/// What a need asks the person for.
fn need_names(need: Need) -> (&'static str, &'static str) {
    match need {
        Need::Opinion => ("填写意见", "an opinion"),
        Need::Unit => ("选择主办单位", "a primary unit"),
        Need::Extension => ("填写延期时长", "an extension"),
        Need::Rating => ("选择评价", "a rating"),
        Need::Evidence => ("上传照片等证据（附件）", "evidence (an attachment)"),
        Need::Parent => ("填写要合并到的案件编号", "the case to merge into"),
    }
}
