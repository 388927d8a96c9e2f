use super::error::DiscoveryError;
use super::report::SuiteReport;
use super::run::RunContext;
use super::{DiscoveredTests, Target, TestSuite};

#[derive(Clone, Debug)]
pub(crate) struct GoSuite;

pub(crate) fn discover(_target: &Target, _found: &mut DiscoveredTests) {}

pub(crate) fn run(
    _context: &RunContext,
    _suites: &[&TestSuite],
) -> Result<Vec<SuiteReport>, DiscoveryError> {
    Ok(Vec::new())
}
