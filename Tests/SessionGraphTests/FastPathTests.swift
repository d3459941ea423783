import Foundation
import Testing
@testable import SessionGraph
@testable import SessionGraphSimulator

/// The code written for speed gives the answers of the plain code it replaced: byte-level
/// case-insensitive search, the direct findings writer, and the graph assembled in chunks on
/// several cores.
@Suite struct FastPathTests {
    // MARK: ASCII search

    static let texts = [
        "", "a", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/120", "python-requests/2.31", "AXIOS/1.6.7",
        "node", "Node.js", "nod", "GET https://graph.microsoft.com/v1.0/me/MailFolders/inbox/messages?$search=\"Password\"",
        "POST /v1.0/applications/abc/addPassword", "Ünïcødé agent — 漢字 axios", "xxaxio", "CFNetwork/1490 Darwin/23.2.0",
    ]
    static let needles = ["", "a", "axios", "node", "mozilla", "/messages", "/mailfolders", "password", "search", "/applications", "cfnetwork", "darwin/", "zzz"]

    @Test func asciiSearchAgreesWithLowercasedContains() {
        for text in Self.texts {
            for needle in Self.needles {
                let lowered = text.lowercased()
                #expect(text.containsIgnoringASCIICase(needle) == (needle.isEmpty || lowered.contains(needle)), "\(text) contains \(needle)")
                #expect(text.hasPrefixIgnoringASCIICase(needle) == lowered.hasPrefix(needle), "\(text) starts with \(needle)")
            }
            #expect(text.containsAnyIgnoringASCIICase(Self.needles.filter { !$0.isEmpty }) == Self.needles.contains { !$0.isEmpty && text.lowercased().contains($0) })
        }
    }

    /// Random texts over a small alphabet, where needles starting with a letter and with
    /// another byte (found by `memchr`) occur often, overlap and end at the text's end.
    @Test func asciiSearchAgreesWithLowercasedContainsOnRandomTexts() {
        var random = SplitMix64(seed: 41)
        let alphabet = Array("/aAb.".utf8)
        let needles = ["/", "/a", "/ab", "a/", "ab/a", ".", "./", "b", "//a", "/aa/"]
        for _ in 0..<3_000 {
            let text = String(decoding: (0..<Int.random(in: 0...24, using: &random)).map { _ in alphabet.randomElement(using: &random)! }, as: UTF8.self)
            for needle in needles {
                #expect(text.containsIgnoringASCIICase(needle) == text.lowercased().contains(needle), "\(text) contains \(needle)")
            }
        }
    }

    @Test func asciiSearchDoesNotFoldNonASCIILetters() {
        // The Kelvin sign lower-cases to an ASCII k; byte search does not fold it.
        #expect(!"o\u{212A}http/4".containsIgnoringASCIICase("okhttp"))
        #expect("OKHTTP/4".containsIgnoringASCIICase("okhttp"))
    }

    // MARK: string scan

    @Test func stringScanFindsTheFirstSpecialByteAtEveryPosition() {
        // Every position of one to three special bytes, and bytes next to them in value
        // (0x21/0x23, 0x5B/0x5D, 0x09/0x0B, high bytes), over lengths that end inside a word.
        var generator = SystemRandomNumberGenerator()
        let specials: [UInt8] = [0x22, 0x5C, 0x0A]
        let fillers: [UInt8] = [0x21, 0x23, 0x5B, 0x5D, 0x09, 0x0B, 0x80, 0xFF, 0x00, 0x41, 0xA2, 0xDC]
        for length in 0...40 {
            for _ in 0..<60 {
                var bytes = (0..<length).map { _ in fillers.randomElement(using: &generator)! }
                for _ in 0..<Int.random(in: 0...3, using: &generator) where length > 0 {
                    bytes[Int.random(in: 0..<length, using: &generator)] = specials.randomElement(using: &generator)!
                }
                let start = length == 0 ? 0 : Int.random(in: 0...length, using: &generator)
                let expected = bytes[start...].firstIndex(where: specials.contains) ?? length
                bytes.withUnsafeBufferPointer { buffer in
                    #expect(JSONParser.nextStringSpecial(buffer, from: start) == expected, "\(bytes) from \(start)")
                }
            }
        }
    }

    // MARK: event layout

    @Test func theFieldsEveryPassReadsComeFirstInAnEvent() {
        let storage = Event.Storage(time: UTCInstant(microseconds: 0), source: .signInLogs, shape: .logAnalyticsNDJSON, kind: .signIn,
                                    provenance: Provenance(fileIndex: 0, line: 0, record: 0))
        let base = UInt(bitPattern: Unmanaged.passUnretained(storage).toOpaque())
        func offset<T>(_ field: inout T) -> UInt { withUnsafeMutablePointer(to: &field) { UInt(bitPattern: $0) } &- base }
        func end<T>(_ field: inout T) -> UInt { offset(&field) + UInt(MemoryLayout<T>.size) }
        let ends = [end(&storage.time), end(&storage.source), end(&storage.kind), end(&storage.interactive), end(&storage.userId),
                    end(&storage.userPrincipalName), end(&storage.sessionId), end(&storage.ipAddress), end(&storage.userAgent),
                    end(&storage.country), end(&storage.servicePrincipalId), end(&storage.appId), end(&storage.result),
                    end(&storage.operation), end(&storage.deviceId), end(&storage.incomingTokenType),
                    end(&storage.uniqueTokenId), end(&storage.recordId), end(&storage.stored), end(&storage.tokenIssuedAtValue),
                    end(&storage.asnValue)]
        // After the 16-byte object header and within the object's first 128 bytes: two cache
        // lines, as jemalloc's 256-byte class aligns the object to 64 bytes. The rest after them,
        // and the provenance last of all (the object's size is measured to its end).
        #expect(ends.allSatisfy { $0 > 16 && $0 <= 128 }, "\(ends)")
        #expect(offset(&storage.correlationId) >= 128 && offset(&storage.rare) >= 128)
        #expect(end(&storage.provenance) == UInt(Event.Storage.objectBytes))
        #expect(Array(Mirror(reflecting: storage).children).last?.label == "provenance", "the size is measured to the last field declared")
        withExtendedLifetime(storage) {}
    }

    @Test("an event's object fits the allocator's 256-byte class (three million of them at 4.9 GB; 384 bytes each before)")
    func theEventObjectFitsItsSizeClass() {
        #expect(Event.Storage.objectBytes <= 256)
    }

    // MARK: interner

    /// Where a string's bytes live: equal for two values sharing one heap copy.
    static func storage(_ text: String?) -> UnsafeRawPointer? {
        text?.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
    }

    @Test func internerGivesOneCodePerTextAcrossTableGrowth() {
        var interner = TextInterner()
        var other = TextInterner()
        // More distinct values than the table's first size, so it grows several times.
        let texts = (0..<5000).map { "Mozilla/5.0 client build \($0) (Windows NT 10.0)" } + ["10.0.0.1", "", "ü"]
        var first: [UInt32] = []
        for text in texts {
            first.append(interner.code(FieldText(String(decoding: Array(text.utf8), as: UTF8.self))))
        }
        #expect(Set(first).count == texts.count, "distinct texts, distinct codes")
        for (index, text) in texts.enumerated() {
            let copy = String(decoding: Array(text.utf8), as: UTF8.self)
            #expect(interner.code(FieldText(copy)) == first[index])
            // Another file's cache reaches the same shared code.
            #expect(other.code(FieldText(copy)) == first[index])
            #expect(TextVocabulary.shared.text(first[index]) == text)
        }
        // The vocabulary hands back one held copy of a long value, not the caller's.
        let held = TextVocabulary.shared.text(first[0])
        #expect(Self.storage(held) == Self.storage(TextVocabulary.shared.text(interner.code(FieldText(String(decoding: Array(texts[0].utf8), as: UTF8.self))))))
        #expect(interner.code(FieldText?.none) == TextVocabulary.none)
        #expect(TextVocabulary.shared.text(TextVocabulary.none) == nil)
    }

