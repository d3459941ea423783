/// Why a hunt could not be generated.
public enum KQLHuntError: Error, CustomStringConvertible, Equatable {
    case unknownRule(String)
    case unsupported(rule: String, dialect: KQLDialect, reason: String)

    public var description: String {
        switch self {
        case .unknownRule(let id):
            return "no hunt for rule '\(KQLString.comment(id))' (expected one of: \(KQLHunt.catalogue.map(\.id).joined(separator: ", ")))"
        case .unsupported(let rule, let dialect, let reason):
            return "rule \(rule) has no \(dialect.rawValue) hunt: \(reason)"
        }
    }
}

/// `sessiongraph kql hunt`: tenant-wide queries that return candidate session ids for the rules
/// that can be expressed in KQL, for the engine to run over months of data; the few sessions they
/// return are then collected (``KQLCollect``) and analysed offline.
///
/// Sentinel and ADX hunts build a graph of session → sign-in edges with `make-graph` and search it
/// with `graph-match` where the rule is a pattern on that graph (a sign-in whose network or country
/// differs from its session's root; a device-code sign-in and another sign-in of the same session
/// from elsewhere), and use joins where the rule links different tables (token → action, action →
/// session). Defender XDR hunts use joins only: the graph operators are not documented for
/// advanced hunting. Each query starts with a comment header: rule, reason, parameters, and the
/// `sessiongraph kql collect` command to run next; each result row carries that command for its
/// session in `CollectCommand`.
///
/// The window is explicit: `from` and `to` become `datetime(...)` literals in UTC.
public struct KQLHunt: Sendable {
    /// A hunt: the rule it looks for, what it finds, which detection rules its sessions feed.
    public struct Rule: Sendable {
        public var id: String
        public var title: String
        public var reason: String
        public var feeds: [String]
        /// Why the Defender dialect cannot express it, when it cannot.
        public var notInDefender: String?
    }

    public static let catalogue: [Rule] = [
        Rule(id: "sess-branch-new-net", title: "Session used from a network its root never used",
             reason: "a successful sign-in of the session from another network than the root sign-in's (its ASN; in Defender, which has no ASN, its IPv4 /24 or IPv6 /48): the session cookie or refresh token was replayed elsewhere (AiTM, token theft)",
             feeds: ["sess-branch-new-net", "sess-concurrent-branches", "sess-impossible-travel"]),
        Rule(id: "sess-branch-new-country", title: "Session crosses into a new country",
             reason: "a successful sign-in of the session from a country other than the root sign-in's",
             feeds: ["sess-branch-new-country", "sess-impossible-travel"]),
        Rule(id: "tok-use-ip-mismatch", title: "Access token used away from where it was issued",
             reason: "a Graph request or Microsoft 365 action made with a token (by its token id) from another network than the sign-in that minted it",
             feeds: ["tok-use-ip-mismatch"]),
        Rule(id: "root-device-code-split", title: "Device-code sign-in redeemed elsewhere",
             reason: "a session with a device-code sign-in that also signs in from another IP address or client: the code was entered by the victim and redeemed by someone else",
             feeds: ["root-device-code-split"],
             notInDefender: "EntraIdSignInEvents has no AuthenticationProtocol or OriginalTransferMethod column to recognise a device-code sign-in by; use --dialect sentinel or adx"),
        Rule(id: "act-in-divergent-session", title: "Risky action in a session that diverged",
             reason: "an inbox rule, mail forwarding or persistence change (security info, consent, app credentials, role assignment) made in a session that was also used from a network other than its root's",
             feeds: ["act-inbox-rule-hiding", "act-mail-forwarding", "act-persistence"]),
    ]

    public var rules: [String]
    public var dialect: KQLDialect
    public var from: UTCInstant
    public var to: UTCInstant

    /// `rules` empty means every hunt the dialect can express.
    public init(rules: [String] = [], dialect: KQLDialect = .sentinel, from: UTCInstant, to: UTCInstant) {
        self.rules = rules
        self.dialect = dialect
        self.from = from
        self.to = to
    }

    /// A lookback such as `7d`, `36h`, `90m` or `3600s`, in seconds; nil when it is not one
    /// (or longer than ten years).
    public static func lookbackSeconds(_ text: String) -> Int64? {
        guard let unit = text.last, let number = Int64(text.dropLast()), number > 0, text.dropLast().allSatisfy(\.isASCII) else { return nil }
        let factor: Int64
        switch unit {
        case "d": factor = 86_400
        case "h": factor = 3_600
        case "m": factor = 60
        case "s": factor = 1
        default: return nil
        }
        guard number <= 3_650 * 86_400 / factor else { return nil }
        return number * factor
    }

