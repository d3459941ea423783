import Foundation

/// Fixed reference data: well-known application ids, networks with realistic ASNs and prefixes,
/// user-agent strings, names. Nothing here is random; the tenant draws from it.

struct App: Sendable {
    let id: String
    let name: String
}

enum Apps {
    static let officeHome = App(id: "4765445b-32c6-49b0-83e6-1d93765276ca", name: "OfficeHome")
    static let microsoftOffice = App(id: "d3590ed6-52b3-4102-aeff-aad2292ab01c", name: "Microsoft Office")
    static let teams = App(id: "1fec8e78-bce4-4aaf-ab1b-5451cc387264", name: "Microsoft Teams")
    static let oneDrive = App(id: "ab9b8c07-8f02-4f72-87fa-80105867a763", name: "OneDrive SyncEngine")
    static let outlookMobile = App(id: "27922004-5251-4030-b22d-91ecd9a37ea4", name: "Outlook Mobile")
    static let authenticator = App(id: "4813382a-8fa7-425e-ab75-3b753aab3abb", name: "Microsoft Authenticator App")
    static let windowsSignIn = App(id: "38aa3b87-a06d-4817-b275-7a316988d93b", name: "Windows Sign In")
    static let owa = App(id: "00000002-0000-0ff1-ce00-000000000000", name: "Office 365 Exchange Online")
    static let broker = App(id: "29d9ed98-a469-4536-ade2-f981bc1d605e", name: "Microsoft Authentication Broker")
    static let azureCLI = App(id: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", name: "Microsoft Azure CLI")
}

struct Resource: Sendable {
    let index: Int
    let id: String
    let name: String
}

enum Resources {
    static let graph = Resource(index: 0, id: "00000003-0000-0000-c000-000000000000", name: "Microsoft Graph")
    static let exchange = Resource(index: 1, id: "00000002-0000-0ff1-ce00-000000000000", name: "Office 365 Exchange Online")
    static let sharePoint = Resource(index: 2, id: "00000003-0000-0ff1-ce00-000000000000", name: "Office 365 SharePoint Online")
    static let teamsServices = Resource(index: 3, id: "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", name: "Microsoft Teams Services")
    static let aadGraph = Resource(index: 4, id: "00000002-0000-0000-c000-000000000000", name: "Windows Azure Active Directory")
    static let deviceRegistration = Resource(index: 5, id: "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9", name: "Device Registration Service")
    static let officeHome = Resource(index: 6, id: "4765445b-32c6-49b0-83e6-1d93765276ca", name: "OfficeHome")
    static let count = 7
}

enum NetworkKind: Sendable {
    case office, home, mobile, vpn, hotel, hosting, cloud
}

/// One network: an ASN at a place, with the IPv4 and IPv6 prefixes its addresses come from.
struct Network: Sendable {
    let isp: String
    let asn: Int
    let country: String
    let state: String
    let city: String
    let latitude: Double
    let longitude: Double
    /// The first two or three octets.
    let v4: [UInt8]
    /// The first three groups, or nil when the network hands out no IPv6.
    let v6: String?
    let kind: NetworkKind

    func ipv4(_ rng: inout SplitMix64) -> String {
        var b = ByteBuffer(capacity: 16)
        for octet in v4 {
            b.uint(UInt64(octet))
            b.byte(0x2E)
        }
        if v4.count == 2 {
            b.uint(UInt64(rng.int(0...255)))
            b.byte(0x2E)
        }
        b.uint(UInt64(rng.int(2...254)))
        return b.string
    }

