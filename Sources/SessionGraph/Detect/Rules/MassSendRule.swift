/// `act-mass-send`: an outbound mail burst from a branch other than the root's: ≥ 100 `Send`,
/// `SendAs`, `SendOnBehalf` records or Graph `sendMail` / `send` requests in one hour
/// (detections.md §3.5; MS-1167 saw 16,000 phishing mails after a cookie replay). Medium.
struct MassSendRule: SessionRule {
    let id = "act-mass-send"
    let family = FindingFamily.riskyAction
    static let threshold = 100
    static let sendOperations = ["send", "sendas", "sendonbehalf"]

    /// Whether `operation` sends mail: an Exchange send or a Graph `sendMail` / `send` request.
    static func isSend(_ operation: String) -> Bool {
        sendOperations.contains(where: operation.equalsIgnoringASCIICase)
            || (operation.hasPrefixIgnoringASCIICase("post ") && (operation.containsIgnoringASCIICase("/sendmail") || operation.hasSuffixIgnoringASCIICase("/send")))
    }

    func evaluate(_ view: SessionView) -> [RawFinding] {
        var findings: [RawFinding] = []
        for branch in view.branches.dropFirst() {
            let sends = branch.nodes.filter { node in view.event(node).map { view.input.operations.of($0).send } ?? false }
            let burst = BulkCollectionRule().maxPerHour(sends, view)
            guard burst >= Self.threshold else { continue }
            findings.append(RawFinding(
                rule: id, family: family, severity: .medium, session: view.index, branch: branch.index, nodes: sends,
                summary: "From branch \(view.describe(branch)), \(view.user() ?? "the user")'s session sent \(burst) messages within an hour.",
                reason: "\(sends.count) sends, peak \(burst) per hour (threshold \(Self.threshold))", roamingCap: true))
        }
        return findings
    }
}
