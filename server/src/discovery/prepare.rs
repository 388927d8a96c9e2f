use std::path::Path;
pub fn prepare_test_dependencies(_cache_dir: &Path) {}
