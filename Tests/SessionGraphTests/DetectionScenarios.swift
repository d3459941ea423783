import Foundation
@testable import SessionGraph

// The labelled scenarios of detections.md §5 as abstract event lists (see DetectionFixtures.swift
// for the export shapes they render into). Step numbers in the comments are the catalogue's.
//
// Not expressed: S12 (eviction check) and the parts of S3/S4 that belong to rules the product
// does not implement — `prt-device-registration-chain`, `prt-replay-offbox`,
// `sess-activity-after-revocation`, `idp-risk-on-node` — so no test asserts them. Their events
// are still written where the scenario lists them (S3's "Add device." audit record, S4's
// workstation rows), so the implemented rules see the whole story.

enum DetectionScenarios {
    static let laptopD1 = "d1d1d1d1-0000-4aaa-8bbb-0000000000d1"
    static let laptopD2 = "d2d2d2d2-0000-4aaa-8bbb-0000000000d2"
    static let phoneD3 = "d3d3d3d3-0000-4aaa-8bbb-0000000000d3"
    static let workstationD5 = "d5d5d5d5-0000-4aaa-8bbb-0000000000d5"
    static let laptopD7 = "d7d7d7d7-0000-4aaa-8bbb-0000000000d7"
    static let laptopD8 = "d8d8d8d8-0000-4aaa-8bbb-0000000000d8"
    static let rogueD99 = "d9d9d9d9-0000-4aaa-8bbb-000000000099"

    static func mins(_ n: Int) -> Int { n * 60 }

    // MARK: S1 — AiTM cookie theft → BEC inbox rule (attack)

    static func s1() -> DScenario {
        var s = DScenario(tag: 0x51)
        let sid = s.sid(1)
        // 1. The proxy performs the real sign-in: OfficeHome, no device, no named location, DigitalOcean US.
        s.signIn(DTime.at("2026-03-02T09:02:10Z"), .interactive, sid: sid, net: .digitalOceanNY, device: .chromeWindows,
                 app: .officeHome, resource: .officeHome)
        // 2. The stolen cookie replayed from M247 NL, Chrome on macOS.
        let replay = s.signIn(DTime.at("2026-03-02T09:20:40Z"), .nonInteractive, sid: sid, net: .m247Amsterdam, device: .chromeMac,
                              app: .exchange, resource: .exchange)
        // 3. The BEC inbox rule, made with the replayed token.
        s.audit(DTime.at("2026-03-02T09:21:30Z"), "New-InboxRule", recordType: 1, ip: DNet.m247Amsterdam.ip, token: replay, sid: sid,
                parameters: [("Name", "."), ("SubjectOrBodyContainsWords", "invoice;payment"), ("MoveToFolder", "RSS Subscriptions"),
                             ("MarkAsRead", "True"), ("StopProcessingRules", "True")],
                extra: [("ObjectId", .s("EURPR01A001.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/contoso.onmicrosoft.com/Alice\\.")),
                        ("OriginatingServer", .s("AM0PR01MB1234 (15.20.7452.020)"))])
        // 4. MailItemsAccessed Bind, 120 items between 09:25 and 09:40.
        let start = DTime.at("2026-03-02T09:25:00Z")
        for i in 0..<120 {
            s.mailItemsAccessed(start + i * 7, ip: DNet.m247Amsterdam.ip, token: replay, sid: sid, accessType: "Bind", ua: DUA.owaMac)
        }
        return s
    }

    // MARK: S2 — Refresh-token replay from a VPS, FOCI switch, recon (attack)

