/// `sess-client-change`: a branch whose client family (kind + OS, versions ignored) never
/// occurs in the root branch (detections.md §3.1). An empty user agent never counts. Medium;
/// high when the new client is a script or library (python-requests, axios, curl, Go, PowerShell,
/// ...) talking to Graph, Exchange or SharePoint. Several apps on one device share its device id
/// and network, so they stay in the root branch and never reach this rule; on the root's own
/// device elsewhere (roaming) only the branch's sign-ins count, compared with every client that
/// device authenticated in the session.
struct ClientChangeRule: SessionRule {
    let id = "sess-client-change"
    let family = FindingFamily.contextDivergence
    static let sensitiveResources: Set<String> = [
        "00000003-0000-0000-c000-000000000000", "00000002-0000-0ff1-ce00-000000000000", "00000003-0000-0ff1-ce00-000000000000",
    ]

    func evaluate(_ view: SessionView) -> [RawFinding] {
        var findings: [RawFinding] = []
        for branch in view.branches.dropFirst() {
            let new = view.newClients(branch)
            guard !new.isEmpty, !view.reference.clients.isEmpty else { continue }
            let nodes = branch.nodes.filter { new.contains(view.graph.client(of: $0)) }
            let script = new.contains { $0.hasPrefix("script:") }
            let sensitive = nodes.contains { node in
                guard let event = view.event(node) else { return false }
                return event.kind == .action || event.resource.map(Self.sensitiveResources.contains) == true
            }
            findings.append(RawFinding(
                rule: id, family: family, severity: script && sensitive ? .high : .medium, session: view.index, branch: branch.index,
                nodes: nodes,
                summary: "Session \(view.session.sessionId) of \(view.user() ?? "unknown user") switched to client \(new.sorted().joined(separator: ", "))\(script ? " (a script or library)" : "").",
                reason: "root clients \(view.reference.clients.sorted().joined(separator: ", ")), branch clients \(branch.clients.sorted().joined(separator: ", "))",
                roamingCap: true))
        }
        return findings
    }
}
