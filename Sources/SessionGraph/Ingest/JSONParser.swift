#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure to parse JSON text: the byte offset where it went wrong and what was expected.
public struct JSONParseError: Error, Sendable, Equatable {
    public var offset: Int
    public var message: String
}

/// A byte-level JSON reader over a buffer it does not own.
///
/// It reads one value at a time from a position, so a caller can walk a huge top-level array
/// element by element (streaming) and resynchronise after a broken record. Nesting depth and
/// string length are bounded so hostile input cannot exhaust the stack or memory.
struct JSONParser {
    private(set) var bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    var maxDepth: Int
    var maxStringBytes: Int
    /// Set when a string longer than `maxStringBytes` was cut.
    private(set) var truncatedStrings = 0
    /// When set, members of objects at most one level below the record whose key hash is not in
    /// ``keyTable`` are skipped without building their value (see ``ReadFields``).
    var skipsUnreadMembers = false
    /// The keys the mappers read: the filter of ``skipsUnreadMembers``, and which ``FieldKey`` a
    /// record's own member is.
    private let keyTable = ReadFields.table
    /// The nesting depth of the record object itself (1 for a top-level value, 2 for an element
    /// of a top-level array or envelope).
    var recordDepth = 1
    /// Keys that occurred twice in one object at record level (the record, `properties`), since
    /// the reader last cleared it; at most ``namedRepeats`` of them.
    var duplicateKeys: [String] = []
    /// How many repeated keys a record names. Key hashes are not seeded, so a hostile record can
    /// make thousands of distinct keys look repeated; each name is looked for among those named,
    /// and without a bound that search grew with the square of the record.
    static let namedRepeats = 32
    /// The record-level keys read so far, so each record reuses them instead of allocating.
    private var keyCache = KeyCache()
    /// The key hashes of the record-level objects being read (see ``RepeatedKeyCheck``); the
    /// storage is reused from record to record. The record's own keys that follow the
    /// ``keyScript`` are listed only once a key leaves it.
    private var seenKeyHashes: [UInt64] = []
    /// How many keys of one object are listed before they move to a set.
    static let listedKeys = 64
    /// The members of the last record read flat (``parseRecordFields(depth:)``), and of the
    /// objects and arrays inside it read flat, each object's members and each array's elements
    /// in one block; the storage is reused from record to record.
    private(set) var recordMembers: [FlatRecord.Member] = []
    /// The key hash of each of ``recordMembers``, at the same index: a lookup in an object inside
    /// the record scans these; the record's own members are found by ``recordSlots``.
    private(set) var recordKeyHashes: [UInt64] = []
    /// The record's own block of ``recordMembers``.
    private(set) var recordRange = 0..<0
    /// For each ``FieldKey`` (by raw value), the last member of the record's own block with that
    /// key (its place in the block plus one; 0: none), set as the members are read, so that a
    /// mapper's lookup is one step (``FlatRecord/slots``); reused from record to record.
    private(set) var recordSlots: [Int32] = []
    /// False when a record's own block has a member beyond what a slot can hold (over 2^31
    /// members): its lookups then scan the block (``withRecord(_:_:)``).
    private(set) var recordSlotsHoldAll = true
    /// The members of the objects being read flat, and their key hashes: a stack, on which an
    /// object's members start where its parent's so far end, and from which an object's block
    /// moves to ``recordMembers`` when it closes (an object inside closes first). One list,
    /// not one per level, so that adding a member checks one buffer's uniqueness, not two.
    private var flatStack: [FlatRecord.Member] = []
    private var flatStackHashes: [UInt64] = []
    /// The values of the last record read flat that are not plain strings, parsed.
    private(set) var recordValues: [JSONValue] = []
    /// The keys of the last record read flat that are not plain bytes of the file (escaped, or
    /// longer than the string limit).
    private(set) var recordDecodedKeys: [String] = []
    /// The record-level keys of the last record read flat whose keys were all plain and none
    /// repeated: a file's records nearly all have the same keys in the same order, so each key
    /// of a record is first compared with the key at its place in this script (its bytes, then
    /// the closing quote). A key that matches takes the script's hash and filter decision, and,
    /// while every key so far has matched, needs no repeated-key check (the script has no
    /// repeat). The first key that does not match is read as any key is, after the ones before
    /// it are noted for the check.
    private var keyScript: [ScriptedKey] = []
    /// The record-level keys of the record being read, to become the next ``keyScript``.
    private var nextKeyScript: [ScriptedKey] = []
    /// The most keys a script holds: a record with more is not scripted, so a hostile record of
    /// millions of keys does not leave its list held for the rest of the file.
    static let scriptedKeys = 512

    init(bytes: UnsafeBufferPointer<UInt8>, position: Int = 0, maxDepth: Int = 256, maxStringBytes: Int = 1 << 20) {
        self.bytes = bytes
        self.position = position
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
    }

