import Foundation

/// Benign behaviour of one user over the simulated days: a laptop with several apps refreshing
/// tokens through the working day, a phone roaming between carriers, sometimes a tablet, some
/// travel and VPN use, and the workload activity each token is used for.

/// Volumes, tuned so 2,000 users × 2 weekdays give about 100k sign-ins, 128k Graph requests,
/// 36k CloudAppEvents and 36k audit records (peers/README.md).
enum Volume {
    static let laptopActivity = 0.48
    static let phoneActivity = 0.26
    static let outlookGraph = 0.30
    static let teamsGraph = 0.55
    static let teamsGraphCalls = 5...12
    static let outlookGraphCalls = 2...7
    static let webGraphCalls = 2...6
    static let mobileGraphCalls = 1...4
    static let outlookSync = 0.60
    static let outlookSend = 0.22
    static let outlookCloudApp = 0.35
    static let teamsCloudApp = 0.62
    static let teamsAudit = 0.30
    static let oneDriveAudit = 0.55
    static let oneDriveCloudApp = 0.35
    static let webAudit = 0.55
    static let webCloudApp = 0.25
    static let mobileSync = 0.55
    static let mobileTeamsCloudApp = 0.45
}

/// Where a device is on the network at a moment.
struct NetContext {
    var network: Network
    var ip: String
    /// The address Exchange and SharePoint see (IPv4 when Entra saw IPv6 on a dual-stack network).
    var workloadIP: String
    var trusted: String?
}

enum WorkMode {
    case office, home, hotel, travelling, off
}

/// Facts one user's generation hands back for the ground truth.
struct IncidentTruth {
    var number: Int
    var scenario: Scenario
    var user: String
    var userId: String
    var sessionId: String
    var victimDeviceId: String
    var rootRequestId: String
    var attackerIPs: [String]
    var attackerASNs: [Int]
    var attackerCountries: [String]
    var attackerTokens: [String]
    var attackerSignInIds: [String]
    var actions: [String]
    var start: Micros
    var end: Micros
    var families: [String]
    var note: String
}

struct BenignNote {
    var kind: String
    var user: String
    var sessionId: String
    var detail: String
}

struct UserSimulator {
    let tenant: Tenant
    let user: User
    let site: Site
    let out: ChunkEmitter
    var rng: SplitMix64

    var laptopSession: GUID?
    var phoneSession: GUID?
    var tabletSession: GUID?
    var phoneCarrier = 0
    var notedRoaming = false
    /// Sign-ins of the laptop session today: (time, network), for the travel check of incidents.
    var laptopTrail: [(Micros, Network)] = []
    /// Today's laptop root, when there was one: (time, request id, network).
    var todaysRoot: (Micros, GUID, Network)?
    var laptopDayStart: Micros = 0
    var laptopDayEnd: Micros = 0

    init(tenant: Tenant, userIndex: Int, out: ChunkEmitter) {
        self.tenant = tenant
        user = tenant.users[userIndex]
        site = Networks.sites[user.site]
        self.out = out
        rng = SplitMix64(seed: tenant.seed, stream: UInt64(userIndex), salt: 7)
    }

    // MARK: - Days

    mutating func run() {
        let plan = tenant.incidentOfUser[user.index] >= 0 ? tenant.incidents[tenant.incidentOfUser[user.index]] : nil
        for day in 0..<tenant.days {
            let dayStart = tenant.start + Micros(day) * Time.day
            let weekend = Time.weekday(dayStart) >= 5
            let incidentToday = plan?.day == day ? plan : nil
            var mode: WorkMode
            if incidentToday != nil {
                mode = incidentToday!.scenario == .aitm ? .office : (rng.chance(0.7) ? .office : .home)
            } else if user.traveller, travelDay(day) {
                mode = tenant.days == 1 ? .travelling : .hotel
            } else if weekend {
                mode = .off
            } else {
                mode = rng.chance(0.65) ? .office : .home
            }
            laptopTrail.removeAll(keepingCapacity: true)
            todaysRoot = nil
            if mode != .off || rng.chance(0.08) {
                laptopDay(dayStart: dayStart, mode: mode == .off ? .home : mode, short: mode == .off, incident: incidentToday)
            }
            if user.phone != nil { phoneDay(dayStart: dayStart, mode: mode, weekend: weekend) }
            if user.tablet != nil, rng.chance(weekend ? 0.5 : 0.3) { tabletDay(dayStart: dayStart) }
            // Background Exchange processes (empty token id); user 0 always has one, so small tenants show it.
            if rng.chance(0.05) || (user.index == 0 && day == 0) { systemMailboxRecord(dayStart: dayStart) }
            if let incident = incidentToday { attack(incident) }
        }
    }

