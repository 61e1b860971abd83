//! The case engine over the shipped demand workflow (12345 hotline work orders, 接诉即办), with
//! the shipped taxonomy, departments and calendar: whole stories (dispatched, accepted, replied,
//! called back and closed; returned and re-dispatched; re-handled after a dissatisfied
//! call-back), refusals, step limits, and random histories that must keep a case legal.

mod support;

use shanzhi_domain::cases::workflow::Need;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use shanzhi_domain::cases::case::{Actor, Assignment, Case, Channel, LogEntry, Rating, Satisfaction};
use shanzhi_domain::cases::clock::Light;
use shanzhi_domain::cases::engine::{Command, Refusal, apply, available, create};
use shanzhi_domain::people::Role;
use shanzhi_domain::time_limit::{TimeLimit, TimeUnit};
use support::{World, actor, cmd, dispatch_to, monday_9am, play, with_opinion};

fn world() -> World {
    support::world("demand")
}

const CHENGGUAN: &str = "130202:urban-management";
const HUANBAO: &str = "130202:ecology-environment";
const SHUIWU: &str = "130202:water-supply";
const JIEDAO: &str = "130202001:street-office";

/// Local time in Tangshan (UTC+8) on a date of March 2026.
fn local(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    support::tangshan(2026, 3, day, hour, minute)
}

/// 话务员, 值班长, 派单员, 城管, 供水, 街道, 诉求人.
fn people() -> [Actor; 7] {
    [
        actor("huawu", Role::IntakeOperator, "1302:command_centre"),
        actor("zhiban", Role::ShiftSupervisor, "1302:command_centre"),
        actor("paidan", Role::Dispatcher, "1302:command_centre"),
        actor("chengguan", Role::DepartmentHandler, CHENGGUAN),
        actor("shuiwu", Role::DepartmentHandler, SHUIWU),
        actor("jiedao", Role::StreetStaff, JIEDAO),
        actor("jumin", Role::Resident, "130202001001:residents_committee"),
    ]
}

fn call_back(satisfaction: Satisfaction, reason: Option<&str>) -> Command {
    Command { rating: Some(Rating { satisfaction, reason: reason.map(str::to_string) }), ..cmd("call_back") }
}

fn limit(value: u32, unit: TimeUnit) -> TimeLimit {
    TimeLimit { value, unit }
}

/// A new order of `type_code` through `channel`; hotline calls are entered by the operator.
fn order(w: &World, channel: Channel, type_code: &str, at: DateTime<Utc>) -> (Case, LogEntry) {
    let r = support::new_report(channel, type_code, "楼下烧烤店高音喇叭招揽顾客，噪声扰民");
    let who = match channel {
        Channel::Hotline | Channel::ResidentPhone => &people()[0],
        _ => &people()[6],
    };
    create(&w.wf, &w.tax, &w.cal, r, who, at).unwrap()
}

#[test]
fn the_workflow_loads_with_its_steps() {
    let w = world();
    assert_eq!(w.wf.kind, "demand");
    assert_eq!(w.wf.entry_state("hotline"), "received");
    assert_eq!(w.wf.entry_state("resident_phone"), "received");
    assert_eq!(w.wf.entry_state("resident_web"), "submitted");
    assert_eq!(w.wf.entry_state("open311"), "submitted");
    for (step, expected) in [
        ("intake", limit(10, TimeUnit::Minutes)),
        ("online_intake", limit(2, TimeUnit::CalendarHours)),
        ("dispatch", limit(30, TimeUnit::Minutes)),
        ("accept", limit(2, TimeUnit::WorkingHours)),
        ("return_review", limit(1, TimeUnit::WorkingHours)),
        ("callback", limit(1, TimeUnit::WorkingDays)),
        ("closing", limit(1, TimeUnit::WorkingHours)),
        ("decision", limit(1, TimeUnit::WorkingHours)),
    ] {
        assert_eq!(w.wf.step_limit(step), Some(expected), "step {step}");
    }
    assert_eq!(w.wf.step_limit("handling"), None, "handling runs on the type's limit");
    for s in w.wf.states() {
        assert!(!s.name_zh.is_empty() && !s.name_en.is_empty(), "{}", s.key);
    }
    for a in w.wf.actions() {
        assert!(!a.name_zh.is_empty() && !a.name_en.is_empty(), "{}", a.key);
    }
}

