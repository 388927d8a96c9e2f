(impl_item
  type: (_) @container.name
  body: (declaration_list)) @container.around
(trait_item
  name: (type_identifier) @container.name) @container.around
