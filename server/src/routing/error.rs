//! Errors of the routing memory. Each names the file and what to do about it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum RoutingError {
    #[error("could not read the routing memory {}: {source}; check its permissions", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the routing memory {} is not valid ({detail}); fix the file or delete it to start over (perforch then ranks models by the PerfOrch priors alone)",
        path.display()
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "the routing memory {} has format version {found}, this perforch reads version {supported}; upgrade perforch or move the file aside",
        path.display()
    )]
    UnsupportedVersion {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("could not write the routing memory {}: {source}; check that its folder is writable", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
