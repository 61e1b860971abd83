//! The full-text index on 20,000 cases made from a fixed vocabulary of Tangshan problems, places
//! and notes: searches of a common word, of two words, of a rare word, and putting 1,000 cases in
//! one commit (an index catching up). Run: `cargo bench -p shanzhi-search --bench search`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shanzhi_search::{CaseDoc, SearchIndex};

const PROBLEMS: [&str; 12] = [
    "窨井盖缺失",
    "井盖破损松动",
    "暴露垃圾",
    "垃圾满溢",
    "占道经营",
    "乱堆物料",
    "路灯不亮",
    "道路破损坑洼",
    "违章停车堵塞消防通道",
    "绿地遭践踏",
    "小广告乱贴",
    "噪音扰民",
];
const PLACES: [&str; 10] = [
    "路南区学院南路街道新华里小区",
    "路北区乔屯街道文北社区",
    "古冶区林西街道",
    "开平区税务庄街道",
    "丰南区胥各庄街道",
    "丰润区太平路街道",
    "曹妃甸区唐海镇",
    "滦州市响堂街道",
    "遵化市华明路街道",
    "迁安市永顺街道",
];
const NOTES: [&str; 6] =
    ["已派城管中队处理", "已通知市政维修队", "物业公司已清运", "经核查情况属实", "已督促商户整改", "转供电公司抢修"];

fn doc(i: usize) -> CaseDoc {
    let rare = if i % 1000 == 7 { "化粪池冒溢" } else { "" };
    CaseDoc {
        id: i as i64,
        text: format!("{}{} {}号楼附近 {}", PLACES[i % PLACES.len()], PROBLEMS[(i / 7) % PROBLEMS.len()], i % 97, rare),
        notes: format!("{} {}", NOTES[i % NOTES.len()], NOTES[(i / 3) % NOTES.len()]),
    }
}

fn bench(c: &mut Criterion) {
    let index = SearchIndex::in_memory().unwrap();
    let docs: Vec<CaseDoc> = (0..20_000).map(doc).collect();
    for chunk in docs.chunks(5_000) {
        index.put(chunk, Some((chunk.len() as i64, 0, 0))).unwrap();
    }
    assert_eq!(index.len(), 20_000);
    assert_eq!(index.search("化粪池", 5_000).unwrap().ids.len(), 20);

    let mut g = c.benchmark_group("search 20,000 cases");
    g.bench_function("a common word (井盖), newest 5,000", |b| {
        b.iter(|| black_box(index.search("井盖", 5_000).unwrap()))
    });
    g.bench_function("two words (路北区 垃圾)", |b| {
        b.iter(|| black_box(index.search("路北区 垃圾", 5_000).unwrap()))
    });
    g.bench_function("a rare word (化粪池)", |b| b.iter(|| black_box(index.search("化粪池", 5_000).unwrap())));
    g.finish();

    let mut g = c.benchmark_group("index");
    g.throughput(Throughput::Elements(1_000));
    g.sample_size(10);
    let mut next = 20_000;
    g.bench_function("put 1,000 cases in one commit", |b| {
        b.iter(|| {
            let batch: Vec<CaseDoc> = (next..next + 1_000).map(doc).collect();
            next += 1_000;
            index.put(&batch, Some((next as i64, 0, 0))).unwrap();
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
