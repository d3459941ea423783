import Foundation

/// The synthetic organisation: users with their devices and habits, service principals, and
/// the plan of which users are attacked when. Built once, sequentially, from the seed; the
/// per-user behaviour is then generated from per-user streams, in any order.

enum DeviceKind: Sendable {
    case windows, mac, ios, android, ipad
}

/// What sign-in logs say about a device (`DeviceDetail`).
struct DeviceDetail: Sendable {
    var id: GUID?
    var displayName: String
    var operatingSystem: String
    var browser: String
    var isCompliant: Bool?
    var isManaged: Bool?
    var trustType: String

    static func unregistered(os: String, browser: String) -> DeviceDetail {
        DeviceDetail(id: nil, displayName: "", operatingSystem: os, browser: browser, isCompliant: nil, isManaged: nil, trustType: "")
    }
}

struct Device: Sendable {
    var kind: DeviceKind
    var detail: DeviceDetail
}

struct User: Sendable {
    var index: Int
    var objectId: GUID
    /// As written in the directory (`Anna.Meier@contoso.example`); sign-in logs lower-case it.
    var upnOriginal: String
    var upn: String
    var displayName: String
    /// The PUID audit records put in `UserKey`.
    var puid: String
    var mailboxGuid: GUID
    var site: Int
    var home: Int
    var laptop: Device
    var phone: Device?
    var tablet: Device?
    var usesVPN: Bool
    var traveller: Bool
    /// Office network over IPv6 for sign-ins, IPv4 seen by workloads (dual stack).
    var dualStack: Bool
    var outlook: Bool
    var teams: Bool
    var oneDrive: Bool
    var web: Bool
}

struct ServicePrincipal: Sendable {
    var index: Int
    var appId: GUID
    var objectId: GUID
    var name: String
    var network: Network
    var credentialType: String
    var credentialKeyId: GUID
    var thumbprint: String
    var roles: String
    var callsPerToken: ClosedRange<Int>
}

enum Scenario: String, Sendable {
    case aitm = "S1"
    case refreshTokenReplay = "S2"
    case deviceCode = "S3"

    var title: String {
        switch self {
        case .aitm: return "AiTM (Evilginx/Tycoon-style) cookie theft → BEC inbox rule"
        case .refreshTokenReplay: return "Refresh-token replay from a VPS (infostealer cookie/RT), FOCI switch, recon"
        case .deviceCode: return "Device-code phishing (Storm-2372 style) → device registration → PRT"
        }
    }
}

struct IncidentPlan: Sendable {
    var number: Int
    var scenario: Scenario
    var userIndex: Int
    var day: Int
    var attacker: Network
}

final class Tenant: Sendable {
    let seed: UInt64
    let tenantId: GUID
    let workspaceId: GUID
    let domain = "contoso.example"
    let onMicrosoft = "contoso.onmicrosoft.com"
    let start: Micros
    let days: Int
    let users: [User]
    let servicePrincipals: [ServicePrincipal]
    /// The tenant's service-principal object id of each resource (``Resource/index``).
    let resourceObjectIds: [GUID]
    let incidents: [IncidentPlan]
    /// Index into ``incidents`` per user, or -1.
    let incidentOfUser: [Int]

