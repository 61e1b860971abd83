//! Progress for long work (demo generation, bulk writes, indexing), on stderr: bars on a
//! terminal, and a line per tenth of the work in a log (a service, CI, a pipe).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

fn label(step: &'static str) -> &'static str {
    match step {
        "grids" => "生成网格 generating grids (streets)",
        "store" => "写入数据库 writing rows",
        "history" => "载入一年案件 loading a year of cases",
        "search" => "建立全文索引 indexing cases for search",
        "cases" => "重新加密案件 re-sealing cases",
        "case_log" => "重新加密流转记录 re-sealing the case log",
        "idempotency_keys" => "重新加密幂等应答 re-sealing kept answers",
        "grid_workers" => "重新加密网格员 re-sealing grid workers",
        "buildings" => "重新加密楼栋长 re-sealing building heads",
        other => other,
    }
}

/// A progress reporter that switches bars (or lines) when the step changes.
pub fn reporter() -> Box<dyn FnMut(&'static str, usize, usize) + Send> {
    if !std::io::stderr().is_terminal() {
        return lines();
    }
    let mut current: Option<(&'static str, ProgressBar)> = None;
    Box::new(move |step, done, total| {
        if current.as_ref().is_none_or(|(s, _)| *s != step) {
            if let Some((_, bar)) = current.take() {
                bar.finish();
            }
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("{msg:36} [{bar:40}] {pos}/{len} {elapsed}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar.set_message(label(step));
            current = Some((step, bar));
        }
        if let Some((_, bar)) = &current {
            bar.set_position(done as u64);
            if done >= total {
                bar.finish();
            }
        }
    })
}

/// Plain lines: the step's label with done/total, each time another tenth is done.
fn lines() -> Box<dyn FnMut(&'static str, usize, usize) + Send> {
    let mut last: Option<(&'static str, usize)> = None;
    Box::new(move |step, done, total| {
        let tenth = (done * 10).checked_div(total).map_or(10, |t| t.min(10));
        if last.is_none_or(|(s, t)| s != step || t != tenth) {
            eprintln!("{}: {done}/{total}", label(step));
            last = Some((step, tenth));
        }
    })
}
