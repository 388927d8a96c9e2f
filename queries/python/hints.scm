; Static performance hints: candidate sites. The Rust predicates in
; server/src/analysis/hints/ decide which candidates are reported.
;
; Captures:
;   @hint.<id>      the site of hint <id> (its range is what is reported)
;   @loop           a loop; @loop.once is the part of it that runs once
;                   (the iterable), not on every iteration
;   @function       a named function (@function.name); @closure a lambda.
;                   Both end the search for an enclosing loop. No other
;                   capture may be called @loop, @function or @closure.
;   @report.start   where the reported range starts, if not at the site
;   anything else   a node the hint's predicate reads (@collection, @key...)

; ---------------------------------------------------------------- frames

(for_statement right: (_) @loop.once) @loop
(while_statement) @loop
; In a comprehension the first iterable is evaluated once.
(list_comprehension body: (_) . (for_in_clause right: (_) @loop.once)) @loop
(set_comprehension body: (_) . (for_in_clause right: (_) @loop.once)) @loop
(dictionary_comprehension body: (_) . (for_in_clause right: (_) @loop.once)) @loop
(generator_expression body: (_) . (for_in_clause right: (_) @loop.once)) @loop

(function_definition name: (identifier) @function.name) @function
(lambda) @closure

; ----------------------------------------------------------------- hints

; `x in names` where names is a list.
(comparison_operator
  operators: ["in" "not in"]
  (identifier) @collection) @hint.py-list-membership-in-loop

; `names.count(x)`, `names.index(x)` on a list.
(call
  function: (attribute
    object: (identifier) @collection
    attribute: (identifier) @method (#any-of? @method "count" "index"))
  arguments: (argument_list . (_))) @hint.py-list-scan-in-loop

; `s += part`, `s = s + part`, `s = part + s` on a string.
(augmented_assignment left: (identifier) @target operator: "+=") @hint.py-str-concat-in-loop
(assignment
  left: (identifier) @target
  right: (binary_operator operator: "+") @sum) @hint.py-str-concat-in-loop

; `items = items + [x]` on a list.
(assignment
  left: (identifier) @target
  right: (binary_operator operator: "+") @sum) @hint.py-list-concat-in-loop

; `items.sort()`, `sorted(items)`.
(call
  function: (attribute
    object: (identifier) @collection
    attribute: (identifier) @method (#eq? @method "sort"))) @hint.py-sort-in-loop
(call
  function: (identifier) @callee (#eq? @callee "sorted")
  arguments: (argument_list . (identifier) @collection)) @hint.py-sort-in-loop

; `sorted(items)[0]`, `sorted(items)[-1]`.
(subscript
  value: (call function: (identifier) @callee (#eq? @callee "sorted")
    arguments: (argument_list) @arguments)
  subscript: [(integer) (unary_operator)] @index) @hint.py-sorted-for-min-max

; Every loop: is it an inner loop over the collection of an outer one?
(for_statement) @hint.py-nested-loop-same-collection

; `if key in table: ... table[key] ...`
(if_statement
  condition: (comparison_operator
    (_) @key
    operators: ["in" "not in"]
    (identifier) @map) @hint.py-repeated-key-lookup
  consequence: (block) @consequence)

; `queue.pop(0)`, `items.insert(0, x)`.
(call
  function: (attribute
    object: (identifier) @collection
    attribute: (identifier) @method (#any-of? @method "pop" "insert"))
  arguments: (argument_list . (integer) @index (#eq? @index "0"))) @hint.py-list-pop-front

; `sum(lists, [])`, `sum(lists, start=[])`.
(call
  function: (identifier) @callee (#eq? @callee "sum")
  arguments: (argument_list (_) . (list) @start .)) @hint.py-sum-list-concat
(call
  function: (identifier) @callee (#eq? @callee "sum")
  arguments: (argument_list
    (keyword_argument name: (identifier) @keyword (#eq? @keyword "start") value: (list) @start))) @hint.py-sum-list-concat