    func ipv6(_ rng: inout SplitMix64) -> String {
        guard let v6 else { return ipv4(&rng) }
        var b = ByteBuffer(capacity: 40)
        b.raw(v6)
        for _ in 0..<5 {
            b.byte(0x3A)
            let group = rng.next() & 0xFFFF
            var started = false
            for shift in stride(from: 12, through: 0, by: -4) {
                let nibble = Int(group >> UInt64(shift) & 15)
                if nibble != 0 || started || shift == 0 {
                    b.byte(hexDigits[nibble])
                    started = true
                }
            }
        }
        return b.string
    }
}

/// An office site: its network, its people's home ISPs and mobile carriers, its time zone.
struct Site: Sendable {
    let name: String
    let office: Network
    let homes: [Network]
    let carriers: [Network]
    let vpn: Network
    /// Hours east of UTC (early March: no daylight saving yet).
    let utcOffset: Int
    /// Where its travellers go: a hotel network abroad and the minimum door-to-door time.
    let travel: [(Network, Int64)]
    /// Hosting close to the site (same country): device-code attackers pick it (S3).
    let nearbyHosting: Network
    /// The Azure region Graph reports for this site's requests.
    let graphRegion: String
}

enum Networks {
    static let zurichOffice = Network(isp: "Swisscom (Schweiz) AG", asn: 3303, country: "CH", state: "Zurich", city: "Zurich", latitude: 47.3769, longitude: 8.5417, v4: [195, 141, 120], v6: "2001:918:ff6c", kind: .office)
    static let londonOffice = Network(isp: "British Telecommunications PLC", asn: 2856, country: "GB", state: "England", city: "London", latitude: 51.5072, longitude: -0.1276, v4: [62, 6, 150], v6: "2a00:23c8:1a04", kind: .office)
    static let bostonOffice = Network(isp: "Verizon Business", asn: 701, country: "US", state: "Massachusetts", city: "Boston", latitude: 42.3601, longitude: -71.0589, v4: [65, 196, 12], v6: "2600:4040:a1b2", kind: .office)

    static let init7 = Network(isp: "Init7 (Switzerland) Ltd.", asn: 13030, country: "CH", state: "Zurich", city: "Winterthur", latitude: 47.4988, longitude: 8.7237, v4: [77, 109], v6: "2001:1620:5a2c", kind: .home)
    static let sunriseHome = Network(isp: "Sunrise GmbH", asn: 6730, country: "CH", state: "Zurich", city: "Uster", latitude: 47.3471, longitude: 8.7209, v4: [85, 195], v6: "2a02:1205:c6a1", kind: .home)
    static let virginMedia = Network(isp: "Virgin Media Limited", asn: 5089, country: "GB", state: "England", city: "Croydon", latitude: 51.3762, longitude: -0.0982, v4: [82, 1], v6: "2a02:c7c:3f1e", kind: .home)
    static let btHome = Network(isp: "British Telecommunications PLC", asn: 2856, country: "GB", state: "England", city: "Reading", latitude: 51.4543, longitude: -0.9781, v4: [86, 150], v6: "2a00:23c5:8d12", kind: .home)
    static let comcast = Network(isp: "Comcast Cable Communications, LLC", asn: 7922, country: "US", state: "Massachusetts", city: "Cambridge", latitude: 42.3736, longitude: -71.1097, v4: [73, 61], v6: "2601:19b:4a00", kind: .home)
    static let fios = Network(isp: "Verizon Fios", asn: 701, country: "US", state: "Massachusetts", city: "Quincy", latitude: 42.2529, longitude: -71.0023, v4: [71, 174], v6: "2600:4040:5c1d", kind: .home)