#[test]
fn a_hotline_order_is_accepted_replied_called_back_and_closed() {
    let w = world();
    let [huawu, zhiban, paidan, chengguan, _, _, _] = people();
    let t0 = monday_9am();
    // 1009 商业噪声: 2 working hours to handle.
    let (case, first) = order(&w, Channel::Hotline, "1009", t0);
    assert_eq!((case.kind.as_str(), case.state.as_str(), first.action.as_str()), ("demand", "received", "report"));
    assert_eq!(first.deadline, Some(t0 + Duration::minutes(10)));
    let handling = case.handling_limit;
    assert_eq!(handling, limit(2, TimeUnit::WorkingHours));
    let (case, log, _) = play(
        &w,
        case,
        t0,
        &[
            (3, &huawu, cmd("register")),
            (5, &paidan, dispatch_to(CHENGGUAN, &[HUANBAO])),
            (20, &chengguan, cmd("accept")),
            (60, &chengguan, with_opinion("reply", "已联系商户，拆除高音喇叭")),
            (120, &huawu, call_back(Satisfaction::Satisfied, Some("及时联系，已解决"))),
            (10, &zhiban, cmd("close")),
        ],
    );
    assert_eq!(case.state, "closed");
    assert!(case.clock.is_none() && case.closed_at.is_some());
    assert_eq!((case.rework_count, case.extension_count), (0, 0));
    assert_eq!(case.rating.as_ref().unwrap().satisfaction, Satisfaction::Satisfied);
    assert!(log.iter().all(|e| !e.overdue), "every step on time: {log:?}");
    let steps: Vec<_> = log.iter().map(|e| e.to_state.as_str()).collect();
    assert_eq!(steps, ["pending_dispatch", "dispatched", "handling", "replied", "called_back", "closed"]);
    // The assignment: one primary unit, assisting units kept.
    let units = case.units.as_ref().unwrap();
    assert_eq!((units.primary.as_str(), units.assisting.as_slice()), (CHENGGUAN, &[HUANBAO.to_string()][..]));
    assert_eq!(log[1].units.as_ref(), Some(units));
    // The deadlines of each step.
    let deadline = |i: usize, l: TimeLimit| w.cal.add(log[i].at, l).unwrap();
    assert_eq!(log[0].deadline.unwrap(), deadline(0, limit(30, TimeUnit::Minutes)));
    assert_eq!(log[1].deadline.unwrap(), deadline(1, limit(2, TimeUnit::WorkingHours)));
    assert_eq!(log[2].deadline.unwrap(), deadline(2, handling), "handling runs from acceptance");
    assert_eq!(log[3].deadline.unwrap(), deadline(3, limit(1, TimeUnit::WorkingDays)));
    assert_eq!(log[4].deadline.unwrap(), deadline(4, limit(1, TimeUnit::WorkingHours)));
    assert_eq!(log[5].deadline, None);
}

#[test]
fn a_late_acceptance_is_overdue_and_a_friday_evening_order_waits_for_monday() {
    let w = world();
    let [huawu, _, paidan, chengguan, _, _, _] = people();
    let t0 = monday_9am();
    let (case, _) = order(&w, Channel::Hotline, "1009", t0);
    let (case, _, at) = play(&w, case, t0, &[(3, &huawu, cmd("register")), (5, &paidan, dispatch_to(CHENGGUAN, &[]))]);
    let clock = case.clock.clone().unwrap();
    assert_eq!(clock.step, "accept");
    assert_eq!(clock.deadline, at + Duration::hours(2), "09:08 + 2 working hours");
    assert_eq!(clock.light(&w.cal, at + Duration::minutes(90)).unwrap(), Light::Green);
    assert_eq!(clock.light(&w.cal, at + Duration::minutes(110)).unwrap(), Light::Yellow);
    let late = at + Duration::hours(4);
    assert_eq!(clock.light(&w.cal, late).unwrap(), Light::Red);
    let (_, entry) = apply(&w.wf, &w.cal, &case, &cmd("accept"), &chengguan, late).unwrap();
    assert!(entry.overdue, "accepted after the 2 working hours");

    // Dispatched at 17:00 on Friday: 30 working minutes that day, 90 on Monday morning.
    let friday = local(6, 16, 50);
    let (case, _) = order(&w, Channel::Hotline, "1009", friday);
    let (case, log, _) =
        play(&w, case, friday, &[(5, &huawu, cmd("register")), (5, &paidan, dispatch_to(CHENGGUAN, &[]))]);
    assert_eq!(log[1].at, local(6, 17, 0));
    assert_eq!(case.clock.as_ref().unwrap().deadline, local(9, 10, 0));
    let (_, entry) = apply(&w.wf, &w.cal, &case, &cmd("accept"), &chengguan, local(9, 9, 30)).unwrap();
    assert!(!entry.overdue);
}