    func travelDay(_ day: Int) -> Bool {
        tenant.days == 1 ? day == 0 : (day == 1 || day == 2)
    }

    var localOffset: Micros { Micros(site.utcOffset) * Time.hour }

    // MARK: - Networks

    mutating func officeContext(dualStack: Bool) -> NetContext {
        let office = site.office
        let v4 = office.ipv4(&rng)
        let ip = dualStack ? office.ipv6(&rng) : v4
        return NetContext(network: office, ip: ip, workloadIP: v4, trusted: "Contoso \(site.name) Office")
    }

    mutating func homeContext() -> NetContext {
        if user.usesVPN {
            let ip = site.vpn.ipv4(&rng)
            return NetContext(network: site.vpn, ip: ip, workloadIP: ip, trusted: "Contoso Zscaler Egress")
        }
        let home = site.homes[user.home]
        let ip = home.ipv4(&rng)
        return NetContext(network: home, ip: ip, workloadIP: ip, trusted: nil)
    }

    mutating func simpleContext(_ network: Network) -> NetContext {
        let ip = network.ipv4(&rng)
        return NetContext(network: network, ip: ip, workloadIP: ip, trusted: nil)
    }

    mutating func carrierContext() -> NetContext {
        if rng.chance(0.35) { phoneCarrier = 1 - phoneCarrier }
        let carrier = site.carriers[phoneCarrier]
        let v6 = phoneCarrier == 0 ? rng.chance(0.8) : rng.chance(0.15)
        let ip = v6 ? carrier.ipv6(&rng) : carrier.ipv4(&rng)
        return NetContext(network: carrier, ip: ip, workloadIP: ip, trusted: nil)
    }

    // MARK: - Sign-ins and tokens

    mutating func signIn(kind: SignInKind, time: Micros, session: GUID?, app: App, resource: Resource, context: NetContext,
                         device: DeviceDetail, agent: String, clientApp: String, incoming: String,
                         result: Int = 0, failure: String = "", authMethod: String = "Previously satisfied",
                         secondFactor: String? = nil, protection: String = "none", authProtocol: String = "none",
                         transfer: String = "none", correlation: GUID? = nil) -> SignInRow {
        let id = GUID.requestId(&rng)
        let interactive = kind == .interactive
        let lag = interactive ? rng.seconds(30...900) : rng.seconds(20...600)
        var details: String? = nil
        if result == 0 {
            details = interactive ? (secondFactor != nil ? "MFA completed in Azure AD" : "MFA requirement satisfied by claim in the token")
                : "MFA requirement satisfied by claim in the token"
        }
        let row = SignInRow(
            kind: kind, time: time, lag: lag, id: id, uti: id.uniqueTokenIdentifier,
            correlationId: correlation ?? GUID.random(&rng), originalRequestId: interactive ? id : GUID.requestId(&rng),
            sessionId: result == 0 || result == 50140 ? session : nil, principal: .user(user.index), app: app, resource: resource,
            ip: context.ip, network: context.network, device: device, userAgent: agent, clientAppUsed: clientApp,
            incomingTokenType: incoming, authProtocol: authProtocol, transferMethod: transfer, resultType: result,
            failureReason: failure, additionalDetails: details, multiFactor: interactive ? secondFactor != nil || authMethod == "Previously satisfied" : true,
            authMethod: authMethod, secondFactor: secondFactor, tokenProtection: protection, trustedLocation: context.trusted,
            credentialType: "none", processingMs: rng.int(25...240), caeToken: resource.index == Resources.exchange.index || resource.index == Resources.sharePoint.index || resource.index == Resources.graph.index)
        out.signIn(row)
        return row
    }

