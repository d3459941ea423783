import Foundation
import Testing
@testable import SessionGraph

/// `--redact`'s one-pass replacement against the plain definition: from the left, at the first
/// position where a pattern starts (ASCII case aside), the longest one; then on after it.
@Suite struct PatternReplacerTests {
    static func reference(_ text: [UInt8], _ pairs: [(pattern: [UInt8], replacement: [UInt8])]) -> [UInt8] {
        func fold(_ byte: UInt8) -> UInt8 { (65...90).contains(byte) ? byte + 32 : byte }
        func word(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (97...122).contains(byte) || (48...57).contains(byte) || byte == 95 }
        var out: [UInt8] = []
        var position = 0
        while position < text.count {
            var best: (length: Int, replacement: [UInt8])? = nil
            for (pattern, replacement) in pairs where !pattern.isEmpty && pattern.count <= text.count - position {
                let end = position + pattern.count
                let matches = pattern.indices.allSatisfy { fold(pattern[$0]) == fold(text[position + $0]) }
                let startsWord = !word(pattern[0]) || position == 0 || !word(text[position - 1]) || (position > 1 && text[position - 2] == 92)
                let endsWord = !word(pattern[pattern.count - 1]) || end == text.count || !word(text[end])
                if matches, startsWord, endsWord, pattern.count > (best?.length ?? 0) { best = (pattern.count, replacement) }
            }
            if let best {
                out += best.replacement
                position += best.length
            } else {
                out.append(text[position])
                position += 1
            }
        }
        return out
    }

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
            // The first of two patterns equal but for case wins, as in the replacer.
            var kept: [(pattern: [UInt8], replacement: [UInt8])] = []
            func fold(_ bytes: [UInt8]) -> [UInt8] { bytes.map { (65...90).contains($0) ? $0 + 32 : $0 } }
            for pair in pairs where !kept.contains(where: { fold($0.pattern) == fold(pair.0) }) {
                kept.append((pair.0, pair.1))
            }
            let text = (0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            var replacer = PatternReplacer(pairs.map { (pattern: $0.0, replacement: $0.1) })
            replacer.minimumBlockSize = Int.random(in: 1...12, using: &generator)
            let got = text.withUnsafeBufferPointer { replacer.replace($0) }
            #expect(got == Self.reference(text, kept), "text \(String(decoding: text, as: UTF8.self)) patterns \(pairs.map { String(decoding: $0.0, as: UTF8.self) })")
        }
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
