/// `sess-root-absent`: a session used without its interactive root in the data, whose first
/// network never appears on any interactive sign-in of the user (detections.md §3.1; RIDGE:
/// "successful non-interactive sign-ins from an IP that has no corresponding interactive
/// sign-in"). Low: the root may simply be older than the export (refresh tokens live up to 90
/// days); medium with a script client or a hosting ASN.
struct RootAbsentRule: SessionRule {
    let id = "sess-root-absent"
    let family = FindingFamily.rootAbsent

    func evaluate(_ view: SessionView) -> [RawFinding] {
        guard view.session.root == nil, let first = view.reference.nodes.first else { return [] }
        let graph = view.graph
        let network = graph.nodes[Int(first)].context.network
        let user = view.session.user
        let interactiveElsewhere = user.map { view.input.interactiveNetworksByUser[$0]?.contains(network) ?? false } ?? false
        guard !interactiveElsewhere else { return [] }
        let script = view.reference.clients.contains { $0.hasPrefix("script:") }
        let hosting = view.reference.hosting
        return [RawFinding(
            rule: id, family: family, severity: script || hosting ? .medium : .low, session: view.index, branch: 0,
            nodes: Array(view.reference.nodes.prefix(50)),
            summary: "Session \(view.session.sessionId) of \(view.user() ?? "unknown user") is used from \(network) but no interactive sign-in of it, or of the user from that network, is in the data.",
            reason: "first node \(graph.nodes[Int(first)].time.iso8601) on \(network)\(script ? ", script client" : "")\(hosting ? ", hosting ASN" : ""); the root may predate the export")]
    }
}
