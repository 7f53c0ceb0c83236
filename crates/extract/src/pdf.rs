//! Text PDFs → the neutral document shape.
//!
//! The PDF engine (pdf_oxide) only gives us glyphs with boxes and the page's path
//! segments; everything else is rebuilt here: ruled tables from the grid of
//! horizontal and vertical rules (a rule missing inside the grid means a merged
//! cell), text outside tables as paragraphs in reading order.
//!
//! Every engine call runs on a worker thread inside `catch_unwind`, with page,
//! glyph and time budgets, so a hostile or broken file can neither panic through
//! nor hang the caller.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::doc::{Document, Table, TableCell};
use crate::error::ReadError;

/// Largest PDF we accept, in bytes.
pub const MAX_BYTES: usize = 200 * 1024 * 1024;
/// Pages read at most; an annual report has a handful.
pub const MAX_PAGES: usize = 500;
/// Glyphs read at most over the whole document.
pub const MAX_GLYPHS: usize = 2_000_000;
/// Wall-clock budget for one document.
pub const TIME_LIMIT: Duration = Duration::from_secs(60);
/// Past this many rules on a page it is a drawing, not a table: skip the grid.
const MAX_RULES_PER_PAGE: usize = 4_000;

const FORMAT: &str = "PDF";

/// Read a text PDF into paragraphs and tables.
pub fn read_pdf(bytes: &[u8]) -> Result<Document, ReadError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReadError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(ReadError::TooLarge {
            detail: format!(
                "PDF 文件大小 {} MB，超过 {} MB 的上限",
                bytes.len() / (1024 * 1024),
                MAX_BYTES / (1024 * 1024)
            ),
        });
    }
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(corrupt("缺少 PDF 文件头（%PDF-）"));
    }
    // The engine rebuilds broken files from what is left; a cut-off download would
    // then read as a shorter report and lose its tables without a word.
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(corrupt(
            "文件不完整（缺少结尾标记 %%EOF），可能下载中断，请重新下载",
        ));
    }

    // The engine's object parser recurses per nesting level: refuse what would overflow it.
    if let Some((limit, depth)) = crate::pdf_guard::too_deep(bytes) {
        return Err(too_deep(limit, depth));
    }
    let owned = bytes.to_vec();
    let (tx, rx) = mpsc::channel();
    let deadline = Instant::now() + TIME_LIMIT;
    let spawned = std::thread::Builder::new()
        .name("gongkai-pdf".into())
        // Deeply nested objects recurse in the engine: give it room.
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(|| read_pages(owned, deadline)))
                .unwrap_or_else(|_| Err(corrupt("解析时遇到无法处理的内部结构")));
            let _ = tx.send(result);
        });
    if spawned.is_err() {
        return Err(ReadError::TooLarge {
            detail: "无法启动 PDF 解析线程".into(),
        });
    }
    // Wait a little past the deadline: the worker checks it between pages.
    let pages = match rx.recv_timeout(TIME_LIMIT + Duration::from_secs(5)) {
        Ok(r) => r?,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            return Err(ReadError::TooLarge {
                detail: format!("PDF 解析超过 {} 秒仍未完成", TIME_LIMIT.as_secs()),
            });
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            return Err(corrupt("解析时遇到无法处理的内部结构"));
        }
    };
    // Layout is our own code, but a bug there must not take the caller down either.
    catch_unwind(AssertUnwindSafe(|| layout_document(&pages)))
        .unwrap_or_else(|_| Err(corrupt("版面分析失败")))
}

fn too_deep(limit: usize, depth: usize) -> ReadError {
    ReadError::TooLarge {
        detail: format!(
            "PDF 内部对象嵌套过深（超过 {limit} 层，实际至少 {depth} 层），可能是损坏或恶意构造的文件"
        ),
    }
}

fn corrupt(detail: &str) -> ReadError {
    ReadError::corrupt(FORMAT, detail, "")
}

// ---------------------------------------------------------------------------
// Engine layer: glyphs and rules per page.

/// One glyph, in a y-down space (top < bottom), points.
#[derive(Debug, Clone, Copy)]
struct Glyph {
    ch: char,
    x0: f32,
    x1: f32,
    top: f32,
    bottom: f32,
    size: f32,
}

impl Glyph {
    fn cx(&self) -> f32 {
        (self.x0 + self.x1) / 2.0
    }
    fn cy(&self) -> f32 {
        (self.top + self.bottom) / 2.0
    }
}

