//! gongkai-store
