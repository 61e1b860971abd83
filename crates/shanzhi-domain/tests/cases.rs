//! The case engine over the shipped event workflow, taxonomy and calendar: whole stories,
//! refusals, clocks (extension, suspension, traffic lights), a third kind defined only as data,
//! and random histories that must always leave a case in a legal state.

mod support;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use shanzhi_domain::cases::case::{Actor, Assignment, Case, Channel, LogEntry, NewReport, Rating, Satisfaction};
use shanzhi_domain::cases::clock::Light;
use shanzhi_domain::cases::engine::{Command, Refusal, apply, available, create};
use shanzhi_domain::cases::workflow::{Need, Workflow, WorkflowError};
use shanzhi_domain::people::Role;
use shanzhi_domain::time_limit::{TimeLimit, TimeUnit};
use support::{World, actor, cmd, monday_9am, play, with_evidence, with_opinion};

fn world() -> World {
    support::world("event")
}

/// `dispatch` to one unit, with no assisting units.
fn dispatch_to(unit: &str) -> Command {
    support::dispatch_to(unit, &[])
}

fn people() -> [Actor; 7] {
    [
        actor("shouli", Role::IntakeOperator, "1302:command_centre"),
        actor("zhiban", Role::ShiftSupervisor, "1302:command_centre"),
        actor("paiqian", Role::Dispatcher, "1302:command_centre"),
        actor("chengguan", Role::DepartmentHandler, "130202:urban-management"),
        actor("shuiwu", Role::DepartmentHandler, "130202:water-supply"),
        actor("wangge", Role::GridWorker, "130202001001:residents_committee"),
        actor("jumin", Role::Resident, "130202001001:residents_committee"),
    ]
}

fn report(w: &World, channel: Channel, type_code: &str, at: DateTime<Utc>) -> (Case, LogEntry) {
    let r = support::new_report(channel, type_code, "路面有暴露垃圾");
    let who = if channel == Channel::Patrol { &people()[5] } else { &people()[6] };
    create(&w.wf, &w.tax, &w.cal, r, who, at).unwrap()
}

#[test]
fn a_patrol_report_is_closed_on_time() {
    let w = world();
    let [shouli, zhiban, paiqian, chengguan, _, wangge, _] = people();
    let t0 = monday_9am();
    let (case, first) = report(&w, Channel::Patrol, "0602", t0);
    assert_eq!((case.state.as_str(), first.action.as_str()), ("reported", "report"));
    let handling = case.handling_limit;
    let (case, log, _) = play(
        &w,
        case,
        t0,
        &[
            (3, &shouli, cmd("register")),
            (5, &zhiban, cmd("file")),
            (5, &paiqian, dispatch_to("130202:urban-management")),
            (60, &chengguan, with_evidence("feedback")),
            (30, &wangge, with_evidence("check_pass")),
            (5, &zhiban, cmd("close")),
        ],
    );
    assert_eq!(case.state, "closed");
    assert!(case.clock.is_none() && case.closed_at.is_some());
    assert!(log.iter().all(|e| !e.overdue), "every step on time: {log:?}");
    let dispatch = &log[2];
    assert_eq!(dispatch.units.as_ref().unwrap().primary, "130202:urban-management");
    assert_eq!(
        dispatch.deadline.unwrap(),
        w.cal.add(dispatch.at, handling).unwrap(),
        "handling runs on the type's limit"
    );
}

