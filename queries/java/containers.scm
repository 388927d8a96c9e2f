(class_declaration name: (identifier) @container.name) @container.around
(interface_declaration name: (identifier) @container.name) @container.around
(enum_declaration name: (identifier) @container.name) @container.around
(record_declaration name: (identifier) @container.name) @container.around
