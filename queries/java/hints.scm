; Static performance hints: candidate sites. The Rust predicates in
; server/src/analysis/hints/ decide which candidates are reported.
; Captures: see queries/python/hints.scm (@hint.<id>, @loop, @loop.once,
; @function, @function.name, @closure, and named nodes for the predicates).

; ---------------------------------------------------------------- frames

(for_statement init: (_)? @loop.once) @loop
(enhanced_for_statement value: (_) @loop.once) @loop
(while_statement) @loop
(do_statement) @loop

(method_declaration name: (identifier) @function.name) @function
(constructor_declaration name: (identifier) @function.name) @function
(lambda_expression) @closure

; ----------------------------------------------------------------- hints

; `s += x`, `s = s + x` on a String.
(assignment_expression left: (identifier) @target operator: "+=") @hint.java-string-concat-in-loop
(assignment_expression
  left: (identifier) @target
  operator: "="
  right: (binary_expression operator: "+") @sum) @hint.java-string-concat-in-loop

; Arithmetic on a boxed local: `total += x`, `count++`, `total = total + x`.
(assignment_expression left: (identifier) @target) @hint.java-boxing-in-loop
(update_expression (identifier) @target) @hint.java-boxing-in-loop

; `list.contains(x)`, `list.indexOf(x)`, `this.list.contains(x)`.
(method_invocation
  object: (identifier) @collection
  name: (identifier) @method (#any-of? @method "contains" "indexOf" "lastIndexOf")
  arguments: (argument_list . (_) .)) @hint.java-list-contains-in-loop
(method_invocation
  object: (field_access object: (this) field: (identifier) @collection)
  name: (identifier) @method (#any-of? @method "contains" "indexOf" "lastIndexOf")
  arguments: (argument_list . (_) .)) @hint.java-list-contains-in-loop

; `list.remove(0)`, `list.add(0, x)`.
(method_invocation
  object: (identifier) @collection
  name: (identifier) @method (#eq? @method "remove")
  arguments: (argument_list . (decimal_integer_literal) @index .) (#eq? @index "0")) @hint.java-list-remove-front-in-loop
(method_invocation
  object: (identifier) @collection
  name: (identifier) @method (#eq? @method "add")
  arguments: (argument_list . (decimal_integer_literal) @index . (_) .) (#eq? @index "0")) @hint.java-list-remove-front-in-loop

; `list.get(i)`.
(method_invocation
  object: (identifier) @collection
  name: (identifier) @method (#eq? @method "get")
  arguments: (argument_list . (_) .)) @hint.java-linkedlist-get-in-loop

; `Pattern.compile("...")`, `Pattern.matches("...", s)`, and the String
; methods that compile their argument: `s.matches("...")`,
; `s.replaceAll("...", r)`, `s.replaceFirst("...", r)`, `s.split("...")`.
(method_invocation
  object: (identifier) @class (#eq? @class "Pattern")
  name: (identifier) @method (#any-of? @method "compile" "matches")
  arguments: (argument_list . (string_literal) @pattern)) @hint.java-regex-in-loop
(method_invocation
  name: (identifier) @method (#eq? @method "matches")
  arguments: (argument_list . (string_literal) @pattern .)) @hint.java-regex-in-loop
(method_invocation
  name: (identifier) @method (#any-of? @method "replaceAll" "replaceFirst")
  arguments: (argument_list . (string_literal) @pattern . (_) .)) @hint.java-regex-in-loop
(method_invocation
  name: (identifier) @method (#eq? @method "split")
  arguments: (argument_list . (string_literal) @pattern)) @hint.java-regex-in-loop

; `Collections.sort(list)`, `Arrays.sort(array)`, `list.sort(comparator)`.
(method_invocation
  object: (identifier) @class (#any-of? @class "Collections" "Arrays")
  name: (identifier) @method (#any-of? @method "sort" "parallelSort")
  arguments: (argument_list . (identifier) @collection)) @hint.java-sort-in-loop
(method_invocation
  object: (identifier) @collection
  name: (identifier) @method (#eq? @method "sort")
  arguments: (argument_list) @arguments) @hint.java-sort-in-loop

; Every loop: is it an inner loop over the collection of an outer one?
(enhanced_for_statement) @hint.java-nested-loop-same-collection
(for_statement) @hint.java-nested-loop-same-collection

; `if (map.containsKey(k)) ... map.get(k) ...`, negated, or as a conditional expression.
(if_statement
  condition: (parenthesized_expression
    (method_invocation
      object: (identifier) @map
      name: (identifier) @method (#eq? @method "containsKey")
      arguments: (argument_list . (_) @key .)) @hint.java-repeated-key-lookup)
  consequence: (_) @consequence)
(if_statement
  condition: (parenthesized_expression
    (unary_expression
      operator: "!"
      operand: (method_invocation
        object: (identifier) @map
        name: (identifier) @method (#eq? @method "containsKey")
        arguments: (argument_list . (_) @key .))) @hint.java-repeated-key-lookup)
  consequence: (_) @consequence)
(ternary_expression
  condition: (method_invocation
    object: (identifier) @map
    name: (identifier) @method (#eq? @method "containsKey")
    arguments: (argument_list . (_) @key .)) @hint.java-repeated-key-lookup
  consequence: (_) @consequence)