/// An axis-aligned rule in y-down space. Horizontal: `pos` is y, `a..b` spans x.
#[derive(Debug, Clone, Copy)]
struct Rule {
    pos: f32,
    a: f32,
    b: f32,
}

#[derive(Debug, Default)]
struct Page {
    glyphs: Vec<Glyph>,
    hrules: Vec<Rule>,
    vrules: Vec<Rule>,
}

fn read_pages(bytes: Vec<u8>, deadline: Instant) -> Result<Vec<Page>, ReadError> {
    use pdf_oxide::document::PdfDocument;

    let doc = PdfDocument::from_bytes(bytes).map_err(|e| engine_error(&e.to_string()))?;
    if doc.is_encrypted() {
        // Most "encrypted" government PDFs only carry an owner password: the empty
        // user password opens them.
        match doc.authenticate(b"") {
            Ok(true) => {}
            _ => {
                return Err(ReadError::Unsupported {
                    format: "加密的 PDF".into(),
                    fix: "请用 PDF 阅读器输入密码打开后另存（或打印）为未加密的 PDF，或向发布机关索取未加密的版本"
                        .into(),
                });
            }
        }
    }
    let count = doc.page_count().map_err(|e| engine_error(&e.to_string()))?;
    if count == 0 {
        return Err(corrupt("文件中没有任何页面"));
    }
    if count > MAX_PAGES {
        return Err(ReadError::TooLarge {
            detail: format!("PDF 共 {count} 页，超过 {MAX_PAGES} 页的上限"),
        });
    }
    let mut pages = Vec::with_capacity(count);
    let mut total = 0usize;
    for index in 0..count {
        if Instant::now() > deadline {
            return Err(ReadError::TooLarge {
                detail: format!("PDF 解析超过 {} 秒仍未完成", TIME_LIMIT.as_secs()),
            });
        }
        let mut page = Page::default();
        // The page's content as the engine decoded it (what it will interpret next,
        // kept in its cache): measured before it is parsed, whatever the file-level
        // scan made of the stream.
        if let Ok(content) = doc.get_page_content_data(index)
            && let Some(depth) = crate::pdf_guard::content_too_deep(&content)
        {
            return Err(too_deep(crate::pdf_guard::MAX_CONTENT_NESTING, depth));
        }
        // A page the engine cannot read is left empty rather than failing the file.
        if let Ok(chars) = doc.extract_chars(index) {
            total += chars.len();
            if total > MAX_GLYPHS {
                return Err(ReadError::TooLarge {
                    detail: format!("PDF 文字超过 {MAX_GLYPHS} 个字符的上限"),
                });
            }
            page.glyphs.reserve(chars.len());
            for c in &chars {
                if let Some(g) = to_glyph(c) {
                    page.glyphs.push(g);
                }
            }
        }
        if let Ok(paths) = doc.extract_paths(index) {
            for p in &paths {
                collect_rules(p, &mut page);
                if page.hrules.len() + page.vrules.len() > MAX_RULES_PER_PAGE {
                    break;
                }
            }
        }
        pages.push(page);
    }
    Ok(pages)
}

fn engine_error(msg: &str) -> ReadError {
    let lower = msg.to_ascii_lowercase();
    if lower.contains("encrypt") || lower.contains("password") {
        return ReadError::Unsupported {
            format: "加密的 PDF".into(),
            fix: "请用 PDF 阅读器输入密码打开后另存（或打印）为未加密的 PDF，或向发布机关索取未加密的版本"
                .into(),
        };
    }
    // The engine's words are for a support request, not the clerk: kept apart.
    let short: String = msg.chars().take(300).collect();
    ReadError::corrupt(FORMAT, "无法解析文件结构，文件可能已损坏或不完整", short)
}

fn finite(v: f32) -> bool {
    v.is_finite() && v.abs() < 1.0e6
}