#[test]
fn a_resident_report_is_returned_reworked_closed_and_rated() {
    let w = world();
    let [shouli, zhiban, paiqian, chengguan, shuiwu, wangge, jumin] = people();
    let t0 = monday_9am();
    let (case, _) = report(&w, Channel::ResidentWeb, "0602", t0);
    // A resident's report cannot be registered without verification.
    let refused = apply(&w.wf, &w.cal, &case, &cmd("register"), &shouli, t0).unwrap_err();
    assert!(matches!(refused, Refusal::WrongChannel { .. }), "{refused}");
    let (case, log, at) = play(
        &w,
        case,
        t0,
        &[
            (2, &shouli, cmd("request_verification")),
            (20, &wangge, with_evidence("confirm")),
            (5, &zhiban, cmd("file")),
            (5, &paiqian, dispatch_to("130202:water-supply")),
            (30, &shuiwu, with_opinion("request_return", "不属于供水管辖")),
            (10, &paiqian, cmd("approve_return")),
            (5, &paiqian, dispatch_to("130202:urban-management")),
            (90, &chengguan, with_evidence("feedback")),
            (30, &wangge, with_evidence("check_fail")),
            (60, &chengguan, with_evidence("feedback")),
            (30, &wangge, with_evidence("check_pass")),
            (5, &zhiban, cmd("close")),
        ],
    );
    assert_eq!((case.state.as_str(), case.rework_count), ("closed", 1));
    assert_eq!(log.iter().filter(|e| e.action == "dispatch").count(), 2);
    // The water company, once the case went back, may no longer act on it.
    let rate = Command {
        rating: Some(Rating { satisfaction: Satisfaction::BasicallySatisfied, reason: Some("返工了一次".into()) }),
        ..cmd("rate")
    };
    let not_reporter = actor("someone", Role::Resident, "x");
    assert!(matches!(apply(&w.wf, &w.cal, &case, &rate, &not_reporter, at).unwrap_err(), Refusal::NotReporter { .. }));
    let (case, _) = apply(&w.wf, &w.cal, &case, &rate, &jumin, at).unwrap();
    assert_eq!(case.rating.as_ref().unwrap().satisfaction, Satisfaction::BasicallySatisfied);
    assert_eq!(apply(&w.wf, &w.cal, &case, &rate, &jumin, at).unwrap_err(), Refusal::AlreadyRated);
    // What the reporter is offered says so too (the offer is probed without a rating).
    let offered = available(&w.wf, &case, &jumin);
    assert_eq!(offered.iter().find(|(a, _)| *a == "rate").map(|(_, v)| v.clone()), Some(Err(Refusal::AlreadyRated)));
}

#[test]
fn refusals_say_why() {
    let w = world();
    let [shouli, zhiban, paiqian, chengguan, shuiwu, wangge, _] = people();
    let t0 = monday_9am();
    let (case, _) = report(&w, Channel::Patrol, "0602", t0);
    let r = |c: &Case, command: Command, who: &Actor| apply(&w.wf, &w.cal, c, &command, who, t0).unwrap_err();
    assert!(matches!(r(&case, cmd("file"), &zhiban), Refusal::WrongState { .. }));
    assert!(matches!(r(&case, cmd("register"), &wangge), Refusal::WrongRole { .. }));
    assert!(matches!(r(&case, cmd("fly"), &shouli), Refusal::UnknownAction { .. }));
    // In words, with the workflow's names: what the console shows beside a disabled control.
    let register = w.wf.action("register").unwrap();
    let why = r(&case, cmd("register"), &wangge).explain(&w.wf);
    assert!(why.zh.starts_with(&format!("{}不能「{}」，此操作由", wangge.role.name_zh(), register.name_zh)), "{why:?}");
    assert!(register.roles.iter().all(|role| why.zh.contains(role.name_zh())), "{why:?}");
    assert!(why.en.contains(&register.name_en) && why.en.contains(shouli.role.name_en()), "{why:?}");
    let state = w.wf.state(&case.state).unwrap();
    let why = r(&case, cmd("file"), &zhiban).explain(&w.wf);
    assert!(why.zh.starts_with(&format!("案件当前为「{}」", state.name_zh)), "{why:?}");
    assert!(why.en.contains(&state.name_en), "{why:?}");
    let why = r(&case, cmd("self_handle"), &wangge).explain(&w.wf);
    assert!(
        why.zh.ends_with("需要上传照片等证据（附件）") && why.en.ends_with("needs evidence (an attachment)"),
        "{why:?}"
    );
    assert_eq!(
        r(&case, cmd("self_handle"), &wangge),
        Refusal::Missing { action: "self_handle".into(), field: "evidence (an attachment)", need: Need::Evidence }
    );
    let (filed, _, _) = play(&w, case, t0, &[(1, &shouli, cmd("register")), (1, &zhiban, cmd("file"))]);
    assert!(matches!(r(&filed, cmd("dispatch"), &paiqian), Refusal::Missing { field: "a primary unit", .. }));
    let (sent, _, _) = play(&w, filed, t0, &[(1, &paiqian, dispatch_to("130202:urban-management"))]);
    assert!(matches!(r(&sent, with_evidence("feedback"), &shuiwu), Refusal::NotAssignedUnit { .. }));
    assert!(matches!(r(&sent, cmd("request_return"), &chengguan), Refusal::Missing { field: "an opinion", .. }));
    // The console's view: what this person may do now.
    let offered = available(&w.wf, &sent, &chengguan);
    assert!(offered.iter().any(|(a, ok)| *a == "feedback" && ok.is_ok()));
    let offered = available(&w.wf, &sent, &shuiwu);
    assert!(offered.iter().all(|(_, ok)| ok.is_err()));
}

