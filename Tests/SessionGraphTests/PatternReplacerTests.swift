import Foundation
import Testing
@testable import SessionGraph
@testable import SessionGraphSimulator

/// `--redact`'s one-pass replacement against the plain definition (``PatternReplacer/definition(_:_:)``):
/// from the left, at the first position where a pattern starts as a whole word (ASCII case
/// aside), the longest one; then on after it.
@Suite struct PatternReplacerTests {
    func replaced(_ text: String, _ pairs: [(String, String)]) -> String {
        let replacer = PatternReplacer(pairs.map { (Array($0.0.utf8), Array($0.1.utf8)) })
        return Array(text.utf8).withUnsafeBufferPointer { String(decoding: replacer.replace($0), as: UTF8.self) }
    }

    @Test func leftmostThenLongestWholeWords() {
        #expect(replaced("abcd", [("ab", "1"), ("abcd", "2"), ("bc", "3")]) == "2")
        #expect(replaced("y.x.ab", [("x.ab", "1"), ("ab", "2"), ("y.x", "3")]) == "3.2")
        #expect(replaced("10.0.0.12 and 10.0.0.1", [("10.0.0.1", "A"), ("10.0.0.12", "B")]) == "B and A")
        #expect(replaced("Alice@Contoso.example", [("alice@contoso.example", "user-1")]) == "user-1")
        // Whole words: not inside a word, nor a key; an escape before a value is a boundary.
        #expect(replaced("used ed rejected \\ned", [("ed", "X")]) == "used X rejected \\nX")
        #expect(replaced("\"rootTime\":\"Tim\"", [("Tim", "person-1")]) == "\"rootTime\":\"person-1\"")
        #expect(replaced("a-tim-b tim_x", [("tim", "P")]) == "a-P-b tim_x")
        // A value that begins or ends with a byte that is not a word byte needs no boundary there.
        #expect(replaced("x(ann)y", [("(ann)", "P")]) == "xPy")
        // A replacement is not searched again.
        #expect(replaced("host", [("host", "host-1"), ("host-1", "x")]) == "host-1")
        #expect(replaced("", [("a", "b")]) == "")
        #expect(replaced("nothing here", []) == "nothing here")
    }