    /// The hunts asked for, in catalogue order when none were named.
    public func queries() throws(KQLHuntError) -> [(rule: String, query: String)] {
        var selected: [Rule] = []
        if rules.isEmpty {
            selected = Self.catalogue.filter { dialect != .defender || $0.notInDefender == nil }
        } else {
            for id in rules.uniqued() {
                guard let rule = Self.catalogue.first(where: { $0.id == id }) else { throw .unknownRule(id) }
                if dialect == .defender, let reason = rule.notInDefender {
                    throw .unsupported(rule: id, dialect: dialect, reason: reason)
                }
                selected.append(rule)
            }
        }
        return selected.map { ($0.id, query($0)) }
    }

    // MARK: Assembly

    private func query(_ rule: Rule) -> String {
        let (method, body) = self.body(rule)
        let sort: String
        switch rule.id {
        case "tok-use-ip-mismatch": sort = "FirstUse"
        case "root-device-code-split": sort = "DeviceCodeAt"
        case "act-in-divergent-session": sort = "FirstAction"
        default: sort = "FirstDivergence"
        }
        var lines = [
            "SessionGraph hunt: \(rule.id): \(rule.title)",
            "dialect:    \(dialect.title)",
            "reason:     \(rule.reason)",
            "parameters: window \(from.iso8601) .. \(to.iso8601) (UTC, lookback \(KQLText.span(from, to))); successful sign-ins only",
            "method:     \(method)",
            "feeds:      \(rule.feeds.joined(separator: ", ")) (SessionGraph's offline rules, which decide)",
            "returns:    one row per candidate session; CollectCommand holds the collect command for that session",
            "next:       \(collectCommand) --session SESSION_ID [--session SESSION_ID ...]",
            "            then: sessiongraph analyze EXPORT --out DIR",
        ]
        if dialect == .defender {
            lines.append("note:       the Defender collect output is for the portal (see its header); collect with --dialect sentinel to analyze")
        }
        return KQLText.comments(lines) + "\n" + """
            let From = \(KQLString.datetime(from));
            let To = \(KQLString.datetime(to));
            """ + "\n" + body + "\n" + """
            | extend CollectCommand = strcat(\(KQLString.literal(collectCommand + " --session ")), "'", replace_string(SessionId, "'", \(KQLString.literal("'\\''"))), "'")
            | sort by \(sort) asc
            """ + "\n"
    }

    /// The collect command for the window, without its session ids.
    private var collectCommand: String {
        "sessiongraph kql collect --dialect \(dialect.rawValue) --from \(from.iso8601) --to \(to.iso8601)"
    }

    private func body(_ rule: Rule) -> (method: String, text: String) {
        switch (dialect, rule.id) {
        case (.defender, "sess-branch-new-net"): return ("join (EntraIdSignInEvents has no ASN: a network is the IPv4 /24 or IPv6 /48)", defenderSignIns + "\n" + defenderRoots + "\n" + defenderDivergence(country: false))
        case (.defender, "sess-branch-new-country"): return ("join", defenderSignIns + "\n" + defenderRoots + "\n" + defenderDivergence(country: true))
        case (.defender, "tok-use-ip-mismatch"): return ("join (token id decoded to the minting sign-in's RequestId; network = IPv4 /24 or IPv6 /48)", defenderSignIns + "\n" + defenderTokenUse)
        case (.defender, _): return ("join", defenderSignIns + "\n" + defenderRoots + "\n" + defenderRiskyActions)
        case (_, "sess-branch-new-net"): return ("make-graph / graph-match over session → sign-in edges", signIns + "\n" + roots + "\n" + divergenceGraph(country: false))
        case (_, "sess-branch-new-country"): return ("make-graph / graph-match over session → sign-in edges", signIns + "\n" + roots + "\n" + divergenceGraph(country: true))
        case (_, "tok-use-ip-mismatch"): return ("join of token ids (SignInActivityId, AppAccessContext.UniqueTokenId) to UniqueTokenIdentifier; network = IPv4 /24 or IPv6 /48", signIns + "\n" + tokenUse)
        case (_, "root-device-code-split"): return ("make-graph / graph-match over session → sign-in edges", signIns + "\n" + deviceCodeGraph)
        default: return ("join of actions to sessions by session id or token id", signIns + "\n" + roots + "\n" + riskyActions)
        }
    }

