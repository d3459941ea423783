/// Which part of a session a diagram shows.
public enum DiagramView: String, Sendable, CaseIterable {
    /// Every branch.
    case full
    /// Only the anomalous branches (a finding of low or higher), their ancestry back to the root,
    /// and their descendants.
    case suspicious
}

/// Builds the session chain diagram as DOT: left to right in time, root → sign-ins → tokens →
/// actions, one cluster per branch (network + device), the root branch drawn distinct, anomalous
/// branches and their divergence edge coloured by severity, each finding's rule shown on the
/// branch where it fires, repeats collapsed into counted items, times in UTC, and a legend.
///
/// Every string from a log goes through ``DOTText``; node and cluster ids are generated.
public struct SessionDiagram {
    public var view: DiagramView = .full
    /// Most items drawn; above it the diagram collapses further and says what it collapsed.
    public var nodeBudget = 300
    /// Applied to every text the diagram shows before it is escaped and cut to the line length:
    /// `--redact`'s pseudonyms, so a value is never left half-shown where a line wraps.
    public var textFilter: (@Sendable (String) -> String)? = nil

    public init(view: DiagramView = .full, nodeBudget: Int = 300) {
        self.view = view
        self.nodeBudget = max(nodeBudget, 10)
    }

    private func shown(_ text: String) -> String { textFilter?(text) ?? text }
    private func shown(_ lines: [String]) -> [String] { textFilter.map { filter in lines.map(filter) } ?? lines }

    static let severityColour: [Severity: String] = [.high: "#c62828", .medium: "#ef6c00", .low: "#f9a825", .info: "#607d8b"]

    /// The DOT text of `session`, marked with those of `findings` that are about it (any
    /// superset of them will do: a caller drawing many sessions passes each its own).
    public func dot(_ session: SessionChain, in graph: InvestigationGraph, findings: [Finding]) -> String {
        let sessionFindings = findings.filter { $0.isAbout(session) }
        var branchSeverity: [Int32: Severity] = [:]
        var branchRules: [Int32: [(String, Severity)]] = [:]
        for finding in sessionFindings {
            let branch = Int32(finding.branch ?? 0)
            branchSeverity[branch] = max(branchSeverity[branch] ?? .info, finding.severity)
            if !(branchRules[branch] ?? []).contains(where: { $0.0 == finding.rule }) { branchRules[branch, default: []].append((finding.rule, finding.severity)) }
        }
        // Items: the collapsed chain, restricted to the view, then held to the budget.
        var items = ChainCollapser.collapse(session, in: graph)
        var shownBranches = Set(session.branches.map(\.index))
        if view == .suspicious {
            let anomalous = Set(branchSeverity.filter { $0.value >= .low && $0.key != 0 }.map(\.key))
            shownBranches = anomalous.union([0])
            items = restrict(items, toBranches: anomalous, session: session, graph: graph)
        }
        var notes: [String] = []
        (items, notes) = fitBudget(items, graph: graph)

        var out = "digraph session {\n"
        out += "  graph [rankdir=LR, compound=true, newrank=true, fontname=\"Helvetica\", fontsize=11, nodesep=0.25, ranksep=0.45, labelloc=t, labeljust=l];\n"
        out += "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10];\n"
        out += "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#78909c\"];\n"
        let user = session.userPrincipalName ?? session.user ?? "unknown user"
        let span = "\(session.firstSeen.iso8601Seconds) → \(session.lastSeen.iso8601Seconds)"
        var title = ["Session \(session.sessionId) · \(user)", "\(span) (UTC) · \(view == .full ? "full view" : "suspicious view")"]
        if session.root == nil { title.append("ROOT ABSENT: no successful interactive sign-in of this session is in the data") }
        title.append(contentsOf: notes)
        out += "  label=\"\(DOTText.label(lines: shown(title)))\";\n"

        // Clusters per branch.
        for branch in session.branches where shownBranches.contains(branch.index) {
            let members = items.indices.filter { items[$0].branch == branch.index }
            guard !members.isEmpty else { continue }
            let severity = branchSeverity[branch.index]
            let colour = branch.index == 0 ? "#2e7d32" : (severity.flatMap { Self.severityColour[$0] } ?? "#90a4ae")
            let name = branch.index == 0 ? (branch.isRoot ? "ROOT BRANCH" : "REFERENCE BRANCH (root absent)") : "BRANCH \(branch.index)"
            var header = "\(name) · \(branch.context.network)"
            if !branch.countries.isEmpty { header += " · " + branch.countries.joined(separator: "/") }
            var lines = [header, "device \(branch.context.device)"]
            if branch.index != 0, let severity { lines.append("\(severity.rawValue.uppercased()) (\((branchRules[branch.index] ?? []).count) rules fired, see note)") }
            out += "  subgraph \"cluster_b\(branch.index)\" {\n"
            out += "    label=\"\(DOTText.label(lines: shown(lines)))\"; style=\"rounded\(branch.index == 0 ? ",filled" : "")\"; color=\"\(colour)\"; penwidth=\(branch.index == 0 || severity.map { $0 >= .medium } == true ? 2.5 : 1.2); fillcolor=\"#f1f8e9\";\n"
            for index in members { out += "    " + nodeStatement(index, items[index], graph, session: session) + "\n" }
            if let rules = branchRules[branch.index], !rules.isEmpty {
                let noteLines = rules.map { "\($0.1.rawValue.uppercased()) \($0.0)" }
                out += "    \"f\(branch.index)\" [shape=note, style=filled, fillcolor=\"#fff3e0\", color=\"\(Self.severityColour[rules.map(\.1).max()!]!)\", label=\"\(DOTText.label(lines: shown(noteLines)))\"];\n"
            }
            out += "  }\n"
        }
        // Items of branches that are not shown (ancestry in the suspicious view) sit outside clusters.
        for index in items.indices where !shownBranches.contains(items[index].branch) {
            out += "  " + nodeStatement(index, items[index], graph, session: session) + "\n"
        }
        // Edges between items, counted.
        var edgeCounts: [Int: Int] = [:]
        for (index, item) in items.enumerated() { if item.parent != nil { edgeCounts[index] = item.count } }
        let itemOfNode = Dictionary(items.enumerated().flatMap { index, item in item.nodes.map { ($0, index) } }, uniquingKeysWith: { a, _ in a })
        for (index, item) in items.enumerated() {
            guard let parent = item.parent, parent < items.count else { continue }
            let key = graph.incoming(item.representative)?.key.rawValue ?? ""
            let crosses = items[parent].branch != item.branch && item.branch != 0
            var attributes = ["tooltip=\"\(DOTText.tooltip(shown("linked by \(key)")))\""]
            if item.count > 1 { attributes.append("label=\"×\(item.count)\"") }
            if crosses {
                let colour = branchSeverity[item.branch].flatMap { Self.severityColour[$0] } ?? "#c62828"
                attributes += ["color=\"\(colour)\"", "penwidth=2.5", "xlabel=\"diverges\"", "fontcolor=\"\(colour)\""]
            }
            out += "  \"i\(parent)\" -> \"i\(index)\" [\(attributes.joined(separator: ", "))];\n"
        }
        // Divergence edges that are not parent edges (a new branch entered through the session).
        for branch in session.branches where branch.index != 0 && shownBranches.contains(branch.index) {
            guard let from = branch.divergenceFrom, let source = itemOfNode[from], let target = itemOfNode[branch.branchPoint],
                  items[target].parent != source else { continue }
            // Already drawn when the branch point's own parent edge comes from another branch.
            if let parent = items[target].parent, items[parent].branch != items[target].branch { continue }
            let colour = branchSeverity[branch.index].flatMap { Self.severityColour[$0] } ?? "#c62828"
            out += "  \"i\(source)\" -> \"i\(target)\" [style=dashed, color=\"\(colour)\", penwidth=2, xlabel=\"diverges\", fontcolor=\"\(colour)\", constraint=false];\n"
        }
        for branch in session.branches where shownBranches.contains(branch.index) {
            guard let rules = branchRules[branch.index], !rules.isEmpty, let target = itemOfNode[branch.branchPoint] else { continue }
            out += "  \"f\(branch.index)\" -> \"i\(target)\" [style=dotted, arrowhead=none, color=\"#bdbdbd\"];\n"
        }
        out += legend()
        out += "}\n"
        return out
    }