    static func s2() -> DScenario {
        var s = DScenario(tag: 0x52)
        let sid = s.sid(2)
        let laptop = DDevice.edgeLaptop.registered(laptopD1, name: "LAPTOP-ALICE")
        let teams = laptop.with(ua: DUA.teamsWindows, browser: "")
        let outlook = laptop.with(ua: DUA.outlookDesktop, browser: "")
        // 1. Root: OWA in Edge on the hybrid-joined laptop, corporate egress, bound.
        s.signIn(DTime.at("2026-03-02T08:00:00Z"), .interactive, sid: sid, net: .zurichCorp, device: laptop, app: .exchange, resource: .exchange,
                 protection: "bound", trustedLocation: true)
        // 2. Refreshes for Teams and Outlook every 60–90 minutes, day 1 and day 2 (6. includes 10:05 and 10:31).
        let refreshes = ["2026-03-02T09:10:00Z", "2026-03-02T10:25:00Z", "2026-03-02T11:40:00Z", "2026-03-02T13:05:00Z",
                         "2026-03-02T14:20:00Z", "2026-03-02T15:45:00Z", "2026-03-02T17:00:00Z",
                         "2026-03-03T07:55:00Z", "2026-03-03T09:10:00Z", "2026-03-03T10:05:00Z", "2026-03-03T10:31:00Z",
                         "2026-03-03T11:50:00Z"]
        for (i, time) in refreshes.enumerated() {
            let isTeams = i % 2 == 0
            s.signIn(DTime.at(time), .nonInteractive, sid: sid, net: .zurichCorp, device: isTeams ? teams : outlook,
                     app: isTeams ? .teams : .office, resource: isTeams ? .teamsServices : .exchange, tokenType: "refreshToken",
                     protection: "bound", trustedLocation: true)
        }
        // 3. The replayed refresh token, redeemed by python-requests on DigitalOcean Frankfurt.
        let replay = s.signIn(DTime.at("2026-03-03T10:14:00Z"), .nonInteractive, sid: sid, net: .digitalOceanFrankfurt, device: .python,
                              app: .office, resource: .graph, tokenType: "refreshToken", protection: "unbound", protectionCode: 1008)
        // 4. Graph with that token: credential search, then recon, then more mail.
        let ip = DNet.digitalOceanFrankfurt.ip
        let calls: [(String, String)] = [
            ("2026-03-03T10:15:02Z", "/v1.0/me/messages?$search=%22password%22"),
            ("2026-03-03T10:15:40Z", "/v1.0/users?$top=999"),
            ("2026-03-03T10:16:20Z", "/v1.0/me/memberOf/microsoft.graph.directoryRole"),
            ("2026-03-03T10:17:00Z", "/v1.0/organization"),
            ("2026-03-03T10:17:40Z", "/v1.0/subscribedSkus"),
            ("2026-03-03T10:22:00Z", "/v1.0/me/messages?$top=50"),
            ("2026-03-03T10:28:00Z", "/v1.0/me/mailFolders/inbox/messages?$top=50&$skip=50"),
            ("2026-03-03T10:34:00Z", "/v1.0/me/mailFolders/inbox/messages?$top=50&$skip=100"),
            ("2026-03-03T10:40:00Z", "/v1.0/me/mailFolders/sentitems/messages?$top=50"),
        ]
        for (time, uri) in calls {
            s.graph(DTime.at(time), token: replay, sid: sid, ip: ip, uri: uri, ua: DUA.python31)
        }
        // 5. The refresh token exchanged into Azure CLI for the legacy AAD Graph.
        s.signIn(DTime.at("2026-03-03T10:20:00Z"), .nonInteractive, sid: sid, net: .digitalOceanFrankfurt, device: .python,
                 app: .azureCLI, resource: .aadGraph, tokenType: "refreshToken", protection: "unbound", protectionCode: 1008)
        return s
    }

    // MARK: S3 — Device-code phishing → device registration → PRT (attack)