    // MARK: Sentinel and ADX

    private var signInColumns: [String] {
        [
            "SessionId", "Id", "CreatedDateTime", "IsInteractive", "ResultType = tostring(ResultType)", "User = UserPrincipalName",
            "IPAddress", "Asn = tolong(AutonomousSystemNumber)", "Country = Location", "App = AppDisplayName", "UserAgent",
            "UniqueTokenIdentifier", "AuthenticationProtocol", "OriginalTransferMethod",
        ]
    }

    /// Successful user sign-ins with a session id, from both user sign-in tables; each leg projects
    /// first so the union has one column of one type for each (the tables type some columns
    /// differently).
    private var signIns: String {
        let legs = ["SigninLogs", "AADNonInteractiveUserSignInLogs"].map { table in
            "(\(table)\n    | where TimeGenerated between (From .. To)\n" + KQLText.wrapped("    | project ", signInColumns, indent: "        ") + ")"
        }
        return """
            // Successful user sign-ins (interactive and non-interactive) that carry a session id.
            let SignIns = materialize(union
            \(KQLText.indented(legs.joined(separator: ",\n"), 4))
                | where isnotempty(SessionId) and isnotempty(Id) and ResultType == "0"
                | extend SessionId = tolower(SessionId));
            """
    }

    private var roots: String {
        """
        // The root of a session: its earliest successful interactive sign-in in the window.
        let Roots = SignIns
            | where IsInteractive
            | summarize arg_min(CreatedDateTime, Asn, Country, IPAddress, User) by SessionId
            | project SessionId, RootTime = CreatedDateTime, RootAsn = Asn, RootCountry = Country, RootIP = IPAddress, User;
        """
    }

    /// Sessions whose sign-ins include one on another network (or country) than the root's, found
    /// with graph-match on session → sign-in edges. Only sessions that used more than one network
    /// reach the graph, which keeps it small.
    private func divergenceGraph(country: Bool) -> String {
        let key = country ? "Country" : "Asn"
        let rootKey = country ? "RootCountry" : "RootAsn"
        let known = country ? "isnotempty(Country)" : "Asn > 0"
        let rootKnown = country ? "isnotempty(RootCountry)" : "RootAsn > 0"
        let signInKnown = country ? "isnotempty(signin.Country)" : "signin.Asn > 0"
        let what = country ? "country" : "network (ASN; 0 = unknown, ignored)"
        return """
            // Sessions that used more than one \(what) and whose root is in the window: only these reach the graph.
            let Candidates = SignIns
                | where \(known)
                | summarize Seen = dcount(\(key)) by SessionId
                | where Seen > 1
                | join kind=inner (Roots | where \(rootKnown)) on SessionId
                | project SessionId, User, RootTime, RootAsn, RootCountry, RootIP;
            // One node per session, carrying its root's network and country, and one per sign-in; one edge session → sign-in.
            let Nodes = union
                    (Candidates
                        | project NodeId = strcat("session/", SessionId), Kind = "session", SessionId, User, RootTime, RootAsn, RootCountry, RootIP),
                    (SignIns
                        | where SessionId in (Candidates | project SessionId)
                        | project NodeId = strcat("signin/", Id), Kind = "signin", SessionId, Time = CreatedDateTime, Asn, Country, IPAddress, App);
            let Edges = SignIns
                | where SessionId in (Candidates | project SessionId)
                | project Source = strcat("session/", SessionId), Target = strcat("signin/", Id);
            Edges
            | make-graph Source --> Target with Nodes on NodeId
            | graph-match (sess)-->(signin)
                where sess.Kind == "session" and signin.Kind == "signin" and \(signInKnown) and signin.\(key) != sess.\(rootKey)
                project SessionId = sess.SessionId, User = sess.User, RootTime = sess.RootTime, RootAsn = sess.RootAsn,
                    RootCountry = sess.RootCountry, RootIP = sess.RootIP, Time = signin.Time, Asn = signin.Asn, Country = signin.Country,
                    IPAddress = signin.IPAddress, App = signin.App
            | summarize FirstDivergence = min(Time), DivergentSignIns = count(), \(country ? "Countries = make_set(Country, 20), Networks = make_set(Asn, 20)" : "Networks = make_set(Asn, 20), Countries = make_set(Country, 20)"),
                IPs = make_set(IPAddress, 20), Apps = make_set(App, 20) by SessionId, User, RootTime, RootAsn, RootCountry, RootIP
            """
    }

