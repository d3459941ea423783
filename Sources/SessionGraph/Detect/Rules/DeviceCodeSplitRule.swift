/// `root-device-code-split`: a session with a device-code authentication that is used from two
/// IPs or two clients: the code was entered by the victim and redeemed by someone else
/// (detections.md §3.3; EL-DC, RP-DCP, MS-2372). High; allow-listed (user, app) pairs — admins
/// using Azure CLI or Graph PowerShell on a jump host — are capped at low by the detector.
struct DeviceCodeSplitRule: SessionRule {
    let id = "root-device-code-split"
    let family = FindingFamily.deviceCodeRoot

    func evaluate(_ view: SessionView) -> [RawFinding] {
        let graph = view.graph
        let signIns = view.session.nodes.filter { graph.nodes[Int($0)].kind == .root || graph.nodes[Int($0)].kind == .signIn }
        let deviceCode = signIns.filter { node in
            guard let event = view.event(node) else { return false }
            return event.authProtocol?.lowercased() == "devicecode" || event.originalTransferMethod?.lowercased() == "devicecodeflow"
        }
        guard !deviceCode.isEmpty else { return [] }
        var ips = Set<String>()
        var clients = Set<String>()
        for node in view.session.nodes where graph.nodes[Int(node)].kind != .token && graph.nodes[Int(node)].kind != .session {
            if let ip = graph.nodes[Int(node)].context.ipAddress { ips.insert(ip) }
            let family = graph.client(of: node)
            if family != "empty" { clients.insert(family) }
        }
        guard ips.count >= 2 || clients.count >= 2 else { return [] }
        let deviceCodeNodes = Set(deviceCode)
        let others = signIns.filter { !deviceCodeNodes.contains($0) && graph.nodes[Int($0)].context.ipAddress != graph.nodes[Int(deviceCode[0])].context.ipAddress }
        return [RawFinding(
            rule: id, family: family, severity: .high, session: view.index, branch: graph.nodes[Int(deviceCode[0])].branch,
            nodes: deviceCode + others,
            summary: "Session \(view.session.sessionId) of \(view.user() ?? "unknown user") began with a device-code sign-in and was used from \(ips.count) IP addresses and \(clients.count) clients.",
            reason: "device-code sign-in at \(graph.nodes[Int(deviceCode[0])].time.iso8601); IPs \(ips.sorted().prefix(5).joined(separator: ", ")); clients \(clients.sorted().joined(separator: ", "))")]
    }
}