    /// An address of four short digit groups is read from its bytes as the split of its text
    /// reads it; any other text is left to the split (random texts of digits and dots).
    @Test func dottedQuadEqualsTheSplitOfItsText() {
        var generator = SplitMix64(seed: 41)
        var texts = ["203.0.113.7", "1.2.3.4", "255.255.255.255", "1..2.3.4", ".1.2.3", "1.2.3.", "1.2.3", "1.2.3.4.5", "1234.1.1.1", "01.002.3.4", "a.b.c.d", "2001:db8::1"]
        texts += (0..<3000).map { _ in String(decoding: (0..<Int.random(in: 0...16, using: &generator)).map { _ in Array("0123456789..".utf8).randomElement(using: &generator)! }, as: UTF8.self) }
        texts += (0..<1000).map { _ in (0..<4).map { _ in String(Int.random(in: 0...999, using: &generator)) }.joined(separator: ".") }
        for text in texts {
            let parts = text.split(separator: ".")
            let strict = parts.count == 4 && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { $0.count >= 1 && $0.count <= 3 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
            if let (network, host) = NetworkKey.dottedQuad(text) {
                #expect(strict, "\(text)")
                #expect(network == "\(parts[0]).\(parts[1]).\(parts[2])" && host == String(parts[3]), "\(text)")
                #expect(NetworkKey.prefix(text) == "\(parts[0]).\(parts[1]).\(parts[2]).0/24", "\(text)")
            } else {
                #expect(!strict, "\(text)")
            }
        }
    }

    /// The client family from `memchr` and `memcmp` on the lowered bytes is the family the
    /// plain definition gives (the agent lower-cased, Foundation's substring search) for ASCII
    /// agents made of the needles' pieces in any case; a look-alike letter (the Kelvin sign,
    /// which `lowercased()` turns into `k`) no longer matches.
    @Test func clientFamilyMatchesThePlainDefinitionOnASCII() {
        func plain(_ agent: String) -> String {
            let ua = agent.lowercased()
            let scripts = [("python-requests", "python"), ("python-urllib", "python"), ("aiohttp", "python"), ("python/", "python"),
                           ("axios", "node"), ("undici", "node"), ("node-fetch", "node"), ("node", "node"), ("curl/", "curl"), ("wget", "wget"),
                           ("go-http-client", "go"), ("postmanruntime", "postman"), ("powershell", "powershell"), ("okhttp", "okhttp"),
                           ("java/", "java"), ("libwww-perl", "perl")]
            func browser() -> String {
                if ["edg/", "edge/", "edga/", "edgios/"].contains(where: ua.contains) { return "edge" }
                if ["firefox/", "fxios/"].contains(where: ua.contains) { return "firefox" }
                if ["opr/", "opera"].contains(where: ua.contains) { return "opera" }
                if ["chrome/", "crios/", "chromium"].contains(where: ua.contains) { return "chrome" }
                return ua.contains("safari/") ? "safari" : ua.contains("headless") ? "headless" : "other"
            }
            func kind() -> String {
                if let script = scripts.first(where: { ua.contains($0.0) }) { return "script:\(script.1)" }
                if ["windows-azuread-authentication-provider", "microsoft authentication broker", "aadbroker"].contains(where: ua.contains) { return "broker" }
                let office = ["outlook", "teams", "onedrive", "skydrivesync", "microsoft office", "excel", "winword", "powerpnt", "msoffice", "skype", "olk/",
                              "mruservice", "client=outlookservice", "client=rest", "client=owa", "client=msexchangerpc", "client=activesync", "client=exchangewebservices"]
                if office.contains(where: ua.contains) {
                    return ua.contains("client=owa") || (ua.contains("mozilla") && !ua.contains("teams") && !ua.contains("outlook")) ? "browser:\(browser())" : "office"
                }
                if ["mozilla", "applewebkit", "gecko"].contains(where: ua.contains) { return "browser:\(browser())" }
                return ["dalvik", "cfnetwork", "darwin/"].contains(where: ua.contains) ? "mobile-app" : "other"
            }
            func os() -> String {
                if ["iphone", "ipad", "ios"].contains(where: ua.contains) { return "ios" }
                if ua.contains("android") { return "android" }
                if ["windows", "win64", "win32"].contains(where: ua.contains) { return "windows" }
                if ["mac os", "macintosh", "macos"].contains(where: ua.contains) { return "macos" }
                return ["linux", "x11"].contains(where: ua.contains) ? "linux" : "unknown"
            }
            return agent.isEmpty ? "empty" : "\(kind())/\(os())"
        }
        let pieces = ["Mozilla/5.0 ", "(Windows NT 10.0; Win64; x64) ", "AppleWebKit/537.36 ", "Chrome/120.0 ", "Safari/537.36 ", "Edg/120.0 ",
                      "Firefox/121.0 ", "iPhone; CPU iPhone OS 17_2 ", "Android 14; ", "Macintosh; Intel Mac OS X 14_2 ", "X11; Linux x86_64 ",
                      "python-requests/2.31", "curl/8.4", "Go-http-client/1.1", "OkHttp/4.9", "Node", "Microsoft Office/16.0 ", "Outlook-iOS/2.0 ",
                      "Teams/1.6 ", "Client=OWA;", "Client=ActiveSync;", "Windows-AzureAD-Authentication-Provider/1.0", "Dalvik/2.1", "CFNetwork/1.0 ",
                      "Darwin/23", "HeadlessChrome/120", "OPR/105", "Opera", "Chromium/120", "java/17", "x", "e", "/", " "]
        var random = SplitMix64(seed: 17)
        for _ in 0..<3_000 {
            var agent = (0..<Int.random(in: 0...5, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            if Bool.random(using: &random) { agent = Bool.random(using: &random) ? agent.uppercased() : agent.lowercased() }
            #expect(ClientFamily.of(agent) == plain(agent), "\(agent)")
        }
        #expect(ClientFamily.of("OkHttp/4.9.0") == "script:okhttp/unknown")
        #expect(ClientFamily.of("O\u{212A}Http/4.9.0") == "other/unknown")
        #expect(ClientFamily.of(nil) == "empty")
    }

    /// Two values that differ the way the old multiply-xorshift cancelled (this pair had the
    /// same hash for about half of all seeds) do not share a hash, whatever the seed; nor do
    /// values one flipped bit apart in any word.
    @Test func seededWordHashHasNoSeedIndependentCollisions() {
        var random = SplitMix64(seed: 5)
        let pair = (Array("abcdefgaqrstuvwa".utf8), Array("abcdefgAqrs4uvwA".utf8))
        var same = 0
        for _ in 0..<64 {
            let seed = random.next()
            let hashes = (pair.0.withUnsafeBufferPointer { WordHash.hash($0, seed: seed, foldingASCIICase: false) },
                          pair.1.withUnsafeBufferPointer { WordHash.hash($0, seed: seed, foldingASCIICase: false) })
            if hashes.0 == hashes.1 { same += 1 }
            for bit in [0, 7, 31, 61, 63] {
                var value = (0..<24).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                let hash = value.withUnsafeBufferPointer { WordHash.hash($0, seed: seed, foldingASCIICase: false) }
                value[bit / 8 + 8] ^= 1 << UInt8(bit % 8)
                if value.withUnsafeBufferPointer({ WordHash.hash($0, seed: seed, foldingASCIICase: false) }) == hash { same += 1 }
            }
        }
        #expect(same == 0)
    }

    /// The vocabulary asked from four threads at once for overlapping values it has not seen,
    /// most of them new (as a log whose URIs name ids), two threads through a file's interner
    /// (which hands its hash over) and two directly: each value gets one code whichever thread
    /// asks first and however, distinct values distinct codes, and each code reads back its
    /// value. More values than a chunk of the vocabulary holds, so new chunks are made while
    /// other threads read. Lookalikes are separate values (bytes, not Unicode equivalence).
    @Test func vocabularyGivesOneCodePerValueAcrossThreads() {
        let run = UInt64.random(in: 0...UInt64.max)
        let values = (0..<70_000).map { "GET https://graph.microsoft.com/v1.0/me/messages/AAMk\(run)-\($0)" }
            + ["Kelvin \u{212A}", "Kelvin K", "Jos\u{E9} \(run)", "Jose\u{301} \(run)"]
        let codes = ParallelSlots<[UInt32]>(count: 4)
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            // Each thread asks in its own order, so every value has a race to be first.
            let order = thread % 2 == 0 ? Array(values.indices) : values.indices.reversed()
            var mine = [UInt32](repeating: 0, count: values.count)
            var interner = TextInterner()
            for index in order {
                let copy = String(decoding: Array(values[index].utf8), as: UTF8.self)
                mine[index] = thread < 2 ? interner.code(FieldText(copy)) : TextVocabulary.shared.code(copy)
            }
            codes.store(mine, at: thread)
        }
        let answers = codes.take()
        #expect(answers.allSatisfy { $0 == answers[0] }, "every thread got the same code for each value")
        #expect(Set(answers[0]).count == values.count, "distinct values, distinct codes")
        #expect(!answers[0].contains(TextVocabulary.none))
        #expect(zip(values, answers[0]).allSatisfy { TextVocabulary.shared.text($1)?.sameBytes(as: $0) == true })
    }

    /// The merge's time order: the radix sort (keys in file order, from 4,096 keys, on one or
    /// several stretches) and the comparison sort (keys in any other order, and fewer keys)
    /// give the order of (time, file, record), over spans from one instant to the readers'
    /// whole range, with many keys on one time, and on times whose low digit is the same for
    /// every key (a pass that moves nothing).
    @Test(arguments: [100, 5_000, 140_001])
    func eventTimeOrderIsTheComparisonOrder(count: Int) {
        var random = SplitMix64(seed: UInt64(count))
        let earliest = UTCInstant.earliestAccepted.microseconds, latest = UTCInstant.latestAccepted.microseconds
        let spans: [Int64] = [0, 1_000, 2 * 86_400_000_000, latest - earliest, -(1 << 30)]
        for span in spans {
            // File by file, each file's records in order, times in no order.
            var keys: [EventSortKey] = []
            var file: Int32 = 0, record: Int32 = 0
            for position in 0..<count {
                if Int.random(in: 0..<1_000, using: &random) == 0 { (file, record) = (file + 1, 0) }
                record += Int32.random(in: 1...3, using: &random)
                // A negative span: times on multiples of 2^11 microseconds up to 2^30.
                let time = span < 0 ? earliest + (Int64.random(in: 0...(-span), using: &random) >> 11) << 11
                    : earliest + (span == 0 ? 0 : Int64.random(in: 0...span, using: &random) / (span > 10_000 ? 1_000 : 1) * (span > 10_000 ? 1_000 : 1))
                keys.append(EventSortKey(time: time, file: file, record: record, position: position))
            }
            let expected = keys.sorted { ($0.time, $0.file, $0.record) < ($1.time, $1.file, $1.record) }
            // The first place the sorted keys differ from the comparison order, if any (the
            // arrays are too long to print whole).
            func firstDifference(_ sorted: [EventSortKey]) -> Int? {
                sorted.count != expected.count ? -1 : sorted.indices.first { sorted[$0] != expected[$0] }
            }
            var radix = keys
            sortByTime(&radix)
            #expect(firstDifference(radix) == nil, "in file order, span \(span)")
            var shuffled = keys
            shuffled.shuffle(using: &random)
            sortByTime(&shuffled)
            #expect(firstDifference(shuffled) == nil, "shuffled, span \(span)")
        }
    }

    @Test func bytesOfARecordGetTheCodeOfTheirText() {
        var interner = TextInterner()
        let agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) bytes test"
        let expected = TextVocabulary.shared.code(agent)
        let bytes = Array(agent.utf8)
        bytes.withUnsafeBufferPointer { buffer in
            #expect(interner.code(FieldText.bytes(buffer)) == expected, "new to the file")
            #expect(interner.code(FieldText.bytes(buffer)) == expected, "seen by the file")
            #expect(interner.code(FieldText(agent)) == expected)
        }
        // Invalid UTF-8 gets the code of its repaired text, however often it comes.
        let broken: [UInt8] = Array("agent ".utf8) + [0xC3, 0x28, 0xFF] + Array(" end of bytes test".utf8)
        let repaired = String(decoding: broken, as: UTF8.self)
        #expect(repaired.contains("\u{FFFD}"))
        broken.withUnsafeBufferPointer { buffer in
            for _ in 0..<3 {
                #expect(interner.code(FieldText.bytes(buffer)) == TextVocabulary.shared.code(repaired))
            }
            #expect(FieldText.bytes(buffer).string == repaired)
        }
    }

    @Test func fieldTextLowerCasesOnlyWhenItMust() {
        let lower = Array("alice@contoso.example".utf8), upper = Array("Alice@Contoso.example".utf8)
        lower.withUnsafeBufferPointer { buffer in
            guard case .bytes(let kept) = FieldText.bytes(buffer).lowercased() else { Issue.record("copied"); return }
            #expect(kept.baseAddress == buffer.baseAddress)
        }
        upper.withUnsafeBufferPointer { buffer in
            #expect(FieldText.bytes(buffer).lowercased().string == "alice@contoso.example")
        }
        #expect(FieldText("ÉLISE@contoso.example").lowercased().string == "élise@contoso.example")
        #expect("\(FieldText("a\"b"))" == "a\"b" && String(reflecting: FieldText("a\"b")) == String(reflecting: "a\"b"))
    }

    @Test func joinedFieldsEqualTheJoinedStrings() {
        let method = Array("GET".utf8), uri: [UInt8] = Array("https://graph.microsoft.com/v1.0/me/".utf8) + [0xE2, 0x82] + Array(" x".utf8) + [0xFF]
        method.withUnsafeBufferPointer { m in
            uri.withUnsafeBufferPointer { u in
                let expected = "\(String(decoding: m, as: UTF8.self)) \(String(decoding: u, as: UTF8.self))"
                #expect(FieldText.joined(.bytes(m), " ", .bytes(u)) == expected)
                #expect(FieldText.joined("scopes=", .bytes(u), "; roles=", "Admin") == "scopes=" + String(decoding: u, as: UTF8.self) + "; roles=Admin")
            }
        }
        #expect(FieldText.joined("?", " ", "") == "? ")
    }

    // MARK: record keys

    @Test func sharedKeysKeepTheirExactSpelling() throws {
        // Keys that differ only in case hash alike; each must come back as written.
        let text = #"[{"SessionId":"a","sessionid":"b","UniqueTokenIdentifier":"c"},{"sessionid":"d","SessionId":"e","Sess\u0069onId":"f","UniqueTokenIdentifier":"g"}]"#
        let value = try JSONParser.parse(Array(text.utf8))
        guard case .array(let records) = value, records.count == 2 else { Issue.record("expected two records"); return }
        #expect(records[0].keys == ["SessionId", "sessionid", "UniqueTokenIdentifier"])
        #expect(records[1].keys == ["sessionid", "SessionId", "SessionId", "UniqueTokenIdentifier"])
        #expect(records[1].member(exactly: "SessionId")?.text == "f", "the last of the repeated key wins")
        #expect(records[1]["uniquetokenidentifier"]?.text == "g")
    }

    @Test func wordLowercasingMatchesByteLowercasing() {
        // Every byte value in every position of the word.
        for byte in 0...255 {
            for position in 0..<8 {
                let word = UInt64(byte) << (8 * UInt64(position)) | 0x4142_5A5B_6061_7A40 & ~(0xFF << (8 * UInt64(position)))
                var expected: UInt64 = 0
                for i in 0..<8 { expected |= UInt64(lowerASCII(UInt8(truncatingIfNeeded: word >> (8 * UInt64(i))))) << (8 * UInt64(i)) }
                #expect(WordHash.lowerASCIIWord(word) == expected, "byte \(byte) at \(position)")
            }
        }
    }

    @Test func wordHashAndCaseInsensitiveCompareMatchTheByteRules() {
        // The hash as first written, a byte at a time for the tail.
        func byteHash(_ bytes: [UInt8], seed: UInt64, fold: Bool) -> UInt64 {
            func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
                let product = a.multipliedFullWidth(by: b)
                return product.high ^ product.low
            }
            let multiplier = (seed ^ 0xA076_1D64_78BD_642F) | 1
            var value = mix(seed ^ 0xE703_7ED1_A0B4_28DB, UInt64(bytes.count) ^ multiplier)
            var offset = 0
            while offset + 8 <= bytes.count {
                var word: UInt64 = 0
                for i in 0..<8 { word |= UInt64(fold ? lowerASCII(bytes[offset + i]) : bytes[offset + i]) << (8 * UInt64(i)) }
                value = mix(value ^ word, multiplier)
                offset += 8
            }
            var tail: UInt64 = 0
            for i in offset..<bytes.count { tail |= UInt64(fold ? lowerASCII(bytes[i]) : bytes[i]) << (8 * UInt64(i - offset)) }
            let hash = mix(value ^ tail, (multiplier ^ 0x8EBC_6AF0_9C88_C6E3) | 1)
            return hash ^ (hash >> 32)
        }
        var generator = SplitMix64(seed: 5)
        let alphabet: [UInt8] = Array("aAzZ@[`{09_-".utf8) + [0x00, 0x7F, 0x80, 0xC3, 0xFF]
        for length in 0...41 {
            for _ in 0..<40 {
                let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
                // Hashed inside a larger buffer, so the tail's load reads bytes before it.
                let padded = [0x41, 0x42] + bytes + [0x43]
                for fold in [true, false] {
                    let hash = padded.withUnsafeBufferPointer { WordHash.hash(UnsafeBufferPointer(rebasing: $0[2..<(2 + length)]), seed: 9, foldingASCIICase: fold) }
                    #expect(hash == byteHash(bytes, seed: 9, fold: fold), "length \(length)")
                }
                var other = bytes
                if length > 0 {
                    let at = Int.random(in: 0..<length, using: &generator)
                    other[at] = alphabet.randomElement(using: &generator)!
                }
                let expected = bytes.map(lowerASCII) == other.map(lowerASCII)
                let equal = bytes.withUnsafeBufferPointer { x in other.withUnsafeBufferPointer { y in asciiCaseInsensitiveEqual(x, y) } }
                #expect(equal == expected, "\(bytes) \(other)")
            }
        }
    }