    /// The CloudAppEvents arm of `RiskyActions`: Exchange and SharePoint operations with their
    /// session id and token, the same in every dialect but for the time column and the token key.
    private static func cloudAppRiskyActions(time: String, token: String) -> String {
        """
        (CloudAppEvents
                    | where \(time) between (From .. To)
                    | where trim_end(\(KQLString.literal("\\.")), ActionType) in~ (RiskyOperations)
                    | project ActionTime = \(time), ActionIP = IPAddress, Workload = Application, Operation = ActionType,
                        SessionId = tolower(coalesce(tostring(RawEventData.AppAccessContext.AADSessionId), tostring(RawEventData.SessionId))),
                        \(token)),
        """
    }

    /// Microsoft 365 service ranges (ServiceSide.swift): an action from there is Microsoft's own
    /// service acting for the user, not a replay.
    private var serviceRanges: String {
        let v4 = Self.serviceRangeList.filter { !$0.contains(":") }
        let v6 = Self.serviceRangeList.filter { $0.contains(":") }
        return """
            // Microsoft 365 service ranges: an action from there is Microsoft's own service acting for the user.
            \(KQLText.wrapped("let ServiceRanges4 = dynamic([", v4.map(KQLString.literal), indent: "    "))]);
            \(KQLText.wrapped("let ServiceRanges6 = dynamic([", v6.map(KQLString.literal), indent: "    "))]);
            """
    }

    /// The comparison of a use's network with the minting sign-in's, shared by both dialects.
    private var networkComparison: String {
        """
        | extend UseV4 = isnotnull(parse_ipv4(UseIP)), SignInV4 = isnotnull(parse_ipv4(SignInIP))
        // An IPv4 address on one side and IPv6 on the other is not compared (dual-stack clients): the offline analysis does, by ASN.
        | where UseV4 == SignInV4
        | extend UseNet = iff(UseV4, format_ipv4_mask(UseIP, 24), parse_ipv6_mask(UseIP, 48)),
            SignInNet = iff(SignInV4, format_ipv4_mask(SignInIP, 24), parse_ipv6_mask(SignInIP, 48))
        | where isnotempty(UseNet) and isnotempty(SignInNet) and UseNet != SignInNet
        | extend ServiceSide = iff(UseV4, ipv4_is_in_any_range(UseIP, ServiceRanges4), ipv6_is_in_any_range(UseIP, ServiceRanges6))
        | where not(coalesce(ServiceSide, false))
        | summarize FirstUse = min(UseTime), Uses = count(), Tokens = dcount(TokenKey), SignInNetworks = make_set(SignInNet, 10),
            UseNetworks = make_set(UseNet, 20), Workloads = make_set(Workload, 10), Operations = make_set(Operation, 10) by SessionId, User
        """
    }

    private var tokenUse: String {
        """
        // Tokens minted by those sign-ins, with the sign-in's address.
        let Minted = SignIns
            | where isnotempty(UniqueTokenIdentifier)
            | project UniqueTokenIdentifier, SessionId, User, SignInIP = IPAddress;
        \(serviceRanges)
        // Uses of a token: Graph requests (SignInActivityId) and Microsoft 365 actions (RawEventData.AppAccessContext.UniqueTokenId).
        let Used = union
                (MicrosoftGraphActivityLogs
                    | where TimeGenerated between (From .. To)
                    | where isnotempty(SignInActivityId) and isnotempty(IPAddress)
                    | project UniqueTokenIdentifier = SignInActivityId, UseTime = TimeGenerated, UseIP = IPAddress, Workload = "MicrosoftGraph",
                        Operation = strcat(RequestMethod, " ", RequestUri)),
                (CloudAppEvents
                    | where TimeGenerated between (From .. To)
                    | extend UniqueTokenIdentifier = tostring(RawEventData.AppAccessContext.UniqueTokenId)
                    | where isnotempty(UniqueTokenIdentifier) and isnotempty(IPAddress)
                    | project UniqueTokenIdentifier, UseTime = TimeGenerated, UseIP = IPAddress, Workload = Application, Operation = ActionType);
        // Token ids are case-sensitive: the join is exact.
        Used
        | join kind=inner Minted on UniqueTokenIdentifier
        | extend TokenKey = UniqueTokenIdentifier
        \(networkComparison)
        """
    }