    /// Points the parser at `bytes` from `position` for a value of its own, keeping what it
    /// has learnt (the keys it has made): no count or repeated key of the value before is left.
    mutating func restart(over bytes: UnsafeBufferPointer<UInt8>, at position: Int) {
        self.bytes = bytes
        self.position = position
        truncatedStrings = 0
        duplicateKeys.removeAll(keepingCapacity: true)
        seenKeyHashes.removeAll(keepingCapacity: true)
        // The key script holds places in the bytes before: never compared with these.
        keyScript.removeAll(keepingCapacity: true)
        nextKeyScript.removeAll(keepingCapacity: true)
    }

    /// Parses a whole buffer holding exactly one JSON value (surrounding whitespace allowed).
    static func parse(_ data: [UInt8], maxDepth: Int = 256) throws(JSONParseError) -> JSONValue {
        try data.withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> JSONValue in
            var parser = JSONParser(bytes: buffer, maxDepth: maxDepth)
            parser.skipWhitespace()
            let value = try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            if parser.position != buffer.count {
                throw JSONParseError(offset: parser.position, message: "unexpected text after the JSON value")
            }
            return value
        }
    }

    var atEnd: Bool { position >= bytes.count }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while position < bytes.count, isJSONWhitespace(bytes[position]) { position += 1 }
    }

    func fail(_ message: String) -> JSONParseError {
        JSONParseError(offset: position, message: message)
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(JSONParseError) {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of input (expected \(what))") }
        guard bytes[position] == byte else { throw fail("unexpected \(describe(bytes[position])) (expected \(what))") }
        position += 1
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of input (expected a value)") }
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth) levels (limit --max-depth)") }
            return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth) levels (limit --max-depth)") }
            return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw fail("unexpected \(describe(byte)) (expected a value)")
        }
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        position += 1  // {
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        let recordLevel = depth <= recordDepth + 1
        let filter = recordLevel && skipsUnreadMembers ? keyTable : nil
        // A record keeps a few dozen members: grow once, not five times.
        if depth == recordDepth {
            members.reserveCapacity(32)
            seenKeyHashes.removeAll(keepingCapacity: true)
        } else {
            // A nested object (device, location, status) has a handful of members: one
            // allocation instead of three or four as the array grows.
            members.reserveCapacity(8)
        }
        var repeated = RepeatedKeyCheck(base: seenKeyHashes.count)
        defer { seenKeyHashes.removeSubrange(repeated.base...) }
        while true {
            try expectKey()
            var sharedKey: String?
            if recordLevel, let end = Self.plainStringEnd(bytes, from: position + 1) {
                // Record level: hash the raw key once, for the repeated-key check and the filter.
                let keyBytes = UnsafeBufferPointer(rebasing: bytes[(position + 1)..<end])
                let hash = ReadFields.hash(keyBytes)
                if let closed = try stepOverUnread(keyEnd: end, hash: hash, filter: filter, repeated: &repeated, depth: depth) {
                    if closed { return .object(members) } else { continue }
                }
                if keyBytes.count <= min(KeyCache.longestKey, maxStringBytes) {
                    sharedKey = keyCache.key(keyBytes, hash: hash)
                    position = end + 1
                }
            }
            let key: String
            if let sharedKey { key = sharedKey } else { key = try parseString() }
            try expect(UInt8(ascii: ":"), "':' after a key")
            let value = try parseValue(depth: depth)
            members.append((key, value))
            if try endOfMember() { return .object(members) }
        }
    }

    /// At an object's next key: its opening quote, or an error.
    private mutating func expectKey() throws(JSONParseError) {
        skipWhitespace()
        guard let byte = current else { throw fail("unexpected end of input inside an object (expected a key)") }
        guard byte == UInt8(ascii: "\"") else { throw fail("unexpected \(describe(byte)) (expected a quoted key)") }
    }

    /// After a member of an object: steps over `,` (false: more members follow) or `}` (true:
    /// the object is closed).
    private mutating func endOfMember() throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard let next = current else { throw fail("unexpected end of input inside an object (expected ',' or '}')") }
        position += 1
        if next == UInt8(ascii: ",") { return false }
        if next == UInt8(ascii: "}") { return true }
        position -= 1
        throw fail("unexpected \(describe(next)) (expected ',' or '}')")
    }

    /// A record-level key whose plain bytes end at `keyEnd`, hashed: named in ``duplicateKeys``
    /// when it is repeated in its object. When `filter` leaves it out, the member is stepped over
    /// without building anything and the result says whether that closed the object; nil when
    /// the member is to be read.
    private mutating func stepOverUnread(keyEnd: Int, hash: UInt64, filter: KeyTable?, repeated: inout RepeatedKeyCheck, depth: Int) throws(JSONParseError) -> Bool? {
        if repeated.repeats(hash, seen: &seenKeyHashes) {
            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[(position + 1)..<keyEnd]), as: UTF8.self)
            if duplicateKeys.count < Self.namedRepeats && !duplicateKeys.contains(name) { duplicateKeys.append(name) }
        }
        guard let filter, !filter.contains(hash) else { return nil }
        position = keyEnd + 1
        return try stepOverValue(depth: depth)
    }

    /// After the key of a member that is not read: steps over `:` and the value without building
    /// it; whether that closed the object.
    private mutating func stepOverValue(depth: Int) throws(JSONParseError) -> Bool {
        try expect(UInt8(ascii: ":"), "':' after a key")
        try skipValue(depth: depth)
        return try endOfMember()
    }

    /// Reads a record object at the current position flat, without building a tree; `depth` is
    /// the one ``parseValue(depth:)`` would be called with. Returns false, having read nothing,
    /// when the value there is not an object. Checks, limits, skipped members and repeated keys
    /// are those of ``parseObject(depth:)``; a plain string value is kept as its byte range (cut
    /// at the string limit, and counted as cut, as a parsed one), and an object down to
    /// ``flatLevels`` below the record, and an array held by one above that, is read flat too.
    /// The record's members are the last block of ``recordMembers`` (``recordRange``).
    mutating func parseRecordFields(depth valueDepth: Int) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard current == UInt8(ascii: "{") else { return false }
        guard valueDepth < maxDepth else { throw fail("nesting deeper than \(maxDepth) levels (limit --max-depth)") }
        // No range of the record before is left to a record that fails part-way.
        recordRange = 0..<0
        recordMembers.removeAll(keepingCapacity: true)
        recordKeyHashes.removeAll(keepingCapacity: true)
        recordDecodedKeys.removeAll(keepingCapacity: true)
        recordValues.removeAll(keepingCapacity: true)
        seenKeyHashes.removeAll(keepingCapacity: true)
        // A record that failed part-way may have left members on the stack.
        flatStack.removeAll(keepingCapacity: true)
        flatStackHashes.removeAll(keepingCapacity: true)
        if recordSlots.isEmpty {
            recordSlots = Array(repeating: 0, count: FieldKey.allCases.count)
        } else {
            recordSlots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        recordSlotsHoldAll = true
        flatElementsLeft = Self.flatElements
        flatArrayNesting = 0
        flatArraysGivenUp = false
        recordRange = try parseFlatObject(depth: valueDepth + 1, level: 0)
        return true
    }

    /// How many levels of objects below the record are read flat (a sign-in's `DeviceDetail`,
    /// and its `LocationDetails.geoCoordinates`, a CloudAppEvents row's
    /// `RawEventData.AppAccessContext`); deeper objects are parsed as values. An array is read
    /// flat where an object would be, and its objects at the level below its holder (a
    /// sign-in record's `NetworkLocationDetails` and their `networkNames`, an audit record's
    /// `Folders` and their `FolderItems`; inside a diagnostic record's `properties`, the
    /// `networkNames` are a level further down, and parsed).
    static let flatLevels = 2

    /// The members of the object at the current `{`, `level` objects below the record, read flat
    /// onto ``flatStack`` and then appended to ``recordMembers`` as one block (an object inside
    /// it closes first, so its block comes before): the block's range.
    private mutating func parseFlatObject(depth: Int, level: Int) throws(JSONParseError) -> Range<Int> {
        position += 1  // {
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return recordMembers.count..<recordMembers.count
        }
        // The record and the objects just below it are at record level: unread members are
        // stepped over and repeated keys named, as in parseObject.
        let recordLevel = depth <= recordDepth + 1
        let filter = recordLevel && skipsUnreadMembers ? keyTable : nil
        var repeated = RepeatedKeyCheck(base: seenKeyHashes.count)
        defer { if level > 0 { seenKeyHashes.removeSubrange(repeated.base...) } }
        let base = flatStack.count
        // The record's own keys follow the script while they match it, and may become the next
        // script while they are plain (``keyScript``).
        var following = level == 0, scriptable = level == 0
        var scripted = 0
        if level == 0 { nextKeyScript.removeAll(keepingCapacity: true) }
        while true {
            // Inside an array read flat, members count as its elements do (``flatElements``).
            if flatArrayNesting > 0 {
                if flatElementsLeft == 0 {
                    flatArraysGivenUp = true
                    return closeFlatObject(from: base, adoptingScript: false)
                }
                flatElementsLeft -= 1
            }
            try expectKey()
            let keyStart: Int, keyLength: Int
            let keyHash: UInt64
            // The key's ``FieldKey`` raw value (-1: none), for the record's own members.
            var fieldKey = -1
            if following, let key = scriptedKey(at: scripted) {
                scripted += 1
                nextKeyScript.append(ScriptedKey(start: position + 1, length: key.length, hash: key.hash, read: key.read, fieldKey: key.fieldKey))
                (keyStart, keyLength, keyHash) = (position + 1, key.length, key.hash)
                fieldKey = Int(key.fieldKey)
                position += key.length + 2
                if !key.read {
                    if try stepOverValue(depth: depth) { return closeFlatObject(from: base, adoptingScript: scriptable && !repeated.found) } else { continue }
                }
            } else {
                if following {
                    // Off the script: the keys read so far were its first ones, none repeated.
                    following = false
                    for index in 0..<scripted { _ = repeated.repeats(keyScript[index].hash, seen: &seenKeyHashes) }
                }
                if let end = Self.plainStringEnd(bytes, from: position + 1) {
                    let keyBytes = UnsafeBufferPointer(rebasing: bytes[(position + 1)..<end])
                    let hash = ReadFields.hash(keyBytes)
                    if level == 0 {
                        // A member stepped over needs no field key.
                        let read = filter?.contains(hash) ?? true
                        fieldKey = read ? keyTable.fieldKey(of: keyBytes, hash: hash) : -1
                        if keyBytes.count <= maxStringBytes && nextKeyScript.count < Self.scriptedKeys {
                            nextKeyScript.append(ScriptedKey(start: position + 1, length: keyBytes.count, hash: hash, read: read, fieldKey: Int32(fieldKey)))
                        } else {
                            scriptable = false
                        }
                    }
                    if recordLevel, let closed = try stepOverUnread(keyEnd: end, hash: hash, filter: filter, repeated: &repeated, depth: depth) {
                        if closed { return closeFlatObject(from: base, adoptingScript: scriptable && !repeated.found) } else { continue }
                    }
                    if keyBytes.count <= maxStringBytes {
                        (keyStart, keyLength) = (position + 1, keyBytes.count)
                        position = end + 1
                        keyHash = hash
                    } else {
                        // Cut to the string limit, and counted as cut, as a parsed key is; looked up
                        // by what is left of it, as the tree looks it up (the whole key's hash served
                        // the repeated-key check and the filter above).
                        let cut = try parseString()
                        recordDecodedKeys.append(cut)
                        (keyStart, keyLength) = (-recordDecodedKeys.count, 0)
                        keyHash = cut.withUTF8Bytes(ReadFields.hash)
                        if level == 0 { fieldKey = cut.withUTF8Bytes { keyTable.fieldKey(of: $0, hash: keyHash) } }
                    }
                } else {
                    // A key with an escape: decoded, and hashed as decoded for the lookups.
                    let key = try parseString()
                    recordDecodedKeys.append(key)
                    (keyStart, keyLength) = (-recordDecodedKeys.count, 0)
                    keyHash = key.withUTF8Bytes(ReadFields.hash)
                    if level == 0 { fieldKey = key.withUTF8Bytes { keyTable.fieldKey(of: $0, hash: keyHash) } }
                    scriptable = false
                }
            }
            try expect(UInt8(ascii: ":"), "':' after a key")
            skipWhitespace()
            var member = FlatRecord.Member(keyStart: keyStart, keyLength: keyLength, textStart: 0, textLength: 0)
            if !readPlainString(into: &member) { try readOtherValue(into: &member, depth: depth, level: level) }
            // Inside an array read flat that is to be parsed again: nothing more is read here.
            if flatArraysGivenUp { return closeFlatObject(from: base, adoptingScript: false) }
            flatStack.append(member)
            flatStackHashes.append(keyHash)
            // The record's own members are the block's, in order: the later of a repeated key wins.
            if fieldKey >= 0 {
                let place = flatStack.count - base
                if place <= Int(Int32.max) { recordSlots[fieldKey] = Int32(place) } else { recordSlotsHoldAll = false }
            }
            if try endOfMember() { return closeFlatObject(from: base, adoptingScript: scriptable && !repeated.found) }
        }
    }

    /// The key at place `index` of ``keyScript`` when the key at the current position (its
    /// opening quote) has exactly its bytes.
    @inline(__always)
    private func scriptedKey(at index: Int) -> ScriptedKey? {
        guard index < keyScript.count, let base = bytes.baseAddress else { return nil }
        let key = keyScript[index]
        let start = position + 1, end = start + key.length
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\""), memcmp(base + start, base + key.start, key.length) == 0 else { return nil }
        return key
    }

    /// Reads a plain string value at the current position (after its key, or an array's
    /// previous element) into `member` as its byte range, cut at the string limit and counted
    /// as cut, as ``parseString()`` would; false, having read nothing, for any other value.
    @inline(__always)
    private mutating func readPlainString(into member: inout FlatRecord.Member) -> Bool {
        guard current == UInt8(ascii: "\""), let end = Self.plainStringEnd(bytes, from: position + 1) else { return false }
        let length = end - position - 1
        if length > maxStringBytes { truncatedStrings += 1 }
        (member.textStart, member.textLength) = (position + 1, min(length, maxStringBytes))
        position = end + 1
        return true
    }

    /// Reads the value at the current position that is not a plain string into `member`, as
    /// ``parseValue(depth:)`` would read it, with the same checks and limits. An object or an
    /// array held by an object `level` below the record, while `level` is below ``flatLevels``,
    /// is read as a block flat: an object one level further down, an array at the level of its
    /// holder (so that an array's objects are read flat as the holder's member objects are),
    /// while the record's ``flatElements`` last. Anything else is parsed.
    private mutating func readOtherValue(into member: inout FlatRecord.Member, depth: Int, level: Int) throws(JSONParseError) {
        if current == UInt8(ascii: "{"), level < Self.flatLevels {
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth) levels (limit --max-depth)") }
            let block = try parseFlatObject(depth: depth + 1, level: level + 1)
            (member.objectStart, member.textLength) = (block.lowerBound, block.count)
        } else if current == UInt8(ascii: "["), level < Self.flatLevels, flatElementsLeft > 0 {
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth) levels (limit --max-depth)") }
            if let block = try parseFlatArray(depth: depth + 1, level: level) {
                (member.objectStart, member.textLength, member.textStart) = (block.lowerBound, block.count, FlatRecord.Member.arrayMark)
            } else if !flatArraysGivenUp {
                // The outermost array read flat went past the record's elements: parsed instead.
                recordValues.append(try parseValue(depth: depth))
                member.textStart = -recordValues.count
            }
        } else {
            recordValues.append(try parseValue(depth: depth))
            member.textStart = -recordValues.count
        }
    }

    /// How many array elements, and members of objects inside arrays, one record may read flat.
    /// An element read flat takes about 130 bytes of the parser's storage, kept for the next
    /// record, and a parsed number about 24: a 64 MB line of `[0,0,…]` read flat would hold
    /// several GB. Past it, the outermost array being read is parsed again as a value from its
    /// start, and so is every array after it.
    static let flatElements = 1 << 16
    /// What is left of ``flatElements`` in the record being read.
    private var flatElementsLeft = 0
    /// How many arrays read flat enclose the current position.
    private var flatArrayNesting = 0
    /// Set when ``flatElements`` ran out inside an array read flat: every array and object read
    /// flat inside the outermost one stops where it is, and the outermost one, put back as it
    /// was before it, is parsed as a value (cleared then).
    private var flatArraysGivenUp = false

    /// The elements of the array at the current `[`, read flat onto ``flatStack`` as an
    /// object's members are (an element has no key: its key offsets and hash are 0) and then
    /// moved to ``recordMembers`` as one block: the block's range. `depth` is the one
    /// ``parseArray(depth:)`` would be called with, `level` that of the object holding the
    /// array; checks, limits and errors are those of ``parseArray(depth:)``. Nil when the
    /// record's ``flatElements`` ran out: the outermost array read flat is then put back as it
    /// was, at its `[`, for its caller to parse as a value.
    private mutating func parseFlatArray(depth: Int, level: Int) throws(JSONParseError) -> Range<Int>? {
        let opening = position
        position += 1  // [
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return recordMembers.count..<recordMembers.count
        }
        let base = flatStack.count
        let outermost = flatArrayNesting == 0
        let before = (members: recordMembers.count, values: recordValues.count, keys: recordDecodedKeys.count, cut: truncatedStrings)
        flatArrayNesting += 1
        defer { flatArrayNesting -= 1 }
        while true {
            if flatElementsLeft == 0 { flatArraysGivenUp = true }
            if flatArraysGivenUp {
                guard outermost else { return nil }
                flatStack.removeLast(flatStack.count - base)
                flatStackHashes.removeLast(flatStackHashes.count - base)
                recordMembers.removeLast(recordMembers.count - before.members)
                recordKeyHashes.removeLast(recordKeyHashes.count - before.members)
                recordValues.removeLast(recordValues.count - before.values)
                recordDecodedKeys.removeLast(recordDecodedKeys.count - before.keys)
                truncatedStrings = before.cut
                position = opening
                flatArraysGivenUp = false
                return nil
            }
            flatElementsLeft -= 1
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of input (expected a value)") }
            var element = FlatRecord.Member(keyStart: 0, keyLength: 0, textStart: 0, textLength: 0)
            if !readPlainString(into: &element) { try readOtherValue(into: &element, depth: depth, level: level) }
            if flatArraysGivenUp { continue }
            flatStack.append(element)
            flatStackHashes.append(0)
            skipWhitespace()
            guard let next = current else { throw fail("unexpected end of input inside an array (expected ',' or ']')") }
            position += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "]") { return closeFlatObject(from: base, adoptingScript: false) }
            position -= 1
            throw fail("unexpected \(describe(next)) (expected ',' or ']')")
        }
    }

    /// Moves the members on ``flatStack`` from `base` on (the object that closes) to the end of
    /// ``recordMembers``: the block's range. The record's keys become the ``keyScript`` when
    /// `adoptingScript` (the record's own object, its keys all plain, none repeated).
    private mutating func closeFlatObject(from base: Int, adoptingScript: Bool) -> Range<Int> {
        if adoptingScript { swap(&keyScript, &nextKeyScript) }
        let start = recordMembers.count
        // Through buffer pointers: a slice of the stack retained and released its buffer, twice
        // for every object and array read flat (2 % of a run's samples).
        flatStack.withUnsafeBufferPointer { recordMembers.append(contentsOf: UnsafeBufferPointer(rebasing: $0[base...])) }
        flatStackHashes.withUnsafeBufferPointer { recordKeyHashes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[base...])) }
        flatStack.removeLast(flatStack.count - base)
        flatStackHashes.removeLast(flatStackHashes.count - base)
        return start..<recordMembers.count
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        position += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            guard let next = current else { throw fail("unexpected end of input inside an array (expected ',' or ']')") }
            position += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "]") { return .array(items) }
            position -= 1
            throw fail("unexpected \(describe(next)) (expected ',' or ']')")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail("unexpected end of input (expected \(word))") }
        let start = word.utf8Start
        for i in 0..<count where bytes[position + i] != start[i] {
            throw fail("invalid literal (expected \(word))")
        }
        position += count
    }

    mutating func parseNumber() throws(JSONParseError) -> String {
        // Two statements: in one, the call would take `self` (and its position) before the
        // argument moved it.
        let start = stepOverNumberBytes()
        return try finishNumber(from: start)
    }

    /// Steps over the bytes a number's lexeme may hold (``finishNumber(from:)`` checks them as a
    /// whole); returns where they start.
    @inline(__always)
    private mutating func stepOverNumberBytes() -> Int {
        let start = position
        scan: while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"),
                 UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                position += 1
            default:
                break scan
            }
        }
        return start
    }

    private func finishNumber(from start: Int) throws(JSONParseError) -> String {
        let lexeme = UnsafeBufferPointer(rebasing: bytes[start..<position])
        let text = String(decoding: lexeme, as: UTF8.self)
        // Nearly every number is a short plain integer or decimal, which `Double` always reads:
        // only the others are given to it (the C library's strtod was 1 % of a run).
        guard Self.isPlainDecimal(lexeme) || Double(text) != nil else {
            throw JSONParseError(offset: start, message: "malformed number '\(text.prefix(40))'")
        }
        return text
    }

    /// Whether `lexeme` is `-?[0-9]+(\.[0-9]+)?` and at most 30 bytes: a number `Double(_:)`
    /// reads, finite, whatever its digits.
    static func isPlainDecimal(_ lexeme: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lexeme.count <= 30 else { return false }
        var index = lexeme.first == UInt8(ascii: "-") ? 1 : 0
        var integerDigits = 0, fractionDigits = 0, point = false
        while index < lexeme.count {
            let byte = lexeme[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                if point { fractionDigits += 1 } else { integerDigits += 1 }
            } else if byte == UInt8(ascii: "."), !point {
                point = true
            } else {
                return false
            }
            index += 1
        }
        return integerDigits > 0 && (!point || fractionDigits > 0)
    }

    /// Reads a quoted string at the current position, decoding escapes.
    mutating func parseString() throws(JSONParseError) -> String {
        let openQuote = position
        position += 1
        let start = position
        // Fast path: no escapes.
        position = Self.nextStringSpecial(bytes, from: position)
        if position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let length = position - start
                position += 1
                return makeString(UnsafeBufferPointer(rebasing: bytes[start..<(start + min(length, maxStringBytes))]), fullLength: length)
            }
            if byte == 0x0A { throw JSONParseError(offset: openQuote, message: "the line ends inside a string (expected a closing quote; JSON strings cannot hold raw line breaks)") }
        }
        guard position < bytes.count else {
            throw JSONParseError(offset: openQuote, message: "unterminated string (expected a closing quote)")
        }
        // Slow path: decode escapes into a buffer, reserved as large as the raw string (what it
        // decodes to is never longer), or the string limit and one escape's four bytes past it.
        var rawEnd = position
        while rawEnd < bytes.count, bytes[rawEnd] == UInt8(ascii: "\\") { rawEnd = Self.nextStringSpecial(bytes, from: rawEnd + 2) }
        let rawLength = rawEnd - start
        var out: [UInt8] = []
        out.reserveCapacity(min(rawLength, maxStringBytes + 4))
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        var fullLength = out.count
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                if out.count > maxStringBytes { out.removeSubrange(maxStringBytes...) }
                return out.withUnsafeBufferPointer { makeString($0, fullLength: fullLength) }
            }
            if byte == 0x0A { throw JSONParseError(offset: openQuote, message: "the line ends inside a string (expected a closing quote; JSON strings cannot hold raw line breaks)") }
            if byte != UInt8(ascii: "\\") {
                if out.count <= maxStringBytes { out.append(byte) }
                fullLength += 1
                position += 1
                continue
            }
            position += 1
            guard position < bytes.count else { break }
            let escape = bytes[position]
            position += 1
            // Decoded into `out` in place (an array for each escape was an allocation each).
            let before = out.count
            switch escape {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate: combine with the low one when it follows.
                    if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                        let save = position
                        position += 2
                        let low = try hex4()
                        if (0xDC00...0xDFFF).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            position = save
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    scalar = 0xFFFD
                }
                out.append(contentsOf: (Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8)
            default:
                throw JSONParseError(offset: position - 2, message: "invalid escape '\\\(describe(escape))' in a string")
            }
            let decoded = out.count - before
            // Past the string limit the decoded bytes are only counted (as before, a value that
            // crosses the limit keeps its last escape whole; the cut is made at the end).
            if before > maxStringBytes { out.removeSubrange(before...) }
            fullLength += decoded
        }
        throw JSONParseError(offset: openQuote, message: "unterminated string (expected a closing quote)")
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("unexpected end of input in a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid hex digit in a \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    private mutating func makeString(_ buffer: UnsafeBufferPointer<UInt8>, fullLength: Int) -> String {
        if fullLength > maxStringBytes { truncatedStrings += 1 }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// The index of the closing quote of a string of `bytes` starting at `start` (just after its
    /// opening quote) when it has no escape and no line break; nil otherwise.
    ///
    /// This and ``nextStringSpecial(_:from:)`` are static, on the bytes alone: as methods of a
    /// parser being changed (`inout`), each call copied the whole parser (168 bytes) to pass it,
    /// twice for every member of every record (4 % of a run's samples, in `memmove`).
    @inline(__always)
    static func plainStringEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let i = nextStringSpecial(bytes, from: start)
        return i < bytes.count && bytes[i] == UInt8(ascii: "\"") ? i : nil
    }

    /// The index of the first `"`, `\` or line feed at or after `start`, or `bytes.count`: the
    /// bytes where a string scan must stop and look. Sixteen bytes are tested at a time, so the
    /// long values of a record (user agents, URIs, skipped policy lists) cost little, and the
    /// byte is then found eight bytes at a time (``firstStringSpecial(_:)``), not one by one.
    @inline(__always)
    static func nextStringSpecial(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        let count = bytes.count
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            let quote = SIMD16<UInt8>(repeating: 0x22), backslash = SIMD16<UInt8>(repeating: 0x5C), newline = SIMD16<UInt8>(repeating: 0x0A)
            while i + 16 <= count {
                let block = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
                if any((block .== quote) .| (block .== backslash) .| (block .== newline)) { break }
                i += 16
            }
            while i + 8 <= count {
                if let at = Self.firstStringSpecial(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian) { return i + at }
                i += 8
            }
        }
        while i < count {
            let byte = bytes[i]
            if byte == 0x22 || byte == 0x5C || byte == 0x0A { return i }
            i += 1
        }
        return count
    }

    /// The position of the first `"`, `\` or line feed among the eight bytes of `word` (the
    /// first byte in the low bits), or nil. A byte equal to the one sought becomes zero under
    /// XOR; `(x - 0x01…) & ~x & 0x80…` sets the top bit of the lowest zero byte exactly (a borrow
    /// can mark a byte above it too, never one below), so the lowest bit set names the first.
    @inline(__always)
    static func firstStringSpecial(_ word: UInt64) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let found = zeroBytes(word ^ (ones &* 0x22)) | zeroBytes(word ^ (ones &* 0x5C)) | zeroBytes(word ^ (ones &* 0x0A))
        return found == 0 ? nil : found.trailingZeroBitCount / 8
    }

    /// Steps over one value without building it: a string to its closing quote, a number as
    /// ``parseNumber()`` checks it, an object or array to its closing bracket with its nesting
    /// depth checked. What is inside a skipped object or array (commas, colons, literals,
    /// escapes, which bracket closes which) is not checked, so a malformed value that no mapper
    /// reads does not reject its record.
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        skipWhitespace()
        guard let byte = current else { throw fail("unexpected end of input (expected a value)") }
        switch byte {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var level = 0
            while position < bytes.count {
                let b = bytes[position]
                switch b {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    level += 1
                    guard depth + level <= maxDepth else { throw fail("nesting deeper than \(maxDepth) levels (limit --max-depth)") }
                    position += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    level -= 1
                    position += 1
                    if level == 0 { return }
                case UInt8(ascii: "\""):
                    try skipString()
                default:
                    position += 1
                }
            }
            throw fail("unexpected end of input inside a value (expected '}' or ']')")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            // Checked as ``parseNumber()`` checks it, without making the string.
            let start = stepOverNumberBytes()
            guard Self.isPlainDecimal(UnsafeBufferPointer(rebasing: bytes[start..<position])) else {
                _ = try finishNumber(from: start)
                return
            }
        default:
            _ = try parseValue(depth: depth)
        }
    }

    private mutating func skipString() throws(JSONParseError) {
        let openQuote = position
        position += 1
        while position < bytes.count {
            position = Self.nextStringSpecial(bytes, from: position)
            guard position < bytes.count else { break }
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                position += 1
                return
            }
            if b == UInt8(ascii: "\\") { position += 2; continue }
            throw JSONParseError(offset: openQuote, message: "the line ends inside a string (expected a closing quote; JSON strings cannot hold raw line breaks)")
        }
        throw JSONParseError(offset: openQuote, message: "unterminated string (expected a closing quote)")
    }
}