#[test]
fn an_order_returned_by_the_wrong_unit_is_re_dispatched() {
    let w = world();
    let [huawu, zhiban, paidan, chengguan, shuiwu, _, _] = people();
    let t0 = monday_9am();
    let (case, _) = order(&w, Channel::Hotline, "1009", t0);
    let (sent, _, at) = play(&w, case, t0, &[(3, &huawu, cmd("register")), (5, &paidan, dispatch_to(SHUIWU, &[]))]);
    // Only the unit it was sent to may accept or return it.
    assert!(matches!(
        apply(&w.wf, &w.cal, &sent, &cmd("accept"), &chengguan, at).unwrap_err(),
        Refusal::NotAssignedUnit { .. }
    ));
    let (returning, _, at) =
        play(&w, sent, at, &[(15, &shuiwu, with_opinion("request_return", "商业噪声不属于供水公司职责"))]);
    assert_eq!(returning.clock.as_ref().unwrap().step, "return_review");
    // A denied return sends it back to the unit, which must accept it on a new clock.
    let (denied, log, _) = play(&w, returning.clone(), at, &[(10, &paidan, with_opinion("deny_return", "请先核实"))]);
    assert_eq!(denied.state, "dispatched");
    assert_eq!(denied.units.as_ref().unwrap().primary, SHUIWU);
    assert_eq!(log[0].deadline.unwrap(), w.cal.add(log[0].at, limit(2, TimeUnit::WorkingHours)).unwrap());
    // An approved return clears the units; the water company may no longer act on it.
    let (back, _, at) = play(&w, returning, at, &[(10, &paidan, cmd("approve_return"))]);
    assert_eq!((back.state.as_str(), back.units.as_ref()), ("pending_dispatch", None));
    assert!(matches!(
        apply(&w.wf, &w.cal, &back, &cmd("accept"), &shuiwu, at).unwrap_err(),
        Refusal::WrongState { .. }
    ));
    let (case, log, _) = play(
        &w,
        back,
        at,
        &[
            (5, &paidan, dispatch_to(CHENGGUAN, &[HUANBAO])),
            (10, &chengguan, cmd("accept")),
            (60, &chengguan, with_opinion("reply", "已责令商户整改")),
            (60, &huawu, call_back(Satisfaction::Satisfied, None)),
            (10, &zhiban, cmd("close")),
        ],
    );
    assert_eq!((case.state.as_str(), case.rework_count), ("closed", 0));
    assert_eq!(case.units.as_ref().unwrap().primary, CHENGGUAN);
    assert_eq!(log[0].units.as_ref().unwrap().primary, CHENGGUAN);
    assert!(matches!(
        apply(&w.wf, &w.cal, &case, &with_opinion("reply", "x"), &shuiwu, at).unwrap_err(),
        Refusal::WrongState { .. }
    ));
}