    private var deviceCodeGraph: String {
        """
        // Sessions with a device-code sign-in (AuthenticationProtocol deviceCode, or OriginalTransferMethod deviceCodeFlow).
        let DeviceCodeSessions = SignIns
            | where AuthenticationProtocol =~ "deviceCode" or OriginalTransferMethod =~ "deviceCodeFlow"
            | distinct SessionId;
        let Scoped = SignIns
            | where SessionId in (DeviceCodeSessions);
        // One node per session and per sign-in (flagged when it is the device-code one); one edge session → sign-in.
        let Nodes = union
                (Scoped
                    | summarize User = take_any(User) by SessionId
                    | project NodeId = strcat("session/", SessionId), Kind = "session", SessionId, User),
                (Scoped
                    | project NodeId = strcat("signin/", Id), Kind = "signin", SessionId, Time = CreatedDateTime, IPAddress, UserAgent, App,
                        DeviceCode = (AuthenticationProtocol =~ "deviceCode" or OriginalTransferMethod =~ "deviceCodeFlow"));
        let Edges = Scoped
            | project Source = strcat("session/", SessionId), Target = strcat("signin/", Id);
        // Another sign-in of the same session from another IP address or with another client than the device-code one.
        Edges
        | make-graph Source --> Target with Nodes on NodeId
        | graph-match (code)<--(sess)-->(other)
            where sess.Kind == "session" and code.DeviceCode == true and other.Kind == "signin"
                and (other.IPAddress != code.IPAddress or other.UserAgent != code.UserAgent)
            project SessionId = sess.SessionId, User = sess.User, CodeTime = code.Time, CodeIP = code.IPAddress, CodeApp = code.App,
                OtherIP = other.IPAddress, OtherUserAgent = other.UserAgent, OtherApp = other.App
        | summarize DeviceCodeAt = min(CodeTime), DeviceCodeIPs = make_set(CodeIP, 5), DeviceCodeApps = make_set(CodeApp, 5),
            OtherIPs = make_set(OtherIP, 20), OtherUserAgents = make_set(OtherUserAgent, 5), OtherApps = make_set(OtherApp, 10) by SessionId, User
        """
    }

    /// The operations of the action rules (detections.md §3.5, the rules' own lists).
    private var riskyOperations: String {
        let operations = [
            "New-InboxRule", "Set-InboxRule", "UpdateInboxRules", "Set-Mailbox", "New-TransportRule", "Set-TransportRule",
            "User registered security info", "Admin updated security info", "User changed default security info",
            "Consent to application", "Add service principal credentials", "Update application – Certificates and secrets management",
            "Add application", "Add device", "Register device", "Add member to role", "Add app role assignment", "Add owner to application",
            "Add delegated permission grant",
        ]
        return """
            // Risky operations (detections.md §3.5): inbox rules, mail forwarding and transport rules, and persistence (security
            // info, consent, app credentials and registration, device registration, role assignment). Audit operations end in "."
            \(KQLText.wrapped("let RiskyOperations = dynamic([", operations.map(KQLString.literal), indent: "    "))]);
            """
    }

    /// Microsoft 365 service ranges: the same list the graph stage uses for service-side actions.
    static var serviceRangeList: [String] { ServiceSide.microsoftServiceRangeList }

    private static let riskyGraphPaths = "(?i)/(authentication/|applications|oauth2permissiongrants|serviceprincipals|rolemanagement/directory/roleassignments|devices|mailfolders/[^/]+/messagerules)"

