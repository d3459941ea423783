/// `act-persistence`: a persistence action (detections.md §3.5; SN-MFA, MS-1167): security info
/// (MFA method) registered or changed, consent to an application, app credentials or an app
/// registration added, a device registered, a role assigned; in Graph, a POST to
/// `/authentication/*Methods`, `/applications`, `/oauth2PermissionGrants`, `/servicePrincipals`.
/// Medium; low on the root branch (helpdesk and admin work).
struct PersistenceActionRule: SessionRule {
    let id = "act-persistence"
    let family = FindingFamily.riskyAction
    static let auditOperations: Set<String> = [
        "user registered security info", "admin updated security info", "user changed default security info", "consent to application",
        "add service principal credentials", "update application – certificates and secrets management", "add application",
        "add device", "register device", "add member to role", "add app role assignment", "add owner to application", "add delegated permission grant",
    ]
    static let graphPaths = ["/authentication/", "/applications", "/oauth2permissiongrants", "/serviceprincipals", "/rolemanagement/directory/roleassignments", "/devices"]

    /// Whether `operation` is a catalogued persistence change, for an event from the Graph
    /// activity log (`inGraph`) or from another log.
    static func isPersistence(_ operation: String, inGraph: Bool) -> Bool {
        if inGraph {
            return (operation.hasPrefix("POST ") || operation.hasPrefix("PATCH ")) && operation.containsAnyIgnoringASCIICase(graphPaths)
        }
        // Every catalogued audit operation has a space; Exchange's CamelCase ones do not.
        guard operation.utf8.count <= 80 && operation.utf8.contains(0x20) else { return false }
        let lower = operation.lowercased()
        return auditOperations.contains(lower.hasSuffix(".") ? String(lower.dropLast()) : lower)
    }

    func evaluate(_ view: SessionView) -> [RawFinding] {
        let graph = view.graph
        let failure = FactCodes.shared.failure
        var findings: [RawFinding] = []
        for node in view.session.nodes where graph.nodes[Int(node)].kind == .action {
            guard let event = view.event(node), event.outcomeCode != failure,
                  view.input.operations.of(event).persistence(from: event.source) else { continue }
            let branch = graph.nodes[Int(node)].branch
            findings.append(RawFinding(
                rule: id, family: family, severity: branch == 0 ? .low : .medium, session: view.index, branch: branch, nodes: [node],
                summary: "\(view.user() ?? "A user") made a persistence change: \(TerminalText.safe(event.operation ?? "", limit: 120)) at \(event.time.iso8601).",
                reason: "operation \(TerminalText.safe(event.operation ?? "", limit: 160)) in branch \(branch)"))
        }
        return findings
    }
}