func describe(_ byte: UInt8) -> String {
    if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
    let digits = Array("0123456789ABCDEF")
    return "byte 0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 0x0F)])"
}

/// The keys of one record-level object so far, to name a key that comes twice: a bit per top
/// byte of the hash first (most keys are new), then the hashes themselves. The hashes are kept
/// in the parser's ``JSONParser/seenKeyHashes`` from ``base`` on, so an object costs no
/// allocation (a record and the object inside it nest, each with its own range).
struct RepeatedKeyCheck {
    let base: Int
    /// Whether any key was repeated.
    private(set) var found = false
    private var bits = KeyBits()
    /// The hashes once an object has more than ``JSONParser/listedKeys`` keys.
    private var wide: Set<UInt64>?

    init(base: Int) { self.base = base }

    /// Notes `hash` (its hash list is `seen` from ``base`` on); returns whether it was noted before.
    mutating func repeats(_ hash: UInt64, seen: inout [UInt64]) -> Bool {
        if wide != nil {
            let repeated = !wide!.insert(hash).inserted
            if repeated { found = true }
            return repeated
        }
        let mayRepeat = bits.insert(hash)
        let repeated = mayRepeat && seen[base...].contains(hash)
        seen.append(hash)
        if seen.count - base == JSONParser.listedKeys {
            wide = Set(seen[base...])
            seen.removeSubrange(base...)
        }
        if repeated { found = true }
        return repeated
    }
}

