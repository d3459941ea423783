/// `root-foci-client-switch`: a refresh token exchanged into a tooling client never used
/// interactively in the session (Azure CLI, Azure PowerShell, Graph PowerShell, AAD PowerShell,
/// VS Code) or into the legacy AAD Graph (detections.md §3.3; EL-FOCI, EL-PRTCLI) — except the
/// device's own PRT renewals by Windows Sign In / the Windows broker. Medium; high in
/// a branch other than the root's or with a PRT; low on the root branch's network and device.
struct FociClientSwitchRule: SessionRule {
    let id = "root-foci-client-switch"
    let family = FindingFamily.deviceCodeRoot
    static let toolingClients: [String: String] = [
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46": "Azure CLI", "1950a258-227b-4e31-a9cf-717495945fc2": "Azure PowerShell",
        "14d82eec-204b-4c2f-b7e8-296a70dab67e": "Graph PowerShell", "1b730954-1685-4b74-9bfd-dac224a7b894": "AAD PowerShell",
        "aebc6443-996d-45c2-90f0-388ff96faa56": "VS Code", "872cd9fa-d31f-45e0-9eab-6e460a02d1f1": "Visual Studio",
    ]
    static let legacyGraph = "00000002-0000-0000-c000-000000000000"
    /// Windows Sign In renews the device's PRT against the legacy AAD Graph all day long
    /// (EL-RT2PRT excludes it, with the Windows broker's user agent).
    static let windowsSignIn = "38aa3b87-a06d-4817-b275-7a316988d93b"

    /// Windows Sign In, or the Windows broker by its user agent, renewing the device's PRT.
    static func isDeviceRenewal(_ event: Event, app: String) -> Bool {
        app == windowsSignIn || (event.userAgent?.hasPrefixIgnoringASCIICase("windows-azuread-authentication-provider") ?? false)
    }

    func evaluate(_ view: SessionView) -> [RawFinding] {
        let failure = FactCodes.shared.failure
        let graph = view.graph
        var interactiveApps = Set<String>()
        for node in view.session.nodes {
            if let event = view.event(node), event.kind == .signIn, event.interactive == true, let app = event.appId { interactiveApps.insert(app) }
        }
        var findings: [RawFinding] = []
        var seen = Set<String>()
        // Read once a session: the global table read for each sign-in had both cores' threads
        // update its one reference count.
        let toolingClients = Self.toolingClients
        for node in view.session.nodes where graph.nodes[Int(node)].kind == .signIn {
            guard let event = view.event(node), event.interactive != true, event.outcomeCode != failure, let app = event.appId else { continue }
            let tooling = toolingClients[app]
            // The device's own renewal matters only for a legacy-Graph sign-in of another client,
            // so it is checked (and the user agent lower-cased) for those alone.
            guard tooling != nil || (event.resource == Self.legacyGraph && !Self.isDeviceRenewal(event, app: app)),
                  !interactiveApps.contains(app), seen.insert(app).inserted else { continue }
            let branch = graph.nodes[Int(node)].branch
            var severity: Severity = .medium
            if branch != 0 || event.incomingTokenType == "primaryRefreshToken" { severity = .high } else { severity = .low }
            findings.append(RawFinding(
                rule: id, family: family, severity: severity, session: view.index, branch: branch, nodes: [node],
                summary: "Session \(view.session.sessionId) of \(view.user() ?? "unknown user") redeemed a refresh token into \(tooling ?? event.appName ?? app)\(event.resource == Self.legacyGraph ? " for the legacy AAD Graph" : "").",
                reason: "client \(tooling ?? app) never signed in interactively in this session; token type \(event.incomingTokenType ?? "unknown"); branch \(branch)"))
        }
        return findings
    }
}
