import Foundation
import Testing
@testable import SessionGraph
@testable import SessionGraphSimulator

/// JSON record objects are read flat (``FlatRecord``: byte ranges, no tree). Every record read
/// that way must read exactly as the tree of the same bytes does: the same event draft or the
/// same rejection, the same strings cut at the limit, the same repeated keys.
@Suite struct FlatRecordTests {
    /// Every record of `text` read flat, with both readings; fails when one was not read flat.
    func readings(_ text: String, limits: ReadLimits = ReadLimits()) -> [(flat: String, tree: String)] {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONRecordReader(bytes: buffer, limits: limits)
            var found: [(flat: String, tree: String)] = []
            reader.read(from: 0) { raw in
                if let pair = FlatRecordCheck.readings(of: raw, in: buffer, limits: limits) { found.append(pair) }
                if let failed = FlatRecordCheck.failures(of: raw, in: buffer, limits: limits) {
                    #expect(failed.flat == failed.tree, "a record the reader fails on fails alike as a tree")
                }
            }
            return found
        }
    }

    func expectAlike(_ text: String, limits: ReadLimits = ReadLimits(), records: Int = 1, sourceLocation: SourceLocation = #_sourceLocation) {
        let pairs = readings(text, limits: limits)
        #expect(pairs.count == records, "records read flat", sourceLocation: sourceLocation)
        for pair in pairs {
            #expect(pair.flat == pair.tree, sourceLocation: sourceLocation)
        }
    }

    static let signIn = #"{"TimeGenerated":"2026-03-10T08:00:00Z","Type":"SigninLogs","UserPrincipalName":"Alice@Contoso.example","#
        + #""SessionId":"0a1b2c3d-0000-4000-8000-000000000001","UniqueTokenIdentifier":"AAAAAAAAAAAAAAAAAAAAAA","#
        + #""IPAddress":"2001:DB8::1","AutonomousSystemNumber":3303,"IsInteractive":true,"ResultType":"0","#
        + #""DeviceDetail":{"deviceId":"d1","operatingSystem":"Windows"},"LocationDetails":"{\"city\":\"Zurich\",\"countryOrRegion\":\"CH\"}"}"#

    @Test func aSignInReadsAlike() {
        expectAlike(Self.signIn)
        expectAlike("[" + Self.signIn + "," + Self.signIn + "]", records: 2)
        expectAlike(#"{"value":["# + Self.signIn + "]}")
    }

    @Test func escapedKeysAndValuesReadAlike() {
        // `\u0053essionId` is SessionId; a value with escapes is decoded as the tree decodes it.
        expectAlike(#"{"TimeGenerated":"2026-03-10T08:00:00Z","Type":"SigninLogs","\u0053essionId":"s-1","UserAgent":"a\"b\\c\u00e9","UserDisplayName":"Jos\u0065\u0301"}"#)
    }

    @Test func repeatedKeysReadAlike() {
        // The last of a repeated key wins, whatever its case or spelling; each is named once.
        expectAlike(#"{"TimeGenerated":"2026-03-10T08:00:00Z","Type":"SigninLogs","SessionId":"first","sessionid":"second","SessionId":"third","\u0053essionId":"fourth"}"#)
        expectAlike(#"{"TimeGenerated":"2026-03-10T08:00:00Z","Type":"SigninLogs","UserAgent":"x","UserAgent":null,"UserAgent":""}"#)
    }

    /// The keys named as repeated, read flat and as a tree, and the tree's own count of them.
    func repeatedKeys(_ text: String) -> (flat: [String], tree: [String]) {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONRecordReader(bytes: buffer, limits: ReadLimits())
            var flat: [String] = []
            reader.read(from: 0) { raw in flat = raw.duplicateKeys }
            var parser = JSONParser(bytes: buffer, maxDepth: 64, maxStringBytes: 1 << 20)
            let tree = (try? parser.parseValue(depth: 0)) ?? .null
            let nested = tree["properties"]?.duplicateKeys ?? []
            return (flat, tree.duplicateKeys + nested)
        }
    }

    @Test func repeatedKeysAreNamedPerObjectWhateverTheirNumber() {
        // A record and the object inside it each keep their own keys: `a` in `properties` is not
        // a repeat of the record's `a`, and the record's keys after `properties` are still known.
        let small = #"{"a":1,"b":2,"properties":{"a":1,"c":2,"c":3},"b":4}"#
        #expect(repeatedKeys(small).flat == ["c", "b"])
        #expect(repeatedKeys(small).tree == ["b", "c"])
        // Past 64 keys an object's keys move to a set: repeats before, across and after that.
        func members(_ prefix: String, _ count: Int) -> String {
            (0..<count).map { "\"\(prefix)\($0)\":\($0)" }.joined(separator: ",")
        }
        let wide = "{" + members("k", 70) + #","k3":0,"properties":{"# + members("p", 63) + #","k3":1,"p5":0,"p64":0,"p70":0,"p64":1},"k68":0,"K68":1}"#
        let keys = repeatedKeys(wide)
        #expect(keys.flat == ["k3", "p5", "p64", "k68", "K68"])
        #expect(Set(keys.flat.map { $0.lowercased() }) == Set(keys.tree.map { $0.lowercased() }))
    }

    @Test func stringsAtTheLimitAreCutAndCountedAlike() {
        var limits = ReadLimits()
        limits.maxStringBytes = 12
        let long = String(repeating: "é", count: 10)  // 20 bytes: cut inside a character
        expectAlike(#"{"TimeGenerated":"2026-03-10T08:00:00Z","Type":"SigninLogs","UserAgent":""# + long + #"","UserDisplayName":"exactly12byt"}"#, limits: limits)
        // A key longer than the limit is cut too, and what is left of it may name a field.
        expectAlike(#"{"TimeGenerated":"2026-03-10T08:00:00Z","Type":"SigninLogs","UserPrincipalNameAndMore":"a@b.example"}"#, limits: limits)
    }

    @Test func aKeyCutAtTheLimitIsFoundByWhatIsLeftOfIt() {
        // Found by review: `LocationDetails_dynamic` cut at 15 bytes is `LocationDetails`, which
        // the tree reads; the flat record looked it up by the whole key's hash and lost it.
        var limits = ReadLimits()
        limits.maxStringBytes = 15
        expectAlike(#"{"TimeGenerated":1773129600,"Type":"SigninLogs","LocationDetails_dynamic":{"city":"Zurich","countryOrRegion":"CH"}}"#, limits: limits)
        limits.maxStringBytes = 13
        limits.skipUnusedFields = false
        expectAlike(#"{"TimeGenerated":"2026-03-10T08:00:00Z","RequestMethod0":"GET","RequestUri":"https://graph.microsoft.com/v1.0/me"}"#, limits: limits)
        limits.maxStringBytes = 17
        expectAlike(#"{"TimeGenerated":"2026-03-10T08:00Z","Type":"SigninLogs","UserPrincipalNameX":"alice@contoso.example"}"#, limits: limits)
    }

    @Test func valuesOfEveryKindReadAlike() {
        expectAlike(#"{"TimeGenerated":1773129600,"Type":"SigninLogs","IsInteractive":"false","AutonomousSystemNumber":"3303","ResultType":50126,"UserAgent":true,"AppDisplayName":null,"SignInEventTypes":["interactiveUser"],"Status":{"errorCode":0}}"#)
        expectAlike(#"{}"#)
        expectAlike(#"{"Type":"SigninLogs"}"#)
        expectAlike(#"{"RequestUri":"https://graph.microsoft.com/v1.0/me","RequestMethod":"GET","TimeGenerated":"2026-03-10T08:00:00"}"#)
    }

    @Test func withoutSkippingUnusedFieldsRecordsReadAlike() {
        var limits = ReadLimits()
        limits.skipUnusedFields = false
        expectAlike(String(Self.signIn.dropLast()) + #","ConditionalAccessPolicies":[{"id":"p"}]}"#, limits: limits)
    }

    @Test func recordsOffTheirPredecessorsKeysReadAlike() {
        // Each record's keys are first compared with the last plain, unrepeated record's keys
        // (JSONParser.keyScript): records that follow them, leave them part-way, repeat a key
        // after following them, add or drop keys, or spell a key otherwise must read as the
        // tree of their own bytes reads them.
        let head = #"{"TimeGenerated":"2026-03-10T08:00:00Z","Type":"SigninLogs","ConditionalAccessPolicies":[{"id":"p"}],"#
        let lines = [
            head + #""SessionId":"s-1","UserAgent":"ua","IPAddress":"10.0.0.1"}"#,
            head + #""SessionId":"s-2","UserAgent":"ua","IPAddress":"10.0.0.2"}"#,
            head + #""SessionId":"s-3","UserAgent":"ua","IPAddress":"10.0.0.3","SessionId":"s-3b"}"#,
            head + #""SessionId":"s-4","UserAgent":"ua","IPAddress":"10.0.0.4","SessionId":"s-4b"}"#,
            head + #""SessionId":"s-5","UserAgentX":"ua","IPAddress":"10.0.0.5"}"#,
            head + #""SessionId":"s-6","UserAgen":"ua","IPAddress":"10.0.0.6","TimeGenerated":"2026-03-10T09:00:00Z"}"#,
            head + #""sessionid":"s-7","UserAgent":"ua"}"#,
            head + #""\u0053essionId":"s-8","UserAgent":"ua","IPAddress":"10.0.0.8","UserAgent":"ub"}"#,
            head + #""SessionId":"s-9","UserAgent":"ua","IPAddress":"10.0.0.9","Extra":1,"extra":2}"#,
            head + #""SessionId":"s-10","UserAgent":"ua","IPAddress":"10.0.0.10"}"#,
            #"{"TimeGenerated":"2026-03-10T08:00:00Z"}"#,
            head + #""SessionId":"s-12","UserAgent":"ua","IPAddress":"10.0.0.12"}"#,
        ]
        let text = lines.joined(separator: "\n")
        expectAlike(text, records: lines.count)
        var limits = ReadLimits()
        limits.skipUnusedFields = false
        expectAlike(text, limits: limits, records: lines.count)
        limits.maxStringBytes = 9
        expectAlike(text, limits: limits, records: lines.count)
        // The repeats named, record by record: following the keys of a record before does not
        // hide a repeat after them.
        let bytes = Array(text.utf8)
        var named: [[String]] = []
        bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONRecordReader(bytes: buffer, limits: ReadLimits())
            reader.read(from: 0) { raw in named.append(raw.duplicateKeys) }
        }
        #expect(named == [[], [], ["SessionId"], ["SessionId"], [], ["TimeGenerated"], [], ["UserAgent"], ["extra"], [], [], []])
    }

    @Test func keysCutAtTheLimitAndBrokenRecordsAmongScriptedOnesReadAlike() {
        // Keys within a 12-byte limit make a script; a key longer than the limit where a scripted
        // key stood (its first bytes equal to it), a record broken part-way, an array of records
        // and a record beyond the script's 512 keys are then read as their trees read them.
        var limits = ReadLimits()
        limits.maxStringBytes = 12
        let short = #"{"Type":"SigninLogs","UserAgent":"ua","IPAddress":"10.0.0.1"}"#
        let lines = [
            short, short,
            #"{"Type":"SigninLogs","UserAgentAndMore":"ub","IPAddress":"10.0.0.2"}"#,
            short,
            #"{"Type":"SigninLogs","UserAgent":"#,
            short,
            #"{"Type":"SigninLogs","UserAgent":"uc","IPAddress":"10.0.0.3","UserAgent":"ud"}"#,
        ]
        expectAlike(lines.joined(separator: "\n"), limits: limits, records: lines.count - 1)
        expectAlike("[" + [short, short, #"{"Type":"SigninLogs","UserAgen":"ux"}"#, short].joined(separator: ",\n") + "]", limits: limits, records: 4)
        let wide = "{" + (0..<600).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + #","Type":"SigninLogs","UserAgent":"w"}"#
        expectAlike([wide, wide, short, wide].joined(separator: "\n"), records: 4)
    }

    @Test func recordsThatFollowTheKeyScriptToItsEndOrStopShortOfItReadAlike() {
        // Records that follow the key script to the end (a key no mapper reads among them), a
        // record of its first keys only, records that leave it after a few keys (one repeating a
        // key it followed), and records in another order are read as their trees read them,
        // with their repeats named.
        let full = #"{"Type":"SigninLogs","UserAgent":"ua","Unread":[1,{"a":2}],"IPAddress":"10.0.0.1","SessionId":"s1"}"#
        let lines = [
            full,
            #"{"Type":"SigninLogs","UserAgent":"ub","Unread":"x","IPAddress":"10.0.0.2","SessionId":"s2"}"#,
            #"{"Type":"SigninLogs","UserAgent":"uc"}"#,
            full,
            #"{"Type":"SigninLogs","UserAgent":"ud","Type":"AADNonInteractiveUserSignInLogs","SessionId":"s4"}"#,
            full,
            #"{"Type":"SigninLogs","IPAddress":"10.0.0.9","UserAgent":"uz","SessionId":"s9"}"#,
            #"{"Type":"SigninLogs","IPAddress":"10.0.0.8","UserAgent":"uy","SessionId":"s8"}"#,
            full,
        ]
        let text = lines.joined(separator: "\n")
        expectAlike(text, records: lines.count)
        // Many records that follow the script, then the others, alike.
        let many = Array(repeating: full, count: 1_100) + lines
        expectAlike(many.joined(separator: "\n"), records: many.count)
        let bytes = Array(text.utf8)
        var named: [[String]] = []
        var agents: [String] = []
        bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONRecordReader(bytes: buffer, limits: ReadLimits())
            reader.read(from: 0) { raw in
                named.append(raw.duplicateKeys)
                if case .success(.fields(let record)) = raw.value { agents.append(record.text(.userAgent) ?? "-") }
            }
        }
        #expect(named == [[], [], [], [], ["Type"], [], [], [], []])
        #expect(agents == ["ua", "ub", "uc", "ua", "ud", "ua", "uz", "uy", "ua"])
    }

    @Test func numbersOfUnreadMembersAreCheckedWithoutBeingRead() {
        // An unread member's number is stepped over with the checks a read one gets.
        let lines = [
            #"{"TimeGenerated":"2026-03-10T08:00:00Z","Type":"SigninLogs","DurationMs":1e,"UserAgent":"x"}"#,
            #"{"TimeGenerated":"2026-03-10T08:00:00Z","Type":"SigninLogs","DurationMs":-12.5e3,"UserAgent":"x"}"#,
            #"{"TimeGenerated":"2026-03-10T08:00:00Z","Type":"SigninLogs","DurationMs":390,"UserAgent":"x"}"#,
            #"{"TimeGenerated":"2026-03-10T08:00:00Z","Type":"SigninLogs","DurationMs":3-9,"UserAgent":"x"}"#,
        ]
        let bytes = Array(lines.joined(separator: "\n").utf8)
        var outcomes: [String] = []
        bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONRecordReader(bytes: buffer, limits: ReadLimits())
            reader.read(from: 0) { raw in
                switch raw.value {
                case .success: outcomes.append("read")
                case .failure(let error): outcomes.append(error.message)
                }
            }
        }
        #expect(outcomes == ["malformed number '1e'", "read", "read", "malformed number '3-9'"])
        expectAlike(lines[1] + "\n" + lines[2], records: 2)
    }

    /// Each record of `text` read flat by one reader (every member kept unless `limits` skip
    /// unread ones), with the tree of the same bytes (keys and strings cut at the same limit),
    /// the reader's record and the parser that made the tree (its counts of cut strings and
    /// repeated keys).
    func flatAndTree(_ text: String, limits: ReadLimits, _ check: (FlatRecord, JSONValue, RawJSONRecord, JSONParser) -> Void) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONRecordReader(bytes: buffer, limits: limits)
            reader.read(from: 0) { raw in
                guard case .success(.fields(let record)) = raw.value else { Issue.record("not read flat: line \(raw.line)"); return }
                var parser = JSONParser(bytes: buffer, position: raw.bytes.lowerBound, maxStringBytes: limits.maxStringBytes)
                guard let tree = try? parser.parseValue(depth: 0) else { Issue.record("no tree"); return }
                check(record, tree, raw, parser)
            }
        }
    }

    @Test(arguments: ["all members", "unread skipped", "keys cut at 8 bytes"])
    func lookupsByFieldKeyFindWhatTheTreeFinds(reading: String) {
        // Records of 0 to 300 members: keys the mappers read in any case, repeated in other
        // cases and escaped, keys no mapper reads, and an object inside (looked up member by
        // member); three lines a record, the second with the first's keys (read through the
        // key script) and other values. Every field key is looked up in each record and in its
        // object.
        var limits = ReadLimits()
        switch reading {
        case "unread skipped": limits.skipUnusedFields = true
        case "keys cut at 8 bytes": limits.maxStringBytes = 8
        default: limits.skipUnusedFields = false
        }
        var generator = SplitMix64(seed: 11)
        let known = FieldKey.allCases.map { key in key.withBytes { String(decoding: $0, as: UTF8.self) } }
        func spelled(_ key: String) -> String {
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: return key.uppercased()
            case 1: return key.lowercased()
            default: return key
            }
        }
        for count in [0, 1, 2, 7, 40, 97, 130, 300] {
            var keys: [String] = []
            for index in 0..<count {
                switch Int.random(in: 0..<6, using: &generator) {
                case 0 where !keys.isEmpty: keys.append(spelled(keys.randomElement(using: &generator)!))
                case 1: keys.append("Key\(index)Name")
                default: keys.append(spelled(known.randomElement(using: &generator)!))
                }
            }
            let written = keys.map { key in Int.random(in: 0..<8, using: &generator) == 0 ? "\\u00" + String(key.utf8.first!, radix: 16) + key.dropFirst() : key }
            func line(_ tag: String) -> String {
                let members = written.enumerated().map { "\"\($0.element)\":\"\(tag)\($0.offset)\"" }
                    + ["\"DeviceDetail\":{\"deviceId\":\"\(tag)-d\",\"DEVICEID\":\"\(tag)-e\",\"displayName\":\"\(tag)-n\"}"]
                return "{" + members.joined(separator: ",") + "}"
            }
            let text = [line("a"), line("b"), line("a")].joined(separator: "\n")
            var records = 0
            flatAndTree(text, limits: limits) { record, tree, _, _ in
                records += 1
                #expect(record.slots.count == FieldKey.allCases.count, "\(count) members")
                let inner = record.object(.deviceDetail), innerTree = tree[.deviceDetail]
                #expect((inner == nil) == (innerTree == nil) && (inner != nil || limits.maxStringBytes < 12), "\(count) members, \(reading)")
                for key in FieldKey.allCases {
                    #expect(record.field(key)?.string == tree[key]?.text, "\(key) of \(count), \(reading)")
                    #expect(record.has(key) == tree.has(key), "\(key) of \(count), \(reading)")
                    if let inner, let innerTree {
                        #expect(inner.field(key)?.string == innerTree[key]?.text, "\(key) inside, of \(count), \(reading)")
                    }
                }
            }
            #expect(records == 3)
        }
    }

    /// Objects down to two levels below the record are read flat too, as blocks of members of
    /// their own; deeper ones, and arrays, are parsed values.
    @Test func nestedObjectsReadAlike() {
        // A sign-in: DeviceDetail (one level down), LocationDetails.geoCoordinates (two), a third
        // level below that, an empty object, arrays of objects.
        let signIn = #"{"TimeGenerated":"2026-03-10T08:00:00Z","Type":"SigninLogs","DeviceDetail":{"deviceId":"d1","displayName":"PC-1","isCompliant":true,"isManaged":"false","trustType":"Azure AD joined"},"#
            + #""LocationDetails":{"city":"Zurich","countryOrRegion":"CH","geoCoordinates":{"latitude":47.37,"longitude":8.54,"deeper":{"a":{"b":1}}}},"#
            + #""Status":{},"NetworkLocationDetails":[{"networkType":"trustedNamedLocation"}],"SessionId":"0a1b2c3d-0000-4000-8000-000000000001"}"#
        expectAlike(signIn)
        // A CloudAppEvents row: RawEventData one level down, AppAccessContext two.
        let row = #"{"Type":"CloudAppEvents","Timestamp":"2026-03-02T13:05:57Z","ActionType":"MailItemsAccessed","ReportId":"r1","#
            + #""RawEventData":{"Operation":"MailItemsAccessed","ClientIP":"203.0.113.9","UserId":"Alice@Contoso.example","Folders":[{"FolderItems":[{"Id":"1"},{"Id":"2"}]}],"#
            + #""AppAccessContext":{"AADSessionId":"0A1B2C3D-0000-4000-8000-000000000001","UniqueTokenId":"E8wcuhlwekWeLAD6N1kKAA","IssuedAtTime":"2026-03-02T06:56:05"}}}"#
        expectAlike(row)
        // A diagnostic-settings record: properties one level down, its DeviceDetail two, the
        // coordinates three (parsed as a value).
        let diagnostic = #"{"time":"2026-03-10T08:00:00Z","category":"SignInLogs","properties":{"id":"i1","userPrincipalName":"a@b.example","deviceDetail":{"deviceId":"d2","isCompliant":false},"#
            + #""location":{"city":"Bern","countryOrRegion":"CH","geoCoordinates":{"latitude":46.9,"longitude":7.4}},"status":{"errorCode":50126}}}"#
        expectAlike(diagnostic)
    }

    @Test func nestedObjectsKeepTheRulesOfTheirLevel() {
        // One level down, repeated keys are named and unread members stepped over; two levels
        // down, neither (as the tree does it). Escaped and cut keys and values alike.
        expectAlike(#"{"Type":"SigninLogs","TimeGenerated":"2026-03-10T08:00:00Z","DeviceDetail":{"deviceId":"d1","deviceId":"d2","unused":{"x":[1,2]},"\u0062rowser":"Edge\t1"},"#
            + #""LocationDetails":{"geoCoordinates":{"latitude":1,"latitude":2,"\u006congitude":3}}}"#)
        var limits = ReadLimits()
        limits.maxStringBytes = 10
        expectAlike(#"{"Type":"SigninLogs","TimeGenerated":"2026-03-10T08:00:00Z","DeviceDetail":{"operatingSystemAndMore":"Windows","browser":"A long browser name","deviceId":"d1"},"#
            + #""LocationDetails":{"geoCoordinates":{"latitudeAndMore":5,"longitude":"far too long a number"}}}"#, limits: limits)
        limits = ReadLimits()
        limits.skipUnusedFields = false
        expectAlike(#"{"Type":"SigninLogs","TimeGenerated":"2026-03-10T08:00:00Z","DeviceDetail":{"deviceId":"d1","extra":{"x":{"y":1}}},"Status":{"errorCode":"0","additionalDetails":"x"}}"#, limits: limits)
    }

    @Test func aRecordBrokenInsideANestedObjectLeavesNothingBehind() {
        // The first line breaks two levels down, with members already read at every level; the
        // next record must not see them.
        let broken = #"{"Type":"SigninLogs","TimeGenerated":"2026-03-10T08:00:00Z","DeviceDetail":{"deviceId":"d9","browser":"x"},"LocationDetails":{"city":"Nowhere","geoCoordinates":{"latitude":1,"#
        let good = #"{"Type":"SigninLogs","TimeGenerated":"2026-03-10T08:00:01Z","LocationDetails":{"geoCoordinates":{"longitude":2}}}"#
        expectAlike(broken + "\n" + good + "\n")
        let events = ingestText(broken + "\n" + good + "\n")
        #expect(events.count == 1)
        #expect(events.first?.deviceId == nil && events.first?.city == nil && events.first?.latitude == nil && events.first?.longitude == 2)
    }

    /// The reader's failure on the record of `text` and the tree's, as `offset: message`; nil
    /// for one that reads it.
    func refusals(_ text: String, limits: ReadLimits) -> (flat: String?, tree: String?) {
        Array(text.utf8).withUnsafeBufferPointer { buffer in
            var reader = JSONRecordReader(bytes: buffer, limits: limits)
            var flat: String?
            reader.read(from: 0) { raw in if case .failure(let error) = raw.value { flat = "\(error.offset): \(error.message)" } }
            var parser = JSONParser(bytes: buffer, maxDepth: limits.maxDepth, maxStringBytes: limits.maxStringBytes)
            let tree = Result { () throws(JSONParseError) in try parser.parseValue(depth: 0) }
            guard case .failure(let error) = tree else { return (flat, nil) }
            return (flat, "\(error.offset): \(error.message)")
        }
    }

    @Test func nestedObjectsDeeperThanTheLimitAreRefusedAlike() {
        var limits = ReadLimits()
        limits.maxDepth = 2
        let errors = refusals(#"{"Type":"SigninLogs","TimeGenerated":"2026-03-10T08:00:00Z","LocationDetails":{"geoCoordinates":{"latitude":1}}}"#, limits: limits)
        #expect(errors.flat != nil && errors.flat == errors.tree)
    }

    /// A random JSON value for ``arraysReadFlatAreTheTreesOfTheirBytes``: arrays and objects
    /// nested to `depth`, strings plain, escaped and long, numbers, literals; object keys
    /// include the ones the mappers read inside arrays.
    func randomValue(depth: Int, using generator: inout SplitMix64) -> String {
        let keys = ["Name", "Value", "networkType", "Parameters", "FolderItems", "Id", "NAME", "other"]
        switch Int.random(in: 0..<(depth > 0 ? 9 : 5), using: &generator) {
        case 0: return "\"plain\(Int.random(in: 0..<100, using: &generator))\""
        case 1: return #""esc\"aped\u00e9\n""#
        case 2: return "\"" + String(repeating: "long-", count: Int.random(in: 1..<6, using: &generator)) + "\""
        case 3: return ["1", "-2.5e3", "0"].randomElement(using: &generator)!
        case 4: return ["true", "false", "null", #""""#].randomElement(using: &generator)!
        case 5, 6:
            let count = Int.random(in: 0..<4, using: &generator)
            return "[" + (0..<count).map { _ in randomValue(depth: depth - 1, using: &generator) }.joined(separator: ", ") + " ]"
        default:
            let count = Int.random(in: 0..<4, using: &generator)
            return "{" + (0..<count).map { _ in "\"\(keys.randomElement(using: &generator)!)\": " + randomValue(depth: depth - 1, using: &generator) }.joined(separator: ",") + "}"
        }
    }

    /// Arrays are read flat down to the levels objects are (their objects a level below their
    /// holder). Every record must hold, read flat, the tree of its bytes, count the same strings
    /// cut, and give each array's elements as the tree's, whatever the arrays hold.
    @Test(arguments: [1 << 20, 7])
    func arraysReadFlatAreTheTreesOfTheirBytes(stringLimit: Int) {
        var limits = ReadLimits()
        limits.skipUnusedFields = false
        limits.maxStringBytes = stringLimit
        var generator = SplitMix64(seed: 29)
        let arrayKeys: [FieldKey] = [.networkLocationDetails, .folders, .parameters, .extendedProperties]
        var lines: [String] = []
        for _ in 0..<300 {
            var members = [#""Type":"SigninLogs""#, #""TimeGenerated":"2026-03-10T08:00:00Z""#]
            for key in arrayKeys where Bool.random(using: &generator) {
                let value = Int.random(in: 0..<4, using: &generator) == 0 ? randomValue(depth: 4, using: &generator)
                    : "[" + (0..<Int.random(in: 0..<4, using: &generator)).map { _ in randomValue(depth: 4, using: &generator) }.joined(separator: ",") + "]"
                members.append(key.withBytes { "\"" + String(decoding: $0, as: UTF8.self) + "\": " + value })
            }
            members.append(#""RawEventData": {"Folders": "# + randomValue(depth: 4, using: &generator) + "}")
            // A key repeated at record level, in another case: named alike, the last one read.
            if Int.random(in: 0..<5, using: &generator) == 0 { members.append(#""parameters": ["# + randomValue(depth: 3, using: &generator) + "]") }
            lines.append("{" + members.shuffled(using: &generator).joined(separator: ", ") + "}")
        }
        var records = 0, arrays = 0
        flatAndTree(lines.joined(separator: "\n"), limits: limits) { record, tree, raw, parser in
            records += 1
            #expect(record.tree == tree, "line \(raw.line)")
            #expect(raw.truncatedStrings == parser.truncatedStrings, "line \(raw.line)")
            #expect(raw.duplicateKeys == parser.duplicateKeys, "line \(raw.line)")
            func compare(_ flat: RecordElements, _ parsed: RecordElements, _ place: String) {
                #expect(flat.count == parsed.count, "\(place)")
                for (item, parsedItem) in zip(flat, parsed) {
                    #expect(item.keys == parsedItem.keys, "\(place)")
                    for key in [FieldKey.name, .value, .networkType] {
                        #expect(item[key] == parsedItem[key] && item.field(key)?.string == parsedItem.field(key)?.string, "\(place) \(key)")
                    }
                    compare(item.elements(.folderItems), parsedItem.elements(.folderItems), place + ".FolderItems")
                    compare(item.elements(.parameters), parsedItem.elements(.parameters), place + ".Parameters")
                }
            }
            for key in arrayKeys {
                if case .array? = record.structured(key) { arrays += 1 }
                #expect(record.field(key)?.string == tree[key]?.text)
                compare(record.elements(key), tree.elements(key), "line \(raw.line) \(key)")
            }
            compare(record.object(.rawEventData)?.elements(.folders) ?? RecordElements([]), tree[.rawEventData]?.elements(.folders) ?? RecordElements([]), "line \(raw.line) RawEventData")
        }
        #expect(records == 300)
        // And as the reader reads by default (unread members stepped over): the same drafts.
        var skipping = limits
        skipping.skipUnusedFields = true
        expectAlike(lines.joined(separator: "\n"), limits: skipping, records: 300)
        // Keys cut at 7 bytes no longer name the arrays.
        #expect(stringLimit < 20 || arrays > 300)
    }

    @Test func arraysDeeperThanTheLimitAreRefusedAlike() {
        for depth in 2...9 {
            var limits = ReadLimits()
            limits.maxDepth = depth
            let errors = refusals(#"{"Type":"SigninLogs","TimeGenerated":"2026-03-10T08:00:00Z","NetworkLocationDetails":[{"networkNames":[["a",[{"b":[1]}]]]}]}"#, limits: limits)
            #expect(errors.flat == errors.tree, "depth \(depth)")
            #expect((errors.flat == nil) == (depth >= 8), "depth \(depth)")
        }
        // Broken inside an array two levels down: the next record reads as its own bytes.
        let broken = #"{"Type":"SigninLogs","TimeGenerated":"2026-03-10T08:00:00Z","NetworkLocationDetails":[{"networkType":"trustedNamedLocation","networkNames":["x","#
        let good = #"{"Type":"SigninLogs","TimeGenerated":"2026-03-10T08:00:01Z","NetworkLocationDetails":[{"networkType":"namedNetwork"}]}"#
        expectAlike(broken + "\n" + good + "\n")
        let events = ingestText(broken + "\n" + good + "\n")
        #expect(events.count == 1)
        #expect(events.first?.trustedLocation == false)
    }

    /// Found by review: an element read flat takes several times the storage of a parsed one,
    /// and the storage is kept from record to record. Past ``JSONParser/flatElements`` elements
    /// (and members of objects inside arrays) in a record, arrays are parsed as values, the
    /// outermost array being read put back and parsed from its start: the record reads as its
    /// tree does, and the parser keeps no more than the budget's worth of members.
    @Test func arraysPastTheRecordsBudgetAreParsedAndReadAlike() {
        let budget = JSONParser.flatElements
        let zeros = Array(repeating: "0", count: budget + 10).joined(separator: ",")
        let items = (0..<(budget / 2 + 10)).map { #"{"Id":"\#($0)"}"# }.joined(separator: ",")
        let wide = (0..<(budget + 10)).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let head = #"{"CreationTime":"2026-03-02T13:05:59","Id":"11111111-2222-4333-8444-555555555555","Operation":"MailItemsAccessed","RecordType":50,"Workload":"Exchange","UserId":"a@b.example","#
        let cases = [
            // One long array; the arrays after it, parsed too.
            head + #""Parameters":["# + zeros + #"],"Folders":[{"FolderItems":[{"Id":"x"}]}]}"#,
            // Two arrays nested in an array that together pass it: the outer one is parsed.
            head + #""Folders":[{"FolderItems":["# + items + #"]},{"Path":"/b","FolderItems":["# + items + #"]}],"Parameters":[{"Name":"n","Value":"v"}]}"#,
            // An object inside an array with more members than the budget.
            head + #""Parameters":[{"Name":"first","Value":"1"},{"# + wide + #"}]}"#,
            // Within the budget: read flat.
            head + #""Parameters":[{"Name":"n","Value":"v"}],"Folders":[{"FolderItems":[{"Id":"1"},{"Id":"2"}]}]}"#,
        ]
        var cutting = ReadLimits()
        cutting.maxStringBytes = 3
        for (number, text) in cases.enumerated() {
            expectAlike(text)
            // Strings cut in the part read flat before it was put back are counted once.
            expectAlike(text, limits: cutting)
            Array(text.utf8).withUnsafeBufferPointer { buffer in
                var reader = JSONRecordReader(bytes: buffer, limits: ReadLimits())
                reader.read(from: 0) { raw in
                    guard case .success(.fields(let record)) = raw.value else { Issue.record("case \(number) not read flat"); return }
                    // Past the budget the record keeps its own members and no array's.
                    #expect(number == 3 || record.members.count < 16, "case \(number): \(record.members.count) members kept")
                    let folders = record.elements(.folders)
                    switch number {
                    case 0: #expect(record.elements(.parameters).count == budget + 10 && folders.count == 1)
                    case 1: #expect(folders.map { $0.elements(.folderItems).count } == [budget / 2 + 10, budget / 2 + 10])
                    case 2: #expect(record.elements(.parameters).map(\.keys.count) == [2, budget + 10])
                    default: #expect(folders.first?.elements(.folderItems).count == 2 && record.members.count == 17, "\(record.members.count)")
                    }
                }
            }
        }
        // Broken past the budget: refused as the tree refuses it.
        let broken = head + #""Parameters":["# + zeros + #",}"#
        let errors = refusals(broken, limits: ReadLimits())
        #expect(errors.flat != nil && errors.flat == errors.tree)
    }

    /// An audit record's name/value lists and folders, read flat, give the event they gave as
    /// trees.
    @Test func auditListsReadFlatGiveTheirValues() {
        let record = #"{"CreationTime":"2026-03-02T13:05:59","Id":"11111111-2222-4333-8444-555555555555","Operation":"MailItemsAccessed","RecordType":50,"Workload":"Exchange","UserId":"a@b.example","#
            + #""ExtendedProperties":[{"Name":"UserAgent","Value":"Agent\/1"},{"Name":"RequestType","Value":"OAuth2:Token"}],"DeviceProperties":[{"Name":"OS","Value":"Windows"},{"Name":"SessionId","Value":"0A1B2C3D-0000-4000-8000-000000000001"}],"#
            + #""Parameters":[{"Name":"Identity","Value":"x"},{"Name":"Flag","Value":true}],"Folders":[{"Path":"/Inbox","FolderItems":[{"Id":"1"},{"Id":"2"}]},{"FolderItems":[{"Id":"3"}]}]}"#
        expectAlike(record)
        let events = ingestText(record + "\n")
        #expect(events.count == 1)
        guard let event = events.first else { return }
        #expect(event.userAgent == "Agent/1" && event.operatingSystem == "Windows" && event.sessionId == "0a1b2c3d-0000-4000-8000-000000000001")
        #expect(event.parameters == [NameValue(name: "Identity", value: "x"), NameValue(name: "Flag", value: "true")])
        #expect(event.itemCount == 3)
    }

    /// Found by review: the first of `LocationDetails`, `_dynamic`, `_string` that holds
    /// structured data is read, as before the nested objects were read flat; an array there is
    /// no location and does not fall through to `location`.
    @Test func aLocationDetailsArrayIsNoLocation() {
        let text = #"{"TimeGenerated":"2026-03-10T08:00:00Z","Type":"SigninLogs","UserPrincipalName":"a@b.example","LocationDetails":[],"location":{"city":"Bern","countryOrRegion":"CH"}}"#
        expectAlike(text)
        #expect(ingestText(text + "\n").first?.city == nil)
        let object = #"{"TimeGenerated":"2026-03-10T08:00:00Z","Type":"SigninLogs","UserPrincipalName":"a@b.example","location":{"city":"Bern","countryOrRegion":"CH"}}"#
        #expect(ingestText(object + "\n").first?.city == "Bern")
    }

    /// Found by review: a string limit shorter than `records` or `value` cut the envelope's key,
    /// and its records were read as an ignored member.
    @Test func aShortStringLimitDoesNotHideAnEnvelopesRecords() {
        for (envelope, limit) in [("records", 6), ("value", 4), ("records", 1)] {
            var limits = ReadLimits()
            limits.maxStringBytes = limit
            let text = #"{""# + envelope + #"":["# + Self.signIn + "," + Self.signIn + "]}"
            var count = 0
            Array(text.utf8).withUnsafeBufferPointer { buffer in
                var reader = JSONRecordReader(bytes: buffer, limits: limits)
                reader.read(from: 0) { _ in count += 1 }
            }
            #expect(count == 2, "\(envelope) with limit \(limit)")
        }
    }

    /// The events of one NDJSON text.
    func ingestText(_ text: String) -> [Event] {
        guard let scratch = try? Scratch(), let file = try? scratch.write("nested.ndjson", text) else { return [] }
        return ingestOne(file).1
    }

    /// Every JSON record of the bundled examples and of the public samples.
    @Test func examplesAndSamplesReadAlike() throws {
        var roots = [packageRoot.appendingPathComponent("Examples")]
        if samplesAvailable { roots.append(samplesRoot) }
        var files = 0, records = 0
        for root in roots {
            guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where ["json", "ndjson", "jsonl"].contains(url.pathExtension.lowercased()) {
                let data = try Data(contentsOf: url)
                let limits = ReadLimits()
                data.withUnsafeBytes { raw in
                    let buffer = raw.bindMemory(to: UInt8.self)
                    var reader = JSONRecordReader(bytes: buffer, limits: limits)
                    reader.read(from: 0) { record in
                        if let failed = FlatRecordCheck.failures(of: record, in: buffer, limits: limits), failed.flat != failed.tree {
                            Issue.record("\(url.lastPathComponent), line \(record.line): the reader fails \(failed.flat)\nthe tree \(failed.tree)")
                        }
                        guard let pair = FlatRecordCheck.readings(of: record, in: buffer, limits: limits) else { return }
                        records += 1
                        if pair.flat != pair.tree {
                            Issue.record("\(url.lastPathComponent), line \(record.line): read flat \(pair.flat)\nas a tree \(pair.tree)")
                        }
                    }
                }
                files += 1
            }
        }
        #expect(files >= 4)
        // The bundled examples alone hold 635 JSON records.
        #expect(records >= (samplesAvailable ? 700 : 600))
    }
}

/// Found by review: checks made on a record's bytes must read characters as the string checks
/// they replaced did. A combining mark after `@` or `/` makes another character.
@Suite struct ByteChecksReadCharactersTests {
    @Test func containsOnTheBytesFindsWhatTheStringFinds() {
        let values = ["alice@contoso.example", "no-at-sign", "a@\u{301}b", "é@x", "a\r\nb", "a\rb", "a\nb", "\r\n", "@", "", "caf\u{E9}@x/y"]
        let characters: [Character] = ["@", "/", "\r", "\n", "\r\n", "é"]
        for value in values {
            for character in characters {
                let found = Array(value.utf8).withUnsafeBufferPointer { FieldText.bytes($0).contains(character) }
                #expect(found == (character.asciiValue != nil && value.contains(character)), "\(value.debugDescription) \(character.debugDescription)")
                #expect(FieldText.text(value).contains(character) == found)
            }
        }
    }

    @Test func aCombiningMarkAfterTheMarkerIsAnotherCharacter() throws {
        let scratch = try Scratch()
        let lines = [
            #"{"Type":"CloudAppEvents","Timestamp":"2026-03-02T13:05:57Z","ActionType":"FileAccessed","ReportId":"r1","AccountId":"a@\u0301b.example"}"#,
            #"{"Type":"CloudAppEvents","Timestamp":"2026-03-02T13:05:58Z","ActionType":"FileAccessed","ReportId":"r2","AccountId":"Alice@Contoso.example"}"#,
            #"{"CreationTime":"2026-03-02T13:05:59","Id":"11111111-2222-4333-8444-555555555555","Operation":"FileAccessed","RecordType":6,"Workload":"OneDrive","UserId":"b@\u0301c"}"#,
            #"{"Type":"SigninLogs","TimeGenerated":"2026-03-02T13:06:00Z","AppDisplayName":"x","resourceId":"/\u0301abc"}"#,
            #"{"Type":"SigninLogs","TimeGenerated":"2026-03-02T13:06:01Z","AppDisplayName":"x","resourceId":"/subscriptions/abc"}"#,
        ]
        let (report, events) = ingestOne(try scratch.write("marks.ndjson", lines.joined(separator: "\n") + "\n"))
        #expect(report.used == 5)
        #expect(try event(events, record: 1).userPrincipalName == nil)
        #expect(try event(events, record: 2).userPrincipalName == "alice@contoso.example")
        let audit = try event(events, record: 3)
        #expect(audit.userPrincipalName == nil && audit.userDisplayName == "b@\u{301}c")
        #expect(try event(events, record: 4).resource == "/\u{301}abc")
        #expect(try event(events, record: 5).resource == nil)
    }
}
