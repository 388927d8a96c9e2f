; Free functions, associated functions and methods, and trait default
; methods. Trait method signatures without a body are not captured.
(function_item
  name: (identifier) @function.name
  parameters: (parameters) @function.parameters
  return_type: (_)? @function.return_type
  body: (block) @function.body) @function.around
