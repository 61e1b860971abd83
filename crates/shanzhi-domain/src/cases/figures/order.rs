//! The order of a breakdown's rows (`sort=` of the figures): by key, name, score, any counter or
//! any rate, ascending or (with a leading `-`) descending, rows without a value last either way.

use std::cmp::Ordering;

use super::Counters;
use super::assessment::Rates;
use super::labels::RATES;

/// What the rows are ordered by.
#[derive(Debug, Clone, PartialEq)]
pub enum SortBy {
    Key,
    Name,
    Score,
    Counter(usize),
    Rate(&'static str),
}

/// A parsed `sort=`: what, and which way.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub by: SortBy,
    pub descending: bool,
}

impl Default for Order {
    fn default() -> Self {
        Order { by: SortBy::Key, descending: false }
    }
}

/// Why a `sort=` was refused (it names what may be given).
#[derive(Debug, Clone, PartialEq)]
pub struct BadOrder(pub String);

impl std::fmt::Display for BadOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "sort `{}` is not key, name, score, a counter ({}) or a rate ({}), with `-` before it for descending",
            self.0,
            Counters::FIELDS.join(", "),
            RATES.iter().map(|(r, _, _)| *r).collect::<Vec<_>>().join(", ")
        )
    }
}

impl Order {
    /// Parses `key`, `-score`, `reported`, `-on_time_closing`...
    pub fn parse(s: &str) -> Result<Order, BadOrder> {
        let (descending, name) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let by = match name {
            "key" => SortBy::Key,
            "name" => SortBy::Name,
            "score" => SortBy::Score,
            _ => {
                if let Some(i) = Counters::FIELDS.iter().position(|f| *f == name) {
                    SortBy::Counter(i)
                } else if let Some((r, _, _)) = RATES.iter().find(|(r, _, _)| *r == name) {
                    SortBy::Rate(r)
                } else {
                    return Err(BadOrder(s.chars().take(40).collect()));
                }
            }
        };
        Ok(Order { by, descending })
    }

    /// Sorts `rows` (stable: ties keep their key order), reading each row's key, name, counters,
    /// rates and score through `view`.
    pub fn sort<T>(&self, rows: &mut [T], view: impl Fn(&T) -> RowView<'_>) {
        match &self.by {
            SortBy::Key => rows.sort_by(|a, b| self.way(view(a).key.cmp(view(b).key))),
            // Names in pinyin order (`text::pinyin_key`), each key made once.
            SortBy::Name if self.descending => {
                rows.sort_by_cached_key(|r| std::cmp::Reverse(crate::text::pinyin_key(view(r).name)))
            }
            SortBy::Name => rows.sort_by_cached_key(|r| crate::text::pinyin_key(view(r).name)),
            by => {
                let value = |r: &T| -> Option<f64> {
                    let v = view(r);
                    match by {
                        SortBy::Score => v.score,
                        SortBy::Counter(i) => v.counters.named().get(*i).map(|(_, n)| *n as f64),
                        SortBy::Rate(name) => v.rates.get(name),
                        SortBy::Key | SortBy::Name => None,
                    }
                };
                rows.sort_by(|a, b| match (value(a), value(b)) {
                    (Some(x), Some(y)) => self.way(x.total_cmp(&y)),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                })
            }
        }
    }

    fn way(&self, o: Ordering) -> Ordering {
        if self.descending { o.reverse() } else { o }
    }
}

/// What the order reads of a row.
pub struct RowView<'a> {
    pub key: &'a str,
    pub name: &'a str,
    pub counters: &'a Counters,
    pub rates: &'a Rates,
    pub score: Option<f64>,
}

impl Rates {
    /// A rate by its field name (`None`: no such rate, or no denominator).
    pub fn get(&self, name: &str) -> Option<f64> {
        match name {
            "closing" => self.closing,
            "on_time_closing" => self.on_time_closing,
            "handling" => self.handling,
            "on_time_handling" => self.on_time_handling,
            "rework" => self.rework,
            "extension" => self.extension,
            "public_report" => self.public_report,
            "satisfaction" => self.satisfaction,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row {
        key: &'static str,
        c: Counters,
        r: Rates,
        score: Option<f64>,
    }

    fn rows() -> Vec<Row> {
        let row = |key, reported, closed, due, score| {
            let c = Counters { reported, closed, due, ..Default::default() };
            Row { key, r: Rates::of(&c, 0.8), c, score }
        };
        vec![row("a", 5, 1, 2, Some(70.0)), row("b", 9, 0, 0, None), row("c", 1, 2, 2, Some(90.0))]
    }

    fn keys(order: &str) -> Vec<&'static str> {
        let mut rows = rows();
        Order::parse(order).unwrap().sort(&mut rows, |r| RowView {
            key: r.key,
            name: r.key,
            counters: &r.c,
            rates: &r.r,
            score: r.score,
        });
        rows.iter().map(|r| r.key).collect()
    }

    #[test]
    fn rows_sort_by_any_figure_either_way_with_missing_values_last() {
        assert_eq!(keys("reported"), ["c", "a", "b"]);
        assert_eq!(keys("-reported"), ["b", "a", "c"]);
        assert_eq!(keys("score"), ["a", "c", "b"]);
        assert_eq!(keys("-score"), ["c", "a", "b"]);
        // b has nothing due: no closing rate, last both ways.
        assert_eq!(keys("closing"), ["a", "c", "b"]);
        assert_eq!(keys("-closing"), ["c", "a", "b"]);
        assert_eq!(keys("-key"), ["c", "b", "a"]);
    }

    #[test]
    fn names_sort_in_pinyin_order_either_way() {
        let names = |order: &str| {
            let none = Counters::default();
            let mut rows: Vec<(&str, Counters, Rates)> = ["路南区", "曹妃甸区", "路北区", "迁安市"]
                .into_iter()
                .map(|n| (n, none, Rates::of(&none, 0.8)))
                .collect();
            Order::parse(order).unwrap().sort(&mut rows, |r| RowView {
                key: r.0,
                name: r.0,
                counters: &r.1,
                rates: &r.2,
                score: None,
            });
            rows.into_iter().map(|r| r.0).collect::<Vec<_>>()
        };
        assert_eq!(names("name"), ["曹妃甸区", "路北区", "路南区", "迁安市"]);
        assert_eq!(names("-name"), ["迁安市", "路南区", "路北区", "曹妃甸区"]);
    }

    #[test]
    fn every_rate_is_named_and_unknown_orders_are_refused() {
        let r = Rates::of(&Counters { closed: 1, due: 2, handled: 1, filed: 1, ..Default::default() }, 0.8);
        for (name, _, _) in RATES {
            assert!(Order::parse(name).is_ok(), "{name}");
            let json = serde_json::to_value(r).unwrap();
            assert_eq!(r.get(name), json[name].as_f64(), "{name}");
        }
        assert!(Order::parse("--score").is_err());
        assert!(Order::parse("due").is_ok());
        let e = Order::parse("drop table").unwrap_err();
        assert!(e.to_string().contains("drop table"));
    }
}