    private var riskyActions: String {
        """
        // Sessions with divergence: a successful sign-in on a network (ASN) other than the root's.
        let Divergent = SignIns
            | where Asn > 0
            | join kind=inner (Roots | where RootAsn > 0) on SessionId
            | where Asn != RootAsn
            | summarize DivergedAt = min(CreatedDateTime), DivergentSignIns = count() by SessionId, User, RootAsn, RootIP;
        // The tokens of those sessions, so an action that carries only a token id is placed in its session.
        let SessionTokens = SignIns
            | where SessionId in (Divergent | project SessionId) and isnotempty(UniqueTokenIdentifier)
            | project UniqueTokenIdentifier, TokenSessionId = SessionId
            | distinct UniqueTokenIdentifier, TokenSessionId;
        \(riskyOperations)
        // OfficeActivity has no session or token id column, so its actions cannot be placed in a session: CloudAppEvents carries
        // the same Exchange and SharePoint records with their AppAccessContext.
        let RiskyActions = union
                \(Self.cloudAppRiskyActions(time: "TimeGenerated", token: "UniqueTokenIdentifier = tostring(RawEventData.AppAccessContext.UniqueTokenId)"))
                (MicrosoftGraphActivityLogs
                    | where TimeGenerated between (From .. To)
                    | where RequestMethod in ("POST", "PATCH", "PUT") and RequestUri matches regex \(KQLString.literal(Self.riskyGraphPaths))
                    | project ActionTime = TimeGenerated, ActionIP = IPAddress, Workload = "MicrosoftGraph", Operation = strcat(RequestMethod, " ", RequestUri),
                        SessionId = tolower(column_ifexists("SessionId", "")), UniqueTokenIdentifier = SignInActivityId);
        RiskyActions
        | join kind=leftouter SessionTokens on UniqueTokenIdentifier
        | extend SessionId = iff(isempty(SessionId), TokenSessionId, SessionId)
        | join kind=inner Divergent on SessionId
        | extend OnRootNetwork = iff(isnotnull(parse_ipv4(ActionIP)) and isnotnull(parse_ipv4(RootIP)),
            format_ipv4_mask(ActionIP, 24) == format_ipv4_mask(RootIP, 24), parse_ipv6_mask(ActionIP, 48) == parse_ipv6_mask(RootIP, 48))
        | summarize FirstAction = min(ActionTime), Actions = count(), AwayFromRootNetwork = countif(OnRootNetwork == false),
            Operations = make_set(Operation, 20), ActionIPs = make_set(ActionIP, 20), Workloads = make_set(Workload, 10)
            by SessionId, User, RootAsn, RootIP, DivergedAt, DivergentSignIns
        """
    }

    // MARK: Defender XDR

    private var defenderSignIns: String {
        """
        // Successful sign-ins (interactive and non-interactive) that carry a session id. EntraIdSignInEvents has no ASN: the
        // network of an address is its IPv4 /24 or IPv6 /48.
        let SignIns = materialize(EntraIdSignInEvents
            | where Timestamp between (From .. To)
            | where isnotempty(SessionId) and ErrorCode == 0
            | project SessionId = tolower(SessionId), RequestId = tolower(RequestId), Time = Timestamp,
                Interactive = LogonType has "interactiveUser", User = AccountUpn, IPAddress, Country, App = Application, UserAgent
            | extend IsV4 = isnotnull(parse_ipv4(IPAddress))
            | extend Net = iff(IsV4, format_ipv4_mask(IPAddress, 24), parse_ipv6_mask(IPAddress, 48)));
        """
    }

    private var defenderRoots: String {
        """
        // The root of a session: its earliest successful interactive sign-in (LogonType has interactiveUser) in the window.
        let Roots = SignIns
            | where Interactive
            | summarize arg_min(Time, Net, IsV4, Country, IPAddress) by SessionId
            | project SessionId, RootTime = Time, RootNet = Net, RootIsV4 = IsV4, RootCountry = Country, RootIP = IPAddress;
        """
    }

    private func defenderDivergence(country: Bool) -> String {
        let condition = country
            ? "isnotempty(Country) and isnotempty(RootCountry) and Country != RootCountry"
            : "IsV4 == RootIsV4 and isnotempty(Net) and isnotempty(RootNet) and Net != RootNet"
        let note = country
            ? "// A sign-in of the session from another country than the root's."
            : "// A sign-in of the session from another network than the root's. An IPv4 root and an IPv6 sign-in (or the reverse) is\n// not compared: without an ASN the two families of one client cannot be told apart."
        return """
            SignIns
            | join kind=inner Roots on SessionId
            \(note)
            | where \(condition)
            | summarize FirstDivergence = min(Time), DivergentSignIns = count(), Networks = make_set(Net, 20), Countries = make_set(Country, 20),
                IPs = make_set(IPAddress, 20), Apps = make_set(App, 20) by SessionId, User, RootTime, RootNet, RootCountry, RootIP
            """
    }

