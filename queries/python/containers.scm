(class_definition
  name: (identifier) @container.name) @container.around