    static let swisscomMobile = Network(isp: "Swisscom (Schweiz) AG", asn: 3303, country: "CH", state: "Zurich", city: "Zurich", latitude: 47.3769, longitude: 8.5417, v4: [178, 197], v6: "2a02:1210:4c3d", kind: .mobile)
    static let saltMobile = Network(isp: "Salt Mobile SA", asn: 15796, country: "CH", state: "Zurich", city: "Zurich", latitude: 47.3769, longitude: 8.5417, v4: [31, 10], v6: "2a02:aa14:c2b0", kind: .mobile)
    static let ee = Network(isp: "EE Limited", asn: 12576, country: "GB", state: "England", city: "London", latitude: 51.5072, longitude: -0.1276, v4: [31, 94], v6: "2a01:4c8:1480", kind: .mobile)
    static let vodafoneUK = Network(isp: "Vodafone Limited", asn: 25135, country: "GB", state: "England", city: "London", latitude: 51.5072, longitude: -0.1276, v4: [82, 132], v6: "2a00:1d80:3c01", kind: .mobile)
    static let tMobileUS = Network(isp: "T-Mobile USA, Inc.", asn: 21928, country: "US", state: "Massachusetts", city: "Boston", latitude: 42.3601, longitude: -71.0589, v4: [172, 56], v6: "2607:fb90:a3c2", kind: .mobile)
    static let verizonWireless = Network(isp: "Verizon Wireless", asn: 6167, country: "US", state: "Massachusetts", city: "Boston", latitude: 42.3601, longitude: -71.0589, v4: [174, 205], v6: "2600:1001:b02e", kind: .mobile)

    static let zscalerZurich = Network(isp: "Zscaler, Inc.", asn: 62044, country: "CH", state: "Zurich", city: "Zurich", latitude: 47.3769, longitude: 8.5417, v4: [165, 225, 94], v6: nil, kind: .vpn)
    static let zscalerLondon = Network(isp: "Zscaler, Inc.", asn: 62044, country: "GB", state: "England", city: "London", latitude: 51.5072, longitude: -0.1276, v4: [165, 225, 80], v6: nil, kind: .vpn)
    static let zscalerBoston = Network(isp: "Zscaler, Inc.", asn: 62044, country: "US", state: "New York", city: "New York", latitude: 40.7128, longitude: -74.0060, v4: [165, 225, 38], v6: nil, kind: .vpn)

    static let hotelLondon = Network(isp: "Virgin Media Business", asn: 5089, country: "GB", state: "England", city: "London", latitude: 51.5115, longitude: -0.1160, v4: [62, 253, 68], v6: nil, kind: .hotel)
    static let hotelParis = Network(isp: "Orange S.A.", asn: 3215, country: "FR", state: "Paris", city: "Paris", latitude: 48.8566, longitude: 2.3522, v4: [90, 84], v6: "2a01:cb00:7a1", kind: .hotel)
    static let hotelZurich = Network(isp: "Init7 (Switzerland) Ltd.", asn: 13030, country: "CH", state: "Zurich", city: "Zurich", latitude: 47.3780, longitude: 8.5402, v4: [77, 109, 140], v6: nil, kind: .hotel)
    static let hotelToronto = Network(isp: "Bell Canada", asn: 577, country: "CA", state: "Ontario", city: "Toronto", latitude: 43.6532, longitude: -79.3832, v4: [184, 144], v6: nil, kind: .hotel)

    static let doAmsterdam = Network(isp: "DigitalOcean, LLC", asn: 14061, country: "NL", state: "North Holland", city: "Amsterdam", latitude: 52.3676, longitude: 4.9041, v4: [188, 166], v6: nil, kind: .hosting)
    static let doFrankfurt = Network(isp: "DigitalOcean, LLC", asn: 14061, country: "DE", state: "Hesse", city: "Frankfurt am Main", latitude: 50.1109, longitude: 8.6821, v4: [64, 226], v6: nil, kind: .hosting)
    static let doNewYork = Network(isp: "DigitalOcean, LLC", asn: 14061, country: "US", state: "New Jersey", city: "North Bergen", latitude: 40.7930, longitude: -74.0247, v4: [159, 203], v6: nil, kind: .hosting)
    static let awsFrankfurt = Network(isp: "Amazon.com, Inc.", asn: 16509, country: "DE", state: "Hesse", city: "Frankfurt am Main", latitude: 50.1109, longitude: 8.6821, v4: [3, 120], v6: nil, kind: .hosting)
    static let awsOhio = Network(isp: "Amazon.com, Inc.", asn: 16509, country: "US", state: "Ohio", city: "Columbus", latitude: 39.9612, longitude: -82.9988, v4: [3, 140], v6: nil, kind: .hosting)
    static let m247Bucharest = Network(isp: "M247 Europe SRL", asn: 9009, country: "RO", state: "Bucuresti", city: "Bucharest", latitude: 44.4268, longitude: 26.1025, v4: [146, 70, 112], v6: nil, kind: .hosting)

