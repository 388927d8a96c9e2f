; Methods with a body (abstract and interface methods have none) and constructors.
(method_declaration
  type: (_) @function.return_type
  name: (identifier) @function.name
  parameters: (formal_parameters) @function.parameters
  body: (block) @function.body) @function.around

(constructor_declaration
  name: (identifier) @function.name
  parameters: (formal_parameters) @function.parameters
  body: (constructor_body) @function.body) @function.around

(compact_constructor_declaration
  name: (identifier) @function.name
  body: (block) @function.body) @function.around