fn to_glyph(c: &pdf_oxide::layout::TextChar) -> Option<Glyph> {
    if c.char.is_whitespace() || c.char.is_control() || c.char == '\u{FFFD}' {
        return None;
    }
    let b = &c.bbox;
    if !(finite(b.x) && finite(b.y) && finite(b.width) && finite(b.height)) {
        return None;
    }
    // pdf_oxide reports boxes in PDF user space (y up): flip to y down.
    let (x0, x1) = (b.x.min(b.x + b.width), b.x.max(b.x + b.width));
    let (y0, y1) = (b.y.min(b.y + b.height), b.y.max(b.y + b.height));
    let size = if finite(c.font_size) && c.font_size > 0.5 {
        c.font_size.min(200.0)
    } else {
        (y1 - y0).max(1.0)
    };
    Some(Glyph {
        ch: c.char,
        x0,
        x1,
        top: -y1,
        bottom: -y0,
        size,
    })
}

/// Thickest a filled rectangle may be and still count as a rule.
const RULE_THICKNESS: f32 = 3.0;
/// Shortest segment that counts as a rule.
const MIN_RULE: f32 = 2.0;

fn collect_rules(p: &pdf_oxide::elements::PathContent, page: &mut Page) {
    use pdf_oxide::elements::PathOperation as Op;
    let stroked = p.stroke_color.is_some();
    let filled = p.fill_color.is_some();
    // White fills are invisible backgrounds (WPS paints one behind every text
    // line): their edges are no rules.
    let white = p
        .fill_color
        .is_some_and(|c| c.r >= 0.95 && c.g >= 0.95 && c.b >= 0.95);
    if !stroked && (!filled || white) {
        return;
    }
    let mut push_rect = |x: f32, y: f32, w: f32, h: f32, page: &mut Page| {
        if !(finite(x) && finite(y) && finite(w) && finite(h)) {
            return;
        }
        let (x0, x1) = (x.min(x + w), x.max(x + w));
        let (t, b) = (-(y.max(y + h)), -(y.min(y + h)));
        let (w, h) = (x1 - x0, b - t);
        if h <= RULE_THICKNESS && w >= MIN_RULE {
            page.hrules.push(Rule {
                pos: (t + b) / 2.0,
                a: x0,
                b: x1,
            });
        } else if w <= RULE_THICKNESS && h >= MIN_RULE {
            page.vrules.push(Rule {
                pos: (x0 + x1) / 2.0,
                a: t,
                b,
            });
        } else if w >= MIN_RULE && h >= MIN_RULE {
            // A stroked box, or a filled cell background: its four edges are rules.
            page.hrules.push(Rule {
                pos: t,
                a: x0,
                b: x1,
            });
            page.hrules.push(Rule {
                pos: b,
                a: x0,
                b: x1,
            });
            page.vrules.push(Rule { pos: x0, a: t, b });
            page.vrules.push(Rule { pos: x1, a: t, b });
        }
    };
    // Points of the current subpath, for filled polygons drawn with m/l/h.
    let mut sub: Vec<(f32, f32)> = Vec::new();
    let flush = |sub: &mut Vec<(f32, f32)>,
                 page: &mut Page,
                 push: &mut dyn FnMut(f32, f32, f32, f32, &mut Page)| {
        if sub.len() >= 2 {
            if stroked {
                for w in sub.windows(2) {
                    push_segment(w[0], w[1], page);
                }
            } else if sub.len() >= 3 {
                // A filled thin quad: its bounding box is the rule.
                let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
                for &(x, y) in sub.iter() {
                    x0 = x0.min(x);
                    x1 = x1.max(x);
                    y0 = y0.min(y);
                    y1 = y1.max(y);
                }
                let (w, h) = (x1 - x0, y1 - y0);
                if w <= RULE_THICKNESS || h <= RULE_THICKNESS {
                    push(x0, y0, w, h, page);
                }
            }
        }
        sub.clear();
    };
    for op in &p.operations {
        match *op {
            Op::MoveTo(x, y) => {
                flush(&mut sub, page, &mut push_rect);
                sub.push((x, y));
            }
            Op::LineTo(x, y) => sub.push((x, y)),
            Op::CurveTo(_, _, _, _, x, y) => {
                // Curves are no rules: end the subpath at the curve's end.
                flush(&mut sub, page, &mut push_rect);
                sub.push((x, y));
            }
            Op::Rectangle(x, y, w, h) => {
                flush(&mut sub, page, &mut push_rect);
                push_rect(x, y, w, h, page);
            }
            Op::ClosePath => {
                if let Some(&first) = sub.first() {
                    sub.push(first);
                }
                flush(&mut sub, page, &mut push_rect);
            }
        }
    }
    flush(&mut sub, page, &mut push_rect);
}