    /// Random patterns and texts over a few letters (so patterns overlap and nest), then over
    /// bytes next to the ASCII letters and non-ASCII ones (which must not fold); the text done
    /// in blocks of one byte and more, so matches cross them.
    @Test(arguments: [Array("abAB-.".utf8), [0x40, 0x41, 0x5A, 0x5B, 0x60, 0x61, 0x7A, 0x7B, 0xC1, 0xE1, 0xFF, 0x00]])
    func agreesWithTheDefinitionOnRandomTexts(alphabet: [UInt8]) {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let pairs = (0..<Int.random(in: 1...6, using: &generator)).map { index in
                ((0..<Int.random(in: 1...5, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }, Array("<\(index)>".utf8))
            }
            let text = (0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            var replacer = PatternReplacer(pairs.map { (pattern: $0.0, replacement: $0.1) })
            replacer.blockSizeForTests = Int.random(in: 1...12, using: &generator)
            let got = text.withUnsafeBufferPointer { replacer.replace($0) }
            #expect(got == PatternReplacer.definition(text, pairs.map { (pattern: $0.0, replacement: $0.1) }), "text \(String(decoding: text, as: UTF8.self)) patterns \(pairs.map { String(decoding: $0.0, as: UTF8.self) })")
        }
    }

    /// Patterns longer than a window found by an anchor, with windows of one to three bytes so
    /// that most patterns are anchored, share anchors, are pushed along to a later window, or are
    /// spelled out after all when every window of theirs is taken (a group limit of one or two);
    /// texts built from the patterns themselves so that they occur, overlap and nest.
    @Test(arguments: [Array("abAB-.".utf8), Array("aa-".utf8), Array("an\\-".utf8), [0x41, 0x5A, 0x61, 0x7A, 0xC1, 0xE1, 0x00, 0x2E]])
    func anchoredPatternsAgreeWithTheDefinition(alphabet: [UInt8]) {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<3000 {
            let pairs = (0..<Int.random(in: 1...8, using: &generator)).map { index in
                ((0..<Int.random(in: 1...9, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }, Array("<\(index)>".utf8))
            }
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 0...8, using: &generator) {
                if Bool.random(using: &generator), let pattern = pairs.randomElement(using: &generator)?.0 {
                    text += pattern.map { $0 &- 0x61 < 26 && Bool.random(using: &generator) ? $0 - 0x20 : $0 }
                } else {
                    text += (0..<Int.random(in: 0...4, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
                }
            }
            // A hash base of 1 makes every anagram collide, so the bytes compared after a hash
            // must decide (a third of the runs).
            let anchoring = PatternReplacer.Anchoring(window: Int.random(in: 1...3, using: &generator), groupLimit: Int.random(in: 1...2, using: &generator),
                                                      shifts: Int.random(in: 1...3, using: &generator), hashBase: Int.random(in: 0..<3, using: &generator) == 0 ? 1 : nil)
            var replacer = PatternReplacer(pairs.map { (pattern: $0.0, replacement: $0.1) }, anchoring: anchoring)
            replacer.blockSizeForTests = Bool.random(using: &generator) ? nil : Int.random(in: 1...12, using: &generator)
            let got = text.withUnsafeBufferPointer { replacer.replace($0) }
            #expect(got == PatternReplacer.definition(text, pairs.map { (pattern: $0.0, replacement: $0.1) }),
                    "text \(text) patterns \(pairs.map(\.0)) window \(anchoring.window) limit \(anchoring.groupLimit) shifts \(anchoring.shifts)")
        }
    }

    /// An anchor is shared by at most the group limit; a pattern whose windows are all that
    /// shared is spelled out, one whose last window is full takes an earlier one.
    @Test func anchorsAreSharedUpToTheLimit() {
        let dashPairs = (0..<40).map { (pattern: Array(repeating: UInt8(ascii: "-"), count: 65 + $0), replacement: Array("<\($0)>".utf8)) }
        let dashes = PatternReplacer(dashPairs)
        #expect(dashes.anchoredCount == 16 && dashes.largestAnchorGroup == 16)
        // Seventeen patterns that end alike and differ before: the seventeenth anchors a byte in.
        let tail = Array(repeating: UInt8(ascii: "z"), count: 64)
        let alike = PatternReplacer((0..<17).map { (Array("v\($0 + 10)".utf8) + tail, Array("<\($0)>".utf8)) })
        #expect(alike.anchoredCount == 17 && alike.largestAnchorGroup == 16)
        let text = Array("v26".utf8) + tail + Array(" ".utf8) + Array(repeating: UInt8(ascii: "-"), count: 70)
        #expect(text.withUnsafeBufferPointer { alike.replace($0) } == Array("<16> ".utf8) + Array(repeating: UInt8(ascii: "-"), count: 70))
        #expect(text.withUnsafeBufferPointer { dashes.replace($0) } == PatternReplacer.definition(text, dashPairs))
    }

    /// Hostile long values (`make bench-hostile`): a thousand of 10,000 random bytes take the
    /// automaton a window each, not a state a byte, and are all replaced.
    @Test func longValuesAreAnchoredNotSpelledOut() {
        var generator = SplitMix64(seed: 11)
        let values = (0..<1000).map { _ in (0..<10_000).map { _ in Array("abcdefghij -".utf8).randomElement(using: &generator)! } }
        let replacer = PatternReplacer(values.enumerated().map { ($0.element, Array("person-\($0.offset)".utf8)) })
        #expect(replacer.states < 200_000, "\(replacer.states) states for 10 MB of patterns")
        let text = Array(values[500..<520].joined(separator: Array(", ".utf8)))
        let out = String(decoding: text.withUnsafeBufferPointer { replacer.replace($0) }, as: UTF8.self)
        #expect(out == (500..<520).map { "person-\($0)" }.joined(separator: ", "))
    }

    /// Many values over a long text: one pass, not one search per value.
    @Test func manyPatternsOverALongText() {
        let values = (0..<5000).map { "user\($0)@contoso.example" }
        let text = Array(values.reversed().joined(separator: " · ").utf8)
        let replacer = PatternReplacer(values.enumerated().map { (Array($0.element.utf8), Array("user-\($0.offset)".utf8)) })
        let out = String(decoding: text.withUnsafeBufferPointer { replacer.replace($0) }, as: UTF8.self)
        #expect(!out.contains("@contoso.example"))
        #expect(out.hasPrefix("user-4999 · user-4998 · "))
    }
}
