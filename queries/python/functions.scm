; Functions and methods, including nested and async ones.
(function_definition
  name: (identifier) @function.name
  parameters: (parameters) @function.parameters
  return_type: (_)? @function.return_type
  body: (block) @function.body) @function.around