#[test]
fn extensions_add_time_and_suspensions_stop_the_clock() {
    let w = world();
    let [shouli, zhiban, paiqian, chengguan, _, _, _] = people();
    let t0 = monday_9am();
    // 私搭乱建 (0601): a working-days limit.
    let (case, _) = report(&w, Channel::Patrol, "0601", t0);
    let (case, _, at) = play(
        &w,
        case,
        t0,
        &[
            (1, &shouli, cmd("register")),
            (1, &zhiban, cmd("file")),
            (1, &paiqian, dispatch_to("130202:urban-management")),
        ],
    );
    let deadline = case.clock.as_ref().unwrap().deadline;
    assert_eq!(case.clock.as_ref().unwrap().light(&w.cal, at).unwrap(), Light::Green);

    let two_days = TimeLimit { value: 2, unit: TimeUnit::WorkingDays };
    let ask =
        Command { extension: Some(two_days), opinion: Some("需协调业主".into()), ..cmd("request_extension") };
    let (extended, log, at) =
        play(&w, case.clone(), at, &[(10, &chengguan, ask), (10, &paiqian, cmd("approve_extension"))]);
    assert_eq!(extended.clock.as_ref().unwrap().deadline, w.cal.add(deadline, two_days).unwrap());
    assert_eq!((extended.extension_count, extended.pending_extension), (1, None));
    assert_eq!(log[1].deadline, Some(extended.clock.as_ref().unwrap().deadline), "the log shows the deadline in force");
    // An urging while the request waits (催办: the case stays) keeps the request and the clock.
    let ask =
        Command { extension: Some(two_days), opinion: Some("需协调业主".into()), ..cmd("request_extension") };
    let (urged, _, _) = play(
        &w,
        case.clone(),
        at,
        &[
            (10, &chengguan, ask),
            (5, &zhiban, with_opinion("urge", "请尽快审批")),
            (5, &paiqian, cmd("approve_extension")),
        ],
    );
    assert_eq!((urged.urge_count, urged.extension_count), (1, 1), "the extension survives the urging");
    assert_eq!(urged.clock.as_ref().unwrap().deadline, w.cal.add(deadline, two_days).unwrap());

    // A denied request changes nothing but the log.
    let ask = Command { extension: Some(two_days), opinion: Some("再延".into()), ..cmd("request_extension") };
    let (denied, _, _) = play(
        &w,
        extended.clone(),
        at,
        &[(5, &chengguan, ask), (5, &paiqian, with_opinion("deny_extension", "不予延时"))],
    );
    assert_eq!(denied.clock, extended.clock);
    assert_eq!(denied.extension_count, 1);

    // Suspended for two weeks: the working time left at the pause is left again at the resume.
    let before = extended.clock.clone().unwrap();
    let (paused, _, at) = play(
        &w,
        extended,
        at,
        &[
            (5, &chengguan, with_opinion("request_suspension", "需列入财政预算")),
            (5, &paiqian, cmd("approve_suspension")),
        ],
    );
    let left = w.cal.working_duration_between(at, before.deadline).unwrap();
    let resumed_at = at + Duration::days(14);
    let (resumed, _) = apply(&w.wf, &w.cal, &paused, &cmd("resume"), &paiqian, resumed_at).unwrap();
    let clock = resumed.clock.unwrap();
    assert_eq!(clock.paused_at, None);
    assert_eq!(w.cal.working_duration_between(resumed_at, clock.deadline).unwrap(), left);
    assert!(clock.deadline > before.deadline + Duration::days(13));
}