    static let m247Geneva = Network(isp: "M247 Europe SRL", asn: 9009, country: "CH", state: "Geneva", city: "Geneva", latitude: 46.2044, longitude: 6.1432, v4: [146, 70, 99], v6: nil, kind: .hosting)
    static let m247Manchester = Network(isp: "M247 Europe SRL", asn: 9009, country: "GB", state: "England", city: "Manchester", latitude: 53.4808, longitude: -2.2426, v4: [146, 70, 179], v6: nil, kind: .hosting)
    static let m247NewYork = Network(isp: "M247 Europe SRL", asn: 9009, country: "US", state: "New York", city: "New York", latitude: 40.7128, longitude: -74.0060, v4: [146, 70, 183], v6: nil, kind: .hosting)

    static let azureWestEurope = Network(isp: "Microsoft Corporation", asn: 8075, country: "NL", state: "North Holland", city: "Amsterdam", latitude: 52.3676, longitude: 4.9041, v4: [20, 61], v6: nil, kind: .cloud)
    static let azureEastUS = Network(isp: "Microsoft Corporation", asn: 8075, country: "US", state: "Virginia", city: "Boydton", latitude: 36.6676, longitude: -78.3875, v4: [52, 252], v6: nil, kind: .cloud)
    static let outlookService = Network(isp: "Microsoft Corporation", asn: 8075, country: "IE", state: "Dublin", city: "Dublin", latitude: 53.3498, longitude: -6.2603, v4: [52, 98], v6: nil, kind: .cloud)
    static let awsVirginia = Network(isp: "Amazon.com, Inc.", asn: 16509, country: "US", state: "Virginia", city: "Ashburn", latitude: 39.0438, longitude: -77.4874, v4: [3, 84], v6: nil, kind: .cloud)

    static let sites: [Site] = [
        Site(name: "Zurich", office: zurichOffice, homes: [init7, sunriseHome], carriers: [swisscomMobile, saltMobile], vpn: zscalerZurich, utcOffset: 1,
             travel: [(hotelLondon, 5 * Time.hour), (hotelParis, 4 * Time.hour)], nearbyHosting: m247Geneva, graphRegion: "West Europe"),
        Site(name: "London", office: londonOffice, homes: [virginMedia, btHome], carriers: [ee, vodafoneUK], vpn: zscalerLondon, utcOffset: 0,
             travel: [(hotelZurich, 5 * Time.hour), (hotelParis, 4 * Time.hour)], nearbyHosting: m247Manchester, graphRegion: "UK South"),
        Site(name: "Boston", office: bostonOffice, homes: [comcast, fios], carriers: [tMobileUS, verizonWireless], vpn: zscalerBoston, utcOffset: -5,
             travel: [(hotelToronto, 5 * Time.hour)], nearbyHosting: m247NewYork, graphRegion: "East US"),
    ]
    /// Where users work, by weight: most in Zurich (HQ).
    static let siteWeights: [(Int, Double)] = [(0, 0.5), (1, 0.3), (2, 0.2)]
}

/// Great-circle distance in km.
func distanceKm(_ a: Network, _ b: Network) -> Double {
    let r = 6371.0
    let p1 = a.latitude * .pi / 180, p2 = b.latitude * .pi / 180
    let dp = (b.latitude - a.latitude) * .pi / 180, dl = (b.longitude - a.longitude) * .pi / 180
    let h = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2)
    return 2 * r * asin(min(1, h.squareRoot()))
}