    private func nodeStatement(_ index: Int, _ item: CollapsedItem, _ graph: InvestigationGraph, session: SessionChain) -> String {
        let node = graph.nodes[Int(item.representative)]
        let event = graph.event(of: item.representative)
        var lines: [String] = []
        var attributes: [String] = []
        let when = item.count > 1 ? "\(item.firstSeen.iso8601Seconds) → \(item.lastSeen.iso8601Seconds)" : item.firstSeen.iso8601Seconds
        switch item.kind {
        case .session:
            lines = ["SESSION", session.sessionId]
            attributes = ["shape=ellipse", "fillcolor=\"#eceff1\""]
        case .root:
            lines = ["ROOT · interactive sign-in", event?.appName ?? event?.appId ?? "?", when]
            attributes = ["fillcolor=\"#c8e6c9\"", "penwidth=2"]
            if let protocolName = event?.authProtocol { lines.append("protocol \(protocolName)") }
        case .signIn:
            let tokenType = event?.incomingTokenType.flatMap { $0 == "none" ? nil : $0 }
            let flavour = event?.interactive == true ? "interactive" : (tokenType.map { "non-interactive, \($0)" } ?? "non-interactive")
            lines = ["\(item.count > 1 ? "\(item.count)× " : "")sign-in (\(flavour))", item.label, when]
            attributes = ["fillcolor=\"#e3f2fd\""]
            if event?.result == "failure" { lines.append("FAILED \(event?.resultCode ?? "")"); attributes = ["fillcolor=\"#ffebee\""] }
        case .token:
            lines = item.count > 1 ? ["\(item.count) tokens", "e.g. \(node.token ?? "?")"] : ["token", node.token ?? "?"]
            attributes = ["shape=cds", "fillcolor=\"#fffde7\""]
        case .action:
            lines = ["\(item.count > 1 ? "\(item.count)× " : "")\(item.label)", when]
            attributes = ["fillcolor=\"#f3e5f5\""]
        }
        if item.kind != .session, item.kind != .token {
            var network = node.context.ipAddress ?? "no IP"
            if let asn = node.context.asn { network += " AS\(asn)" }
            if let country = node.context.country { network += " \(country)" }
            lines.append(network)
        }
        var tooltip = lines
        if let agent = event?.userAgent { tooltip.append("user agent: \(agent)") }
        if let detail = event?.operationDetail { tooltip.append(detail) }
        if let file = event.flatMap({ graph.files.indices.contains(Int($0.provenance.fileIndex)) ? graph.files[Int($0.provenance.fileIndex)] : nil }) {
            tooltip.append("\(file):\(event!.provenance.line)")
        }
        attributes.insert("label=\"\(DOTText.label(lines: shown(lines)))\"", at: 0)
        attributes.append("tooltip=\"\(DOTText.tooltip(shown(tooltip.joined(separator: "\n"))))\"")
        return "\"i\(index)\" [\(attributes.joined(separator: ", "))];"
    }