    @Test func logSourcesOrderAndHashByTheirCase() {
        #expect(LogSource.allCases.sorted() == LogSource.allCases, "declaration order")
        #expect(Set(LogSource.allCases.map(\.hashValue)).count == LogSource.allCases.count)
    }

    @Test func keyHashesIgnoreCaseAndFindEveryReadField() {
        func hash(_ text: String) -> UInt64 { Array(text.utf8).withUnsafeBufferPointer(ReadFields.hash) }
        #expect(hash("UniqueTokenIdentifier") == hash("uniquetokenidentifier"))
        #expect(hash("SessionId") != hash("SessionIdx"))
        #expect(hash("ab") != hash("ab\u{0}"), "the length is part of the hash")
        for key in ReadFields.keys {
            #expect(ReadFields.table.contains(hash(key.uppercased())), "\(key)")
        }
        for other in ["AuthenticationDetails", "ConditionalAccessPolicies", "TokenProtectionStatusDetails", "", "x"] {
            #expect(!ReadFields.table.contains(hash(other)), "\(other)")
        }
    }

    /// Every key a mapper asks for is read by the parser (else the filter would step over it and
    /// the lookup find nothing), and each is one key: no two cases name the same column.
    @Test func everyFieldKeyIsReadAndTheTableTellsWhichItIs() {
        func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
        var seen = Set<String>()
        for key in FieldKey.allCases {
            let spelling = key.withBytes { String(decoding: $0, as: UTF8.self) }
            #expect(ReadFields.keys.contains(spelling.lowercased()), "\(spelling) is read by a mapper but skipped by the parser")
            #expect(seen.insert(spelling.lowercased()).inserted, "\(spelling) twice")
            for variant in [spelling, spelling.uppercased(), spelling.lowercased()] {
                let found = bytes(variant).withUnsafeBufferPointer { ReadFields.table.fieldKey(of: $0, hash: ReadFields.hash($0)) }
                #expect(found == key.rawValue, "\(variant)")
            }
        }
        // A word that is a value, not a key, a key not read, and a key given another key's hash
        // (the bytes decide, not the hash alone).
        let userIdHash = bytes("userid").withUnsafeBufferPointer(ReadFields.hash)
        for (text, hash) in [("true", nil), ("AuthenticationDetails", nil), ("useridx", userIdHash), ("", nil)] as [(String, UInt64?)] {
            let found = bytes(text).withUnsafeBufferPointer { ReadFields.table.fieldKey(of: $0, hash: hash ?? ReadFields.hash($0)) }
            #expect(found == -1, "\(text)")
        }
    }