enum Names {
    static let first = ["Anna", "Lukas", "Sophie", "Noah", "Mia", "Elias", "Laura", "David", "Lea", "Jonas", "Emma", "Luca",
                        "Sarah", "Tim", "Julia", "Marco", "Nina", "Samuel", "Lina", "Simon", "Olivia", "James", "Amelia", "Oliver",
                        "Isla", "George", "Ava", "Harry", "Grace", "Jack", "Chloe", "Thomas", "Emily", "Daniel", "Hannah", "Michael",
                        "Rachel", "Kevin", "Megan", "Ryan", "Priya", "Arjun", "Mei", "Wei", "Fatima", "Omar", "Sofia", "Mateo",
                        "Ines", "Pedro", "Yara", "Nils", "Freya", "Henrik", "Alice", "Debra", "Carlos", "Elena", "Victor", "Zoe"]
    static let last = ["Meier", "Keller", "Brunner", "Frei", "Huber", "Schmid", "Baumann", "Fischer", "Weber", "Steiner", "Gerber",
                       "Moser", "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Evans", "Thomas", "Roberts",
                       "Walker", "Wright", "Johnson", "Miller", "Davis", "Garcia", "Rodriguez", "Martinez", "Anderson", "Clark",
                       "Lewis", "Young", "Allen", "King", "Patel", "Shah", "Chen", "Wang", "Khan", "Haddad", "Rossi", "Bianchi",
                       "Silva", "Costa", "Novak", "Lindqvist", "Hansen", "Larsen", "Dubois", "Laurent", "Fontaine", "Becker",
                       "Wagner", "Hoffmann", "Kowalski", "Nowak", "Ivanova", "Okafor"]
}

enum Agents {
    static let edgeWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.92"
    static let safariMac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Safari/605.1.15"
    static let wam = "Windows-AzureAD-Authentication-Provider/1.0"
    static let outlookWindows = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)"
    static let outlookMac = "Microsoft Office/16.0 (Macintosh; Mac OS X 14.3.1; Microsoft Outlook 16.82)"
    static let teamsWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0 Teams/24033.811.2738.2546"
    static let teamsMac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Teams/24033.811.2738.2546"
    static let oneDriveWindows = "Microsoft SkyDriveSync 24.020.0128.0003 ship; Windows NT 10.0 (22631)"
    static let oneDriveMac = "Microsoft SkyDriveSync 24.020.0128.0003 ship; Mac OS X 14.3.1"
    static let msalMac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)"
    static let iosBroker = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
    static let androidBroker = "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 7 Build/UQ1A.240205.004)"
    static let outlookIOS = "Outlook-iOS/2.0"
    static let outlookAndroid = "Outlook-Android/2.0"
    static let teamsIOS = "TeamsMobile-iOS"
    static let teamsAndroid = "TeamsMobile-Android"
    static let attackerChromeMac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
    static let pythonRequests = "python-requests/2.31.0"
    static let pythonRequests32 = "python-requests/2.32.3"
}