fn push_segment((xa, ya): (f32, f32), (xb, yb): (f32, f32), page: &mut Page) {
    if !(finite(xa) && finite(ya) && finite(xb) && finite(yb)) {
        return;
    }
    let (dx, dy) = ((xb - xa).abs(), (yb - ya).abs());
    if dy <= 0.5 && dx >= MIN_RULE {
        page.hrules.push(Rule {
            pos: -(ya + yb) / 2.0,
            a: xa.min(xb),
            b: xa.max(xb),
        });
    } else if dx <= 0.5 && dy >= MIN_RULE {
        page.vrules.push(Rule {
            pos: (xa + xb) / 2.0,
            a: -ya.max(yb),
            b: -ya.min(yb),
        });
    }
}

// ---------------------------------------------------------------------------
// Layout: tables from rules, lines and paragraphs from the rest.

/// Rules closer than this are one rule; a glyph box may overhang a cell by it.
const SNAP: f32 = 2.0;

/// A table found on one page, before it is joined with its continuation.
#[derive(Debug)]
struct Grid {
    xs: Vec<f32>,
    ys: Vec<f32>,
    /// Cells as (row, col, row_span, col_span, text), row-major.
    cells: Vec<(usize, usize, usize, usize, String)>,
}

impl Grid {
    fn rows(&self) -> usize {
        self.ys.len().saturating_sub(1)
    }
}

/// One thing on a page in reading order.
enum Item {
    Line(Line),
    Table(Grid),
}

#[derive(Debug, Clone)]
struct Line {
    text: String,
    x0: f32,
    x1: f32,
    top: f32,
    bottom: f32,
    size: f32,
}

fn layout_document(pages: &[Page]) -> Result<Document, ReadError> {
    if pages.iter().all(|p| p.glyphs.is_empty()) {
        return Err(ReadError::Scanned);
    }
    let mut doc = Document::default();
    let mut para = ParagraphBuilder::default();
    // The previous page ended with this table (nothing after it but a page number).
    let mut open_table: Option<Grid> = None;
    for page in pages {
        let mut items = layout_page(page);
        drop_page_numbers(&mut items);
        let (left, right) = text_margins(&items);
        let count = items.len();
        for (i, item) in items.into_iter().enumerate() {
            match item {
                Item::Table(grid) => {
                    para.finish(&mut doc);
                    open_table = match open_table.take() {
                        Some(prev) => match join_grids(prev, grid) {
                            Ok(joined) => Some(joined),
                            Err((prev, grid)) => {
                                doc.table(to_table(&prev));
                                Some(grid)
                            }
                        },
                        None => Some(grid),
                    };
                    // Only a table that ends its page may continue on the next one.
                    if i + 1 < count {
                        if let Some(t) = open_table.take() {
                            doc.table(to_table(&t));
                        }
                    }
                }
                Item::Line(line) => {
                    if let Some(t) = open_table.take() {
                        doc.table(to_table(&t));
                    }
                    para.push(line, left, right, &mut doc);
                }
            }
        }
        para.page_break();
    }
    if let Some(t) = open_table.take() {
        doc.table(to_table(&t));
    }
    para.finish(&mut doc);
    Ok(doc)
}

fn layout_page(page: &Page) -> Vec<Item> {
    let mut grids = find_grids(page);
    // Glyphs go to the first table that contains their centre, else to free text.
    let mut free: Vec<Glyph> = Vec::with_capacity(page.glyphs.len());
    let mut per_grid: Vec<Vec<Glyph>> = vec![Vec::new(); grids.len()];
    'glyphs: for g in &page.glyphs {
        let (cx, cy) = (g.cx(), g.cy());
        for (k, grid) in grids.iter().enumerate() {
            let (x0, x1) = (grid.xs[0], grid.xs[grid.xs.len() - 1]);
            let (y0, y1) = (grid.ys[0], grid.ys[grid.ys.len() - 1]);
            if cx >= x0 - SNAP && cx <= x1 + SNAP && cy >= y0 - SNAP && cy <= y1 + SNAP {
                per_grid[k].push(*g);
                continue 'glyphs;
            }
        }
        free.push(*g);
    }
    let mut items: Vec<(f32, Item)> = Vec::new();
    for (grid, glyphs) in grids.iter_mut().zip(per_grid) {
        fill_cells(grid, glyphs);
    }
    for grid in grids {
        let top = grid.ys[0];
        items.push((top, Item::Table(grid)));
    }
    for line in make_lines(free) {
        items.push((line.top, Item::Line(line)));
    }
    items.sort_by(|a, b| a.0.total_cmp(&b.0));
    items.into_iter().map(|(_, it)| it).collect()
}

