import Foundation

/// The planted attacks (detections.md §5), laid over the victim's ordinary day.
extension UserSimulator {
    mutating func attack(_ plan: IncidentPlan) {
        switch plan.scenario {
        case .aitm: aitm(plan)
        case .refreshTokenReplay: refreshTokenReplay(plan)
        case .deviceCode: deviceCode(plan)
        }
    }

    /// A `ip:port` as Exchange admin records write it.
    mutating func withPort(_ ip: String) -> String {
        ip.contains(":") ? "[\(ip)]:\(rng.int(30000...65000))" : "\(ip):\(rng.int(30000...65000))"
    }

    /// Whether consecutive sign-ins of the session (victim and attacker merged in time order)
    /// jump ≥ 500 km faster than 800 km/h (the EL-TRAVEL thresholds of detections.md §3.1).
    func impossibleTravel(_ victim: [(Micros, Network)], _ attacker: [(Micros, Network)]) -> Bool {
        let all = (victim.map { ($0.0, $0.1, false) } + attacker.map { ($0.0, $0.1, true) }).sorted { $0.0 < $1.0 }
        guard all.count > 1 else { return false }
        for i in 1..<all.count where all[i].2 != all[i - 1].2 {
            let km = distanceKm(all[i - 1].1, all[i].1)
            let hours = max(Double(all[i].0 - all[i - 1].0) / Double(Time.hour), 1.0 / 3600)
            if km >= 500, km / hours >= 800 { return true }
        }
        return false
    }

    func families(_ base: [String], travel: Bool) -> [String] {
        (travel ? base + ["impossible-travel"] : base).sorted()
    }

    // MARK: S1

    mutating func aitm(_ plan: IncidentPlan) {
        guard let root = todaysRoot, let sid = laptopSession else { return }
        let attacker = plan.attacker
        let ip = attacker.ipv4(&rng)
        let ctx = NetContext(network: attacker, ip: ip, workloadIP: ip, trusted: nil)
        let device = DeviceDetail.unregistered(os: "MacOs", browser: "Chrome 124.0.0")
        let agent = Agents.attackerChromeMac
        var trail: [(Micros, Network)] = []
        var tokens: [String] = [], ids: [String] = [], actions: [String] = []

        // The replayed session cookie: Outlook on the web, then Graph, minutes after the root.
        let t1 = root.0 + rng.minutes(3...8)
        let a1 = signIn(kind: .nonInteractive, time: t1, session: sid, app: Apps.owa, resource: Resources.exchange, context: ctx,
                        device: device, agent: agent, clientApp: "Browser", incoming: "none", protection: "unbound")
        let exo = mint(a1, context: ctx, agent: agent)
        let t2 = t1 + rng.seconds(40...120)
        let a2 = signIn(kind: .nonInteractive, time: t2, session: sid, app: Apps.officeHome, resource: Resources.graph, context: ctx,
                        device: device, agent: agent, clientApp: "Browser", incoming: "none", protection: "unbound")
        let graph = mint(a2, context: ctx, agent: agent)
        for row in [a1, a2] { trail.append((row.time, attacker)); tokens.append(row.uti); ids.append(row.id.string) }

        // BEC inbox rule: hide replies about invoices.
        let deleting = plan.number % 2 == 1
        var parameters: [(String, String)] = [("AlwaysDeleteOutlookRulesBlob", "False"), ("Force", "False"), ("Name", rng.pick([".", "..", "RSS", "Clean"])),
                                              ("SubjectContainsWords", "invoice")]
        parameters += deleting ? [("DeleteMessage", "True")] : [("MoveToFolder", "RSS Subscriptions"), ("MarkAsRead", "True")]
        parameters.append(("StopProcessingRules", "True"))
        let ruleTime = t1 + rng.minutes(1...3)
        out.audit(auditRecord(exo, time: ruleTime, operation: "New-InboxRule", recordType: 1, style: .exchangeLegacy, clientIP: withPort(ip),
                              body: .newInboxRule(name: parameters[2].1, parameters: parameters)))
        actions.append("New-InboxRule \(deleting ? "DeleteMessage" : "MoveToFolder") SubjectContainsWords=invoice")

        // Reconnaissance through Graph.
        let recon: [(String, String)] = [("GET", "/v1.0/me"), ("GET", "/v1.0/users?$top=999"), ("GET", "/v1.0/me/messages?$top=50"),
                                         ("GET", "/v1.0/me/mailFolders/inbox/messages?$search=\"invoice\""), ("GET", "/v1.0/organization"),
                                         ("GET", "/v1.0/me/memberOf")]
        var t = t2 + rng.seconds(10...40)
        for (method, path) in recon {
            graphRequest(graph, time: t, method: method, path: path, status: 200, scopes: "Files.ReadWrite.All Mail.ReadWrite User.Read.All", agent: agent)
            actions.append("\(method) \(path)")
            t += rng.seconds(15...70)
        }

        // Bulk mail reads.
        let reads = rng.int(3...5)
        var readTime = ruleTime + rng.minutes(2...4)
        for _ in 0..<reads {
            let record = auditRecord(exo, time: readTime, operation: "MailItemsAccessed", recordType: 50, style: .exchange, clientIP: ip,
                                     body: .mailItemsAccessed(accessType: "Bind", folder: "\\Inbox", items: rng.int(10...40), clientInfo: "Client=OWA;Action=ViaProxy"))
            out.audit(record)
            readTime += rng.minutes(2...5)
        }
        mailAccess(exo, time: readTime, accessType: "Bind", clientInfo: "Client=OWA;Action=ViaProxy", ip: ip, cloudApp: true)
        actions.append("MailItemsAccessed Bind ×\(reads + 1)")

        // The attacker keeps the session alive an hour later.
        let a3 = signIn(kind: .nonInteractive, time: t1 + rng.minutes(62...70), session: sid, app: Apps.owa, resource: Resources.exchange, context: ctx,
                        device: device, agent: agent, clientApp: "Browser", incoming: "none", protection: "unbound")
        let later = mint(a3, context: ctx, agent: agent)
        mailAccess(later, time: a3.time + rng.minutes(1...4), accessType: "Bind", clientInfo: "Client=OWA;Action=ViaProxy", ip: ip, cloudApp: false)
        trail.append((a3.time, attacker)); tokens.append(a3.uti); ids.append(a3.id.string)

        let travel = impossibleTravel(laptopTrail, trail)
        out.incidents.append(IncidentTruth(
            number: plan.number, scenario: plan.scenario, user: user.upn, userId: user.objectId.string, sessionId: sid.string,
            victimDeviceId: user.laptop.detail.id!.string, rootRequestId: root.1.string, attackerIPs: [ip], attackerASNs: [attacker.asn],
            attackerCountries: [attacker.country], attackerTokens: tokens, attackerSignInIds: ids, actions: actions,
            start: t1, end: max(readTime, a3.time + 5 * Time.minute), families: families(["context-divergence", "risky-action"], travel: travel),
            note: "victim's interactive OfficeHome root from the \(site.name) office (AS\(site.office.asn)); \(Int((t1 - root.0) / Time.second)) s later the stolen session cookie is replayed from AS\(attacker.asn) \(attacker.city), \(attacker.country) with no device id and another browser"))
    }

