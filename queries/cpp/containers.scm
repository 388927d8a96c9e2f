(class_specifier
  name: (_) @container.name
  body: (field_declaration_list)) @container.around
(struct_specifier
  name: (_) @container.name
  body: (field_declaration_list)) @container.around
(union_specifier
  name: (_) @container.name
  body: (field_declaration_list)) @container.around
