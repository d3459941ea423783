/// Microsoft's own services calling on a user's behalf (detections.md §1 "service-side nodes"):
/// an action from AS8075 by one of the first-party apps Elastic's session rule excludes, by
/// Exchange or SharePoint Online themselves, or by the Outlook mobile sync service
/// (`Client=OutlookService`). Such an action never starts a branch. Sign-ins are never
/// service-side: replay infrastructure can sit in AS8075 too.
enum ServiceSide {
    static let microsoftASN = 8075

    /// First-party app ids by their first GUID group, as catalogued in detections.md §1
    /// (Augmentation Loop, Teams Services, M365 App Catalog, OneDrive SyncEngine, People Cards,
    /// O365 Search, Bing, Edge NTP, Graph Files Manager, Outlook Mobile, Windows Search,
    /// Dataverse, Teams CMD, Office UWP PWA, Zoom, MS PIM, Power Automate Graph connector).
    static let firstPartyAppPrefixes: Set<String> = [
        "4354e225", "cc15fd57", "e8be65d6", "ab9b8c07", "394866fc", "66a88757", "9ea1ad79", "d7b530a4",
        "52c2e0b5", "27922004", "26a7ee05", "00000007", "6bc3b958", "0ec893e0", "fc108d3f", "01fc33a7", "7ab7862c",
    ]

    /// Published Microsoft 365 service ranges (Exchange Online, Teams and the common front doors, from
    /// Microsoft's "Office 365 URLs and IP address ranges"). An address in them that appears on no
    /// sign-in row, so whose ASN the data does not say, is taken to be AS8075.
    static let microsoftServiceRangeList = [
        "13.107.6.152/31", "13.107.18.10/31", "13.107.128.0/22", "23.103.160.0/20", "40.96.0.0/13", "40.104.0.0/15",
        "52.96.0.0/14", "52.112.0.0/14", "52.122.0.0/15", "131.253.33.215/32", "132.245.0.0/16", "150.171.32.0/22", "204.79.197.215/32",
        "2603:1006::/40", "2603:1016::/36", "2603:1026::/36", "2603:1036::/36", "2603:1046::/36", "2603:1056::/36",
    ]

    static let microsoftServiceRanges = NetworkList(microsoftServiceRangeList)

    /// The ASN of an address the data gives no ASN for: AS8075 inside Microsoft's service ranges.
    static func inferredASN(ip: String?) -> Int? {
        microsoftServiceRanges.contains(ip: ip, asn: nil) ? microsoftASN : nil
    }

    /// Microsoft's resource apps (Exchange Online, SharePoint Online) acting themselves.
    static let resourceApps: Set<String> = ["00000002-0000-0ff1-ce00-000000000000", "00000003-0000-0ff1-ce00-000000000000"]

    /// Exchange client strings of Microsoft's own services: the Outlook mobile sync service and
    /// Exchange's REST system calls connect from Microsoft's data centres, not from the device.
    static let serviceClients = ["client=outlookservice", "client=restsystem"]

    static func isServiceSide(_ event: Event, asn: Int?) -> Bool {
        guard event.kind == .action, asn == microsoftASN else { return false }
        if let app = event.appId, firstPartyAppPrefixes.contains(String(app.prefix(8))) || resourceApps.contains(app) { return true }
        // On the bytes, ASCII letters folded: Foundation's substring search took microseconds an
        // action, and this is asked of every action from Microsoft's network.
        guard let client = event.userAgent else { return false }
        return client.containsAnyIgnoringASCIICase(serviceClients)
    }
}
