; Static performance hints: candidate sites. The Rust predicates in
; server/src/analysis/hints/ decide which candidates are reported.
; Captures: see queries/python/hints.scm (@hint.<id>, @loop, @loop.once,
; @function, @function.name, @closure, and named nodes for the predicates).

; ---------------------------------------------------------------- frames

(for_expression value: (_) @loop.once) @loop
(while_expression) @loop
(loop_expression) @loop

(function_item name: (identifier) @function.name) @function
(closure_expression) @closure

; ----------------------------------------------------------------- hints

; `v.clone().len()`, `&v.clone()`: a clone only borrowed.
(call_expression
  function: (field_expression
    value: (call_expression
      function: (field_expression
        value: (identifier) @collection
        field: (field_identifier) @clone (#eq? @clone "clone"))
      arguments: (arguments) @arguments) @hint.rust-clone-in-loop
    field: (field_identifier) @method
      (#any-of? @method "len" "is_empty" "iter" "contains" "get" "as_str" "as_slice" "starts_with" "ends_with"
        "first" "last" "contains_key" "binary_search" "chars" "bytes" "lines" "keys" "values")))
(reference_expression
  value: (call_expression
    function: (field_expression
      value: (identifier) @collection
      field: (field_identifier) @clone (#eq? @clone "clone"))
    arguments: (arguments) @arguments) @hint.rust-clone-in-loop) @borrow

; `s.push_str(&format!(..))`, `s += &format!(..)`, `s = format!(.., s, ..)`.
(call_expression
  function: (field_expression
    value: (_) @target
    field: (field_identifier) @method (#eq? @method "push_str"))
  arguments: (arguments
    .
    (reference_expression value: (macro_invocation macro: (identifier) @macro (#eq? @macro "format")))
    .)) @hint.rust-format-in-loop
(compound_assignment_expr
  left: (_) @target
  operator: "+="
  right: (reference_expression value: (macro_invocation macro: (identifier) @macro (#eq? @macro "format")))) @hint.rust-format-in-loop
(assignment_expression
  left: (identifier) @target
  right: (macro_invocation macro: (identifier) @macro (#eq? @macro "format") (token_tree) @format)) @hint.rust-format-in-loop

; `.collect::<Vec<_>>().len()`, `.collect::<Vec<_>>().is_empty()`.
(call_expression
  function: (field_expression
    value: (call_expression
      function: (generic_function
        function: (field_expression field: (field_identifier) @collect @report.start (#eq? @collect "collect"))
        type_arguments: (type_arguments) @collected))
    field: (field_identifier) @method (#any-of? @method "len" "is_empty"))) @hint.rust-collect-then-len

; `v.contains(&x)`.
(call_expression
  function: (field_expression
    value: (identifier) @collection
    field: (field_identifier) @method (#eq? @method "contains"))
  arguments: (arguments . (_) .)) @hint.rust-vec-contains-in-loop

; `v.sort()`, `v.sort_by_key(..)`...
(call_expression
  function: (field_expression
    value: (identifier) @collection
    field: (field_identifier) @method
      (#any-of? @method "sort" "sort_unstable" "sort_by" "sort_by_key" "sort_unstable_by" "sort_unstable_by_key" "sort_by_cached_key"))) @hint.rust-sort-in-loop

; `Regex::new("...")`, `regex::Regex::new(r"...")`.
(call_expression
  function: (scoped_identifier
    path: (_) @type (#match? @type "(^|::)(Regex|RegexBuilder|RegexSet)$")
    name: (identifier) @new (#eq? @new "new"))
  arguments: (arguments . [(string_literal) (raw_string_literal)] @pattern)) @hint.rust-regex-in-loop

; `v.push(x)`.
(call_expression
  function: (field_expression
    value: (identifier) @collection
    field: (field_identifier) @method (#eq? @method "push"))
  arguments: (arguments . (_) .)) @hint.rust-push-without-capacity

; `v.remove(0)`, `v.insert(0, x)`.
(call_expression
  function: (field_expression
    value: (identifier) @collection
    field: (field_identifier) @method (#eq? @method "remove"))
  arguments: (arguments . (integer_literal) @index .) (#eq? @index "0")) @hint.rust-vec-remove-front-in-loop
(call_expression
  function: (field_expression
    value: (identifier) @collection
    field: (field_identifier) @method (#eq? @method "insert"))
  arguments: (arguments . (integer_literal) @index . (_) .) (#eq? @index "0")) @hint.rust-vec-remove-front-in-loop

; `if map.contains_key(&k) { ... map.get(&k) ... }`, and `if !map.contains_key(&k) { map.insert(k, ..) }`.
(if_expression
  condition: (call_expression
    function: (field_expression
      value: (identifier) @map
      field: (field_identifier) @method (#eq? @method "contains_key"))
    arguments: (arguments . (_) @key .)) @hint.rust-repeated-key-lookup
  consequence: (block) @consequence)
(if_expression
  condition: (unary_expression
    (call_expression
      function: (field_expression
        value: (identifier) @map
        field: (field_identifier) @method (#eq? @method "contains_key"))
      arguments: (arguments . (_) @key .))) @hint.rust-repeated-key-lookup
  consequence: (block) @consequence)

; Every for loop: is it an inner loop over the collection of an outer one?
(for_expression) @hint.rust-nested-loop-same-collection
