; Function definitions with a body: free functions, methods defined in or out
; of their class (`Foo::bar`), templates, operators. The declarator may be
; wrapped by a pointer or reference declarator for `T* f()` and `T& f()`.
(function_definition
  type: (_)? @function.return_type
  declarator: [
    (function_declarator
      declarator: (_) @function.name
      parameters: (parameter_list) @function.parameters)
    (pointer_declarator
      declarator: (function_declarator
        declarator: (_) @function.name
        parameters: (parameter_list) @function.parameters))
    (reference_declarator
      (function_declarator
        declarator: (_) @function.name
        parameters: (parameter_list) @function.parameters))
  ]
  body: (compound_statement) @function.body) @function.around