/// Graph requests each client makes, weighted by how often.
enum GraphCalls {
    typealias Call = (method: String, path: String, status: Int, scopes: String)
    static let teams: [Call] = [
        ("GET", "/v1.0/me", 200, "User.Read Presence.ReadWrite Chat.ReadWrite Files.ReadWrite.All"),
        ("GET", "/beta/me/presence", 200, "User.Read Presence.ReadWrite Chat.ReadWrite Files.ReadWrite.All"),
        ("POST", "/beta/communications/getPresencesByUserId", 200, "User.Read Presence.ReadWrite Chat.ReadWrite Files.ReadWrite.All"),
        ("GET", "/v1.0/me/chats?$top=50", 200, "User.Read Presence.ReadWrite Chat.ReadWrite Files.ReadWrite.All"),
        ("GET", "/v1.0/me/joinedTeams", 200, "User.Read Presence.ReadWrite Chat.ReadWrite Files.ReadWrite.All"),
        ("GET", "/v1.0/users/{peer}/photo/$value", 200, "User.Read Presence.ReadWrite Chat.ReadWrite Files.ReadWrite.All"),
        ("GET", "/v1.0/users/{peer}/photo/$value", 404, "User.Read Presence.ReadWrite Chat.ReadWrite Files.ReadWrite.All"),
    ]
    static let outlook: [Call] = [
        ("GET", "/v1.0/me/mailFolders/inbox/messages?$top=25&$select=subject,from,receivedDateTime", 200, "Mail.ReadWrite Calendars.ReadWrite People.Read User.Read"),
        ("GET", "/v1.0/me/calendarView?startDateTime={day}T00:00:00Z&endDateTime={day}T23:59:59Z", 200, "Mail.ReadWrite Calendars.ReadWrite People.Read User.Read"),
        ("GET", "/v1.0/me/people?$top=10", 200, "Mail.ReadWrite Calendars.ReadWrite People.Read User.Read"),
        ("POST", "/v1.0/$batch", 200, "Mail.ReadWrite Calendars.ReadWrite People.Read User.Read"),
        ("GET", "/beta/me/findRoomLists", 200, "Mail.ReadWrite Calendars.ReadWrite People.Read User.Read"),
    ]
    static let officeHome: [Call] = [
        ("GET", "/v1.0/me/drive/recent", 200, "Files.ReadWrite.All Sites.Read.All User.Read"),
        ("GET", "/beta/me/insights/used?$top=20", 200, "Files.ReadWrite.All Sites.Read.All User.Read"),
        ("GET", "/v1.0/me?$select=displayName,mail,jobTitle", 200, "Files.ReadWrite.All Sites.Read.All User.Read"),
        ("GET", "/v1.0/me/drive/root/children", 200, "Files.ReadWrite.All Sites.Read.All User.Read"),
    ]
    static let mobile: [Call] = [
        ("GET", "/v1.0/me", 200, "User.Read Presence.Read Chat.ReadWrite"),
        ("GET", "/beta/me/presence", 200, "User.Read Presence.Read Chat.ReadWrite"),
        ("GET", "/v1.0/me/chats?$top=20", 200, "User.Read Presence.Read Chat.ReadWrite"),
    ]
    static let appOnly: [(method: String, path: String, status: Int)] = [
        ("GET", "/v1.0/users?$select=id,userPrincipalName,accountEnabled&$top=999", 200),
        ("GET", "/v1.0/groups?$top=999", 200),
        ("GET", "/v1.0/users/{user}/manager", 200),
        ("GET", "/v1.0/users/{user}/memberOf", 200),
        ("PATCH", "/v1.0/users/{user}", 204),
        ("GET", "/v1.0/devices?$top=999", 200),
        ("GET", "/v1.0/auditLogs/signIns?$top=1000", 200),
        ("GET", "/beta/security/alerts_v2?$top=50", 200),
    ]
}

enum Content {
    static let teamSites = ["Finance", "Marketing", "Engineering", "Sales", "HR", "Legal", "Operations", "Procurement"]
    static let fileNames = ["Q1 Forecast", "Board Deck", "Project Plan", "Budget 2026", "Contract Draft", "Meeting Notes",
                            "Roadmap", "Invoice Tracker", "Onboarding Checklist", "Vendor List", "Status Report", "Architecture Overview"]
    static let fileExtensions = ["xlsx", "pptx", "docx", "pdf", "docx", "xlsx"]
    static let mailSubjects = ["Re: Weekly sync", "Updated forecast", "Invoice 4471 attached", "Lunch on Thursday?", "Re: Contract review",
                               "Agenda for tomorrow", "FW: Customer feedback", "Travel booking confirmation", "Re: Budget approval"]
    static let folders = ["\\Inbox", "\\Sent Items", "\\Archive", "\\Inbox\\Projects"]
}
