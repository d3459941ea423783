/// The keys the record mappers read, lower-cased: the spellings of ``FieldKey``, the one list
/// of them. While a record is parsed, the members of the record object and of the objects
/// directly inside it (`properties`, `RawEventData`, `DeviceDetail`, …) whose key is not in this
/// set are skipped without building their values: an export row carries dozens of columns the
/// model does not use (authentication details, conditional-access policies, participant lists).
/// Deeper objects, and arrays, are parsed whole (in a JSON file; a CSV cell of JSON object text
/// is read as a record of its own, so the objects directly inside it are skipped in the same
/// way). A test checks that skipping changes no event on every sample and fixture.
enum ReadFields {
    static let keys: Set<String> = Set(FieldKey.allCases.map { key in key.withBytes { String(decoding: $0, as: UTF8.self).lowercased() } })

    /// Every ``FieldKey`` by hash: probed with every member's key, to skip members no mapper
    /// reads and to tell which ``FieldKey`` a record's own member is.
    static let table = KeyTable()

    /// A hash of the ASCII-lower-cased bytes (every key of every record is hashed: a
    /// byte-at-a-time hash was the largest cost of reading an object).
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        WordHash.hash(bytes, seed: 0, foldingASCIICase: true)
    }
}

/// The ``FieldKey``s by hash: an open-addressing table indexed by the hash's own bits
/// (`Set<UInt64>` hashes the hash again with SipHash), with each key's bytes, to confirm a match.
///
/// The table is made once for the process (``ReadFields/table``) and never freed, so it is a
/// plain value: copying it, as each parser does for every object it reads, costs no reference
/// count. It held an array, and both cores' parsers updated that array's one reference count,
/// 677,000 times a run at 488 MB, each write waiting for the other core's.
struct KeyTable: @unchecked Sendable {
    private let hashes: UnsafePointer<UInt64>
    /// The ``FieldKey`` raw value at each slot of ``hashes``; -1 for an empty slot.
    private let entries: UnsafePointer<Int32>
    private let mask: Int
    /// The keys' bytes back to back; key `i` (raw value) is `bytes[offsets[i]..<offsets[i + 1]]`.
    private let bytes: UnsafePointer<UInt8>
    private let offsets: UnsafePointer<Int>

    /// The table of every ``FieldKey``.
    init() {
        let keys = FieldKey.allCases
        var size = 16
        while size < keys.count * 4 { size *= 2 }
        let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
        hashes.initialize(repeating: 0, count: size)
        let entries = UnsafeMutablePointer<Int32>.allocate(capacity: size)
        entries.initialize(repeating: -1, count: size)
        let all = keys.flatMap { key in key.withBytes { Array($0) } }
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(all.count, 1))
        bytes.initialize(from: all, count: all.count)
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: keys.count + 1)
        var offset = 0
        for (index, key) in keys.enumerated() {
            precondition(key.rawValue == index, "keys in raw-value order")
            offsets[index] = offset
            let hash = key.withBytes { key in
                offset += key.count
                return ReadFields.hash(key)
            }
            var slot = Self.firstSlot(hash, mask: size - 1)
            while entries[slot] >= 0 { slot = (slot + 1) & (size - 1) }
            (hashes[slot], entries[slot]) = (hash, Int32(index))
        }
        offsets[keys.count] = offset
        (self.hashes, self.entries, self.bytes, self.offsets) = (UnsafePointer(hashes), UnsafePointer(entries), UnsafePointer(bytes), UnsafePointer(offsets))
        mask = size - 1
    }

    @inline(__always)
    private static func firstSlot(_ hash: UInt64, mask: Int) -> Int { Int(truncatingIfNeeded: hash ^ (hash >> 32)) & mask }

    /// Whether some key has this hash (the parser's filter: a key that merely shares a hash with
    /// a read key is read too, and no mapper asks for it).
    @inline(__always)
    func contains(_ hash: UInt64) -> Bool {
        var slot = Self.firstSlot(hash, mask: mask)
        while entries[slot] >= 0 {
            if hashes[slot] == hash { return true }
            slot = (slot + 1) & mask
        }
        return false
    }

    /// The ``FieldKey`` raw value of `key` (whose ``ReadFields/hash(_:)`` is `hash`), matched
    /// ASCII case-insensitively; -1 when it is no field key.
    func fieldKey(of key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int {
        var slot = Self.firstSlot(hash, mask: mask)
        while true {
            let entry = Int(entries[slot])
            if entry < 0 { return -1 }
            if hashes[slot] == hash {
                let start = offsets[entry]
                if asciiCaseInsensitiveEqual(UnsafeBufferPointer(start: bytes + start, count: offsets[entry + 1] - start), key) { return entry }
            }
            slot = (slot + 1) & mask
        }
    }
}
