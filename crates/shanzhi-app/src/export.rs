//! Exports (`Cases::export`): the case list as an `.xlsx` workbook with Chinese (or English)
//! headers, within the caller's data scope and filters. Personal data is masked unless a role that
//! may see it asks for it whole; every export is audited (who, what filter, how many rows), an
//! unmasked one as an unmasking too, and the sheet itself names who exported it and when.

use chrono::{DateTime, FixedOffset, Utc};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use shanzhi_domain::cases::case::{Actor, Satisfaction};
use shanzhi_domain::cases::fields;
use shanzhi_domain::privacy::{mask_text, may_unmask};
use shanzhi_domain::text::xml_safe;
use shanzhi_store::{CaseFilter, StoredCase};

use crate::AppError;
use crate::cases::{CaseView, Cases};
use crate::search::MAX_MATCHES;

/// The most rows one export holds (the newest); the sheet says when more matched.
pub const MAX_EXPORT_ROWS: usize = 20_000;

/// Rows read per query.
const PAGE: u64 = 1000;

/// An export: the workbook, its rows, and whether more cases matched than it holds.
#[derive(Debug)]
pub struct Export {
    pub bytes: Vec<u8>,
    pub rows: usize,
    pub capped: bool,
}

/// The columns: (Chinese header, English header, width).
const COLUMNS: [(&str, &str, f64); 20] = [
    ("案件编号", "Case", 20.0),
    ("类型编码", "Type code", 10.0),
    ("类型", "Type", 16.0),
    ("状态", "State", 14.0),
    ("来源", "Channel", 12.0),
    ("问题描述", "Description", 48.0),
    ("区县", "County", 10.0),
    ("街道（乡镇）", "Street", 14.0),
    ("社区（村）", "Community", 14.0),
    ("网格", "Grid", 18.0),
    ("网格编码", "Grid code", 17.0),
    ("责任单位", "Unit", 20.0),
    ("环节时限", "Deadline", 17.0),
    ("亮灯", "Light", 6.0),
    ("返工次数", "Rework", 8.0),
    ("延期次数", "Extensions", 8.0),
    ("满意度", "Satisfaction", 10.0),
    ("上报时间", "Reported", 17.0),
    ("结案时间", "Closed", 17.0),
    ("疑似重复", "Possible duplicate of", 20.0),
];

pub(crate) fn beijing(t: DateTime<Utc>) -> chrono::NaiveDateTime {
    t.with_timezone(&FixedOffset::east_opt(8 * 3600).expect("UTC+8")).naive_local()
}

/// A column of a kind's own field, after the fixed `COLUMNS`: (kind, field, Chinese header,
/// English header).
type FieldColumn = (String, shanzhi_domain::cases::fields::FieldDef, String, String);

/// One row's cells, as text (times as Beijing time), in the order of `COLUMNS` and then the
/// field columns.
struct Row {
    texts: Vec<String>,
    times: [(usize, Option<DateTime<Utc>>); 3],
}

