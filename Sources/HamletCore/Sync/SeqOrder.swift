/// The hub's rules for a node's `seq`s (DESIGN rule 11, PROTOCOL.md §7), as pure code.
///
/// A node numbers its changes 1, 2, 3 … The hub takes a push whose new `seq`s continue
/// the node's received prefix in order; a `seq` it already holds is a re-send and gets
/// its original result; a `seq` below 1 is refused alone. Anything else is a gap: the
/// whole push is refused and nothing of it applied, so `last_seq` never jumps past a
/// `seq` the hub has not received.
public enum SeqOrder {
    /// The end of the contiguous prefix `1…n` in `received` (0 when 1 is missing).
    public static func prefix(of received: Set<Int64>) -> Int64 {
        var n: Int64 = 0
        while received.contains(n + 1) { n += 1 }
        return n
    }

    /// The `seq` the hub expected where a batch leaves the order, or nil when the batch is in order.
    ///
    /// A `seq` at or below `highest` is a re-send (or fills a hole left by hubs before this
    /// rule) and never a gap; a `seq` below 1 is refused alone and ignored here.
    /// - Parameters:
    ///   - seqs: The batch's `seq`s as sent.
    ///   - highest: The highest `seq` the hub holds from the node (0 for none).
    /// - Returns: The `seq` to push from again (the one after `highest`): nothing of the batch is taken.
    public static func gap(in seqs: [Int64], highest: Int64) -> Int64? {
        var next = highest + 1
        for s in seqs where s >= 1 && s >= next {
            // The whole batch is refused: the hub will next take the seq after the highest it holds.
            guard s == next else { return highest + 1 }
            next += 1
        }
        return nil
    }
}