#[test]
fn traffic_lights_follow_the_share_of_time_used() {
    let w = world();
    let [shouli, zhiban, paiqian, _, _, _, _] = people();
    let t0 = monday_9am();
    // 0101 上水井盖: a calendar-hours limit.
    let (case, _) = report(&w, Channel::Patrol, "0101", t0);
    let (case, _, at) = play(
        &w,
        case,
        t0,
        &[(1, &shouli, cmd("register")), (1, &zhiban, cmd("file")), (1, &paiqian, dispatch_to("130202:water-supply"))],
    );
    let clock = case.clock.unwrap();
    assert_eq!(clock.limit.unit, TimeUnit::CalendarHours);
    let total = clock.deadline - at;
    let at_share = |p: f64| at + Duration::seconds((total.num_seconds() as f64 * p) as i64);
    assert_eq!(clock.light(&w.cal, at_share(0.5)).unwrap(), Light::Green);
    assert_eq!(clock.light(&w.cal, at_share(0.8)).unwrap(), Light::Green);
    assert_eq!(clock.light(&w.cal, at_share(0.9)).unwrap(), Light::Yellow);
    assert_eq!(clock.light(&w.cal, at_share(1.0)).unwrap(), Light::Yellow);
    assert_eq!(clock.light(&w.cal, at_share(1.1)).unwrap(), Light::Red);
    assert!(clock.overdue(at_share(1.1)));
}

#[test]
fn a_new_kind_needs_only_a_workflow_file() {
    // A people's-mediation case (人民调解), defined here only as data, runs on the same engine.
    let text = r#"
kind = "mediation"
version = "mediation-test"
name_zh = "人民调解"
name_en = "People's mediation"
[entry]
default = "applied"
[steps]
accept = { value = 3, unit = "working_days" }
[[state]]
key = "applied"
name_zh = "已申请"
name_en = "Applied"
step = "accept"
[[state]]
key = "mediating"
name_zh = "调解中"
name_en = "Mediating"
step = "handling"
[[state]]
key = "agreed"
name_zh = "达成协议"
name_en = "Agreement reached"
terminal = true
[[action]]
key = "accept"
name_zh = "受理"
name_en = "Accept"
from = ["applied"]
to = "mediating"
roles = ["residents_committee"]
[[action]]
key = "record_agreement"
name_zh = "记录协议"
name_en = "Record the agreement"
from = ["mediating"]
to = "agreed"
roles = ["residents_committee"]
needs = ["opinion", "evidence"]
"#;
    let w = world();
    let wf = Workflow::from_toml(text).unwrap();
    let committee = actor("tiaojie", Role::ResidentsCommittee, "130202001001:residents_committee");
    let r = NewReport {
        type_code: "1005".parse().unwrap(),
        channel: Channel::ResidentPhone,
        description: "邻里噪音纠纷".into(),
        location: None,
        grid: None,
        reporter: None,
        fields: Default::default(),
    };
    let (case, _) = create(&wf, &w.tax, &w.cal, r, &committee, monday_9am()).unwrap();
    assert_eq!(case.clock.as_ref().unwrap().step, "accept");
    let (case, _) = apply(&wf, &w.cal, &case, &cmd("accept"), &committee, monday_9am()).unwrap();
    let (case, entry) = apply(
        &wf,
        &w.cal,
        &case,
        &Command { attachments: vec!["协议书.pdf".into()], ..with_opinion("record_agreement", "双方同意") },
        &committee,
        monday_9am(),
    )
    .unwrap();
    assert_eq!((case.state.as_str(), case.kind.as_str(), entry.to_state.as_str()), ("agreed", "mediation", "agreed"));
}

#[test]
fn broken_workflows_are_refused_with_every_problem() {
    let text = r#"
kind = "broken"
version = "x"
name_zh = "x"
name_en = "x"
[entry]
patrol = "nowhere"
[steps]
[[state]]
key = "a"
name_zh = "a"
name_en = "a"
step = "missing"
[[state]]
key = "island"
name_zh = "b"
name_en = "b"
terminal = true
[[action]]
key = "go"
name_zh = "go"
name_en = "go"
from = ["a"]
to = "ghost"
roles = ["dispatcher"]
[[action]]
key = "nudge"
name_zh = "nudge"
name_en = "nudge"
from = ["a", "island"]
to = "a"
stays = true
roles = ["dispatcher"]
"#;
    let Err(WorkflowError::Invalid { problems, .. }) = Workflow::from_toml(text) else { panic!("must be refused") };
    let all = problems.join("\n");
    for expected in [
        "`default`",
        "unknown state `nowhere`",
        "step `missing`",
        "unknown state `ghost`",
        "island can never be reached",
        "nudge: give either `to`",
        "nudge: an action that stays is not taken on a finished case",
    ] {
        assert!(all.contains(expected), "missing `{expected}` in:\n{all}");
    }
}