    /// `inheritsSession`: step 6's PRT sign-in carries S3 (variant B) or a new sid S3b (variant A).
    static func s3(inheritsSession: Bool) -> DScenario {
        var s = DScenario(tag: inheritsSession ? 0x5302 : 0x5301)
        let sid = s.sid(3)
        let correlation = "c3c3c3c3-0000-4000-8000-0000000000c3"
        let victim = DDevice.edgeLaptop.registered(laptopD7, name: "LAPTOP-ALICE7", trust: "Azure AD joined")
        // 1. 14:00:05 the attacker starts the flow (a /devicecode request: no sign-in row).
        // 2. The victim enters the code: 50199 then success, same correlation id.
        s.signIn(DTime.at("2026-03-04T14:03:38Z"), .interactive, sid: sid, net: .telekomBerlin, device: victim, app: .broker, resource: .graph,
                 result: 50199, authProtocol: "deviceCode", transferMethod: "deviceCodeFlow", correlation: correlation)
        s.signIn(DTime.at("2026-03-04T14:03:40Z"), .interactive, sid: sid, net: .telekomBerlin, device: victim, app: .broker, resource: .graph,
                 authProtocol: "deviceCode", transferMethod: "deviceCodeFlow", correlation: correlation)
        // 3. The polling client redeems the code: python on M247 Frankfurt, but the victim's device id (BLURAVEN).
        let attacker = DDevice(ua: DUA.python32, id: laptopD7, name: "", os: "", browser: "", trust: "")
        s.signIn(DTime.at("2026-03-04T14:03:45Z"), .nonInteractive, sid: sid, net: .m247Frankfurt, device: attacker, app: .broker, resource: .graph,
                 protection: "unbound", protectionCode: 1008)
        // 4. MAB → DRS with the refresh token (adrs_access).
        s.signIn(DTime.at("2026-03-04T14:10:00Z"), .nonInteractive, sid: sid, net: .m247Frankfurt, device: attacker, app: .broker, resource: .drs,
                 tokenType: "refreshToken", protection: "unbound", protectionCode: 1008,
                 processing: [("Oauth Scope Info", "[\"adrs_access\"]"), ("Is CAE Token", "False")])
        // 5. The device registration (directory audit; carries no session or token id).
        s.audit(DTime.at("2026-03-04T14:11:00Z"), "Add device.", recordType: 8, workload: "AzureActiveDirectory", ip: DNet.m247Frankfurt.ip,
                token: nil, sid: nil,
                extra: [("ObjectId", .s("DESKTOP-8J2K9QX")),
                        ("Target", .a([.o([("ID", .s("DESKTOP-8J2K9QX")), ("Type", .i(1))])])),
                        ("ModifiedProperties", .a([.o([("Name", .s("DeviceOSVersion")), ("NewValue", .s("[\"10.0.19045.2006\"]")), ("OldValue", .s("[]"))])]))])
        // 6. The PRT sign-in from the new, unmanaged device D99.
        let rogue = DDevice(ua: DUA.edgeWindows, id: rogueD99, name: "DESKTOP-8J2K9QX", os: "Windows10", browser: "Edge 124.0.2478",
                            trust: "Azure AD registered", compliant: false, managed: false)
        let prtSid = inheritsSession ? sid : s.sid(0x3b)
        let prt = s.signIn(DTime.at("2026-03-04T14:15:00Z"), .interactive, sid: prtSid, net: .m247Frankfurt, device: rogue, app: .office,
                           resource: .exchange, tokenType: "primaryRefreshToken", protection: "unbound", protectionCode: 1003)
        // 7. Credential search with the PRT-derived token.
        s.graph(DTime.at("2026-03-04T14:20:00Z"), token: prt, sid: prtSid, ip: DNet.m247Frankfurt.ip,
                uri: "/v1.0/me/messages?$search=%22admin%20credentials%22", ua: DUA.python32)
        return s
    }

    // MARK: S4 — Pass-the-PRT from a compromised workstation (attack)

