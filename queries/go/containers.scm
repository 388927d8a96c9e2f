; Go has no lexical containers for functions: a method names its type in its
; receiver, which functions.scm captures as @function.receiver.