/// Merge rules on (nearly) the same position that touch or overlap.
fn merge_rules(mut rules: Vec<Rule>) -> Vec<Rule> {
    rules.sort_by(|p, q| p.pos.total_cmp(&q.pos).then(p.a.total_cmp(&q.a)));
    // Group by position first, then join overlapping spans inside each group.
    let mut out: Vec<Rule> = Vec::with_capacity(rules.len());
    let mut i = 0;
    while i < rules.len() {
        let mut j = i + 1;
        while j < rules.len() && rules[j].pos - rules[j - 1].pos <= SNAP / 2.0 {
            j += 1;
        }
        let group = &mut rules[i..j];
        let pos = group.iter().map(|r| r.pos).sum::<f32>() / group.len() as f32;
        group.sort_by(|p, q| p.a.total_cmp(&q.a));
        let mut cur = Rule {
            pos,
            a: group[0].a,
            b: group[0].b,
        };
        for r in group.iter().skip(1) {
            if r.a <= cur.b + SNAP {
                cur.b = cur.b.max(r.b);
            } else {
                out.push(cur);
                cur = Rule {
                    pos,
                    a: r.a,
                    b: r.b,
                };
            }
        }
        out.push(cur);
        i = j;
    }
    out
}

fn find_grids(page: &Page) -> Vec<Grid> {
    if page.hrules.len() + page.vrules.len() > MAX_RULES_PER_PAGE {
        return Vec::new();
    }
    let h = merge_rules(page.hrules.clone());
    let v = merge_rules(page.vrules.clone());
    if h.len() < 2 || v.len() < 2 {
        return Vec::new();
    }
    // Connected components of crossing/touching rules.
    let n = h.len() + v.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (i, hr) in h.iter().enumerate() {
        for (j, vr) in v.iter().enumerate() {
            let touches = vr.pos >= hr.a - SNAP
                && vr.pos <= hr.b + SNAP
                && hr.pos >= vr.a - SNAP
                && hr.pos <= vr.b + SNAP;
            if touches {
                let (a, b) = (find(&mut parent, i), find(&mut parent, h.len() + j));
                if a != b {
                    parent[a] = b;
                }
            }
        }
    }
    let mut groups: Vec<(Vec<Rule>, Vec<Rule>)> = Vec::new();
    let mut index_of: Vec<Option<usize>> = vec![None; n];
    for i in 0..n {
        let root = find(&mut parent, i);
        let k = match index_of[root] {
            Some(k) => k,
            None => {
                groups.push((Vec::new(), Vec::new()));
                index_of[root] = Some(groups.len() - 1);
                groups.len() - 1
            }
        };
        if i < h.len() {
            groups[k].0.push(h[i]);
        } else {
            groups[k].1.push(v[i - h.len()]);
        }
    }
    let mut grids: Vec<Grid> = groups
        .into_iter()
        .filter(|(hs, vs)| hs.len() >= 2 && vs.len() >= 2)
        .filter_map(|(hs, vs)| build_grid(&hs, &vs))
        .collect();
    grids.sort_by(|a, b| a.ys[0].total_cmp(&b.ys[0]));
    grids
}

/// Sorted positions, with positions closer than `SNAP` merged.
fn cluster(mut v: Vec<f32>) -> Vec<f32> {
    v.sort_by(|a, b| a.total_cmp(b));
    let mut out: Vec<f32> = Vec::new();
    let mut group: Vec<f32> = Vec::new();
    for x in v {
        if let Some(&last) = group.last()
            && x - last > SNAP
        {
            out.push(group.iter().sum::<f32>() / group.len() as f32);
            group.clear();
        }
        group.push(x);
    }
    if !group.is_empty() {
        out.push(group.iter().sum::<f32>() / group.len() as f32);
    }
    out
}

/// Does some rule at `pos` cover most of `from..to`?
fn covered(rules: &[Rule], pos: f32, from: f32, to: f32) -> bool {
    let need = (to - from) * 0.5;
    let mut have = 0.0;
    for r in rules {
        if (r.pos - pos).abs() <= SNAP {
            let overlap = r.b.min(to) - r.a.max(from);
            if overlap > 0.0 {
                have += overlap;
            }
        }
    }
    have >= need
}

