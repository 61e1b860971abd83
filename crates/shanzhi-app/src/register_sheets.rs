//! A register as a workbook (`.xlsx`, the form offices keep): the records of the caller's areas
//! exported with Chinese (or English) headers, masked unless a role the register names asks
//! (audited); and new records imported from such a sheet, every row checked as a record added in
//! the pages is, every problem listed by row and column, and all rows written in one transaction
//! or none.

use std::collections::{BTreeMap, HashMap};

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{Format, FormatAlign, Workbook};
use serde_json::Value;
use shanzhi_domain::audit::AuditEvent;
use shanzhi_domain::cases::case::Actor;
use shanzhi_domain::places::geojson::FeatureProblem;
use shanzhi_domain::registers::sheet::{cells, column_of, columns, header_map, read_row};
use shanzhi_domain::text::xml_safe;
use shanzhi_store::RecordQuery;

use crate::AppError;
use crate::export::{Export, MAX_EXPORT_ROWS, beijing};
use crate::registers::{RecordFilter, Registers};

/// The most rows one import takes.
pub const MAX_IMPORT_ROWS: usize = 5_000;
/// The most problems one refusal lists (the count says how many more there were).
const MAX_PROBLEMS: usize = 200;
/// Records read per query while exporting.
const PAGE: u64 = 1_000;

/// What an import did (or, dry, would do).
#[derive(Debug, Clone, PartialEq)]
pub struct SheetImported {
    pub rows: usize,
    pub dry_run: bool,
}

fn sheet_problem(row: Option<usize>, column: Option<String>, zh: String, en: String) -> FeatureProblem {
    FeatureProblem {
        feature: row,
        code: column,
        kind: if row.is_some() { "bad_row" } else { "bad_sheet" },
        message: en,
        message_zh: zh,
    }
}

/// A cell as the text a person typed: whole numbers without `.0`, dates as `YYYY-MM-DD`.
fn text_of(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.split('T').next().unwrap_or_default().to_string(),
    }
}

/// The first sheet's rows as text, from its header row (the first of its first three rows that
/// names the grid code column): (the header row's number, its cells, the rows after it with their
/// numbers, empty rows left out).
type SheetRows = (usize, Vec<String>, Vec<(usize, Vec<String>)>);

/// The most a workbook may unpack to in all, and any one part of it (a sheet, its strings).
const UNPACKED_MAX: u64 = 64 << 20;
const PART_MAX: u64 = 32 << 20;
/// The most columns read, and characters in a cell.
const COLUMNS_MAX: u32 = 256;
const CELL_MAX: usize = 2_000;

/// Whether the workbook unpacks to a sane size: each part's declared size (which the unzipping
/// holds it to) within the limits, before anything is unpacked.
fn sizes_ok(bytes: &[u8]) -> Result<(), FeatureProblem> {
    let bad = |zh: &str, en: &str| sheet_problem(None, None, zh.into(), en.into());
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|_| bad("文件不是 .xlsx 工作簿", "the file is not an .xlsx workbook"))?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let size =
            zip.by_index_raw(i).map_err(|_| bad("文件不是 .xlsx 工作簿", "the file is not an .xlsx workbook"))?.size();
        total = total.saturating_add(size);
        if size > PART_MAX || total > UNPACKED_MAX {
            return Err(bad(
                "工作簿解压后过大（最多 64 MB），请分批导入",
                "the workbook unpacks to too much (at most 64 MB): split it",
            ));
        }
    }
    Ok(())
}

/// The first sheet read cell by cell (never as a whole grid, whose size a sheet may claim):
/// at most the header's three rows and 5,000 after them, 256 columns, 2,000 characters a cell.
fn read_sheet(bytes: Vec<u8>) -> Result<SheetRows, FeatureProblem> {
    let bad = |zh: &str, en: &str| sheet_problem(None, None, zh.into(), en.into());
    sizes_ok(&bytes)?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|_| bad("文件不是 .xlsx 工作簿", "the file is not an .xlsx workbook"))?;
    let name =
        book.sheet_names().first().cloned().ok_or_else(|| bad("工作簿没有工作表", "the workbook has no sheet"))?;
    let mut cells = book
        .worksheet_cells_reader(&name)
        .map_err(|_| bad("第一个工作表无法读取", "the first sheet cannot be read"))?;
    let last_row = (3 + MAX_IMPORT_ROWS) as u32;
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    while let Some(cell) =
        cells.next_cell().map_err(|_| bad("第一个工作表无法读取", "the first sheet cannot be read"))?
    {
        let (r, c) = cell.get_position();
        let text = text_of(&Data::from(cell.get_value().clone()));
        if text.trim().is_empty() {
            continue;
        }
        if r >= last_row {
            return Err(bad(
                &format!("一次最多导入 {MAX_IMPORT_ROWS} 行，请分批导入"),
                &format!("at most {MAX_IMPORT_ROWS} rows an import: split the sheet"),
            ));
        }
        if c >= COLUMNS_MAX || text.chars().count() > CELL_MAX {
            return Err(sheet_problem(
                Some(r as usize + 1),
                None,
                format!("第 {} 行：最多 {COLUMNS_MAX} 列，每格最多 {CELL_MAX} 个字", r + 1),
                format!("row {}: at most {COLUMNS_MAX} columns and {CELL_MAX} characters a cell", r + 1),
            ));
        }
        let row = rows.entry(r).or_default();
        if row.len() <= c as usize {
            row.resize(c as usize + 1, String::new());
        }
        row[c as usize] = text;
    }
    let mut rows = rows.into_iter().map(|(r, cells)| (r as usize + 1, cells));
    let mut header = None;
    for (n, cells) in rows.by_ref() {
        if n > 3 {
            break;
        }
        if cells.iter().any(|c| c.trim() == "网格编码" || c.trim() == "Grid code") {
            header = Some((n, cells));
            break;
        }
    }
    let (n, header) = header.ok_or_else(|| {
        bad("前三行中没有表头（应有「网格编码」列）", "no header row in the first three rows (with `Grid code`)")
    })?;
    let body: Vec<(usize, Vec<String>)> = rows.collect();
    if body.len() > MAX_IMPORT_ROWS {
        return Err(bad(
            &format!("一次最多导入 {MAX_IMPORT_ROWS} 行，请分批导入"),
            &format!("at most {MAX_IMPORT_ROWS} rows an import: split the sheet"),
        ));
    }
    Ok((n, header, body))
}