    init(seed: UInt64, userCount: Int, days: Int, start: Micros) {
        self.seed = seed
        self.start = start
        self.days = days
        var rng = SplitMix64(seed: seed, stream: 0xC0FFEE)
        tenantId = GUID.random(&rng)
        workspaceId = GUID.random(&rng)
        resourceObjectIds = (0..<Resources.count).map { _ in GUID.random(&rng) }

        var taken = Set<String>()
        var users: [User] = []
        users.reserveCapacity(userCount)
        for index in 0..<userCount {
            var u = SplitMix64(seed: seed, stream: UInt64(index), salt: 1)
            let first = u.pick(Names.first), last = u.pick(Names.last)
            var local = "\(first).\(last)"
            var n = 2
            while taken.contains(local.lowercased()) {
                local = "\(first).\(last)\(n)"
                n += 1
            }
            taken.insert(local.lowercased())
            let site = u.weighted(Networks.siteWeights)
            let upnOriginal = "\(local)@contoso.example"
            let objectId = GUID.random(&u)
            let windows = u.chance(0.85)
            let hostname = windows ? "CTS-\(randomHex(&u, count: 7, upper: true))" : "\(first)s-MacBook-Pro"
            let laptop = Device(kind: windows ? .windows : .mac, detail: DeviceDetail(
                id: GUID.random(&u), displayName: hostname,
                operatingSystem: windows ? "Windows10" : "MacOs", browser: windows ? "Edge 122.0.0" : "Safari 17.3.1",
                isCompliant: true, isManaged: true,
                trustType: windows ? (u.chance(0.6) ? "Hybrid Azure AD joined" : "Azure AD joined") : "Azure AD registered"))
            var phone: Device?
            if u.chance(0.7) {
                let ios = u.chance(0.6)
                phone = Device(kind: ios ? .ios : .android, detail: DeviceDetail(
                    id: GUID.random(&u), displayName: ios ? "iPhone" : "Pixel 7",
                    operatingSystem: ios ? "Ios" : "Android", browser: ios ? "Mobile Safari" : "Rich Client 5.1.0",
                    isCompliant: u.chance(0.8), isManaged: u.chance(0.5), trustType: "Azure AD registered"))
            }
            var tablet: Device?
            if u.chance(0.1) {
                tablet = Device(kind: .ipad, detail: DeviceDetail(
                    id: GUID.random(&u), displayName: "iPad", operatingSystem: "Ios", browser: "Mobile Safari",
                    isCompliant: false, isManaged: false, trustType: "Azure AD registered"))
            }
            // Small tenants still show every benign pattern: user 1 travels, user 3 uses the VPN.
            let traveller = userCount < 25 ? index == 1 : u.chance(0.04)
            let usesVPN = userCount < 25 ? index == 3 : u.chance(0.15)
            users.append(User(
                index: index, objectId: objectId, upnOriginal: upnOriginal, upn: upnOriginal.lowercased(),
                displayName: "\(first) \(last)", puid: "1003" + randomHex(&u, count: 12, upper: true),
                mailboxGuid: GUID.random(&u), site: site, home: u.below(2), laptop: laptop, phone: phone, tablet: tablet,
                usesVPN: usesVPN, traveller: traveller, dualStack: u.chance(0.3),
                outlook: u.chance(0.9), teams: u.chance(0.95), oneDrive: u.chance(0.8), web: u.chance(0.6)))
        }
        self.users = users

        let spNames = ["HR Sync Connector", "Backup Service", "Sentinel Data Connector", "ServiceNow Provisioning", "Payroll Export",
                       "gh-deploy", "Reporting Dashboard", "Identity Governance Bot", "Mail Archiver", "Device Inventory"]
        let spRoles = ["User.Read.All Group.Read.All", "Files.Read.All Sites.Read.All", "AuditLog.Read.All Directory.Read.All",
                       "User.ReadWrite.All Group.ReadWrite.All", "User.Read.All", "Application.Read.All",
                       "Reports.Read.All User.Read.All", "Directory.Read.All", "Mail.Read", "Device.Read.All"]
        let spCount = max(2, userCount / 200)
        var sps: [ServicePrincipal] = []
        for index in 0..<spCount {
            var s = SplitMix64(seed: seed, stream: UInt64(index), salt: 2)
            let base = spNames[index % spNames.count]
            let name = index < spNames.count ? base : "\(base) \(index / spNames.count + 1)"
            let cloud = s.pick([Networks.azureWestEurope, Networks.azureEastUS, Networks.awsVirginia])
            let credential = s.weighted([("clientSecret", 0.4), ("certificate", 0.35), ("clientAssertion", 0.25)])
            sps.append(ServicePrincipal(
                index: index, appId: GUID.random(&s), objectId: GUID.random(&s), name: name, network: cloud,
                credentialType: credential, credentialKeyId: GUID.random(&s),
                thumbprint: credential == "certificate" ? randomHex(&s, count: 40, upper: true) : "",
                roles: spRoles[index % spRoles.count], callsPerToken: 1...(2 + s.below(8))))
        }
        servicePrincipals = sps

        // Incidents: one S1 in small tenants; about one per 500 users (at least 3, cycling
        // S1, S2, S3) from 100 users up. Victims: Windows laptop users who do not travel.
        var plans: [IncidentPlan] = []
        var incidentOfUser = [Int](repeating: -1, count: userCount)
        let wanted = userCount == 0 ? 0 : (userCount < 100 ? 1 : max(3, (userCount + 250) / 500))
        var planner = SplitMix64(seed: seed, stream: 0xA77AC, salt: 3)
        let scenarios: [Scenario] = [.aitm, .refreshTokenReplay, .deviceCode]
        var attempts = 0
        while plans.count < wanted, attempts < userCount * 20 + 100 {
            attempts += 1
            let candidate = userCount < 100 ? (userCount > 2 ? 2 + planner.below(userCount - 2) : planner.below(userCount)) : planner.below(userCount)
            let user = users[candidate]
            guard incidentOfUser[candidate] < 0, user.laptop.kind == .windows || attempts > userCount * 10, !user.traveller || userCount < 3 else { continue }
            let number = plans.count
            let scenario = scenarios[number % 3]
            let day: Int
            switch scenario {
            case .aitm, .deviceCode: day = days <= 1 ? 0 : planner.below(days)
            case .refreshTokenReplay: day = days <= 1 ? 0 : 1 + planner.below(days - 1)
            }
            let site = Networks.sites[user.site]
            let attacker: Network
            switch scenario {
            case .aitm:
                attacker = planner.pick([Networks.doAmsterdam, Networks.doNewYork, Networks.awsOhio, Networks.doFrankfurt]
                    .filter { $0.country != site.office.country })
            case .refreshTokenReplay:
                attacker = planner.pick([Networks.doFrankfurt, Networks.awsFrankfurt, Networks.doAmsterdam]
                    .filter { $0.country != site.office.country })
            case .deviceCode:
                // Storm-2372 style: infrastructure near the victim, so no impossible travel.
                attacker = site.nearbyHosting
            }
            incidentOfUser[candidate] = number
            plans.append(IncidentPlan(number: number, scenario: scenario, userIndex: candidate, day: day, attacker: attacker))
        }
        incidents = plans
        self.incidentOfUser = incidentOfUser
    }

    var identityProvider: String { "https://sts.windows.net/\(tenantId.string)/" }
}
