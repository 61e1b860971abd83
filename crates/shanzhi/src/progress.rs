//! Progress bars for long work (demo generation, bulk writes), drawn on stderr.

use indicatif::{ProgressBar, ProgressStyle};

/// A progress reporter that switches bars when the step changes.
pub fn reporter() -> Box<dyn FnMut(&'static str, usize, usize) + Send> {
    let mut current: Option<(&'static str, ProgressBar)> = None;
    Box::new(move |step, done, total| {
        if current.as_ref().is_none_or(|(s, _)| *s != step) {
            if let Some((_, bar)) = current.take() {
                bar.finish();
            }
            let bar = ProgressBar::new(total as u64);
            let label = match step {
                "grids" => "生成网格 generating grids (streets)",
                "store" => "写入数据库 writing rows",
                "history" => "载入一年案件 loading a year of cases",
                other => other,
            };
            bar.set_style(
                ProgressStyle::with_template("{msg:36} [{bar:40}] {pos}/{len} {elapsed}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar.set_message(label);
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