impl Registers<'_> {
    /// The records of the caller's areas (and the filter) as a workbook, at most 20,000 rows;
    /// masked unless `unmask` (the login asking) and the register lets the role; audited.
    pub async fn export_sheet(
        &self,
        key: &str,
        actor: &Actor,
        filter: &RecordFilter,
        english: bool,
        unmask: Option<&str>,
    ) -> Result<Export, AppError> {
        let r = self.register(key, actor)?;
        let whole = self.whole(&r, actor, unmask)?;
        let checked = self.checked_filter(&r, filter)?;
        let scope = self.app.scope_of(actor);
        let places = self.app.places();
        let mut rows: Vec<(Vec<String>, [chrono::DateTime<chrono::Utc>; 2])> = Vec::new();
        let mut capped;
        let mut offset = 0;
        loop {
            let q = RecordQuery { offset, limit: PAGE, ..checked.clone() };
            let (page, total) = self.app.store().records(&q, &scope).await?;
            capped = total > MAX_EXPORT_ROWS as u64;
            for s in &page {
                let body: Value = serde_json::from_str(&s.body).map_err(AppError::internal)?;
                let fields: BTreeMap<String, Value> =
                    serde_json::from_value(body["fields"].clone()).map_err(AppError::internal)?;
                let tags: Vec<String> = serde_json::from_value(body["tags"].clone()).unwrap_or_default();
                let fields = if whole { fields } else { r.masked(&fields) };
                let grid_name = s.grid_code.parse().ok().and_then(|g| places.grid(&g).map(|g| g.name.clone()));
                let texts = cells(&r, s.id, &s.grid_code, &grid_name.unwrap_or_default(), &fields, &tags, english);
                rows.push((texts, [s.created_at, s.updated_at]));
            }
            offset += PAGE;
            if page.len() < PAGE as usize || rows.len() >= MAX_EXPORT_ROWS {
                break;
            }
        }
        rows.truncate(MAX_EXPORT_ROWS);
        let n = rows.len();
        let detail = format!("{n} rows{}", if capped { " (capped)" } else { "" });
        self.app.audit(&actor.user, "register.export", &r.register, &detail).await?;
        if whole {
            let by = format!("{detail}, by {}", unmask.unwrap_or_default());
            self.app.audit(&actor.user, "register.unmask", format!("{}: export", r.register), by).await?;
        }
        let now = self.app.clock().now();
        let stamp = format!(
            "{}{} {} {}（{}） {} {}{}",
            if english { r.name_en.clone() } else { r.name_zh.clone() },
            if english { ":" } else { "：" },
            if english { "exported by" } else { "导出人" },
            self.app.person_name(&actor.user, english),
            if english { actor.role.name_en() } else { actor.role.name_zh() },
            beijing(now).format("%Y-%m-%d %H:%M"),
            match (whole, english) {
                (false, false) => "个人信息已脱敏",
                (false, true) => "personal data masked",
                (true, false) => "含个人信息，仅限工作使用，不得外传",
                (true, true) => "contains personal data: for official use only",
            },
            match (capped, english) {
                (false, _) => String::new(),
                (true, false) => format!("；仅含前 {MAX_EXPORT_ROWS} 条，其余请缩小范围后导出"),
                (true, true) => format!("; the first {MAX_EXPORT_ROWS} only: narrow the filter for the rest"),
            }
        );
        let headers: Vec<String> = columns(&r).into_iter().map(|c| if english { c.en } else { c.zh }).collect();
        let sheet_name = if english { r.name_en.clone() } else { r.name_zh.clone() };
        let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
            let mut book = Workbook::new();
            let sheet = book.add_worksheet();
            let name: String = sheet_name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
            sheet.set_name(if name.is_empty() { "Sheet1" } else { &name })?;
            let bold = Format::new().set_bold().set_background_color("#DDEBF7").set_align(FormatAlign::Center);
            let time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
            sheet.write_string(0, 0, xml_safe(&stamp).as_ref())?;
            for (c, h) in headers.iter().enumerate() {
                sheet.write_string_with_format(1, c as u16, xml_safe(h).as_ref(), &bold)?;
                sheet.set_column_width(c as u16, 16.0)?;
            }
            let times = headers.len() - 2;
            for (i, (texts, at)) in rows.iter().enumerate() {
                let row = i as u32 + 2;
                for (c, t) in texts.iter().enumerate().filter(|(c, t)| *c < times && !t.is_empty()) {
                    sheet.write_string(row, c as u16, xml_safe(t).as_ref())?;
                }
                for (k, t) in at.iter().enumerate() {
                    sheet.write_datetime_with_format(row, (times + k) as u16, beijing(*t), &time)?;
                }
            }
            sheet.set_freeze_panes(2, 1)?;
            sheet.autofilter(1, 0, rows.len() as u32 + 1, headers.len() as u16 - 1)?;
            book.save_to_buffer()
        })
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
        Ok(Export { bytes, rows: n, capped })
    }

    /// New records from a workbook laid out as the export is (the number column empty): every
    /// row checked, every problem listed by row and column (`Rejected`: `feature` is the sheet's
    /// row number, `code` the column), and all rows written together, or none. `dry_run` checks
    /// only.
    pub async fn import_sheet(
        &self,
        key: &str,
        actor: &Actor,
        bytes: Vec<u8>,
        dry_run: bool,
    ) -> Result<SheetImported, AppError> {
        let r = self.writable(key, actor)?;
        let (header_row, header, rows) = tokio::task::spawn_blocking(move || read_sheet(bytes))
            .await
            .map_err(AppError::internal)?
            .map_err(|p| AppError::Rejected { problems: vec![p] })?;
        let map = header_map(&r, &header)
            .map_err(|m| AppError::Rejected { problems: vec![sheet_problem(Some(header_row), None, m.zh, m.en)] })?;
        let scope = self.app.scope_of(actor);
        let now = self.app.clock().now();
        let mut problems = Vec::new();
        let mut more = 0usize;
        let mut records = Vec::with_capacity(rows.len());
        let mut ids_seen: HashMap<String, usize> = HashMap::new();
        for (n, cells) in &rows {
            let checked = read_row(&r, &map, cells).and_then(|input| {
                let fields = r.merge(&BTreeMap::new(), &input.fields)?;
                let tags = r.check_tags(&input.tags)?;
                Ok((input.grid, fields, tags))
            });
            let outcome = checked
                .map_err(|e| {
                    let column = if e.field.starts_with("fields.") || e.field == "tags" {
                        column_of(&r, &e.field)
                    } else {
                        e.field.clone()
                    };
                    (column, e.message.zh, e.message.en)
                })
                .and_then(|(grid, fields, tags)| {
                    let grid = self.grid_for(&grid, &scope).map_err(|e| {
                        let (en, zh) = crate::error::messages(&e);
                        ("网格编码".to_string(), zh, en)
                    })?;
                    // One person once in a sheet: the same ID number twice is a mistake.
                    for id in r.field.iter().filter_map(|f| fields.get(&f.key)?.get("id_number")?.as_str()) {
                        if let Some(first) = ids_seen.insert(id.to_string(), *n) {
                            return Err((
                                column_of(&r, "fields.person.id_number"),
                                format!("身份证号与第 {first} 行重复"),
                                format!("the ID number repeats row {first}'s"),
                            ));
                        }
                    }
                    Ok((grid, fields, tags))
                });
            match outcome {
                Ok((grid, fields, tags)) => {
                    records.push(self.fresh(&r, &grid, fields, tags, self.app.ids.next(now), now)?)
                }
                Err(_) if problems.len() == MAX_PROBLEMS => more += 1,
                Err((column, zh, en)) => problems.push(sheet_problem(Some(*n), Some(column), zh, en)),
            }
        }
        if more > 0 {
            problems.push(sheet_problem(
                None,
                None,
                format!("另有 {more} 行有问题，未一一列出"),
                format!("{more} more rows have problems, not listed"),
            ));
        }
        if !problems.is_empty() {
            return Err(AppError::Rejected { problems });
        }
        if rows.is_empty() {
            return Err(AppError::Rejected {
                problems: vec![sheet_problem(
                    None,
                    None,
                    "表格中没有要导入的行".into(),
                    "the sheet has no rows to import".into(),
                )],
            });
        }
        if !dry_run {
            let audit =
                AuditEvent::new(now, &actor.user, "register.import", &r.register, format!("{} rows", records.len()));
            self.app.store().insert_register_records(&records, &actor.user, audit).await?;
        }
        Ok(SheetImported { rows: records.len(), dry_run })
    }
}