#[test]
fn a_dissatisfied_call_back_sends_the_order_back_for_re_handling() {
    let w = world();
    let [huawu, zhiban, paidan, chengguan, _, _, jumin] = people();
    let t0 = monday_9am();
    let (case, _) = order(&w, Channel::Hotline, "1009", t0);
    let (case, _, at) = play(
        &w,
        case,
        t0,
        &[
            (3, &huawu, cmd("register")),
            (5, &paidan, dispatch_to(CHENGGUAN, &[])),
            (20, &chengguan, cmd("accept")),
            (60, &chengguan, with_opinion("reply", "已告知商户")),
        ],
    );
    let (again, log, at) =
        play(&w, case, at, &[(90, &huawu, with_opinion("request_rehandle", "不满意：噪声仍然存在"))]);
    assert_eq!((again.state.as_str(), again.rework_count), ("handling", 1));
    assert_eq!(again.rating, None, "the dissatisfied call-back is logged, not yet rated");
    assert_eq!(log[0].opinion.as_deref(), Some("不满意：噪声仍然存在"));
    // Re-handling starts a new handling clock on the type's limit.
    let clock = again.clock.as_ref().unwrap();
    assert_eq!((clock.step.as_str(), clock.started_at), ("handling", at));
    assert_eq!(clock.deadline, w.cal.add(at, again.handling_limit).unwrap());
    assert_eq!(again.units.as_ref().unwrap().primary, CHENGGUAN, "the same unit re-handles");

    let (case, log, at) = play(
        &w,
        again,
        at,
        &[
            (60, &chengguan, with_opinion("reply", "已依法暂扣音响设备")),
            (60, &huawu, call_back(Satisfaction::BasicallySatisfied, Some("重办后解决"))),
            (10, &zhiban, cmd("close")),
        ],
    );
    assert_eq!((case.state.as_str(), case.rework_count), ("closed", 1));
    assert_eq!(case.rating.as_ref().unwrap().satisfaction, Satisfaction::BasicallySatisfied);
    assert!(log.iter().all(|e| !e.overdue));
    // The rating is recorded once: the resident cannot rate again online.
    let rate = Command { rating: Some(Rating { satisfaction: Satisfaction::Satisfied, reason: None }), ..cmd("rate") };
    assert_eq!(apply(&w.wf, &w.cal, &case, &rate, &jumin, at).unwrap_err(), Refusal::AlreadyRated);
}

#[test]
fn a_rejected_reply_is_re_handled_and_an_unreached_resident_rates_later() {
    let w = world();
    let [huawu, zhiban, paidan, chengguan, _, _, jumin] = people();
    let t0 = monday_9am();
    let (case, _) = order(&w, Channel::Hotline, "1009", t0);
    let (case, _, at) = play(
        &w,
        case,
        t0,
        &[
            (3, &huawu, cmd("register")),
            (5, &paidan, dispatch_to(CHENGGUAN, &[])),
            (20, &chengguan, cmd("accept")),
            (30, &chengguan, with_opinion("reply", "已知悉")),
            (10, &paidan, with_opinion("reject_reply", "答复未说明办理结果")),
            (40, &chengguan, with_opinion("reply", "商户已停止使用喇叭")),
            (60, &huawu, with_opinion("call_back_unreached", "三次未接通")),
            (10, &zhiban, cmd("close")),
        ],
    );
    assert_eq!((case.state.as_str(), case.rework_count, case.rating.as_ref()), ("closed", 1, None));
    let rate = Command { rating: Some(Rating { satisfaction: Satisfaction::Satisfied, reason: None }), ..cmd("rate") };
    let (rated, entry) = apply(&w.wf, &w.cal, &case, &rate, &jumin, at).unwrap();
    assert_eq!((rated.state.as_str(), entry.to_state.as_str()), ("closed", "closed"));
    assert_eq!(rated.closed_at, case.closed_at, "rating does not reopen the order");
    assert_eq!(rated.rating.unwrap().satisfaction, Satisfaction::Satisfied);
}

