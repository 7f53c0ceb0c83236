//! gongkai-cases