    static func s4() -> DScenario {
        var s = DScenario(tag: 0x54)
        let sid = s.sid(4)
        let workstation = DDevice(ua: DUA.windowsBroker, id: workstationD5, name: "WS-ALICE", os: "Windows10", browser: "",
                                  trust: "Azure AD joined", compliant: true, managed: true)
        let teams = workstation.with(ua: DUA.teamsWindows)
        // 1. Windows sign-in on the workstation and its PRT renewal.
        s.signIn(DTime.at("2026-03-05T07:50:00Z"), .interactive, sid: sid, net: .orangeParis, device: workstation, app: .windowsSignIn,
                 resource: .aadGraph, protection: "bound")
        s.signIn(DTime.at("2026-03-05T07:51:00Z"), .nonInteractive, sid: sid, net: .orangeParis, device: workstation, app: .windowsSignIn,
                 resource: .aadGraph, tokenType: "primaryRefreshToken", protection: "bound")
        // 4. The user keeps working in Teams.
        for time in ["2026-03-05T10:55:00Z", "2026-03-05T11:10:00Z", "2026-03-05T11:40:00Z"] {
            s.signIn(DTime.at(time), .nonInteractive, sid: sid, net: .orangeParis, device: teams, app: .teams, resource: .teamsServices,
                     tokenType: "primaryRefreshToken", protection: "bound")
        }
        // 2. The stolen PRT cookie redeemed by Azure CLI on an Azure VM; the device id comes with it.
        let replayDevice = DDevice(ua: DUA.trident, id: workstationD5, name: "WS-ALICE", os: "Windows10", browser: "IE 11.0",
                                   trust: "Azure AD joined", compliant: true, managed: true)
        let replay = s.signIn(DTime.at("2026-03-05T11:02:00Z"), .nonInteractive, sid: sid, net: .azureAmsterdam, device: replayDevice,
                              app: .azureCLI, resource: .graph, tokenType: "primaryRefreshToken", protection: "unbound", protectionCode: 1008)
        // 3. Recon with that token.
        let calls: [(String, String)] = [
            ("2026-03-05T11:03:00Z", "/v1.0/roleManagement/directory/roleAssignments"),
            ("2026-03-05T11:05:00Z", "/v1.0/organization"),
            ("2026-03-05T11:07:00Z", "/v1.0/users/\(DUser.alice.oid)/mailFolders"),
            ("2026-03-05T11:12:00Z", "/v1.0/users?$top=999"),
            ("2026-03-05T11:18:00Z", "/v1.0/groups?$top=999"),
            ("2026-03-05T11:24:00Z", "/v1.0/applications"),
            ("2026-03-05T11:30:00Z", "/v1.0/users?$select=id,userPrincipalName&$top=999"),
        ]
        for (time, uri) in calls {
            s.graph(DTime.at(time), token: replay, sid: sid, ip: DNet.azureAmsterdam.ip, uri: uri, ua: DUA.trident)
        }
        return s
    }

    // MARK: S5 — Laptop travel Zurich → London (benign)

    static func s5() -> DScenario {
        var s = DScenario(tag: 0x55)
        let sid = s.sid(5)
        let laptop = DDevice.edgeLaptop.registered(laptopD1, name: "LAPTOP-ALICE")
        let outlook = laptop.with(ua: DUA.outlookDesktop, browser: "")
        // 1. Root Monday at the office.
        s.signIn(DTime.at("2026-03-02T08:10:00Z"), .interactive, sid: sid, net: .zurichCorp, device: laptop, app: .officeHome,
                 resource: .officeHome, protection: "bound", trustedLocation: true)
        // 2. and 3. A working day at the office (Monday), then at a London hotel (Tuesday).
        func day(_ s: inout DScenario, _ date: String, hours: ClosedRange<Int>, net: DNet, trusted: Bool) {
            for hour in hours {
                let h = hour < 10 ? "0\(hour)" : "\(hour)"
                let outlookSignIn = s.signIn(DTime.at("\(date)T\(h):00:00Z"), .nonInteractive, sid: sid, net: net, device: outlook, app: .office,
                                             resource: .exchange, tokenType: "refreshToken", protection: "bound", trustedLocation: trusted)
                let owa = s.signIn(DTime.at("\(date)T\(h):30:00Z"), .nonInteractive, sid: sid, net: net, device: laptop, app: .exchange,
                                   resource: .exchange, tokenType: "refreshToken", protection: "bound", trustedLocation: trusted)
                s.mailItemsAccessed(DTime.at("\(date)T\(h):05:00Z"), ip: net.ip, token: outlookSignIn, sid: sid, accessType: "Sync",
                                    ua: DUA.outlookDesktopExchange, app: .office)
                if hour % 3 == 0 {
                    s.graph(DTime.at("\(date)T\(h):35:00Z"), token: owa, sid: sid, ip: net.ip, uri: "/v1.0/me/calendarView?startDateTime=\(date)", ua: "")
                }
            }
        }
        day(&s, "2026-03-02", hours: 9...17, net: .zurichCorp, trusted: true)
        // Tuesday 08:30 the first refresh from the hotel, then the day there.
        s.signIn(DTime.at("2026-03-03T08:30:00Z"), .nonInteractive, sid: sid, net: .btLondon, device: outlook, app: .office, resource: .exchange,
                 tokenType: "refreshToken", protection: "bound")
        day(&s, "2026-03-03", hours: 9...17, net: .btLondon, trusted: false)
        return s
    }