/// A record-level key of a ``JSONParser/keyScript``: where its plain bytes are in the file, its
/// hash, and whether the mappers read it (the key filter's answer).
struct ScriptedKey {
    var start: Int
    var length: Int
    var hash: UInt64
    var read: Bool
    /// The key's ``FieldKey`` raw value; -1 for none.
    var fieldKey: Int32
}

/// 256 bits, one per value of a key hash's top byte: most keys of a record are new, and a
/// clear bit says so without looking through the keys already seen. (Four words rather than a
/// SIMD vector: indexing a vector by a variable went through memory.)
struct KeyBits {
    private var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0

    /// Sets the bit of `hash`; returns whether it was already set (the key may have been seen).
    @inline(__always)
    mutating func insert(_ hash: UInt64) -> Bool {
        let bit: UInt64 = 1 << ((hash >> 56) & 63)
        let was: UInt64
        switch hash >> 62 {
        case 0: was = w0; w0 |= bit
        case 1: was = w1; w1 |= bit
        case 2: was = w2; w2 |= bit
        default: was = w3; w3 |= bit
        }
        return was & bit != 0
    }
}

/// The key strings of a file's records, looked up by the hash the parser computes anyway: every
/// record repeats the same few dozen keys, and a key longer than 15 bytes is a heap string.
/// Direct-mapped: a slot holds the last key with its hash; a different key evicts it.
struct KeyCache {
    static let longestKey = 64
    private var slots: [(hash: UInt64, key: String)] = []

    mutating func key(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> String {
        if slots.isEmpty { slots = Array(repeating: (0, ""), count: 256) }
        let slot = Int(truncatingIfNeeded: hash >> 8) & 255
        let held = slots[slot]
        if held.hash == hash, held.key.sameBytes(as: bytes) {
            return held.key
        }
        let key = String(decoding: bytes, as: UTF8.self)
        slots[slot] = (hash, key)
        return key
    }
}