fn build_grid(hs: &[Rule], vs: &[Rule]) -> Option<Grid> {
    let mut xs: Vec<f32> = vs.iter().map(|r| r.pos).collect();
    let mut ys: Vec<f32> = hs.iter().map(|r| r.pos).collect();
    // Open sides: the ends of the rules close the grid.
    xs.push(hs.iter().map(|r| r.a).fold(f32::MAX, f32::min));
    xs.push(hs.iter().map(|r| r.b).fold(f32::MIN, f32::max));
    ys.push(vs.iter().map(|r| r.a).fold(f32::MAX, f32::min));
    ys.push(vs.iter().map(|r| r.b).fold(f32::MIN, f32::max));
    let xs = cluster(xs);
    let ys = cluster(ys);
    let (nc, nr) = (xs.len().saturating_sub(1), ys.len().saturating_sub(1));
    // One box is a frame around text, not a table.
    if nc == 0 || nr == 0 || nc * nr < 2 || nc * nr > 20_000 {
        return None;
    }
    // Union-find over grid slots: a missing rule between two slots merges them.
    let idx = |r: usize, c: usize| r * nc + c;
    let mut parent: Vec<usize> = (0..nr * nc).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let union = |parent: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (find(parent, a), find(parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    };
    for r in 0..nr {
        for c in 0..nc {
            if c + 1 < nc && !covered(vs, xs[c + 1], ys[r], ys[r + 1]) {
                union(&mut parent, idx(r, c), idx(r, c + 1));
            }
            if r + 1 < nr && !covered(hs, ys[r + 1], xs[c], xs[c + 1]) {
                union(&mut parent, idx(r, c), idx(r + 1, c));
            }
        }
    }
    // Each merged region becomes its bounding rectangle; slots already taken by
    // an earlier (top-left first) cell stay with it.
    let mut bounds: Vec<Option<(usize, usize, usize, usize)>> = vec![None; nr * nc];
    for r in 0..nr {
        for c in 0..nc {
            let root = find(&mut parent, idx(r, c));
            let b = bounds[root].get_or_insert((r, c, r, c));
            b.0 = b.0.min(r);
            b.1 = b.1.min(c);
            b.2 = b.2.max(r);
            b.3 = b.3.max(c);
        }
    }
    let mut taken = vec![false; nr * nc];
    let mut cells = Vec::new();
    for r in 0..nr {
        for c in 0..nc {
            if taken[idx(r, c)] {
                continue;
            }
            let root = find(&mut parent, idx(r, c));
            let (_, _, r1, c1) = bounds[root].unwrap_or((r, c, r, c));
            // Clip the region to free slots starting here.
            let mut c_end = c;
            while c_end < c1 && !taken[idx(r, c_end + 1)] {
                c_end += 1;
            }
            let mut r_end = r;
            'down: while r_end < r1 {
                for cc in c..=c_end {
                    if taken[idx(r_end + 1, cc)] {
                        break 'down;
                    }
                }
                r_end += 1;
            }
            for rr in r..=r_end {
                for cc in c..=c_end {
                    taken[idx(rr, cc)] = true;
                }
            }
            cells.push((r, c, r_end - r + 1, c_end - c + 1, String::new()));
        }
    }
    Some(Grid { xs, ys, cells })
}

fn fill_cells(grid: &mut Grid, glyphs: Vec<Glyph>) {
    let mut per_cell: Vec<Vec<Glyph>> = vec![Vec::new(); grid.cells.len()];
    let last_x = grid.xs.len() - 2;
    let last_y = grid.ys.len() - 2;
    for g in glyphs {
        let c = slot(&grid.xs, g.cx()).min(last_x);
        let r = slot(&grid.ys, g.cy()).min(last_y);
        if let Some(k) = grid
            .cells
            .iter()
            .position(|&(r0, c0, rs, cs, _)| r >= r0 && r < r0 + rs && c >= c0 && c < c0 + cs)
        {
            per_cell[k].push(g);
        }
    }
    for (cell, glyphs) in grid.cells.iter_mut().zip(per_cell) {
        let lines = make_lines(glyphs);
        let mut text = String::new();
        for line in &lines {
            join_text(&mut text, &line.text);
        }
        cell.4 = text;
    }
}

