//! `gongkai render …` (filled in by the render work).

#[derive(clap::Args)]
pub struct RenderArgs {}

pub fn run_render(_args: &RenderArgs) -> u8 {
    2
}