    @Test func sessionsDocumentEqualsTheEncodableForm() throws {
        var lines = try GraphBuilderTests().fixtureLines()
        // Bob on Alice's session id: a data error and a split chain.
        lines.append(GraphBuilderTests.signIn("44444444-aaaa-4bbb-8ccc-000000000001", "2026-03-02T11:00:00Z", interactive: true, ip: "198.51.100.9", asn: 14061, user: GraphBuilderTests.bob))
        let graph = try GraphBuilderTests.ingestLines(lines)
        #expect(!graph.dataErrors.isEmpty)
        struct Document: Encodable {
            var schemaVersion = 1
            var sessions: [SessionReport.SessionSummary]
            var unlinked: UnlinkedCounts
            var dataErrors: [DataError]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let expected = try encoder.encode(Document(sessions: graph.sessions.map { SessionReport.summary($0, in: graph) }, unlinked: graph.unlinked, dataErrors: graph.dataErrors))
        #expect(try Self.parsed(SessionReport.sessionsDocument(graph.sessions, in: graph)) == Self.parsed(expected))
        let empty = try #require(try Self.parsed(SessionReport.sessionsDocument([], in: graph)) as? [String: Any])
        #expect((empty["sessions"] as? [Any])?.isEmpty == true)
    }

    // MARK: rejection reasons

    /// The per-reason summary's class of an ASCII reason, made from its bytes, is the one made
    /// character by character: random reasons over quotes, digits, letters, CR LF and spaces.
    @Test func asciiReasonClassEqualsTheCharacterWalk() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("'0123456789ab :()\r\n,.-\"".utf8)
        for round in 0..<3_000 {
            let bytes = (0..<Int.random(in: 0...(round < 1_000 ? 12 : 80), using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let reason = String(decoding: bytes, as: UTF8.self)
            let fast = bytes.withUnsafeBufferPointer(FileReader.asciiReasonClass)
            #expect(fast == FileReader.reasonClassByCharacters(reason), "\(reason.debugDescription)")
        }
        #expect(FileReader.reasonClass("record 12 at 'x9' is ½") == FileReader.reasonClassByCharacters("record 12 at 'x9' is ½"))
        #expect(FileReader.reasonClass("line 12: 'abc' ends at 3") == "line NN: '…' ends at N")
    }

    // MARK: files read in parts

    /// An NDJSON export of sign-ins with a duplicate and records that are not an export among
    /// them, blank lines before it, and (when `broken`) lines the parser cannot read.
    static func partsFixture(records: Int, broken: Bool = false, lineEnd: String = "\n") -> String {
        var lines: [String] = ["", ""]
        for n in 0..<records {
            let sid = String(format: "%08x-1111-2222-3333-444455556666", n / 4 + 1)
            let id = String(format: "11111111-aaaa-4bbb-8ccc-%012d", n)
            lines.append(GraphBuilderTests.signIn(id, "2026-03-02T\(String(format: "%02d", n % 24)):00:00Z", interactive: n % 4 == 0, ip: "203.0.113.\(n % 200)", asn: 3303, device: "dev-\(n % 7)", sid: sid).trimmingCharacters(in: .whitespacesAndNewlines))
            if broken && n % 97 == 50 { lines += [#"{"a":{"b":1}"#, ""] }
            if n % 131 == 7 { lines.append(lines[lines.count - 1]) }
            if n % 173 == 9 { lines.append(#"{"note":"not an export"}"#) }
        }
        return lines.joined(separator: lineEnd) + lineEnd
    }

    /// Every part read on its own and joined equals the file read whole.
    @Test(arguments: ["\n", "\r\n"]) func partsJoinedEqualTheWholeFile(lineEnd: String) throws {
        let folder = try Scratch()
        let path = try folder.write("signins.ndjson", Self.partsFixture(records: 1500, lineEnd: lineEnd))
        var limits = ReadLimits()
        limits.splitFilesFrom = 1024
        limits.maxListedRejections = 5
        let reader = FileReader(path: path, fileIndex: 0, limits: limits)
        let plan = try #require(reader.partPlan(parts: 4))
        #expect(plan.starts.count == 4)
        var parts = plan.starts.indices.map { reader.readPart(plan, $0) }
        #expect(!FileReader.partsNeedWholeRead(parts, limits: limits))
        let joined = FileReader.joined(&parts, limits: limits)
        let whole = reader.read()
        #expect(joined.read == whole.read && joined.rejected == whole.rejected && whole.rejected > 5)
        #expect(joined.rejections == whole.rejections, "lines, record numbers and reasons")
        #expect(joined.rejectionsByReason == whole.rejectionsByReason)
        #expect(joined.remarks == whole.remarks)
        #expect(firstDifference(joined.events.map(\.provenance), whole.events.map(\.provenance)) == nil)
        #expect(firstDifference(joined.events.map { EventExporter.jsonLine($0, files: [path]) }, whole.events.map { EventExporter.jsonLine($0, files: [path]) }) == nil)
        // The merge's facts are joined in step with the events, records numbered on alike.
        func facts(_ outcome: FileReadOutcome) -> [String] {
            outcome.mergeFacts.map { "\($0.file):\($0.record):\($0.time):\($0.duplicateHash):\($0.sourceShape)" }
        }
        #expect(joined.mergeFacts.count == joined.events.count)
        #expect(facts(joined) == facts(whole))
    }

    @Test func fileReadInPartsGivesTheWholeFileResult() throws {
        let folder = try Scratch()
        // Clean, and with lines the parser cannot read (their parts are thrown away and the
        // file read again whole).
        for broken in [false, true] {
            let path = try folder.write("signins-\(broken).ndjson", Self.partsFixture(records: 1500, broken: broken))
            var whole = IngestOptions()
            whole.limits.splitFilesFrom = Int.max
            var split = IngestOptions()
            split.limits.splitFilesFrom = 1024
            let a = Ingestor.ingest(files: [path], options: whole)
            let b = Ingestor.ingest(files: [path], options: split)
            #expect(a.totals == b.totals)
            #expect(a.files == b.files, "same counts, rejections and remarks")
            #expect(b.totals.duplicate > 0 && b.totals.used > 1000)
            #expect(firstDifference(a.events.map(\.provenance), b.events.map(\.provenance)) == nil)
            let reader = FileReader(path: path, fileIndex: 0, limits: split.limits)
            let plan = try #require(reader.partPlan(parts: 4))
            #expect(FileReader.partsNeedWholeRead(plan.starts.indices.map { reader.readPart(plan, $0) }, limits: split.limits) == broken)
        }
        // Parts that hold more records than the per-file limit between them are read whole.
        var big = FileReadOutcome(), small = FileReadOutcome()
        (big.read, small.read) = (60, 60)
        var tight = ReadLimits()
        tight.maxRecordsPerFile = 100
        #expect(FileReader.partsNeedWholeRead([big, small], limits: tight))
        #expect(!FileReader.partsNeedWholeRead([big, small], limits: ReadLimits()))
        // A record limit set by the user: the file is not split at all.
        let path = try folder.write("many.ndjson", Self.partsFixture(records: 300))
        var limited = IngestOptions()
        limited.limits.splitFilesFrom = 1024
        limited.limits.maxRecordsPerFile = 100
        let result = Ingestor.ingest(files: [path], options: limited)
        #expect(result.totals.used + result.totals.duplicate <= 100)
    }

    /// What the progress display is given: every byte and record is counted once, also when a
    /// file is read in parts.
    @Test func progressCountsEveryFileByteAndRecord() throws {
        let folder = try Scratch()
        try folder.write("a.ndjson", Self.partsFixture(records: 600))
        try folder.write("b.ndjson", Self.partsFixture(records: 50))
        final class Seen: @unchecked Sendable {
            let lock = NSLock()
            var values: [IngestProgress] = []
            func add(_ value: IngestProgress) { lock.lock(); values.append(value); lock.unlock() }
        }
        let seen = Seen()
        var options = IngestOptions()
        options.limits.splitFilesFrom = 1024
        options.progress = { seen.add($0) }
        let result = try Ingestor.ingest(paths: [folder.url.path], options: options)
        let bytes = result.files.reduce(0) { $0 + $1.bytes }
        #expect(seen.values.count > 2, "one report per file or part")
        let last = try #require(seen.values.max { $0.bytesDone < $1.bytesDone })
        #expect(last == IngestProgress(filesDone: 2, files: 2, bytesDone: bytes, bytes: bytes, records: result.totals.read))
    }

    /// The parts fixture's records as a top-level array: pretty-printed as PowerShell's
    /// `ConvertTo-Json` writes it (elements indented four spaces, members eight, each nested
    /// object's members deeper, an array of objects inside each element), or an element a line.
    static func arrayFixture(records: Int, pretty: Bool, brokenAt broken: Int? = nil) throws -> String {
        let lines = partsFixture(records: records).split(separator: "\n").filter { !$0.isEmpty }
        func formatted(_ value: Any, _ indent: Int) -> String {
            let pad = String(repeating: " ", count: indent)
            switch value {
            case let object as [String: Any]:
                let members = object.keys.sorted().map { "\(pad)    \"\($0)\":  \(formatted(object[$0]!, indent + 4))" }
                return "{\n" + members.joined(separator: ",\n") + "\n\(pad)}"
            case let array as [Any]:
                return "[\n" + array.map { "\(pad)    " + formatted($0, indent + 4) }.joined(separator: ",\n") + "\n\(pad)]"
            default:
                let data = try! JSONSerialization.data(withJSONObject: [value], options: [.fragmentsAllowed])
                return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
            }
        }
        var elements: [String] = []
        for (index, line) in lines.enumerated() {
            var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            object["AuthenticationDetails"] = [["authenticationStepResultDetail": "MFA completed", "succeeded": true], ["authenticationMethod": "Password"]]
            var text = pretty ? "    " + formatted(object, 4) : line.description
            if index == broken { text = pretty ? "    {\n        \"a\":  tru\n    }" : #"{"a":tru}"# }
            elements.append(text)
        }
        return pretty ? "\u{FEFF}[\n" + elements.joined(separator: ",\n") + "\n]\n" : "[" + elements.joined(separator: ",\n") + "]\n"
    }

    /// A top-level array read in parts and joined equals the array read whole, pretty-printed or
    /// an element a line; an array whose part does not end at its cut is read again whole.
    @Test(arguments: [true, false]) func arrayPartsJoinedEqualTheWholeFile(pretty: Bool) throws {
        let folder = try Scratch()
        let path = try folder.write("signins.json", try Self.arrayFixture(records: 1200, pretty: pretty))
        var limits = ReadLimits()
        limits.splitFilesFrom = 1024
        let reader = FileReader(path: path, fileIndex: 0, limits: limits)
        let plan = try #require(reader.partPlan(parts: 4))
        #expect(plan.starts.count == 4 && plan.layout == .array)
        // Each later part starts at a line start, so its lines and columns count as the whole file's.
        let fileBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(plan.starts.dropFirst().allSatisfy { fileBytes[$0 - 1] == 0x0A })
        var parts = plan.starts.indices.map { reader.readPart(plan, $0) }
        let needsWhole = FileReader.partsNeedWholeRead(parts, limits: limits)
        #expect(!needsWhole)
        let joined = FileReader.joined(&parts, limits: limits)
        let whole = reader.read()
        #expect(joined.read == whole.read && joined.rejected == whole.rejected && whole.read > 1200)
        #expect(joined.rejections == whole.rejections && joined.remarks == whole.remarks)
        #expect(firstDifference(joined.events.map(\.provenance), whole.events.map(\.provenance)) == nil)
        #expect(firstDifference(joined.events.map { EventExporter.jsonLine($0, files: [path]) }, whole.events.map { EventExporter.jsonLine($0, files: [path]) }) == nil)

        // A broken element in a part before the last, and a cut inside an element: read whole.
        let broken = try folder.write("broken.json", try Self.arrayFixture(records: 1200, pretty: pretty, brokenAt: 100))
        let brokenReader = FileReader(path: broken, fileIndex: 0, limits: limits)
        let brokenPlan = try #require(brokenReader.partPlan(parts: 4))
        let brokenNeedsWhole = FileReader.partsNeedWholeRead(brokenPlan.starts.indices.map { brokenReader.readPart(brokenPlan, $0) }, limits: limits)
        #expect(brokenNeedsWhole)
        let misplaced = FilePartPlan(input: plan.input, starts: [plan.starts[0], plan.starts[1] + 20], end: plan.end, layout: .array)
        let misplacedNeedsWhole = FileReader.partsNeedWholeRead(misplaced.starts.indices.map { reader.readPart(misplaced, $0) }, limits: limits)
        #expect(misplacedNeedsWhole)
        // A trailing comma before the `]`, and an array cut off before its end (an export stopped
        // mid-way): the last part's remark stands, at the line of the whole file it names.
        let text = try Self.arrayFixture(records: 1200, pretty: pretty)
        let trailing = try folder.write("trailing.json", String(text[..<text.lastIndex(of: "]")!]) + ",]\n")
        let truncated = try folder.write("truncated.json", String(text.prefix(text.count * 9 / 10)))
        for file in [trailing, truncated] {
            let partReader = FileReader(path: file, fileIndex: 0, limits: limits)
            let partPlan = try #require(partReader.partPlan(parts: 4))
            var fileParts = partPlan.starts.indices.map { partReader.readPart(partPlan, $0) }
            let partsNeedWhole = FileReader.partsNeedWholeRead(fileParts, limits: limits)
            let joinedRemarks = FileReader.joined(&fileParts, limits: limits).remarks, wholeRemarks = partReader.read().remarks
            #expect(!partsNeedWhole && joinedRemarks == wholeRemarks && joinedRemarks.contains { $0.hasPrefix("line ") }, "\(joinedRemarks) \(wholeRemarks)")
        }
        // An opening that the whole read refuses as UTF-16 without a byte-order mark: not split.
        let nuls = String(repeating: "\u{0}A", count: 252)
        let utf16 = try folder.write("utf16-like.json", "[\n" + #"{"x":""# + nuls + #""},"# + "\n" + String(text.drop { $0 != "{" }))
        #expect(FileReader(path: utf16, fileIndex: 0, limits: limits).partPlan(parts: 4) == nil)
        // A broken element in the last part: its parts stand, and its rejection names the line
        // and column of the whole file, from which the reader resynchronises as a whole read does.
        let brokenLast = try folder.write("broken-last.json", try Self.arrayFixture(records: 1200, pretty: pretty, brokenAt: 1150))
        let lastReader = FileReader(path: brokenLast, fileIndex: 0, limits: limits)
        let lastPlan = try #require(lastReader.partPlan(parts: 4))
        let lastParts = lastPlan.starts.indices.map { lastReader.readPart(lastPlan, $0) }
        let lastNeedsWhole = FileReader.partsNeedWholeRead(lastParts, limits: limits)
        #expect(!lastNeedsWhole && lastParts.last?.parseFailures == 1)
        // The array closed half-way and elements after it, after a comma: the part that holds the
        // `]` does not end at its cut, and the whole read's account of what follows stands.
        let elements = Self.partsFixture(records: 1200).split(separator: "\n").filter { !$0.isEmpty }
        let closedEarly = try folder.write("closed-early.json", "[" + elements[..<600].joined(separator: ",\n") + "\n],\n" + elements[600...].joined(separator: ",\n") + "]\n")
        for file in [path, broken, trailing, truncated, brokenLast, closedEarly] {
            var whole = IngestOptions(), split = IngestOptions()
            whole.limits.splitFilesFrom = Int.max
            split.limits.splitFilesFrom = 1024
            let a = Ingestor.ingest(files: [file], options: whole), b = Ingestor.ingest(files: [file], options: split)
            #expect(a.totals == b.totals && a.files == b.files)
            #expect(firstDifference(a.events.map { EventExporter.jsonLine($0, files: [file]) }, b.events.map { EventExporter.jsonLine($0, files: [file]) }) == nil)
        }
    }

    @Test func filesThatAreNotOneRecordPerLineAreReadWhole() throws {
        let folder = try Scratch()
        var limits = ReadLimits()
        limits.splitFilesFrom = 16
        let records = Self.partsFixture(records: 40).split(separator: "\n")
        let pretty = try folder.write("pretty.json", records.map { $0.replacingOccurrences(of: ",", with: ",\n  ") }.joined(separator: "\n"))
        let array = try folder.write("array.json", "[" + records.joined(separator: ", ") + "]")
        let envelope = try folder.write("PT1H.json", records.map { #"{"records":["# + $0 + "]}" }.joined(separator: "\n"))
        let gzip = try folder.write("signins.ndjson.gz", bytes: try gzip(Array(Self.partsFixture(records: 40).utf8)))
        for path in [pretty, array, gzip] {
            #expect(FileReader(path: path, fileIndex: 0, limits: limits).partPlan(parts: 2) == nil, "\(path)")
        }
        // Envelopes a line each are cut at envelopes (``FilePartsTests``).
        #expect(FileReader(path: envelope, fileIndex: 0, limits: limits).partPlan(parts: 2)?.layout == .envelopes(.recordsEnvelope))
        let small = try folder.write("small.ndjson", Self.partsFixture(records: 40))
        #expect(FileReader(path: small, fileIndex: 0, limits: limits).partPlan(parts: 2) != nil)
        limits.maxRecordsPerFile = 100
        #expect(FileReader(path: small, fileIndex: 0, limits: limits).partPlan(parts: 2) == nil, "a record limit is counted over the whole file")
    }

    // MARK: findings writer

    static func finding(_ text: String, branch: Int?, user: String?, evidence: Int) -> Finding {
        Finding(
            id: "f-\(evidence)", rule: "sess-branch-new-net", family: .contextDivergence, severity: .medium, sessionId: user == nil ? nil : "00aa0001-1111-2222-3333-444455556666",
            user: user, firstSeen: "2026-03-02T08:00:00Z", lastSeen: "2026-03-02T09:00:00.5Z", summary: "summary \(text)", reason: "reason \(text)",
            branch: branch, adjustments: evidence == 0 ? [] : ["capped at low: \(text)"],
            evidence: (0..<evidence).map { Evidence(node: $0 % 2 == 0 ? $0 : nil, kind: "signIn", time: "2026-03-02T08:00:00Z", file: $0 % 3 == 0 ? nil : "/x/\(text).json", line: $0 + 1, record: $0 + 1, summary: text) },
            evidenceCount: evidence)
    }

    static let hostile = "quote \" back \\ slash / nl \n tab \t nul \u{0} bell \u{7} sep \u{2028}\u{2029} emoji 🧪 </script>"

    /// A JSON text parsed into Foundation values, for comparing two encodings of one value.
    static func parsed(_ data: Data) throws -> NSObject {
        try #require(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? NSObject)
    }

    @Test func findingLineEqualsTheEncodableForm() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for finding in [Self.finding(Self.hostile, branch: 2, user: "alice@contoso.example", evidence: 5), Self.finding("plain", branch: nil, user: nil, evidence: 0)] {
            let line = FindingsReport.line(finding)
            #expect(!line.contains("\n"), "one finding is one line")
            #expect(try Self.parsed(Data(line.utf8)) == Self.parsed(encoder.encode(finding)))
            let decoded = try JSONDecoder().decode(Finding.self, from: Data(line.utf8))
            #expect(decoded.evidence == finding.evidence)
            #expect(decoded.summary == finding.summary)
        }
    }

    @Test func findingsDocumentAndLinesParse() throws {
        let findings = (0..<4).map { Self.finding(Self.hostile, branch: $0, user: "u\($0)", evidence: $0) }
        let document = try #require(try Self.parsed(FindingsReport.document(findings, inputs: ["in/\(Self.hostile)"], generatedAt: UTCInstant(seconds: 0))) as? [String: Any])
        #expect((document["findings"] as? [Any])?.count == 4)
        #expect(document["schemaVersion"] as? Int == 1)
        #expect((document["counts"] as? [String: Int])?["medium"] == 4)
        #expect((document["inputs"] as? [String]) == ["in/\(Self.hostile)"])
        #expect((document["rules"] as? [[String: String]])?.count == RuleRegistry.catalogue.count)
        let lines = String(decoding: FindingsReport.jsonLines(findings), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 4)
        let empty = try #require(try Self.parsed(FindingsReport.document([], inputs: [], generatedAt: UTCInstant(seconds: 0))) as? [String: Any])
        #expect((empty["findings"] as? [Any])?.isEmpty == true)
    }

    @Test func streamedDocumentsEqualTheWholeOnes() throws {
        let scratch = try Scratch()
        // More than two chunks of the writer's 4,096 findings.
        let findings = (0..<8500).map { Self.finding(Self.hostile, branch: $0, user: "u\($0)", evidence: $0 % 4) }
        let at = UTCInstant(seconds: 0)
        let path = scratch.url.appendingPathComponent("out/findings.json").path
        try OutputFile.stream(to: path, and: path + "l") { document, lines in
            FindingsReport.write(findings, inputs: ["in"], generatedAt: at, document: &document, lines: &lines)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == FindingsReport.document(findings, inputs: ["in"], generatedAt: at))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + "l")) == FindingsReport.jsonLines(findings))
        // The lines are the findings, in order, each once.
        let lines = try String(contentsOf: URL(fileURLWithPath: path + "l"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == findings.count)
        #expect(lines.map { String($0) } == findings.map(FindingsReport.line))
        // A body that fails leaves the previous file and no temporary file behind.
        struct Stop: Error {}
        #expect(throws: Stop.self) { try OutputFile.stream(to: path) { $0.write("partial"); throw Stop() } }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == FindingsReport.document(findings, inputs: ["in"], generatedAt: at))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.appendingPathComponent("out").path).sorted() == ["findings.json", "findings.jsonl"])
        // The same for the pair: neither file is replaced.
        let previousLines = try Data(contentsOf: URL(fileURLWithPath: path + "l"))
        #expect(throws: Stop.self) { try OutputFile.stream(to: path, and: path + "l") { one, two in one.write("partial"); two.write("partial"); throw Stop() } }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == FindingsReport.document(findings, inputs: ["in"], generatedAt: at))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + "l")) == previousLines)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.appendingPathComponent("out").path).sorted() == ["findings.json", "findings.jsonl"])
    }

    // MARK: merge

    @Test func mergeKeepsTheFirstCopyAndSortsByTime() {
        func event(_ file: Int32, _ record: Int32, _ micros: Int64, _ id: String?, _ source: LogSource = .graphActivityLogs) -> Event {
            var event = Event(time: UTCInstant(microseconds: micros), source: source, shape: .logAnalyticsNDJSON, kind: .action,
                              provenance: Provenance(fileIndex: file, line: record, record: record))
            event.recordId = id
            return event
        }
        let x = "3fa85f64-5717-4562-b3fc-2c963f66afa6", y = "0d6a8f3e-1b2c-4d5e-8f90-a1b2c3d4e5f6", text = "ReportId-42"
        var first = FileReadOutcome(), second = FileReadOutcome()
        for made in [event(0, 1, 10_200_000, x), event(0, 2, 11_000_000, y), event(0, 3, 10_900_000, x),
                     event(0, 4, 10_300_000, x, .signInLogs)] { first.add(made) }
        for made in [event(1, 1, 10_500_000, x), event(1, 2, 12_000_000, text), event(1, 3, 9_000_000, nil),
                     event(1, 4, 12_400_000, text), event(1, 5, 13_000_000, text)] { second.add(made) }
        first.read = first.events.count
        second.read = second.events.count
        let result = Ingestor.merge(files: ["/nonexistent/a", "/nonexistent/b"], sizes: [0, 0], outcomes: [first, second])
        #expect(result.files.map(\.used) == [3, 3])
        #expect(result.files.map(\.duplicate) == [1, 2])
        // The same source, id and second is a duplicate (sub-second times differ); another second or source is not.
        #expect(result.events.map { "\($0.provenance.fileIndex):\($0.provenance.record)" } == ["1:3", "0:1", "0:4", "0:2", "1:2", "1:5"])
        #expect(result.totals.used == 6 && result.totals.duplicate == 3)
    }

    /// Enough records for the merge's work to split (duplicates checked in two halves of the key
    /// hashes, the sort on two cores): the same result as one naive pass in position order.
    @Test func mergeOfManyRecordsMatchesANaivePass() {
        var generator = SplitMix64(seed: 7)
        var outcomes = [FileReadOutcome(), FileReadOutcome(), FileReadOutcome()]
        var all: [(file: Int32, record: Int32, micros: Int64, id: String)] = []
        for file in 0..<3 {
            for record in 1...40_000 {
                // Ids from a pool of 8,000 and times in 20 seconds: many copies, some of them
                // in another second (not copies), across and within files.
                let id = String(format: "3fa85f64-5717-4562-b3fc-%012d", Int.random(in: 0..<8_000, using: &generator))
                let micros = Int64.random(in: 0..<20_000_000, using: &generator)
                var event = Event(time: UTCInstant(microseconds: micros), source: .graphActivityLogs, shape: .logAnalyticsNDJSON, kind: .action,
                                  provenance: Provenance(fileIndex: Int32(file), line: Int32(record), record: Int32(record)))
                event.recordId = id
                outcomes[file].add(event)
                outcomes[file].read += 1
                all.append((Int32(file), Int32(record), micros, id))
            }
        }
        var seen = Set<String>()
        var kept: [(file: Int32, record: Int32, micros: Int64, id: String)] = []
        var duplicates = [0, 0, 0]
        for item in all {
            if seen.insert("\(item.id)/\(item.micros / 1_000_000)").inserted { kept.append(item) } else { duplicates[Int(item.file)] += 1 }
        }
        kept.sort { ($0.micros, $0.file, $0.record) < ($1.micros, $1.file, $1.record) }
        let result = Ingestor.merge(files: ["/nonexistent/a", "/nonexistent/b", "/nonexistent/c"], sizes: [0, 0, 0], outcomes: outcomes)
        #expect(result.files.map(\.duplicate) == duplicates)
        #expect(duplicates.allSatisfy { $0 > 1000 } && kept.count > 1 << 16)
        let same = result.events.map { "\($0.provenance.fileIndex):\($0.provenance.record)" } == kept.map { "\($0.file):\($0.record)" }
        #expect(same, "the kept records, in time order, are those of one pass")
    }

    // MARK: chunked graph assembly

    /// Enough sessions for the assembly and branch stages to split their work into several
    /// chunks; each session is the three-sign-in, replayed-token fixture with its own ids.
    @Test func chunkedAssemblyKeepsEverySessionWhole() throws {
        let count = 700
        var lines: [String] = []
        func id(_ group: String, _ n: Int) -> String { String(format: "%@-aaaa-4bbb-8ccc-%012d", group, n) }
        for n in 0..<count {
            let sid = String(format: "%08x-1111-2222-3333-444455556666", n + 1)
            let (root, refresh, replay) = (id("11111111", n), id("22222222", n), id("33333333", n))
            let hour = String(format: "%02d", n % 20)
            lines += [
                GraphBuilderTests.signIn(root, "2026-03-02T\(hour):00:00Z", interactive: true, ip: "203.0.113.10", asn: 3303, device: "dev-\(n)", sid: sid),
                GraphBuilderTests.signIn(refresh, "2026-03-02T\(hour):10:00Z", interactive: false, ip: "203.0.113.11", asn: 3303, device: "dev-\(n)", sid: sid),
                GraphBuilderTests.signIn(replay, "2026-03-02T\(hour):20:00Z", interactive: false, ip: "198.51.100.7", asn: 14061, ua: "python-requests/2.31", sid: sid),
                GraphBuilderTests.graphCall(id("44444444", n), "2026-03-02T\(hour):21:00Z", token: GraphBuilderTests.uti(for: replay), sid: sid, ip: "198.51.100.7"),
            ]
        }
        let graph = try GraphBuilderTests.ingestLines(lines)
        #expect(graph.sessions.count == count)
        #expect(Set(graph.sessions.map(\.sessionId)).count == count)
        // Sessions keep their order of first appearance (events are in time order) across chunks.
        #expect(zip(graph.sessions, graph.sessions.dropFirst()).allSatisfy { $0.firstSeen <= $1.firstSeen })
        for session in graph.sessions {
            let n = try #require(Int(session.sessionId.prefix(8), radix: 16)) - 1
            #expect(graph.nodes[Int(session.sessionNode)].kind == .session)
            let root = try #require(session.root)
            #expect(graph.nodes[Int(root)].kind == .root)
            #expect(graph.event(of: root)?.requestId == id("11111111", n))
            #expect(session.nodes.count == 8, "session, 3 sign-ins, 3 tokens, 1 action")
            for node in session.nodes {
                for edge in graph.outgoing(node) { #expect(session.nodes.contains(edge.to), "edges stay inside their session") }
                if node != session.sessionNode { #expect(graph.incoming(node).map { session.nodes.contains($0.from) } == true) }
            }
            #expect(session.branches.count == 2)
            let replayBranch = session.branches[1]
            #expect(graph.event(of: replayBranch.branchPoint)?.requestId == id("33333333", n))
            #expect(replayBranch.nodes.allSatisfy { graph.nodes[Int($0)].branch == 1 && session.nodes.contains($0) })
        }
    }

    /// The number fast path says yes only to lexemes `Double` reads; the others still go to it.
    @Test func plainDecimalsAreNumbersDoubleReads() {
        let plain = ["0", "7", "-1", "200", "12.5", "-0.000001", "48.8566", "123456789012345678901234567890"]
        let other = ["", "-", ".", "1.", ".5", "-.5", "+1", "1e5", "1E-5", "--1", "1-2", "1.2.3", "e", "0000000000000000000000000000001.5"]
        for lexeme in plain + other {
            let bytes = Array(lexeme.utf8)
            let fast = bytes.withUnsafeBufferPointer(JSONParser.isPlainDecimal)
            #expect(fast == plain.contains(lexeme), "\(lexeme)")
            if fast { #expect(Double(lexeme) != nil, "\(lexeme)") }
        }
        // Every short lexeme of the number alphabet: the fast path never accepts what Double refuses.
        let alphabet = Array("0123456789-+.eE".utf8)
        var lexeme: [UInt8] = []
        func visit(_ length: Int) {
            if lexeme.count == length {
                if lexeme.withUnsafeBufferPointer(JSONParser.isPlainDecimal) {
                    #expect(Double(String(decoding: lexeme, as: UTF8.self)) != nil)
                }
                return
            }
            for byte in alphabet {
                lexeme.append(byte)
                visit(length)
                lexeme.removeLast()
            }
        }
        for length in 1...4 { visit(length) }
    }

    // MARK: Canonical GUIDs

    /// The check made eight bytes at a time agrees with the byte-by-byte rule on every byte
    /// value at every position of a canonical GUID, and on lengths 35 to 37.
    @Test func canonicalGUIDCheckAgreesWithTheByteRule() {
        func byteRule(_ bytes: [UInt8]) -> Bool {
            guard bytes.count == 36 else { return false }
            return bytes.indices.allSatisfy { index in
                let byte = bytes[index]
                if [8, 13, 18, 23].contains(index) { return byte == UInt8(ascii: "-") }
                return (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
            }
        }
        let canonical = Array("3fa85f64-5717-4562-b3fc-2c963f66afa6".utf8)
        var checked = 0, accepted = 0
        for position in canonical.indices {
            for value in UInt8.min...UInt8.max {
                var bytes = canonical
                bytes[position] = value
                let fast = bytes.withUnsafeBufferPointer { IdentifierNormalizer.isCanonicalGUID($0) }
                #expect(fast == byteRule(bytes), "byte \(value) at \(position)")
                checked += 1
                if fast { accepted += 1 }
            }
        }
        // 32 digit positions accept 16 values each, the four dashes one each.
        #expect(checked == 36 * 256)
        #expect(accepted == 32 * 16 + 4)
        for bytes in [Array(canonical.dropLast()), canonical + [0x30], Array("3FA85F64-5717-4562-B3FC-2C963F66AFA6".utf8)] {
            #expect(!bytes.withUnsafeBufferPointer { IdentifierNormalizer.isCanonicalGUID($0) })
        }
    }
}
