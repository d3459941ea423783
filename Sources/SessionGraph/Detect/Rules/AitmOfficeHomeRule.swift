/// `root-aitm-officehome`: the root is an OfficeHome sign-in from an unregistered device, the
/// default of AiTM phishing kits (detections.md §3.3; BJ-AITM, NS-AITM, MS-AITM22). Medium;
/// high when the session also diverges to a new network or country (the stolen cookie replayed).
/// Not from trusted egress. Unmanaged BYOD browsing office.com looks the same, hence medium alone.
struct AitmOfficeHomeRule: SessionRule {
    let id = "root-aitm-officehome"
    let family = FindingFamily.deviceCodeRoot
    static let officeHome = "4765445b-32c6-49b0-83e6-1d93765276ca"

    func evaluate(_ view: SessionView) -> [RawFinding] {
        guard let root = view.session.root, let event = view.event(root), event.appId == Self.officeHome, event.deviceId == nil,
              !view.input.isTrusted(view.graph.nodes[Int(root)].context) else { return [] }
        let diverges = view.branches.dropFirst().contains { $0.network != view.reference.network || !$0.countries.subtracting(view.reference.countries).isEmpty }
        return [RawFinding(
            rule: id, family: family, severity: diverges ? .high : .medium, session: view.index, branch: 0, nodes: [root],
            summary: "Session \(view.session.sessionId) of \(view.user() ?? "unknown user") began with an OfficeHome sign-in from an unregistered device\(diverges ? " and was then used from another network" : ""), the pattern of an AiTM phishing proxy.",
            reason: "root app OfficeHome, no device id, from \(view.graph.nodes[Int(root)].context.network)\(diverges ? "; the session diverges" : "")")]
    }
}