/// What an action counts as is checked against what it does, and an unknown count names the
/// action and the counts there are.
#[test]
fn counts_that_do_not_fit_their_action_are_refused() {
    let event = include_str!("../../../data/workflows/event.toml");
    let broken = |from: &str, to: &str| {
        assert!(event.contains(from), "{from}");
        let Err(WorkflowError::Invalid { problems, .. }) = Workflow::from_toml(&event.replacen(from, to, 1)) else {
            panic!("{to} must be refused")
        };
        problems.join("\n")
    };
    // The first action that counts `closed` is `close`; an unknown word instead of it.
    let all = broken("counts = [\"closed\"]", "counts = [\"finished\"]");
    assert!(all.contains("action close: unknown count `finished`"), "{all}");
    assert!(all.contains("self_handled"), "the known counts are listed: {all}");
    let all = broken("counts = [\"closed\"]", "counts = [\"closed\", \"closed\"]");
    assert!(all.contains("action close counts `closed` twice"), "{all}");
    let all = broken("counts = [\"closed\"]", "counts = [\"due\"]");
    assert!(all.contains("action close counts `due` but its `to` state closed"), "{all}");
    let all =
        broken("name_en = \"Urban-management event\"", "name_en = \"Urban-management event\"\nheld_to = \"nowhere\"");
    assert!(all.contains("held_to: no state runs the step `nowhere`"), "{all}");
    let all = broken("counts = [\"closed\"]", "counts = [\"rated\"]");
    assert!(all.contains("action close counts `rated` but has no `rate` effect"), "{all}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Whatever anyone tries, in any order, the case stays in a declared state, every accepted
    /// action appends exactly one log entry, terminal states have no clock, rework is counted
    /// once per failed re-check, and a deadline moves only by a new step, an approved extension
    /// or a resumption.
    #[test]
    fn random_histories_keep_cases_legal(
        channel in prop::sample::select(vec![Channel::Patrol, Channel::ResidentWeb, Channel::Hotline]),
        steps in prop::collection::vec((0usize..40, 0usize..7, 0u8..16, 1i64..600), 1..60),
    ) {
        let w = world();
        let cast = people();
        let units = ["130202:urban-management", "130202:water-supply"];
        let t0 = monday_9am();
        let (mut case, _) = report(&w, channel, "0602", t0);
        let mut at = t0;
        let mut reworks = 0;
        for (a, who, payload, minutes) in steps {
            at += Duration::minutes(minutes);
            let def = &w.wf.actions()[a % w.wf.actions().len()];
            let command = Command {
                action: def.key.clone(),
                opinion: (payload & 1 == 1).then(|| "意见".to_string()),
                units: (payload & 2 == 2).then(|| Assignment { primary: units[(payload as usize >> 2) & 1].into(), assisting: vec![] }),
                extension: (payload & 4 == 4).then_some(TimeLimit { value: 4, unit: TimeUnit::WorkingHours }),
                rating: (payload & 8 == 8).then_some(Rating { satisfaction: Satisfaction::Satisfied, reason: None }),
                attachments: if payload & 1 == 1 { vec!["p.jpg".into()] } else { vec![] },
                parent: None,
                public: payload & 16 == 16,
                fields: Default::default(),
            };
            match apply(&w.wf, &w.cal, &case, &command, &cast[who], at) {
                Err(_) => continue,
                Ok((next, entry)) => {
                    support::check_transition(&w.wf, &case, &next, &entry)?;
                    if def.key == "check_fail" {
                        reworks += 1;
                    }
                    case = next;
                }
            }
        }
        prop_assert_eq!(case.rework_count, reworks);
    }
}

#[test]
fn the_community_blows_the_whistle_and_a_late_department_is_escalated() {
    use shanzhi_domain::cases::sweep::{next_sweep_at, sweep};
    let w = world();
    let [shouli, zhiban, paiqian, chengguan, _, wangge, _] = people();
    let juweihui = actor("juweihui", Role::ResidentsCommittee, "130202001001:residents_committee");
    let jiedao = actor("jiedao", Role::StreetStaff, "130202001:street-office");
    let t0 = monday_9am();
    // 乱堆物堆料: a community matter.
    let (case, _) = report(&w, Channel::Patrol, "1008", t0);
    let steps = [
        (1, &shouli, cmd("register")),
        (1, &zhiban, cmd("file")),
        (1, &paiqian, dispatch_to("130202001001:residents_committee")),
    ];
    let (case, _, at) = play(&w, case, t0, &steps);
    assert_eq!(case.level.as_str(), "community");
    let to_street = Command {
        units: Some(Assignment { primary: "130202001:street-office".into(), assisting: vec![] }),
        ..with_opinion("whistle", "涉及多户，社区无法协调")
    };
    let (case, _, at) = play(&w, case, at, &[(30, &juweihui, to_street), (20, &jiedao, cmd("report_in"))]);
    assert_eq!(
        (case.level.as_str(), case.units.as_ref().unwrap().primary.as_str()),
        ("street", "130202001:street-office")
    );
    // The street summons two departments; only one reports in.
    let to_departments = Command {
        units: Some(Assignment {
            primary: "130202:urban-management".into(),
            assisting: vec!["130202:housing-construction".into()],
        }),
        ..with_opinion("whistle", "需执法与住建共同处置")
    };
    let (case, _, at) = play(&w, case, at, &[(60, &jiedao, to_departments), (30, &chengguan, cmd("report_in"))]);
    assert_eq!(case.level.as_str(), "district");
    assert!(matches!(
        apply(&w.wf, &w.cal, &case, &cmd("report_in"), &chengguan, at).unwrap_err(),
        Refusal::NotSummoned { .. }
    ));
    let due = case.summons.iter().find(|s| s.unit == "130202:housing-construction").unwrap().due;
    assert_eq!(next_sweep_at(&case), Some(due));
    // Before the deadline the sweep does nothing; after it, it escalates once.
    assert!(sweep(&w.wf, &w.cal, &case, due).unwrap().is_none());
    let later = due + Duration::minutes(1);
    let (swept, entry) = sweep(&w.wf, &w.cal, &case, later).unwrap().unwrap();
    assert_eq!(entry.action, "escalate");
    assert_eq!(
        entry.opinion.as_deref(),
        Some("1 个被召集单位未在时限内报到，已提级召集其上一级单位"),
        "said without codes"
    );
    assert_eq!(
        swept.flags.iter().map(|f| (f.unit.as_str(), f.reason.as_str())).collect::<Vec<_>>(),
        [("130202:housing-construction", "missed_summons")]
    );
    assert!(swept.summons.iter().any(|s| s.unit == "1302:housing-construction" && s.pending()));
    assert!(swept.units.as_ref().unwrap().assisting.contains(&"1302:housing-construction".to_string()));
    assert!(sweep(&w.wf, &w.cal, &swept, later).unwrap().is_none(), "the same sweep again changes nothing");
    // The lead department finishes the job.
    let (done, _, _) = play(
        &w,
        swept,
        later,
        &[(60, &chengguan, with_evidence("feedback")), (30, &wangge, with_evidence("check_pass"))],
    );
    assert_eq!(done.state, "pending_close");
}

#[test]
fn an_overdue_step_is_noted_once() {
    use shanzhi_domain::cases::sweep::{next_sweep_at, sweep};
    let w = world();
    let [shouli, zhiban, paiqian, _, _, _, _] = people();
    let t0 = monday_9am();
    let (case, _) = report(&w, Channel::Patrol, "0101", t0);
    let (case, _, _) = play(
        &w,
        case,
        t0,
        &[(1, &shouli, cmd("register")), (1, &zhiban, cmd("file")), (1, &paiqian, dispatch_to("130202:water-supply"))],
    );
    let deadline = case.clock.as_ref().unwrap().deadline;
    assert_eq!(next_sweep_at(&case), Some(deadline));
    let (noted, entry) = sweep(&w.wf, &w.cal, &case, deadline + Duration::hours(1)).unwrap().unwrap();
    assert_eq!((entry.action.as_str(), noted.flags[0].unit.as_str()), ("overdue", "130202:water-supply"));
    // Said by the state's name, the deadline in Beijing time.
    let beijing = deadline.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    assert_eq!(
        entry.opinion.as_deref(),
        Some(format!("「已派遣·处置中」已超时（时限 {}）", beijing.format("%Y-%m-%d %H:%M")).as_str())
    );
    assert_eq!(next_sweep_at(&noted), None);
    assert!(sweep(&w.wf, &w.cal, &noted, deadline + Duration::hours(2)).unwrap().is_none());
}
