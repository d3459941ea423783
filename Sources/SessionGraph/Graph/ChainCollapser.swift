/// The collapsed, readable form of a session chain that diagrams use: repeated refreshes of one
/// app from one branch become one item with a count, and so do repeated identical actions under
/// one parent item. The full detail stays in the graph.
public struct CollapsedItem: Sendable {
    public var kind: NodeKind
    public var branch: Int32
    /// The first node of the group; `nodes` lists all of them.
    public var representative: NodeID
    public var nodes: [NodeID]
    public var firstSeen: UTCInstant
    public var lastSeen: UTCInstant
    /// Index (into the collapsed items) of the parent item, when there is one.
    public var parent: Int?
    /// What the group has in common, for a label: the app of sign-ins, the operation of actions.
    public var label: String

    public var count: Int { nodes.count }
}

public enum ChainCollapser {
    struct GroupKey: Hashable {
        var kind: NodeKind
        var branch: Int32
        var parent: Int?
        var label: String
        var result: String?
    }

    /// Collapses `session`: sign-ins group by (branch, app, result); the tokens of one sign-in
    /// item become one token item; actions group by (branch, parent item, operation, result).
    public static func collapse(_ session: SessionChain, in graph: InvestigationGraph) -> [CollapsedItem] {
        var items: [CollapsedItem] = []
        var itemOfNode: [NodeID: Int] = [:]
        var groups: [GroupKey: Int] = [:]
        // Parents are created before children: walk kinds in order (session, root, sign-ins,
        // tokens, actions), each in time order.
        let rank: [NodeKind: Int] = [.session: 0, .root: 1, .signIn: 2, .token: 3, .action: 4]
        let walk = session.nodes.sorted { (rank[graph.nodes[Int($0)].kind]!, graph.nodes[Int($0)].time, $0) < (rank[graph.nodes[Int($1)].kind]!, graph.nodes[Int($1)].time, $1) }
        for node in walk {
            let value = graph.nodes[Int(node)]
            let event = graph.event(of: node)
            let parentItem = graph.incoming(node).flatMap { itemOfNode[$0.from] }
            let label: String
            switch value.kind {
            case .session: label = session.sessionId
            case .root, .signIn: label = event?.appName ?? event?.appId ?? "unknown app"
            case .token: label = "token"
            case .action: label = event.map(actionLabel) ?? "action"
            }
            let key = GroupKey(kind: value.kind, branch: value.branch, parent: value.kind == .signIn ? nil : parentItem, label: label, result: value.kind == .token ? nil : event?.result)
            if value.kind != .root && value.kind != .session, let existing = groups[key] {
                items[existing].nodes.append(node)
                items[existing].firstSeen = min(items[existing].firstSeen, value.time)
                items[existing].lastSeen = max(items[existing].lastSeen, value.time)
                itemOfNode[node] = existing
                continue
            }
            let index = items.count
            items.append(CollapsedItem(kind: value.kind, branch: value.branch, representative: node, nodes: [node], firstSeen: value.time, lastSeen: value.time, parent: parentItem, label: label))
            groups[key] = index
            itemOfNode[node] = index
        }
        return items
    }

    /// An action's operation with query strings and ids removed, so that `GET /users/<id>` calls
    /// for different ids group together.
    static func actionLabel(_ event: Event) -> String {
        guard let operation = event.operation else { return event.workload ?? "action" }
        guard event.source == .graphActivityLogs else { return operation }
        var text = operation
        if let query = text.firstIndex(of: "?") { text = String(text[..<query]) }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { part -> String in
            let segment = String(part)
            return IdentifierNormalizer.guid(segment) != nil || (segment.count > 20 && segment.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) ? "{id}" : segment
        }
        return parts.joined(separator: "/")
    }
}