#[test]
fn refusals_say_why() {
    let w = world();
    let [huawu, zhiban, paidan, chengguan, shuiwu, jiedao, jumin] = people();
    let t0 = monday_9am();
    let (case, _) = order(&w, Channel::Hotline, "1009", t0);
    let r = |c: &Case, command: Command, who: &Actor| apply(&w.wf, &w.cal, c, &command, who, t0).unwrap_err();
    assert!(matches!(r(&case, cmd("register"), &jumin), Refusal::WrongRole { .. }));
    assert!(matches!(r(&case, cmd("register"), &paidan), Refusal::WrongRole { .. }));
    assert!(matches!(r(&case, cmd("accept"), &chengguan), Refusal::WrongState { .. }));
    assert!(matches!(r(&case, cmd("fly"), &huawu), Refusal::UnknownAction { .. }));
    assert_eq!(
        r(&case, cmd("answer_directly"), &huawu),
        Refusal::Missing { action: "answer_directly".into(), field: "an opinion", need: Need::Opinion }
    );
    let (registered, _, _) = play(&w, case, t0, &[(1, &huawu, cmd("register"))]);
    assert!(matches!(r(&registered, cmd("dispatch"), &paidan), Refusal::Missing { field: "a primary unit", .. }));
    assert!(matches!(r(&registered, dispatch_to(CHENGGUAN, &[]), &huawu), Refusal::WrongRole { .. }));
    assert!(matches!(r(&registered, cmd("request_void"), &paidan), Refusal::Missing { field: "an opinion", .. }));
    let (sent, _, _) = play(&w, registered, t0, &[(1, &paidan, dispatch_to(CHENGGUAN, &[HUANBAO]))]);
    // Not the assigned unit, whatever its role; an assisting unit does not lead the order.
    assert!(matches!(r(&sent, cmd("accept"), &shuiwu), Refusal::NotAssignedUnit { .. }));
    assert!(matches!(r(&sent, cmd("accept"), &jiedao), Refusal::NotAssignedUnit { .. }));
    let huanbao = actor("huanbao", Role::DepartmentHandler, HUANBAO);
    assert!(matches!(r(&sent, cmd("accept"), &huanbao), Refusal::NotAssignedUnit { .. }));
    // The right unit, the wrong role.
    let clerk = actor("wenyuan", Role::GridWorker, CHENGGUAN);
    assert!(matches!(r(&sent, cmd("accept"), &clerk), Refusal::WrongRole { .. }));
    assert!(matches!(r(&sent, cmd("request_return"), &chengguan), Refusal::Missing { field: "an opinion", .. }));
    // The console's view: what this person may do now.
    let offered = available(&w.wf, &sent, &chengguan);
    for action in ["accept", "request_return"] {
        assert!(offered.iter().any(|(a, ok)| *a == action && ok.is_ok()), "{action}");
    }
    assert!(available(&w.wf, &sent, &shuiwu).iter().all(|(_, ok)| ok.is_err()));

    let (accepted, _, _) = play(&w, sent, t0, &[(1, &chengguan, cmd("accept"))]);
    assert_eq!(
        r(&accepted, cmd("reply"), &chengguan),
        Refusal::Missing { action: "reply".into(), field: "an opinion", need: Need::Opinion }
    );
    assert!(matches!(r(&accepted, with_opinion("reply", "已办"), &shuiwu), Refusal::NotAssignedUnit { .. }));
    assert!(matches!(
        r(&accepted, cmd("request_extension"), &chengguan),
        Refusal::Missing { field: "an extension", .. }
    ));
    let (replied, _, _) = play(&w, accepted, t0, &[(1, &chengguan, with_opinion("reply", "已办"))]);
    assert!(matches!(r(&replied, cmd("call_back"), &huawu), Refusal::Missing { field: "a rating", .. }));
    assert!(matches!(r(&replied, call_back(Satisfaction::Satisfied, None), &chengguan), Refusal::WrongRole { .. }));
    assert!(matches!(r(&replied, cmd("request_rehandle"), &huawu), Refusal::Missing { field: "an opinion", .. }));
    assert!(matches!(r(&replied, cmd("close"), &zhiban), Refusal::WrongState { .. }));
    let (called, _, _) = play(&w, replied, t0, &[(1, &huawu, call_back(Satisfaction::Satisfied, None))]);
    assert!(matches!(r(&called, cmd("close"), &huawu), Refusal::WrongRole { .. }));
}

#[test]
fn duplicates_are_voided_only_with_the_supervisors_approval() {
    let w = world();
    let [huawu, zhiban, paidan, _, _, _, _] = people();
    let t0 = monday_9am();
    let (case, _) = order(&w, Channel::Hotline, "1009", t0);
    let (asked, _, at) = play(
        &w,
        case,
        t0,
        &[(3, &huawu, cmd("register")), (5, &paidan, with_opinion("request_void", "与 12345-20260302-0017 重复"))],
    );
    assert_eq!(asked.clock.as_ref().unwrap().step, "decision");
    assert!(matches!(
        apply(&w.wf, &w.cal, &asked, &cmd("approve_void"), &paidan, at).unwrap_err(),
        Refusal::WrongRole { .. }
    ));
    let (voided, _, _) = play(&w, asked.clone(), at, &[(10, &zhiban, cmd("approve_void"))]);
    assert_eq!(voided.state, "voided");
    assert!(voided.clock.is_none() && voided.closed_at.is_some() && voided.units.is_none());
    let (kept, _, _) = play(&w, asked, at, &[(10, &zhiban, with_opinion("deny_void", "诉求地点不同，不属重复"))]);
    assert_eq!(kept.state, "pending_dispatch");
    assert!(kept.closed_at.is_none());
}

