import Foundation

/// SplitMix64: a small, fast, seedable generator. The simulator never uses the system
/// generator, so one seed always gives the same tenant, byte for byte.
struct SplitMix64: RandomNumberGenerator {
    private(set) var state: UInt64

    init(seed: UInt64) { state = seed }

    /// An independent stream for one part of the tenant (a user, a service principal, ...).
    init(seed: UInt64, stream: UInt64, salt: UInt64 = 0) {
        var mixer = SplitMix64(seed: seed ^ 0x5DEE_CE66_D1CE_4E5B)
        let a = mixer.next()
        var second = SplitMix64(seed: a &+ stream &* 0x9E37_79B9_7F4A_7C15 &+ salt &* 0xD1B5_4A32_D192_ED03)
        state = second.next() ^ (salt &* 0x94D0_49BB_1331_11EB)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound (bound > 0), without modulo bias worth caring about here.
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int((next() >> 11) % UInt64(bound))
    }

    /// Uniform in the closed range.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    mutating func int64(_ range: ClosedRange<Int64>) -> Int64 {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int64((next() >> 1) % span)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// Picks by weight (weights need not sum to 1).
    mutating func weighted<T>(_ items: [(T, Double)]) -> T {
        let total = items.reduce(0) { $0 + $1.1 }
        var x = unit() * total
        for (item, weight) in items {
            if x < weight { return item }
            x -= weight
        }
        return items[items.count - 1].0
    }

    /// Minutes as microseconds, uniform in the range.
    mutating func minutes(_ range: ClosedRange<Double>) -> Int64 {
        Int64((range.lowerBound + unit() * (range.upperBound - range.lowerBound)) * 60_000_000)
    }

    mutating func seconds(_ range: ClosedRange<Double>) -> Int64 {
        Int64((range.lowerBound + unit() * (range.upperBound - range.lowerBound)) * 1_000_000)
    }
}