    /// `base64url token id → GUID`: the request id of the sign-in that minted the token.
    private static func decodedRequestId(_ column: String) -> String {
        "tolower(tostring(base64_decode_toguid(strcat(translate(\"-_\", \"+/\", \(column)), \"==\"))))"
    }

    private var defenderTokenUse: String {
        """
        // Tokens minted by those sign-ins: EntraIdSignInEvents has no token id column, but a token id decodes to the RequestId
        // of the sign-in that minted it (base64url → GUID).
        let Minted = SignIns
            | project SignInRequestId = RequestId, SessionId, User, SignInIP = IPAddress;
        \(serviceRanges)
        // Uses of a token: Graph requests (GraphApiAuditEvents, Timestamp documented as a string) and Microsoft 365 actions.
        let Used = union
                (GraphApiAuditEvents
                    | where todatetime(Timestamp) between (From .. To)
                    | where isnotempty(UniqueTokenIdentifier) and isnotempty(IPAddress)
                    | project SignInRequestId = \(Self.decodedRequestId("UniqueTokenIdentifier")), UseTime = todatetime(Timestamp),
                        UseIP = IPAddress, Workload = "MicrosoftGraph", Operation = strcat(RequestMethod, " ", RequestUri)),
                (CloudAppEvents
                    | where Timestamp between (From .. To)
                    | extend TokenId = tostring(RawEventData.AppAccessContext.UniqueTokenId)
                    | where isnotempty(TokenId) and isnotempty(IPAddress)
                    | project SignInRequestId = \(Self.decodedRequestId("TokenId")), UseTime = Timestamp, UseIP = IPAddress,
                        Workload = Application, Operation = ActionType);
        Used
        | where isnotempty(SignInRequestId)
        | join kind=inner Minted on SignInRequestId
        | extend TokenKey = SignInRequestId
        \(networkComparison)
        """
    }

    private var defenderRiskyActions: String {
        """
        // Sessions with divergence: a successful sign-in on another network (IPv4 /24, IPv6 /48) than the root's.
        let Divergent = SignIns
            | join kind=inner Roots on SessionId
            | where IsV4 == RootIsV4 and isnotempty(Net) and isnotempty(RootNet) and Net != RootNet
            | summarize DivergedAt = min(Time), DivergentSignIns = count() by SessionId, User, RootNet, RootIP;
        // The sign-ins of those sessions by request id, so an action that carries only a token id is placed in its session.
        let SessionRequests = SignIns
            | where SessionId in (Divergent | project SessionId) and isnotempty(RequestId)
            | project SignInRequestId = RequestId, TokenSessionId = SessionId
            | distinct SignInRequestId, TokenSessionId;
        \(riskyOperations)
        let RiskyActions = union
                \(Self.cloudAppRiskyActions(time: "Timestamp", token: "SignInRequestId = " + Self.decodedRequestId("tostring(RawEventData.AppAccessContext.UniqueTokenId)")))
                (GraphApiAuditEvents
                    | where todatetime(Timestamp) between (From .. To)
                    | where RequestMethod in ("POST", "PATCH", "PUT") and RequestUri matches regex \(KQLString.literal(Self.riskyGraphPaths))
                    | project ActionTime = todatetime(Timestamp), ActionIP = IPAddress, Workload = "MicrosoftGraph",
                        Operation = strcat(RequestMethod, " ", RequestUri), SessionId = "",
                        SignInRequestId = \(Self.decodedRequestId("UniqueTokenIdentifier")));
        RiskyActions
        | join kind=leftouter SessionRequests on SignInRequestId
        | extend SessionId = iff(isempty(SessionId), TokenSessionId, SessionId)
        | join kind=inner Divergent on SessionId
        | extend OnRootNetwork = iff(isnotnull(parse_ipv4(ActionIP)) and isnotnull(parse_ipv4(RootIP)),
            format_ipv4_mask(ActionIP, 24) == format_ipv4_mask(RootIP, 24), parse_ipv6_mask(ActionIP, 48) == parse_ipv6_mask(RootIP, 48))
        | summarize FirstAction = min(ActionTime), Actions = count(), AwayFromRootNetwork = countif(OnRootNetwork == false),
            Operations = make_set(Operation, 20), ActionIPs = make_set(ActionIP, 20), Workloads = make_set(Workload, 10)
            by SessionId, User, RootNet, RootIP, DivergedAt, DivergentSignIns
        """
    }
}
