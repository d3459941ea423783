/// Plain-text views of sessions, sessions lists and token traces for the terminal.
public struct SessionTextRenderer {
    let graph: InvestigationGraph
    let time: TimeDisplay

    public init(graph: InvestigationGraph, time: TimeDisplay) {
        self.graph = graph
        self.time = time
    }

    /// The whole chain of a session, branch by branch, in time order.
    public func render(_ session: SessionChain) -> String {
        var lines: [String] = []
        let user = session.userPrincipalName ?? session.user ?? "unknown user"
        lines.append("Session \(session.sessionId)  user \(TerminalText.safe(user))")
        if let root = session.root {
            lines.append("  root: \(time.format(graph.nodes[Int(root)].time))  \(describe(root))")
        } else {
            lines.append("  root: ABSENT (no successful interactive sign-in of this session is in the data: it was minted before or outside the export)")
        }
        lines.append("  alive: \(time.format(session.firstSeen)) → \(time.format(session.lastSeen))  sign-ins \(session.signIns), tokens \(session.tokens), actions \(session.actions), branches \(session.branches.count)")
        if session.splitFromSharedId { lines.append("  DATA ERROR: this session id is also used by another user; shown separately") }
        for (branch, nodes) in graph.nodesByBranch(session) {
            let title = branch.isRoot ? "root branch" : (branch.index == 0 ? "reference branch (root absent)" : "branch \(branch.index)")
            var header = "  [\(title)] network \(TerminalText.safe(branch.context.network)), device \(TerminalText.safe(branch.context.device))"
            if !branch.countries.isEmpty { header += ", country \(TerminalText.safe(branch.countries.joined(separator: "/")))" }
            lines.append(header)
            if let from = branch.divergenceFrom {
                lines.append("      diverges from node \(from) (\(graph.nodes[Int(from)].kind.rawValue), branch \(graph.nodes[Int(from)].branch)) at \(time.format(branch.firstSeen))")
            }
            for node in nodes {
                let value = graph.nodes[Int(node)]
                let via = graph.incoming(node).map { " ← \($0.from) by \($0.key.rawValue)" } ?? ""
                lines.append("    \(time.format(value.time))  #\(node) \(value.kind.rawValue.padding(6)) \(describe(node))\(via)")
            }
        }
        return lines.joined(separator: "\n")
    }

    func describe(_ node: NodeID) -> String {
        let value = graph.nodes[Int(node)]
        if value.kind == .token { return "token \(TerminalText.safe(value.token ?? "?"))" }
        guard let event = graph.event(of: node) else { return "" }
        var text = TerminalText.safe(event.summaryLine, limit: 240)
        if let asn = value.context.asn { text += " AS\(asn)" }
        if value.serviceSide { text += " (service-side)" }
        return text
    }

    /// One line per session.
    public func renderList(_ sessions: [SessionChain]) -> String {
        var lines = ["start                          end                            root     sign-ins tokens actions branches  user  session"]
        for session in sessions {
            let start = session.root.map { graph.nodes[Int($0)].time } ?? session.firstSeen
            lines.append([
                time.format(start).padding(30), time.format(session.lastSeen).padding(30),
                (session.root == nil ? "absent" : "present").padding(8), String(session.signIns).padding(8),
                String(session.tokens).padding(6), String(session.actions).padding(7), String(session.branches.count).padding(9),
                TerminalText.safe(session.userPrincipalName ?? session.user ?? "?"), session.sessionId,
            ].joined(separator: " "))
        }
        lines.append("\(sessions.count) sessions; \(graph.unlinked.workloadIdentitySignIns) service-principal/managed-identity sign-ins and \(graph.unlinked.appOnlyActions) app-only actions are not sessions; \(graph.unlinked.unlinkedActions) user actions linked to no session")
        return lines.joined(separator: "\n")
    }

    /// Everything done with one token.
    public func render(_ trace: TokenTrace) -> String {
        var lines = ["Token \(TerminalText.safe(trace.token))" + (trace.requestId.map { "  (decodes to sign-in request id \($0))" } ?? "  (does not decode to a request id)")]
        if let session = trace.session {
            lines.append("  minted in session \(session.sessionId) of \(TerminalText.safe(session.userPrincipalName ?? session.user ?? "?"))" + (session.root == nil ? " (root absent)" : ""))
        } else if trace.events.isEmpty {
            lines.append("  no record in the data carries this token")
        } else {
            lines.append("  no sign-in of the data links it to a session")
        }
        for index in trace.events {
            let event = graph.events[Int(index)]
            lines.append("    \(time.format(event.time))  \(event.kind == .signIn ? "minted by" : "used by  ") \(TerminalText.safe(event.summaryLine, limit: 240))")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
