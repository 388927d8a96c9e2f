; Static performance hints: candidate sites. The Rust predicates in
; server/src/analysis/hints/ decide which candidates are reported.
; Captures: see queries/python/hints.scm (@hint.<id>, @loop, @loop.once,
; @function, @function.name, @closure, and named nodes for the predicates).

; ---------------------------------------------------------------- frames

(for_statement initializer: (_)? @loop.once) @loop
(for_range_loop right: (_) @loop.once) @loop
(while_statement) @loop
(do_statement) @loop

(function_definition
  declarator: [
    (function_declarator declarator: (_) @function.name)
    (pointer_declarator declarator: (function_declarator declarator: (_) @function.name))
    (reference_declarator (function_declarator declarator: (_) @function.name))
  ]) @function
(lambda_expression) @closure

; ----------------------------------------------------------------- hints

; A container parameter taken by value, in a definition (the predicate
; checks that the body only reads it).
(function_definition
  declarator: (function_declarator
    parameters: (parameter_list
      (parameter_declaration type: (_) @type declarator: (identifier) @parameter) @hint.cpp-container-by-value)))
(function_definition
  declarator: (reference_declarator
    (function_declarator
      parameters: (parameter_list
        (parameter_declaration type: (_) @type declarator: (identifier) @parameter) @hint.cpp-container-by-value))))
(function_definition
  declarator: (pointer_declarator
    declarator: (function_declarator
      parameters: (parameter_list
        (parameter_declaration type: (_) @type declarator: (identifier) @parameter) @hint.cpp-container-by-value))))

; `v.push_back(x)`, `v.emplace_back(x)`.
(call_expression
  function: (field_expression
    argument: (identifier) @collection
    operator: "."
    field: (field_identifier) @method (#any-of? @method "push_back" "emplace_back"))) @hint.cpp-push-back-without-reserve

; `out << x << std::endl` (@chain is the stream expression before it).
(binary_expression
  left: (_) @chain
  operator: "<<"
  right: (qualified_identifier) @hint.cpp-endl-in-loop (#eq? @hint.cpp-endl-in-loop "std::endl"))
(binary_expression
  left: (_) @chain
  operator: "<<"
  right: (identifier) @hint.cpp-endl-in-loop (#eq? @hint.cpp-endl-in-loop "endl"))

; `s = s + x` on a string.
(assignment_expression
  left: (identifier) @target
  operator: "="
  right: (binary_expression operator: "+") @sum) @hint.cpp-string-concat-in-loop

; A std::regex declared, or built as a temporary.
(declaration
  type: (qualified_identifier) @type (#match? @type "^std::(w?regex|basic_regex<.*>)$")) @hint.cpp-regex-in-loop
(declaration
  type: (type_identifier) @type (#match? @type "^w?regex$")) @hint.cpp-regex-in-loop
(call_expression
  function: (qualified_identifier) @type (#match? @type "^std::w?regex$")) @hint.cpp-regex-in-loop
(compound_literal_expression
  type: (qualified_identifier) @type (#match? @type "^std::w?regex$")) @hint.cpp-regex-in-loop

; `std::find(v.begin(), v.end(), x)`, `std::count(...)`.
(call_expression
  function: (_) @callee (#match? @callee "^(std::)?(find|count)$")
  arguments: (argument_list
    .
    (call_expression
      function: (field_expression
        argument: (identifier) @collection
        field: (field_identifier) @begin (#any-of? @begin "begin" "cbegin")))
    .
    (call_expression
      function: (field_expression
        argument: (identifier) @collection.end
        field: (field_identifier) @end (#any-of? @end "end" "cend")))
    .
    (_)
    .)
  (#eq? @collection @collection.end)) @hint.cpp-linear-search-in-loop

; `std::sort(v.begin(), v.end())`, `std::ranges::sort(v)`.
(call_expression
  function: (_) @callee (#match? @callee "^(std::)?(stable_)?sort$")
  arguments: (argument_list
    .
    (call_expression
      function: (field_expression
        argument: (identifier) @collection
        field: (field_identifier) @begin (#eq? @begin "begin"))))) @hint.cpp-sort-in-loop
(call_expression
  function: (_) @callee (#match? @callee "^(std::)?ranges::(stable_)?sort$")
  arguments: (argument_list . (identifier) @collection)) @hint.cpp-sort-in-loop

; `if (m.count(k)) ... m[k]`, `if (m.find(k) != m.end()) ... m.at(k)`, `if (!m.contains(k))`.
(if_statement
  condition: (condition_clause
    value: (call_expression
      function: (field_expression
        argument: (identifier) @map
        field: (field_identifier) @method (#any-of? @method "count" "contains"))
      arguments: (argument_list . (_) @key .)) @hint.cpp-repeated-key-lookup)
  consequence: (_) @consequence)
(if_statement
  condition: (condition_clause
    value: (unary_expression
      operator: "!"
      argument: (call_expression
        function: (field_expression
          argument: (identifier) @map
          field: (field_identifier) @method (#any-of? @method "count" "contains"))
        arguments: (argument_list . (_) @key .))) @hint.cpp-repeated-key-lookup)
  consequence: (_) @consequence)
(if_statement
  condition: (condition_clause
    value: (binary_expression
      left: (call_expression
        function: (field_expression
          argument: (identifier) @map
          field: (field_identifier) @method (#any-of? @method "find" "count"))
        arguments: (argument_list . (_) @key .))
      operator: ["!=" "==" ">"]) @hint.cpp-repeated-key-lookup)
  consequence: (_) @consequence)

; `v.erase(v.begin())`, `v.insert(v.begin(), x)`.
(call_expression
  function: (field_expression
    argument: (identifier) @collection
    field: (field_identifier) @method (#eq? @method "erase"))
  arguments: (argument_list
    .
    (call_expression
      function: (field_expression
        argument: (identifier) @collection.begin
        field: (field_identifier) @begin (#eq? @begin "begin")))
    .)
  (#eq? @collection @collection.begin)) @hint.cpp-vector-erase-front-in-loop
(call_expression
  function: (field_expression
    argument: (identifier) @collection
    field: (field_identifier) @method (#eq? @method "insert"))
  arguments: (argument_list
    .
    (call_expression
      function: (field_expression
        argument: (identifier) @collection.begin
        field: (field_identifier) @begin (#eq? @begin "begin")))
    .
    (_)
    .)
  (#eq? @collection @collection.begin)) @hint.cpp-vector-erase-front-in-loop

; `strlen(s)` in a loop condition.
(for_statement
  condition: (binary_expression
    right: (call_expression
      function: (_) @callee (#match? @callee "^(std::)?strlen$")
      arguments: (argument_list . (identifier) @string .)) @hint.cpp-strlen-in-loop-condition))
(while_statement
  condition: (condition_clause
    value: (binary_expression
      right: (call_expression
        function: (_) @callee (#match? @callee "^(std::)?strlen$")
        arguments: (argument_list . (identifier) @string .)) @hint.cpp-strlen-in-loop-condition)))

; Every loop: is it an inner loop over the container of an outer one?
(for_range_loop) @hint.cpp-nested-loop-same-collection
(for_statement) @hint.cpp-nested-loop-same-collection