#[test]
fn an_online_demand_is_taken_in_within_two_hours_or_answered_at_once() {
    let w = world();
    let [huawu, _, _, _, _, _, _] = people();
    let t0 = monday_9am();
    let (case, first) = order(&w, Channel::ResidentWeb, "1009", t0);
    assert_eq!(case.state, "submitted");
    assert_eq!(case.clock.as_ref().unwrap().step, "online_intake");
    assert_eq!(first.deadline, Some(t0 + Duration::hours(2)));
    let (answered, log, _) =
        play(&w, case.clone(), t0, &[(30, &huawu, with_opinion("answer_directly", "已告知夜间施工许可的查询方式"))]);
    assert_eq!(answered.state, "answered");
    assert!(answered.clock.is_none() && answered.closed_at.is_some());
    assert!(!log[0].overdue);
    let (late, log, _) = play(&w, case, t0, &[(150, &huawu, cmd("register"))]);
    assert_eq!(late.state, "pending_dispatch");
    assert!(log[0].overdue, "taken in after 2 hours");
}

#[test]
fn extensions_add_time_and_suspensions_stop_the_clock() {
    let w = world();
    let [huawu, zhiban, paidan, _, _, jiedao, _] = people();
    let t0 = monday_9am();
    // 1008 乱堆物堆料: 1 working day, handled by the street office.
    let (case, _) = order(&w, Channel::Hotline, "1008", t0);
    let (case, _, at) = play(
        &w,
        case,
        t0,
        &[
            (3, &huawu, cmd("register")),
            (5, &paidan, dispatch_to(JIEDAO, &[CHENGGUAN])),
            (30, &jiedao, cmd("accept")),
            (5, &paidan, with_opinion("urge", "诉求人再次来电，请尽快办理")),
        ],
    );
    let deadline = case.clock.as_ref().unwrap().deadline;
    assert_eq!(
        deadline,
        w.cal.add(at - Duration::minutes(5), limit(1, TimeUnit::WorkingDays)).unwrap(),
        "urging keeps the clock"
    );
    let two_days = limit(2, TimeUnit::WorkingDays);
    let ask = Command {
        extension: Some(two_days), opinion: Some("需协调物业清运".into()), ..cmd("request_extension")
    };
    let (extended, _, at) = play(&w, case, at, &[(10, &jiedao, ask), (10, &paidan, cmd("approve_extension"))]);
    assert_eq!(extended.clock.as_ref().unwrap().deadline, w.cal.add(deadline, two_days).unwrap());
    assert_eq!((extended.extension_count, extended.pending_extension), (1, None));

    let before = extended.clock.clone().unwrap();
    let (paused, _, at) = play(
        &w,
        extended,
        at,
        &[
            (5, &jiedao, with_opinion("request_suspension", "堆物权属争议，待法院裁定")),
            (5, &paidan, cmd("approve_suspension")),
        ],
    );
    assert!(paused.clock.as_ref().unwrap().paused_at.is_some());
    let left = w.cal.working_duration_between(at, before.deadline).unwrap();
    let resumed_at = at + Duration::days(14);
    let (resumed, _) = apply(&w.wf, &w.cal, &paused, &cmd("resume"), &paidan, resumed_at).unwrap();
    let clock = resumed.clock.as_ref().unwrap();
    assert_eq!(clock.paused_at, None);
    assert_eq!(w.cal.working_duration_between(resumed_at, clock.deadline).unwrap(), left);
    let (case, log, _) = play(
        &w,
        resumed,
        resumed_at,
        &[
            (60, &jiedao, with_opinion("reply", "杂物已清运")),
            (60, &huawu, call_back(Satisfaction::Satisfied, None)),
            (10, &zhiban, cmd("close")),
        ],
    );
    assert_eq!(case.state, "closed");
    assert!(log.iter().all(|e| !e.overdue));
}

