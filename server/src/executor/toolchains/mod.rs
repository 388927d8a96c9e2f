//! One adapter per language.

pub mod cpp;
pub mod go;
pub mod java;
pub mod python;
pub mod rust;