    // MARK: S6 — Phone alternating Wi-Fi and cellular, IPv4/IPv6 (benign)

    /// The Outlook mobile service's egress (AS8075; it appears on no sign-in row).
    static let outlookServiceIP = "52.98.34.17"

    static func s6(serviceRows: Bool = true) -> DScenario {
        var s = DScenario(tag: 0x56)
        let sid = s.sid(6)
        let phone = DDevice.iPhone.registered(phoneD3, name: "iPhone", trust: "Azure AD registered", compliant: true, managed: false)
        // 1. Root on the phone at home.
        s.signIn(DTime.at("2026-03-02T07:00:00Z"), .interactive, sid: sid, net: .init7Home, device: phone, app: .outlookMobile, resource: .exchange)
        // 2. Refreshes alternating cellular (IPv6) and home Wi-Fi (IPv4), every 13–35 minutes.
        let times = ["07:15", "07:28", "07:45", "08:10", "08:30", "08:50", "09:20", "09:40", "10:15", "10:35", "11:00", "11:20", "11:45", "12:00"]
        var wifiTokens: [DSignIn] = []
        var cellTokens: [DSignIn] = []
        for (i, time) in times.enumerated() {
            let cellular = i % 2 == 0
            let signIn = s.signIn(DTime.at("2026-03-02T\(time):00Z"), .nonInteractive, sid: sid, net: cellular ? .sunriseCellular : .init7Home,
                                  device: phone, app: .outlookMobile, resource: .exchange, tokenType: "refreshToken")
            if cellular { cellTokens.append(signIn) } else { wifiTokens.append(signIn) }
        }
        // 3. The Outlook mobile service syncs the mailbox from Microsoft's network with those tokens.
        if serviceRows {
            for (i, token) in zip(wifiTokens.prefix(3), cellTokens.prefix(3)).flatMap({ [$0.1, $0.0] }).enumerated() {
                s.mailItemsAccessed(token.time + 120 + i, ip: outlookServiceIP, token: token, sid: sid, accessType: "Sync",
                                    ua: DUA.outlookServiceIOS, app: .outlookMobile)
            }
        }
        return s
    }

    // MARK: S7 — Outlook + Teams + Edge on one managed laptop, dual-stack (benign)

    static let s7IPv4 = "203.0.113.77"

    static func s7() -> DScenario {
        var s = DScenario(tag: 0x57)
        let sid = s.sid(7)
        let laptop = DDevice.edgeLaptop.registered(laptopD8, name: "LAPTOP-D8", trust: "Azure AD joined")
        let outlook = laptop.with(ua: DUA.outlookDesktop, browser: "")
        let teams = laptop.with(ua: DUA.teamsWindows, browser: "")
        let oneDrive = laptop.with(ua: DUA.oneDriveWindows, browser: "")
        // 1. Root in Edge over IPv6.
        s.signIn(DTime.at("2026-03-02T08:00:00Z"), .interactive, sid: sid, net: .corpISPv6, device: laptop, app: .officeHome, resource: .officeHome,
                 protection: "bound")
        // 2. Outlook, Teams, OneDrive refreshes on the same device and IPv6 prefix.
        for (i, hour) in [8, 10, 12, 14, 16].enumerated() {
            let h = hour < 10 ? "0\(hour)" : "\(hour)"
            let net = DNet.corpISPv6.with(ip: "2001:db8:100::\(5 + i)")
            let outlookSignIn = s.signIn(DTime.at("2026-03-02T\(h):01:00Z"), .nonInteractive, sid: sid, net: net, device: outlook, app: .office,
                                         resource: .exchange, tokenType: "primaryRefreshToken", protection: "bound")
            let teamsSignIn = s.signIn(DTime.at("2026-03-02T\(h):02:00Z"), .nonInteractive, sid: sid, net: net, device: teams, app: .teams,
                                       resource: .graph, tokenType: "primaryRefreshToken", protection: "bound")
            s.signIn(DTime.at("2026-03-02T\(h):03:00Z"), .nonInteractive, sid: sid, net: net, device: oneDrive, app: .oneDrive,
                     resource: .sharePoint, tokenType: "primaryRefreshToken", protection: "bound")
            // 3. Exchange sees the Outlook token over IPv4 (ASN unknown: no sign-in row has this IP).
            s.mailItemsAccessed(DTime.at("2026-03-02T\(h):10:00Z"), ip: s7IPv4, token: outlookSignIn, sid: sid, accessType: "Sync",
                                ua: DUA.outlookDesktopExchange, app: .office)
            // 4. Graph sees the Teams token over IPv4, empty user agent.
            s.graph(DTime.at("2026-03-02T\(h):12:00Z"), token: teamsSignIn, sid: sid, ip: s7IPv4, uri: "/v1.0/me/presence", ua: "")
        }
        return s
    }

