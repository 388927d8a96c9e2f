; Static performance hints: candidate sites. The Rust predicates in
; server/src/analysis/hints/ decide which candidates are reported.
; Captures: see queries/python/hints.scm (@hint.<id>, @loop, @loop.once,
; @function, @function.name, @closure, and named nodes for the predicates).

; ---------------------------------------------------------------- frames

; One `for` node, three forms: the range expression and the initialiser run once.
(for_statement (range_clause right: (_) @loop.once)) @loop
(for_statement (for_clause initializer: (_) @loop.once)) @loop
(for_statement) @loop

(function_declaration name: (identifier) @function.name) @function
(method_declaration name: (field_identifier) @function.name) @function
(func_literal) @closure

; ----------------------------------------------------------------- hints

; `s = append(s, x)`.
(assignment_statement
  left: (expression_list . (identifier) @target .)
  operator: "="
  right: (expression_list
    .
    (call_expression
      function: (identifier) @callee (#eq? @callee "append")
      arguments: (argument_list . (identifier) @collection) @arguments)
    .)
  (#eq? @target @collection)) @hint.go-append-without-prealloc

; `s += x`, `s = s + x` on a string.
(assignment_statement
  left: (expression_list . (identifier) @target .)
  operator: "+=") @hint.go-string-concat-in-loop
(assignment_statement
  left: (expression_list . (identifier) @target .)
  operator: "="
  right: (expression_list . (binary_expression operator: "+") @sum .)) @hint.go-string-concat-in-loop

; `regexp.MustCompile("...")` and the package functions that compile their pattern.
(call_expression
  function: (selector_expression
    operand: (identifier) @package (#eq? @package "regexp")
    field: (field_identifier) @callee
      (#any-of? @callee "Compile" "MustCompile" "CompilePOSIX" "MustCompilePOSIX" "MatchString" "Match" "MatchReader"))
  arguments: (argument_list
    .
    [(interpreted_string_literal) (raw_string_literal)] @pattern)) @hint.go-regexp-compile-in-loop

(defer_statement) @hint.go-defer-in-loop

; `fmt.Sprintf("%d", n)`, `fmt.Sprintf("%s", s)`.
(call_expression
  function: (selector_expression
    operand: (identifier) @package (#eq? @package "fmt")
    field: (field_identifier) @callee (#eq? @callee "Sprintf"))
  arguments: (argument_list
    .
    (interpreted_string_literal) @format (#any-of? @format "\"%d\"" "\"%s\"")
    .
    (_) @argument
    .)) @hint.go-sprintf-in-loop

; `sort.Ints(xs)`, `sort.Slice(xs, less)`, `slices.Sort(xs)`...
(call_expression
  function: (selector_expression
    operand: (identifier) @package (#eq? @package "sort")
    field: (field_identifier) @callee (#any-of? @callee "Ints" "Strings" "Float64s" "Slice" "SliceStable"))
  arguments: (argument_list . (identifier) @collection)) @hint.go-sort-in-loop
(call_expression
  function: (selector_expression
    operand: (identifier) @package (#eq? @package "slices")
    field: (field_identifier) @callee (#any-of? @callee "Sort" "SortFunc" "SortStableFunc"))
  arguments: (argument_list . (identifier) @collection)) @hint.go-sort-in-loop

; `slices.Contains(xs, x)`, `slices.Index(xs, x)`.
(call_expression
  function: (selector_expression
    operand: (identifier) @package (#eq? @package "slices")
    field: (field_identifier) @callee (#any-of? @callee "Contains" "Index"))
  arguments: (argument_list . (identifier) @collection . (_) .)) @hint.go-slice-contains-in-loop

; `if _, ok := m[k]; ok { ... m[k] ... }`.
(if_statement
  initializer: (short_var_declaration
    left: (expression_list . (identifier) @value . (identifier) @ok .)
    right: (expression_list . (index_expression operand: (identifier) @map index: (_) @key) .)) @hint.go-repeated-key-lookup
  condition: (_) @condition
  consequence: (block) @consequence)

; Every loop: is it an inner loop over the slice of an outer one?
(for_statement) @hint.go-nested-loop-same-collection