impl Cases<'_> {
    /// The cases matching `filter` (and `words`, when given) within the caller's scope, newest
    /// first, as a workbook. `unmask` (naming the login that asks) needs a role that may see
    /// personal data (see the module).
    pub async fn export(
        &self,
        filter: &CaseFilter,
        words: Option<&str>,
        actor: &Actor,
        unmask: Option<&str>,
        english: bool,
    ) -> Result<Export, AppError> {
        let session = unmask;
        let unmask = session.is_some();
        if actor.is_anonymous() {
            return Err(AppError::Unauthenticated("log in to export cases".into()));
        }
        if unmask && !may_unmask(actor.role) {
            return Err(AppError::Forbidden(format!(
                "the role {} may not export personal data unmasked",
                actor.role.as_str()
            )));
        }
        let now = self.app.clock().now();
        // Cases reported while the export is read do not shift its pages (`reported_to` excludes
        // its instant: what was reported by now is in).
        let next = now + chrono::Duration::milliseconds(1);
        let until = filter.reported_to.map_or(next, |t| t.min(next));
        let pinned = CaseFilter { reported_to: Some(until), ..filter.clone() };
        let scope = self.app.scope_of(actor);
        let narrowed = match words {
            None => Some((pinned, None)),
            Some(w) => self.words_filter(&pinned, w).await?.map(|(f, capped)| (f, capped.then_some(MAX_MATCHES))),
        };
        let (mut cases, mut limit): (Vec<StoredCase>, Option<usize>) = (Vec::new(), None);
        let mut seen = std::collections::HashSet::new();
        if let Some((narrow, words_limit)) = narrowed {
            limit = words_limit;
            // Pages by time (newest first), each ending where the last began: a case whose state
            // changes meanwhile cannot shift the pages. Rows of the boundary instant come again
            // and are kept once.
            let mut upto = narrow.reported_to;
            while cases.len() < MAX_EXPORT_ROWS {
                let page = CaseFilter { limit: PAGE, offset: 0, reported_to: upto, ..narrow.clone() };
                let (total, rows) = self.app.store().list_cases(&page, &scope, now).await?;
                if upto == narrow.reported_to && total > MAX_EXPORT_ROWS as u64 {
                    limit = Some(limit.map_or(MAX_EXPORT_ROWS, |l| l.min(MAX_EXPORT_ROWS)));
                }
                let full = rows.len() == PAGE as usize;
                upto = rows.last().map(|s| s.case.reported_at + chrono::Duration::microseconds(1));
                let before = cases.len();
                cases.extend(rows.into_iter().filter(|s| seen.insert(s.id)));
                if !full || cases.len() == before {
                    break;
                }
            }
        }
        cases.truncate(MAX_EXPORT_ROWS);
        let capped = limit.is_some();
        let mut views: Vec<CaseView> = cases.iter().map(|s| self.view(s, now)).collect();
        self.hide_unseen(&mut views, actor).await?;
        let columns = self.field_columns(&cases);
        let rows: Vec<Row> =
            cases.iter().zip(views).map(|(s, v)| self.export_row(s, v, unmask, &columns, english)).collect();
        let detail = format!("{} rows{}{}", rows.len(), if capped { " (capped)" } else { "" }, describe(filter, words));
        self.app.audit(&actor.user, "case.export", "cases", &detail).await?;
        if unmask {
            self.app
                .audit(&actor.user, "pii.unmask", "export", format!("{detail}, by {}", session.unwrap_or_default()))
                .await?;
        }
        let stamp = format!(
            "{} {}（{}） {} {}",
            if english { "Exported by" } else { "导出人" },
            self.app.person_name(&actor.user, english),
            if english { actor.role.name_en() } else { actor.role.name_zh() },
            beijing(now).format("%Y-%m-%d %H:%M"),
            match (unmask, english) {
                (false, false) => "个人信息已脱敏",
                (false, true) => "personal data masked",
                (true, false) => "含个人信息，仅限工作使用，不得外传",
                (true, true) => "contains personal data: for official use only",
            }
        );
        let n = rows.len();
        let headers: Vec<String> = columns.into_iter().map(|(_, _, zh, en)| if english { en } else { zh }).collect();
        let bytes = tokio::task::spawn_blocking(move || workbook(&rows, &headers, &stamp, limit, english))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?;
        Ok(Export { bytes, rows: n, capped })
    }

    /// A column for each field of each kind among the cases (kinds by key, fields as declared);
    /// headed by the field's name, after the kind's name when the cases are of several kinds.
    fn field_columns(&self, cases: &[StoredCase]) -> Vec<FieldColumn> {
        let kinds: std::collections::BTreeSet<&str> = cases.iter().map(|s| s.case.kind.as_str()).collect();
        let reference = self.app.reference();
        let mut out = Vec::new();
        for kind in &kinds {
            let Some(wf) = reference.workflows.get(*kind) else { continue };
            for f in wf.fields() {
                let (zh, en) = if kinds.len() > 1 {
                    (format!("{}·{}", wf.name_zh, f.name_zh), format!("{}: {}", wf.name_en, f.name_en))
                } else {
                    (f.name_zh.clone(), f.name_en.clone())
                };
                out.push((kind.to_string(), f.clone(), zh, en));
            }
        }
        out
    }

    fn export_row(&self, s: &StoredCase, v: CaseView, unmask: bool, columns: &[FieldColumn], english: bool) -> Row {
        let places = self.app.places();
        let name = |code: &Option<String>| code.as_deref().and_then(|c| places.division_name(c)).unwrap_or_default();
        let county = places.division_name(&v.county);
        let description = if unmask { s.case.description.clone() } else { mask_text(&s.case.description) };
        let satisfaction = s.case.rating.as_ref().map(|r| match (r.satisfaction, english) {
            (Satisfaction::Satisfied, false) => "满意",
            (Satisfaction::BasicallySatisfied, false) => "基本满意",
            (Satisfaction::Dissatisfied, false) => "不满意",
            (Satisfaction::Satisfied, true) => "Satisfied",
            (Satisfaction::BasicallySatisfied, true) => "Basically satisfied",
            (Satisfaction::Dissatisfied, true) => "Dissatisfied",
        });
        // Names, in the sheet's language; codes only in their own columns.
        let reference = self.app.reference();
        let (type_name, state_name, channel) = if english {
            let wf = reference.workflows.get(&s.case.kind);
            (
                reference.taxonomy.get(&s.case.type_code).map(|t| t.name_en.clone()).unwrap_or_default(),
                wf.and_then(|w| w.state(&s.case.state)).map(|d| d.name_en.clone()).unwrap_or_default(),
                s.case.channel.name_en(),
            )
        } else {
            (v.type_name_zh.clone(), v.state_name_zh.clone(), s.case.channel.name_zh())
        };
        let grid_name = match (&v.grid, english) {
            (Some(g), _) => g.parse().ok().and_then(|g| places.grid(&g).map(|g| g.name.clone())).unwrap_or_default(),
            (None, false) => "（不在任何网格内）".into(),
            (None, true) => "(outside every grid)".into(),
        };
        let light = v.light.as_deref().map(|l| light_name(l, english)).unwrap_or_default();
        let texts = vec![
            v.id.to_string(),
            v.type_code.clone(),
            type_name,
            state_name,
            channel.to_string(),
            description,
            county.unwrap_or_else(|| v.county.clone()),
            name(&v.street),
            name(&v.community),
            grid_name,
            v.grid.clone().unwrap_or_default(),
            v.units.as_ref().map(|u| self.app.unit_name(&u.primary)).unwrap_or_default(),
            String::new(),
            light.to_string(),
            v.rework_count.to_string(),
            v.extension_count.to_string(),
            satisfaction.unwrap_or_default().to_string(),
            String::new(),
            String::new(),
            v.possible_duplicate_of.map(|d| d.to_string()).unwrap_or_default(),
        ];
        // The view's fields are masked, and a resident's only those they may read.
        let values = if unmask { s.case.fields.clone() } else { v.fields.clone() };
        let texts = texts
            .into_iter()
            .chain(columns.iter().map(|(kind, f, _, _)| match values.get(&f.key) {
                Some(value) if *kind == s.case.kind => fields::cell(f, value, english),
                _ => String::new(),
            }))
            .collect();
        Row { texts, times: [(12, v.deadline), (17, Some(v.reported_at)), (18, v.closed_at)] }
    }
}

