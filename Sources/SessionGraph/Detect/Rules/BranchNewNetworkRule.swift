/// `sess-branch-new-net`: a branch on a network its root never used (detections.md §3.1).
/// A stolen cookie or refresh token replayed elsewhere keeps the session id but not the network.
/// Network = ASN, not IP (roaming inside a provider is not a change); trusted egress counts as one
/// network with the root's; at least one successful node. Medium; high when the branch redeems
/// refresh tokens, holds actions, or sits on a hosting ASN. Roaming-likely branches are capped at
/// low by the detector.
struct BranchNewNetworkRule: SessionRule {
    let id = "sess-branch-new-net"
    let family = FindingFamily.contextDivergence

    func evaluate(_ view: SessionView) -> [RawFinding] {
        let reference = view.reference
        var findings: [RawFinding] = []
        // The reference's text, made once a session (not once a branch) when a finding needs it.
        var referenceText: String?
        for branch in view.branches.dropFirst() where branch.network != reference.network && branch.successful > 0 {
            if branch.trusted && reference.trusted { continue }
            let high = branch.hasRefresh || branch.hasActions || branch.hosting
            let rootText = referenceText ?? view.describe(reference)
            referenceText = rootText
            var why = "root \(rootText), branch \(view.describe(branch))"
            if branch.hosting { why += " (hosting ASN)" }
            findings.append(RawFinding(
                rule: id, family: family, severity: high ? .high : .medium, session: view.index, branch: branch.index,
                nodes: branch.nodes,
                summary: "Session \(view.session.sessionId) of \(view.user() ?? "unknown user") was used from \(branch.network), a network its root never used (\(branch.nodes.count) records from \(view.graph.nodes[Int(branch.nodes[0])].time.iso8601)).",
                reason: why, roamingCap: true))
        }
        return findings
    }
}
