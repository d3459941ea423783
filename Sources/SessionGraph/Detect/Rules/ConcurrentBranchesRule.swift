/// `sess-concurrent-branches`: two branches of one session interleave (a1 < b < a2 with
/// a2 − a1 ≤ 30 min, successful nodes only): the victim and the attacker use the same session
/// at the same time (detections.md §3.1, EL-DC). High; roaming-likely branches (a phone
/// alternating Wi-Fi and cellular) are capped at low.
struct ConcurrentBranchesRule: SessionRule {
    let id = "sess-concurrent-branches"
    let family = FindingFamily.contextDivergence
    static let window: Double = 30 * 60

    func evaluate(_ view: SessionView) -> [RawFinding] {
        let graph = view.graph
        let failure = FactCodes.shared.failure
        func successfulTimes(_ branch: BranchFacts) -> [(UTCInstant, NodeID)] {
            branch.nodes.compactMap { node in
                view.event(node)?.outcomeCode == failure ? nil : (graph.nodes[Int(node)].time, node)
            }
        }
        // In time order (a branch's nodes are): the reference nodes around a time are found by
        // halving, not by a scan per branch node, which made a long session quadratic.
        let reference = successfulTimes(view.reference)
        guard reference.count >= 2 else { return [] }
        var findings: [RawFinding] = []
        for branch in view.branches.dropFirst() {
            // A reference node before and after a branch node, within the window.
            var hit: (NodeID, NodeID, NodeID)?
            for (time, node) in successfulTimes(branch) {
                let last = reference.partitionIndex { $0.0 > time } - 1, first = reference.partitionIndex { $0.0 >= time }
                guard last >= 0, first < reference.count else { continue }
                let before = reference[last], after = reference[first]
                if before.0.seconds(until: after.0) <= Self.window && before.1 != after.1 {
                    hit = (before.1, node, after.1)
                    break
                }
            }
            guard let (a1, b, a2) = hit else { continue }
            findings.append(RawFinding(
                rule: id, family: family, severity: .high, session: view.index, branch: branch.index, nodes: [b, a1, a2],
                summary: "Session \(view.session.sessionId) of \(view.user() ?? "unknown user") was used from \(branch.network) between two uses from the root's \(view.reference.network), within 30 minutes.",
                reason: "root branch \(graph.nodes[Int(a1)].time.iso8601) and \(graph.nodes[Int(a2)].time.iso8601), branch \(view.describe(branch)) at \(graph.nodes[Int(b)].time.iso8601)",
                roamingCap: true))
        }
        return findings
    }
}