/// A traffic light as a sheet names it (红灯, Red...).
fn light_name(light: &str, english: bool) -> &'static str {
    match (light, english) {
        ("red", false) => "红灯",
        ("yellow", false) => "黄灯",
        ("green", false) => "绿灯",
        ("red", true) => "Red",
        ("yellow", true) => "Yellow",
        ("green", true) => "Green",
        _ => "",
    }
}

/// The filter, for the audit entry.
fn describe(f: &CaseFilter, words: Option<&str>) -> String {
    let parts: Vec<String> = [
        ("state", f.state.clone()),
        ("kind", f.kind.clone()),
        ("type", f.type_code.clone()),
        ("area", f.area.clone()),
        ("unit", f.unit.clone()),
        ("from", f.reported_from.map(|t| t.to_rfc3339())),
        ("to", f.reported_to.map(|t| t.to_rfc3339())),
        ("q", words.map(str::to_string)),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
    .collect();
    if parts.is_empty() { String::new() } else { format!(": {}", parts.join(" ")) }
}

/// The workbook; `limit`: the cap that left matching cases out, if one did.
fn workbook(
    rows: &[Row],
    field_headers: &[String],
    stamp: &str,
    limit: Option<usize>,
    english: bool,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(if english { "Cases" } else { "案件清单" })?;
    let header = Format::new().set_bold().set_background_color("#DDEBF7").set_align(FormatAlign::Center);
    let time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let wrap = Format::new().set_text_wrap();
    let note = match (limit, english) {
        (None, _) => stamp.to_string(),
        (Some(n), true) => format!("{stamp}; drawn from the newest {n} matches only: narrow the filter for the rest"),
        (Some(n), false) => format!("{stamp}；仅从最新的 {n} 条匹配中选出，其余请缩小筛选范围后导出"),
    };
    sheet.write_string(0, 0, xml_safe(&note))?;
    for (col, (zh, en, width)) in COLUMNS.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(1, col, if english { *en } else { *zh }, &header)?;
        sheet.set_column_width(col, *width)?;
    }
    for (i, name) in field_headers.iter().enumerate() {
        let col = (COLUMNS.len() + i) as u16;
        sheet.write_string_with_format(1, col, xml_safe(name).as_ref(), &header)?;
        sheet.set_column_width(col, 18.0)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        for (col, text) in row.texts.iter().enumerate() {
            // A workbook is XML: what a reporter typed must not break it.
            let text = xml_safe(text);
            if col == 5 {
                sheet.write_string_with_format(r, col as u16, text.as_ref(), &wrap)?;
            } else if !text.is_empty() {
                sheet.write_string(r, col as u16, text.as_ref())?;
            }
        }
        for (col, t) in row.times {
            if let Some(t) = t {
                sheet.write_datetime_with_format(r, col as u16, beijing(t), &time)?;
            }
        }
    }
    sheet.set_freeze_panes(2, 1)?;
    sheet.autofilter(1, 0, rows.len() as u32 + 1, (COLUMNS.len() + field_headers.len()) as u16 - 1)?;
    book.save_to_buffer()
}