/// The states in which the order is with a unit (or was, once closed).
const WITH_A_UNIT: [&str; 9] = [
    "dispatched",
    "return_requested",
    "handling",
    "extension_requested",
    "suspension_requested",
    "suspended",
    "replied",
    "called_back",
    "closed",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Whatever anyone tries, in any order, the order stays in a declared state, every accepted
    /// action appends exactly one log entry, the clock runs on the state's step (paused only
    /// when suspended, none in terminal states), units are held exactly while a unit has the
    /// order, an extension is pending only while asked for, rework is counted once per
    /// re-handling, the rating is recorded at most once, and a deadline moves only by a new
    /// step, an approved extension or a resumption.
    #[test]
    fn random_histories_keep_orders_legal(
        channel in prop::sample::select(vec![Channel::Hotline, Channel::ResidentPhone, Channel::ResidentWeb]),
        type_code in prop::sample::select(vec!["1009", "1008", "0101"]),
        steps in prop::collection::vec((0usize..64, 0usize..14, 0u8..64, 1i64..600), 1..120),
    ) {
        let w = world();
        let cast = people();
        let units = [CHENGGUAN, SHUIWU, JIEDAO, HUANBAO];
        let t0 = monday_9am();
        let (mut case, _) = order(&w, channel, type_code, t0);
        let mut at = t0;
        let mut reworks = 0;
        for (a, who, payload, minutes) in steps {
            at += Duration::minutes(minutes);
            // Mostly an action of the current state, rarely one that ends the order early
            // (answered, voiding), sometimes any action at all; mostly by someone in a role that
            // may take it, sometimes by anyone. So that histories get far, and refusals are tried.
            let here: Vec<_> = w
                .wf
                .actions()
                .iter()
                .filter(|d| d.from.contains(&case.state))
                .filter(|d| a % 8 == 0 || !["answered", "void_requested", "voided"].contains(&d.to.as_str()))
                .collect();
            let def = if a < 48 && !here.is_empty() {
                here[a % here.len()]
            } else {
                &w.wf.actions()[a % w.wf.actions().len()]
            };
            let fitting: Vec<_> = cast.iter().filter(|p| def.roles.contains(&p.role)).collect();
            let who = if who >= cast.len() && !fitting.is_empty() {
                fitting[who % fitting.len()]
            } else {
                &cast[who % cast.len()]
            };
            let command = Command {
                action: def.key.clone(),
                opinion: (payload & 1 == 1).then(|| "意见".to_string()),
                units: (payload & 2 == 2).then(|| Assignment {
                    primary: units[(payload as usize >> 4) & 3].into(),
                    assisting: vec![HUANBAO.into()],
                }),
                extension: (payload & 4 == 4).then_some(limit(4, TimeUnit::WorkingHours)),
                rating: (payload & 8 == 8).then_some(Rating {
                    satisfaction: if payload & 16 == 16 { Satisfaction::Dissatisfied } else { Satisfaction::Satisfied },
                    reason: None,
                }),
                attachments: if payload & 1 == 1 { vec!["p.jpg".into()] } else { vec![] },
                parent: None,
                public: payload & 32 == 32,
                fields: Default::default(),
            };
            match apply(&w.wf, &w.cal, &case, &command, who, at) {
                Err(_) => continue,
                Ok((next, entry)) => {
                    support::check_transition(&w.wf, &case, &next, &entry)?;
                    let state = w.wf.state(&next.state).unwrap();
                    prop_assert_eq!(next.seq, entry.seq);
                    prop_assert_eq!(&entry.action, &def.key);
                    prop_assert_eq!(next.closed_at.is_some(), state.terminal);
                    prop_assert_eq!(next.clock.as_ref().map(|c| c.step.as_str()), state.step.as_deref());
                    prop_assert_eq!(
                        next.clock.as_ref().is_some_and(|c| c.paused_at.is_some()),
                        state.paused
                    );
                    prop_assert_eq!(next.pending_extension.is_some(), next.state == "extension_requested");
                    prop_assert_eq!(
                        next.units.is_some(),
                        WITH_A_UNIT.contains(&next.state.as_str()),
                        "units {:?} in {}", next.units, next.state
                    );
                    if case.rating.is_some() {
                        prop_assert_eq!(&next.rating, &case.rating, "{} changed the rating", def.key);
                    } else if next.rating.is_some() {
                        prop_assert!(["call_back", "rate"].contains(&def.key.as_str()));
                    }
                    if ["request_rehandle", "reject_reply"].contains(&def.key.as_str()) {
                        reworks += 1;
                        let clock = next.clock.as_ref().unwrap();
                        prop_assert_eq!((clock.step.as_str(), clock.started_at), ("handling", at));
                    }
                    case = next;
                }
            }
        }
        prop_assert_eq!(case.rework_count, reworks);
    }
}