    mutating func mint(_ row: SignInRow, context: NetContext, agent: String) -> Token {
        Token(uti: row.uti, sessionId: row.sessionId, signInTime: row.time, issuedAt: row.time - 5 * Time.minute,
              expires: row.time + rng.minutes(60...90), ip: context.ip, workloadIP: context.workloadIP, network: context.network,
              app: row.app, deviceId: row.device.id, workloadAgent: agent)
    }

    /// A moment while the token is valid, `index` of `count` spread through its lifetime.
    mutating func useTime(_ token: Token, index: Int, count: Int) -> Micros {
        let span = token.expires - token.signInTime - 10 * Time.second
        let slot = span / Micros(max(count, 1))
        return token.signInTime + 5 * Time.second + slot * Micros(index) + rng.int64(0...max(slot - 1, 0))
    }

    // MARK: - Workload actions

    mutating func graphCalls(_ token: Token, calls: [GraphCalls.Call], count: ClosedRange<Int>, agent: String) {
        let n = rng.int(count)
        for i in 0..<n {
            let call = rng.pick(calls)
            let time = useTime(token, index: i, count: n)
            graphRequest(token, time: time, method: call.method, path: call.path, status: call.status, scopes: call.scopes, agent: agent)
        }
    }

    mutating func graphRequest(_ token: Token, time: Micros, method: String, path: String, status: Int, scopes: String, agent: String) {
        var p = path
        if p.contains("{peer}") {
            let peer = tenant.users[rng.below(tenant.users.count)]
            p = p.replacingOccurrences(of: "{peer}", with: peer.objectId.string)
        }
        if p.contains("{day}") {
            var b = ByteBuffer(capacity: 24)
            b.time(time, .isoSecondsZ)
            p = p.replacingOccurrences(of: "{day}", with: String(b.string.prefix(10)))
        }
        let call = GraphCall(
            time: time, requestId: GUID.random(&rng), clientRequestId: GUID.random(&rng), method: method,
            uri: "https://graph.microsoft.com" + p, apiVersion: p.hasPrefix("/beta") ? "beta" : "v1.0", status: status,
            durationMs: rng.int(18...900), responseSize: status == 204 ? 0 : rng.int(180...48000), ip: token.ip,
            userAgent: agent, appId: token.app.id, principal: .user(user.index), uti: token.uti, sessionId: token.sessionId,
            deviceId: token.deviceId, tokenIssuedAt: token.issuedAt, scopes: scopes, roles: "", region: site.graphRegion)
        out.graph(call)
    }

    mutating func auditRecord(_ token: Token?, time: Micros, operation: String, recordType: Int, style: AccessContextStyle,
                              clientIP: String?, body: AuditBody) -> AuditRecord {
        AuditRecord(time: time, id: GUID.random(&rng), operation: operation, recordType: recordType, userIndex: user.index,
                    system: false, clientIP: clientIP, token: token, contextStyle: style, correlationId: GUID.random(&rng), body: body)
    }

    mutating func cloudAppEvent(_ audit: AuditRecord, application: String, applicationId: Int, ip: String, network: Network, agent: String, object: String) {
        let event = CloudAppEvent(audit: audit, application: application, applicationId: applicationId, ip: ip, network: network,
                                  userAgent: agent, objectName: object, reportId: randomHex(&rng, count: 40) + "_\(applicationId)",
                                  lag: rng.seconds(60...1200))
        out.cloudApp(event)
    }

    mutating func mailAccess(_ token: Token, time: Micros, accessType: String, clientInfo: String, ip: String, cloudApp: Bool) {
        let items = accessType == "Bind" ? rng.int(1...6) : rng.int(1...25)
        let record = auditRecord(token, time: time, operation: "MailItemsAccessed", recordType: 50, style: .exchange, clientIP: ip,
                                 body: .mailItemsAccessed(accessType: accessType, folder: rng.pick(Content.folders), items: items, clientInfo: clientInfo))
        if cloudApp {
            cloudAppEvent(record, application: "Microsoft Exchange Online", applicationId: 20893, ip: ip, network: token.network,
                          agent: token.workloadAgent, object: "MailItemsAccessed")
        } else {
            out.audit(record)
        }
    }

