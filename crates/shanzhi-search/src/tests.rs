//! The index on its own: words, matching, replacing, the recorded position, reopening.

use super::*;
use crate::words::query_words;

fn doc(id: i64, text: &str, notes: &str) -> CaseDoc {
    CaseDoc { id, text: text.into(), notes: notes.into() }
}

#[test]
fn words_are_chinese_words_and_sub_words_without_punctuation() {
    let w = words("路南区学院南路街道新华里小区井盖缺失，12345热线转办 ABC");
    for expected in ["路南", "南区", "路南区", "井盖", "缺失", "12345", "热线", "abc"] {
        assert!(w.iter().any(|t| t == expected), "{expected} in {w:?}");
    }
    assert!(!w.iter().any(|t| t == "，" || t.trim().is_empty()), "{w:?}");
    let q: Vec<String> = query_words("井盖 缺失，井盖").into_iter().map(|w| w.word).collect();
    assert_eq!(q, ["井盖", "缺失"]);
    assert!(query_words("，。！ ").is_empty());
    // Characters and pairs are terms too, and a query word also stands for its parts.
    let w = words("路灯不亮");
    assert!(["路", "灯不亮", "路灯", "灯不", "不亮", "灯"].iter().all(|t| w.iter().any(|x| x == t)), "{w:?}");
    let parts = &query_words("联系电话")[0].parts;
    assert_eq!(parts, &["电话", "系电", "联系"]);
    assert!(query_words("b超")[0].parts.is_empty(), "no pairs for a word that is not all Chinese");
}

#[test]
fn every_word_must_match_in_text_or_notes_newest_first() {
    let index = SearchIndex::in_memory().unwrap();
    index
        .put(
            &[
                doc(1, "学院南路井盖缺失 路南区", ""),
                doc(2, "新华里小区垃圾堆放", "已派城管清运井盖"),
                doc(3, "小区路灯不亮", "路南区供电"),
            ],
            Some((7, 3, 1)),
        )
        .unwrap();
    assert_eq!(index.search("井盖", 10).unwrap().ids, [2, 1], "text or notes, newest first");
    assert_eq!(index.search("井盖 缺失", 10).unwrap().ids, [1], "all the words");
    assert_eq!(index.search("路南区", 10).unwrap().ids, [3, 1]);
    assert_eq!(index.search("南区", 10).unwrap().ids, [3, 1], "a sub-word finds the long word");
    assert_eq!(
        index.search("路灯", 10).unwrap().ids,
        [3],
        "jieba cut 路灯不亮 as 路 + 灯不亮; the pairs still find it"
    );
    assert_eq!(index.search("灯不亮", 10).unwrap().ids, [3]);
    assert_eq!(index.search("南路井", 10).unwrap().ids, [1], "pairs across jieba's words");
    assert_eq!(index.search("路北区", 10).unwrap().ids, Vec::<i64>::new(), "every pair must be there");
    assert_eq!(index.search("停车", 10).unwrap().ids, Vec::<i64>::new());
    assert_eq!(index.search("，", 10).unwrap().ids, Vec::<i64>::new(), "no words, no cases");
    let capped = index.search("小区", 1).unwrap();
    assert_eq!((capped.ids, capped.capped), (vec![3], true));
    assert!(!index.search("小区", 2).unwrap().capped);
}

#[test]
fn a_case_put_again_is_replaced_and_the_position_is_kept() {
    let index = SearchIndex::in_memory().unwrap();
    assert_eq!(index.position(), None);
    index.put(&[doc(1, "井盖缺失", "")], Some((1, 1, 1))).unwrap();
    index.put(&[doc(1, "井盖缺失", "已修复")], Some((2, 1, 2))).unwrap();
    assert_eq!(index.len(), 1);
    assert_eq!(index.search("修复", 10).unwrap().ids, [1]);
    assert_eq!(index.position(), Some((2, 1, 2)));
    index.clear().unwrap();
    assert!(index.is_empty());
    assert_eq!(index.position(), None, "a build under way has no position");
    index.put(&[doc(2, "路灯", "")], None).unwrap();
    assert_eq!(index.position(), None);
    index.put(&[], Some((5, 0, 0))).unwrap();
    assert_eq!((index.len(), index.position()), (1, Some((5, 0, 0))));
}

#[test]
fn a_folder_index_survives_a_restart_and_refuses_a_second_writer() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("index");
    {
        let index = SearchIndex::open(&folder).unwrap();
        assert_eq!(index.position(), None);
        index.put(&[doc(9, "占道经营", "")], Some((4, 9, 1))).unwrap();
        assert!(matches!(SearchIndex::open(&folder), Err(SearchError::InUse)));
    }
    let index = SearchIndex::open(&folder).unwrap();
    assert_eq!((index.position(), index.search("占道", 5).unwrap().ids), (Some((4, 9, 1)), vec![9]));

    // An index just made, not yet committed, is not emptied by a second process opening it.
    let fresh = dir.path().join("fresh");
    let first = SearchIndex::open(&fresh).unwrap();
    assert!(matches!(SearchIndex::open(&fresh), Err(SearchError::InUse)));
    first.put(&[doc(3, "占道经营", "")], Some((1, 3, 1))).unwrap();
    assert_eq!(first.search("占道", 5).unwrap().ids, [3], "before the drop");
    drop(first);
    let again = SearchIndex::open(&fresh).unwrap();
    assert_eq!(again.position(), Some((1, 3, 1)), "position kept");
    assert_eq!(again.search("占道", 5).unwrap().ids, [3]);

    // A folder with other files in it is never emptied.
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "keep me").unwrap();
    assert!(matches!(SearchIndex::open(&other), Err(SearchError::Folder(..))));
    assert!(other.join("notes.txt").exists());
}
