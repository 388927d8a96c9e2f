//! `perforch functions` on every fixture: the listing a user sees.

mod support;

use std::process::Command;

use expect_test::{Expect, expect};

fn check(relative: &str, expected: Expect) {
    let path = support::repo_root().join("fixtures").join(relative);
    let output = Command::new(env!("CARGO_BIN_EXE_perforch"))
        .arg("functions")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    expected.assert_eq(&String::from_utf8(output.stdout).unwrap());
}

#[test]
fn python() {
    check(
        "python/inventory.py",
        expect![[r#"
            13-22       function     total_value                        bytes 199..476
            25-32       function     duplicate_skus                     bytes 479..814
            38-39       method       Warehouse.__init__                 bytes 880..923
            41-46       method       Warehouse.add                      bytes 929..1174
            49-53       method       Warehouse.most_common_prefixes     bytes 1198..1360
            50-51       function     prefix                             bytes 1248..1296
            55-60       method       Warehouse.restock                  bytes 1366..1532
            63-65       function     reorder_level                      bytes 1535..1665  stub
            68-69       function     forecast                           bytes 1668..1698  stub
            72-73       function     seasonal_index                     bytes 1701..1777  stub
        "#]],
    );
}

#[test]
fn java() {
    check(
        "java/Inventory.java",
        expect![[r#"
            12-14       constructor  Inventory.Inventory                bytes 270..314
            16-19       constructor  Inventory.Inventory                bytes 320..454
            25-27       method       Inventory.add                      bytes 568..667
            30-32       method       Inventory.quantityOf               bytes 715..799
            34-44       method       Inventory.duplicateSkus            bytes 805..1239
            46-52       method       Inventory.prefixSums               bytes 1245..1477
            54-56       method       Inventory.reorderLevel             bytes 1483..1604  stub
            61-67       method       Pricing.totalCents                 bytes 1676..1878
            71-75       constructor  Line.Line                          bytes 1938..2073
            77-79       method       Line.doubled                       bytes 2083..2141
        "#]],
    );
}

#[test]
fn cpp() {
    check(
        "cpp/matrix.cpp",
        expect![[r#"
            11-11       constructor  Matrix.Matrix                      bytes 173..265
            13-13       method       Matrix.at                          bytes 271..344
            16-18       method       Matrix.rows                        bytes 374..428
            29-36       method       Matrix.multiply                    bytes 629..1001
            43-49       function     count_pairs                        bytes 1099..1356
            52-56       function     clamp_sum                          bytes 1380..1533
            58-61       function     find_first                         bytes 1535..1703
            63-64       function     top_k                              bytes 1705..1770  stub
            66-68       function     median                             bytes 1772..1864  stub
            72-72       method       Histogram.add                      bytes 1916..1953
        "#]],
    );
}

#[test]
fn go() {
    check(
        "go/inventory.go",
        expect![[r#"
            21-23       method       Stack.Push                         bytes 279..341
            25-25       method       Stack.Len                          bytes 343..394
            29-39       function     DuplicateSKUs                      bytes 521..823
            41-48       function     contains                           bytes 825..944
            50-56       function     SortedPrefixes                     bytes 946..1157
            58-64       function     Map                                bytes 1159..1301
            66-68       function     ReorderLevel                       bytes 1303..1376  stub
            70-72       function     Reset                              bytes 1378..1443  stub
        "#]],
    );
}

#[test]
fn rust() {
    check(
        "rust/inventory.rs",
        expect![[r#"
            14-24       function     duplicate_skus                     bytes 277..636
            31-33       method       Warehouse.new                      bytes 718..790
            37-39       method       Warehouse.add                      bytes 839..963
            41-46       method       Warehouse.total                    bytes 969..1126
            42-44       function     widen                              bytes 1013..1075
            53-55       method       Priced.total_cents                 bytes 1214..1297
            58-70       function     prefix_sums                        bytes 1301..1621
            72-74       function     reorder_level                      bytes 1623..1704  stub
            76-78       function     forecast                           bytes 1706..1791  stub
            80-80       function     restock                            bytes 1793..1834  stub
            87-90       function     finds_duplicates                   bytes 1896..2074
        "#]],
    );
}

#[test]
fn json_output_has_one_record_per_function_with_one_based_lines() {
    let path = support::repo_root().join("fixtures/go/inventory.go");
    let output = Command::new(env!("CARGO_BIN_EXE_perforch"))
        .args(["functions", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    let records: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(records.len(), 8);
    let push = &records[0];
    assert_eq!(push["name"], "Push");
    assert_eq!(push["kind"], "method");
    assert_eq!(push["container"], "Stack");
    assert_eq!(push["start_line"], 21);
    let text = std::fs::read_to_string(&path).unwrap();
    let start = push["start_byte"].as_u64().unwrap() as usize;
    assert!(text[start..].starts_with("func (s *Stack[T]) Push(v T) {"));
    assert_eq!(records.iter().filter(|r| r["is_stub"] == true).count(), 2);
}

#[test]
fn unknown_extensions_and_missing_files_get_clear_errors() {
    let run = |arg: &str| {
        Command::new(env!("CARGO_BIN_EXE_perforch"))
            .args(["functions", arg])
            .output()
            .unwrap()
    };
    let output = run("notes.txt");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot tell the language"));
    let output = run("/nonexistent/file.py");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read /nonexistent/file.py"));
}

#[test]
fn invalid_utf8_files_are_still_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.py");
    // "café" in Latin-1 inside a comment.
    std::fs::write(&path, b"# caf\xe9\ndef f(x):\n    return x\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_perforch"))
        .arg("functions")
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("function     f"));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not valid UTF-8"));
}

#[test]
fn version_flag_prints_the_version() {
    let output = Command::new(env!("CARGO_BIN_EXE_perforch"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim(),
        format!("perforch {}", env!("CARGO_PKG_VERSION"))
    );
}