    mutating func fileRecord(_ token: Token, time: Micros, web: Bool, cloudApp: Bool) {
        let oneDrive = !web || rng.chance(0.4)
        let team = rng.pick(Content.teamSites)
        let userPath = user.upn.replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "@", with: "_")
        let siteUrl = oneDrive ? "https://contoso-my.sharepoint.com/personal/\(userPath)/" : "https://contoso.sharepoint.com/sites/\(team)/"
        let relative = oneDrive ? "Documents" : "Shared Documents"
        let ext = rng.pick(Content.fileExtensions)
        let name = "\(rng.pick(Content.fileNames)).\(ext)"
        let operation = web ? rng.weighted([("FileAccessed", 0.6), ("FilePreviewed", 0.25), ("FileDownloaded", 0.15)])
            : rng.weighted([("FileModified", 0.4), ("FileSyncDownloadedFull", 0.2), ("FileUploaded", 0.15), ("FileAccessed", 0.25)])
        let record = auditRecord(token, time: time, operation: operation, recordType: 6, style: .sharePoint, clientIP: token.workloadIP,
                                 body: .file(workload: oneDrive ? "OneDrive" : "SharePoint", siteUrl: siteUrl, relativeUrl: relative, fileName: name, ext: ext,
                                             userAgent: token.workloadAgent, managed: token.deviceId != nil))
        if cloudApp {
            cloudAppEvent(record, application: oneDrive ? "Microsoft OneDrive for Business" : "Microsoft SharePoint Online",
                          applicationId: oneDrive ? 15600 : 20892, ip: token.workloadIP, network: token.network, agent: token.workloadAgent, object: name)
        } else {
            out.audit(record)
        }
    }

    mutating func teamsRecord(_ token: Token, time: Micros, cloudApp: Bool) {
        let operation = rng.weighted([("MessageSent", 0.35), ("ChatRetrieved", 0.3), ("MessagesListed", 0.2), ("MessageRead", 0.15)])
        let oneOnOne = rng.chance(0.6)
        let thread = "19:\(randomHex(&rng, count: 32))@" + (oneOnOne ? "unq.gbl.spaces" : "thread.v2")
        let record = auditRecord(token, time: time, operation: operation, recordType: 25, style: .teams, clientIP: token.workloadIP,
                                 body: .teams(chatThread: thread, communicationType: oneOnOne ? "OneOnOne" : "GroupChat",
                                              messageId: String(time / 1000)))
        if cloudApp {
            cloudAppEvent(record, application: "Microsoft Teams", applicationId: 11394, ip: token.workloadIP, network: token.network,
                          agent: token.workloadAgent, object: thread)
        } else {
            out.audit(record)
        }
    }

    mutating func systemMailboxRecord(dayStart: Micros) {
        let record = AuditRecord(time: dayStart + rng.minutes(0...1439), id: GUID.random(&rng), operation: "Set-Mailbox", recordType: 1,
                                 userIndex: user.index, system: true, clientIP: nil, token: nil, contextStyle: .systemEmpty,
                                 correlationId: GUID.random(&rng), body: .setMailbox)
        out.audit(record)
    }

    // MARK: - Laptop

    var laptopBrowserAgent: String { user.laptop.kind == .windows ? Agents.edgeWindows : Agents.safariMac }

    mutating func laptopDay(dayStart: Micros, mode: WorkMode, short: Bool, incident: IncidentPlan?) {
        let windows = user.laptop.kind == .windows
        let device = user.laptop.detail
        let start = dayStart - localOffset + rng.minutes(450...570)
        let end = short ? start + rng.minutes(60...150) : start + rng.minutes(480...570)
        laptopDayStart = start
        laptopDayEnd = end

        // Where the laptop is through the day.
        var segments: [(from: Micros, to: Micros, context: NetContext)] = []
        switch mode {
        case .office:
            segments = [(start, end, officeContext(dualStack: user.dualStack))]
        case .home, .off:
            segments = [(start, end, homeContext())]
        case .hotel:
            let (hotel, _) = site.travel[user.index % site.travel.count]
            segments = [(start, end + rng.minutes(60...120), simpleContext(hotel))]
        case .travelling:
            let (hotel, minimum) = site.travel[user.index % site.travel.count]
            let leave = start + rng.minutes(80...140)
            let arrive = leave + minimum + rng.minutes(20...60)
            segments = [(start, leave, officeContext(dualStack: false)), (arrive, arrive + rng.minutes(180...240), simpleContext(hotel))]
        }
        func context(at t: Micros) -> NetContext? {
            segments.first { t >= $0.from && t < $0.to }?.context
        }
        let dayEnd = segments.last!.to

        let forcedRoot = incident?.scenario == .aitm
        let keepSession = incident?.scenario == .refreshTokenReplay && laptopSession != nil
        let root = laptopSession == nil || forcedRoot || (!keepSession && mode != .hotel && !short && rng.chance(0.3))
        let first = segments[0].context
        if root {
            // A mistyped password now and then (always for user 0's first root, so small tenants show one).
            if rng.chance(0.03) || (user.index == 0 && laptopSession == nil) {
                _ = signIn(kind: .interactive, time: start - rng.seconds(20...90), session: nil, app: Apps.officeHome, resource: Resources.officeHome,
                           context: first, device: device, agent: laptopBrowserAgent, clientApp: "Browser", incoming: "none", result: 50126,
                           failure: "Invalid username or password or Invalid on-premise username or password.", authMethod: "Password")
            }
            let sid = GUID.sessionId(&rng)
            laptopSession = sid
            let row = signIn(kind: .interactive, time: start, session: sid, app: Apps.officeHome, resource: Resources.officeHome,
                             context: first, device: device, agent: laptopBrowserAgent, clientApp: "Browser", incoming: "none",
                             authMethod: "Password", secondFactor: "Mobile app notification", protection: windows ? "bound" : "none")
            todaysRoot = (start, row.id, first.network)
            laptopTrail.append((start, first.network))
        } else if windows {
            let row = signIn(kind: .nonInteractive, time: start, session: laptopSession, app: Apps.windowsSignIn, resource: Resources.aadGraph,
                             context: first, device: device, agent: Agents.wam, clientApp: "Mobile Apps and Desktop clients",
                             incoming: "primaryRefreshToken", protection: "bound")
            laptopTrail.append((row.time, first.network))
        }

        if user.traveller, mode == .hotel || mode == .travelling, let sid = laptopSession {
            let hotel = segments.last!.context.network
            out.benign.append(BenignNote(kind: "travel", user: user.upn, sessionId: sid.string,
                                         detail: "laptop \(device.id!.string) from \(site.office.city) (AS\(site.office.asn)) to a hotel in \(hotel.city), \(hotel.country) (AS\(hotel.asn)), \(Int(distanceKm(site.office, hotel))) km, same session and device"))
        }
        if user.usesVPN, mode == .home, let sid = laptopSession, out.benign.filter({ $0.kind == "vpn" && $0.user == user.upn }).isEmpty {
            out.benign.append(BenignNote(kind: "vpn", user: user.upn, sessionId: sid.string, detail: "works from home through the corporate VPN egress AS\(site.vpn.asn) (trusted named location)"))
        }

        // The apps, each refreshing its token about hourly while in use.
        var apps: [Int] = []
        if user.outlook { apps.append(0) }
        if user.teams { apps.append(1) }
        if user.oneDrive { apps.append(2) }
        if user.web { apps.append(3) }
        for app in apps {
            var t = start + rng.minutes(0.5...12)
            var firstCycle = true
            while t < dayEnd {
                if let ctx = context(at: t), firstCycle || rng.chance(Volume.laptopActivity) {
                    laptopApp(app, time: t, context: ctx, windows: windows)
                }
                firstCycle = false
                t += rng.minutes(60...75)
            }
        }
    }

    mutating func laptopApp(_ app: Int, time: Micros, context: NetContext, windows: Bool) {
        let device = user.laptop.detail
        let sid = laptopSession
        let brokerAgent = windows ? Agents.wam : Agents.msalMac
        let incoming = windows ? "primaryRefreshToken" : "refreshToken"
        let protection = windows ? "bound" : "none"
        let desktop = "Mobile Apps and Desktop clients"
        func record(_ row: SignInRow, _ sim: inout UserSimulator) { sim.laptopTrail.append((row.time, row.network)) }
        switch app {
        case 0:  // Outlook desktop: Exchange, sometimes Graph.
            let agent = windows ? Agents.outlookWindows : Agents.outlookMac
            let row = signIn(kind: .nonInteractive, time: time, session: sid, app: Apps.microsoftOffice, resource: Resources.exchange, context: context,
                             device: device, agent: brokerAgent, clientApp: desktop, incoming: incoming, protection: protection)
            record(row, &self)
            let token = mint(row, context: context, agent: agent)
            if rng.chance(Volume.outlookSync) {
                mailAccess(token, time: useTime(token, index: 0, count: 3), accessType: "Sync", clientInfo: "Client=MSExchangeRPC", ip: token.workloadIP, cloudApp: false)
            }
            if rng.chance(Volume.outlookSend) {
                let r = auditRecord(token, time: useTime(token, index: 1, count: 3), operation: "Send", recordType: 2, style: .exchange,
                                    clientIP: token.workloadIP, body: .send(subject: rng.pick(Content.mailSubjects)))
                out.audit(r)
            }
            if rng.chance(Volume.outlookCloudApp) {
                mailAccess(token, time: useTime(token, index: 2, count: 3), accessType: "Bind", clientInfo: "Client=MSExchangeRPC", ip: token.workloadIP, cloudApp: true)
            }
            if rng.chance(Volume.outlookGraph) {
                let g = signIn(kind: .nonInteractive, time: time + rng.seconds(1...20), session: sid, app: Apps.microsoftOffice, resource: Resources.graph,
                               context: context, device: device, agent: brokerAgent, clientApp: desktop, incoming: incoming, protection: protection)
                record(g, &self)
                graphCalls(mint(g, context: context, agent: ""), calls: GraphCalls.outlook, count: Volume.outlookGraphCalls, agent: "")
            }
        case 1:  // Teams: Teams services, often Graph.
            let agent = windows ? Agents.teamsWindows : Agents.teamsMac
            let row = signIn(kind: .nonInteractive, time: time, session: sid, app: Apps.teams, resource: Resources.teamsServices, context: context,
                             device: device, agent: brokerAgent, clientApp: desktop, incoming: incoming, protection: protection)
            record(row, &self)
            let token = mint(row, context: context, agent: agent)
            if rng.chance(Volume.teamsCloudApp) {
                let n = rng.int(1...3)
                for i in 0..<n { teamsRecord(token, time: useTime(token, index: i, count: n), cloudApp: true) }
            }
            if rng.chance(Volume.teamsAudit) { teamsRecord(token, time: useTime(token, index: 0, count: 1), cloudApp: false) }
            if rng.chance(Volume.teamsGraph) {
                let g = signIn(kind: .nonInteractive, time: time + rng.seconds(1...20), session: sid, app: Apps.teams, resource: Resources.graph,
                               context: context, device: device, agent: brokerAgent, clientApp: desktop, incoming: incoming, protection: protection)
                record(g, &self)
                graphCalls(mint(g, context: context, agent: ""), calls: GraphCalls.teams, count: Volume.teamsGraphCalls, agent: rng.chance(0.5) ? "" : agent)
            }
        case 2:  // OneDrive sync: SharePoint.
            let agent = windows ? Agents.oneDriveWindows : Agents.oneDriveMac
            let row = signIn(kind: .nonInteractive, time: time, session: sid, app: Apps.oneDrive, resource: Resources.sharePoint, context: context,
                             device: device, agent: brokerAgent, clientApp: desktop, incoming: incoming, protection: protection)
            record(row, &self)
            let token = mint(row, context: context, agent: agent)
            if rng.chance(Volume.oneDriveAudit) { fileRecord(token, time: useTime(token, index: 0, count: 2), web: false, cloudApp: false) }
            if rng.chance(Volume.oneDriveCloudApp) { fileRecord(token, time: useTime(token, index: 1, count: 2), web: false, cloudApp: true) }
        default:  // The browser: Office web apps on SharePoint, Graph, or Outlook on the web.
            let agent = laptopBrowserAgent
            let which = rng.weighted([(0, 0.45), (1, 0.35), (2, 0.2)])
            let client = which == 2 ? Apps.owa : Apps.officeHome
            let resource = which == 0 ? Resources.sharePoint : (which == 1 ? Resources.graph : Resources.exchange)
            let row = signIn(kind: .nonInteractive, time: time, session: sid, app: client, resource: resource, context: context,
                             device: device, agent: agent, clientApp: "Browser", incoming: incoming, protection: protection)
            record(row, &self)
            let token = mint(row, context: context, agent: agent)
            switch which {
            case 0:
                if rng.chance(Volume.webAudit) { fileRecord(token, time: useTime(token, index: 0, count: 2), web: true, cloudApp: false) }
                if rng.chance(Volume.webCloudApp) { fileRecord(token, time: useTime(token, index: 1, count: 2), web: true, cloudApp: true) }
            case 1:
                graphCalls(token, calls: GraphCalls.officeHome, count: Volume.webGraphCalls, agent: agent)
            default:
                if rng.chance(Volume.webAudit) {
                    mailAccess(token, time: useTime(token, index: 0, count: 1), accessType: "Bind", clientInfo: "Client=OWA;Action=ViaProxy", ip: token.workloadIP, cloudApp: false)
                }
            }
        }
    }

    // MARK: - Phone and tablet

    mutating func phoneDay(dayStart: Micros, mode: WorkMode, weekend: Bool) {
        guard let phone = user.phone else { return }
        let ios = phone.kind == .ios
        let broker = ios ? Agents.iosBroker : Agents.androidBroker
        let from = dayStart - localOffset + (weekend ? rng.minutes(480...600) : rng.minutes(400...460))
        let to = dayStart - localOffset + (weekend ? rng.minutes(1140...1260) : rng.minutes(1260...1320))
        let workFrom = dayStart - localOffset + 9 * Time.hour, workTo = dayStart - localOffset + 17 * Time.hour
        let officeDay = mode == .office
        var officeWiFi: NetContext?
        let activity = weekend ? Volume.phoneActivity * 0.6 : Volume.phoneActivity
        var carriersSeen = Set<Int>()

        func where_(_ t: Micros, _ sim: inout UserSimulator) -> NetContext {
            if officeDay, t >= workFrom, t < workTo, sim.rng.chance(0.35) {
                if officeWiFi == nil { officeWiFi = sim.officeContext(dualStack: false) }
                return officeWiFi!
            }
            return sim.carrierContext()
        }

        if phoneSession == nil {
            let ctx = where_(from, &self)
            let sid = GUID.sessionId(&rng)
            phoneSession = sid
            let row = signIn(kind: .interactive, time: from, session: sid, app: Apps.outlookMobile, resource: Resources.exchange, context: ctx,
                             device: phone.detail, agent: broker, clientApp: "Mobile Apps and Desktop clients", incoming: "none",
                             authMethod: "Password", secondFactor: "Mobile app notification")
            _ = mint(row, context: ctx, agent: ios ? Agents.outlookIOS : Agents.outlookAndroid)
        }
        for app in 0..<(user.teams ? 2 : 1) {
            var t = from + rng.minutes(1...30)
            while t < to {
                if rng.chance(activity) {
                    let ctx = where_(t, &self)
                    if ctx.network.kind == .mobile { carriersSeen.insert(ctx.network.asn) }
                    if rng.chance(0.004) {
                        _ = signIn(kind: .nonInteractive, time: t - rng.seconds(5...60), session: nil, app: app == 0 ? Apps.outlookMobile : Apps.teams,
                                   resource: app == 0 ? Resources.exchange : Resources.teamsServices, context: ctx, device: phone.detail, agent: broker,
                                   clientApp: "Mobile Apps and Desktop clients", incoming: "refreshToken", result: 50058,
                                   failure: "Silent sign-in request failed. The user account doesn't exist in the directory or the session is invalid.")
                    }
                    if app == 0 {
                        let row = signIn(kind: .nonInteractive, time: t, session: phoneSession, app: Apps.outlookMobile, resource: Resources.exchange,
                                         context: ctx, device: phone.detail, agent: broker, clientApp: "Mobile Apps and Desktop clients", incoming: "refreshToken")
                        var token = mint(row, context: ctx, agent: ios ? Agents.outlookIOS : Agents.outlookAndroid)
                        if rng.chance(Volume.mobileSync) {
                            // Outlook mobile syncs through Microsoft's service: Exchange sees an AS8075 address.
                            let serviceIP = Networks.outlookService.ipv4(&rng)
                            token.network = Networks.outlookService
                            mailAccess(token, time: useTime(token, index: 0, count: 1), accessType: "Sync",
                                       clientInfo: ios ? "Client=OutlookService;Outlook-iOS/2.0;" : "Client=OutlookService;Outlook-Android/2.0;",
                                       ip: serviceIP, cloudApp: false)
                        }
                    } else {
                        let agent = ios ? Agents.teamsIOS : Agents.teamsAndroid
                        let row = signIn(kind: .nonInteractive, time: t, session: phoneSession, app: Apps.teams, resource: Resources.teamsServices,
                                         context: ctx, device: phone.detail, agent: broker, clientApp: "Mobile Apps and Desktop clients", incoming: "refreshToken")
                        let token = mint(row, context: ctx, agent: agent)
                        if rng.chance(Volume.mobileTeamsCloudApp) { teamsRecord(token, time: useTime(token, index: 0, count: 1), cloudApp: true) }
                        if rng.chance(0.45) {
                            let g = signIn(kind: .nonInteractive, time: t + rng.seconds(1...15), session: phoneSession, app: Apps.teams, resource: Resources.graph,
                                           context: ctx, device: phone.detail, agent: broker, clientApp: "Mobile Apps and Desktop clients", incoming: "refreshToken")
                            graphCalls(mint(g, context: ctx, agent: agent), calls: GraphCalls.mobile, count: Volume.mobileGraphCalls, agent: agent)
                        }
                    }
                }
                t += rng.minutes(60...75)
            }
        }
        if carriersSeen.count > 1, !notedRoaming, let sid = phoneSession {
            notedRoaming = true
            let asns = carriersSeen.sorted().map { "AS\($0)" }.joined(separator: ", ")
            out.benign.append(BenignNote(kind: "phone-roaming", user: user.upn, sessionId: sid.string,
                                         detail: "phone \(phone.detail.id!.string) alternates between carriers \(asns), IPv4 and IPv6, one session and device"))
        }
    }

    mutating func tabletDay(dayStart: Micros) {
        guard let tablet = user.tablet else { return }
        let ctx = simpleContext(site.homes[user.home])
        var t = dayStart - localOffset + rng.minutes(1140...1260)
        if tabletSession == nil {
            let sid = GUID.sessionId(&rng)
            tabletSession = sid
            _ = signIn(kind: .interactive, time: t, session: sid, app: Apps.outlookMobile, resource: Resources.exchange, context: ctx,
                       device: tablet.detail, agent: Agents.iosBroker, clientApp: "Mobile Apps and Desktop clients", incoming: "none",
                       authMethod: "Password", secondFactor: "Mobile app notification")
            t += rng.minutes(2...10)
        }
        for _ in 0..<rng.int(1...2) {
            let row = signIn(kind: .nonInteractive, time: t, session: tabletSession, app: Apps.outlookMobile, resource: Resources.exchange,
                             context: ctx, device: tablet.detail, agent: Agents.iosBroker, clientApp: "Mobile Apps and Desktop clients", incoming: "refreshToken")
            let token = mint(row, context: ctx, agent: Agents.outlookIOS)
            if rng.chance(0.4) {
                mailAccess(token, time: useTime(token, index: 0, count: 1), accessType: "Sync", clientInfo: "Client=OutlookService;Outlook-iOS/2.0;",
                           ip: Networks.outlookService.ipv4(&rng), cloudApp: false)
            }
            t += rng.minutes(60...75)
        }
    }
}
