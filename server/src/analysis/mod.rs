//! Pure functions over a document snapshot: which functions a file defines,
//! and which one the cursor is in. No IO, no LSP types: the CLI, the server
//! and the pipeline all call these.

mod doc_comment;
mod function_ref;
mod functions;
pub mod hints;
pub(crate) mod queries;
mod source;
mod stub;

pub use function_ref::{FindError, FunctionRef, qualified_name};
pub use functions::{ByteRange, Function, FunctionKind, function_at, functions, parameter_name};
pub use hints::{Hint, HintCache, HintInfo, hints};
