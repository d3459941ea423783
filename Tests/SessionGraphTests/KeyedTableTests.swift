import Foundation
import Testing
@testable import SessionGraph
@testable import SessionGraphSimulator

/// The link's tables keyed by compact identifier and by vocabulary code hold what a
/// `Dictionary` holds: the first value for a key, nothing for a key never held, through growth.
@Suite struct KeyedTableTests {
    /// Guid, token and text keys, many sharing bits: a guid and a token with the same two words
    /// are different keys, as are texts that differ in one byte.
    @Test func identifierTableMatchesADictionary() {
        var random = SplitMix64(seed: 11)
        var table = IdentifierTable<Int>(placeholder: -1)
        var reference: [CompactIdentifier: Int] = [:]
        var keys: [CompactIdentifier] = []
        for round in 0..<60_000 {
            let high = UInt64.random(in: 0...40, using: &random), low = UInt64.random(in: 0...UInt64.max, using: &random)
            let key: CompactIdentifier
            switch round % 7 {
            case 0: key = .text("id-\(high)")
            case 1, 2, 3: key = .guid(high, low)
            default: key = .token(high, low)
            }
            keys.append(key)
            if round % 5 == 0, case let .guid(h, l) = key { keys.append(.token(h, l)) }
        }
        for (value, key) in keys.enumerated() {
            let inserted = table.insertIfAbsent(key, value)
            #expect(inserted == (reference[key] == nil))
            if reference[key] == nil { reference[key] = value }
        }
        for key in keys { #expect(table.value(for: key) == reference[key]) }
        // A key held already keeps its first value, whatever its form.
        for key in keys.prefix(2_000) {
            let inserted = table.insertIfAbsent(key, -7)
            #expect(!inserted)
            #expect(table.value(for: key) == reference[key])
        }
        // Keys never held: a guid's words as a token (for guids never paired), fresh words, an
        // unknown text.
        #expect(table.value(for: .text("id-41")) == nil)
        for key in keys {
            guard case let .guid(high, low) = key, reference[.token(high, low)] == nil else { continue }
            #expect(table.value(for: .token(high, low)) == nil)
        }
        var absent = 0
        for _ in 0..<10_000 {
            let key = CompactIdentifier.guid(UInt64.random(in: 41...UInt64.max, using: &random), UInt64.random(in: 0...UInt64.max, using: &random))
            if table.value(for: key) == nil { absent += 1 }
        }
        #expect(absent == 10_000)
    }

    /// With fixed seeds and structured keys (words that differ only in their high bits, the
    /// same for a guid and a token), every key is found with its value through the table's
    /// growth, and a held key keeps its first value.
    @Test func identifierTableWithLongProbesAndFixedSeeds() {
        for seed: UInt64 in [0, 1, 0xDEAD_BEEF, .max] {
            var table = IdentifierTable<Int>(placeholder: -1, seed: seed)
            var keys: [CompactIdentifier] = []
            for step in 0..<3_000 {
                let high = UInt64(step) << 40, low = UInt64(step) << 52
                keys.append(.token(high, low))
                keys.append(.guid(high, low))
            }
            for (value, key) in keys.enumerated() {
                let inserted = table.insertIfAbsent(key, value)
                #expect(inserted)
            }
            for (value, key) in keys.enumerated() {
                #expect(table.value(for: key) == value)
                let inserted = table.insertIfAbsent(key, -2)
                #expect(!inserted)
            }
            #expect(table.value(for: .token(1 << 40, 0)) == nil)
        }
    }

    /// Codes beyond the table's end read as nothing; setting one grows it; nil clears.
    @Test func codeTableReadsAndGrows() {
        var table = CodeTable<Int>()
        #expect(table[0] == nil)
        #expect(table[4_000_000] == nil)
        table[70_000] = 7
        table[3] = 3
        #expect(table[70_000] == 7)
        #expect(table[3] == 3)
        #expect(table[69_999] == nil)
        table[3] = nil
        #expect(table[3] == nil)
        table[5_000_000] = nil
        #expect(table[5_000_000] == nil)
    }

    /// `update` changes a value in place, starting from the default for a new code, as a
    /// dictionary's default subscript does; `forEach` visits the held codes in code order.
    @Test func codeTableUpdatesInPlaceAndIteratesInCodeOrder() {
        var table = CodeTable<[Int]>()
        var reference: [UInt32: [Int]] = [:]
        var random = SplitMix64(seed: 5)
        for step in 0..<5_000 {
            let code = UInt32.random(in: 1...900, using: &random)
            table.update(code, default: [-1]) { $0.append(step) }
            reference[code, default: [-1]].append(step)
        }
        var visited: [(UInt32, [Int])] = []
        table.forEach { visited.append(($0, $1)) }
        #expect(visited.map(\.0) == reference.keys.sorted())
        #expect(visited.allSatisfy { reference[$0.0] == $0.1 })
    }

    /// Past its first sixteen codes `DistinctCodes` keeps a set beside its list: the texts stay
    /// those of the first appearances, in order, each once, whichever side of the limit a
    /// repeat falls on; "no value" is never held.
    @Test func distinctCodesKeepFirstAppearancesPastTheScanLimit() {
        let vocabulary = TextVocabulary.shared
        let values = (0..<60).map { "distinct-codes-test-\($0)" }
        let codes = values.map { vocabulary.code($0) }
        var distinct = DistinctCodes()
        var random = SplitMix64(seed: 11)
        var expected: [String] = []
        for step in 0..<2_000 {
            let index = step < 60 && step % 3 == 0 ? step : Int.random(in: 0..<60, using: &random)
            if !expected.contains(values[index]) { expected.append(values[index]) }
            distinct.insert(codes[index])
            distinct.insert(TextVocabulary.none)
        }
        #expect(distinct.count == expected.count)
        #expect(distinct.texts == expected)
    }

    /// The one binary search: on sorted arrays and on slices that start past zero, the first
    /// index at or past a limit is the one a linear scan finds, `endIndex` when none is.
    @Test func partitionIndexMatchesALinearScan() {
        var random = SplitMix64(seed: 29)
        for _ in 0..<2_000 {
            let values = (0..<Int.random(in: 0...40, using: &random)).map { _ in Int.random(in: 0...15, using: &random) }.sorted()
            let lower = values.isEmpty ? 0 : Int.random(in: 0...values.count, using: &random)
            let slice = values[lower...]
            let limit = Int.random(in: -1...16, using: &random)
            #expect(values.partitionIndex { $0 >= limit } == (values.firstIndex { $0 >= limit } ?? values.endIndex))
            #expect(slice.partitionIndex { $0 > limit } == (slice.firstIndex { $0 > limit } ?? slice.endIndex))
        }
    }
}
