/// `root-aitm-kit-ua`: a phishing-kit client fingerprint on a successful sign-in (detections.md
/// §3.3): (a) Microsoft Authentication Broker or OfficeHome with a Node.js user agent (axios,
/// undici, node: EL-TYCOON); (b) Microsoft Authentication Broker with a user agent that is none of
/// Mozilla, Dalvik, CFNetwork or the Windows broker (EL-MABUA). High; allow-list developer tooling.
struct AitmKitUserAgentRule: SessionRule {
    let id = "root-aitm-kit-ua"
    let family = FindingFamily.deviceCodeRoot
    static let broker = "29d9ed98-a469-4536-ade2-f981bc1d605e"

    func evaluate(_ view: SessionView) -> [RawFinding] {
        let failure = FactCodes.shared.failure
        let graph = view.graph
        var nodes: [NodeID] = []
        var agents = Set<String>()
        for node in view.session.nodes where graph.nodes[Int(node)].kind == .root || graph.nodes[Int(node)].kind == .signIn {
            guard let event = view.event(node), let app = event.appId, app == Self.broker || app == AitmOfficeHomeRule.officeHome,
                  event.outcomeCode != failure else { continue }
            let ua = event.userAgent ?? ""
            let nodeKit = ua.containsAnyIgnoringASCIICase(["axios", "undici"]) || ua.hasPrefixIgnoringASCIICase("node")
            let standardBroker = ua.hasPrefixIgnoringASCIICase("mozilla") || ua.hasPrefixIgnoringASCIICase("dalvik")
                || ua.containsIgnoringASCIICase("cfnetwork") || ua.hasPrefixIgnoringASCIICase("windows-azuread-authentication-provider")
            if (app == Self.broker || app == AitmOfficeHomeRule.officeHome) && nodeKit || (app == Self.broker && !standardBroker) {
                nodes.append(node)
                agents.insert(event.userAgent ?? "(empty)")
            }
        }
        guard !nodes.isEmpty else { return [] }
        return [RawFinding(
            rule: id, family: family, severity: .high, session: view.index, branch: graph.nodes[Int(nodes[0])].branch, nodes: nodes,
            summary: "Session \(view.session.sessionId) of \(view.user() ?? "unknown user") has sign-ins with a phishing-kit client fingerprint.",
            reason: "user agent \(agents.sorted().prefix(3).joined(separator: ", ")) on the authentication broker or OfficeHome")]
    }
}