    // MARK: S2

    mutating func refreshTokenReplay(_ plan: IncidentPlan) {
        guard let sid = laptopSession else { return }
        let attacker = plan.attacker
        let ip = attacker.ipv4(&rng)
        let ctx = NetContext(network: attacker, ip: ip, workloadIP: ip, trusted: nil)
        let device = DeviceDetail.unregistered(os: "", browser: "Python Requests 2.31")
        let agent = Agents.pythonRequests
        var trail: [(Micros, Network)] = []
        var tokens: [String] = [], ids: [String] = [], actions: [String] = []

        let tx = laptopDayStart + rng.minutes(150...280)
        let b1 = signIn(kind: .nonInteractive, time: tx, session: sid, app: Apps.microsoftOffice, resource: Resources.graph, context: ctx,
                        device: device, agent: agent, clientApp: "Mobile Apps and Desktop clients", incoming: "refreshToken", protection: "unbound")
        var graph = mint(b1, context: ctx, agent: agent)
        graph.expires = tx + 70 * Time.minute
        let recon = ["/v1.0/me/messages?$search=\"password\"", "/v1.0/users?$top=999", "/v1.0/me/memberOf/microsoft.graph.directoryRole",
                     "/v1.0/organization", "/v1.0/subscribedSkus"]
        var t = tx + rng.seconds(30...70)
        for path in recon {
            graphRequest(graph, time: t, method: "GET", path: path, status: 200, scopes: "AuditLog.Read.All Mail.ReadWrite User.Read.All Directory.Read.All", agent: agent)
            actions.append("GET \(path)")
            t += rng.seconds(20...50)
        }
        let pages = rng.int(3...6)
        for page in 1...pages {
            t += rng.minutes(2...4)
            graphRequest(graph, time: t, method: "GET", path: "/v1.0/me/messages?$top=100&$skip=\(page * 100)", status: 200,
                         scopes: "AuditLog.Read.All Mail.ReadWrite User.Read.All Directory.Read.All", agent: agent)
        }
        actions.append("GET /v1.0/me/messages?$top=100 ×\(pages)")
        for _ in 0..<2 {
            let record = auditRecord(graph, time: tx + rng.minutes(2...20), operation: "MailItemsAccessed", recordType: 50, style: .exchange, clientIP: ip,
                                     body: .mailItemsAccessed(accessType: "Bind", folder: "\\Inbox", items: rng.int(20...60), clientInfo: "Client=REST;Client=RESTSystem;;"))
            out.audit(record)
        }
        actions.append("MailItemsAccessed Bind ×2 (via Graph)")
        let b2 = signIn(kind: .nonInteractive, time: tx + rng.minutes(5...8), session: sid, app: Apps.azureCLI, resource: Resources.aadGraph, context: ctx,
                        device: device, agent: agent, clientApp: "Mobile Apps and Desktop clients", incoming: "refreshToken", protection: "unbound")
        let b3 = signIn(kind: .nonInteractive, time: tx + rng.minutes(70...80), session: sid, app: Apps.microsoftOffice, resource: Resources.graph, context: ctx,
                        device: device, agent: agent, clientApp: "Mobile Apps and Desktop clients", incoming: "refreshToken", protection: "unbound")
        let again = mint(b3, context: ctx, agent: agent)
        graphRequest(again, time: b3.time + rng.seconds(20...60), method: "GET", path: "/v1.0/users?$select=displayName,mail,jobTitle&$top=999",
                     status: 200, scopes: "AuditLog.Read.All Mail.ReadWrite User.Read.All Directory.Read.All", agent: agent)
        for row in [b1, b2, b3] { trail.append((row.time, attacker)); tokens.append(row.uti); ids.append(row.id.string) }

        let travel = impossibleTravel(laptopTrail, trail)
        out.incidents.append(IncidentTruth(
            number: plan.number, scenario: plan.scenario, user: user.upn, userId: user.objectId.string, sessionId: sid.string,
            victimDeviceId: user.laptop.detail.id!.string, rootRequestId: "", attackerIPs: [ip], attackerASNs: [attacker.asn],
            attackerCountries: [attacker.country], attackerTokens: tokens, attackerSignInIds: ids, actions: actions,
            start: tx, end: b3.time + 2 * Time.minute,
            families: families(["context-divergence", "risky-action", "token-replay"], travel: travel),
            note: "refresh token of the victim's laptop session redeemed from AS\(attacker.asn) \(attacker.city), \(attacker.country) by python-requests (no device, unbound), FOCI switch to Azure CLI, Graph recon; the victim keeps refreshing from \(site.name) in between"))
    }

