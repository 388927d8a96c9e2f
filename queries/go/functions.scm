(function_declaration
  name: (identifier) @function.name
  parameters: (parameter_list) @function.parameters
  result: (_)? @function.return_type
  body: (block) @function.body) @function.around

(method_declaration
  receiver: (parameter_list) @function.receiver
  name: (field_identifier) @function.name
  parameters: (parameter_list) @function.parameters
  result: (_)? @function.return_type
  body: (block) @function.body) @function.around