    /// Items of the anomalous branches, their descendants, and the chain of parents back to
    /// the session anchor.
    private func restrict(_ items: [CollapsedItem], toBranches branches: Set<Int32>, session: SessionChain, graph: InvestigationGraph) -> [CollapsedItem] {
        var keep = Set<Int>()
        for (index, item) in items.enumerated() where branches.contains(item.branch) {
            var current: Int? = index
            while let c = current, keep.insert(c).inserted { current = items[c].parent }
        }
        // The divergence sources and their ancestry.
        let itemOfNode = Dictionary(items.enumerated().flatMap { index, item in item.nodes.map { ($0, index) } }, uniquingKeysWith: { a, _ in a })
        for branch in session.branches where branches.contains(branch.index) {
            var current = branch.divergenceFrom.flatMap { itemOfNode[$0] }
            while let c = current, keep.insert(c).inserted { current = items[c].parent }
        }
        // Descendants of kept items in the anomalous branches are already kept (same branch);
        // renumber parents.
        let ordered = keep.sorted()
        var newIndex: [Int: Int] = [:]
        for (new, old) in ordered.enumerated() { newIndex[old] = new }
        return ordered.map { old in
            var item = items[old]
            item.parent = item.parent.flatMap { newIndex[$0] }
            return item
        }
    }

    /// Holds the diagram to the node budget: first folds each branch's actions into one item per
    /// workload and its sign-ins into one item per branch, then drops the latest items.
    private func fitBudget(_ items: [CollapsedItem], graph: InvestigationGraph) -> ([CollapsedItem], [String]) {
        guard items.count > nodeBudget else { return (items, []) }
        var notes: [String] = []
        var folded: [CollapsedItem] = []
        var groupIndex: [String: Int] = [:]
        var remap: [Int: Int] = [:]
        for (index, item) in items.enumerated() {
            let parent = item.parent.flatMap { remap[$0] }
            let key: String?
            switch item.kind {
            case .signIn: key = "s\(item.branch)"
            case .action: key = "a\(item.branch)|\(graph.event(of: item.representative)?.workload ?? "action")"
            default: key = nil
            }
            if let key, let existing = groupIndex[key] {
                folded[existing].nodes += item.nodes
                folded[existing].firstSeen = min(folded[existing].firstSeen, item.firstSeen)
                folded[existing].lastSeen = max(folded[existing].lastSeen, item.lastSeen)
                remap[index] = existing
                continue
            }
            var copy = item
            copy.parent = parent
            if let key {
                copy.label = item.kind == .signIn ? "all sign-ins of this branch" : "all \(graph.event(of: item.representative)?.workload ?? "actions") actions"
                groupIndex[key] = folded.count
            }
            remap[index] = folded.count
            folded.append(copy)
        }
        notes.append("COLLAPSED: \(items.count) items exceed the budget of \(nodeBudget); sign-ins folded per branch and actions per branch and workload (\(folded.count) items)")
        if folded.count > nodeBudget {
            let dropped = folded.count - nodeBudget
            folded = Array(folded.prefix(nodeBudget)).map { item in
                var copy = item
                if let parent = copy.parent, parent >= nodeBudget { copy.parent = nil }
                return copy
            }
            notes.append("TRUNCATED: the \(dropped) latest items are not drawn; see session --format json for all")
        }
        return (folded, notes)
    }

    private func legend() -> String {
        let lines = [
            "LEGEND",
            "green box: root sign-in · blue: sign-in · yellow: token · purple: action · ellipse: session id",
            "cluster border: root branch green; other branches red / orange / yellow for high / medium / low findings",
            "bold coloured edge 'diverges': the edge into a branch · note: the rules that fired on that branch",
            "×N: N repeated refreshes or identical actions collapsed · times UTC",
        ]
        return "  \"legend\" [shape=box, style=\"rounded\", color=\"#b0bec5\", fontsize=8, label=\"\(DOTText.label(lines: lines))\"];\n"
    }
}
