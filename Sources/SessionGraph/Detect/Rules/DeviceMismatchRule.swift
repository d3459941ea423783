/// `sess-device-mismatch`: the session appears on another device (detections.md §3.1). High
/// when a node carries a non-empty device id different from the root's; medium when the root has
/// a device id and a branch redeems refresh tokens with none while its client family also changed.
/// Blind spot: device-code tokens and stolen PRT cookies carry the victim's device id, so the
/// absence of this finding clears nothing.
struct DeviceMismatchRule: SessionRule {
    let id = "sess-device-mismatch"
    let family = FindingFamily.contextDivergence

    func evaluate(_ view: SessionView) -> [RawFinding] {
        guard let rootDevice = view.rootEvent?.deviceId else { return [] }
        var findings: [RawFinding] = []
        for branch in view.branches.dropFirst() {
            let others = branch.nodes.filter { node in
                guard let device = view.event(node)?.deviceId else { return false }
                return device != rootDevice
            }
            if !others.isEmpty {
                let ids = Set(others.compactMap { view.event($0)?.deviceId }).sorted()
                findings.append(RawFinding(
                    rule: id, family: family, severity: .high, session: view.index, branch: branch.index, nodes: others,
                    summary: "Session \(view.session.sessionId) of \(view.user() ?? "unknown user") appears on device \(ids.joined(separator: ", ")), not the root's device \(rootDevice).",
                    reason: "root device \(rootDevice), branch device \(ids.joined(separator: ", "))"))
                continue
            }
            let deviceless = branch.nodes.filter { node in
                guard let event = view.event(node) else { return false }
                return event.kind == .signIn && event.deviceId == nil && event.interactive != true
            }
            let newClients = view.newClients(branch)
            if !deviceless.isEmpty && !newClients.isEmpty {
                findings.append(RawFinding(
                    rule: id, family: family, severity: .medium, session: view.index, branch: branch.index, nodes: deviceless,
                    summary: "Session \(view.session.sessionId) of \(view.user() ?? "unknown user") redeemed tokens without the root's device \(rootDevice), from a different client.",
                    reason: "root device \(rootDevice), branch without device id, new client \(newClients.sorted().joined(separator: ", "))"))
            }
        }
        return findings
    }
}