/// Index of the grid interval holding `v` (0 before the first boundary).
fn slot(bounds: &[f32], v: f32) -> usize {
    bounds
        .iter()
        .skip(1)
        .position(|&b| v < b)
        .unwrap_or(bounds.len().saturating_sub(2))
}

fn to_table(grid: &Grid) -> Table {
    let mut rows: Vec<Vec<TableCell>> = vec![Vec::new(); grid.rows()];
    for (r, _c, rs, cs, text) in &grid.cells {
        if let Some(row) = rows.get_mut(*r) {
            row.push(TableCell::spanning(text.clone(), *rs as u32, *cs as u32));
        }
    }
    Table { rows }
}

/// Join a table that ended one page with the one that starts the next, when
/// their columns line up. A grouping cell cut by the page break (a row label
/// spanning rows on both sides) is stitched back into one cell.
fn join_grids(a: Grid, b: Grid) -> Result<Grid, (Grid, Grid)> {
    let same = a.xs.len() == b.xs.len()
        && a.xs
            .iter()
            .zip(&b.xs)
            .all(|(p, q)| (p - q).abs() <= SNAP * 1.5);
    if !same {
        return Err((a, b));
    }
    let a_rows = a.rows();
    let last = a_rows.saturating_sub(1);
    let mut cells = a.cells;
    let mut ys = a.ys;
    // b's rows continue below a's last row.
    for (r, c, rs, cs, text) in b.cells {
        let mut merged = false;
        if r == 0 {
            if let Some(prev) = cells
                .iter_mut()
                .find(|(pr, pc, prs, pcs, _)| pr + prs - 1 == last && *pc == c && *pcs == cs)
            {
                let grouping = prev.2 > 1 || rs > 1;
                if grouping && !starts_new_item(&text) && !looks_numeric(&prev.4) {
                    prev.2 += rs;
                    join_text(&mut prev.4, &text);
                    merged = true;
                }
            }
        }
        if !merged {
            cells.push((r + a_rows, c, rs, cs, text));
        }
    }
    ys.extend(b.ys.into_iter().skip(1));
    cells.sort_by_key(|&(r, c, ..)| (r, c));
    Ok(Grid {
        xs: a.xs,
        ys,
        cells,
    })
}

/// Does a label begin a new numbered item (一、 （二） 3. 4、)?
fn starts_new_item(text: &str) -> bool {
    let t = text.trim_start();
    let mut chars = t.chars();
    match chars.next() {
        Some('（') | Some('(') => true,
        Some(c) if c.is_ascii_digit() || "一二三四五六七八九十".contains(c) => {
            let rest: String = chars.take(3).collect();
            rest.contains(['、', '.', '．']) || rest.starts_with(|c: char| c.is_ascii_digit())
        }
        _ => false,
    }
}

fn looks_numeric(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || ".,-+%".contains(c))
}

/// Group glyphs into lines (top to bottom), each sorted left to right.
fn make_lines(mut glyphs: Vec<Glyph>) -> Vec<Line> {
    if glyphs.is_empty() {
        return Vec::new();
    }
    glyphs.sort_by(|a, b| a.cy().total_cmp(&b.cy()));
    let mut groups: Vec<Vec<Glyph>> = Vec::new();
    let mut cur: Vec<Glyph> = Vec::new();
    let (mut sum_cy, mut max_size) = (0.0f32, 0.0f32);
    for g in glyphs {
        if !cur.is_empty() {
            let mean = sum_cy / cur.len() as f32;
            // Baselines of CJK glyphs and digits differ a little: allow about a third
            // of the font size.
            if g.cy() - mean > 0.4 * max_size.max(g.size) {
                groups.push(std::mem::take(&mut cur));
                sum_cy = 0.0;
                max_size = 0.0;
            }
        }
        sum_cy += g.cy();
        max_size = max_size.max(g.size);
        cur.push(g);
    }
    groups.push(cur);
    groups
        .into_iter()
        .map(|mut gs| {
            gs.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            line_from(&gs)
        })
        .collect()
}

