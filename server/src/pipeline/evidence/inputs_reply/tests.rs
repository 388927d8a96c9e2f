//! Replies shaped like what small local models write: each defect seen in
//! practice must still yield the argument lists that were complete.

use super::*;

fn args(parsed: &ParsedInputs, source: InputSource) -> Vec<Vec<&str>> {
    parsed
        .inputs
        .iter()
        .filter(|input| input.source == source)
        .map(|input| input.args.iter().map(String::as_str).collect())
        .collect()
}

#[test]
fn prose_and_a_json_fence_around_the_object() {
    let reply = "Sure! Here are inputs:\n```json\n{\"inputs\": [[\"[3, 1, 2]\"], [5]], \"stress\": [[\"list(range(100000))\"]]}\n```\nEnjoy {not json}.";
    let parsed = parse_inputs_reply(reply).unwrap();
    assert_eq!(
        args(&parsed, InputSource::Generated),
        [vec!["[3, 1, 2]"], vec!["5"]]
    );
    assert_eq!(
        args(&parsed, InputSource::Stress),
        [vec!["list(range(100000))"]]
    );
    assert_eq!(parsed.ended_early, None);
    assert_eq!(parsed.note("qwen", false), None, "nothing was lost");
}

#[test]
fn braces_in_the_prose_before_the_object_are_passed_over() {
    let reply =
        "For `def f(xs): {x for x in xs}` try:\n{\"inputs\": [[\"[1, 1]\"]], \"stress\": []}";
    let parsed = parse_inputs_reply(reply).unwrap();
    assert_eq!(args(&parsed, InputSource::Generated), [vec!["[1, 1]"]]);
}

