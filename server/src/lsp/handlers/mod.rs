//! One file per LSP area. Handlers take the session and LSP params, and
//! return LSP results; they do not await requests to the client.

pub(crate) mod code_action;
pub(crate) mod documents;
pub(crate) mod execute_command;
pub(crate) mod lifecycle;
pub(crate) mod workspace;
