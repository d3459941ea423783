/// `act-inbox-rule-hiding`: inbox rules that hide mail (detections.md §3.5; EL-INBOXHIDE,
/// EL-INBOXOBF, MS-AITM22): they delete messages, move them to a folder nobody reads and mark
/// them read, match payment or security keywords, or have a name made only of punctuation.
/// One finding per branch, with every such rule as evidence. Medium; low on the root branch when
/// the only sign is a move to another folder (users file their own mail); raised to high by the
/// detector when the rules were created from an anomalous branch.
struct InboxRuleHidingRule: SessionRule {
    let id = "act-inbox-rule-hiding"
    let family = FindingFamily.riskyAction
    static let operations: Set<String> = ["new-inboxrule", "set-inboxrule", "updateinboxrules"]
    static let hiddenFolders = ["deleted items", "junk", "rss feeds", "rss subscriptions", "conversation history", "archive"]
    static let keywords = ["invoice", "payment", "wire", "transfer", "bank", "security", "phish", "alert", "reset", "password", "helpdesk", "mfa", "hack", "suspicious"]

    struct Signs {
        var list: [String] = []
        /// A sign beyond filing mail into another folder.
        var strong = false
    }

    static func signs(_ event: Event) -> Signs {
        var signs = Signs()
        var moves = false
        var marksRead = false
        for parameter in event.parameters {
            let name = parameter.name.lowercased(), value = parameter.value.lowercased()
            switch name {
            case "deletemessage", "softdeletemessage":
                if value == "true" {
                    signs.list.append("deletes messages")
                    signs.strong = true
                }
            case "movetofolder":
                if hiddenFolders.contains(where: { value.contains($0) }) {
                    signs.list.append("moves mail to \(TerminalText.safe(parameter.value, limit: 40))")
                    moves = true
                }
            case "markasread":
                if value == "true" { marksRead = true }
            case "name":
                if !parameter.value.isEmpty && parameter.value.allSatisfy({ $0.isPunctuation || $0.isWhitespace || $0.isSymbol }) {
                    signs.list.append("is named only with punctuation")
                    signs.strong = true
                }
            default:
                if name.contains("words") || name.contains("contains"), let word = keywords.first(where: { value.contains($0) }) {
                    signs.list.append("matches '\(word)'")
                    signs.strong = true
                }
            }
        }
        if moves && marksRead {
            signs.list.append("marks it read")
            signs.strong = true
        }
        return signs
    }

    /// Whether `operation` creates or changes an inbox rule.
    static func isRuleOperation(_ operation: String) -> Bool {
        operations.contains(where: operation.equalsIgnoringASCIICase)
    }

    /// The hiding rules of one branch: their nodes, and their signs in order of first appearance.
    struct BranchRules {
        var nodes: [NodeID] = []
        var signs: [String] = []
        private var seen: Set<String> = []
        var strong = false

        mutating func add(_ node: NodeID, _ found: Signs) {
            nodes.append(node)
            for sign in found.list where seen.insert(sign).inserted { signs.append(sign) }
            strong = strong || found.strong
        }
    }

    func evaluate(_ view: SessionView) -> [RawFinding] {
        let graph = view.graph
        var byBranch: [Int32: BranchRules] = [:]
        for node in view.session.nodes where graph.nodes[Int(node)].kind == .action {
            guard let event = view.event(node), view.input.operations.of(event).inboxRule else { continue }
            let signs = Self.signs(event)
            guard !signs.list.isEmpty else { continue }
            // Changed in place, each sign kept once in order: a branch may hold thousands of rules.
            byBranch[graph.nodes[Int(node)].branch, default: BranchRules()].add(node, signs)
        }
        return byBranch.keys.sorted().map { branch in
            let entry = byBranch[branch]!
            let first = view.event(entry.nodes[0])!
            return RawFinding(
                rule: id, family: family, severity: branch == 0 && !entry.strong ? .low : .medium, session: view.index, branch: branch, nodes: entry.nodes,
                summary: "\(view.user() ?? "A user") got \(entry.nodes.count) inbox rule\(entry.nodes.count == 1 ? "" : "s") that \(entry.signs.prefix(4).joined(separator: ", ")) (first at \(first.time.iso8601)).",
                reason: "first rule: \(TerminalText.safe(first.operationDetail ?? "", limit: 200))")
        }
    }
}
