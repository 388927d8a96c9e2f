//! Unit tests of the classifier live in server/tests/routing_classify.rs (real code per language).