    // MARK: S8 — Corporate VPN with split tunnelling (benign)

    static func s8() -> DScenario {
        var s = DScenario(tag: 0x58)
        let sid = s.sid(8)
        let laptop = DDevice.edgeLaptop.registered(laptopD1, name: "LAPTOP-ALICE")
        // 1. Root through the VPN egress.
        s.signIn(DTime.at("2026-03-02T09:00:00Z"), .interactive, sid: sid, net: .zurichCorp, device: laptop, app: .officeHome, resource: .officeHome,
                 protection: "bound", trustedLocation: true)
        let home = DNet.homeISP.ip
        // 2. Exchange and SharePoint tokens minted at the VPN egress every hour; the workloads see
        //    the home ISP (Optimize traffic bypasses the tunnel).
        for hour in 9...15 {
            let h = hour < 10 ? "0\(hour)" : "\(hour)"
            let exo = s.signIn(DTime.at("2026-03-02T\(h):02:00Z"), .nonInteractive, sid: sid, net: .zurichCorp, device: laptop, app: .exchange,
                               resource: .exchange, tokenType: "refreshToken", protection: "bound", trustedLocation: true)
            let spo = s.signIn(DTime.at("2026-03-02T\(h):03:00Z"), .nonInteractive, sid: sid, net: .zurichCorp, device: laptop, app: .sharePoint,
                               resource: .sharePoint, tokenType: "refreshToken", protection: "bound", trustedLocation: true)
            s.mailItemsAccessed(DTime.at("2026-03-02T\(h):05:00Z"), ip: home, token: exo, sid: sid, accessType: "Bind", ua: DUA.owaEdge)
            s.mailItemsAccessed(DTime.at("2026-03-02T\(h):35:00Z"), ip: home, token: exo, sid: sid, accessType: "Bind", ua: DUA.owaEdge)
            s.audit(DTime.at("2026-03-02T\(h):20:00Z"), "FileAccessed", recordType: 6, workload: "SharePoint", ip: home, token: spo, sid: sid,
                    ua: DUA.edgeWindows,
                    extra: [("SiteUrl", .s("https://contoso.sharepoint.com/sites/finance/")), ("SourceFileName", .s("Q\(hour % 4 + 1)-report.xlsx")),
                            ("SourceFileExtension", .s("xlsx")), ("ItemType", .s("File")), ("EventSource", .s("SharePoint"))])
        }
        // The home ISP also appears on one sign-in of the laptop that day.
        s.signIn(DTime.at("2026-03-02T12:40:00Z"), .nonInteractive, sid: sid, net: .homeISP, device: laptop, app: .exchange, resource: .exchange,
                 tokenType: "refreshToken", protection: "bound")
        return s
    }

    // MARK: S9 — Admin device code for Graph PowerShell on a jump host (benign with allow-list)

    static func s9() -> DScenario {
        var s = DScenario(tag: 0x59)
        let sid = s.sid(9)
        let laptop = DDevice.edgeLaptop.registered(laptopD2, name: "LAPTOP-ADMIN")
        // 1. The admin's browser completes the device-code flow.
        s.signIn(DTime.at("2026-03-02T13:00:00Z"), .interactive, user: .admin, sid: sid, net: .zurichCorp, device: laptop, app: .graphPowerShell,
                 resource: .graph, authProtocol: "deviceCode", transferMethod: "deviceCodeFlow", trustedLocation: true)
        // 2. The jump host (Azure, tenant's own) redeems it with PowerShell.
        let jump = DDevice(ua: DUA.powerShell, id: laptopD2, name: "", os: "", browser: "", trust: "")
        let redemption = s.signIn(DTime.at("2026-03-02T13:00:30Z"), .nonInteractive, user: .admin, sid: sid, net: .azureJumpHost, device: jump,
                                  app: .graphPowerShell, resource: .graph)
        // 3. Admin work from the jump host.
        for i in 0..<10 {
            s.graph(DTime.at("2026-03-02T13:01:00Z") + i * 180, token: redemption, sid: sid, user: .admin, ip: DNet.azureJumpHost.ip,
                    uri: i % 2 == 0 ? "/v1.0/users?$top=100" : "/v1.0/groups?$top=100", ua: DUA.powerShell)
        }
        return s
    }

