//! gongkai-render
