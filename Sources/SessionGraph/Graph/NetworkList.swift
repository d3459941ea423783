/// A network list: ASNs (`AS64500`) and CIDR ranges (`203.0.113.0/24`, `2001:db8::/32`).
/// Membership is asked for every event of a run, so addresses are parsed into two 64-bit
/// words without allocating (IPv4 in the low word of a v4 address).
struct NetworkList {
    /// An address as 128 bits; `v6` tells the families apart.
    struct Address: Equatable {
        var high: UInt64
        var low: UInt64
        var v6: Bool
    }

    struct Range {
        var address: Address
        var prefix: Int

        func contains(_ other: Address) -> Bool {
            guard other.v6 == address.v6 else { return false }
            let width = address.v6 ? 128 : 32
            let bits = max(0, min(prefix, width))
            if !address.v6 {
                let mask: UInt64 = bits == 0 ? 0 : (UInt64(0xFFFF_FFFF) << UInt64(32 - bits)) & 0xFFFF_FFFF
                return other.low & mask == address.low & mask
            }
            let highMask: UInt64 = bits >= 64 ? .max : (bits == 0 ? 0 : ~UInt64(0) << UInt64(64 - bits))
            let lowBits = bits - 64
            let lowMask: UInt64 = lowBits <= 0 ? 0 : (lowBits >= 64 ? .max : ~UInt64(0) << UInt64(64 - lowBits))
            return other.high & highMask == address.high & highMask && other.low & lowMask == address.low & lowMask
        }
    }

    var asns: Set<Int> = []
    var ranges: [Range] = []

    init(_ entries: [String]) {
        for entry in entries {
            let text = entry.trimmingASCIIWhitespace()
            if text.uppercased().hasPrefix("AS"), let asn = Int(text.dropFirst(2)) {
                asns.insert(asn)
                continue
            }
            let parts = text.split(separator: "/")
            guard let first = parts.first, let address = Self.address(String(first)) else { continue }
            let width = address.v6 ? 128 : 32
            let prefix = parts.count > 1 ? Int(parts[1]) ?? width : width
            ranges.append(Range(address: address, prefix: prefix))
        }
    }

    var isEmpty: Bool { asns.isEmpty && ranges.isEmpty }

    func contains(ip: String?, asn: Int?) -> Bool {
        if let asn, asns.contains(asn) { return true }
        guard !ranges.isEmpty, let ip, let address = Self.address(ip) else { return false }
        return ranges.contains { $0.contains(address) }
    }

    /// A dotted-quad IPv4 or an IPv6 address; nil for anything else.
    static func address(_ ip: String) -> Address? {
        var ip = ip
        return ip.withUTF8 { bytes -> Address? in
            if bytes.contains(UInt8(ascii: ":")) { return nil }
            var value: UInt64 = 0
            var part: UInt64 = 0
            var digits = 0
            var dots = 0
            for byte in bytes {
                if byte == UInt8(ascii: ".") {
                    guard digits > 0 else { return nil }
                    value = value << 8 | part
                    part = 0
                    digits = 0
                    dots += 1
                } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    part = part * 10 + UInt64(byte - UInt8(ascii: "0"))
                    digits += 1
                    guard digits <= 3, part <= 255 else { return nil }
                } else {
                    return nil
                }
            }
            guard dots == 3, digits > 0 else { return nil }
            return Address(high: 0, low: value << 8 | part, v6: false)
        } ?? v6Address(ip)
    }

    private static func v6Address(_ ip: String) -> Address? {
        guard ip.utf8.contains(UInt8(ascii: ":")) else { return nil }
        let groups = NetworkKey.expandIPv6(ip)
        guard groups.count == 8 else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for group in groups[0..<4] { high = high << 16 | UInt64(group) }
        for group in groups[4..<8] { low = low << 16 | UInt64(group) }
        return Address(high: high, low: low, v6: true)
    }
}
