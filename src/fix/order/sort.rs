//! The topological sort of the plan graph: Kahn's algorithm with the report's order as the
//! tie-break, weak edges dropped inside cycles (Tarjan), strong cycles reported.

use std::collections::BTreeSet;

use super::Strength;

/// A topological order (the lowest index first among those ready), and the plans left in
/// cycles. Weak edges that stand in the way of progress are dropped from `edges`.
pub(super) fn sort(edges: &mut [Vec<(usize, Strength)>]) -> (Vec<usize>, BTreeSet<usize>) {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let n = edges.len();
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let mut cyclic = BTreeSet::new();
    let mut waiting = vec![0usize; n];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (p, es) in edges.iter().enumerate() {
        waiting[p] = es.len();
        for (q, _) in es {
            dependents[*q].push(p);
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> =
        (0..n).filter(|&p| waiting[p] == 0).map(Reverse).collect();
    loop {
        while let Some(Reverse(p)) = ready.pop() {
            if done[p] {
                continue;
            }
            done[p] = true;
            order.push(p);
            for &d in &dependents[p] {
                waiting[d] -= 1;
                if waiting[d] == 0 {
                    ready.push(Reverse(d));
                }
            }
        }
        let left: Vec<usize> = (0..n).filter(|&p| !done[p]).collect();
        if left.is_empty() {
            break;
        }
        // Stuck: in each cycle (a strongly connected part of what is left), drop the weak
        // edges; a part with none is a cycle of strong edges, and its plans go last.
        let mut parts = cycles(edges, &done);
        if parts.is_empty() {
            // Cannot happen (what is left waits on what is left), but never loop forever.
            parts.push((0..n).filter(|&p| !done[p]).collect());
        }
        let mut dropped = false;
        for part in &parts {
            for &p in part {
                let mut kept = Vec::new();
                for (q, s) in edges[p].drain(..) {
                    if s == Strength::Weak && part.contains(&q) {
                        dropped = true;
                        waiting[p] -= 1;
                        dependents[q].retain(|&d| d != p);
                    } else {
                        kept.push((q, s));
                    }
                }
                edges[p] = kept;
                if waiting[p] == 0 {
                    ready.push(Reverse(p));
                }
            }
        }
        if !dropped {
            for part in parts {
                for &p in &part {
                    cyclic.insert(p);
                    done[p] = true;
                    order.push(p);
                }
                // Placed; what waits for them outside the cycle may follow (and is skipped at
                // apply time, since they do not run).
                for &p in &part {
                    for &d in &dependents[p] {
                        if !done[d] {
                            waiting[d] -= 1;
                            if waiting[d] == 0 {
                                ready.push(Reverse(d));
                            }
                        }
                    }
                }
            }
        }
    }
    (order, cyclic)
}

/// The strongly connected parts (of more than one plan, or a plan waiting for itself) among
/// the plans not yet placed (Tarjan's algorithm, iterative).
fn cycles(edges: &[Vec<(usize, Strength)>], done: &[bool]) -> Vec<BTreeSet<usize>> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    for root in (0..n).filter(|&p| !done[p]) {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if *i == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            let succ: Vec<usize> = edges[v]
                .iter()
                .map(|(q, _)| *q)
                .filter(|q| !done[*q])
                .collect();
            if *i < succ.len() {
                let w = succ[*i];
                *i += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut part = BTreeSet::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    part.insert(w);
                    if w == v {
                        break;
                    }
                }
                if part.len() > 1 {
                    out.push(part);
                }
            }
        }
    }
    out
}