fn line_from(gs: &[Glyph]) -> Line {
    let mut text = String::new();
    let mut prev: Option<&Glyph> = None;
    let mut kept: Vec<&Glyph> = Vec::with_capacity(gs.len());
    for g in gs {
        if let Some(p) = prev {
            // Fake bold: the same glyph printed twice a hair apart.
            if p.ch == g.ch && (g.x0 - p.x0).abs() < 0.3 * g.size.max(1.0) {
                continue;
            }
            let gap = g.x0 - p.x1;
            if !is_wide(p.ch) && !is_wide(g.ch) && gap > 0.15 * p.size.max(g.size) {
                text.push(' ');
            }
        }
        text.push(g.ch);
        kept.push(g);
        prev = Some(g);
    }
    let x0 = kept.iter().map(|g| g.x0).fold(f32::MAX, f32::min);
    let x1 = kept.iter().map(|g| g.x1).fold(f32::MIN, f32::max);
    let top = kept.iter().map(|g| g.top).fold(f32::MAX, f32::min);
    let bottom = kept.iter().map(|g| g.bottom).fold(f32::MIN, f32::max);
    let mut sizes: Vec<f32> = kept.iter().map(|g| g.size).collect();
    sizes.sort_by(|a, b| a.total_cmp(b));
    let size = sizes.get(sizes.len() / 2).copied().unwrap_or(10.0);
    Line {
        text,
        x0,
        x1,
        top,
        bottom,
        size,
    }
}

/// CJK ideographs, kana, full-width forms and CJK/general punctuation: text
/// where a space between glyphs is never meaningful.
fn is_wide(c: char) -> bool {
    let u = c as u32;
    (0x2000..=0x206F).contains(&u) || u >= 0x2E80
}

/// Append a wrapped line: a space only between two Latin words.
fn join_text(out: &mut String, next: &str) {
    if next.is_empty() {
        return;
    }
    if let (Some(a), Some(b)) = (out.chars().last(), next.chars().next())
        && !is_wide(a)
        && !is_wide(b)
        && a.is_alphanumeric()
        && b.is_alphanumeric()
    {
        out.push(' ');
    }
    out.push_str(next);
}

/// Page numbers (`-3-`, `- 3 -`, `第3页`, `3/6`) at the top or bottom of a page.
fn drop_page_numbers(items: &mut Vec<Item>) {
    fn is_page_number(t: &str) -> bool {
        let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        let core = t.trim_matches(|c: char| "-－—–·•".contains(c));
        let core = core.strip_prefix('第').unwrap_or(core);
        let core = core.strip_suffix('页').unwrap_or(core);
        let core = core.split(['/', '共']).next().unwrap_or(core);
        !core.is_empty() && core.len() <= 4 && core.chars().all(|c| c.is_ascii_digit())
    }
    if let Some(Item::Line(l)) = items.last()
        && is_page_number(&l.text)
    {
        items.pop();
    }
    if let Some(Item::Line(l)) = items.first()
        && is_page_number(&l.text)
    {
        items.remove(0);
    }
}

/// Left and right edges of the body text on a page.
fn text_margins(items: &[Item]) -> (f32, f32) {
    let mut left = f32::MAX;
    let mut right = f32::MIN;
    for it in items {
        if let Item::Line(l) = it {
            left = left.min(l.x0);
            right = right.max(l.x1);
        }
    }
    (left, right)
}

/// Joins the lines of running text into paragraphs: a line continues the
/// previous one when that one ran to the right margin and this one is not
/// indented and follows closely.
#[derive(Default)]
struct ParagraphBuilder {
    text: String,
    last: Option<Line>,
    last_right: f32,
    /// The last line is from an earlier page.
    across_page: bool,
}

impl ParagraphBuilder {
    fn push(&mut self, line: Line, left: f32, right: f32, doc: &mut Document) {
        let cont = match &self.last {
            Some(prev) => {
                let size = prev.size.max(line.size);
                let full = prev.x1 >= self.last_right - 2.0 * size;
                let flush_left = line.x0 <= left + 0.8 * size;
                let close = self.across_page
                    || (line.top - prev.bottom < 1.2 * size && line.top >= prev.top);
                let same_size = (prev.size - line.size).abs() <= 0.15 * size;
                full && flush_left && close && same_size
            }
            None => false,
        };
        if !cont {
            self.finish(doc);
        }
        join_text(&mut self.text, &line.text);
        self.last = Some(line);
        self.last_right = right;
        self.across_page = false;
    }

    fn page_break(&mut self) {
        self.across_page = true;
    }

    fn finish(&mut self, doc: &mut Document) {
        if !self.text.is_empty() {
            doc.paragraph(std::mem::take(&mut self.text));
        }
        self.last = None;
    }
}
