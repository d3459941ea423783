import Foundation
import Testing
@testable import SessionGraph

/// `--redact`'s one-pass replacement against the plain definition: from the left, at the first
/// position where a pattern starts (ASCII case aside), the longest one; then on after it.
@Suite struct PatternReplacerTests {
    static func reference(_ text: [UInt8], _ pairs: [(pattern: [UInt8], replacement: [UInt8])]) -> [UInt8] {
        func fold(_ byte: UInt8) -> UInt8 { (65...90).contains(byte) ? byte + 32 : byte }
        var out: [UInt8] = []
        var position = 0
        while position < text.count {
            var best: (length: Int, replacement: [UInt8])? = nil
            for (pattern, replacement) in pairs where !pattern.isEmpty && pattern.count <= text.count - position {
                let matches = pattern.indices.allSatisfy { fold(pattern[$0]) == fold(text[position + $0]) }
                if matches, pattern.count > (best?.length ?? 0) { best = (pattern.count, replacement) }
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

    @Test func leftmostThenLongest() {
        #expect(replaced("abcd", [("ab", "1"), ("abcd", "2"), ("bc", "3")]) == "2")
        #expect(replaced("yxab", [("xab", "1"), ("ab", "2"), ("yx", "3")]) == "32")
        #expect(replaced("abcdx", [("ab", "1"), ("abcde", "2"), ("cd", "3")]) == "13x")
        #expect(replaced("10.0.0.12 and 10.0.0.1", [("10.0.0.1", "A"), ("10.0.0.12", "B")]) == "B and A")
        #expect(replaced("Alice@Contoso.example", [("alice@contoso.example", "user-1")]) == "user-1")
        // A replacement is not searched again.
        #expect(replaced("host", [("host", "host-1"), ("host-1", "x")]) == "host-1")
        #expect(replaced("", [("a", "b")]) == "")
        #expect(replaced("nothing here", []) == "nothing here")
    }

    @Test func agreesWithTheDefinitionOnRandomTexts() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abAB-.".utf8)
        for _ in 0..<3000 {
            let pairs = (0..<Int.random(in: 1...6, using: &generator)).map { index in
                ((0..<Int.random(in: 1...5, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }, Array("<\(index)>".utf8))
            }
            // The first of two patterns equal but for case wins, as in the replacer.
            var kept: [(pattern: [UInt8], replacement: [UInt8])] = []
            for pair in pairs where !kept.contains(where: { $0.pattern.map { $0 | 0x20 } == pair.0.map { $0 | 0x20 } && $0.pattern.count == pair.0.count }) {
                kept.append((pair.0, pair.1))
            }
            let text = (0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let replacer = PatternReplacer(pairs.map { (pattern: $0.0, replacement: $0.1) })
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
