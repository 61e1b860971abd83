//! Exports of figures: a dashboard's table (`stats`) as an `.xlsx` workbook with Chinese (or
//! English) headers: the breakdown's key and its name, every counter, every rate (percent), and
//! the composite score and grade where defined, then the total. Within the caller's scope (the
//! same checks as `stats`), audited (`stats.export`), and the sheet names who exported it when.

use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

use crate::stats::Figures;
use shanzhi_domain::cases::case::Actor;
use shanzhi_domain::cases::figures::labels::{COUNTERS, RATES};
use shanzhi_domain::text::xml_safe;

use crate::AppError;
use crate::export::{Export, beijing};
use crate::stats::{StatRow, StatsQuery};

/// One row: the key, its name, the counters, the rates, the score and grade.
struct Line {
    key: String,
    name: String,
    counters: Vec<u64>,
    rates: Vec<Option<f64>>,
    score: Option<(f64, String)>,
}

fn line(r: &StatRow, name: String) -> Line {
    let rates = serde_json::to_value(r.rates).unwrap_or_default();
    Line {
        // An area month by month: the area's code and the month.
        key: r.period.as_ref().map_or_else(|| r.key.clone(), |p| format!("{} {p}", r.key)),
        name,
        counters: r.counters.named().into_iter().map(|(_, v)| v).collect(),
        rates: RATES.iter().map(|(f, _, _)| rates[f].as_f64()).collect(),
        score: r.score.as_ref().map(|s| (s.value, s.grade.clone())),
    }
}

impl Figures<'_> {
    /// The figures `q` asks for (see `stats`), as a workbook.
    pub async fn export_stats(&self, q: &StatsQuery, actor: &Actor, english: bool) -> Result<Export, AppError> {
        let stats = self.stats(q, actor).await?;
        let name = |r: &StatRow| if english { r.name_en.clone() } else { r.name.clone() };
        let mut lines: Vec<Line> = stats.rows.iter().map(|r| line(r, name(r))).collect();
        lines.push(line(&stats.total, if english { "Total".into() } else { "合计".into() }));
        let described = format!(
            "kind={} by={} from={} to={} area={} unit={} type={}",
            q.kind,
            stats.by.as_deref().unwrap_or("-"),
            q.from.as_deref().unwrap_or("-"),
            q.to.as_deref().unwrap_or("-"),
            q.area.as_deref().unwrap_or("-"),
            q.unit.as_deref().unwrap_or("-"),
            q.type_code.as_deref().unwrap_or("-"),
        );
        self.app
            .audit(&actor.user, "stats.export", "figures", &format!("{} rows: {described}", lines.len() - 1))
            .await?;
        let now = beijing(self.app.clock().now());
        let who = self.app.person_name(&actor.user, english);
        let stamp = if english {
            format!("Exported by {who} ({}) {}; {described}", actor.role.name_en(), now.format("%Y-%m-%d %H:%M"))
        } else {
            format!("导出人 {who}（{}） {}；{described}", actor.role.name_zh(), now.format("%Y-%m-%d %H:%M"))
        };
        let by = stats.by.clone();
        let rows = lines.len() - 1;
        let bytes = tokio::task::spawn_blocking(move || workbook(&lines, by.as_deref(), &stamp, english))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?;
        Ok(Export { bytes, rows, capped: false })
    }
}

fn workbook(lines: &[Line], by: Option<&str>, stamp: &str, english: bool) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(if english { "Figures" } else { "统计考核" })?;
    let header =
        Format::new().set_bold().set_background_color("#DDEBF7").set_align(FormatAlign::Center).set_text_wrap();
    let percent = Format::new().set_num_format("0.0");
    let total = Format::new().set_bold();
    sheet.write_string(0, 0, xml_safe(stamp))?;
    let key_header = match (by, english) {
        (Some("period"), false) => "月份",
        (Some("area"), false) => "区域代码",
        (Some("area_period"), false) => "区域代码 月份",
        (Some("unit"), false) => "单位",
        (Some("type"), false) => "类型编码",
        (_, false) => "范围",
        (Some("period"), true) => "Month",
        (Some("area"), true) => "Area code",
        (Some("area_period"), true) => "Area code, month",
        (Some("unit"), true) => "Unit",
        (Some("type"), true) => "Type code",
        (_, true) => "Scope",
    };
    let mut headers: Vec<String> = vec![key_header.into(), if english { "Name".into() } else { "名称".into() }];
    headers.extend(COUNTERS.iter().map(|(_, zh, en)| if english { en.to_string() } else { zh.to_string() }));
    headers.extend(RATES.iter().map(|(_, zh, en)| if english { format!("{en} (%)") } else { format!("{zh}（%）") }));
    headers.push(if english { "Score".into() } else { "综合得分".into() });
    headers.push(if english { "Grade".into() } else { "等级".into() });
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, h, &header)?;
        sheet.set_column_width(c as u16, if c < 2 { 18.0 } else { 10.0 })?;
    }
    sheet.set_row_height(1, 32)?;
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 2;
        let last = i + 1 == lines.len();
        if last {
            sheet.write_string_with_format(r, 0, xml_safe(&l.name), &total)?;
        } else {
            sheet.write_string(r, 0, xml_safe(&l.key))?;
            sheet.write_string(r, 1, xml_safe(&l.name))?;
        }
        let mut c = 2u16;
        for v in &l.counters {
            sheet.write_number(r, c, *v as f64)?;
            c += 1;
        }
        for v in &l.rates {
            if let Some(v) = v {
                sheet.write_number_with_format(r, c, *v, &percent)?;
            }
            c += 1;
        }
        if let Some((score, grade)) = &l.score {
            sheet.write_number_with_format(r, c, *score, &percent)?;
            sheet.write_string(r, c + 1, grade)?;
        }
    }
    sheet.set_freeze_panes(2, 2)?;
    book.save_to_buffer()
}