    static func s9Config(allowList: Bool) -> DetectionConfig {
        var config = DetectionConfig()
        config.trustedNetworks = ["203.0.113.0/24", "20.61.2.0/24"]
        if allowList {
            config.allowlist = [DetectionConfig.AllowEntry(user: "admin@contoso.com", appId: DApp.graphPowerShell.id, network: nil)]
        }
        return config
    }

    // MARK: S10 — Workload-identity token exfiltrated from CI (attack)

    static let ghDeploy = DApp(id: "9e1e0000-aaaa-4bbb-8ccc-00000000de01", name: "gh-deploy")
    static let ghDeploySP = "5e5e0000-aaaa-4bbb-8ccc-000000000001"

    static func s10() -> DScenario {
        var s = DScenario(tag: 0x5a)
        // 1. The federated-credential sign-in on the GitHub runner.
        let signIn = s.servicePrincipalSignIn(DTime.at("2026-03-02T10:00:00Z"), spId: ghDeploySP, spName: "gh-deploy", app: ghDeploy, net: .githubRunner)
        // 2. The token replayed from AWS.
        s.graph(DTime.at("2026-03-02T10:03:00Z"), token: signIn, sid: nil, user: nil, servicePrincipalId: ghDeploySP, ip: "3.3.3.3",
                uri: "/v1.0/applications", ua: "python-requests/2.31.0", app: ghDeploy)
        return s
    }

    // MARK: S11 — Graph use with no sign-in (attack) and first-party background calls (control)

    static func s11(controlCarriesSession: Bool = false) -> DScenario {
        var s = DScenario(tag: 0x5b)
        let sid = s.sid(11)
        let laptop = DDevice.edgeLaptop.registered(laptopD1, name: "LAPTOP-ALICE")
        // Alice's own session: the sign-in exports cover 15:00–17:00.
        s.signIn(DTime.at("2026-03-02T15:00:00Z"), .interactive, sid: sid, net: .zurichCorp, device: laptop, app: .officeHome, resource: .officeHome,
                 trustedLocation: true)
        for time in ["15:30", "16:00", "16:30", "17:00"] {
            s.signIn(DTime.at("2026-03-02T\(time):00Z"), .nonInteractive, sid: sid, net: .zurichCorp, device: laptop, app: .exchange,
                     resource: .exchange, tokenType: "refreshToken", trustedLocation: true)
        }
        // 1. Attack: Graph with a token and session no sign-in row mentions.
        let orphanToken = DIds.uti(for: "0b0b0b0b-1111-4222-8333-0000000000ff")
        let orphanSession = s.sid(0x1f)
        for i in 0..<6 {
            s.graph(DTime.at("2026-03-02T16:00:00Z") + i * 120, token: nil, uti: orphanToken, sid: orphanSession, ip: "45.67.8.9",
                    uri: i % 2 == 0 ? "/v1.0/me/messages?$top=100" : "/v1.0/users?$top=999", ua: DUA.python31, app: .office,
                    iat: DTime.at("2026-03-02T15:58:00Z"))
        }
        // 2. Control: Teams Services background calls from Microsoft's network, token not in the sign-ins.
        let serviceToken = DIds.uti(for: "0c0c0c0c-1111-4222-8333-0000000000ee")
        for i in 0..<4 {
            s.graph(DTime.at("2026-03-02T16:20:00Z") + i * 150, token: nil, uti: serviceToken, sid: controlCarriesSession ? sid : nil,
                    ip: "52.112.10.20", uri: "/v1.0/me/presence", ua: "", app: .teamsServices, iat: DTime.at("2026-03-02T16:10:00Z"))
        }
        return s
    }
}
