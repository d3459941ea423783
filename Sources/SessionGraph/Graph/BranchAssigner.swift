import Foundation

/// Groups each session's nodes into branches by (network, device) (detections.md §1) and
/// records each branch's branch point and divergence edge on the graph, so detection and
/// rendering read them rather than recompute them.
///
/// Rules, in order, for a node taken in time order:
/// - a token belongs to the branch of the sign-in that minted it;
/// - a service-side action never starts a branch: it joins its token's branch, else the root's;
/// - an action whose ASN is unknown and whose IP family differs from its minting sign-in's
///   (an IPv4/IPv6 swap of one client) joins that sign-in's branch;
/// - an action with no client information (empty user agent, no token) joins an existing branch
///   on the same network when there is one;
/// - otherwise the node joins the branch with its (network, device) key, or starts one.
enum BranchAssigner {
    /// Network and device, as the vocabulary codes of the node context.
    struct Key: Hashable {
        var network: UInt32
        var device: UInt32

        init(_ context: NodeContext) {
            network = context.networkCode
            device = context.deviceCode
        }
    }

    /// The branches of one session and the branch of each of its nodes (in node order).
    struct Assignment {
        var branches: [Branch]
        var nodeBranches: [Int32]
    }

    /// Sessions are independent: their branches are found in chunks on every core, then
    /// written to the graph in session order.
    static func assign(_ graph: inout InvestigationGraph) {
        let assignments = assignments(in: graph)
        graph.nodes.withUnsafeMutableBufferPointer { nodes in
            for (session, assignment) in zip(graph.sessions, assignments) {
                let base = Int(session.nodes.lowerBound)
                for (offset, branch) in assignment.nodeBranches.enumerated() { nodes[base + offset].branch = branch }
            }
        }
        for (index, assignment) in assignments.enumerated() { graph.sessions[index].branches = assignment.branches }
    }

    /// Every session's assignment, computed on all cores from a graph that is only read (no
    /// copy of it outlives the call, so writing the branches back does not copy the nodes).
    private static func assignments(in graph: InvestigationGraph) -> [Assignment] {
        let count = graph.sessions.count
        let chunkSize = max(256, count / (ProcessInfo.processInfo.activeProcessorCount * 8) + 1)
        return Array(parallelChunks(count: count, chunkSize: chunkSize) { range in
            range.map { branches(for: graph.sessions[$0], in: graph) }
        }.joined())
    }

    private static func branches(for session: SessionChain, in graph: InvestigationGraph) -> Assignment {
        // The arrays read below, taken once: closures over `graph` itself copied the whole
        // graph value (a dozen retains) on every session.
        let graphNodes = graph.nodes, clientCodes = graph.eventClientCodes
        // The session's nodes are one contiguous range; their branches are kept here until the
        // whole session is done.
        let base = Int(session.nodes.lowerBound)
        var branchOf = [Int32](repeating: 0, count: session.nodes.count)
        func branchOfNode(_ node: NodeID) -> Int32 { branchOf[Int(node) - base] }
        // Nodes in time order (session anchor excluded); ties keep creation order.
        let ordered = session.nodes.filter { graphNodes[Int($0)].kind != .session }
            .sorted { a, b in
                let ta = graphNodes[Int(a)].time, tb = graphNodes[Int(b)].time
                return ta != tb ? ta < tb : a < b
            }
        let emptyClient = TextVocabulary.shared.code("empty")
        var keyToBranch: [Key: Int32] = [:]
        /// The first branch made for each network (a lookup, not a scan of every branch per node).
        var firstBranchOfNetwork: [UInt32: Int32] = [:]
        var members: [[NodeID]] = []
        func join(_ node: NodeID, _ branch: Int32) {
            branchOf[Int(node) - base] = branch
            members[Int(branch)].append(node)
        }
        func branch(for key: Key) -> Int32 {
            if let existing = keyToBranch[key] { return existing }
            let index = Int32(members.count)
            keyToBranch[key] = index
            if firstBranchOfNetwork[key.network] == nil { firstBranchOfNetwork[key.network] = index }
            members.append([])
            return index
        }
        // The root's group is created first so that it is branch 0; without a root, the
        // earliest node's group is the reference.
        let reference = session.root ?? ordered.first
        if let reference {
            let context = graphNodes[Int(reference)].context
            _ = branch(for: Key(context))
        }
        for node in ordered {
            let value = graphNodes[Int(node)]
            let parentEdge = graph.incoming(node)
            let parentNode = parentEdge.map { graphNodes[Int($0.from)] }
            switch value.kind {
            case .token:
                if let parentEdge { join(node, branchOfNode(parentEdge.from)); continue }
            case .action:
                let viaToken = parentEdge?.kind == .tokenToAction ? parentNode : nil
                if value.serviceSide {
                    join(node, parentEdge?.kind == .tokenToAction ? branchOfNode(parentEdge!.from) : 0)
                    continue
                }
                if let token = viaToken, value.context.asn == nil, value.context.ipAddressCode != TextVocabulary.none,
                   token.context.ipAddressCode != TextVocabulary.none,
                   NetworkKey.isIPv6(value.context.ipAddress) != NetworkKey.isIPv6(token.context.ipAddress) {
                    join(node, branchOfNode(parentEdge!.from))
                    continue
                }
                if viaToken == nil, value.context.deviceCode == emptyClient {
                    if let existing = firstBranchOfNetwork[value.context.networkCode] {
                        join(node, existing)
                        continue
                    }
                }
            default:
                break
            }
            join(node, branch(for: Key(value.context)))
        }
        // The session anchor sits in the reference branch.
        branchOf[Int(session.sessionNode) - base] = 0

        var result: [Branch] = []
        for (index, nodes) in members.enumerated() where !nodes.isEmpty || index == 0 {
            guard let point = nodes.first else { continue }
            var divergence: NodeID?
            if index > 0 {
                if let edge = graph.incoming(point), branchOfNode(edge.from) != Int32(index), graphNodes[Int(edge.from)].kind != .session {
                    divergence = edge.from
                }
                if divergence == nil || graphNodes[Int(point)].kind != .action {
                    // The latest earlier node of another branch: back from the last node at or
                    // before the branch point's time, found by halving (`ordered` is in time
                    // order), past the branch's own nodes at that instant.
                    let pointTime = graphNodes[Int(point)].time
                    var latest: NodeID?
                    var position = ordered.partitionIndex { graphNodes[Int($0)].time > pointTime } - 1
                    while position >= 0 {
                        let other = ordered[position]
                        if branchOfNode(other) != Int32(index) && other != point {
                            latest = other
                            break
                        }
                        position -= 1
                    }
                    divergence = latest ?? divergence
                }
            }
            // Countries and client families in order of first appearance, gathered as
            // vocabulary codes and made text once each.
            var firstSeen = graphNodes[Int(point)].time, lastSeen = firstSeen
            var countries = DistinctCodes(), clients = DistinctCodes()
            for node in nodes {
                let value = graphNodes[Int(node)]
                firstSeen = min(firstSeen, value.time)
                lastSeen = max(lastSeen, value.time)
                countries.insert(value.context.countryCode)
                if value.kind != .token, let event = value.event {
                    clients.insert(clientCodes[Int(event)])
                }
            }
            result.append(Branch(
                index: Int32(index), context: graphNodes[Int(point)].context, isRoot: index == 0 && session.root != nil,
                branchPoint: point, divergenceFrom: divergence, nodes: nodes,
                firstSeen: firstSeen, lastSeen: lastSeen,
                countries: countries.texts, userAgents: clients.texts))
        }
        return Assignment(branches: result, nodeBranches: branchOf)
    }
}
