//! gongkai-report
