//! What each counter and rate is called in a table (Chinese, English), in the order of
//! `Counters::FIELDS` and of `Rates`' fields: the headers of exported figures.

/// (field, Chinese, English), in the order of `Counters::FIELDS`.
pub const COUNTERS: [(&str, &str, &str); 20] = [
    ("reported", "上报数", "Reported"),
    ("filed", "立案数", "Filed"),
    ("filed_public", "监督举报核实数", "Filed from public reports"),
    ("dispatched", "派遣数", "Dispatched"),
    ("due", "应结案数", "Due"),
    ("handled", "处置数", "Handled"),
    ("handled_on_time", "按期处置数", "Handled on time"),
    ("closed", "结案数", "Closed"),
    ("closed_on_time", "按期结案数", "Closed on time"),
    ("rework", "返工数", "Reworked"),
    ("overdue_steps", "超期数", "Overdue steps"),
    ("extensions", "延期数", "Extensions"),
    ("suspended", "挂账数", "Suspended"),
    ("returned", "回退数", "Returned"),
    ("voided", "作废数", "Voided"),
    ("rejected", "不予立案数", "Not filed"),
    ("self_handled", "自行处置数", "Settled on the spot"),
    ("satisfied", "满意", "Satisfied"),
    ("basically_satisfied", "基本满意", "Basically satisfied"),
    ("dissatisfied", "不满意", "Dissatisfied"),
];

/// (field, Chinese, English) of the rates (percentages).
pub const RATES: [(&str, &str, &str); 8] = [
    ("closing", "结案率", "Closing rate"),
    ("on_time_closing", "按期结案率", "On-time closing rate"),
    ("handling", "处置率", "Handling rate"),
    ("on_time_handling", "按期处置率", "On-time handling rate"),
    ("rework", "返工率", "Rework rate"),
    ("extension", "延期率", "Extension rate"),
    ("public_report", "监督举报率", "Public report rate"),
    ("satisfaction", "满意率", "Satisfaction rate"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::figures::Counters;
    use crate::cases::figures::assessment::Rates;

    #[test]
    fn every_counter_and_rate_has_a_label_in_order() {
        let fields: Vec<&str> = COUNTERS.iter().map(|(f, _, _)| *f).collect();
        assert_eq!(fields, Counters::FIELDS);
        let rates = serde_json::to_value(Rates::of(&Counters::default(), 0.8)).unwrap();
        let names: Vec<&String> = rates.as_object().unwrap().keys().collect();
        let mut labelled: Vec<&str> = RATES.iter().map(|(f, _, _)| *f).collect();
        let mut names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        labelled.sort();
        names.sort();
        assert_eq!(labelled, names);
    }
}