    // MARK: S3

    mutating func deviceCode(_ plan: IncidentPlan) {
        let attacker = plan.attacker
        let ip = attacker.ipv4(&rng)
        let ctx = NetContext(network: attacker, ip: ip, workloadIP: ip, trusted: nil)
        let victimContext = NetContext(network: laptopTrail.last?.1 ?? site.office, ip: "", workloadIP: "", trusted: nil)
        // The victim enters the code in their own browser, from where they work.
        var victim = victimContext
        victim.ip = victim.network.ipv4(&rng)
        victim.workloadIP = victim.ip
        if victim.network.kind == .office || victim.network.kind == .vpn {
            victim.trusted = victim.network.kind == .office ? "Contoso \(site.name) Office" : "Contoso Zscaler Egress"
        }
        let laptop = user.laptop.detail
        let python = Agents.pythonRequests32
        var trail: [(Micros, Network)] = []
        var tokens: [String] = [], ids: [String] = [], actions: [String] = []

        let t0 = laptopDayStart + rng.minutes(240...360)
        let correlation = GUID.random(&rng)
        _ = signIn(kind: .interactive, time: t0, session: nil, app: Apps.broker, resource: Resources.graph, context: victim, device: laptop,
                   agent: Agents.edgeWindows, clientApp: "Mobile Apps and Desktop clients", incoming: "none", result: 50199,
                   failure: "For security reasons, user confirmation is required for this request. Please repeat the request allowing user interaction.",
                   authMethod: "Password", authProtocol: "deviceCode", transfer: "deviceCodeFlow", correlation: correlation)
        let sid = GUID.sessionId(&rng)
        let c1 = signIn(kind: .interactive, time: t0 + rng.seconds(15...40), session: sid, app: Apps.broker, resource: Resources.graph, context: victim,
                        device: laptop, agent: Agents.edgeWindows, clientApp: "Mobile Apps and Desktop clients", incoming: "none",
                        authMethod: "Password", secondFactor: "Mobile app notification", authProtocol: "deviceCode", transfer: "deviceCodeFlow",
                        correlation: correlation)
        // The polling client redeems the code: same session, the victim's device id, a script.
        let c2 = signIn(kind: .nonInteractive, time: c1.time + rng.seconds(3...8), session: sid, app: Apps.broker, resource: Resources.graph, context: ctx,
                        device: laptop, agent: python, clientApp: "Mobile Apps and Desktop clients", incoming: "none", protection: "unbound",
                        authProtocol: "deviceCode", transfer: "deviceCodeFlow", correlation: correlation)
        let first = mint(c2, context: ctx, agent: python)
        var t = c2.time + rng.seconds(30...90)
        for path in ["/v1.0/me", "/v1.0/me/messages?$search=\"admin credentials\"", "/v1.0/users?$top=999"] {
            graphRequest(first, time: t, method: "GET", path: path, status: 200, scopes: "openid profile offline_access User.Read Mail.Read", agent: python)
            actions.append("GET \(path)")
            t += rng.seconds(20...90)
        }
        // Device registration with the refresh token, then a PRT for the new device.
        let c3 = signIn(kind: .nonInteractive, time: c2.time + rng.minutes(5...7), session: sid, app: Apps.broker, resource: Resources.deviceRegistration,
                        context: ctx, device: .unregistered(os: "", browser: ""), agent: python, clientApp: "Mobile Apps and Desktop clients",
                        incoming: "refreshToken", protection: "unbound")
        var r = rng
        let newDevice = GUID.random(&r)
        let deviceObject = GUID.random(&r)
        rng = r
        let hostname = "DESKTOP-\(randomHex(&rng, count: 7, upper: true))"
        out.audit(AuditRecord(time: c3.time + rng.seconds(20...60), id: GUID.random(&rng), operation: "Add device.", recordType: 8, userIndex: user.index,
                              system: false, clientIP: ip, token: nil, contextStyle: .none, correlationId: c3.correlationId,
                              body: .addDevice(deviceObjectId: deviceObject, deviceId: newDevice, displayName: hostname, osVersion: "10.0.19045.2006", requestId: c3.id)))
        actions.append("Add device. \(hostname)")
        let rogue = DeviceDetail(id: newDevice, displayName: hostname, operatingSystem: "Windows10", browser: "Rich Client 4.61.0.0",
                                 isCompliant: false, isManaged: false, trustType: "Azure AD registered")
        let c4 = signIn(kind: .interactive, time: c3.time + rng.minutes(4...6), session: sid, app: Apps.microsoftOffice, resource: Resources.exchange, context: ctx,
                        device: rogue, agent: Agents.wam, clientApp: "Mobile Apps and Desktop clients", incoming: "primaryRefreshToken", protection: "unbound")
        let exo = mint(c4, context: ctx, agent: Agents.outlookWindows)
        let reads = rng.int(2...4)
        for i in 0..<reads {
            out.audit(auditRecord(exo, time: c4.time + rng.minutes(1...3) + Micros(i) * 3 * Time.minute, operation: "MailItemsAccessed", recordType: 50,
                                  style: .exchange, clientIP: ip,
                                  body: .mailItemsAccessed(accessType: "Bind", folder: "\\Inbox", items: rng.int(15...50), clientInfo: "Client=MSExchangeRPC")))
        }
        actions.append("MailItemsAccessed Bind ×\(reads)")
        let c5 = signIn(kind: .nonInteractive, time: c4.time + rng.minutes(1...3), session: sid, app: Apps.microsoftOffice, resource: Resources.graph, context: ctx,
                        device: rogue, agent: Agents.wam, clientApp: "Mobile Apps and Desktop clients", incoming: "primaryRefreshToken", protection: "unbound")
        let graph = mint(c5, context: ctx, agent: "")
        t = c5.time + rng.seconds(20...60)
        for path in ["/v1.0/me/messages?$search=\"admin credentials\"", "/v1.0/me/drive/root/search(q='password')", "/v1.0/users?$select=displayName,mail&$top=999"] {
            graphRequest(graph, time: t, method: "GET", path: path, status: 200, scopes: "Files.ReadWrite.All Mail.ReadWrite User.Read.All", agent: "")
            actions.append("GET \(path)")
            t += rng.seconds(30...120)
        }
        for row in [c2, c3, c4, c5] { trail.append((row.time, attacker)); tokens.append(row.uti); ids.append(row.id.string) }
        let travel = impossibleTravel([(c1.time, victim.network)], trail)
        out.incidents.append(IncidentTruth(
            number: plan.number, scenario: plan.scenario, user: user.upn, userId: user.objectId.string, sessionId: sid.string,
            victimDeviceId: laptop.id!.string, rootRequestId: c1.id.string, attackerIPs: [ip], attackerASNs: [attacker.asn],
            attackerCountries: [attacker.country], attackerTokens: tokens, attackerSignInIds: ids, actions: actions,
            start: c1.time, end: t + Time.minute,
            families: families(["context-divergence", "device-code-root", "risky-action"], travel: travel),
            note: "interactive deviceCode root (MAB → Graph) entered on the victim's laptop at AS\(victim.network.asn); the code is redeemed seconds later from AS\(attacker.asn) \(attacker.city) by python-requests, which registers device \(newDevice.string) (\(hostname)) and signs in with its PRT; same session id throughout"))
    }
}
