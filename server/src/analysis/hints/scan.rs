//! One pass of `queries/<lang>/hints.scm` over a document: the candidate
//! sites of every hint, and the frames (loops, functions, closures) that
//! enclose them.
//!
//! Queries cannot say "somewhere inside a loop", so frames are matched as
//! patterns of their own and attached to sites by a sweep over byte offsets:
//! syntax nodes nest, so a stack of open frames is all it takes, and the
//! whole pass stays linear in the number of matches.

use std::cmp::Reverse;
use std::collections::HashMap;

use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, Query, QueryCursor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FrameKind {
    Loop,
    /// A named function or method: where a hint's enclosing function comes from.
    Function,
    /// A lambda or closure: it may run any number of times, so a loop outside
    /// it says nothing about how often its body runs.
    Closure,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Frame<'t> {
    pub kind: FrameKind,
    pub node: Node<'t>,
    /// The part of a loop evaluated once, before the first iteration (the
    /// iterable of a for-each loop, the initialiser of a C-style loop).
    pub once: Option<Node<'t>>,
    pub name: Option<Node<'t>>,
}

/// A candidate: the node a hint would be reported on, and the nodes its
/// query pattern captured.
#[derive(Clone, Debug)]
pub(super) struct Site<'t> {
    pub id: &'static str,
    pub node: Node<'t>,
    captures: Vec<(&'static str, Node<'t>)>,
    /// Indices into the frames, innermost first, of every frame that
    /// strictly encloses the site.
    pub enclosing: Vec<usize>,
}

impl<'t> Site<'t> {
    pub fn capture(&self, name: &str) -> Option<Node<'t>> {
        self.captures
            .iter()
            .find(|(capture, _)| *capture == name)
            .map(|(_, node)| *node)
    }
}

pub(super) struct Scan<'t> {
    pub frames: Vec<Frame<'t>>,
    pub sites: Vec<Site<'t>>,
}

/// Runs the hints query over the whole tree.
pub(super) fn scan<'t>(
    query: &'static Query,
    cursor: &mut QueryCursor,
    root: Node<'t>,
    source: &'t str,
) -> Scan<'t> {
    let names = query.capture_names();
    let mut frames: Vec<Frame<'t>> = Vec::new();
    let mut frame_index: HashMap<usize, usize> = HashMap::new();
    let mut sites = Vec::new();

    let mut matches = cursor.matches(query, root, source.as_bytes());
    while let Some(found) = matches.next() {
        let mut frame: Option<Frame<'t>> = None;
        let mut site: Option<(&'static str, Node<'t>)> = None;
        let mut captures = Vec::new();
        for capture in found.captures {
            let name: &'static str = names[capture.index as usize];
            let node = capture.node;
            match name {
                "loop" => frame = Some(new_frame(FrameKind::Loop, node)),
                "function" => frame = Some(new_frame(FrameKind::Function, node)),
                "closure" => frame = Some(new_frame(FrameKind::Closure, node)),
                _ => {
                    if let Some(id) = name.strip_prefix("hint.") {
                        site = Some((id, node));
                    } else {
                        captures.push((name, node));
                    }
                }
            }
        }
        if let Some(mut frame) = frame {
            frame.once = captures
                .iter()
                .find(|(name, _)| *name == "loop.once")
                .map(|(_, node)| *node);
            frame.name = captures
                .iter()
                .find(|(name, _)| *name == "function.name")
                .map(|(_, node)| *node);
            // Several patterns may describe one loop (Go's three `for` forms):
            // keep one frame per node, with whatever each pattern learned.
            match frame_index.get(&frame.node.id()) {
                Some(&index) => {
                    let known = &mut frames[index];
                    known.once = known.once.or(frame.once);
                    known.name = known.name.or(frame.name);
                }
                None => {
                    frame_index.insert(frame.node.id(), frames.len());
                    frames.push(frame);
                }
            }
        } else if let Some((id, node)) = site {
            sites.push(Site {
                id,
                node,
                captures,
                enclosing: Vec::new(),
            });
        }
    }

    attach_frames(&mut frames, &mut sites);
    Scan { frames, sites }
}

fn new_frame(kind: FrameKind, node: Node<'_>) -> Frame<'_> {
    Frame {
        kind,
        node,
        once: None,
        name: None,
    }
}

/// Sorts frames and sites in document order (outer before inner at the same
/// start) and records, for every site, the frames around it.
fn attach_frames(frames: &mut [Frame<'_>], sites: &mut [Site<'_>]) {
    let order = |node: &Node| (node.start_byte(), Reverse(node.end_byte()));
    frames.sort_by_key(|frame| order(&frame.node));
    sites.sort_by_key(|site| order(&site.node));

    let mut open: Vec<usize> = Vec::new();
    let mut next = 0;
    for site in sites.iter_mut() {
        let (start, end) = (site.node.start_byte(), site.node.end_byte());
        while next < frames.len() && order(&frames[next].node) <= order(&site.node) {
            let frame_start = frames[next].node.start_byte();
            while open
                .last()
                .is_some_and(|&top| frames[top].node.end_byte() <= frame_start)
            {
                open.pop();
            }
            open.push(next);
            next += 1;
        }
        while open.last().is_some_and(|&top| {
            let frame = &frames[top].node;
            !(frame.start_byte() <= start && end <= frame.end_byte())
        }) {
            open.pop();
        }
        site.enclosing = open
            .iter()
            .rev()
            .copied()
            .filter(|&index| frames[index].node.id() != site.node.id())
            .collect();
    }
}