#[test]
fn comments_of_every_kind_inside_the_json() {
    let reply = r#"```json
{
  "inputs": [
    ["[]", "0"],  // empty list
    # a single element
    ["[7]", "1"],
    /* duplicates */ ["[2, 2, 2]", "3"]
  ],
  "stress": [
    ["list(range(10**5))", "5"] // large
  ]
}
```"#;
    let parsed = parse_inputs_reply(reply).unwrap();
    assert_eq!(args(&parsed, InputSource::Generated).len(), 3);
    assert_eq!(
        args(&parsed, InputSource::Stress),
        [vec!["list(range(10**5))", "5"]]
    );
    assert_eq!(parsed.ended_early, None);
}

#[test]
fn a_comment_sign_inside_a_string_is_code() {
    let reply = r##"{"inputs": [["\"a#b // c\""]]}"##;
    let parsed = parse_inputs_reply(reply).unwrap();
    assert_eq!(parsed.inputs[0].args, ["\"a#b // c\""]);
}

#[test]
fn trailing_commas_after_items_and_lists() {
    let reply =
        "{\"inputs\": [[\"1\", \"2\",], [\"3\", \"4\"],], \"stress\": [[\"10**6\", \"1\"],],}";
    let parsed = parse_inputs_reply(reply).unwrap();
    assert_eq!(
        args(&parsed, InputSource::Generated),
        [vec!["1", "2"], vec!["3", "4"]]
    );
    assert_eq!(args(&parsed, InputSource::Stress), [vec!["10**6", "1"]]);
}

#[test]
fn a_reply_cut_off_in_a_literal_stress_input_keeps_the_complete_lists() {
    // The model wrote its large input out element by element until the
    // token limit ended the reply.
    let reply = "```json\n{\n  \"inputs\": [\n    [\"[1, 2, 3]\"],\n    [\"[]\"]\n  ],\n  \"stress\": [\n    [\"[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13";
    let parsed = parse_inputs_reply(reply).unwrap();
    assert_eq!(
        args(&parsed, InputSource::Generated),
        [vec!["[1, 2, 3]"], vec!["[]"]]
    );
    assert!(args(&parsed, InputSource::Stress).is_empty());
    assert_eq!(parsed.ended_early, Some(Ending::CutOff));
    assert_eq!(
        parsed.note("qwen", true).as_deref(),
        Some(
            "kept 2 of qwen's inputs (the reply was cut off at the model's token limit after them)"
        )
    );
}

#[test]
fn a_reply_cut_off_between_items_keeps_every_closed_item() {
    let reply = "{\"inputs\": [[\"\\\"abc\\\"\", \"1\"], [\"\\\"\\\"\", \"0\"], [\"\\\"xy";
    let parsed = parse_inputs_reply(reply).unwrap();
    assert_eq!(
        args(&parsed, InputSource::Generated),
        [vec!["\"abc\"", "1"], vec!["\"\"", "0"]]
    );
    assert_eq!(
        parsed.note("m", false).as_deref(),
        Some("kept 2 of m's inputs (the JSON stops short after them)")
    );
}

#[test]
fn a_reply_cut_off_before_any_complete_input_names_the_token_limit() {
    let reply = "```json\n{\n  \"inputs\": [\n    [\"[1, 2, 3, 4, 5, 6, 7, 8, 9";
    let error = parse_inputs_reply(reply).unwrap_err();
    assert_eq!(error, InputsReplyError::CutOff);
    assert_eq!(
        error.reason(true),
        "the reply was cut off at the model's token limit before its first complete input"
    );
    // Cut off while still explaining, before any JSON.
    let error = parse_inputs_reply("Let me think about which inputs").unwrap_err();
    assert_eq!(error, InputsReplyError::NoJson);
    assert!(error.reason(true).contains("token limit"));
    assert!(!error.reason(false).contains("token limit"));
}

#[test]
fn an_unquoted_expression_keeps_the_items_before_it() {
    let reply = "{\"inputs\": [[\"[1]\"], [\"[2, 3]\"]], \"stress\": [[list(range(100000))]]}";
    let parsed = parse_inputs_reply(reply).unwrap();
    assert_eq!(args(&parsed, InputSource::Generated).len(), 2);
    let note = parsed.note("m", false).unwrap();
    assert!(
        note.starts_with("kept 2 of m's inputs (the JSON broke after them: "),
        "{note}"
    );
}

#[test]
fn lone_expressions_are_lists_of_one_and_objects_are_left_out() {
    let reply = "{\"inputs\": [\"[4, 5]\", 7, [{\"xs\": [1]}], [\"[1]\"]]}";
    let parsed = parse_inputs_reply(reply).unwrap();
    assert_eq!(
        args(&parsed, InputSource::Generated),
        [vec!["[4, 5]"], vec!["7"], vec!["[1]"]]
    );
    assert_eq!(parsed.skipped, 1);
    assert_eq!(
        parsed.note("m", false).as_deref(),
        Some("kept 3 of m's inputs (1 left out whose arguments were not expressions in strings)")
    );
}

#[test]
fn lists_written_as_json_data_are_named_even_when_the_reply_was_cut_off() {
    let reply = "```json\n{\n  \"inputs\": [\n    [\"\", [\"spam\"]],\n    [\"a\", [\"a\", \"b\"]],\n    [\"a\", [\"a\", \"b\", \"c";
    let error = parse_inputs_reply(reply).unwrap_err();
    assert_eq!(
        error.reason(true),
        "the reply's JSON is not in the requested shape: its 2 argument lists hold JSON lists or objects where source expressions in strings belong"
    );
}

#[test]
fn unusable_replies_say_why() {
    assert_eq!(
        parse_inputs_reply("no json here"),
        Err(InputsReplyError::NoJson)
    );
    assert!(matches!(
        parse_inputs_reply("{\"inputs\": [[{\"a\": 1}]]}"),
        Err(InputsReplyError::Shape(_))
    ));
    assert_eq!(
        parse_inputs_reply("{\"inputs\": [], \"stress\": []}"),
        Err(InputsReplyError::Shape("no inputs in the lists".into()))
    );
}
